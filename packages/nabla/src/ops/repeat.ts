/**
 * Repeating a tensor: repeat and tile (whole copies side by side along each dim) and
 * repeatInterleave (each element repeated in place). All three are outer indexing, so their
 * gradient sums the gradient of every copy back onto the element it came from.
 */
import { DTypeError, formatShape, OptionError, ShapeError } from "../errors.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { fromTypedArray } from "./helpers.js";
import { identityMap, outerIndex, positionList } from "./outer-index.js";
import { reshape } from "./shape.js";
import { checkOptions, optionKeys } from "./options.js";

function checkCounts(op: string, counts: readonly number[]): void {
  for (const c of counts) {
    if (!Number.isInteger(c) || c < 0) throw new OptionError(`${op}: repeats must be non-negative integers, got ${formatShape(counts)}`);
  }
}

/**
 * The tensor copied counts[i] times along dim i (PyTorch's Tensor.repeat); more counts than dims
 * add leading dims. Always a copy.
 */
export function repeat(x: Tensor, counts: readonly number[]): Tensor {
  if (counts.length < x.ndim) {
    throw new ShapeError(
      `repeat: number of dimensions of repeat dims (${counts.length}) can not be smaller than number of dimensions of tensor (${x.ndim})`,
    );
  }
  checkCounts("repeat", counts);
  const padded = reshape(x, [...new Array<number>(counts.length - x.ndim).fill(1), ...x.shape]);
  // copy k of axis d reads position j % size: out[k·size + j] = x[j]
  const maps = counts.map((c, d) => {
    const size = padded.shape[d]!;
    return positionList(c * size, (i) => i % size);
  });
  return outerIndex("RepeatBackward0", padded, maps);
}

/** NumPy's tile: repeat, with too few counts padded by leading 1s (PyTorch's torch.tile). */
export function tile(x: Tensor, counts: readonly number[]): Tensor {
  checkCounts("tile", counts);
  return repeat(x, [...new Array<number>(Math.max(x.ndim - counts.length, 0)).fill(1), ...counts]);
}

export interface RepeatInterleaveOptions {
  /** The dim to repeat along; without one the input is flattened first. */
  dim?: number;
  /** The total length of the result along dim, when known (PyTorch's output_size; checked here). */
  outputSize?: number;
}

/** The positions 0 … n−1, each i repeated counts[i] times. */
function repeatedPositions(op: string, counts: ArrayLike<number>, outputSize?: number): Int32Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i]! < 0) throw new OptionError(`${op}: repeats can not be negative, got ${counts[i]}`);
    total += counts[i]!;
  }
  if (outputSize !== undefined && outputSize !== total) {
    throw new OptionError(`${op}: outputSize (${outputSize}) does not match the sum of repeats (${total})`);
  }
  const out = new Int32Array(total);
  for (let i = 0, at = 0; i < counts.length; i++) out.fill(i, at, (at += counts[i]!));
  return out;
}

function countsOf(op: string, repeats: number | Tensor, size: number): ArrayLike<number> {
  if (typeof repeats === "number") {
    if (!Number.isInteger(repeats) || repeats < 0) throw new OptionError(`${op}: repeats must be a non-negative integer, got ${repeats}`);
    return new Array<number>(size).fill(repeats);
  }
  if (repeats.dtype !== "int32") throw new DTypeError(`${op}: expected repeats to be an int32 tensor, got ${repeats.dtype}`);
  if (repeats.ndim > 1) throw new ShapeError(`${op}: repeats must be 0-dim or 1-dim tensor, got shape ${formatShape(repeats.shape)}`);
  const values = repeats.toTypedArray();
  if (repeats.numel() === 1) return new Array<number>(size).fill(values[0]!);
  if (values.length !== size) {
    throw new ShapeError(`${op}: repeats must have the same size as input along dim: got ${values.length} repeats for a dim of size ${size}`);
  }
  return values;
}

/**
 * Each element repeated in place (PyTorch's torch.repeat_interleave): `repeats` is one count for
 * every element, or an int32 tensor of one count per index of dim. Called with only an int32
 * tensor of counts, returns the indices 0 … n−1 each repeated that often.
 */
const REPEAT_INTERLEAVE_KEYS = optionKeys<RepeatInterleaveOptions>({ dim: true, outputSize: true });

export function repeatInterleave(x: Tensor, repeats?: number | Tensor, options: RepeatInterleaveOptions = {}): Tensor {
  checkOptions("repeatInterleave", options, REPEAT_INTERLEAVE_KEYS);
  if (repeats === undefined) {
    // torch.repeat_interleave(repeats): x holds the counts
    if (x.dtype !== "int32") throw new DTypeError(`repeatInterleave: expected repeats to be an int32 tensor, got ${x.dtype}`);
    if (x.ndim !== 1) throw new ShapeError(`repeatInterleave: repeats must be a 1-dim tensor, got shape ${formatShape(x.shape)}`);
    const positions = repeatedPositions("repeatInterleave", x.toTypedArray(), options.outputSize);
    return fromTypedArray(positions, [positions.length], "int32");
  }
  const input = options.dim === undefined || x.ndim === 0 ? reshape(x, [-1]) : x;
  const d = options.dim === undefined ? 0 : normalizeDim("repeatInterleave", options.dim, x.ndim);
  const size = input.shape[d] ?? 1;
  const along = repeatedPositions("repeatInterleave", countsOf("repeatInterleave", repeats, size), options.outputSize);
  const maps = input.shape.map((s, k) => (k === d ? along : identityMap(s)));
  // PyTorch implements it as index_select, whence the node's name
  return outerIndex("IndexSelectBackward0", input, maps);
}
