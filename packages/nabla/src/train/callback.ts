/**
 * Callbacks: small objects whose hooks `fit` calls as training goes (Keras's callbacks, fast.ai's
 * Learner events). Every hook is optional and may be async; a hook can end training with
 * `ctx.stop(reason)`, which takes effect after the current batch.
 */
import type { AnyModule } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { Generator } from "../tensor/random.js";
import type { EpochLog, History } from "./history.js";

/** A learning-rate scheduler as fit drives it: `step()` (or `step(metric)` for ReduceLROnPlateau-style ones). */
export interface Scheduler {
  step(metric?: number): void;
  stateDict?(): unknown;
  loadStateDict?(state: never): void;
}

/** What hooks see: the objects being trained and where training is. */
export interface FitContext {
  readonly model: AnyModule;
  readonly optimizer: Optimizer;
  readonly scheduler: Scheduler | undefined;
  /** The total number of epochs (the last epoch's number). */
  readonly epochs: number;
  /** The current (or, after training, the last started) 1-based epoch. */
  epoch: number;
  /** Batches per epoch when the loader knows (`loader.length`), else undefined. */
  readonly batchesPerEpoch: number | undefined;
  readonly history: History;
  /** Generators whose state a checkpoint must hold to resume exactly (the loader's, the default one). */
  readonly generators: Record<string, Generator>;
  /** Ends training after the current batch; the reason becomes `history.stopReason`. */
  stop(reason: string): void;
  readonly stopReason: string | null;
}

export interface BatchEnd {
  epoch: number;
  /** 1-based batch number within the epoch. */
  batch: number;
  batches: number | undefined;
  /** This batch's loss. */
  loss: number;
  /** Samples in this batch. */
  size: number;
}

export interface Callback {
  onTrainStart?(ctx: FitContext): void | Promise<void>;
  onEpochStart?(ctx: FitContext, epoch: number): void | Promise<void>;
  onBatchEnd?(ctx: FitContext, info: BatchEnd): void | Promise<void>;
  onEpochEnd?(ctx: FitContext, log: EpochLog): void | Promise<void>;
  /** Called once at the end, also after an early stop or an abort (not after an error). */
  onTrainEnd?(ctx: FitContext, history: History): void | Promise<void>;
}

/** A callback from plain functions (Keras's LambdaCallback): `new LambdaCallback({ onEpochEnd: (ctx, log) => … })`. */
export class LambdaCallback implements Callback {
  constructor(hooks: Callback) {
    Object.assign(this, hooks);
  }
}
