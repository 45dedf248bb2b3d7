/**
 * Distances and similarities between vectors, PyTorch's formulas (1.13):
 *
 *   normalize(x)              = x / max(‖x‖_p, eps)                    along dim
 *   cosineSimilarity(a, b)    = Σ (a/‖a‖)·(b/‖b‖),  ‖·‖² clamped to ≥ eps² (the clamp has no gradient)
 *   pairwiseDistance(a, b)    = ‖a − b + eps‖_p                        along the last dim
 *   cdist(X, Y)[…, i, j]      = ‖Xᵢ − Yⱼ‖_p                            for X [..., P, M], Y [..., R, M]
 *
 * cdist with p = 2 on more than 25 rows uses PyTorch's matrix-product form
 * √(‖x‖² + ‖y‖² − 2x·y) (clamped at 1e-30), with its own gradient (EuclideanDistBackward0);
 * everything else is built from differentiable ops and the p-norm (p-norm.ts).
 */
import { noGrad } from "../../autograd/grad-mode.js";
import { recordOp } from "../../autograd/node.js";
import { DTypeError, formatShape, OptionError, ShapeError } from "../../errors.js";
import { add, clamp, div, eq, mul, sqrt, sub, where } from "../../ops/elementwise.js";
import { requireFloating } from "../../ops/helpers.js";
import { cat } from "../../ops/join.js";
import { matmul } from "../../ops/matmul.js";
import { sum } from "../../ops/reduce.js";
import { expand, transpose, unsqueeze } from "../../ops/shape.js";
import { ones } from "../../ops/creation.js";
import { broadcastShapes, normalizeDim } from "../../tensor/shape.js";
import { isFloating } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { checkOption, positionalOrOptions } from "./options.js";
import { pNorm } from "./p-norm.js";

export interface NormalizeOptions {
  /** The norm's exponent (default 2). */
  p?: number;
  /** The dim holding the vectors (default 1). */
  dim?: number;
  /** The smallest norm divided by (default 1e-12). */
  eps?: number;
}

/** x / max(‖x‖_p, eps) along dim: unit vectors (PyTorch's F.normalize). Also `normalize(x, p, dim, eps)`. */
export function normalize(input: Tensor, options?: NormalizeOptions): Tensor;
export function normalize(input: Tensor, p?: number, dim?: number, eps?: number): Tensor;
export function normalize(input: Tensor, ...args: unknown[]): Tensor {
  const { p = 2, dim = 1, eps = 1e-12 } = positionalOrOptions<NormalizeOptions>("normalize", args, ["p", "dim", "eps"]);
  checkOption("normalize", "p", p, true, "a number");
  checkOption("normalize", "eps", eps, eps >= 0, "a non-negative number");
  const norm = pNorm("normalize", input, p, dim, true);
  return div(input, expand(clamp(norm, { min: eps }), input.shape));
}

export interface CosineSimilarityOptions {
  /** The dim holding the vectors (default 1). */
  dim?: number;
  /** The smallest norm (default 1e-8). */
  eps?: number;
}

/** Σ (a/‖a‖)·(b/‖b‖) along dim, broadcasting a and b (PyTorch's F.cosine_similarity). Also `(a, b, dim, eps)`. */
export function cosineSimilarity(x1: Tensor, x2: Tensor, options?: CosineSimilarityOptions): Tensor;
export function cosineSimilarity(x1: Tensor, x2: Tensor, dim?: number, eps?: number): Tensor;
export function cosineSimilarity(x1: Tensor, x2: Tensor, ...args: unknown[]): Tensor {
  const { dim = 1, eps = 1e-8 } = positionalOrOptions<CosineSimilarityOptions>("cosineSimilarity", args, ["dim", "eps"]);
  checkOption("cosineSimilarity", "eps", eps, eps >= 0, "a non-negative number");
  if (!isFloating(x1.dtype) || !isFloating(x2.dtype)) {
    throw new DTypeError(`cosineSimilarity: expected floating point inputs, got ${x1.dtype} and ${x2.dtype}`);
  }
  const shape = broadcastShapes("cosineSimilarity", x1.shape, x2.shape);
  const d = normalizeDim("cosineSimilarity", dim, shape.length);
  const [a, b] = [expand(x1, shape), expand(x2, shape)];
  const unitNorm = (x: Tensor) => {
    const squared = sum(mul(x, x), d, { keepdim: true });
    // PyTorch clamps the squared norm in place under no_grad: the value is clamped, the
    // gradient flows as if it were not.
    noGrad(() => squared.clamp_({ min: eps * eps }));
    return sqrt(squared);
  };
  return sum(mul(div(a, unitNorm(a)), div(b, unitNorm(b))), d);
}

export interface PairwiseDistanceOptions {
  /** The norm's exponent (default 2). */
  p?: number;
  /** Added to the difference, so that equal vectors have a gradient (default 1e-6). */
  eps?: number;
  keepdim?: boolean;
}

