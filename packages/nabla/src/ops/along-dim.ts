/**
 * The layout the sorting and scanning kernels work in: the op's dim moved last and the data
 * made contiguous, so a kernel sees `outer` rows of `size` elements one after another; and the
 * way back to the input's layout. Also the gradient those ops share: an output that picks input
 * elements by index (sort, topk, kthvalue, median, mode) sends its gradient back to them.
 */
import type { TypedArray, DType } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { contiguousData, emptyTensor, resultTensor } from "./helpers.js";
import { scatterAdd } from "./indexing.js";
import { contiguous, reshape, transpose, unsqueeze } from "./shape.js";

export interface Rows {
  /** The input's values with `dim` last, row after row (read only; CPU storage only: on the webgpu device the kernels read `source`). */
  readonly data: TypedArray;
  /** Number of rows (product of the other dims). */
  outer: number;
  /** Length of each row (the size of `dim`). */
  size: number;
  /** The input's shape with `dim` moved last (a 0-d input is read as [1]). */
  shape: number[];
  /** `dim`, normalised (0 for a 0-d input). */
  dim: number;
  /** Whether the input was 0-d. */
  scalar: boolean;
  /** The contiguous tensor `data` views: held so that its storage outlives every use of `data`. */
  source: Tensor;
}

/** Reads `x` as rows along `dim`, which `op` names in its errors. */
export function rowsAlong(op: string, x: Tensor, dim: number): Rows {
  const scalar = x.ndim === 0;
  const d = normalizeDim(op, dim, x.ndim);
  const t = scalar ? reshape(x.detach(), [1]) : x.detach();
  const last = t.ndim - 1;
  const c = contiguous(d === last ? t : transpose(t, d, last));
  const size = t.shape[d]!;
  return {
    get data() {
      return contiguousData(c);
    },
    outer: size === 0 ? 0 : c.numel() / size,
    size,
    shape: c.shape.slice(),
    dim: d,
    scalar,
    source: c,
  };
}

/** A new contiguous tensor in the rows' layout with each row `length` long (default: as the input's). */
export function rowsTensor(rows: Rows, dtype: DType, length = rows.size, zeroed = false): Tensor {
  const shape = [...rows.shape.slice(0, -1), length];
  const device = rows.source.storage.device;
  return zeroed ? emptyTensor(shape, dtype, "rows", device) : resultTensor(shape, dtype, "rows", device);
}

/**
 * A tensor in the rows' layout back in the input's: `dim` returned to its place, contiguous;
 * `keepdim` false drops `dim` (for reductions, whose rows have length 1).
 */
export function fromRows(t: Tensor, rows: Rows, keepdim = true): Tensor {
  const last = t.ndim - 1;
  const back = rows.dim === last ? t : contiguous(transpose(t, rows.dim, last));
  if (rows.scalar) return back.numel() === 1 ? reshape(back, []) : back;
  return keepdim ? back : reshape(back, back.shape.filter((_, i) => i !== rows.dim));
}

/**
 * The gradient of values picked from `x` along `d` at `indices`: g scattered back to those
 * positions, zeros elsewhere (PyTorch's value_selecting_reduction_backward). As an op, so that
 * a recorded backward (createGraph) reaches g.
 */
export function pickedGradient(g: Tensor, inputShape: readonly number[], d: number, indices: Tensor, keepdim = true): Tensor {
  if (inputShape.length === 0) return reshape(g, []);
  const gi = keepdim ? g : unsqueeze(g, d);
  const ii = keepdim ? indices : unsqueeze(indices, d);
  return scatterAdd(emptyTensor(inputShape, g.dtype, "alongDim", g.storage.device), d, ii, gi);
}
