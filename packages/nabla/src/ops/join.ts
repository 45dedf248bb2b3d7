/** Joining tensors: cat along an existing dim, stack along a new one. */
import { recordOp } from "../autograd/node.js";
import { formatShape, ShapeError } from "../errors.js";
import { promoteTypes } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { sameDevice } from "../backend/device.js";
import { emptyTensor } from "./helpers.js";
import { assignInto, narrow, unsqueeze } from "./shape.js";
import { checkOptions, describe, isPlainObject } from "./options.js";

/** The dim along which to join: a number, or PyTorch's keyword as `{ dim }`. */
export type JoinDim = number | { dim?: number };

/** The list and the dim of a cat or stack call, checked: `cat(a, b)` (no list) names the call. */
function joinArgs(op: string, tensors: readonly Tensor[], dim: JoinDim): number {
  if (!Array.isArray(tensors)) throw new TypeError(`${op}: expected a list of tensors, got ${describe(tensors)} (write ${op}([a, b], dim))`);
  if (tensors.length === 0) throw new ShapeError(`${op}: expected a non-empty list of tensors`);
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`${op}: expected a list of tensors, element ${i} is ${describe(t)}`);
  });
  if (!isPlainObject(dim)) return dim;
  checkOptions(op, dim, ["dim"]);
  return dim.dim ?? 0;
}

export function cat(tensors: readonly Tensor[], dim: JoinDim = 0): Tensor {
  const first = tensors[0]!;
  const d = normalizeDim("cat", joinArgs("cat", tensors, dim), first.ndim);
  tensors.forEach((t, i) => {
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

export function stack(tensors: readonly Tensor[], dim: JoinDim = 0): Tensor {
  const at = joinArgs("stack", tensors, dim);
  const first = tensors[0]!;
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((s, k) => s !== first.shape[k])) {
      throw new ShapeError(
        `stack: expects each tensor to be equal size, but got ${formatShape(first.shape)} at entry 0 and ${formatShape(t.shape)} at entry ${i}`,
      );
    }
  });
  const d = normalizeDim("stack", at, first.ndim + 1);
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}
