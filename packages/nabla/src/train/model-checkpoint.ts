/**
 * ModelCheckpoint: takes a checkpoint (model, optimizer, scheduler, epoch, generator states and
 * the history so far) at the end of epochs and hands it to `save` — in Node,
 * `checkpointFile(path)` from `nabla/node`, which writes it atomically.
 */
import { OptionError } from "../errors.js";
import { makeCheckpoint, type Checkpoint, type StatefulScheduler } from "../io/checkpoint.js";
import type { Callback, FitContext } from "./callback.js";
import { Monitor, type MonitorOptions } from "./early-stopping.js";
import type { EpochLog } from "./history.js";

export interface ModelCheckpointOptions extends MonitorOptions {
  /** Where the checkpoint goes; awaited before training continues. */
  save: (checkpoint: Checkpoint, info: { epoch: number; best: boolean }) => void | Promise<void>;
  /** Save only when the monitored value improves (default false: every `every` epochs). */
  saveBestOnly?: boolean;
  /** Save every n epochs (default 1); ignored with saveBestOnly. */
  every?: number;
  /** Extra JSON-able data stored in `checkpoint.extra` (next to `history`). */
  extra?: Record<string, unknown>;
}

export class ModelCheckpoint implements Callback {
  readonly monitor: Monitor | null;
  private readonly options: ModelCheckpointOptions;
  /** The epoch of the last checkpoint saved, or 0. */
  lastSavedEpoch = 0;

  constructor(options: ModelCheckpointOptions) {
    const every = options.every ?? 1;
    if (!Number.isInteger(every) || every < 1) throw new OptionError(`ModelCheckpoint: every must be a positive integer, got ${every}`);
    if (typeof options.save !== "function") throw new OptionError("ModelCheckpoint: save must be a function (e.g. checkpointFile(path) from nabla/node)");
    this.options = { ...options, every };
    this.monitor = options.saveBestOnly ? new Monitor("ModelCheckpoint", options) : null;
  }

  async onEpochEnd(ctx: FitContext, log: EpochLog): Promise<void> {
    let best = false;
    if (this.monitor) {
      best = this.monitor.update(this.monitor.value("ModelCheckpoint", log), log.epoch);
      if (!best) return;
    } else if (log.epoch % this.options.every! !== 0) {
      return;
    }
    await this.options.save(checkpointOf(ctx, log.epoch, this.options.extra), { epoch: log.epoch, best });
    this.lastSavedEpoch = log.epoch;
  }
}

/** A checkpoint of the training in `ctx` after `epoch` epochs, with the history so far in `extra.history`. */
export function checkpointOf(ctx: FitContext, epoch: number, extra: Record<string, unknown> = {}): Checkpoint {
  const scheduler = ctx.scheduler?.stateDict && ctx.scheduler.loadStateDict ? (ctx.scheduler as StatefulScheduler) : undefined;
  return makeCheckpoint({
    model: ctx.model,
    optimizer: ctx.optimizer,
    scheduler,
    generators: ctx.generators,
    epoch,
    extra: { ...extra, history: ctx.history.epochs.filter((l) => l.epoch <= epoch) },
  });
}
