/**
 * Writing slices along one dim at the positions a 1-d index names: indexAdd (source·alpha
 * added, repeats adding up), indexCopy (source written) and indexFill (a value written). Each is
 * the put of advanced-index.ts with one index tensor on `dim`, so the gradients are its: the
 * gradient picked up at the indices for the source, and for x the gradient (with the written
 * slices zeroed for copy and fill). The index is 1-d (or 0-d) and int32.
 */
import { DTypeError, formatShape, ShapeError } from "../errors.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { indexOn } from "../tensor/transfer.js";
import { putPlan } from "./advanced-index.js";
import { mul, toDType } from "./elementwise.js";
import { scalarTensor } from "./helpers.js";
import type { IndexPlan } from "./index-spec.js";
import { permute, reshape } from "./shape.js";
import { checkOptions } from "./options.js";

/** The plan of `x[:, …, index]` with index on dim d: values wrapped (when allowed) and checked. */
function planAlong(op: string, x: Tensor, d: number, index: Tensor, wrap: boolean): IndexPlan {
  if (!(index instanceof Tensor) || index.dtype !== "int32") {
    throw new DTypeError(`${op}: expected index to be an int32 tensor, got ${index instanceof Tensor ? index.dtype : typeof index} (make it with { dtype: "int32" })`);
  }
  if (index.ndim > 1) throw new ShapeError(`${op}: index is supposed to be a vector, but got shape ${formatShape(index.shape)}`);
  index = indexOn(op, index, x.storage.device);
  const shape = x.ndim === 0 ? [1] : x.shape.slice();
  const size = shape[d]!;
  const hostValues = (): Int32Array => {
    const values = index.toTypedArray() as Int32Array; // a fresh copy
    values.forEach((v, i) => {
      if (v >= size || v < (wrap ? -size : 0)) throw new ShapeError(`${op}: index ${v} is out of bounds for dimension ${d} with size ${size}`);
      if (v < 0) values[i] = v + size;
    });
    return values;
  };
  let values: Int32Array | null = null;
  const plan: IndexPlan = {
    view: (t) => (x.ndim === 0 ? reshape(t, [1]) : t),
    viewShape: shape,
    dims: [d],
    // read on the host when asked for (at once on the CPU); the webgpu device's path uses `tensors`
    get indices() {
      return [(values ??= hostValues())];
    },
    tensors: [{ index, size, xdim: d, low: wrap ? -size : 0 }],
    op,
    indexShape: [index.numel()],
    resultAt: d,
    copy: false,
  };
  if (x.storage.device === "cpu") void plan.indices;
  return plan;
}

/** source with dim d first (the canonical layout of the put), checked against x and the index. */
function sourceAlong(op: string, x: Tensor, d: number, index: Tensor, source: Tensor): Tensor {
  if (!(source instanceof Tensor)) throw new TypeError(`${op}: expected source to be a Tensor, got ${typeof source}`);
  if (source.dtype !== x.dtype) throw new DTypeError(`${op}: self (${x.dtype}) and source (${source.dtype}) must have the same dtype`);
  const src = source.ndim === 0 && x.ndim <= 1 ? reshape(source, [1]) : source;
  const shape = x.ndim === 0 ? [1] : x.shape;
  if (src.ndim !== shape.length) {
    throw new ShapeError(`${op}: source ${formatShape(source.shape)} must have as many dimensions as self ${formatShape(x.shape)}`);
  }
  const k = index.numel();
  if (src.shape[d] !== k) throw new ShapeError(`${op}: number of indices (${k}) should be equal to source.size(dim) (${src.shape[d]}), for dim: ${d}`);
  if (src.shape.some((s, i) => i !== d && s !== shape[i])) {
    throw new ShapeError(`${op}: source tensor shape must match self tensor shape, excluding the specified dimension; got self.shape = ${formatShape(x.shape)}, source.shape = ${formatShape(source.shape)}`);
  }
  const order = [d, ...shape.map((_, i) => i).filter((i) => i !== d)];
  return permute(src, order);
}

/** x with alpha·source[…, i, …] added to x[…, index[i], …] along dim, repeats adding up (PyTorch's index_add). */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, options: { alpha?: number } = {}): Tensor {
  checkOptions("indexAdd", options, ["alpha"]);
  const { alpha = 1 } = options;
  const d = normalizeDim("indexAdd", dim, x.ndim);
  const plan = planAlong("indexAdd", x, d, index, false);
  const src = sourceAlong("indexAdd", x, d, index, source);
  return putPlan("IndexAddBackward0", x, plan, alpha === 1 ? src : mul(src, alpha), true);
}

/** x with source[…, i, …] written to x[…, index[i], …] along dim (PyTorch's index_copy). */
export function indexCopy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  const d = normalizeDim("indexCopy", dim, x.ndim);
  const plan = planAlong("indexCopy", x, d, index, false);
  const src = sourceAlong("indexCopy", x, d, index, source);
  return putPlan("IndexCopyBackward0", x, plan, src, false);
}

/**
 * x with `value` (a number, or a 0-d tensor, cast to x's dtype) written to the slices x[…, i, …]
 * for every i in index along dim; negative indices count from the end (PyTorch's index_fill).
 */
export function indexFill(x: Tensor, dim: number, index: Tensor, value: number | Tensor): Tensor {
  const d = normalizeDim("indexFill", dim, x.ndim);
  const plan = planAlong("indexFill", x, d, index, true);
  if (value instanceof Tensor && value.ndim !== 0) {
    throw new ShapeError(`indexFill: only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s)`);
  }
  const v = value instanceof Tensor ? toDType(value, x.dtype) : scalarTensor(value, x.dtype, x.storage.device);
  return putPlan(value instanceof Tensor ? "IndexFillBackward1" : "IndexFillBackward0", x, plan, v, false);
}
