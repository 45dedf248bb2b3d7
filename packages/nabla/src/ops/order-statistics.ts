/**
 * Order statistics along a dim: kthvalue, median (the lower median, as PyTorch), nanmedian and
 * mode, each returning `{ values, indices }`; median and nanmedian of the whole tensor return the
 * value alone. The index among equal values is the one PyTorch 1.13's CPU kernels pick: kthvalue
 * runs PyTorch's own quickselect, median `std::nth_element` and mode `std::sort` (ported in
 * std-algorithms.ts). A NaN makes median NaN (the first NaN's index); nanmedian skips NaNs.
 */
import { recordOp } from "../autograd/node.js";
import { ShapeError } from "../errors.js";
import type { TypedArray } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { fromRows, pickedGradient, rowsAlong, rowsTensor, type Rows } from "./along-dim.js";
import { BOOLEAN, INTEGER, readArgs, requireTensor, type WithOptions } from "./arguments.js";
import { webgpuContext } from "../backend/device.js";
import { modeShader } from "../backend/webgpu/wgsl-mode.js";
import { div, eq, gt, mul, ne, sub, toDType, where } from "./elementwise.js";
import { filledTensor } from "./helpers.js";
import { gather } from "./indexing.js";
import { isnan } from "./nonfinite.js";
import { sum } from "./reduce.js";
import { ValuesIndices } from "./values-indices.js";
import { reshape } from "./shape.js";
import { PairRange, type Less } from "./std-algorithms.js";

export interface DimKeepdimOptions {
  /** The dim to reduce (default -1). */
  dim?: number;
  /** Keep the reduced dim with size 1 (default false). */
  keepdim?: boolean;
}

type DimKeepdimArgs = WithOptions<[dim: number, keepdim: boolean], DimKeepdimOptions>;

const plainLess: Less = (a, b) => a < b;
/** median's order: by value, equal values by position, so the median's index is unique. */
const byValueThenIndex: Less = (a, b, ia, ib) => a < b || (a === b && ia < ib);
/** nanmedian's: the same with NaN after every number. */
const byValueThenIndexNanLast: Less = (a, b, ia, ib) => a < b || (a === b && ia < ib) || (b !== b && a === a);

/** PyTorch's `gt_or_nan`: NaN above every number. */
const greaterOrNan = (a: number, b: number) => a > b || (a !== a && b === b);

/**
 * PyTorch's quick_select_template (SortingUtils.h): partially orders the pairs of `range` so
 * that position k holds the k-th smallest, NaN largest; the pivot moves decide which of equal
 * values ends up at k.
 */
function quickSelect(range: PairRange, n: number, k: number): void {
  const { keys: arr, idx } = range;
  const swap = (i: number, j: number) => {
    const v = arr[i]!;
    arr[i] = arr[j]!;
    arr[j] = v;
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  };
  let left = 0;
  let right = n - 1;
  for (;;) {
    if (right <= left) return;
    if (right === left + 1) {
      if (greaterOrNan(arr[left]!, arr[right]!)) swap(left, right);
      return;
    }
    // median of three for the pivot
    swap(left + ((right - left) >> 1), left + 1);
    if (greaterOrNan(arr[left + 1]!, arr[right]!)) swap(left + 1, right);
    if (greaterOrNan(arr[left]!, arr[right]!)) swap(left, right);
    if (greaterOrNan(arr[left + 1]!, arr[left]!)) swap(left + 1, left);
    let i = left + 1;
    let j = right;
    const pivot = arr[left]!;
    for (;;) {
      do i++;
      while (greaterOrNan(pivot, arr[i]!));
      do j--;
      while (greaterOrNan(arr[j]!, pivot));
      if (j < i) break;
      swap(i, j);
    }
    swap(left, j);
    if (j <= k) left = i;
    if (j >= k) right = j - 1;
  }
}

