/** Loss functions: how far predictions are from targets, reduced to one number (or not). */
import { DTypeError, formatShape, OptionError, ShapeError } from "../../errors.js";
import { isFloating } from "../../tensor/dtype.js";
import { shapesEqual } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { mul, neg, sub } from "../../ops/elementwise.js";
import { gather } from "../../ops/indexing.js";
import { mean, sum } from "../../ops/reduce.js";
import { squeeze, unsqueeze } from "../../ops/shape.js";
import { logSoftmax } from "../../ops/softmax.js";

export type Reduction = "mean" | "sum" | "none";

export interface LossOptions {
  reduction?: Reduction;
}

export function checkReduction(op: string, reduction: unknown): Reduction {
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw new OptionError(`${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
  }
  return reduction;
}

export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === "mean" ? mean(loss) : reduction === "sum" ? sum(loss) : loss;
}

/** Mean squared error: (input − target)², reduced. */
export function mseLoss(input: Tensor, target: Tensor, { reduction = "mean" }: LossOptions = {}): Tensor {
  checkReduction("mseLoss", reduction);
  if (!shapesEqual(input.shape, target.shape)) {
    throw new ShapeError(
      `mseLoss: target size ${formatShape(target.shape)} must be the same as input size ${formatShape(input.shape)}`,
    );
  }
  if (!isFloating(input.dtype) || !isFloating(target.dtype)) {
    throw new DTypeError(`mseLoss: expected floating point input and target, got ${input.dtype} and ${target.dtype}`);
  }
  const diff = sub(input, target);
  return reduce(mul(diff, diff), reduction);
}

/**
 * Cross-entropy between logits and targets: −log softmax(input)[target]. The target is either
 * int32 class indices of shape [N] (or [N, d1, …], or [] for one sample), or class probabilities
 * of the input's shape. Computed through log-softmax, so it stays finite for logits of ±100.
 */
export function crossEntropy(input: Tensor, target: Tensor, { reduction = "mean" }: LossOptions = {}): Tensor {
  checkReduction("crossEntropy", reduction);
  if (!isFloating(input.dtype)) throw new DTypeError(`crossEntropy: expected floating point logits, got ${input.dtype}`);
  if (input.ndim === 0) throw new ShapeError("crossEntropy: input must have at least 1 dimension (classes), got a 0-d tensor");
  const batched = input.ndim >= 2;
  const classDim = batched ? 1 : 0;
  const logp = logSoftmax(input, classDim);
  if (isFloating(target.dtype)) {
    if (!shapesEqual(target.shape, input.shape)) {
      throw new ShapeError(
        `crossEntropy: class-probability target must have the input's shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
      );
    }
    return reduce(neg(sum(mul(logp, target), classDim)), reduction);
  }
  if (target.dtype !== "int32") {
    throw new DTypeError(`crossEntropy: expected target of class indices (int32) or probabilities (float), got ${target.dtype}`);
  }
  const expected = input.shape.filter((_, i) => i !== classDim);
  if (!shapesEqual(target.shape, expected)) {
    throw new ShapeError(
      `crossEntropy: expected target of shape ${formatShape(expected)} for input ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
    );
  }
  const classes = input.shape[classDim]!;
  for (const c of target.toTypedArray()) {
    if (c < 0 || c >= classes) {
      throw new ShapeError(`crossEntropy: target ${c} is out of bounds for ${classes} classes (expected 0 ≤ target < ${classes})`);
    }
  }
  const picked = squeeze(gather(logp, classDim, unsqueeze(target, classDim)), classDim);
  return reduce(neg(picked), reduction);
}
