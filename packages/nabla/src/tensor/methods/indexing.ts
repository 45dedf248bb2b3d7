/**
 * Tensor methods: advanced indexing (index, indexPut), index_* and scatter ops, masks
 * (maskedFill, maskedSelect, nonzero, any/all) and the non-finite tests (isnan …, nanToNum).
 * Each `name_` method is the in-place form: it computes the out-of-place result and writes it
 * into this tensor (refused, as every in-place op here, on a tensor that requires grad in grad mode).
 */
import { formatShape, ShapeError } from "../../errors.js";
import { Tensor } from "../tensor.js";
import { index, indexPut, type IndexPutOptions } from "../../ops/advanced-index.js";
import type { IndexItem } from "../../ops/index-spec.js";
import { indexAdd, indexCopy, indexFill } from "../../ops/index-add.js";
import { scatter, scatterReduce, type ScatterOptions, type ScatterReduce, type ScatterReduceOptions } from "../../ops/scatter.js";
import { scatterAdd } from "../../ops/indexing.js";
import { maskedFill, maskedSelect } from "../../ops/masked.js";
import { nonzero, type NonzeroOptions } from "../../ops/nonzero.js";
import { all, any } from "../../ops/any-all.js";
import { isinf, isnan, isneginf, isposinf, nanToNum, type NanToNumOptions } from "../../ops/nonfinite.js";
import type { ReduceOptions } from "../../ops/reduce.js";

declare module "../tensor.js" {
  interface Tensor {
    /** PyTorch's `x[...]`: `x.index([sl(1, 3), null, "...", idx])` is `x[1:3, None, ..., idx]` (see index-spec.ts). */
    index(items: readonly IndexItem[]): Tensor;
    /** A copy with values written at `x.index(items)` (added with `{ accumulate: true }`). */
    indexPut(items: readonly IndexItem[], values: Tensor | number, options?: IndexPutOptions | boolean): Tensor;
    /** `x[items] = values`, in place. */
    indexPut_(items: readonly IndexItem[], values: Tensor | number, options?: IndexPutOptions | boolean): this;
    /** A copy with alpha·source added at the indices along dim. */
    indexAdd(dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }): Tensor;
    indexAdd_(dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }): this;
    /** A copy with source written at the indices along dim. */
    indexCopy(dim: number, index: Tensor, source: Tensor): Tensor;
    indexCopy_(dim: number, index: Tensor, source: Tensor): this;
    /** A copy with value written at the indices along dim. */
    indexFill(dim: number, index: Tensor, value: number | Tensor): Tensor;
    indexFill_(dim: number, index: Tensor, value: number | Tensor): this;
    /** A copy with src (or a value) written at index along dim. */
    scatter(dim: number, index: Tensor, src: Tensor | number, options?: ScatterOptions): Tensor;
    scatter_(dim: number, index: Tensor, src: Tensor | number, options?: ScatterOptions): this;
    /** A copy with src added at index along dim. */
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    scatterAdd_(dim: number, index: Tensor, src: Tensor): this;
    /** A copy with src reduced (sum, prod, mean, amax, amin) into the positions index names. */
    scatterReduce(dim: number, index: Tensor, src: Tensor, reduce: ScatterReduce, options?: ScatterReduceOptions): Tensor;
    scatterReduce_(dim: number, index: Tensor, src: Tensor, reduce: ScatterReduce, options?: ScatterReduceOptions): this;
    /** value where mask is true. */
    maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor;
    maskedFill_(mask: Tensor, value: number | boolean | Tensor): this;
    /** The elements where mask is true, 1-d. */
    maskedSelect(mask: Tensor): Tensor;
    /** Indices of the nonzero elements: [count, ndim], or one tensor per dim with asTuple. */
    nonzero(options: { asTuple: true }): Tensor[];
    nonzero(options?: NonzeroOptions): Tensor;
    /** Whether any element is nonzero (bool), overall or along dim. */
    any(dim?: number | readonly number[], options?: ReduceOptions | boolean): Tensor;
    /** Whether every element is nonzero (bool), overall or along dim. */
    all(dim?: number | readonly number[], options?: ReduceOptions | boolean): Tensor;
    isnan(): Tensor;
    isinf(): Tensor;
    isposinf(): Tensor;
    isneginf(): Tensor;
    /** NaN, +inf and −inf replaced by finite numbers. */
    nanToNum(options?: NanToNumOptions): Tensor;
  }
}

