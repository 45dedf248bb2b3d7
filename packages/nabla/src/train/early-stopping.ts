/** EarlyStopping: ends training when a monitored value stops improving (Keras's EarlyStopping). */
import { noGrad } from "../autograd/grad-mode.js";
import { OptionError } from "../errors.js";
import type { StateDict } from "../nn/module.js";
import type { Callback, FitContext } from "./callback.js";
import { monitorValue, type EpochLog } from "./history.js";

export interface MonitorOptions {
  /** `loss`, `valLoss`, a metric (`accuracy`) or `val` + metric (`valAccuracy`). Default `valLoss`. */
  monitor?: string;
  /** Whether smaller or larger is better; `auto`: larger for names containing "acc", else smaller. */
  mode?: "min" | "max" | "auto";
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
}

/** Tracks the best value of a monitor across epochs. */
export class Monitor {
  readonly name: string;
  readonly mode: "min" | "max";
  readonly minDelta: number;
  best: number;
  bestEpoch = 0;

  constructor(who: string, { monitor = "valLoss", mode = "auto", minDelta = 0 }: MonitorOptions) {
    if (!(minDelta >= 0)) throw new OptionError(`${who}: minDelta must be >= 0, got ${minDelta}`);
    this.name = monitor;
    this.mode = mode === "auto" ? (/acc/i.test(monitor) ? "max" : "min") : mode;
    this.minDelta = minDelta;
    this.best = this.mode === "min" ? Infinity : -Infinity;
  }

  /** The monitored value of a log; an error naming what exists when it is missing. */
  value(who: string, log: EpochLog): number {
    const v = monitorValue(log, this.name);
    if (v === undefined) {
      const known = ["loss", ...(log.valLoss !== undefined ? ["valLoss"] : []), ...Object.keys(log.metrics), ...Object.keys(log.valMetrics).map((k) => `val${k[0]!.toUpperCase()}${k.slice(1)}`)];
      throw new OptionError(`${who}: monitor "${this.name}" is not in the epoch log (available: ${known.join(", ")})`);
    }
    return v;
  }

  /** Whether `v` beats the best so far by more than minDelta; records it if so. */
  update(v: number, epoch: number): boolean {
    const better = this.mode === "min" ? v < this.best - this.minDelta : v > this.best + this.minDelta;
    if (better) {
      this.best = v;
      this.bestEpoch = epoch;
    }
    return better;
  }
}

export interface EarlyStoppingOptions extends MonitorOptions {
  /** Epochs without improvement before stopping (default 0: stop at the first). */
  patience?: number;
  /** Put back the weights of the best epoch when stopping (and at the end of training). Default false. */
  restoreBestWeights?: boolean;
}

export class EarlyStopping implements Callback {
  readonly monitor: Monitor;
  readonly patience: number;
  readonly restoreBestWeights: boolean;
  /** Epochs since the last improvement. */
  wait = 0;
  /** The epoch at which training was stopped, or 0. */
  stoppedEpoch = 0;
  private bestWeights: StateDict | null = null;

  constructor({ patience = 0, restoreBestWeights = false, ...monitor }: EarlyStoppingOptions = {}) {
    if (!Number.isInteger(patience) || patience < 0) throw new OptionError(`EarlyStopping: patience must be an integer >= 0, got ${patience}`);
    this.monitor = new Monitor("EarlyStopping", monitor);
    this.patience = patience;
    this.restoreBestWeights = restoreBestWeights;
  }

  onTrainStart(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
  }

  onEpochEnd(ctx: FitContext, log: EpochLog): void {
    const v = this.monitor.value("EarlyStopping", log);
    if (this.monitor.update(v, log.epoch)) {
      this.wait = 0;
      if (this.restoreBestWeights) this.bestWeights = noGrad(() => Object.fromEntries(Object.entries(ctx.model.stateDict()).map(([k, t]) => [k, t.clone()])));
      return;
    }
    this.wait++;
    if (this.wait > this.patience) {
      this.stoppedEpoch = log.epoch;
      ctx.stop("earlyStopping");
    }
  }

  onTrainEnd(ctx: FitContext): void {
    if (this.restoreBestWeights && this.bestWeights !== null && this.monitor.bestEpoch !== ctx.history.last?.epoch) {
      ctx.model.loadStateDict(this.bestWeights);
    }
  }
}
