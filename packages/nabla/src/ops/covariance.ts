/**
 * cov and corrcoef (PyTorch's), for rows of variables observed in columns ([V, N], or one
 * variable [N]), computed as ATen composes them:
 *   w = fweights·aweights (either, or none), W = Σw (or N)
 *   μ_v = Σ_n w_n·x_vn / W,   C = (x − μ)·((x − μ)·w)ᵀ / (W − correction·Σ(w·a)/W)
 * (W − correction without aweights; a factor ≤ 0 becomes 0, as PyTorch's, giving inf/NaN), squeezed;
 * corrcoef = C_ij / (σ_i·σ_j) with σ = √diag(C), clipped to [−1, 1] (a 0-d C gives C / C).
 * Gradients flow through the composition; fweights and aweights take none (as in PyTorch's
 * formula they are data).
 */
import { DTypeError, OptionError, ShapeError, formatShape } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { requireTensor } from "./arguments.js";
import { clamp } from "./clamp.js";
import { diag } from "./diagonal.js";
import { div, mul, sqrt, sub } from "./elementwise.js";
import { checkOptions, optionKeys } from "./options.js";
import { mm } from "./products.js";
import { sum } from "./reduce.js";
import { reshape, squeeze, transpose, unsqueeze } from "./shape.js";

export interface CovOptions {
  /** Subtracted from the (weighted) count: 1 (default) the unbiased estimate, 0 the maximum-likelihood one. */
  correction?: number;
  /** Integer repeat counts of the observations ([N], int32). */
  fweights?: Tensor | null;
  /** Non-negative observation weights ([N], floating). */
  aweights?: Tensor | null;
}

const COV_KEYS = optionKeys<CovOptions>({ correction: true, fweights: true, aweights: true });

export function cov(input: Tensor, options: CovOptions = {}): Tensor {
  requireTensor("cov", "input", input);
  checkOptions("cov", options, COV_KEYS);
  const { correction = 1, fweights = null, aweights = null } = options;
  if (input.ndim > 2) throw new ShapeError(`cov: expected input to have two or fewer dimensions but got an input with ${input.ndim} dimensions`);
  if (!Number.isInteger(correction)) throw new OptionError(`cov: correction must be an integer, got ${correction}`);
  const x = isFloating(input.dtype) ? input : input.to("float32");
  const observations = input.ndim < 2 ? reshape(x, [1, -1]) : x;
  const n = observations.shape[1]!;
  const checkWeights = (name: string, w: Tensor) => {
    if (w.ndim > 1) throw new ShapeError(`cov: expected ${name} to have one or fewer dimensions but got ${name} with ${w.ndim} dimensions`);
    if (w.numel() !== n) throw new ShapeError(`cov: expected ${name} to have the same numel as there are observations in the input but got ${w.numel()} != ${n}`);
  };
  let w: Tensor | null = null;
  let aw: Tensor | null = null; // aweights in x's dtype
  if (fweights !== null) {
    checkWeights("fweights", fweights);
    if (fweights.dtype !== "int32") throw new DTypeError(`cov: expected fweights to have integral dtype (int32), got ${fweights.dtype}`);
    if (fweights.device === "cpu" && fweights.toTypedArray().some((v) => v < 0)) throw new OptionError(`cov: fweights cannot be negative`);
    w = fweights.to(x.dtype);
  }
  if (aweights !== null) {
    checkWeights("aweights", aweights);
    if (!isFloating(aweights.dtype)) throw new DTypeError(`cov: expected aweights to have floating point dtype, got ${aweights.dtype}`);
    if (aweights.device === "cpu" && aweights.toTypedArray().some((v) => v < 0)) throw new OptionError(`cov: aweights cannot be negative`);
    aw = aweights.to(x.dtype);
    w = w === null ? aw : mul(w, aw);
  }
  const weightSum = w === null ? n : sum(w);
  const average = div(sum(w === null ? observations : mul(observations, w), 1), weightSum);
  let normFactor: Tensor | number;
  if (w !== null && aw !== null && correction !== 0) {
    normFactor = sub(weightSum, div(mul(sum(mul(w, aw)), correction), weightSum));
  } else {
    normFactor = typeof weightSum === "number" ? weightSum - correction : sub(weightSum, correction);
  }
  // degrees of freedom ≤ 0: PyTorch divides by 0 (and warns)
  normFactor = typeof normFactor === "number" ? Math.max(normFactor, 0) : clamp(normFactor, { min: 0 });
  const centred = sub(observations, unsqueeze(average, 1));
  const c = mm(centred, transpose(w === null ? centred : mul(centred, w), 0, 1));
  return squeeze(div(c, normFactor));
}

/** Pearson correlation coefficients of the rows (PyTorch's corrcoef): cov / (σ_i·σ_j), clipped to [−1, 1]. */
export function corrcoef(input: Tensor): Tensor {
  requireTensor("corrcoef", "input", input);
  if (input.ndim > 2) throw new ShapeError(`corrcoef: expected input to have two or fewer dimensions but got an input of shape ${formatShape(input.shape)}`);
  const c = cov(input);
  if (c.ndim === 0) return div(c, c);
  const stddev = sqrt(diag(c));
  const scaled = div(div(c, reshape(stddev, [-1, 1])), reshape(stddev, [1, -1]));
  return clamp(scaled, { min: -1, max: 1 });
}
