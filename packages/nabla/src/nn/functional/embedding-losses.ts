/**
 * Margin and embedding losses: ranking pairs, similar/dissimilar pairs, triplets. Their kinks
 * use clamp(·, min = 0), whose gradient passes at the bound, as PyTorch's clamp_min does.
 */
import { formatShape, OptionError, ShapeError } from "../../errors.js";
import { abs, add, clamp, div, eq, minimum, mul, ne, neg, pow, sqrt, sub, where } from "../../ops/elementwise.js";
import { sum } from "../../ops/reduce.js";
import { shapesEqual } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { checkFloating, checkReduction, checkSameShape, reduce, type LossOptions } from "./loss-reduction.js";
import { checkOptions, optionKeys } from "../../ops/options.js";

export interface MarginOptions extends LossOptions {
  margin?: number;
}

function checkMargin(op: string, margin: number): void {
  if (typeof margin !== "number" || !Number.isFinite(margin)) throw new OptionError(`${op}: margin must be a finite number, got ${String(margin)}`);
}

const MARGIN_RANKING_LOSS_KEYS = optionKeys<MarginOptions>({ reduction: true, margin: true });

/** Margin ranking: max(0, −y(x₁ − x₂) + margin) for y = ±1 (which of x₁, x₂ should rank higher). */
export function marginRankingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  options: MarginOptions = {},
): Tensor {
  const op = "marginRankingLoss";
  checkOptions(op, options, MARGIN_RANKING_LOSS_KEYS);
  const { reduction = "mean", margin = 0 } = options;
  checkReduction(op, reduction);
  checkMargin(op, margin);
  checkSameShape(op, input1, input2, "input2");
  checkSameShape(op, input1, target);
  checkFloating(op, ["input1", input1], ["input2", input2], ["target", target]);
  return reduce(clamp(add(neg(mul(target, sub(input1, input2))), margin), { min: 0 }), reduction);
}

const HINGE_EMBEDDING_LOSS_KEYS = optionKeys<MarginOptions>({ reduction: true, margin: true });

/** Hinge embedding: x where y = 1, max(0, margin − x) where y = −1 (PyTorch's exact masking). */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, options: MarginOptions = {}): Tensor {
  const op = "hingeEmbeddingLoss";
  checkOptions(op, options, HINGE_EMBEDDING_LOSS_KEYS);
  const { reduction = "mean", margin = 1 } = options;
  checkReduction(op, reduction);
  checkMargin(op, margin);
  checkSameShape(op, input, target);
  checkFloating(op, ["input", input], ["target", target]);
  const marginPart = where(ne(target, 1), clamp(sub(margin, input), { min: 0 }), 0);
  const selfPart = where(ne(target, -1), input, 0);
  return reduce(add(marginPart, selfPart), reduction);
}

/** PyTorch's guard on the squared norms in cosine similarity. */
const COSINE_EPS = 1e-12;

const COSINE_EMBEDDING_LOSS_KEYS = optionKeys<MarginOptions>({ reduction: true, margin: true });

/**
 * Cosine embedding: 1 − cos(x₁, x₂) where y = 1, max(0, cos(x₁, x₂) − margin) where y = −1, with
 * cos = Σx₁x₂ / √((Σx₁² + ε)(Σx₂² + ε)) over the last dim; inputs [N, D] with target [N], or [D] with [].
 */
export function cosineEmbeddingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  options: MarginOptions = {},
): Tensor {
  const op = "cosineEmbeddingLoss";
  checkOptions(op, options, COSINE_EMBEDDING_LOSS_KEYS);
  const { reduction = "mean", margin = 0 } = options;
  checkReduction(op, reduction);
  checkMargin(op, margin);
  checkSameShape(op, input1, input2, "input2");
  checkFloating(op, ["input1", input1], ["input2", input2], ["target", target]);
  if (input1.ndim !== 1 && input1.ndim !== 2) throw new ShapeError(`${op}: expected 1-D or 2-D inputs, got ${formatShape(input1.shape)}`);
  if (!shapesEqual(target.shape, input1.shape.slice(0, -1))) {
    throw new ShapeError(`${op}: target ${formatShape(target.shape)} must have shape ${formatShape(input1.shape.slice(0, -1))} for inputs ${formatShape(input1.shape)}`);
  }
  const d = input1.ndim - 1;
  const prod = sum(mul(input1, input2), d);
  const mag1 = add(sum(mul(input1, input1), d), COSINE_EPS);
  const mag2 = add(sum(mul(input2, input2), d), COSINE_EPS);
  const cos = div(prod, sqrt(mul(mag1, mag2)));
  const pos = where(eq(target, 1), sub(1, cos), 0);
  const negPart = where(eq(target, -1), clamp(sub(cos, margin), { min: 0 }), 0);
  return reduce(add(pos, negPart), reduction);
}

export interface TripletMarginOptions extends MarginOptions {
  /** The norm's degree, > 0. Default 2. */
  p?: number;
  /** Added to the difference before the norm (PyTorch's pairwise_distance). Default 1e-6. */
  eps?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance (Balntas et al. 2016). Default false. */
  swap?: boolean;
}

/** ‖x₁ − x₂ + eps‖_p over the last dim. */
export function pairwiseDistance(x1: Tensor, x2: Tensor, p = 2, eps = 1e-6): Tensor {
  const d = add(sub(x1, x2), eps);
  const last = d.ndim - 1;
  if (p === 2) return sqrt(sum(mul(d, d), last));
  if (p === 1) return sum(abs(d), last);
  return pow(sum(pow(abs(d), p), last), 1 / p);
}

const TRIPLET_MARGIN_LOSS_KEYS = optionKeys<TripletMarginOptions>({ reduction: true, margin: true, p: true, eps: true, swap: true });

/** Triplet margin: max(d(a, p) − d(a, n) + margin, 0) with d the p-norm distance; inputs [N, D] or [D]. */
export function tripletMarginLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  options: TripletMarginOptions = {},
): Tensor {
  const op = "tripletMarginLoss";
  checkOptions(op, options, TRIPLET_MARGIN_LOSS_KEYS);
  const { reduction = "mean", margin = 1, p = 2, eps = 1e-6, swap = false } = options;
  checkReduction(op, reduction);
  checkMargin(op, margin);
  if (typeof p !== "number" || !(p > 0) || !Number.isFinite(p)) throw new OptionError(`${op}: p must be a finite number > 0, got ${String(p)}`);
  checkSameShape(op, anchor, positive, "positive");
  checkSameShape(op, anchor, negative, "negative");
  checkFloating(op, ["anchor", anchor], ["positive", positive], ["negative", negative]);
  if (anchor.ndim !== 1 && anchor.ndim !== 2) throw new ShapeError(`${op}: expected 1-D or 2-D inputs, got ${formatShape(anchor.shape)}`);
  const dPos = pairwiseDistance(anchor, positive, p, eps);
  let dNeg = pairwiseDistance(anchor, negative, p, eps);
  if (swap) dNeg = minimum(dNeg, pairwiseDistance(positive, negative, p, eps));
  return reduce(clamp(sub(add(dPos, margin), dNeg), { min: 0 }), reduction);
}
