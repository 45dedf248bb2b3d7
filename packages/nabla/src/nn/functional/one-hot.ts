/**
 * F.oneHot: class indices (int32, any shape) → int32 one-hot vectors along a new last dim,
 * out[..., c] = 1 where c = indices[...]. numClasses = −1 (the default) takes max + 1, as
 * PyTorch does. (data.transforms.oneHot builds on this for float targets.)
 */
import { DTypeError, OptionError, ShapeError } from "../../errors.js";
import { emptyTensor } from "../../ops/helpers.js";
import type { Tensor } from "../../tensor/tensor.js";

/** Sets out[i·numClasses + c] = 1 for each class c = classes[i]; returns the first out-of-range value, or null. */
function scatterOnes(classes: ArrayLike<number>, numClasses: number, out: { [i: number]: number }): number | null {
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i]!;
    if (c < 0 || c >= numClasses) return c;
    out[i * numClasses + c] = 1;
  }
  return null;
}

/** One-hot vectors of int32 class indices (PyTorch's F.one_hot); also `oneHot(x, { numClasses })`. */
export function oneHot(indices: Tensor, numClasses: number | { numClasses?: number } = -1): Tensor {
  const n = typeof numClasses === "object" && numClasses !== null ? numClasses.numClasses ?? -1 : numClasses;
  if (typeof n !== "number") throw new TypeError(`oneHot: expected numClasses to be a number, got ${typeof n}`);
  if (indices.dtype !== "int32") {
    throw new DTypeError(`oneHot: expected int32 class indices, got ${indices.dtype} (make them with { dtype: "int32" } or indices.int())`);
  }
  if (!Number.isInteger(n) || (n < 1 && n !== -1)) throw new OptionError(`oneHot: numClasses must be a positive integer or -1, got ${n}`);
  const classes = indices.toTypedArray();
  let count = n;
  if (count === -1) {
    if (classes.length === 0) throw new ShapeError("oneHot: cannot infer the number of classes from an empty tensor; pass numClasses");
    let largest = 0;
    for (let i = 0; i < classes.length; i++) largest = Math.max(largest, classes[i]!);
    count = largest + 1;
  }
  const out = emptyTensor([...indices.shape, count], "int32");
  const bad = scatterOnes(classes, count, out.storage.data);
  if (bad !== null) {
    throw new ShapeError(bad < 0 ? `oneHot: class values must be non-negative, got ${bad}` : `oneHot: class value ${bad} is out of range for ${count} classes`);
  }
  return out;
}
