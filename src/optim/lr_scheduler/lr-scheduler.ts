/**
 * The base of the epoch-indexed schedulers: one pure schedule per parameter group, evaluated at
 * `lastEpoch` and written into the group's `lr` on every `step()`.
 */
import { OptionError } from "../../errors.js";
import type { Optimizer, ParamGroup } from "../optimizer.js";
import type { Schedule } from "./schedules.js";

/** What a scheduler saves: its position, the base rates, and the last rates it set. */
export interface SchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
  [key: string]: unknown;
}

/**
 * Each group's rate before the first scheduler touched it (PyTorch's `initial_lr`), so that
 * several schedulers on one optimizer (for SequentialLR and ChainedScheduler) share their base.
 */
const initialLrs = new WeakMap<object, number>();

export function initialLr(group: ParamGroup<object>): number {
  let lr = initialLrs.get(group);
  if (lr === undefined) {
    lr = (group as unknown as { lr: number }).lr;
    initialLrs.set(group, lr);
  }
  return lr;
}

export type AnyOptimizer = Optimizer<object>;

export function groupLr(group: ParamGroup<object>): number {
  return (group as unknown as { lr: number }).lr;
}

export function setGroupLr(group: ParamGroup<object>, lr: number): void {
  (group as unknown as { lr: number }).lr = lr;
}

/** One value per group: a single number for all, or a list with one per group. */
export function perGroup<T>(scheduler: string, option: string, value: T | readonly T[], groups: number): T[] {
  if (Array.isArray(value)) {
    if (value.length !== groups) throw new OptionError(`${scheduler}: expected ${groups} values for ${option}, got ${value.length}`);
    return value.slice() as T[];
  }
  return Array.from({ length: groups }, () => value as T);
}

export abstract class LRScheduler {
  /** The number of `step()` calls so far (0 right after construction). */
  lastEpoch = 0;
  /** Each group's rate at step 0 of the schedule. */
  baseLrs: number[];
  protected lastLrs: number[] = [];
  private schedules: Schedule[] = [];

  constructor(
    readonly optimizer: AnyOptimizer,
    protected readonly name: string,
  ) {
    this.baseLrs = optimizer.paramGroups.map((g) => initialLr(g));
  }

  /** The schedule of one group, from its base rate. Subclasses build it from their options. */
  abstract schedule(baseLr: number, group: number): Schedule;

  /** Builds the schedules and sets step 0's rates; subclasses call it at the end of their constructor. */
  protected start(): void {
    this.schedules = this.baseLrs.map((b, i) => this.schedule(b, i));
    this.apply();
  }

  /** The rates of every group at step `t`. */
  lrsAt(t: number): number[] {
    return this.schedules.map((s) => s(t));
  }

  /** Advances one step (call it after `optimizer.step()`) and sets the groups' rates. */
  step(): void {
    this.lastEpoch += 1;
    this.apply();
  }

  protected apply(): void {
    const lrs = this.lrsAt(this.lastEpoch);
    this.optimizer.paramGroups.forEach((g, i) => setGroupLr(g, lrs[i]!));
    this.lastLrs = lrs;
  }

  /** The rates set by the last step (PyTorch's `get_last_lr()`). */
  getLastLr(): number[] {
    return this.lastLrs.slice();
  }

  /** The position and base rates; the options come from the constructor, as in PyTorch. */
  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: this.baseLrs.slice(), lastLr: this.lastLrs.slice() };
  }

  /** Restores a position saved by `stateDict()`; the optimizer's own state dict restores its rates. */
  loadStateDict(state: SchedulerStateDict): void {
    if (!Number.isInteger(state.lastEpoch) || !Array.isArray(state.baseLrs) || state.baseLrs.length !== this.baseLrs.length) {
      throw new OptionError(`${this.name}.loadStateDict: expected lastEpoch and ${this.baseLrs.length} baseLrs, got ${JSON.stringify(state)}`);
    }
    this.lastEpoch = state.lastEpoch;
    this.baseLrs = state.baseLrs.slice();
    this.lastLrs = state.lastLr.slice();
    this.schedules = this.baseLrs.map((b, i) => this.schedule(b, i));
  }
}
