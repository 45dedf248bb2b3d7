/** The schedulers that cycle the rate, and the momentum against it: CyclicLR and OneCycleLR. */
import { BOOLEAN, FUNCTION, NUMBER, NUMBER_OR_NUMBERS, STRING, type WithOptions } from "../../ops/arguments.js";
import { schedulerArgs } from "./arguments.js";
import { OptionError } from "../../errors.js";
import type { ParamGroup } from "../optimizer.js";
import { describeValue } from "../validate.js";
import { LRScheduler, perGroup, stateFail, type AnyOptimizer, type SchedulerStateDict } from "./lr-scheduler.js";
import * as S from "./schedules.js";

/** Whether the optimizer's momentum is `momentum` (SGD, RMSprop) or β₁ (the Adam family). */
function momentumKey(name: string, optimizer: AnyOptimizer): "momentum" | "betas" {
  if ("betas" in optimizer.defaults) return "betas";
  if ("momentum" in optimizer.defaults) return "momentum";
  throw new OptionError(`${name}: optimizer must support momentum (momentum or betas) with the cycleMomentum option enabled`);
}

function setMomentum(group: ParamGroup, key: "momentum" | "betas", value: number): void {
  // momentumKey found the key among the optimizer's options
  const g: { lr: number; momentum?: number; betas?: number[] } = group;
  if (key === "betas") g.betas = [value, ...(g.betas ?? []).slice(1)];
  else g.momentum = value;
}

export interface CyclicLROptions {
  baseLr: number | number[];
  maxLr: number | number[];
  stepSizeUp?: number;
  stepSizeDown?: number | null;
  mode?: S.CyclicMode;
  gamma?: number;
  scaleFn?: (x: number) => number;
  scaleMode?: "cycle" | "iterations";
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
}

/**
 * Cyclical learning rates (Smith 2017): the rate goes up from baseLr to maxLr over stepSizeUp
 * steps and down over stepSizeDown, the amplitude shrinking by mode (triangular: constant,
 * triangular2: halved each cycle, exp_range: γᵗ); the momentum, if cycled, moves the opposite way
 * between maxMomentum and baseMomentum. Step it after every batch.
 */
export class CyclicLR extends LRScheduler {
  readonly maxLrs: number[];
  readonly shape: S.CyclicShape;
  readonly cycleMomentum: boolean;
  private readonly momentumKey: "momentum" | "betas" | null;
  private readonly baseMomentums: number[] = [];
  private readonly maxMomentums: number[] = [];

  /** PyTorch's `(optimizer, baseLr, maxLr, stepSizeUp, stepSizeDown, mode, gamma, scaleFn, scaleMode, cycleMomentum, baseMomentum, maxMomentum)`, or options. */
  constructor(
    optimizer: AnyOptimizer,
    ...args: WithOptions<
      [
        baseLr: number | number[],
        maxLr: number | number[],
        stepSizeUp: number,
        stepSizeDown: number | null,
        mode: S.CyclicMode,
        gamma: number,
        scaleFn: (x: number) => number,
        scaleMode: "cycle" | "iterations",
        cycleMomentum: boolean,
        baseMomentum: number | number[],
        maxMomentum: number | number[],
      ],
      CyclicLROptions
    >
  ) {
    const options = schedulerArgs<CyclicLROptions>("CyclicLR", optimizer, args, [
      ["baseLr", NUMBER_OR_NUMBERS],
      ["maxLr", NUMBER_OR_NUMBERS],
      ["stepSizeUp", NUMBER],
      ["stepSizeDown", NUMBER],
      ["mode", STRING],
      ["gamma", NUMBER],
      ["scaleFn", FUNCTION],
      ["scaleMode", STRING],
      ["cycleMomentum", BOOLEAN],
      ["baseMomentum", NUMBER_OR_NUMBERS],
      ["maxMomentum", NUMBER_OR_NUMBERS],
    ]);
    super(optimizer, "CyclicLR");
    const n = optimizer.paramGroups.length;
    const { stepSizeUp = 2000, stepSizeDown = null, mode = "triangular", gamma = 1, scaleFn, scaleMode = "cycle" } = options;
    if (!["triangular", "triangular2", "exp_range"].includes(mode) && scaleFn === undefined) {
      throw new OptionError(`CyclicLR: invalid mode ${JSON.stringify(mode)} (triangular, triangular2 or exp_range) and no scaleFn`);
    }
    if (!(stepSizeUp > 0) || (stepSizeDown !== null && !(stepSizeDown > 0))) {
      throw new OptionError(`CyclicLR: invalid stepSizeUp/stepSizeDown: ${stepSizeUp}/${stepSizeDown} (must be > 0)`);
    }
    this.baseLrs = perGroup("CyclicLR", "baseLr", options.baseLr, n);
    this.maxLrs = perGroup("CyclicLR", "maxLr", options.maxLr, n);
    this.shape = { stepSizeUp, stepSizeDown: stepSizeDown ?? stepSizeUp, mode, gamma, scaleFn, scaleMode };
    this.cycleMomentum = options.cycleMomentum ?? true;
    this.momentumKey = this.cycleMomentum ? momentumKey("CyclicLR", optimizer) : null;
    if (this.cycleMomentum) {
      this.baseMomentums = perGroup("CyclicLR", "baseMomentum", options.baseMomentum ?? 0.8, n);
      this.maxMomentums = perGroup("CyclicLR", "maxMomentum", options.maxMomentum ?? 0.9, n);
    }
    this.start();
  }

