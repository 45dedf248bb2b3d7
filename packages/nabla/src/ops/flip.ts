/**
 * Reordering along dims: flip (reverse) and roll (rotate, elements pushed off one end coming back
 * at the other). Both copy, as in PyTorch, by outer indexing; their gradients are the same
 * reordering undone (flip again, roll back).
 */
import { OptionError } from "../errors.js";
import { normalizeDims } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { identityMap, outerIndex, positionList } from "./outer-index.js";
import { reshape } from "./shape.js";

const asList = (dims: number | readonly number[]): readonly number[] => (typeof dims === "number" ? [dims] : dims);

/** The order of the elements reversed along each of `dims` (PyTorch's torch.flip). */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  const flipped = normalizeDims("flip", asList(dims), x.ndim);
  const maps = x.shape.map((s, d) => (flipped.includes(d) ? positionList(s, (i) => s - 1 - i) : identityMap(s)));
  return outerIndex("FlipBackward0", x, maps);
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