/** Kernel: the k-th smallest (1-based) of each row and its position. */
export function kthvalueRows(data: TypedArray, outer: number, n: number, k: number, values: TypedArray, indices: Int32Array): void {
  const range = new PairRange(new Float64Array(n), new Int32Array(n), greaterOrNan);
  for (let r = 0; r < outer; r++) {
    range.load(data, r * n, n);
    quickSelect(range, n, k - 1);
    values[r] = range.keys[k - 1]!;
    indices[r] = range.idx[k - 1]!;
  }
}

/** Kernel: the lower median of each row; NaN (the first one) if the row has one, unless `skipNan`. */
export function medianRows(data: TypedArray, outer: number, n: number, skipNan: boolean, values: TypedArray, indices: Int32Array): void {
  const range = new PairRange(new Float64Array(n), new Int32Array(n), skipNan ? byValueThenIndexNanLast : byValueThenIndex);
  for (let r = 0; r < outer; r++) {
    range.load(data, r * n, n);
    let nans = 0;
    let firstNan = -1;
    for (let i = 0; i < n; i++) {
      if (range.keys[i] !== range.keys[i]) {
        nans++;
        if (firstNan < 0) firstNan = i;
      }
    }
    if (!skipNan && firstNan >= 0) {
      values[r] = NaN;
      indices[r] = firstNan;
      continue;
    }
    // C++ integer division: all-NaN rows (skipNan) give position 0
    const nth = Math.trunc((n - (skipNan ? nans : 0) - 1) / 2);
    range.nthElement(0, nth, n);
    values[r] = range.keys[nth]!;
    indices[r] = range.idx[nth]!;
  }
}

/** Kernel: the most frequent value of each row (the smallest of equally frequent ones) and the index PyTorch reports for it. */
export function modeRows(data: TypedArray, outer: number, n: number, values: TypedArray, indices: Int32Array): void {
  const range = new PairRange(new Float64Array(n), new Int32Array(n), plainLess);
  for (let r = 0; r < outer; r++) {
    range.load(data, r * n, n);
    range.sort(0, n);
    let mode = 0;
    let modeIndex = 0;
    let run = 0;
    let best = 0;
    for (let i = 0; i < n; i++) {
      run++;
      if (i === n - 1 || range.keys[i] !== range.keys[i + 1]) {
        if (run > best) {
          mode = range.keys[i]!;
          modeIndex = range.idx[i]!;
          best = run;
        }
        run = 0;
      }
    }
    values[r] = mode;
    indices[r] = modeIndex;
  }
}

type RowReduction = (rows: Rows, values: TypedArray, indices: Int32Array) => void;

/**
 * On the webgpu device, which place of each row's stable ascending sort (NaN last) to take: an
 * int32 tensor of the rows' shape with a last dim of 1 (made on the device from `source`, the rows).
 */
type SortedPosition = (rows: Rows) => Tensor;

/**
 * An order statistic on the webgpu device: each row sorted by the sort kernel (stable, NaN last),
 * then the place `position` names gathered from the values and their indices. Ties give the
 * lowest index among equal values (the CPU's selection may give another of them, as PyTorch's).
 */
function pickSorted(op: string, rows: Rows, position: SortedPosition): ValuesIndices {
  const sortedValues = rowsTensor(rows, rows.source.dtype);
  const sortedIndices = rowsTensor(rows, "int32");
  webgpuContext(op).sort(rows.source.storage.gpu, rows.source.offset, rows.outer, rows.size, rows.size, false, sortedValues.storage.gpu, sortedIndices.storage.gpu);
  const at = position(rows);
  const last = rows.shape.length - 1;
  return new ValuesIndices(gather(sortedValues, last, at), gather(sortedIndices, last, at));
}

/** The rows' NaN count as int32 [..., 1] (0 for integer rows). */
const nanCount = (rows: Rows): Tensor => sum(toDType(isnan(rows.source), "int32"), rows.shape.length - 1, { keepdim: true });

/**
 * mode on the webgpu device: each row sorted by the sort kernel, then its longest run of equal
 * values found by one thread per row (wgsl-mode.ts).
 */
