/** The schedulers that only shape the rate: each wraps one pure schedule of ./schedules.ts. */
import { OptionError } from "../../errors.js";
import { NUMBER, NUMBERS, type WithOptions } from "../../ops/arguments.js";
import { LR_LAMBDA, schedulerArgs } from "./arguments.js";
import { LRScheduler, perGroup, type AnyOptimizer } from "./lr-scheduler.js";
import * as S from "./schedules.js";

function checkPositiveInt(name: string, option: string, value: number): void {
  if (!(Number.isInteger(value) && value > 0)) throw new OptionError(`${name}: invalid ${option}: ${value} (must be a positive integer)`);
}

function checkFactor(name: string, option: string, value: number, openLow = false): void {
  if (!(value <= 1 && (openLow ? value > 0 : value >= 0))) {
    throw new OptionError(`${name}: invalid ${option}: ${value} (must be in ${openLow ? "(0" : "[0"}, 1])`);
  }
}

/** Multiplies the rate by γ every `stepSize` steps: lr₀·γ^⌊t/stepSize⌋. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  /** PyTorch's `(optimizer, stepSize, gamma)`, or options after the optimizer. */
  constructor(optimizer: AnyOptimizer, ...args: WithOptions<[stepSize: number, gamma: number], { stepSize: number; gamma?: number }>) {
    const { stepSize, gamma = 0.1 } = schedulerArgs<{ stepSize: number; gamma?: number }>("StepLR", optimizer, args, [["stepSize", NUMBER], ["gamma", NUMBER]]);
    super(optimizer, "StepLR");
    checkPositiveInt("StepLR", "stepSize", stepSize);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.start();
  }
  schedule(baseLr: number): S.Schedule {
    return S.stepSchedule(baseLr, this);
  }
}

/** Multiplies the rate by γ at each milestone: lr₀·γ^(milestones passed). */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;
  /** PyTorch's `(optimizer, milestones, gamma)`, or options after the optimizer. */
  constructor(optimizer: AnyOptimizer, ...args: WithOptions<[milestones: number[], gamma: number], { milestones: number[]; gamma?: number }>) {
    const { milestones, gamma = 0.1 } = schedulerArgs<{ milestones: number[]; gamma?: number }>("MultiStepLR", optimizer, args, [["milestones", NUMBERS], ["gamma", NUMBER]]);
    super(optimizer, "MultiStepLR");
    this.milestones = milestones.slice();
    this.gamma = gamma;
    this.start();
  }
  schedule(baseLr: number): S.Schedule {
    return S.multiStepSchedule(baseLr, this);
  }
}

/** Multiplies the rate by γ every step: lr₀·γᵗ. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  /** PyTorch's `(optimizer, gamma)`, or options after the optimizer. */
  constructor(optimizer: AnyOptimizer, ...args: WithOptions<[gamma: number], { gamma: number }>) {
    const { gamma } = schedulerArgs<{ gamma: number }>("ExponentialLR", optimizer, args, [["gamma", NUMBER]]);
    super(optimizer, "ExponentialLR");
    this.gamma = gamma;
    this.start();
  }
  schedule(baseLr: number): S.Schedule {
    return S.exponentialSchedule(baseLr, this);
  }
}

/** Half a cosine from lr₀ down to η_min over T_max steps: η_min + (lr₀ − η_min)(1 + cos(πt/T_max))/2. */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  /** PyTorch's `(optimizer, tMax, etaMin)`, or options after the optimizer. */
  constructor(optimizer: AnyOptimizer, ...args: WithOptions<[tMax: number, etaMin: number], { tMax: number; etaMin?: number }>) {
    const { tMax, etaMin = 0 } = schedulerArgs<{ tMax: number; etaMin?: number }>("CosineAnnealingLR", optimizer, args, [["tMax", NUMBER], ["etaMin", NUMBER]]);
    super(optimizer, "CosineAnnealingLR");
    checkPositiveInt("CosineAnnealingLR", "tMax", tMax);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.start();
  }
  schedule(baseLr: number): S.Schedule {
    return S.cosineSchedule(baseLr, this);
  }
}

/** SGDR: cosine annealing over T₀ steps, restarting with periods growing by T_mult. */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly t0: number;
  readonly tMult: number;
  readonly etaMin: number;
  /** PyTorch's `(optimizer, t0, tMult, etaMin)`, or options after the optimizer. */
  constructor(optimizer: AnyOptimizer, ...args: WithOptions<[t0: number, tMult: number, etaMin: number], { t0: number; tMult?: number; etaMin?: number }>) {
    const { t0, tMult = 1, etaMin = 0 } = schedulerArgs<{ t0: number; tMult?: number; etaMin?: number }>("CosineAnnealingWarmRestarts", optimizer, args, [["t0", NUMBER], ["tMult", NUMBER], ["etaMin", NUMBER]]);
    super(optimizer, "CosineAnnealingWarmRestarts");
    checkPositiveInt("CosineAnnealingWarmRestarts", "t0", t0);
    checkPositiveInt("CosineAnnealingWarmRestarts", "tMult", tMult);
    this.t0 = t0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.start();
  }
  schedule(baseLr: number): S.Schedule {
    return S.cosineWarmRestartsSchedule(baseLr, this);
  }
}

