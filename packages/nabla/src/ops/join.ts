/** Joining tensors: cat along an existing dim, stack along a new one. */
import { recordOp } from "../autograd/node.js";
import { formatShape, ShapeError } from "../errors.js";
import { promoteTypes } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { sameDevice } from "../backend/device.js";
import { emptyTensor } from "./helpers.js";
import { assignInto, narrow, unsqueeze } from "./shape.js";

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError("cat: expected a non-empty list of tensors");
  const first = tensors[0]!;
  const d = normalizeDim("cat", dim, first.ndim);
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`cat: expected a list of tensors, element ${i} is ${typeof t}`);
    const same = t.ndim === first.ndim && t.shape.every((s, k) => k === d || s === first.shape[k]);
    if (!same) {
      throw new ShapeError(
        `cat: sizes of tensors must match except in dimension ${d}; expected ${formatShape(first.shape)} ` +
          `(any size at ${d}) but got ${formatShape(t.shape)} for tensor number ${i} in the list`,
      );
    }
  });
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  const shape = first.shape.slice();
  shape[d] = tensors.reduce((p, t) => p + t.shape[d]!, 0);
  const out = emptyTensor(shape, dtype, "cat", sameDevice("cat", tensors));
  const starts: number[] = [];
  let at = 0;
  for (const t of tensors) {
    starts.push(at);
    assignInto(narrow(out, d, at, t.shape[d]!), t);
    at += t.shape[d]!;
  }
  // The gradient of each input is its slice of the output's gradient.
  return recordOp("CatBackward0", out, tensors, (g) => tensors.map((t, i) => narrow(g, d, starts[i]!, t.shape[d]!)));
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError("stack: expected a non-empty list of tensors");
  const first = tensors[0]!;
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((s, k) => s !== first.shape[k])) {
      throw new ShapeError(
        `stack: expects each tensor to be equal size, but got ${formatShape(first.shape)} at entry 0 and ${formatShape(t.shape)} at entry ${i}`,
      );
    }
  });
  const d = normalizeDim("stack", dim, first.ndim + 1);
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}
