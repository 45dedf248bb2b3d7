/** Schedulers made of schedulers: one after another (SequentialLR) or all at once (ChainedScheduler). */
import { NUMBERS, readCtorArgs, type WithOptions } from "../../ops/arguments.js";
import { schedulerArgs, SCHEDULERS } from "./arguments.js";
import { OptionError } from "../../errors.js";
import { describeValue } from "../validate.js";
import { LRScheduler, stateFail, type AnyOptimizer, type SchedulerStateDict } from "./lr-scheduler.js";
import type { Schedule } from "./schedules.js";

function checkSameOptimizer(name: string, optimizer: AnyOptimizer, schedulers: LRScheduler[]): void {
  if (schedulers.length === 0) throw new OptionError(`${name}: expected at least one scheduler`);
  schedulers.forEach((s, i) => {
    if (s.optimizer !== optimizer) throw new OptionError(`${name}: scheduler ${i} belongs to a different optimizer than the others`);
  });
}

/** A scheduler made of others: its state dict holds theirs, as PyTorch's does. */
abstract class CompositeScheduler extends LRScheduler {
  abstract readonly schedulers: LRScheduler[];

  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  protected override extraStateKeys(): string[] {
    return ["schedulers"];
  }

  /** Checks its own state and each inner scheduler's, so that a bad inner state changes nothing. */
  override checkStateDict(state: unknown): void {
    super.checkStateDict(state);
    const inner = (state as SchedulerStateDict).schedulers;
    if (!Array.isArray(inner) || inner.length !== this.schedulers.length) {
      stateFail(this.name)(`schedulers must be a list of ${this.schedulers.length} state dicts, got ${describeValue(inner)}`);
    }
    this.schedulers.forEach((s, i) => {
      try {
        s.checkStateDict((inner as unknown[])[i]);
      } catch (e) {
        if (e instanceof OptionError) stateFail(this.name)(`schedulers[${i}]: ${e.message}`);
        throw e;
      }
    });
  }

  protected override applyStateDict(state: SchedulerStateDict): void {
    super.applyStateDict(state);
    const inner = state.schedulers as SchedulerStateDict[];
    this.schedulers.forEach((s, i) => s.loadStateDict(inner[i]!));
  }
}

/**
 * Runs `schedulers[i]` from milestones[i−1] to milestones[i], each starting again from its own
 * step 0 at its milestone: lr(t) = schedule_i(t − milestones[i−1]). E.g. a LinearLR warm-up
 * followed by CosineAnnealingLR.
 */
export class SequentialLR extends CompositeScheduler {
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];

  /** PyTorch's `(optimizer, schedulers, milestones)`, or options after the optimizer. */
  constructor(optimizer: AnyOptimizer, ...args: WithOptions<[schedulers: LRScheduler[], milestones: number[]], { schedulers: LRScheduler[]; milestones: number[] }>) {
    const { schedulers = [], milestones = [] } = schedulerArgs<Partial<{ schedulers: LRScheduler[]; milestones: number[] }>>("SequentialLR", optimizer, args, [
      ["schedulers", SCHEDULERS],
      ["milestones", NUMBERS],
    ]);
    super(optimizer, "SequentialLR");
    checkSameOptimizer("SequentialLR", optimizer, schedulers);
    if (milestones.length !== schedulers.length - 1) {
      throw new OptionError(`SequentialLR: expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, got ${milestones.length}`);
    }
    this.schedulers = schedulers;
    this.milestones = milestones.slice();
    this.start();
  }

  schedule(baseLr: number, group: number): Schedule {
    const parts = this.schedulers.map((s) => s.schedule(baseLr, group));
    return (t) => {
      const i = this.milestones.filter((m) => m <= t).length;
      return parts[i]!(i === 0 ? t : t - this.milestones[i - 1]!);
    };
  }
}

/**
 * Applies several schedulers at once: their factors multiply, lr(t) = lr₀·Π schedule_i(t)/lr₀
 * (e.g. a ConstantLR warm-up times an ExponentialLR decay). As in PyTorch, this is meant for
 * schedulers that scale the rate (not CyclicLR, OneCycleLR, or CosineAnnealingLR with etaMin > 0).
 */
export class ChainedScheduler extends CompositeScheduler {
  readonly schedulers: LRScheduler[];

  constructor(schedulers: LRScheduler[], ...rest: []) {
    readCtorArgs("ChainedScheduler", [schedulers, ...rest], { required: [["schedulers", SCHEDULERS]] });
    if (schedulers.length === 0) throw new OptionError("ChainedScheduler: expected at least one scheduler");
    super(schedulers[0]!.optimizer, "ChainedScheduler");
    checkSameOptimizer("ChainedScheduler", this.optimizer, schedulers);
    this.schedulers = schedulers;
    this.start();
  }

  schedule(baseLr: number, group: number): Schedule {
    const factors = this.schedulers.map((s) => s.schedule(1, group));
    return (t) => factors.reduce((lr, f) => lr * f(t), baseLr);
  }

  override step(): void {
    for (const s of this.schedulers) s.lastEpoch += 1;
    super.step();
  }
}
