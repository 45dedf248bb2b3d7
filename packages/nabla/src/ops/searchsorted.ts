/**
 * Binary search into sorted boundaries: searchsorted (the index where each value would be
 * inserted to keep each row of a sorted sequence sorted) and bucketize (the same with one 1-D
 * boundary tensor, arguments the other way round). Indices are int32 (PyTorch: int64 unless
 * out_int32). The searches are PyTorch's own lower/upper bound loops, so NaNs land where
 * PyTorch's do (past the end). Not differentiable.
 */
import { OptionError, ShapeError, formatShape, DTypeError } from "../errors.js";
import type { TypedArray } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { BOOLEAN, readArgs, requireTensor, TENSOR, type ArgKind, type WithOptions } from "./arguments.js";
import { emptyTensor, scalarTensor } from "./helpers.js";
import { sameDevice, webgpuContext } from "../backend/device.js";
import { isFloating } from "../tensor/dtype.js";
import { toDType } from "./elementwise.js";
import { checkIndexRange } from "./indexing.js";
import { contiguous } from "./shape.js";

export interface SearchsortedOptions {
  /** Return the last suitable index (after equal boundaries) instead of the first. */
  right?: boolean;
  /** "left" (default) or "right": the same choice as `right`, by name. */
  side?: "left" | "right";
  /** Indices that sort each row of an unsorted sequence (int32, as argsort returns). */
  sorter?: Tensor;
  /** Accepted for PyTorch's signature; indices are int32 either way. */
  outInt32?: boolean;
}

/**
 * Kernel: for each of `rows` rows, the insertion points of its `m` values in its `n` sorted
 * boundaries (one shared row of boundaries when `sharedBoundaries`), through `sorter` if given.
 */
export function searchRows(
  boundaries: TypedArray,
  n: number,
  values: TypedArray,
  m: number,
  rows: number,
  sharedBoundaries: boolean,
  right: boolean,
  sorter: TypedArray | null,
  out: Int32Array,
): void {
  for (let r = 0; r < rows; r++) {
    const base = sharedBoundaries ? 0 : r * n;
    for (let i = 0; i < m; i++) {
      const v = values[r * m + i]!;
      let start = 0;
      let end = n;
      while (start < end) {
        const mid = start + ((end - start) >> 1);
        const b = boundaries[base + (sorter === null ? mid : sorter[base + mid]!)]!;
        // PyTorch's cus_lower_bound / cus_upper_bound: the negated tests send NaN right
        if (right ? !(b > v) : !(b >= v)) start = mid + 1;
        else end = mid;
      }
      out[r * m + i] = start;
    }
  }
}

const SIDE: ArgKind = { expected: '"left" or "right"', test: (v) => v === "left" || v === "right" };