/** Scales the rate by a factor going linearly from startFactor to endFactor over totalIters steps (a warm-up). */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  /** PyTorch's `(optimizer, startFactor, endFactor, totalIters)`, or options after the optimizer. */
  constructor(optimizer: AnyOptimizer, ...args: WithOptions<[startFactor: number, endFactor: number, totalIters: number], { startFactor?: number; endFactor?: number; totalIters?: number }>) {
    const { startFactor = 1 / 3, endFactor = 1, totalIters = 5 } = schedulerArgs<{ startFactor?: number; endFactor?: number; totalIters?: number }>("LinearLR", optimizer, args, [["startFactor", NUMBER], ["endFactor", NUMBER], ["totalIters", NUMBER]]);
    super(optimizer, "LinearLR");
    checkFactor("LinearLR", "startFactor", startFactor, true);
    checkFactor("LinearLR", "endFactor", endFactor);
    checkPositiveInt("LinearLR", "totalIters", totalIters);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.start();
  }
  schedule(baseLr: number): S.Schedule {
    return S.linearSchedule(baseLr, this);
  }
}

/** Scales the rate by `factor` for the first totalIters steps. */
export class ConstantLR extends LRScheduler {
  readonly factor: number;
  readonly totalIters: number;
  /** PyTorch's `(optimizer, factor, totalIters)`, or options after the optimizer. */
  constructor(optimizer: AnyOptimizer, ...args: WithOptions<[factor: number, totalIters: number], { factor?: number; totalIters?: number }>) {
    const { factor = 1 / 3, totalIters = 5 } = schedulerArgs<{ factor?: number; totalIters?: number }>("ConstantLR", optimizer, args, [["factor", NUMBER], ["totalIters", NUMBER]]);
    super(optimizer, "ConstantLR");
    checkFactor("ConstantLR", "factor", factor);
    this.factor = factor;
    this.totalIters = totalIters;
    this.start();
  }
  schedule(baseLr: number): S.Schedule {
    return S.constantSchedule(baseLr, this);
  }
}

/** Decays the rate to 0 over totalIters steps as a polynomial: lr₀(1 − t/T)^power. */
export class PolynomialLR extends LRScheduler {
  readonly totalIters: number;
  readonly power: number;
  /** PyTorch's `(optimizer, totalIters, power)`, or options after the optimizer. */
  constructor(optimizer: AnyOptimizer, ...args: WithOptions<[totalIters: number, power: number], { totalIters?: number; power?: number }>) {
    const { totalIters = 5, power = 1 } = schedulerArgs<{ totalIters?: number; power?: number }>("PolynomialLR", optimizer, args, [["totalIters", NUMBER], ["power", NUMBER]]);
    super(optimizer, "PolynomialLR");
    checkPositiveInt("PolynomialLR", "totalIters", totalIters);
    this.totalIters = totalIters;
    this.power = power;
    this.start();
  }
  schedule(baseLr: number): S.Schedule {
    return S.polynomialSchedule(baseLr, this);
  }
}

type LrLambda = (epoch: number) => number;

/** The rate is lr₀·λ(t), with one λ for all groups or one per group. */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];
  /** PyTorch's `(optimizer, lrLambda)`, or options after the optimizer. */
  constructor(optimizer: AnyOptimizer, ...args: WithOptions<[lrLambda: LrLambda | LrLambda[]], { lrLambda: LrLambda | LrLambda[] }>) {
    const { lrLambda } = schedulerArgs<{ lrLambda: LrLambda | LrLambda[] }>("LambdaLR", optimizer, args, [["lrLambda", LR_LAMBDA]]);
    super(optimizer, "LambdaLR");
    this.lrLambdas = perGroup("LambdaLR", "lrLambda", lrLambda, optimizer.paramGroups.length);
    this.start();
  }
  schedule(baseLr: number, group: number): S.Schedule {
    return S.lambdaSchedule(baseLr, this.lrLambdas[group]!);
  }
}

/** Each step multiplies the rate by λ(t): lr₀·λ(1)⋯λ(t). */
export class MultiplicativeLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];
  /** PyTorch's `(optimizer, lrLambda)`, or options after the optimizer. */
  constructor(optimizer: AnyOptimizer, ...args: WithOptions<[lrLambda: LrLambda | LrLambda[]], { lrLambda: LrLambda | LrLambda[] }>) {
    const { lrLambda } = schedulerArgs<{ lrLambda: LrLambda | LrLambda[] }>("MultiplicativeLR", optimizer, args, [["lrLambda", LR_LAMBDA]]);
    super(optimizer, "MultiplicativeLR");
    this.lrLambdas = perGroup("MultiplicativeLR", "lrLambda", lrLambda, optimizer.paramGroups.length);
    this.start();
  }
  schedule(baseLr: number, group: number): S.Schedule {
    return S.multiplicativeSchedule(baseLr, this.lrLambdas[group]!);
  }
}
