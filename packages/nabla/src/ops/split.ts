/**
 * Cutting a tensor into pieces along a dim: split (by a size or a list of sizes), chunk (into a
 * number of near-equal pieces), tensorSplit (NumPy's array_split: sections or cut points) and
 * unbind (every index of the dim). Every piece is a view of the input, as in PyTorch: nothing is
 * copied, and a piece's gradient is written back into zeros where the piece was.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, OptionError, ShapeError } from "../errors.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { embedGrad, select, slice } from "./shape.js";

/** The piece [start, end) of x along dim, as a view whose node carries PyTorch's name. */
function piece(name: string, x: Tensor, d: number, start: number, end: number): Tensor {
  const view = noGrad(() => slice(x, d, start, end));
  const shape = x.shape;
  return recordOp(name, view, [x], (g) => [embedGrad(g, shape, (full) => slice(full, d, start, end))]);
}

/** Pieces with the given sizes, one after another along d. */
function pieces(name: string, x: Tensor, d: number, sizes: readonly number[]): Tensor[] {
  let at = 0;
  return sizes.map((s) => piece(name, x, d, at, (at += s)));
}

function checkSize(op: string, what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new OptionError(`${op}: expected ${what} to be a non-negative integer, got ${value}`);
}

/**
 * Pieces of `splitSize` along dim (the last may be smaller), or pieces of the listed sizes, which
 * must add up to the dim's size (PyTorch's torch.split).
 */
export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim("split", dim, x.ndim);
  if (x.ndim === 0) throw new ShapeError("split: expected a tensor with at least one dimension, got a 0-d tensor");
  const size = x.shape[d]!;
  if (typeof splitSizeOrSections === "number") {
    const n = splitSizeOrSections;
    if (!Number.isInteger(n) || n < 0) throw new OptionError(`split: expects split_size be non-negative, but got split_size=${n}`);
    if (n === 0 && size !== 0) throw new OptionError(`split: split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
    const count = n === 0 ? 1 : Math.max(Math.ceil(size / n), 1);
    const sizes = Array.from({ length: count }, (_, i) => Math.min(n, size - i * n));
    return pieces("SplitBackward0", x, d, sizes);
  }
  if (!Array.isArray(splitSizeOrSections)) throw new TypeError(`split: expected a number or an array of sizes, got ${typeof splitSizeOrSections}`);
  splitSizeOrSections.forEach((s) => checkSize("split", "every split size", s));
  const total = splitSizeOrSections.reduce((p, s) => p + s, 0);
  if (total !== size) {
    throw new ShapeError(
      `split: split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), ` +
        `but got split_sizes=[${splitSizeOrSections.join(", ")}]`,
    );
  }
  return pieces("SplitWithSizesBackward0", x, d, splitSizeOrSections);
}

/** `chunks` pieces of ceil(size / chunks) along dim; fewer when the size runs out (PyTorch's torch.chunk). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new OptionError(`chunk: expects \`chunks\` to be greater than 0, got: ${chunks}`);
  if (x.ndim === 0) throw new ShapeError("chunk: expected a tensor with at least one dimension, got a 0-d tensor");
  const d = normalizeDim("chunk", dim, x.ndim);
  const size = x.shape[d]!;
  const splitSize = Math.ceil(size / chunks);
  // an empty dim gives `chunks` empty pieces, as in PyTorch
  if (splitSize === 0) return pieces("SplitWithSizesBackward0", x, d, new Array<number>(chunks).fill(0));
  return split(x, splitSize, d);
}

/** Every index of dim as its own tensor, with the dim removed (views; PyTorch's torch.unbind). */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  if (x.ndim === 0) throw new ShapeError("unbind: dimension specified as 0 but tensor has no dimensions");
  const d = normalizeDim("unbind", dim, x.ndim);
  const shape = x.shape;
  return Array.from({ length: x.shape[d]! }, (_, i) => {
    const view = noGrad(() => select(x, d, i));
    return recordOp("UnbindBackward0", view, [x], (g) => [embedGrad(g, shape, (full) => select(full, d, i))]);
  });
}

/**
 * NumPy's array_split (PyTorch's torch.tensor_split): a number n of sections, the first size % n
 * of them one longer; or the indices to cut before, each piece x[a:b] with Python's slicing rules
 * (negative indices count from the end, out-of-range ones clamp). A 0-d int32 tensor counts as
 * sections, a 1-d one as indices.
 */
export function tensorSplit(x: Tensor, indicesOrSections: number | readonly number[] | Tensor, dim = 0): Tensor[] {
  if (x.ndim === 0) throw new ShapeError("tensorSplit: expected at least a 1-dimensional tensor");
  const d = normalizeDim("tensorSplit", dim, x.ndim);
  let spec = indicesOrSections;
  if (spec instanceof Tensor) {
    if (spec.dtype !== "int32") throw new DTypeError(`tensorSplit: expected tensor_indices_or_sections to be an int32 tensor, got ${spec.dtype}`);
    if (spec.ndim > 1) throw new ShapeError(`tensorSplit: expected tensor_indices_or_sections to be a 0-d or 1-d tensor, got a ${spec.ndim}-d tensor`);
    spec = spec.ndim === 0 ? spec.item() : Array.from(spec.toTypedArray());
  }
  const size = x.shape[d]!;
  if (typeof spec === "number") {
    if (!Number.isInteger(spec) || spec <= 0) throw new OptionError(`tensorSplit: number of sections must be larger than 0, got ${spec}`);
    const small = Math.floor(size / spec);
    const extra = size % spec;
    return pieces("SliceBackward0", x, d, Array.from({ length: spec }, (_, i) => small + (i < extra ? 1 : 0)));
  }
  spec.forEach((i) => {
    if (!Number.isInteger(i)) throw new OptionError(`tensorSplit: indices must be integers, got ${i}`);
  });
  const clampIndex = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const cuts = [0, ...spec.map(clampIndex), size];
  return cuts.slice(1).map((end, k) => {
    const start = cuts[k]!;
    return piece("SliceBackward0", x, d, start, Math.max(start, end));
  });
}