/** Writes the out-of-place result into `t` (which must keep its shape), as the in-place op `op`. */
function inPlace<T extends Tensor>(t: T, op: string, compute: () => Tensor): T {
  return t.assign(op, () => {
    const result = compute();
    if (result.ndim !== t.ndim || result.shape.some((s, i) => s !== t.shape[i])) {
      throw new ShapeError(`${op}: output with shape ${formatShape(t.shape)} doesn't match the broadcast shape ${formatShape(result.shape)}`);
    }
    return result;
  });
}

const proto = Tensor.prototype;

proto.index = function (this: Tensor, items: readonly IndexItem[]) {
  return index(this, items);
};
proto.indexPut = function (this: Tensor, items: readonly IndexItem[], values: Tensor | number, options?: IndexPutOptions | boolean) {
  return indexPut(this, items, values, options);
};
proto.indexPut_ = function <T extends Tensor>(this: T, items: readonly IndexItem[], values: Tensor | number, options?: IndexPutOptions | boolean) {
  return inPlace(this, "indexPut_", () => indexPut(this, items, values, options));
};
proto.indexAdd = function (this: Tensor, dim: number, idx: Tensor, source: Tensor, options?: { alpha?: number }) {
  return indexAdd(this, dim, idx, source, options);
};
proto.indexAdd_ = function <T extends Tensor>(this: T, dim: number, idx: Tensor, source: Tensor, options?: { alpha?: number }) {
  return inPlace(this, "indexAdd_", () => indexAdd(this, dim, idx, source, options));
};
proto.indexCopy = function (this: Tensor, dim: number, idx: Tensor, source: Tensor) {
  return indexCopy(this, dim, idx, source);
};
proto.indexCopy_ = function <T extends Tensor>(this: T, dim: number, idx: Tensor, source: Tensor) {
  return inPlace(this, "indexCopy_", () => indexCopy(this, dim, idx, source));
};
proto.indexFill = function (this: Tensor, dim: number, idx: Tensor, value: number | Tensor) {
  return indexFill(this, dim, idx, value);
};
proto.indexFill_ = function <T extends Tensor>(this: T, dim: number, idx: Tensor, value: number | Tensor) {
  return inPlace(this, "indexFill_", () => indexFill(this, dim, idx, value));
};
proto.scatter = function (this: Tensor, dim: number, idx: Tensor, src: Tensor | number, options?: ScatterOptions) {
  return scatter(this, dim, idx, src, options);
};
proto.scatter_ = function <T extends Tensor>(this: T, dim: number, idx: Tensor, src: Tensor | number, options?: ScatterOptions) {
  return inPlace(this, "scatter_", () => scatter(this, dim, idx, src, options));
};
proto.scatterAdd = function (this: Tensor, dim: number, idx: Tensor, src: Tensor) {
  return scatterAdd(this, dim, idx, src);
};
proto.scatterAdd_ = function <T extends Tensor>(this: T, dim: number, idx: Tensor, src: Tensor) {
  return inPlace(this, "scatterAdd_", () => scatterAdd(this, dim, idx, src));
};
proto.scatterReduce = function (this: Tensor, dim: number, idx: Tensor, src: Tensor, reduce: ScatterReduce, options?: ScatterReduceOptions) {
  return scatterReduce(this, dim, idx, src, reduce, options);
};
proto.scatterReduce_ = function <T extends Tensor>(this: T, dim: number, idx: Tensor, src: Tensor, reduce: ScatterReduce, options?: ScatterReduceOptions) {
  return inPlace(this, "scatterReduce_", () => scatterReduce(this, dim, idx, src, reduce, options));
};
proto.maskedFill = function (this: Tensor, mask: Tensor, value: number | boolean | Tensor) {
  return maskedFill(this, mask, value);
};
proto.maskedFill_ = function <T extends Tensor>(this: T, mask: Tensor, value: number | boolean | Tensor) {
  return inPlace(this, "maskedFill_", () => maskedFill(this, mask, value));
};
proto.maskedSelect = function (this: Tensor, mask: Tensor) {
  return maskedSelect(this, mask);
};
proto.nonzero = function (this: Tensor, options?: NonzeroOptions) {
  return nonzero(this, options) as Tensor & Tensor[];
};
proto.any = function (this: Tensor, dim?: number | readonly number[], options?: ReduceOptions | boolean) {
  return any(this, dim, options);
};
proto.all = function (this: Tensor, dim?: number | readonly number[], options?: ReduceOptions | boolean) {
  return all(this, dim, options);
};
proto.isnan = function (this: Tensor) {
  return isnan(this);
};
proto.isinf = function (this: Tensor) {
  return isinf(this);
};
proto.isposinf = function (this: Tensor) {
  return isposinf(this);
};
proto.isneginf = function (this: Tensor) {
  return isneginf(this);
};
proto.nanToNum = function (this: Tensor, options?: NanToNumOptions) {
  return nanToNum(this, options);
};
