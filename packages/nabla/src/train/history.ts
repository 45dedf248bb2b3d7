/** What `fit` records: one log per epoch, and why training stopped. */

export interface EpochLog {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's samples. */
  loss: number;
  /** Mean validation loss (when a valLoader is given). */
  valLoss?: number;
  /** Training metrics by name (computed on each batch's outputs, weighted by batch size). */
  metrics: Record<string, number>;
  /** Validation metrics by name. */
  valMetrics: Record<string, number>;
  /** The learning rate of parameter group 0 during the epoch (before an epoch-level scheduler step). */
  lr: number;
  /** Every parameter group's learning rate during the epoch. */
  lrs: number[];
  /** Wall time of the epoch, validation included. */
  seconds: number;
}

/**
 * The value a monitor name refers to in an epoch log: `loss`, `valLoss`, a metric's name
 * (`accuracy`) or its validation form (`valAccuracy`). Undefined when the log lacks it.
 */
export function monitorValue(log: EpochLog, name: string): number | undefined {
  if (name === "loss") return log.loss;
  if (name === "valLoss") return log.valLoss;
  if (name === "lr") return log.lr;
  if (name in log.metrics) return log.metrics[name];
  if (name.startsWith("val") && name.length > 3) {
    const metric = name.charAt(3).toLowerCase() + name.slice(4);
    if (metric in log.valMetrics) return log.valMetrics[metric];
  }
  return undefined;
}

/** `fit`'s result: the epoch logs (those of earlier runs first, when resuming) and the stop reason. */
export class History {
  readonly epochs: EpochLog[];
  /** Why training ended early: "earlyStopping", "aborted", "nan", a callback's reason; null when all epochs ran. */
  stopReason: string | null = null;

  constructor(epochs: readonly EpochLog[] = []) {
    this.epochs = epochs.slice();
  }

  /** The values of one monitor name over the epochs (undefined where an epoch lacks it). */
  series(name: string): (number | undefined)[] {
    return this.epochs.map((log) => monitorValue(log, name));
  }

  get last(): EpochLog | undefined {
    return this.epochs[this.epochs.length - 1];
  }

  toJSON(): { epochs: EpochLog[]; stopReason: string | null } {
    return { epochs: this.epochs, stopReason: this.stopReason };
  }
}
