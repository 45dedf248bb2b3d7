/**
 * A scheduler's arguments after the optimizer, as PyTorch takes them: positionally in its order
 * (`new StepLR(opt, 30, 0.1)`, `new MultiStepLR(opt, [30, 80], 0.1)`) or as one options object,
 * or a positional prefix and the object. Anything else is a TypeError naming the scheduler, the
 * argument and what it got (see readCtorArgs). PyTorch's last_epoch and verbose are not taken.
 */
import { kind, readCtorArgs, type Slot } from "../../ops/arguments.js";
import { Optimizer } from "../optimizer.js";
import { LRScheduler } from "./lr-scheduler.js";

export const OPTIMIZER: Slot = ["optimizer", kind("an Optimizer", (v) => v instanceof Optimizer)];
export const SCHEDULERS = kind("an array of LRSchedulers", (v) => Array.isArray(v) && v.every((s) => s instanceof LRScheduler));
/** LambdaLR's lrLambda: one function, or one per parameter group. */
export const LR_LAMBDA = kind("a function or an array of functions", (v) => typeof v === "function" || (Array.isArray(v) && v.every((f) => typeof f === "function")));

export function schedulerArgs<O extends object>(name: string, optimizer: unknown, args: readonly unknown[], positional: readonly Slot[]): O {
  return readCtorArgs<O>(name, [optimizer, ...args], { required: [OPTIMIZER], positional }) as O;
}
