/**
 * F.oneHot: class indices (int32, any shape) → int32 one-hot vectors along a new last dim,
 * out[..., c] = 1 where c = indices[...]. numClasses = −1 (the default) takes max + 1, as
 * PyTorch does. (data.transforms.oneHot builds on this for float targets.)
 */
import { DTypeError, OptionError, ShapeError } from "../../errors.js";
import { noGpuKernel } from "../../backend/device.js";
import { readValuesSync, syncReadRefusal } from "../../tensor/transfer.js";
import { emptyTensor } from "../../ops/helpers.js";
import { checkIndexRange, hostIndexValues } from "../../ops/indexing.js";
import { scatter } from "../../ops/scatter.js";
import { unsqueeze } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { checkOptions, optionKeys } from "../../ops/options.js";

/** Sets out[i·numClasses + c] = 1 for each class c = classes[i]; returns the first out-of-range value, or null. */
function scatterOnes(classes: ArrayLike<number>, numClasses: number, out: { [i: number]: number }): number | null {
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i]!;
    if (c < 0 || c >= numClasses) return c;
    out[i * numClasses + c] = 1;
  }
  return null;
}

export interface OneHotOptions {
  numClasses?: number;
}

const ONE_HOT_KEYS = optionKeys<OneHotOptions>({ numClasses: true });

/** One-hot vectors of int32 class indices (PyTorch's F.one_hot); also `oneHot(x, { numClasses })`. */
export function oneHot(indices: Tensor, numClasses: number | OneHotOptions = -1): Tensor {
  if (typeof numClasses === "object") checkOptions("oneHot", numClasses, ONE_HOT_KEYS);
  const n = typeof numClasses === "object" && numClasses !== null ? numClasses.numClasses ?? -1 : numClasses;
  if (typeof n !== "number") throw new TypeError(`oneHot: expected numClasses to be a number, got ${typeof n}`);
  if (indices.dtype !== "int32") {
    throw new DTypeError(`oneHot: expected int32 class indices, got ${indices.dtype} (make them with { dtype: "int32" } or indices.int())`);
  }
  if (!Number.isInteger(n) || (n < 1 && n !== -1)) throw new OptionError(`oneHot: numClasses must be a positive integer or -1, got ${n}`);
  if (indices.storage.device !== "cpu") return oneHotOnDevice(indices, n);
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

/**
 * oneHot on the webgpu device: a scatter of ones into zeros, the classes checked there (the CPU's
 * errors, at the next read). numClasses −1 needs the largest class, which only indices uploaded
 * from the host have on the host (PyTorch's CUDA form waits for the device there).
 */
function oneHotOnDevice(indices: Tensor, n: number): Tensor {
  let count = n;
  if (count === -1) {
    // the largest class: from the host values of indices uploaded from there, else read back
    // synchronously (counted; PyTorch's CUDA form waits for the device here too) where this
    // thread may wait, else refused, naming numClasses
    let host = hostIndexValues(indices);
    if (host === null) {
      const refusal = syncReadRefusal("oneHot");
      if (refusal !== null) throw noGpuKernel("oneHot", `with numClasses -1 for indices computed on the device (the class count is read back, which cannot wait for the device here: ${refusal}): pass numClasses`);
      host = readValuesSync(indices, "oneHot", "pass numClasses");
    }
    if (host.length === 0) throw new ShapeError("oneHot: cannot infer the number of classes from an empty tensor; pass numClasses");
    count = Math.max(0, ...Array.from(host)) + 1;
  }
  checkIndexRange("oneHot", indices, 0, count, (bad) =>
    new ShapeError(bad < 0 ? `oneHot: class values must be non-negative, got ${bad}` : `oneHot: class value ${bad} is out of range for ${count} classes`),
  );
  const zeros = emptyTensor([...indices.shape, count], "int32", "oneHot", indices.storage.device);
  return scatter(zeros, indices.ndim, unsqueeze(indices, -1), 1);
}
