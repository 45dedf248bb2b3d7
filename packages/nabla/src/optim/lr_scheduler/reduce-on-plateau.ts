import { OptionError } from "../../errors.js";
import { NUMBER, NUMBER_OR_NUMBERS, STRING, type WithOptions } from "../../ops/arguments.js";
import { schedulerArgs } from "./arguments.js";
import { describeValue, isNumber } from "../validate.js";
import { checkSchedulerState, groupLr, perGroup, setGroupLr, stateFail, type AnyOptimizer } from "./lr-scheduler.js";

export interface ReduceLROnPlateauOptions {
  /** "min": lower metrics are better (a loss); "max": higher are better (an accuracy). */
  mode: "min" | "max";
  /** The rate is multiplied by this on a plateau. */
  factor: number;
  /** Epochs without improvement tolerated before reducing. */
  patience: number;
  /** How much better counts as better: relative (best·(1 ∓ threshold)) or absolute (best ∓ threshold). */
  threshold: number;
  thresholdMode: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again. */
  cooldown: number;
  minLr: number | number[];
  /** Reductions smaller than this are skipped. */
  eps: number;
}

/**
 * Reduces the rate by `factor` when a metric has stopped improving for more than `patience`
 * epochs — not a function of the step but of the metrics given to `step(metric)`.
 */
export class ReduceLROnPlateau {
  readonly options: ReduceLROnPlateauOptions;
  private readonly minLrs: number[];
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLrs: number[];

  /** PyTorch's `(optimizer, mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps)`, or options after the optimizer. */
  constructor(
    readonly optimizer: AnyOptimizer,
    ...args: WithOptions<
      [mode: "min" | "max", factor: number, patience: number, threshold: number, thresholdMode: "rel" | "abs", cooldown: number, minLr: number | number[], eps: number],
      Partial<ReduceLROnPlateauOptions>
    >
  ) {
    const options = schedulerArgs<Partial<ReduceLROnPlateauOptions>>("ReduceLROnPlateau", optimizer, args, [
      ["mode", STRING],
      ["factor", NUMBER],
      ["patience", NUMBER],
      ["threshold", NUMBER],
      ["thresholdMode", STRING],
      ["cooldown", NUMBER],
      ["minLr", NUMBER_OR_NUMBERS],
      ["eps", NUMBER],
    ]);
    const o = { mode: "min", factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: "rel", cooldown: 0, minLr: 0, eps: 1e-8, ...options } as ReduceLROnPlateauOptions;
    if (!(o.factor < 1)) throw new OptionError(`ReduceLROnPlateau: invalid factor: ${o.factor} (must be < 1)`);
    if (o.mode !== "min" && o.mode !== "max") throw new OptionError(`ReduceLROnPlateau: invalid mode: ${JSON.stringify(o.mode)} (min or max)`);
    if (o.thresholdMode !== "rel" && o.thresholdMode !== "abs") {
      throw new OptionError(`ReduceLROnPlateau: invalid thresholdMode: ${JSON.stringify(o.thresholdMode)} (rel or abs)`);
    }
    this.options = o;
    this.minLrs = perGroup("ReduceLROnPlateau", "minLr", o.minLr, optimizer.paramGroups.length);
    this.best = o.mode === "min" ? Infinity : -Infinity;
    this.lastLrs = optimizer.paramGroups.map(groupLr);
  }

  private isBetter(a: number, best: number): boolean {
    const { mode, thresholdMode, threshold } = this.options;
    if (mode === "min") return thresholdMode === "rel" ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === "rel" ? a > best * (threshold + 1) : a > best + threshold;
  }

  /** Records this epoch's metric, and reduces the rates after `patience` epochs without improvement. */
  step(metric: number): void {
    this.lastEpoch += 1;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.options.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const old = groupLr(g);
        const next = Math.max(old * this.options.factor, this.minLrs[i]!);
        if (old - next > this.options.eps) setGroupLr(g, next);
      });
      this.cooldownCounter = this.options.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLrs = this.optimizer.paramGroups.map(groupLr);
  }

  getLastLr(): number[] {
    return this.lastLrs.slice();
  }

  stateDict(): { name?: string; best: number; numBadEpochs: number; cooldownCounter: number; lastEpoch: number; lastLr: number[] } {
    return {
      name: "ReduceLROnPlateau",
      best: this.best,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
      lastLr: this.lastLrs.slice(),
    };
  }

  /** Throws an OptionError naming the key and the value if `state` cannot be loaded; changes nothing. */
  checkStateDict(state: unknown): void {
    const keys = ["best", "numBadEpochs", "cooldownCounter", "lastEpoch", "lastLr"];
    const s = checkSchedulerState("ReduceLROnPlateau", state, keys, ["lastLr"], this.optimizer.paramGroups.length);
    const fail = stateFail("ReduceLROnPlateau");
    for (const key of ["numBadEpochs", "cooldownCounter"]) {
      if (!(Number.isSafeInteger(s[key]) && (s[key] as number) >= 0)) fail(`${key} must be a non-negative integer, got ${describeValue(s[key])}`);
    }
    // The best metric so far: ±Infinity before the first, but never the wrong infinity for the mode.
    const worst = this.options.mode === "min" ? -Infinity : Infinity;
    if (!isNumber(s.best) || s.best === worst) fail(`best must be a number (mode ${this.options.mode}), got ${describeValue(s.best)}`);
  }

  loadStateDict(state: ReturnType<ReduceLROnPlateau["stateDict"]>): void {
    this.checkStateDict(state);
    this.best = state.best;
    this.numBadEpochs = state.numBadEpochs;
    this.cooldownCounter = state.cooldownCounter;
    this.lastEpoch = state.lastEpoch;
    this.lastLrs = state.lastLr.slice();
  }
}