function modeOnDevice(rows: Rows): ValuesIndices {
  const gpu = webgpuContext("mode");
  const sortedValues = rowsTensor(rows, rows.source.dtype);
  const sortedIndices = rowsTensor(rows, "int32");
  gpu.sort(rows.source.storage.gpu, rows.source.offset, rows.outer, rows.size, rows.size, false, sortedValues.storage.gpu, sortedIndices.storage.gpu);
  const values = rowsTensor(rows, rows.source.dtype, 1);
  const indices = rowsTensor(rows, "int32", 1);
  const dtype = values.storage.gpu.dtype;
  gpu.threads(`mode:${dtype}`, () => modeShader(dtype), [sortedValues.storage.gpu, values.storage.gpu, sortedIndices.storage.gpu, indices.storage.gpu], [rows.outer, rows.size], rows.outer);
  return new ValuesIndices(values, indices);
}

/** Runs a reduction kernel over the rows along `dim` and records the gradient to the picked elements. */
function reduceRows(op: string, node: string, x: Tensor, dim: number, keepdim: boolean, kernel: RowReduction, onDevice?: (rows: Rows) => ValuesIndices): ValuesIndices {
  const rows = rowsAlong(op, x, dim);
  if (rows.size === 0) throw new ShapeError(`${op}: expected reduction dim ${rows.dim} to have non-zero size`);
  let values: Tensor;
  let indices: Tensor;
  if (x.storage.device !== "cpu" && onDevice !== undefined) {
    ({ values, indices } = onDevice(rows));
  } else {
    values = rowsTensor(rows, x.dtype, 1);
    indices = rowsTensor(rows, "int32", 1);
    kernel(rows, values.storage.data, indices.storage.data as Int32Array);
  }
  const v = fromRows(values, rows, keepdim);
  const i = fromRows(indices, rows, keepdim);
  recordOp(node, v, [x], (g) => [pickedGradient(g, x.shape, rows.dim, i, keepdim)]);
  return new ValuesIndices(v, i);
}

function readDimKeepdim(op: string, args: readonly unknown[]): Required<DimKeepdimOptions> {
  const { dim = -1, keepdim = false } = readArgs<DimKeepdimOptions>(op, args, [
    ["dim", INTEGER],
    ["keepdim", BOOLEAN],
  ]);
  return { dim, keepdim };
}

/** The k-th smallest value (k from 1) along `dim` and its index (int32). */
export function kthvalue(x: Tensor, k: number, ...args: DimKeepdimArgs): ValuesIndices {
  requireTensor("kthvalue", "input", x);
  if (typeof k !== "number" || !Number.isInteger(k)) throw new TypeError(`kthvalue: argument 'k' must be an integer, but got ${String(k)}`);
  const { dim, keepdim } = readDimKeepdim("kthvalue", args);
  const d = normalizeDim("kthvalue", dim, x.ndim);
  const size = x.ndim === 0 ? 1 : x.shape[d]!;
  if (k < 1 || k > size) throw new ShapeError(`kthvalue: k (${k}) is out of range for dimension ${d} of size ${size}`);
  return reduceRows(
    "kthvalue",
    "KthvalueBackward0",
    x,
    dim,
    keepdim,
    (rows, values, indices) => kthvalueRows(rows.data, rows.outer, rows.size, k, values, indices),
    (rows) => pickSorted("kthvalue", rows, (r) => filledTensor([...r.shape.slice(0, -1), 1], "int32", k - 1, r.source.storage.device)),
  );
}

/** The lower median of all elements: with a NaN present, NaN (nanmedian: of the non-NaN ones). */
function medianAll(op: "median" | "nanmedian", x: Tensor): Tensor {
  const skipNan = op === "nanmedian";
  const flat = reshape(x.detach(), [-1]);
  const rows = rowsAlong(op, flat, 0);
  if (rows.size === 0) throw new ShapeError(`${op}: expected a non-empty tensor (the median of no values is undefined)`);
  let values: Tensor;
  if (x.storage.device !== "cpu") values = pickSorted(op, rows, (r) => medianPosition(r, skipNan)).values;
  else {
    values = rowsTensor(rows, x.dtype, 1);
    medianRows(rows.data, 1, rows.size, skipNan, values.storage.data, new Int32Array(1));
  }
  const out = reshape(values, []);
  // ties share the gradient evenly (PyTorch's evenly_distribute_backward); a NaN result picks the NaNs
  return recordOp(skipNan ? "NanmedianBackward0" : "MedianBackward0", out, [x], (g) => {
    // (on the device the choice is a select: the result is not read back)
    const picked = x.storage.device !== "cpu" ? where(isnan(out), ne(x, x), eq(x, out)) : Number.isNaN(out.item()) ? ne(x, x) : eq(x, out);
    return [mul(picked, div(g, sum(picked)))];
  }, [x]);
}

