/**
 * Tensor methods of the third API batch: broadcastTo, takeAlongDim, quantile/nanquantile,
 * unfold (the sliding window view), fliplr/flipud/rot90, cov/corrcoef, heaviside, gcd/lcm.
 */
import { Tensor } from "../tensor.js";
import { broadcastTo } from "../../ops/broadcast.js";
import { takeAlongDim } from "../../ops/take-along-dim.js";
import { nanquantile, quantile, type QuantileOptions } from "../../ops/quantile.js";
import { unfoldWindows } from "../../ops/sliding-window.js";
import { fliplr, flipud, rot90, type Rot90Options } from "../../ops/flip.js";
import type { WithOptions } from "../../ops/arguments.js";
import { corrcoef, cov, type CovOptions } from "../../ops/covariance.js";
import { heaviside } from "../../ops/heaviside.js";
import { gcd, lcm } from "../../ops/gcd.js";

type QuantileArgs = WithOptions<[dim: number | null, keepdim: boolean], QuantileOptions>;

declare module "../tensor.js" {
  interface Tensor {
    /** This tensor viewed with `shape` (expand's rules). */
    broadcastTo(shape: readonly number[]): Tensor;
    /** Values picked by `indices` along `dim` (flat without a dim), other dims broadcast. */
    takeAlongDim(indices: Tensor, dim?: number | null): Tensor;
    /** The q-th quantiles along dim (all elements without one); NaN where a row holds NaN. */
    quantile(q: number | Tensor, ...args: QuantileArgs): Tensor;
    /** quantile ignoring NaN. */
    nanquantile(q: number | Tensor, ...args: QuantileArgs): Tensor;
    /** Every window of `size` elements along `dim`, `step` apart, as a new last dim (a view). */
    unfold(dim: number, size: number, step: number): Tensor;
    /** Reversed along dim 1. */
    fliplr(): Tensor;
    /** Reversed along dim 0. */
    flipud(): Tensor;
    /** Turned by k quarter turns in the plane of dims: `x.rot90(1, [0, 1])` or `x.rot90({ k, dims })`. */
    rot90(k?: number | Rot90Options, dims?: readonly number[]): Tensor;
    /** Covariance of the rows (variables) over the columns (observations). */
    cov(options?: CovOptions): Tensor;
    /** Pearson correlation coefficients of the rows. */
    corrcoef(): Tensor;
    /** 0 below 0, `values` at 0, 1 above. */
    heaviside(values: Tensor): Tensor;
    /** Greatest common divisor with other (int32). */
    gcd(other: Tensor): Tensor;
    /** Least common multiple with other (int32). */
    lcm(other: Tensor): Tensor;
  }
}

Tensor.prototype.broadcastTo = function (this: Tensor, shape: readonly number[]) {
  return broadcastTo(this, shape);
};
Tensor.prototype.takeAlongDim = function (this: Tensor, indices: Tensor, dim?: number | null) {
  return takeAlongDim(this, indices, dim);
};
Tensor.prototype.quantile = function (this: Tensor, q: number | Tensor, ...args: QuantileArgs) {
  return quantile(this, q, ...args);
};
Tensor.prototype.nanquantile = function (this: Tensor, q: number | Tensor, ...args: QuantileArgs) {
  return nanquantile(this, q, ...args);
};
Tensor.prototype.unfold = function (this: Tensor, dim: number, size: number, step: number) {
  return unfoldWindows(this, dim, size, step);
};
Tensor.prototype.fliplr = function (this: Tensor) {
  return fliplr(this);
};
Tensor.prototype.flipud = function (this: Tensor) {
  return flipud(this);
};
Tensor.prototype.rot90 = function (this: Tensor, k?: number | Rot90Options, dims?: readonly number[]) {
  return rot90(this, k, dims);
};
Tensor.prototype.cov = function (this: Tensor, options?: CovOptions) {
  return cov(this, options);
};
Tensor.prototype.corrcoef = function (this: Tensor) {
  return corrcoef(this);
};
Tensor.prototype.heaviside = function (this: Tensor, values: Tensor) {
  return heaviside(this, values);
};
Tensor.prototype.gcd = function (this: Tensor, other: Tensor) {
  return gcd(this, other);
};
Tensor.prototype.lcm = function (this: Tensor, other: Tensor) {
  return lcm(this, other);
};
