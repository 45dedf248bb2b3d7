import { NUMBER, PAIR, orNull, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import { OptionError } from "../errors.js";
import { zerosLike } from "../ops/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import { evaluateClosure, Optimizer, type Closure, type ParamGroup, type ParamGroupSpec } from "./optimizer.js";
import { buffer, count, finite, optional, positive, type StateSpec } from "./state-fields.js";
import { checkBetas, checkLr, checkNonNegative, checkRange } from "./validate.js";

export interface ProdigyOptions {
  /** A multiplier of the estimated step d: leave it at 1. */
  lr: number;
  betas: [number, number];
  /** β₃, the decay of the d estimate's running sums; null means √β₂. */
  beta3: number | null;
  eps: number;
  /** Decoupled (AdamW-style) weight decay. */
  weightDecay: number;
  /** The initial estimate of d: the distance to the solution, deliberately too small. */
  d0: number;
  /** Scales the estimate d (0.5 or 2 to be more careful or bolder). */
  dCoef: number;
  /** The most d may grow per step (Infinity: unbounded). */
  growthRate: number;
}

/** Per parameter: the start x₀, the moments m and v, the sum s; the step count once the first update ran. */
export type ProdigyState = {
  p0: Tensor;
  /** m */
  exp_avg: Tensor;
  /** v */
  exp_avg_sq: Tensor;
  s: Tensor;
  step?: number;
};

/** The step-size estimate, shared by all groups and kept in each (as the authors' code keeps it). */
interface ProdigyGroupState {
  d: number;
  dMax: number;
  dNumerator: number;
  k: number;
}

/**
 * Prodigy (Mishchenko & Defazio 2023, "Prodigy: An Expeditiously Adaptive Parameter-Free
 * Learner", Algorithm 4): Adam whose learning rate is estimated as it trains. d is a lower bound
 * on the distance from the start x₀ to the solution, grown from d₀ by the correlation between
 * past gradients and the distance travelled:
 *
 *   m ← β₁m + (1 − β₁)·d·g,   v ← β₂v + (1 − β₂)·d²·g²
 *   r ← β₃r + (d/d₀)·dγ·⟨g, x₀ − x⟩          (summed over all parameters)
 *   s ← β₃s + (d/d₀)·dγ·g
 *   d ← min(d·growthRate, max(d, dCoef·r/‖s‖₁))
 *   x ← x(1 − λdγ) − dγ·m/(√v + d·ε)          (dγ = d·lr, with the d before this step's update)
 *
 * When to choose it: when you don't want to tune a learning rate at all — new architectures,
 * fine-tuning, quick baselines. Leave lr = 1 (it only scales the estimate); combine it with a
 * cosine schedule if you like, not with warm-up tricks. Costs one more buffer than Adam (x₀ and
 * s: two). Can overshoot on very short runs, where d has no time to settle.
 */
export class Prodigy extends Optimizer<ProdigyOptions, ProdigyState> {
  /** After params: prodigyopt's positional `(lr, betas, beta3, eps, weightDecay)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<ProdigyOptions>>, ...args: WithOptions<[lr: number, betas: [number, number], beta3: number | null, eps: number, weightDecay: number], Partial<ProdigyOptions>>) {
    const options = optimizerArgs<ProdigyOptions>("Prodigy", params, args, [["lr", NUMBER], ["betas", PAIR], ["beta3", orNull(NUMBER)], ["eps", NUMBER], ["weightDecay", NUMBER]]);
    super(
      "Prodigy",
      params,
      { lr: 1, betas: [0.9, 0.999], beta3: null, eps: 1e-8, weightDecay: 0, d0: 1e-6, dCoef: 1, growthRate: Infinity },
      options,
    );
  }

  protected validate({ lr, betas, beta3, eps, weightDecay, d0, dCoef, growthRate }: ProdigyOptions): void {
    checkLr("Prodigy", lr);
    checkBetas("Prodigy", betas);
    if (beta3 !== null) checkRange("Prodigy", "beta3", beta3, 0, 1, true);
    checkNonNegative("Prodigy", "epsilon", eps);
    checkNonNegative("Prodigy", "weightDecay", weightDecay);
    if (!(d0 > 0)) throw new OptionError(`Prodigy: invalid d0 value: ${d0} (must be > 0)`);
    if (!(dCoef > 0)) throw new OptionError(`Prodigy: invalid dCoef value: ${dCoef} (must be > 0)`);
    if (!(growthRate >= 1)) throw new OptionError(`Prodigy: invalid growthRate value: ${growthRate} (must be >= 1)`);
  }

  /** The start x₀, the moments, the sum s; the step once the first update ran. */
  protected stateSpec(_o: ProdigyOptions, p: Tensor): StateSpec {
    return { p0: buffer(p), exp_avg: buffer(p), exp_avg_sq: buffer(p), s: buffer(p), step: optional(count) };
  }

  protected override groupStateSpec(): StateSpec {
    return { d: optional(positive), dMax: optional(positive), dNumerator: optional(finite), k: optional(count) };
  }

  private groupState(group: ParamGroup<ProdigyOptions>): ProdigyGroupState {
    const g = group as ParamGroup<ProdigyOptions> & Partial<ProdigyGroupState>;
    g.d ??= group.d0;
    g.dMax ??= group.d0;
    g.dNumerator ??= 0;
    g.k ??= 0;
    return g as ProdigyGroupState;
  }

  /** The current step-size estimate d. */
  get d(): number {
    return this.groupState(this.paramGroups[0]!).d;
  }

  override step(closure?: Closure): number | undefined {
    const loss = evaluateClosure(closure);
    this.update(() => this.updateAll());
    return loss;
  }

  private updateAll(): void {
    const first = this.paramGroups[0]!;
    const shared = this.groupState(first);
    const [, beta2] = first.betas;
    const beta3 = first.beta3 ?? Math.sqrt(beta2);
    let d = shared.d;
    const lr = Math.max(...this.paramGroups.map((g) => g.lr));
    const dlr = d * lr;
    let dNumerator = shared.dNumerator * beta3;
    let dDenom = 0;

    // Pass 1: moments, and the sums that estimate d.
    for (const group of this.paramGroups) {
      if (group.lr !== lr && group.lr !== 0) throw new OptionError("Prodigy: groups may only use lr = 0 or the largest lr");
      const [beta1, b2] = group.betas;
      for (const x of group.params) {
        const g = x.grad;
        if (g === null) continue;
        const state = this.stateOf(x, group);
        if (group.lr === 0) continue;
        const { p0: x0, exp_avg: m, exp_avg_sq: v, s } = state;
        const scale = (d / group.d0) * dlr;
        this.scoped(state, () => {
          dNumerator += scale * g.mul(x0.sub(x)).sum().item();
          m.mul_(beta1).add_(g, { alpha: d * (1 - beta1) });
          v.mul_(b2).add_(g.mul(g), { alpha: d * d * (1 - b2) });
          s.mul_(beta3).add_(g, { alpha: scale });
          dDenom += s.abs().sum().item();
        });
      }
    }
    if (dDenom === 0) return;
    if (lr > 0) {
      const dHat = (first.dCoef * dNumerator) / dDenom;
      if (d === first.d0) d = Math.max(d, dHat);
      shared.dMax = Math.max(shared.dMax, dHat);
      d = Math.min(shared.dMax, d * first.growthRate);
    }

    // Pass 2: the Adam step with the step size dγ from before this step's estimate.
    for (const group of this.paramGroups) {
      const s = this.groupState(group);
      Object.assign(s, { d, dMax: shared.dMax, dNumerator });
      for (const x of group.params) {
        if (x.grad === null) continue;
        const state = this.state.get(x)!;
        state.step = (state.step ?? 0) + 1;
        // With β₁ = 0 the step follows the raw gradient (the authors' code does the same).
        const m = group.betas[0] > 0 ? state.exp_avg : x.grad;
        this.scoped(state, () => {
          // x − λdγ·x, as the authors write it (x·(1 − λdγ) would round 1 − λdγ first)
          if (group.weightDecay !== 0) x.sub_(x.mul(group.weightDecay * dlr));
          x.sub_(m.mul(dlr).div(state.exp_avg_sq.sqrt().add(d * group.eps)));
        });
      }
      s.k += 1;
    }
  }

  protected initState(x: Tensor): ProdigyState {
    return { p0: x.detach().clone(), exp_avg: zerosLike(x), exp_avg_sq: zerosLike(x), s: zerosLike(x) };
  }

  protected updateParameter(): void {
    /* unused: step() is overridden, d is estimated over all parameters at once */
  }
}
