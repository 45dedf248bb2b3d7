/**
 * torch's pointwise mathematics as functions: trigonometric and hyperbolic functions and their
 * inverses, the error function family, logarithms and exponentials near 0, powers, rounding,
 * remainders and interpolation. Each runs its declaration (src/ops/pointwise/declarations/math.ts),
 * which gives the kernels on every backend and the gradient PyTorch's derivatives.yaml gives; what
 * stays here is the call shape: the operands PyTorch takes, and round's decimals.
 */
import { DTypeError, OptionError } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import type { TensorOrScalar } from "./helpers.js";
import { callPointwise } from "./pointwise/call.js";
import * as M from "./pointwise/declarations/math.js";
import { div, lt, mul } from "./elementwise.js";

export const sin = (x: Tensor): Tensor => callPointwise(M.sin, [x]);
export const cos = (x: Tensor): Tensor => callPointwise(M.cos, [x]);
export const tan = (x: Tensor): Tensor => callPointwise(M.tan, [x]);
export const asin = (x: Tensor): Tensor => callPointwise(M.asin, [x]);
export const acos = (x: Tensor): Tensor => callPointwise(M.acos, [x]);
export const atan = (x: Tensor): Tensor => callPointwise(M.atan, [x]);
export const sinh = (x: Tensor): Tensor => callPointwise(M.sinh, [x]);
export const cosh = (x: Tensor): Tensor => callPointwise(M.cosh, [x]);
export const asinh = (x: Tensor): Tensor => callPointwise(M.asinh, [x]);
export const acosh = (x: Tensor): Tensor => callPointwise(M.acosh, [x]);
export const atanh = (x: Tensor): Tensor => callPointwise(M.atanh, [x]);

export const erf = (x: Tensor): Tensor => callPointwise(M.erf, [x]);
export const erfc = (x: Tensor): Tensor => callPointwise(M.erfc, [x]);
/** The inverse of erf on (−1, 1): ±inf at ±1, NaN outside. */
export const erfinv = (x: Tensor): Tensor => callPointwise(M.erfinv, [x]);

/** eˣ − 1, exact near 0 where exp(x) − 1 cancels. */
export const expm1 = (x: Tensor): Tensor => callPointwise(M.expm1, [x]);
/** ln(1 + x), exact near 0 where log(1 + x) rounds 1 + x first. */
export const log1p = (x: Tensor): Tensor => callPointwise(M.log1p, [x]);
export const log2 = (x: Tensor): Tensor => callPointwise(M.log2, [x]);
export const log10 = (x: Tensor): Tensor => callPointwise(M.log10, [x]);
/** 1/√x. */
export const rsqrt = (x: Tensor): Tensor => callPointwise(M.rsqrt, [x]);
export const reciprocal = (x: Tensor): Tensor => callPointwise(M.reciprocal, [x]);
/** x², keeping an int tensor int. */
export const square = (x: Tensor): Tensor => callPointwise(M.square, [x]);

// Rounding keeps an int tensor as it is; the gradient of each is 0 (frac's is 1).
export const floor = (x: Tensor): Tensor => callPointwise(M.floor, [x]);
export const ceil = (x: Tensor): Tensor => callPointwise(M.ceil, [x]);
export const trunc = (x: Tensor): Tensor => callPointwise(M.trunc, [x]);
/** x − trunc(x): the fractional part, with x's sign. */
export const frac = (x: Tensor): Tensor => callPointwise(M.frac, [x]);

export interface RoundOptions {
  /** Digits after the point to round to (negative: before it). 0 by default. */
  decimals?: number;
}

/**
 * Rounds half to even, as torch.round; with `decimals` (`round(x, 2)` or `round(x, { decimals: 2 })`)
 * PyTorch's round(x·10ᵈ)/10ᵈ, or round(x/10⁻ᵈ)·10⁻ᵈ for negative d, each step in x's dtype.
 */
export function round(x: Tensor, decimalsOrOptions: number | RoundOptions = {}): Tensor {
  const decimals = typeof decimalsOrOptions === "number" ? decimalsOrOptions : (decimalsOrOptions?.decimals ?? 0);
  if (!Number.isInteger(decimals)) throw new OptionError(`round: decimals must be an integer, got ${String(decimals)}`);
  if (decimals === 0) return callPointwise(M.round, [x]);
  if (x instanceof Tensor && !isFloating(x.dtype)) throw new DTypeError(`round: decimals needs a floating tensor (PyTorch's round_decimals has no integer kernel), got ${x.dtype}`);
  const scale = 10 ** Math.abs(decimals);
  return decimals > 0 ? div(callPointwise(M.round, [mul(x, scale)]), scale) : mul(callPointwise(M.round, [div(x, scale)]), scale);
}

