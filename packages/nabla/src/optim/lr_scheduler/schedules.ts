/**
 * Learning-rate schedules as pure functions of the step: `(step) => lr`, step 0 being the rate
 * before the first `scheduler.step()`. The scheduler classes (PyTorch's names) wrap one of these
 * per parameter group. Each formula is PyTorch's closed form; PyTorch itself mostly computes the
 * same numbers recursively from the previous rate, so the two agree to a few ulps.
 */

export type Schedule = (step: number) => number;

/** StepLR: γ^⌊t/stepSize⌋·lr₀. */
export function stepSchedule(baseLr: number, { stepSize, gamma }: { stepSize: number; gamma: number }): Schedule {
  return (t) => baseLr * gamma ** Math.floor(t / stepSize);
}

/** MultiStepLR: γ^(number of milestones ≤ t)·lr₀ (a milestone listed twice counts twice). */
export function multiStepSchedule(baseLr: number, { milestones, gamma }: { milestones: readonly number[]; gamma: number }): Schedule {
  const sorted = [...milestones].sort((a, b) => a - b);
  return (t) => baseLr * gamma ** sorted.filter((m) => m <= t).length;
}

/** ExponentialLR: γᵗ·lr₀. */
export function exponentialSchedule(baseLr: number, { gamma }: { gamma: number }): Schedule {
  return (t) => baseLr * gamma ** t;
}

/** CosineAnnealingLR: η_min + (lr₀ − η_min)(1 + cos(πt/T_max))/2 (continuing as a cosine past T_max, as PyTorch does). */
export function cosineSchedule(baseLr: number, { tMax, etaMin }: { tMax: number; etaMin: number }): Schedule {
  return (t) => etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2;
}

/**
 * CosineAnnealingWarmRestarts (SGDR, Loshchilov & Hutter 2017): cosine from lr₀ to η_min over
 * T_i steps, then restart with T_{i+1} = T_i·T_mult.
 */
export function cosineWarmRestartsSchedule(baseLr: number, { t0, tMult, etaMin }: { t0: number; tMult: number; etaMin: number }): Schedule {
  return (t) => {
    let tCur = t;
    let tI = t0;
    while (tCur >= tI) {
      tCur -= tI;
      tI *= tMult;
    }
    return etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
  };
}

/** LinearLR: the factor goes linearly from startFactor to endFactor over totalIters steps. */
export function linearSchedule(
  baseLr: number,
  { startFactor, endFactor, totalIters }: { startFactor: number; endFactor: number; totalIters: number },
): Schedule {
  return (t) => baseLr * (startFactor + ((endFactor - startFactor) * Math.min(totalIters, t)) / totalIters);
}

/** ConstantLR: factor·lr₀ for the first totalIters steps, then lr₀. */
export function constantSchedule(baseLr: number, { factor, totalIters }: { factor: number; totalIters: number }): Schedule {
  return (t) => baseLr * (t >= totalIters ? 1 : factor);
}

/** PolynomialLR: lr₀·(1 − min(t, T)/T)^power. */
export function polynomialSchedule(baseLr: number, { totalIters, power }: { totalIters: number; power: number }): Schedule {
  return (t) => baseLr * (1 - Math.min(totalIters, t) / totalIters) ** power;
}

/** LambdaLR: λ(t)·lr₀. */
export function lambdaSchedule(baseLr: number, lrLambda: (epoch: number) => number): Schedule {
  return (t) => baseLr * lrLambda(t);
}

/** MultiplicativeLR: lr₀·λ(1)·λ(2)⋯λ(t). */
export function multiplicativeSchedule(baseLr: number, lrLambda: (epoch: number) => number): Schedule {
  return (t) => {
    let lr = baseLr;
    for (let i = 1; i <= t; i++) lr *= lrLambda(i);
    return lr;
  };
}

export type CyclicMode = "triangular" | "triangular2" | "exp_range";

export interface CyclicShape {
  stepSizeUp: number;
  stepSizeDown: number;
  mode: CyclicMode;
  gamma: number;
  /** A custom scale of the amplitude, of the cycle number or of the step (see scaleMode). */
  scaleFn?: (x: number) => number;
  scaleMode?: "cycle" | "iterations";
}

/**
 * The position in CyclicLR's triangle wave: `height` in [0, 1] (0 at the bottom, 1 at the top)
 * times the amplitude scale of the mode: 1 (triangular), 1/2^(cycle−1) (triangular2), γᵗ (exp_range).
 */
export function cyclicHeight({ stepSizeUp, stepSizeDown, mode, gamma, scaleFn, scaleMode }: CyclicShape): Schedule {
  const totalSize = stepSizeUp + stepSizeDown;
  const stepRatio = stepSizeUp / totalSize;
  const scale =
    scaleFn ?? (mode === "triangular" ? () => 1 : mode === "triangular2" ? (x: number) => 1 / 2 ** (x - 1) : (x: number) => gamma ** x);
  const byCycle = scaleFn ? scaleMode !== "iterations" : mode !== "exp_range";
  return (t) => {
    const cycle = Math.floor(1 + t / totalSize);
    const x = 1 + t / totalSize - cycle;
    const height = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
    return height * scale(byCycle ? cycle : t);
  };
}

/** CyclicLR (Smith 2017): base + (max − base)·height(t). */
export function cyclicSchedule(baseLr: number, maxLr: number, shape: CyclicShape): Schedule {
  const height = cyclicHeight(shape);
  return (t) => baseLr + (maxLr - baseLr) * height(t);
}

export type Anneal = "cos" | "linear";

function anneal(strategy: Anneal, start: number, end: number, pct: number): number {
  if (strategy === "linear") return (end - start) * pct + start;
  return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
}

export interface OneCyclePhases {
  totalSteps: number;
  pctStart: number;
  anneal: Anneal;
  threePhase: boolean;
}

/**
 * The 1cycle policy (Smith & Topin 2017) between three levels: `start` → `peak` over the first
 * pctStart of the steps, then → `end` (with threePhase: back to `start`, then → `end`). Used for
 * OneCycleLR's rate (start = max/divFactor, peak = max, end = start/finalDivFactor) and, with
 * levels (max, base, max), for its momentum.
 */
export function oneCycleSchedule(start: number, peak: number, end: number, { totalSteps, pctStart, anneal: strategy, threePhase }: OneCyclePhases): Schedule {
  const phases = threePhase
    ? [
        { endStep: pctStart * totalSteps - 1, from: start, to: peak },
        { endStep: 2 * pctStart * totalSteps - 2, from: peak, to: start },
        { endStep: totalSteps - 1, from: start, to: end },
      ]
    : [
        { endStep: pctStart * totalSteps - 1, from: start, to: peak },
        { endStep: totalSteps - 1, from: peak, to: end },
      ];
  return (t) => {
    let startStep = 0;
    for (let i = 0; i < phases.length; i++) {
      const phase = phases[i]!;
      if (t <= phase.endStep || i === phases.length - 1) {
        return anneal(strategy, phase.from, phase.to, (t - startStep) / (phase.endStep - startStep));
      }
      startStep = phase.endStep;
    }
    return end;
  };
}
