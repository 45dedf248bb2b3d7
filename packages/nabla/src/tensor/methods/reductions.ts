/** Tensor methods: the reductions beyond tensor.ts's core (prod, amax/amin, nansum/nanmean). */
import { Tensor } from "../tensor.js";
import { prod } from "../../ops/prod.js";
import { amax, amin } from "../../ops/amax.js";
import { nanmean, nansum } from "../../ops/nan-reduce.js";
import type { Dims, ReduceOptions } from "../../ops/reduce.js";

declare module "../tensor.js" {
  interface Tensor {
    /** The product of all elements, or along dim (torch.Tensor.prod). */
    prod(dim?: number, options?: ReduceOptions | boolean): Tensor;
    /** The largest value over dims (all when left out); ties share the gradient. */
    amax(dim?: Dims, options?: ReduceOptions | boolean): Tensor;
    /** The smallest value over dims (all when left out); ties share the gradient. */
    amin(dim?: Dims, options?: ReduceOptions | boolean): Tensor;
    /** Σ skipping NaN. */
    nansum(dim?: Dims, options?: ReduceOptions | boolean): Tensor;
    /** The mean skipping NaN. */
    nanmean(dim?: Dims, options?: ReduceOptions | boolean): Tensor;
  }
}

Tensor.prototype.prod = function (this: Tensor, dim?: number, options?: ReduceOptions | boolean) {
  return prod(this, dim, options);
};
Tensor.prototype.amax = function (this: Tensor, dim?: Dims, options?: ReduceOptions | boolean) {
  return amax(this, dim, options);
};
Tensor.prototype.amin = function (this: Tensor, dim?: Dims, options?: ReduceOptions | boolean) {
  return amin(this, dim, options);
};
Tensor.prototype.nansum = function (this: Tensor, dim?: Dims, options?: ReduceOptions | boolean) {
  return nansum(this, dim, options);
};
Tensor.prototype.nanmean = function (this: Tensor, dim?: Dims, options?: ReduceOptions | boolean) {
  return nanmean(this, dim, options);
};
