/**
 * In-place view ops (PyTorch's squeeze_, unsqueeze_, t_, transpose_): this tensor takes the shape
 * and strides of the view the out-of-place op would make, over the same storage; the values and
 * other views of the storage are untouched. As every in-place op here, refused on a tensor that
 * requires grad while grad mode is on. The storage's version is bumped: an op that saved this
 * tensor for its backward would read it with the new shape, so that backward refuses instead.
 */
import { Tensor } from "../tensor.js";

declare module "../tensor.js" {
  interface Tensor {
    /** squeeze in place: this tensor without its size-1 dims (or dim `dim` if it has size 1). */
    squeeze_(dim?: number): this;
    /** unsqueeze in place: a size-1 dim inserted at `dim`. */
    unsqueeze_(dim: number): this;
    /** t in place: a 2-D tensor transposed (0-D and 1-D unchanged). */
    t_(): this;
    /** transpose in place: dims dim0 and dim1 swapped. */
    transpose_(dim0: number, dim1: number): this;
  }
}

/** The metadata Tensor keeps readonly for everyone else. */
type Layout = { shape: readonly number[]; strides: readonly number[]; offset: number };

function becomeView<T extends Tensor>(t: T, op: string, view: () => Tensor): T {
  t.checkInPlace(op);
  const v = view();
  const layout = t as unknown as Layout;
  layout.shape = v.shape.slice();
  layout.strides = v.strides.slice();
  layout.offset = v.offset;
  t.storage.version++;
  return t;
}

Tensor.prototype.squeeze_ = function <T extends Tensor>(this: T, dim?: number) {
  return becomeView(this, "squeeze_", () => this.detach().squeeze(dim));
};
Tensor.prototype.unsqueeze_ = function <T extends Tensor>(this: T, dim: number) {
  return becomeView(this, "unsqueeze_", () => this.detach().unsqueeze(dim));
};
Tensor.prototype.t_ = function <T extends Tensor>(this: T) {
  return becomeView(this, "t_", () => this.detach().t());
};
Tensor.prototype.transpose_ = function <T extends Tensor>(this: T, dim0: number, dim1: number) {
  return becomeView(this, "transpose_", () => this.detach().transpose(dim0, dim1));
};
