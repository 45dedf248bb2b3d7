/**
 * Tensor methods: moving dims (movedim, moveaxis, swapaxes, swapdims, unflatten), cross, and the
 * helpers PyTorch has on tensors (where(cond, other), isFloatingPoint, nelement).
 */
import { Tensor } from "../tensor.js";
import { movedim, swapaxes, swapdims, unflatten } from "../../ops/rearrange.js";
import { cross } from "../../ops/cross.js";
import { where } from "../../ops/elementwise.js";
import { isFloating } from "../dtype.js";
import type { TensorOrScalar } from "../../ops/helpers.js";

declare module "../tensor.js" {
  interface Tensor {
    /** The dims at source moved to destination. */
    movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor;
    /** NumPy's name for movedim. */
    moveaxis(source: number | readonly number[], destination: number | readonly number[]): Tensor;
    /** transpose by NumPy's name. */
    swapaxes(axis0: number, axis1: number): Tensor;
    /** transpose by another name. */
    swapdims(dim0: number, dim1: number): Tensor;
    /** dim split into sizes (one may be −1). */
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    /** this × other along dim (3-vectors). */
    cross(other: Tensor, dim?: number): Tensor;
    /** this where cond holds, other elsewhere (torch.Tensor.where). */
    where(condition: Tensor, other: TensorOrScalar): Tensor;
    /** Whether the dtype is float32 or float64. */
    isFloatingPoint(): boolean;
    /** The number of elements (numel's other name). */
    nelement(): number;
  }
}

Tensor.prototype.movedim = function (this: Tensor, source: number | readonly number[], destination: number | readonly number[]) {
  return movedim(this, source, destination);
};
Tensor.prototype.moveaxis = Tensor.prototype.movedim;
Tensor.prototype.swapaxes = function (this: Tensor, axis0: number, axis1: number) {
  return swapaxes(this, axis0, axis1);
};
Tensor.prototype.swapdims = function (this: Tensor, dim0: number, dim1: number) {
  return swapdims(this, dim0, dim1);
};
Tensor.prototype.unflatten = function (this: Tensor, dim: number, sizes: readonly number[]) {
  return unflatten(this, dim, sizes);
};
Tensor.prototype.cross = function (this: Tensor, other: Tensor, dim?: number) {
  return cross(this, other, dim);
};
Tensor.prototype.where = function (this: Tensor, condition: Tensor, other: TensorOrScalar) {
  return where(condition, this, other);
};
Tensor.prototype.isFloatingPoint = function (this: Tensor) {
  return isFloating(this.dtype);
};
Tensor.prototype.nelement = function (this: Tensor) {
  return this.numel();
};