/** The angle of the point (other, input) in (−π, π], C's atan2 at the edges. */
export const atan2 = (input: TensorOrScalar, other: TensorOrScalar): Tensor => callPointwise(M.atan2, [input, other]);
/** √(a² + b²) without overflow in the squares. */
export const hypot = (a: TensorOrScalar, b: TensorOrScalar): Tensor => callPointwise(M.hypot, [a, b]);
/** a − trunc(a/b)·b: the C remainder, with the dividend's sign. */
export const fmod = (a: TensorOrScalar, b: TensorOrScalar): Tensor => callPointwise(M.fmod, [a, b]);
/** a − floor(a/b)·b: Python's remainder, with the divisor's sign. */
export const remainder = (a: TensorOrScalar, b: TensorOrScalar): Tensor => callPointwise(M.remainder, [a, b]);
/** start + weight·(end − start), weight a number or a tensor; weight 1 gives `end` exactly. */
export const lerp = (start: Tensor, end: Tensor, weight: TensorOrScalar): Tensor => callPointwise(M.lerp, [start, end, weight]);

// ---- batch 2 --------------------------------------------------------------------------------

/** log(eᵃ + eᵇ) without overflow. */
export const logaddexp = (a: TensorOrScalar, b: TensorOrScalar): Tensor => callPointwise(M.logaddexp, [a, b]);
/** log₂(2ᵃ + 2ᵇ) without overflow. */
export const logaddexp2 = (a: TensorOrScalar, b: TensorOrScalar): Tensor => callPointwise(M.logaddexp2, [a, b]);
/** x·log(y), 0 where x = 0 (the entropy term's convention), NaN where y is NaN. */
export const xlogy = (x: TensorOrScalar, y: TensorOrScalar): Tensor => callPointwise(M.xlogy, [x, y]);
/** 2ˣ. */
export const exp2 = (x: Tensor): Tensor => callPointwise(M.exp2, [x]);
/** |a| with the sign of b (−0 counts as negative; a NaN's sign as positive). */
export const copysign = (a: TensorOrScalar, b: TensorOrScalar): Tensor => callPointwise(M.copysign, [a, b]);
/** Whether each value's sign bit is set: negative values and −0 (bool). */
export const signbit = (x: Tensor): Tensor =>
  // an integer has no −0: x < 0, in the integers' own kernel
  x instanceof Tensor && !isFloating(x.dtype) ? lt(x, 0) : callPointwise(M.signbit, [x]);
/** Degrees to radians. */
export const deg2rad = (x: Tensor): Tensor => callPointwise(M.deg2rad, [x]);
/** Radians to degrees. */
export const rad2deg = (x: Tensor): Tensor => callPointwise(M.rad2deg, [x]);
/** The larger value, ignoring a NaN beside a number (NaN only where both are). */
export const fmax = (a: Tensor, b: Tensor): Tensor => callPointwise(M.fmax, [a, b]);
/** The smaller value, ignoring a NaN beside a number. */
export const fmin = (a: Tensor, b: Tensor): Tensor => callPointwise(M.fmin, [a, b]);
/** Exactly one of a and b non-zero (bool), as torch.logical_xor. */
export const logicalXor = (a: TensorOrScalar, b: TensorOrScalar): Tensor => callPointwise(M.logicalXor, [a, b]);

export interface LogitOptions {
  /** Clamp the input to [eps, 1 − eps] first; null or left out: no clamp. */
  eps?: number | null;
}

/**
 * log(x/(1 − x)), the inverse of sigmoid; `logit(x, 1e-6)` or `logit(x, { eps: 1e-6 })` clamps x
 * to [eps, 1 − eps] first (bounds computed in x's dtype, as PyTorch's), the gradient then 0 outside.
 */
export function logit(x: Tensor, epsOrOptions: number | null | LogitOptions = null): Tensor {
  const eps = typeof epsOrOptions === "number" || epsOrOptions === null ? epsOrOptions : (epsOrOptions.eps ?? null);
  if (eps === null || eps < 0) return callPointwise(M.logit, [x]);
  if (typeof eps !== "number" || Number.isNaN(eps)) throw new OptionError(`logit: expected eps to be a number or null, got ${String(eps)}`);
  const single = !(x instanceof Tensor) || x.dtype !== "float64";
  const lo = single ? Math.fround(eps) : eps;
  const hi = single ? Math.fround(1 - lo) : 1 - lo;
  return callPointwise(M.logitEps, [x], [lo, hi]);
}
