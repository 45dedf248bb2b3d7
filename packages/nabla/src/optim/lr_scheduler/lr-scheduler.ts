/**
 * The base of the epoch-indexed schedulers: one pure schedule per parameter group, evaluated at
 * `lastEpoch` and written into the group's `lr` on every `step()`.
 */
import { OptionError } from "../../errors.js";
import type { Optimizer, ParamGroup } from "../optimizer.js";
import { describeValue, isNumber, isRecord } from "../validate.js";
import type { Schedule } from "./schedules.js";

/** What a scheduler saves: its class's name, its position, the base rates, and the last rates it set. */
export interface SchedulerStateDict {
  /** The scheduler that wrote it (`"StepLR"`); another scheduler's state is refused. Optional on load. */
  name?: string;
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

export function initialLr(group: ParamGroup): number {
  let lr = initialLrs.get(group);
  if (lr === undefined) {
    lr = group.lr;
    initialLrs.set(group, lr);
  }
  return lr;
}

export type AnyOptimizer = Optimizer;

export function groupLr(group: ParamGroup): number {
  return group.lr;
}

export function setGroupLr(group: ParamGroup, lr: number): void {
  group.lr = lr;
}

/** One value per group: a single number for all, or a list with one per group. */
export function perGroup<T>(scheduler: string, option: string, value: T | readonly T[], groups: number): T[] {
  if (Array.isArray(value)) {
    if (value.length !== groups) throw new OptionError(`${scheduler}: expected ${groups} values for ${option}, got ${value.length}`);
    return value.slice() as T[];
  }
  return Array.from({ length: groups }, () => value as T);
}

/** Throws an OptionError `<scheduler>.loadStateDict: <problem>`. */
export type StateFail = (problem: string) => never;

export function stateFail(scheduler: string): StateFail {
  return (problem) => {
    throw new OptionError(`${scheduler}.loadStateDict: ${problem}`);
  };
}

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/**
 * The checks every scheduler's state dict passes: an object holding only `keys` (and `name`, which
 * must be the scheduler's own), a step count `lastEpoch`, and one finite rate >= 0 per group in each
 * of `rateLists`.
 */
export function checkSchedulerState(name: string, state: unknown, keys: readonly string[], rateLists: readonly string[], groups: number): Record<string, unknown> {
  const fail = stateFail(name);
  if (!isRecord(state)) return fail(`expected a state dict { ${keys.join(", ")} }, got ${describeValue(state)}`);
  for (const key of Object.keys(state)) {
    if (key !== "name" && !keys.includes(key)) fail(`unexpected key '${key}' in the state dict (expected ${keys.join(", ")})`);
  }
  for (const key of keys) if (!hasOwn(state, key)) fail(`the state dict has no '${key}'`);
  if (hasOwn(state, "name") && state.name !== name) fail(`the state dict is from ${describeValue(state.name)}, not ${name}`);
  if (!(Number.isSafeInteger(state.lastEpoch) && (state.lastEpoch as number) >= 0)) fail(`lastEpoch must be a non-negative integer, got ${describeValue(state.lastEpoch)}`);
  for (const key of rateLists) {
    const rates = state[key];
    if (!Array.isArray(rates) || rates.length !== groups) fail(`${key} must be a list of ${groups} learning rates (one per group), got ${describeValue(rates)}`);
    (rates as unknown[]).forEach((lr, i) => {
      if (!(isNumber(lr) && Number.isFinite(lr) && lr >= 0)) fail(`${key}[${i}] must be a finite number >= 0, got ${describeValue(lr)}`);
    });
  }
  return state;
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
    return { name: this.name, lastEpoch: this.lastEpoch, baseLrs: this.baseLrs.slice(), lastLr: this.lastLrs.slice() };
  }

  /** The keys of this scheduler's state dict besides name, lastEpoch, baseLrs and lastLr. */
  protected extraStateKeys(): string[] {
    return [];
  }

  /**
   * Throws an OptionError naming the key and the value if `state` is not a state dict this
   * scheduler can load; changes nothing. Subclasses with more state check it after `super`.
   */
  checkStateDict(state: unknown): void {
    checkSchedulerState(this.name, state, ["lastEpoch", "baseLrs", "lastLr", ...this.extraStateKeys()], ["baseLrs", "lastLr"], this.baseLrs.length);
  }

  /** Restores a position saved by `stateDict()` (checked first); the optimizer's own state dict restores its rates. */
  loadStateDict(state: SchedulerStateDict): void {
    this.checkStateDict(state);
    this.applyStateDict(state);
  }

  /** Sets a checked state. */
  protected applyStateDict(state: SchedulerStateDict): void {
    this.lastEpoch = state.lastEpoch;
    this.baseLrs = state.baseLrs.slice();
    this.lastLrs = state.lastLr.slice();
    this.schedules = this.baseLrs.map((b, i) => this.schedule(b, i));
  }
}
