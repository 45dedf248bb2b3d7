/**
 * unique and uniqueConsecutive: the distinct values (or, with `dim`, distinct slices along dim),
 * optionally with `inverse` (where each input element went) and `counts`. Results come back as
 * PyTorch's tuple does: a Tensor alone, or `[values, inverse]`, `[values, counts]`,
 * `[values, inverse, counts]`. Indices and counts are int32. Not differentiable (nor in PyTorch).
 *
 * unique always returns sorted values: with `sorted: false` PyTorch's CPU build returns its hash
 * set's order, which no other program can promise; sorted is one of the orders it allows. NaNs
 * never equal each other, so each NaN is its own value (last), as PyTorch's kernels treat them.
 */
import { ShapeError } from "../errors.js";
import type { TypedArray } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { BOOLEAN, INTEGER, readArgs, requireTensor, type WithOptions } from "./arguments.js";
import { webgpuContext } from "../backend/device.js";
import { UNIQUE_COUNTS_SHADER, UNIQUE_GROUPS_SHADER, uniqueFlagsShader, uniqueOrderShader } from "../backend/webgpu/wgsl-unique.js";
import { contiguousData, emptyTensor, fromTypedArray, resultTensor } from "./helpers.js";
import { indexSelect } from "./index-select.js";
import { cumsum } from "./scan.js";
import { contiguous, reshape, transpose } from "./shape.js";

export interface UniqueOptions {
  /** Sorted ascending (default true; nabla always sorts, see above). */
  sorted?: boolean;
  /** Also return, for each input element (or slice), the index of its value in the output. */
  returnInverse?: boolean;
  /** Also return how many times each output value occurs. */
  returnCounts?: boolean;
  /** Unique slices along this dim instead of unique elements (null: the flattened input). */
  dim?: number | null;
}

export type UniqueConsecutiveOptions = Omit<UniqueOptions, "sorted">;

/** What unique returns without the flags, and with one or both. */
type Flags = { returnInverse?: boolean; returnCounts?: boolean };

interface Groups {
  /** For each group in output order, the input position of one member. */
  representatives: number[];
  /** For each input position, its group. */
  inverse: Int32Array;
  counts: number[];
}

/**
 * Kernel: groups the `n` items (values, or rows of `width` values) of `data`: sorted first
 * when `sortFirst`, equal neighbours merged. NaN never equals anything.
 */
export function groupItems(data: TypedArray, n: number, width: number, sortFirst: boolean): Groups {
  if (sortFirst && width === 1) return groupValues(data, n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (sortFirst) {
    const compareRows = (a: number, b: number): number => {
      for (let j = 0; j < width; j++) {
        const x = data[a * width + j]!;
        const y = data[b * width + j]!;
        if (x < y) return -1;
        if (x > y) return 1;
      }
      return 0;
    };
    order.sort(compareRows);
  }
  const sameItem = (a: number, b: number): boolean => {
    for (let j = 0; j < width; j++) if (data[a * width + j] !== data[b * width + j]) return false;
    return true;
  };
  const representatives: number[] = [];
  const counts: number[] = [];
  const inverse = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const item = order[k]!;
    if (k === 0 || !sameItem(order[k - 1]!, item)) {
      representatives.push(item);
      counts.push(0);
    }
    inverse[item] = representatives.length - 1;
    counts[counts.length - 1]!++;
  }
  return { representatives, inverse, counts };
}

/**
 * Sorted grouping of single values: the engine's numeric sort (NaN last) finds the distinct
 * values, a binary search each element's group; every NaN is a group of its own, in input order.
 */
function groupValues(data: TypedArray, n: number): Groups {
  const sorted = Float64Array.from(data.subarray(0, n)).sort();
  const distinct: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (v !== v) break;
    if (i === 0 || v !== sorted[i - 1]) distinct.push(v);
  }
  const inverse = new Int32Array(n);
  const counts = new Array<number>(distinct.length).fill(0);
  const representatives: number[] = new Array<number>(distinct.length).fill(-1);
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    let group: number;
    if (v !== v) {
      group = counts.length;
      counts.push(0);
      representatives.push(i);
    } else {
      let lo = 0;
      let hi = distinct.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (distinct[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
      group = lo;
      if (representatives[group] === -1) representatives[group] = i;
    }
    inverse[i] = group;
    counts[group]!++;
  }
  return { representatives, inverse, counts };
}

