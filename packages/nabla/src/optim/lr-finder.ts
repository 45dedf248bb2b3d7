/**
 * The learning-rate range test (Smith 2017, "Cyclical Learning Rates for Training Neural
 * Networks", §3.3): train for a few hundred steps while the rate grows geometrically from tiny to
 * huge, record the loss, and pick a rate where the loss falls fastest. The model and the optimizer
 * are put back exactly as they were afterwards.
 */
import { OptionError } from "../errors.js";
import type { Module } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Optimizer } from "./optimizer.js";

export interface LrFinderOptions {
  model: Module;
  optimizer: Optimizer;
  /** The loss of training step `step` (on its own batch), computed with grad; the finder calls backward() and step(). */
  lossFn: (step: number) => Tensor;
  /** The first rate tried. Default 1e-7. */
  startLr?: number;
  /** The last rate tried. Default 10. */
  endLr?: number;
  /** Steps of the sweep. Default 200. */
  numSteps?: number;
  /** β of the bias-corrected moving average that smooths the loss. Default 0.98. */
  smoothing?: number;
  /** Stop once the smoothed loss exceeds this many times its best. Default 4. */
  divergeThreshold?: number;
}

export interface LrFinderResult {
  /** The rate of each step taken. */
  lrs: number[];
  /** The smoothed loss of each step. */
  losses: number[];
  /** The raw loss of each step. */
  rawLosses: number[];
  /** The rate at the steepest descent of the smoothed loss (against log lr). */
  suggestedLr: number;
  /** Whether the sweep stopped early because the loss diverged. */
  diverged: boolean;
}

/**
 * Sweeps lr from startLr to endLr geometrically: lrᵢ = start·(end/start)^(i/(n−1)), every group
 * at the same rate. Suggests the rate where d(loss)/d(log lr) is most negative, leaving out the
 * first tenth and the last few points, where the estimate is noisiest.
 */
export function lrFinder({ model, optimizer, lossFn, startLr = 1e-7, endLr = 10, numSteps = 200, smoothing = 0.98, divergeThreshold = 4 }: LrFinderOptions): LrFinderResult {
  if (!(startLr > 0 && endLr > startLr)) throw new OptionError(`lrFinder: invalid range: startLr ${startLr}, endLr ${endLr} (need 0 < startLr < endLr)`);
  if (!(Number.isInteger(numSteps) && numSteps >= 5)) throw new OptionError(`lrFinder: invalid numSteps: ${numSteps} (must be an integer >= 5)`);
  if (!(smoothing >= 0 && smoothing < 1)) throw new OptionError(`lrFinder: invalid smoothing: ${smoothing} (must be in [0, 1))`);

  const savedModel = Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.clone()]));
  const savedOptimizer = optimizer.stateDict();
  const lrs: number[] = [];
  const losses: number[] = [];
  const rawLosses: number[] = [];
  let diverged = false;
  try {
    let avg = 0;
    let best = Infinity;
    for (let i = 0; i < numSteps; i++) {
      const lr = startLr * (endLr / startLr) ** (i / (numSteps - 1));
      for (const group of optimizer.paramGroups) group.lr = lr;
      optimizer.zeroGrad();
      const loss = lossFn(i);
      loss.backward();
      optimizer.step();
      const value = loss.item();
      avg = smoothing * avg + (1 - smoothing) * value;
      const smoothed = avg / (1 - smoothing ** (i + 1));
      lrs.push(lr);
      rawLosses.push(value);
      losses.push(smoothed);
      if (!Number.isFinite(smoothed) || smoothed > divergeThreshold * best) {
        diverged = true;
        break;
      }
      best = Math.min(best, smoothed);
    }
  } finally {
    model.loadStateDict(savedModel);
    optimizer.loadStateDict(savedOptimizer);
  }
  return { lrs, losses, rawLosses, suggestedLr: suggest(lrs, losses), diverged };
}

/** The rate at the most negative slope of loss against log lr (central differences). */
function suggest(lrs: number[], losses: number[]): number {
  const n = losses.length;
  const from = Math.max(1, Math.floor(n / 10));
  const to = n - Math.max(1, Math.min(5, Math.floor(n / 10)));
  let bestI = -1;
  let bestSlope = Infinity;
  for (let i = from; i < to; i++) {
    const slope = (losses[i + 1]! - losses[i - 1]!) / Math.log(lrs[i + 1]! / lrs[i - 1]!);
    if (Number.isFinite(slope) && slope < bestSlope) {
      bestSlope = slope;
      bestI = i;
    }
  }
  if (bestI >= 0) return lrs[bestI]!;
  // Too few points for a slope: a tenth of the rate with the lowest loss.
  let minI = 0;
  losses.forEach((l, i) => {
    if (l < losses[minI]!) minI = i;
  });
  return lrs[minI]! / 10;
}