/**
 * Where the lower median sits in a row sorted with NaN last: with a NaN (median), the first NaN,
 * at n − count; else (n − 1) / 2 rounded down; nanmedian's (n − count − 1) / 2 rounded toward
 * zero (an all-NaN row: 0), as medianRows.
 */
function medianPosition(rows: Rows, skipNan: boolean): Tensor {
  const n = rows.size;
  const count = nanCount(rows);
  // int32 conversion truncates toward zero, as C++'s integer division (−1 / 2 = 0)
  if (skipNan) return toDType(div(sub(n - 1, count), 2), "int32");
  return where(gt(count, 0), sub(n, count), Math.floor((n - 1) / 2));
}

function medianWith(op: "median" | "nanmedian", x: Tensor, args: readonly unknown[]): Tensor | ValuesIndices {
  requireTensor(op, "input", x);
  if (args.length === 0) return medianAll(op, x);
  const given = readArgs<DimKeepdimOptions>(op, args, [
    ["dim", INTEGER],
    ["keepdim", BOOLEAN],
  ]);
  if (given.dim === undefined) {
    if (given.keepdim !== undefined) throw new TypeError(`${op}: keepdim needs a dim`);
    return medianAll(op, x);
  }
  const skipNan = op === "nanmedian";
  return reduceRows(
    op,
    skipNan ? "NanmedianBackward1" : "MedianBackward1",
    x,
    given.dim,
    given.keepdim ?? false,
    (rows, values, indices) => medianRows(rows.data, rows.outer, rows.size, skipNan, values, indices),
    (rows) => pickSorted(op, rows, (r) => medianPosition(r, skipNan)),
  );
}

/**
 * With no dim, the lower median of all elements (a 0-d tensor); with a dim, `{ values, indices }`
 * of the lower median along it. Any NaN makes the median NaN.
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, ...rest: WithOptions<[keepdim: boolean], DimKeepdimOptions>): ValuesIndices;
export function median(x: Tensor, options: DimKeepdimOptions & { dim: number }): ValuesIndices;
export function median(x: Tensor, ...args: DimKeepdimArgs): Tensor | ValuesIndices;
export function median(x: Tensor, ...args: unknown[]): Tensor | ValuesIndices {
  return medianWith("median", x, args);
}

/** median that ignores NaNs (NaN only where every value is NaN). */
export function nanmedian(x: Tensor): Tensor;
export function nanmedian(x: Tensor, dim: number, ...rest: WithOptions<[keepdim: boolean], DimKeepdimOptions>): ValuesIndices;
export function nanmedian(x: Tensor, options: DimKeepdimOptions & { dim: number }): ValuesIndices;
export function nanmedian(x: Tensor, ...args: DimKeepdimArgs): Tensor | ValuesIndices;
export function nanmedian(x: Tensor, ...args: unknown[]): Tensor | ValuesIndices {
  return medianWith("nanmedian", x, args);
}

/** The most frequent value along `dim` (the smallest of equally frequent ones) and an index of it. */
export function mode(x: Tensor, ...args: DimKeepdimArgs): ValuesIndices {
  requireTensor("mode", "input", x);
  const { dim, keepdim } = readDimKeepdim("mode", args);
  return reduceRows(
    "mode",
    "ModeBackward0",
    x,
    dim,
    keepdim,
    (rows, values, indices) => modeRows(rows.data, rows.outer, rows.size, values, indices),
    modeOnDevice,
  );
}