/**
 * unique / uniqueConsecutive on the webgpu device (wgsl-unique.ts): the items (values, or the
 * slices along dim as rows) ordered, grouped, the number of groups read back (the one synchronous
 * read: the result's size depends on it, as in PyTorch's CUDA unique), then each group's
 * representative item gathered, its count and every item's group written there.
 */
function uniqueOnDevice(op: string, x: Tensor, sortFirst: boolean, d: number | undefined, flags: Flags): Tensor | Tensor[] {
  const device = x.storage.device;
  const items = d === undefined ? reshape(contiguous(x.detach()), [-1, 1]) : contiguous(d === 0 ? x.detach() : transpose(x.detach(), 0, d));
  const n = d === undefined ? x.numel() : x.shape[d]!;
  const width = n === 0 ? 0 : items.numel() / n;
  const rows = reshape(items, [n, width]);
  const inverseShape = d === undefined ? x.shape : [n];
  let groups = 0;
  let representatives = emptyTensor([0], "int32", op, device);
  let inverse = emptyTensor(inverseShape, "int32", op, device);
  let counts = emptyTensor([0], "int32", op, device);
  if (n > 0) {
    const gpu = webgpuContext(op);
    const dtype = x.storage.gpu.dtype;
    const data = rows.storage.gpu;
    const order = resultTensor([n], "int32", op, device);
    gpu.threads(`unique:order:${dtype}`, () => uniqueOrderShader(dtype), [data, order.storage.gpu], [n, width, rows.offset, sortFirst ? 1 : 0], n);
    const starts = resultTensor([n], "int32", op, device);
    gpu.threads(`unique:flags:${dtype}`, () => uniqueFlagsShader(dtype), [data, starts.storage.gpu, order.storage.gpu], [n, width, rows.offset], n);
    const cum = cumsum(starts, 0);
    groups = gpu.readSizeSync(op, cum.storage.gpu, cum.offset + n - 1, 1)[0]!;
    inverse = resultTensor(inverseShape, "int32", op, device);
    representatives = resultTensor([groups], "int32", op, device);
    // starts is free again: it takes each group's first position
    gpu.threads("unique:groups", () => UNIQUE_GROUPS_SHADER, [cum.storage.gpu, inverse.storage.gpu, order.storage.gpu, starts.storage.gpu, representatives.storage.gpu], [n], n);
    counts = resultTensor([groups], "int32", op, device);
    gpu.threads("unique:counts", () => UNIQUE_COUNTS_SHADER, [starts.storage.gpu, counts.storage.gpu], [groups, n], groups);
  }
  const picked = indexSelect(rows, 0, representatives);
  let values: Tensor;
  if (d === undefined) values = reshape(picked, [groups]);
  else {
    const slices = reshape(picked, [groups, ...items.shape.slice(1)]);
    values = d === 0 ? slices : contiguous(transpose(slices, 0, d));
  }
  if (!flags.returnInverse && !flags.returnCounts) return values;
  return [values, ...(flags.returnInverse ? [inverse] : []), ...(flags.returnCounts ? [counts] : [])];
}

