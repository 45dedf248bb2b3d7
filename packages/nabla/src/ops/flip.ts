/**
 * Reordering along dims: flip (reverse; fliplr, flipud and rot90 are flips too) and roll (rotate,
 * elements pushed off one end coming back at the other). Both copy, as in PyTorch, by outer indexing; their gradients are the same
 * reordering undone (flip again, roll back).
 */
import { OptionError, ShapeError } from "../errors.js";
import { normalizeDim, normalizeDims } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { identityMap, outerIndex, positionList } from "./outer-index.js";
import { clone, reshape, transpose } from "./shape.js";

const asList = (dims: number | readonly number[]): readonly number[] => (typeof dims === "number" ? [dims] : dims);

/** The order of the elements reversed along each of `dims` (PyTorch's torch.flip). */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  const flipped = normalizeDims("flip", asList(dims), x.ndim);
  const maps = x.shape.map((s, d) => (flipped.includes(d) ? positionList(s, (i) => s - 1 - i) : identityMap(s)));
  return outerIndex("FlipBackward0", x, maps);
}

/** Columns in reverse order: flip along dim 1 (PyTorch's fliplr; at least 2 dims). */
export function fliplr(x: Tensor): Tensor {
  if (x.ndim < 2) throw new ShapeError(`fliplr: input must be >= 2-d, got ${x.ndim}-d`);
  return flip(x, 1);
}

/** Rows in reverse order: flip along dim 0 (PyTorch's flipud; at least 1 dim). */
export function flipud(x: Tensor): Tensor {
  if (x.ndim < 1) throw new ShapeError(`flipud: input must be >= 1-d, got ${x.ndim}-d`);
  return flip(x, 0);
}

export interface Rot90Options {
  /** Quarter turns (any integer, taken mod 4); default 1. */
  k?: number;
  /** The plane's two dims, turning from the first towards the second; default [0, 1]. */
  dims?: readonly number[];
}

/**
 * `x` turned by k quarter turns in the plane of `dims` (PyTorch's rot90), as PyTorch composes it:
 * k ≡ 1: flip dims[1] then swap the dims; 2: flip both; 3: flip dims[0] then swap; 0: a copy.
 * `rot90(x, k, dims)` or `rot90(x, { k, dims })`.
 */
export function rot90(x: Tensor, kOrOptions?: number | Rot90Options, dimsArg?: readonly number[]): Tensor {
  const { k = 1, dims = [0, 1] } = typeof kOrOptions === "object" && kOrOptions !== null ? kOrOptions : { k: kOrOptions, dims: dimsArg };
  if (!Number.isInteger(k)) throw new OptionError(`rot90: k must be an integer, got ${k}`);
  if (dims.length !== 2) throw new ShapeError(`rot90: expected total rotation dims == 2, but got dims = ${dims.length}`);
  if (x.ndim < 2) throw new ShapeError(`rot90: expected total dims >= 2, but got total dims = ${x.ndim}`);
  const d0 = normalizeDim("rot90", dims[0]!, x.ndim);
  const d1 = normalizeDim("rot90", dims[1]!, x.ndim);
  if (d0 === d1) throw new ShapeError(`rot90: expected rotation dims to be different, but got dim0 = ${dims[0]} and dim1 = ${dims[1]}`);
  switch (((k % 4) + 4) % 4) {
    case 1:
      return transpose(flip(x, d1), d0, d1);
    case 2:
      return flip(x, [d0, d1]);
    case 3:
      return transpose(flip(x, d0), d0, d1);
    default:
      return clone(x);
  }
}

/**
 * Elements shifted by `shifts` along `dims`, wrapping around (PyTorch's torch.roll): out[i] =
 * x[(i − shift) mod n]. Without dims the tensor is rolled as if flattened, then given its shape back.
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  const shiftList = asList(shifts);
  shiftList.forEach((s) => {
    if (!Number.isInteger(s)) throw new OptionError(`roll: shifts must be integers, got ${s}`);
  });
  if (dims === undefined) {
    if (shiftList.length !== 1) throw new OptionError(`roll: without dims, shifts must be a single number, got [${shiftList.join(", ")}]`);
    return reshape(roll(reshape(x, [-1]), shiftList, 0), x.shape);
  }
  const dimList = asList(dims);
  if (shiftList.length === 0 || shiftList.length !== dimList.length) {
    throw new OptionError(`roll: shifts and dimensions must align. shifts: ${shiftList.length}, dims: ${dimList.length}`);
  }
  const ds = dimList.map((d) => normalizeDims("roll", d, x.ndim)[0]!);
  // several shifts of one dim add up
  const total = x.shape.map((_, d) => ds.reduce((p, k, i) => (k === d ? p + shiftList[i]! : p), 0));
  const maps = x.shape.map((s, d) => {
    const shift = s === 0 ? 0 : ((total[d]! % s) + s) % s;
    return positionList(s, (i) => (i - shift + s) % s);
  });
  return outerIndex("RollBackward0", x, maps);
}
