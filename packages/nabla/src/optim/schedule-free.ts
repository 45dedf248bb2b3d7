/**
 * What Schedule-Free AdamW and SGD share: the averaging weights, the y/x switch of `train()` and
 * `eval()`, and the group-level counters kept in each parameter group (as the reference
 * implementation keeps them, so they travel in the state dict).
 */
import { OptionError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroup } from "./optimizer.js";
import { boolean, count, finite, nonNegative, optional, type StateSpec } from "./state-fields.js";

export interface ScheduleFreeCommon {
  lr: number;
  weightDecay: number;
  /** Linear warm-up of the learning rate over this many steps. */
  warmupSteps: number;
  /** Weighs step t's iterate by tʳ in the average. */
  r: number;
  /** Weighs each iterate by γ_max^weightLrPower in the average. */
  weightLrPower: number;
}

/** Group-level counters: the step k, the largest learning rate so far, the sum of the averaging weights, and the mode. */
export interface ScheduleFreeGroupState {
  k: number;
  lrMax: number;
  weightSum: number;
  trainMode: boolean;
}

/** Every schedule-free rule keeps z, the sequence of gradient steps (x is folded into the parameters). */
export type ScheduleFreeState = {
  z: Tensor;
};

export abstract class ScheduleFreeOptimizer<O extends ScheduleFreeCommon, S extends ScheduleFreeState> extends Optimizer<O, S> {
  /** The interpolation β between z and x that gives the gradient point y (β₁ for AdamW, momentum for SGD). */
  protected abstract beta(group: O): number;

  /** The schedule of the group being stepped, for updateParameter (set by stepGroup). */
  protected schedule = { lr: 0, ckp1: 0, k: 0 };

  protected override stepGroup(group: ParamGroup<O>): void {
    this.schedule = this.scheduleOf(group);
    super.stepGroup(group);
    this.groupState(group).k = this.schedule.k + 1;
  }

  protected override groupStateSpec(): StateSpec {
    return { k: optional(count), lrMax: optional(finite), weightSum: optional(nonNegative), trainMode: optional(boolean) };
  }

  protected groupState(group: ParamGroup<O>): ScheduleFreeGroupState {
    const g = group as ParamGroup<O> & Partial<ScheduleFreeGroupState>;
    g.k ??= 0;
    g.lrMax ??= -1;
    g.weightSum ??= 0;
    g.trainMode ??= true;
    return g as ScheduleFreeGroupState;
  }

  /**
   * Before a step's parameter updates: the warmed-up rate γ and the averaging coefficient
   * c = wₖ/Σw, wₖ = (k+1)ʳ·γ_max^power.
   */
  protected scheduleOf(group: ParamGroup<O>): { lr: number; ckp1: number; k: number } {
    const s = this.groupState(group);
    if (!s.trainMode) {
      throw new OptionError(`${this.name}: step() called in eval mode; call optimizer.train() before training and optimizer.eval() before evaluating`);
    }
    const k = s.k;
    const sched = k < group.warmupSteps ? (k + 1) / group.warmupSteps : 1;
    const lr = group.lr * sched;
    s.lrMax = Math.max(lr, s.lrMax);
    const weight = (k + 1) ** group.r * s.lrMax ** group.weightLrPower;
    s.weightSum += weight;
    const ckp1 = s.weightSum !== 0 ? weight / s.weightSum : 0;
    return { lr, ckp1, k };
  }

  /** Moves the parameters to the averaged point x, where the model should be evaluated (and saved). */
  eval(): void {
    this.switchMode(false);
  }

  /** Moves the parameters back to y, where gradients are taken. Call before training resumes. */
  train(): void {
    this.switchMode(true);
  }

  private switchMode(train: boolean): void {
    this.update(() => {
      for (const group of this.paramGroups) {
        const s = this.groupState(group);
        if (s.trainMode === train) continue;
        const beta = this.beta(group);
        // eval: x = y + (1 − 1/β)(z − y);  train: y = x + (1 − β)(z − x)
        const w = train ? 1 - beta : 1 - 1 / beta;
        for (const p of group.params) {
          const z = this.state.get(p)?.z;
          if (z !== undefined) p.add_(z.sub(p).mul(w));
        }
        s.trainMode = train;
      }
    });
  }
}