/** ‖x1 − x2 + eps‖_p along the last dim, broadcasting (PyTorch's F.pairwise_distance). Also `(x1, x2, p, eps, keepdim)`. */
export function pairwiseDistance(x1: Tensor, x2: Tensor, options?: PairwiseDistanceOptions): Tensor;
export function pairwiseDistance(x1: Tensor, x2: Tensor, p?: number, eps?: number, keepdim?: boolean): Tensor;
export function pairwiseDistance(x1: Tensor, x2: Tensor, ...args: unknown[]): Tensor {
  const { p = 2, eps = 1e-6, keepdim = false } = positionalOrOptions<PairwiseDistanceOptions>("pairwiseDistance", args, ["p", "eps", "keepdim"]);
  checkOption("pairwiseDistance", "p", p, true, "a number");
  checkOption("pairwiseDistance", "eps", eps, true, "a number");
  const ndim = Math.max(x1.ndim, x2.ndim);
  if (ndim === 0) throw new ShapeError("pairwiseDistance: expected inputs with at least 1 dim, got two 0-d tensors");
  return pNorm("pairwiseDistance", add(sub(x1, x2), eps), p, ndim - 1, keepdim);
}

export type CdistComputeMode = "use_mm_for_euclid_dist_if_necessary" | "use_mm_for_euclid_dist" | "donot_use_mm_for_euclid_dist";

export interface CdistOptions {
  /** The norm's exponent, ≥ 0 (default 2). */
  p?: number;
  /** When p = 2 uses the matrix-product form: if either input has more than 25 rows (default), always, or never. */
  computeMode?: CdistComputeMode;
}

const COMPUTE_MODES: readonly string[] = ["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"];

/** p-norm distance between each row of x1 [..., P, M] and each row of x2 [..., R, M] → [..., P, R] (torch.cdist). Also `(x1, x2, p, computeMode)`. */
export function cdist(x1: Tensor, x2: Tensor, options?: CdistOptions): Tensor;
export function cdist(x1: Tensor, x2: Tensor, p?: number, computeMode?: CdistComputeMode): Tensor;
export function cdist(x1: Tensor, x2: Tensor, ...args: unknown[]): Tensor {
  const { p = 2, computeMode = "use_mm_for_euclid_dist_if_necessary" } = positionalOrOptions<CdistOptions>("cdist", args, ["p", "computeMode"]);
  checkOption("cdist", "p", p, p >= 0, "a non-negative number");
  if (!COMPUTE_MODES.includes(computeMode)) throw new OptionError(`cdist: computeMode must be one of ${COMPUTE_MODES.join(", ")}, got ${JSON.stringify(computeMode)}`);
  requireFloating("cdist", x1, "x1");
  requireFloating("cdist", x2, "x2");
  if (x1.ndim < 2 || x2.ndim < 2) throw new ShapeError(`cdist: expected inputs with at least 2 dims [..., rows, M], got ${formatShape(x1.shape)} and ${formatShape(x2.shape)}`);
  const m = x1.shape[x1.ndim - 1]!;
  if (x2.shape[x2.ndim - 1] !== m) {
    throw new ShapeError(`cdist: x1 and x2 must have the same number of columns, got ${m} (x1 ${formatShape(x1.shape)}) and ${x2.shape[x2.ndim - 1]} (x2 ${formatShape(x2.shape)})`);
  }
  const [rows1, rows2] = [x1.shape[x1.ndim - 2]!, x2.shape[x2.ndim - 2]!];
  const batch = broadcastShapes("cdist", x1.shape.slice(0, -2), x2.shape.slice(0, -2));
  const a = expand(x1, [...batch, rows1, m]);
  const b = expand(x2, [...batch, rows2, m]);
  const mm = computeMode === "use_mm_for_euclid_dist" || (computeMode === "use_mm_for_euclid_dist_if_necessary" && (rows1 > 25 || rows2 > 25));
  if (p === 2 && mm) return euclideanDist(a, b);
  // [..., P, 1, M] − [..., 1, R, M] → norms over M
  return pNorm("cdist", sub(unsqueeze(a, -2), unsqueeze(b, -3)), p, -1);
}

/**
 * √(‖a‖² + ‖b‖² − 2a·bᵀ) as one product of [−2a, ‖a‖², 1] and [b, 1, ‖b‖²], clamped at 1e-30
 * (PyTorch's _euclidean_dist). Gradient, with r = g/dist:
 *   da = a·Σⱼ r − r·b,   db = b·Σᵢ r − rᵀ·a.
 */
function euclideanDist(a: Tensor, b: Tensor): Tensor {
  const dist = noGrad(() => {
    const an = sum(mul(a, a), -1, { keepdim: true });
    const bn = sum(mul(b, b), -1, { keepdim: true });
    const a3 = cat([mul(a, -2), an, ones(an.shape, { dtype: a.dtype })], -1);
    const b3 = cat([b, ones(bn.shape, { dtype: b.dtype }), bn], -1);
    return sqrt(clamp(matmul(a3, transpose(b3, -1, -2)), { min: 1e-30 }));
  });
  return recordOp("EuclideanDistBackward0", dist, [a, b], (g) => {
    const ratio = where(eq(dist, 0), 0, div(g, dist));
    return [
      a.requiresGrad ? sub(mul(a, sum(ratio, -1, { keepdim: true })), matmul(ratio, b)) : null,
      b.requiresGrad ? sub(mul(b, unsqueeze(sum(ratio, -2), -1)), matmul(transpose(ratio, -1, -2), a)) : null,
    ];
  }, [a, b, dist]);
}
