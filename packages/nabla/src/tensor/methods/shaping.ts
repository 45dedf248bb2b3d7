/** Tensor methods: split, chunk, unbind, tensorSplit, repeat, tile, repeatInterleave, flip, roll, diag, diagonal, diagEmbed, tril/triu, viewAs. */
import { Tensor } from "../tensor.js";
import { chunk, split, tensorSplit, unbind } from "../../ops/split.js";
import { repeat, repeatInterleave, tile, type RepeatInterleaveOptions } from "../../ops/repeat.js";
import { flip, roll } from "../../ops/flip.js";
import { diag, diagEmbed, diagonal } from "../../ops/diagonal.js";
import { tril, triu } from "../../ops/triangular.js";
import { view } from "../../ops/shape.js";

declare module "../tensor.js" {
  interface Tensor {
    /** Pieces of splitSize along dim, or of the listed sizes (views; PyTorch's Tensor.split). */
    split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
    /** `chunks` near-equal pieces along dim (views). */
    chunk(chunks: number, dim?: number): Tensor[];
    /** Every index of dim as its own tensor (views). */
    unbind(dim?: number): Tensor[];
    /** NumPy's array_split: a number of sections or the indices to cut before (views). */
    tensorSplit(indicesOrSections: number | readonly number[] | Tensor, dim?: number): Tensor[];
    /** Copies side by side: `x.repeat(2, 3)` or `x.repeat([2, 3])`. */
    repeat(...counts: number[] | [readonly number[]]): Tensor;
    /** NumPy's tile: `x.tile(2)` repeats the last dim. */
    tile(...counts: number[] | [readonly number[]]): Tensor;
    /** Each element repeated in place, `repeats` a number or an int32 tensor of counts. */
    repeatInterleave(repeats: number | Tensor, options?: RepeatInterleaveOptions): Tensor;
    /** Reversed along dims: `x.flip(0)`, `x.flip(0, 1)` or `x.flip([0, 1])`. */
    flip(...dims: number[] | [readonly number[]]): Tensor;
    /** Rotated by shifts along dims (flattened without dims). */
    roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor;
    /** A 1-d tensor on a matrix's diagonal, or a matrix's diagonal as a 1-d copy. */
    diag(diagonal?: number): Tensor;
    /** The diagonal of dims dim1 and dim2 as a view (last dim of the result). */
    diagonal(offset?: number, dim1?: number, dim2?: number): Tensor;
    /** The last dim placed on the diagonal of two new dims. */
    diagEmbed(offset?: number, dim1?: number, dim2?: number): Tensor;
    /** The lower triangle of the last two dims. */
    tril(diagonal?: number): Tensor;
    /** The upper triangle of the last two dims. */
    triu(diagonal?: number): Tensor;
    /** This tensor viewed with other's shape. */
    viewAs(other: Tensor): Tensor;
  }
}

/** Accepts both `f(2, 3)` and `f([2, 3])`. */
function listArgs(args: number[] | [readonly number[]]): number[] {
  return Array.isArray(args[0]) ? (args[0] as readonly number[]).slice() : (args as number[]);
}

Tensor.prototype.split = function (this: Tensor, splitSizeOrSections: number | readonly number[], dim = 0) {
  return split(this, splitSizeOrSections, dim);
};
Tensor.prototype.chunk = function (this: Tensor, chunks: number, dim = 0) {
  return chunk(this, chunks, dim);
};
Tensor.prototype.unbind = function (this: Tensor, dim = 0) {
  return unbind(this, dim);
};
Tensor.prototype.tensorSplit = function (this: Tensor, indicesOrSections: number | readonly number[] | Tensor, dim = 0) {
  return tensorSplit(this, indicesOrSections, dim);
};
Tensor.prototype.repeat = function (this: Tensor, ...counts: number[] | [readonly number[]]) {
  return repeat(this, listArgs(counts));
};
Tensor.prototype.tile = function (this: Tensor, ...counts: number[] | [readonly number[]]) {
  return tile(this, listArgs(counts));
};
Tensor.prototype.repeatInterleave = function (this: Tensor, repeats: number | Tensor, options?: RepeatInterleaveOptions) {
  return repeatInterleave(this, repeats, options);
};
Tensor.prototype.flip = function (this: Tensor, ...dims: number[] | [readonly number[]]) {
  return flip(this, listArgs(dims));
};
Tensor.prototype.roll = function (this: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]) {
  return roll(this, shifts, dims);
};
Tensor.prototype.diag = function (this: Tensor, d = 0) {
  return diag(this, d);
};
Tensor.prototype.diagonal = function (this: Tensor, offset = 0, dim1 = 0, dim2 = 1) {
  return diagonal(this, offset, dim1, dim2);
};
Tensor.prototype.diagEmbed = function (this: Tensor, offset = 0, dim1 = -2, dim2 = -1) {
  return diagEmbed(this, offset, dim1, dim2);
};
Tensor.prototype.tril = function (this: Tensor, d = 0) {
  return tril(this, d);
};
Tensor.prototype.triu = function (this: Tensor, d = 0) {
  return triu(this, d);
};
Tensor.prototype.viewAs = function (this: Tensor, other: Tensor) {
  return view(this, other.shape);
};
