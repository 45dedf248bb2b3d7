/**
 * Tensor methods: pointwise mathematics (trigonometric, hyperbolic, error and special functions,
 * rounding, remainders, interpolation), and the in-place form of each unary one (`x.sin_()`), which
 * writes the result into x where its dtype casts to x's, as PyTorch's.
 */
import { Tensor } from "../tensor.js";
import * as ew from "../../ops/elementwise.js";
import * as m from "../../ops/math.js";
import { digamma, lgamma, polygamma } from "../../ops/special.js";
import type { TensorOrScalar } from "../../ops/helpers.js";

declare module "../tensor.js" {
  interface Tensor {
    /** ln|Γ(x)| elementwise (torch.Tensor.lgamma). */
    lgamma(): Tensor;
    /** ψ(x) = d/dx ln Γ(x) elementwise (torch.Tensor.digamma). */
    digamma(): Tensor;
    /** ψ⁽ⁿ⁾(x) elementwise (torch.Tensor.polygamma(n)). */
    polygamma(n: number): Tensor;

    sin(): Tensor;
    cos(): Tensor;
    tan(): Tensor;
    asin(): Tensor;
    acos(): Tensor;
    atan(): Tensor;
    sinh(): Tensor;
    cosh(): Tensor;
    asinh(): Tensor;
    acosh(): Tensor;
    atanh(): Tensor;
    erf(): Tensor;
    erfc(): Tensor;
    /** The inverse of erf on (−1, 1). */
    erfinv(): Tensor;
    /** eˣ − 1, exact near 0. */
    expm1(): Tensor;
    /** ln(1 + x), exact near 0. */
    log1p(): Tensor;
    log2(): Tensor;
    log10(): Tensor;
    /** 1/√x. */
    rsqrt(): Tensor;
    reciprocal(): Tensor;
    /** x², an int tensor staying int. */
    square(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    trunc(): Tensor;
    /** x − trunc(x). */
    frac(): Tensor;
    /** Half to even; `x.round(2)` or `x.round({ decimals: 2 })` to 2 digits after the point. */
    round(decimals?: number | m.RoundOptions): Tensor;
    /** atan2(this, other): the angle of the point (other, this). */
    atan2(other: TensorOrScalar): Tensor;
    /** √(this² + other²). */
    hypot(other: TensorOrScalar): Tensor;
    /** The C remainder, with this tensor's sign. */
    fmod(other: TensorOrScalar): Tensor;
    /** Python's remainder, with the divisor's sign. */
    remainder(other: TensorOrScalar): Tensor;
    /** this + weight·(end − this). */
    lerp(end: Tensor, weight: TensorOrScalar): Tensor;

    sin_(): this;
    cos_(): this;
    tan_(): this;
    asin_(): this;
    acos_(): this;
    atan_(): this;
    sinh_(): this;
    cosh_(): this;
    asinh_(): this;
    acosh_(): this;
    atanh_(): this;
    erf_(): this;
    erfc_(): this;
    erfinv_(): this;
    expm1_(): this;
    log1p_(): this;
    log2_(): this;
    log10_(): this;
    rsqrt_(): this;
    reciprocal_(): this;
    square_(): this;
    floor_(): this;
    ceil_(): this;
    trunc_(): this;
    frac_(): this;
    round_(decimals?: number | m.RoundOptions): this;
    exp_(): this;
    log_(): this;
    sqrt_(): this;
    abs_(): this;
    neg_(): this;
    sign_(): this;
    sigmoid_(): this;
    tanh_(): this;
    relu_(): this;
    pow_(exponent: TensorOrScalar): this;
    atan2_(other: TensorOrScalar): this;
    hypot_(other: TensorOrScalar): this;
    fmod_(other: TensorOrScalar): this;
    remainder_(other: TensorOrScalar): this;
    /** In place: this += weight·(end − this) (an exponential moving average's `avg.lerp_(x, 0.1)`). */
    lerp_(end: Tensor, weight: TensorOrScalar): this;

    /** log(eᵗʰⁱˢ + eᵒᵗʰᵉʳ). */
    logaddexp(other: TensorOrScalar): Tensor;
    /** log₂(2ᵗʰⁱˢ + 2ᵒᵗʰᵉʳ). */
    logaddexp2(other: TensorOrScalar): Tensor;
    /** this·log(other), 0 where this is 0. */
    xlogy(other: TensorOrScalar): Tensor;
    xlogy_(other: TensorOrScalar): this;
    /** log(x/(1 − x)), clamped to [eps, 1 − eps] first with eps. */
    logit(eps?: number | null | m.LogitOptions): Tensor;
    logit_(eps?: number | null | m.LogitOptions): this;
    exp2(): Tensor;
    exp2_(): this;
    /** |this| with other's sign. */
    copysign(other: TensorOrScalar): Tensor;
    copysign_(other: TensorOrScalar): this;
    /** Whether the sign bit is set (bool). */
    signbit(): Tensor;
    deg2rad(): Tensor;
    deg2rad_(): this;
    rad2deg(): Tensor;
    rad2deg_(): this;
    /** The larger value, a NaN losing to a number. */
    fmax(other: Tensor): Tensor;
    /** The smaller value, a NaN losing to a number. */
    fmin(other: Tensor): Tensor;
    /** Exactly one of this and other non-zero (bool). */
    logicalXor(other: TensorOrScalar): Tensor;
    logicalXor_(other: TensorOrScalar): this;
  }
}

Tensor.prototype.lgamma = function (this: Tensor) {
  return lgamma(this);
};
Tensor.prototype.digamma = function (this: Tensor) {
  return digamma(this);
};
Tensor.prototype.polygamma = function (this: Tensor, n: number) {
  return polygamma(n, this);
};

/** The unary functions that are a method of the same name and an in-place method with `_`. */
const UNARY: Record<string, (x: Tensor) => Tensor> = {
  sin: m.sin,
  cos: m.cos,
  tan: m.tan,
  asin: m.asin,
  acos: m.acos,
  atan: m.atan,
  sinh: m.sinh,
  cosh: m.cosh,
  asinh: m.asinh,
  acosh: m.acosh,
  atanh: m.atanh,
  erf: m.erf,
  erfc: m.erfc,
  erfinv: m.erfinv,
  expm1: m.expm1,
  log1p: m.log1p,
  log2: m.log2,
  log10: m.log10,
  rsqrt: m.rsqrt,
  reciprocal: m.reciprocal,
  square: m.square,
  floor: m.floor,
  ceil: m.ceil,
  trunc: m.trunc,
  frac: m.frac,
  exp2: m.exp2,
  deg2rad: m.deg2rad,
  rad2deg: m.rad2deg,
};
/** Unary methods of tensor.ts that gain an in-place form here. */
const CORE_UNARY: Record<string, (x: Tensor) => Tensor> = {
  exp: ew.exp,
  log: ew.log,
  sqrt: ew.sqrt,
  abs: ew.abs,
  neg: ew.neg,
  sign: ew.sign,
  sigmoid: ew.sigmoid,
  tanh: ew.tanh,
  relu: ew.relu,
};
/** Binary functions of (this, other): method and in-place method. */
const BINARY: Record<string, (x: Tensor, other: TensorOrScalar) => Tensor> = {
  atan2: m.atan2,
  hypot: m.hypot,
  fmod: m.fmod,
  remainder: m.remainder,
  xlogy: m.xlogy,
  copysign: m.copysign,
  logicalXor: m.logicalXor,
};

const proto = Tensor.prototype as unknown as Record<string, unknown>;
const RESULT = { result: true } as const;
for (const [name, fn] of Object.entries(UNARY)) {
  proto[name] = function (this: Tensor) {
    return fn(this);
  };
}
for (const [name, fn] of Object.entries({ ...UNARY, ...CORE_UNARY })) {
  proto[`${name}_`] = function (this: Tensor) {
    return this.assign(`${name}_`, () => fn(this), RESULT);
  };
}
for (const [name, fn] of Object.entries(BINARY)) {
  proto[name] = function (this: Tensor, other: TensorOrScalar) {
    return fn(this, other);
  };
  proto[`${name}_`] = function (this: Tensor, other: TensorOrScalar) {
    return this.assign(`${name}_`, () => fn(this, other), RESULT);
  };
}

Tensor.prototype.round = function (this: Tensor, decimals?: number | m.RoundOptions) {
  return m.round(this, decimals);
};
Tensor.prototype.round_ = function <T extends Tensor>(this: T, decimals?: number | m.RoundOptions): T {
  return this.assign("round_", () => m.round(this, decimals), RESULT);
};
Tensor.prototype.pow_ = function <T extends Tensor>(this: T, exponent: TensorOrScalar): T {
  return this.assign("pow_", () => ew.pow(this, exponent), RESULT);
};
Tensor.prototype.lerp = function (this: Tensor, end: Tensor, weight: TensorOrScalar) {
  return m.lerp(this, end, weight);
};
Tensor.prototype.lerp_ = function <T extends Tensor>(this: T, end: Tensor, weight: TensorOrScalar): T {
  return this.assign("lerp_", () => m.lerp(this, end, weight), RESULT);
};
Tensor.prototype.logaddexp = function (this: Tensor, other: TensorOrScalar) {
  return m.logaddexp(this, other);
};
Tensor.prototype.logaddexp2 = function (this: Tensor, other: TensorOrScalar) {
  return m.logaddexp2(this, other);
};
Tensor.prototype.logit = function (this: Tensor, eps?: number | null | m.LogitOptions) {
  return m.logit(this, eps);
};
Tensor.prototype.logit_ = function <T extends Tensor>(this: T, eps?: number | null | m.LogitOptions): T {
  return this.assign("logit_", () => m.logit(this, eps), RESULT);
};
Tensor.prototype.signbit = function (this: Tensor) {
  return m.signbit(this);
};
Tensor.prototype.fmax = function (this: Tensor, other: Tensor) {
  return m.fmax(this, other);
};
Tensor.prototype.fmin = function (this: Tensor, other: Tensor) {
  return m.fmin(this, other);
};
