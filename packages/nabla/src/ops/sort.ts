/**
 * Sorting along a dim: sort, argsort, msort and topk. NaN sorts as the largest value. Ties are
 * ordered by the very algorithms PyTorch's CPU build runs (libstdc++'s introsort for an unstable
 * sort, its heap select / introselect for topk; see std-algorithms.ts), so indices of equal
 * values come out as PyTorch 1.13's; `stable: true` keeps equal values in input order. The
 * gradient of the values goes back to the elements they were taken from.
 */
import { recordOp } from "../autograd/node.js";
import { webgpuContext } from "../backend/device.js";
import { DTypeError, ShapeError } from "../errors.js";
import type { TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { fromRows, pickedGradient, rowsAlong, rowsTensor } from "./along-dim.js";
import { BOOLEAN, INTEGER, readArgs, requireTensor, type WithOptions } from "./arguments.js";
import { ValuesIndices } from "./values-indices.js";
import { ascendingNanLast, descendingNanFirst, PairRange } from "./std-algorithms.js";

export interface SortOptions {
  /** The dim to sort along (default -1). */
  dim?: number;
  /** Largest first (default false). */
  descending?: boolean;
  /** Keep equal values in input order (default false: PyTorch's CPU order for ties). */
  stable?: boolean;
}

/** `sort(x, dim?, descending?, { stable }?)` or `sort(x, { dim, descending, stable })`. */
export type SortArgs = WithOptions<[dim: number, descending: boolean], SortOptions>;

/**
 * Sorts each of `outer` rows of `n` values of `data`, writing the sorted values and the
 * positions they came from.
 */
export function sortRows(
  data: TypedArray,
  outer: number,
  n: number,
  descending: boolean,
  stable: boolean,
  values: TypedArray,
  indices: Int32Array,
): void {
  const range = new PairRange(new Float64Array(n), new Int32Array(n), descending ? descendingNanFirst : ascendingNanLast);
  for (let r = 0; r < outer; r++) {
    const base = r * n;
    range.load(data, base, n);
    if (stable) range.stableSort(0, n);
    else range.sort(0, n);
    values.set(range.keys, base);
    indices.set(range.idx, base);
  }
}

function readSortArgs(op: string, args: readonly unknown[]): Required<SortOptions> {
  const { dim = -1, descending = false, stable = false } = readArgs<SortOptions>(
    op,
    args,
    [
      ["dim", INTEGER],
      ["descending", BOOLEAN],
    ],
    [["stable", BOOLEAN]],
  );
  return { dim, descending, stable };
}

function sortWith(op: string, x: Tensor, { dim, descending, stable }: Required<SortOptions>): ValuesIndices {
  requireTensor(op, "input", x);
  const rows = rowsAlong(op, x, dim);
  const values = rowsTensor(rows, x.dtype);
  const indices = rowsTensor(rows, "int32");
  if (x.storage.device === "cpu") sortRows(rows.data, rows.outer, rows.size, descending, stable, values.storage.data, indices.storage.data as Int32Array);
  // on the webgpu device the sort is always stable (a valid order of ties for an unstable sort too)
  else webgpuContext(op).sort(rows.source.storage.gpu, rows.source.offset, rows.outer, rows.size, rows.size, descending, values.storage.gpu, indices.storage.gpu);
  const v = fromRows(values, rows);
  const i = fromRows(indices, rows);
  recordOp("SortBackward0", v, [x], (g) => [pickedGradient(g, x.shape, rows.dim, i)]);
  return new ValuesIndices(v, i);
}

/** The values along `dim` in order, and the indices (int32) they had in the input. */
export function sort(x: Tensor, ...args: SortArgs): ValuesIndices {
  return sortWith("sort", x, readSortArgs("sort", args));
}

/** The indices that sort `x` along `dim` (int32): `sort(x, …).indices`. */
export function argsort(x: Tensor, ...args: SortArgs): Tensor {
  return sortWith("argsort", x, readSortArgs("argsort", args)).indices;
}

/** `x` sorted along its first dim (PyTorch's msort). */
export function msort(x: Tensor): Tensor {
  return sortWith("msort", x, { dim: 0, descending: false, stable: false }).values;
}

export interface TopkOptions {
  /** The dim to pick along (default -1). */
  dim?: number;
  /** The k largest (default) or, with false, the k smallest. */
  largest?: boolean;
  /** Return them in order (default true); unsorted, the order is PyTorch's. */
  sorted?: boolean;
}

/**
 * Picks the k largest (or smallest) of each row of `n` values as PyTorch's CPU kernel does:
 * a partial sort when k·64 ≤ n, else nth_element and a sort of the first k − 1.
 */
export function topkRows(
  data: TypedArray,
  outer: number,
  n: number,
  k: number,
  largest: boolean,
  sorted: boolean,
  values: TypedArray,
  indices: Int32Array,
): void {
  if (k === 0) return;
  const range = new PairRange(new Float64Array(n), new Int32Array(n), largest ? descendingNanFirst : ascendingNanLast);
  for (let r = 0; r < outer; r++) {
    range.load(data, r * n, n);
    if (k * 64 <= n) {
      range.partialSort(0, k, n);
    } else {
      range.nthElement(0, k - 1, n);
      if (sorted) range.sort(0, k - 1);
    }
    values.set(range.keys.subarray(0, k), r * k);
    indices.set(range.idx.subarray(0, k), r * k);
  }
}

/** The k largest (or smallest) values along `dim` and their indices (int32). */
export function topk(x: Tensor, k: number, ...args: WithOptions<[dim: number, largest: boolean, sorted: boolean], TopkOptions>): ValuesIndices {
  requireTensor("topk", "input", x);
  if (typeof k !== "number" || !Number.isInteger(k)) throw new TypeError(`topk: argument 'k' must be an integer, but got ${String(k)}`);
  const { dim = -1, largest = true, sorted = true } = readArgs<TopkOptions>("topk", args, [
    ["dim", INTEGER],
    ["largest", BOOLEAN],
    ["sorted", BOOLEAN],
  ]);
  if (x.dtype === "bool") throw new DTypeError(`topk: not implemented for bool tensors (PyTorch's "topk_cpu" not implemented for 'Bool')`);
  const rows = rowsAlong("topk", x, dim);
  if (k < 0 || k > rows.size) {
    throw new ShapeError(`topk: k (${k}) is out of range for dimension ${rows.dim} of size ${rows.size}`);
  }
  const values = rowsTensor(rows, x.dtype, k);
  const indices = rowsTensor(rows, "int32", k);
  if (x.storage.device === "cpu") topkRows(rows.data, rows.outer, rows.size, k, largest, sorted, values.storage.data, indices.storage.data as Int32Array);
  // on the webgpu device: the first k places of the stable sort (ties in input order, always sorted)
  else webgpuContext("topk").sort(rows.source.storage.gpu, rows.source.offset, rows.outer, rows.size, k, largest, values.storage.gpu, indices.storage.gpu);
  const v = fromRows(values, rows);
  const i = fromRows(indices, rows);
  recordOp("TopkBackward0", v, [x], (g) => [pickedGradient(g, x.shape, rows.dim, i)]);
  return new ValuesIndices(v, i);
}
