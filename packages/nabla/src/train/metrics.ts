/** Metrics for `fit` and `evaluate`: functions of a batch's outputs and targets returning a batch mean. */
import { noGrad } from "../autograd/grad-mode.js";
import { DTypeError, ShapeError, formatShape } from "../errors.js";
import { fromTypedArray } from "../ops/helpers.js";
import type { Tensor } from "../tensor/tensor.js";

/** `(output, target) → mean over the batch`; fit weights it by batch size across batches. */
export type Metric = (output: Tensor, target: Tensor) => number;

/** The fraction of rows whose largest output is the target class (class-index targets, or one-hot/probability targets). */
export function accuracy(output: Tensor, target: Tensor): number {
  return noGrad(() => {
    const predicted = output.argmax(-1);
    // Class indices have one dim fewer than the outputs; one-hot or probability targets the same dims.
    const labels = target.ndim === output.ndim ? target.argmax(-1) : target;
    if (predicted.numel() !== labels.numel()) {
      throw new ShapeError(`accuracy: ${formatShape(output.shape)} outputs for ${formatShape(target.shape)} targets`);
    }
    return predicted.eq(labels.reshape(predicted.shape)).float().mean().item();
  });
}

/** Mean absolute error, for regression. */
export function meanAbsoluteError(output: Tensor, target: Tensor): number {
  return noGrad(() => output.sub(target.reshape(output.shape)).abs().mean().item());
}

/**
 * counts[t][p] = how many samples of class t were predicted as p, as an int32 `[C, C]` tensor
 * (rows: true class, columns: prediction), from predicted and true class indices.
 */
export function confusionMatrix(predicted: Tensor, target: Tensor, numClasses: number): Tensor {
  if (predicted.dtype !== "int32" || target.dtype !== "int32") {
    throw new DTypeError(`confusionMatrix: expected int32 class indices, got ${predicted.dtype} and ${target.dtype}`);
  }
  const p = predicted.toTypedArray();
  const t = target.toTypedArray();
  if (p.length !== t.length) throw new ShapeError(`confusionMatrix: ${p.length} predictions for ${t.length} targets`);
  const counts = new Int32Array(numClasses * numClasses);
  for (let i = 0; i < p.length; i++) {
    const a = t[i]!;
    const b = p[i]!;
    if (a < 0 || a >= numClasses || b < 0 || b >= numClasses) {
      throw new ShapeError(`confusionMatrix: class ${a < 0 || a >= numClasses ? a : b} at sample ${i} is out of range for ${numClasses} classes`);
    }
    counts[a * numClasses + b]! += 1;
  }
  return fromTypedArray(counts, [numClasses, numClasses], "int32");
}