/** Indices into each row of `sortedSequence` where the values would be inserted to keep it sorted. */
export function searchsorted(sortedSequence: Tensor, values: Tensor | number, options: SearchsortedOptions = {}): Tensor {
  const seq = requireTensor("searchsorted", "sortedSequence", sortedSequence);
  const { right = false, side, sorter } = readArgs<SearchsortedOptions>("searchsorted", [options], [], [
    ["right", BOOLEAN],
    ["side", SIDE],
    ["sorter", TENSOR],
    ["outInt32", BOOLEAN],
  ]);
  if (side === "left" && right) {
    throw new OptionError("searchsorted: side and right can't be set to opposites, got side of left while right was true");
  }
  const device = seq.storage.device;
  const v = typeof values === "number" ? scalarTensor(values, device === "cpu" ? "float64" : "float32", device) : requireTensor("searchsorted", "values", values);
  if (seq.ndim === 0) throw new ShapeError("searchsorted: boundaries tensor should have at least 1 dimension, but got a 0-d tensor");
  const shared = seq.ndim === 1;
  if (!shared && (v.ndim !== seq.ndim || seq.shape.slice(0, -1).some((s, i) => s !== v.shape[i]))) {
    throw new ShapeError(
      `searchsorted: boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, ` +
        `but we got boundaries tensor ${formatShape(seq.shape)} and input value tensor ${formatShape(v.shape)}`,
    );
  }
  if (sorter !== undefined) {
    if (sorter.dtype !== "int32") throw new DTypeError(`searchsorted: sorter must be an int32 tensor (as argsort returns), got ${sorter.dtype}`);
    if (sorter.shape.length !== seq.ndim || sorter.shape.some((s, i) => s !== seq.shape[i])) {
      throw new ShapeError(`searchsorted: boundary and sorter must have the same size, but got boundary ${formatShape(seq.shape)} and sorter ${formatShape(sorter.shape)}`);
    }
  }
  const n = seq.shape[seq.ndim - 1]!;
  const m = v.ndim === 0 ? 1 : v.shape[v.ndim - 1]!;
  if (device !== "cpu") return searchOnDevice(seq, v, sorter ?? null, n, m, shared, right || side === "right");
  const out = emptyTensor(v.shape, "int32");
  const sorterData = sorter === undefined ? null : sorter.toTypedArray();
  if (sorterData !== null && sorterData.some((i) => i < 0 || i >= n)) {
    throw new ShapeError(`searchsorted: sorter index out of range for a sequence of length ${n}`);
  }
  searchRows(seq.toTypedArray(), n, v.toTypedArray(), m, m === 0 ? 0 : v.numel() / m, shared, right || side === "right", sorterData, out.storage.data as Int32Array);
  return out;
}

/**
 * searchsorted on the webgpu device (wgsl-searchsorted.ts): boundaries and values converted to
 * their common type first (float32, or int32 for two integer tensors), the sorter checked there
 * (the CPU's error at the next read).
 */
function searchOnDevice(seq: Tensor, v: Tensor, sorter: Tensor | null, n: number, m: number, shared: boolean, right: boolean): Tensor {
  sameDevice("searchsorted", sorter === null ? [seq, v] : [seq, v, sorter]);
  const type = isFloating(seq.dtype) || isFloating(v.dtype) ? "float32" : "int32";
  const b = contiguous(toDType(seq.detach(), type));
  const values = contiguous(toDType(v.detach(), type));
  let sorted: Tensor | null = null;
  if (sorter !== null) {
    sorted = contiguous(sorter);
    checkIndexRange("searchsorted", sorted, 0, n, () => new ShapeError(`searchsorted: sorter index out of range for a sequence of length ${n}`));
  }
  const out = emptyTensor(v.shape, "int32", "searchsorted", seq.storage.device);
  const rows = m === 0 ? 0 : v.numel() / m;
  webgpuContext("searchsorted").searchsorted({
    boundaries: b.storage.gpu, boundariesOffset: b.offset, values: values.storage.gpu, valuesOffset: values.offset,
    sorter: sorted?.storage.gpu ?? null, sorterOffset: sorted?.offset ?? 0, rows, m, n, shared, right, out: out.storage.gpu,
  });
  return out;
}

export interface BucketizeOptions {
  /** Put values equal to a boundary after it (default false: before). */
  right?: boolean;
  /** Accepted for PyTorch's signature; indices are int32 either way. */
  outInt32?: boolean;
}

/** The bucket of each value among the sorted 1-D `boundaries` (searchsorted with the arguments swapped). */
export function bucketize(input: Tensor | number, boundaries: Tensor, ...args: WithOptions<[], BucketizeOptions>): Tensor {
  const b = requireTensor("bucketize", "boundaries", boundaries);
  const { right = false } = readArgs<BucketizeOptions>("bucketize", args, [], [
    ["right", BOOLEAN],
    ["outInt32", BOOLEAN],
  ]);
  if (b.ndim !== 1) throw new ShapeError(`bucketize: boundaries tensor must be 1 dimension, but got dim(${b.ndim})`);
  const v = input instanceof Tensor ? input : typeof input === "number" ? input : requireTensor("bucketize", "input", input);
  return searchsorted(b, v, { right });
}
