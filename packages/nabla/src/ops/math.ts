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
import { div, mul } from "./elementwise.js";

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