function uniqueWith(op: string, x: Tensor, sortFirst: boolean, dim: number | undefined, flags: Flags): Tensor | Tensor[] {
  if (x.storage.device !== "cpu") {
    if (dim !== undefined && x.ndim === 0) throw new ShapeError(`${op}: cannot take unique slices of a 0-d tensor along dim ${dim}`);
    return uniqueOnDevice(op, x, sortFirst, dim === undefined ? undefined : normalizeDim(op, dim, x.ndim), flags);
  }
  let values: Tensor;
  let inverse: Tensor;
  let groups: Groups;
  if (dim === undefined) {
    const flat = contiguous(reshape(x.detach(), [-1]));
    const data = contiguousData(flat);
    groups = groupItems(data, data.length, 1, sortFirst);
    values = fromTypedArray(groups.representatives.map((i) => data[i]!), [groups.representatives.length], x.dtype);
    inverse = fromTypedArray(groups.inverse, x.shape, "int32");
  } else {
    if (x.ndim === 0) throw new ShapeError(`${op}: cannot take unique slices of a 0-d tensor along dim ${dim}`);
    const d = normalizeDim(op, dim, x.ndim);
    // slices along d become rows: [size, everything else]
    const moved = contiguous(d === 0 ? x.detach() : transpose(x.detach(), 0, d));
    const n = x.shape[d]!;
    const width = n === 0 ? 0 : moved.numel() / n;
    const data = contiguousData(moved);
    groups = groupItems(data, n, width, sortFirst);
    const out = new Float64Array(groups.representatives.length * width);
    groups.representatives.forEach((row, k) => out.set(data.subarray(row * width, (row + 1) * width), k * width));
    const rowsShape = [groups.representatives.length, ...moved.shape.slice(1)];
    const rows = fromTypedArray(out, rowsShape, x.dtype);
    values = d === 0 ? rows : contiguous(transpose(rows, 0, d));
    inverse = fromTypedArray(groups.inverse, [n], "int32");
  }
  const counts = fromTypedArray(groups.counts, [groups.counts.length], "int32");
  if (!flags.returnInverse && !flags.returnCounts) return values;
  return [values, ...(flags.returnInverse ? [inverse] : []), ...(flags.returnCounts ? [counts] : [])];
}

/** The distinct values of `x` (sorted), or distinct slices along `dim`, with inverse and counts on request. */
export function unique(x: Tensor, options: UniqueOptions & { returnInverse: true; returnCounts: true }): [Tensor, Tensor, Tensor];
export function unique(x: Tensor, options: UniqueOptions & { returnInverse: true; returnCounts?: false }): [Tensor, Tensor];
export function unique(x: Tensor, options: UniqueOptions & { returnInverse?: false; returnCounts: true }): [Tensor, Tensor];
export function unique(x: Tensor, options?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
export function unique(x: Tensor, sorted: boolean, returnInverse?: false, returnCounts?: false, dim?: number | null): Tensor;
export function unique(
  x: Tensor,
  ...args: WithOptions<[sorted: boolean, returnInverse: boolean, returnCounts: boolean, dim: number | null], UniqueOptions>
): Tensor | Tensor[];
export function unique(x: Tensor, ...args: unknown[]): Tensor | Tensor[] {
  requireTensor("unique", "input", x);
  const { returnInverse, returnCounts, dim } = readArgs<UniqueOptions>("unique", args, [
    ["sorted", BOOLEAN],
    ["returnInverse", BOOLEAN],
    ["returnCounts", BOOLEAN],
    ["dim", INTEGER],
  ]);
  return uniqueWith("unique", x, true, dim ?? undefined, { returnInverse, returnCounts });
}

/** Collapses runs of equal consecutive values (or slices along `dim`), with inverse and counts on request. */
export function uniqueConsecutive(x: Tensor, options: UniqueConsecutiveOptions & { returnInverse: true; returnCounts: true }): [Tensor, Tensor, Tensor];
export function uniqueConsecutive(x: Tensor, options: UniqueConsecutiveOptions & { returnInverse: true; returnCounts?: false }): [Tensor, Tensor];
export function uniqueConsecutive(x: Tensor, options: UniqueConsecutiveOptions & { returnInverse?: false; returnCounts: true }): [Tensor, Tensor];
export function uniqueConsecutive(x: Tensor, options?: UniqueConsecutiveOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
export function uniqueConsecutive(x: Tensor, returnInverse: false, returnCounts?: false, dim?: number | null): Tensor;
export function uniqueConsecutive(
  x: Tensor,
  ...args: WithOptions<[returnInverse: boolean, returnCounts: boolean, dim: number | null], UniqueConsecutiveOptions>
): Tensor | Tensor[];
export function uniqueConsecutive(x: Tensor, ...args: unknown[]): Tensor | Tensor[] {
  requireTensor("uniqueConsecutive", "input", x);
  const { returnInverse, returnCounts, dim } = readArgs<UniqueConsecutiveOptions>("uniqueConsecutive", args, [
    ["returnInverse", BOOLEAN],
    ["returnCounts", BOOLEAN],
    ["dim", INTEGER],
  ]);
  return uniqueWith("uniqueConsecutive", x, false, dim ?? undefined, { returnInverse, returnCounts });
}
