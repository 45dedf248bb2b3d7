/** The small everyday callbacks: a progress log, stop on NaN, learning-rate logging. */
import type { BatchEnd, Callback, FitContext } from "./callback.js";
import type { EpochLog } from "./history.js";

function format(v: number): string {
  return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3);
}

/** One line per epoch summarising it: `epoch 2/10  loss 0.3012  valLoss 0.2871  valAccuracy 0.9150  lr 0.001  (3.1 s)`. */
export function formatEpochLog(log: EpochLog, epochs: number): string {
  const parts = [`epoch ${log.epoch}/${epochs}`, `loss ${format(log.loss)}`];
  for (const [k, v] of Object.entries(log.metrics)) parts.push(`${k} ${format(v)}`);
  if (log.valLoss !== undefined) parts.push(`valLoss ${format(log.valLoss)}`);
  for (const [k, v] of Object.entries(log.valMetrics)) parts.push(`val${k.charAt(0).toUpperCase()}${k.slice(1)} ${format(v)}`);
  parts.push(`lr ${log.lr}`, `(${log.seconds.toFixed(1)} s)`);
  return parts.join("  ");
}

/**
 * Writes progress through `log` (default console.log): a line per epoch, and with
 * `everyBatches: n` a line every n batches. Rich progress bars belong to the caller (the CLI
 * wraps cli-progress in a LambdaCallback); this is the plain form for scripts and logs.
 */
export class ProgressLogger implements Callback {
  private readonly log: (line: string) => void;
  private readonly everyBatches: number;

  constructor({ log = (line: string) => console.log(line), everyBatches = 0 }: { log?: (line: string) => void; everyBatches?: number } = {}) {
    this.log = log;
    this.everyBatches = everyBatches;
  }

  onBatchEnd(ctx: FitContext, info: BatchEnd): void {
    if (this.everyBatches > 0 && info.batch % this.everyBatches === 0) {
      this.log(`epoch ${info.epoch}/${ctx.epochs}  batch ${info.batch}${info.batches ? `/${info.batches}` : ""}  loss ${format(info.loss)}`);
    }
  }

  onEpochEnd(ctx: FitContext, log: EpochLog): void {
    this.log(formatEpochLog(log, ctx.epochs));
  }
}

/** Stops training as soon as a batch's loss is NaN or infinite (Keras's TerminateOnNaN). */
export class TerminateOnNaN implements Callback {
  onBatchEnd(ctx: FitContext, info: BatchEnd): void {
    if (!Number.isFinite(info.loss)) ctx.stop("nan");
  }
}

export interface LrRecord {
  epoch: number;
  /** Batch within the epoch (1-based), or 0 for an epoch-level record. */
  batch: number;
  /** Every parameter group's learning rate. */
  lrs: number[];
}

/**
 * Records the learning rate of every parameter group, per epoch (default) or per batch, in
 * `records`, and passes each record to `log` if given (PyTorch Lightning's LearningRateMonitor).
 */
export class LearningRateLogger implements Callback {
  readonly records: LrRecord[] = [];
  private readonly interval: "epoch" | "batch";
  private readonly log: ((record: LrRecord) => void) | undefined;

  constructor({ interval = "epoch", log }: { interval?: "epoch" | "batch"; log?: (record: LrRecord) => void } = {}) {
    this.interval = interval;
    this.log = log;
  }

  private record(ctx: FitContext, batch: number): void {
    const r = { epoch: ctx.epoch, batch, lrs: ctx.optimizer.paramGroups.map((g) => (g as { lr?: number }).lr ?? NaN) };
    this.records.push(r);
    this.log?.(r);
  }

  onEpochStart(ctx: FitContext): void {
    if (this.interval === "epoch") this.record(ctx, 0);
  }

  onBatchEnd(ctx: FitContext, info: BatchEnd): void {
    if (this.interval === "batch") this.record(ctx, info.batch);
  }
}