  schedule(baseLr: number, group: number): S.Schedule {
    return S.cyclicSchedule(baseLr, this.maxLrs[group]!, this.shape);
  }

  /** The momentum of a group at step t: maxMomentum − (max − base)·height(t). */
  momentumAt(t: number, group: number): number {
    const height = S.cyclicHeight(this.shape)(t);
    return this.maxMomentums[group]! - (this.maxMomentums[group]! - this.baseMomentums[group]!) * height;
  }

  protected override apply(): void {
    super.apply();
    if (this.momentumKey === null) return;
    this.optimizer.paramGroups.forEach((g, i) => setMomentum(g, this.momentumKey!, this.momentumAt(this.lastEpoch, i)));
  }
}

export interface OneCycleLROptions {
  maxLr: number | number[];
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: S.Anneal;
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

/**
 * The 1cycle policy (Smith & Topin 2017): the rate warms up from maxLr/divFactor to maxLr over
 * the first pctStart of totalSteps, then anneals (cosine or linear) to maxLr/(divFactor·finalDivFactor);
 * the momentum (or β₁) goes the opposite way between maxMomentum and baseMomentum. Step it after
 * every batch, totalSteps times.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly maxLrs: number[];
  readonly phases: S.OneCyclePhases;
  readonly divFactor: number;
  readonly finalDivFactor: number;
  private readonly momentumKey: "momentum" | "betas" | null;
  private readonly baseMomentums: number[] = [];
  private readonly maxMomentums: number[] = [];

  /**
   * PyTorch's `(optimizer, maxLr, totalSteps, epochs, stepsPerEpoch, pctStart, annealStrategy,
   * cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase)`, or options.
   */
  constructor(
    optimizer: AnyOptimizer,
    ...args: WithOptions<
      [
        maxLr: number | number[],
        totalSteps: number | null,
        epochs: number | null,
        stepsPerEpoch: number | null,
        pctStart: number,
        annealStrategy: S.Anneal,
        cycleMomentum: boolean,
        baseMomentum: number | number[],
        maxMomentum: number | number[],
        divFactor: number,
        finalDivFactor: number,
        threePhase: boolean,
      ],
      OneCycleLROptions
    >
  ) {
    const options = schedulerArgs<OneCycleLROptions>("OneCycleLR", optimizer, args, [
      ["maxLr", NUMBER_OR_NUMBERS],
      ["totalSteps", NUMBER],
      ["epochs", NUMBER],
      ["stepsPerEpoch", NUMBER],
      ["pctStart", NUMBER],
      ["annealStrategy", STRING],
      ["cycleMomentum", BOOLEAN],
      ["baseMomentum", NUMBER_OR_NUMBERS],
      ["maxMomentum", NUMBER_OR_NUMBERS],
      ["divFactor", NUMBER],
      ["finalDivFactor", NUMBER],
      ["threePhase", BOOLEAN],
    ]);
    super(optimizer, "OneCycleLR");
    const n = optimizer.paramGroups.length;
    const { totalSteps, epochs, stepsPerEpoch, pctStart = 0.3, annealStrategy = "cos", divFactor = 25, finalDivFactor = 1e4, threePhase = false } = options;
    if (totalSteps !== undefined) {
      if (!(Number.isInteger(totalSteps) && totalSteps > 0)) throw new OptionError(`OneCycleLR: invalid totalSteps: ${totalSteps} (must be a positive integer)`);
      this.totalSteps = totalSteps;
    } else if (epochs !== undefined && stepsPerEpoch !== undefined) {
      if (!(Number.isInteger(epochs) && epochs > 0)) throw new OptionError(`OneCycleLR: invalid epochs: ${epochs} (must be a positive integer)`);
      if (!(Number.isInteger(stepsPerEpoch) && stepsPerEpoch > 0)) {
        throw new OptionError(`OneCycleLR: invalid stepsPerEpoch: ${stepsPerEpoch} (must be a positive integer)`);
      }
      this.totalSteps = epochs * stepsPerEpoch;
    } else {
      throw new OptionError("OneCycleLR: give either totalSteps or epochs and stepsPerEpoch");
    }
    if (!(pctStart >= 0 && pctStart <= 1)) throw new OptionError(`OneCycleLR: invalid pctStart: ${pctStart} (must be in [0, 1])`);
    if (annealStrategy !== "cos" && annealStrategy !== "linear") {
      throw new OptionError(`OneCycleLR: invalid annealStrategy: ${JSON.stringify(annealStrategy)} (cos or linear)`);
    }
    this.maxLrs = perGroup("OneCycleLR", "maxLr", options.maxLr, n);
    this.divFactor = divFactor;
    this.finalDivFactor = finalDivFactor;
    this.baseLrs = this.maxLrs.map((m) => m / divFactor);
    this.phases = { totalSteps: this.totalSteps, pctStart, anneal: annealStrategy, threePhase };
    this.momentumKey = options.cycleMomentum ?? true ? momentumKey("OneCycleLR", optimizer) : null;
    if (this.momentumKey !== null) {
      this.baseMomentums = perGroup("OneCycleLR", "baseMomentum", options.baseMomentum ?? 0.85, n);
      this.maxMomentums = perGroup("OneCycleLR", "maxMomentum", options.maxMomentum ?? 0.95, n);
    }
    this.start();
  }

  schedule(initial: number, group: number): S.Schedule {
    return S.oneCycleSchedule(initial, this.maxLrs[group]!, initial / this.finalDivFactor, this.phases);
  }

  protected override apply(): void {
    if (this.lastEpoch > this.totalSteps) {
      throw new OptionError(`OneCycleLR: tried to step ${this.lastEpoch + 1} times; the specified number of total steps is ${this.totalSteps}`);
    }
    super.apply();
    if (this.momentumKey === null) return;
    this.optimizer.paramGroups.forEach((g, i) => {
      const momentum = S.oneCycleSchedule(this.maxMomentums[i]!, this.baseMomentums[i]!, this.maxMomentums[i]!, this.phases)(this.lastEpoch);
      setMomentum(g, this.momentumKey!, momentum);
    });
  }

  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), totalSteps: this.totalSteps };
  }

  protected override extraStateKeys(): string[] {
    return ["totalSteps"];
  }

  /** totalSteps is the constructor's; a state of another length, or past its end, is refused. */
  override checkStateDict(value: unknown): void {
    super.checkStateDict(value);
    const state = value as SchedulerStateDict;
    if (state.totalSteps !== this.totalSteps) {
      stateFail(this.name)(`totalSteps is ${describeValue(state.totalSteps)} in the state dict and ${this.totalSteps} here`);
    }
    if (state.lastEpoch > this.totalSteps) stateFail(this.name)(`lastEpoch ${state.lastEpoch} is past totalSteps ${this.totalSteps}`);
  }
}
