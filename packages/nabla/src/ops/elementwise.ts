/**
 * Elementwise ops with broadcasting. Each is a declared pointwise expression
 * (src/ops/pointwise/declarations/) run by callPointwise, which also records its gradient; what
 * stays here is each op's PyTorch surface: which dtypes it takes, and the special cases
 * (True + True is True, a scalar exponent, optional clamp bounds).
 */
import { webgpuContext } from "../backend/device.js";
import { backend } from "../backend/backend.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, OptionError } from "../errors.js";
import { isFloating, type DType } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { readValuesSync, toDevice } from "../tensor/transfer.js";
import { fromTypedArray, gpuViewOf, resultTensor, viewOf, type TensorOrScalar } from "./helpers.js";
import { callPointwise, pointwiseInto } from "./pointwise/call.js";
import { checkOptions } from "./options.js";
import * as A from "./pointwise/declarations/arithmetic.js";
import * as M from "./pointwise/declarations/math.js";
import * as Act from "./pointwise/declarations/activations.js";
import { divRounded, type DivOptions } from "./rounding-division.js";

// ---- arithmetic -------------------------------------------------------------------------

export interface AlphaOptions {
  /** The multiplier of the second operand: a + alpha·b (PyTorch's keyword `alpha`). 1 by default. */
  alpha?: number;
}

/** alpha from add's or sub's options: a finite number; a TypeError for anything else, or another option. */
function alphaOf(op: string, options: AlphaOptions | undefined): number {
  if (options === undefined) return 1; // every plain a + b: nothing to read
  checkOptions(op, options, ["alpha"]);
  const alpha = options?.alpha ?? 1;
  if (typeof alpha !== "number" || !Number.isFinite(alpha)) throw new OptionError(`${op}: alpha must be a finite number, got ${String(alpha)}`);
  return alpha;
}

/** b·alpha, for add's and sub's alpha (a number b stays a number). */
const scaled = (b: TensorOrScalar, alpha: number): TensorOrScalar => (alpha === 1 ? b : typeof b === "number" ? b * alpha : mul(b, alpha));

/**
 * a + alpha·b (alpha 1 unless given: `add(a, b, { alpha: 2 })`); for two bool tensors a logical or
 * (True + True is True), as in PyTorch. With alpha, b·alpha is rounded before the sum (PyTorch's
 * vector kernel fuses the two: results can differ in the last bit).
 */
export function add(a: TensorOrScalar, b: TensorOrScalar, options?: AlphaOptions): Tensor {
  const alpha = alphaOf("add", options);
  if (a instanceof Tensor && b instanceof Tensor && a.dtype === "bool" && b.dtype === "bool" && alpha === 1) return logicalOr(a, b);
  return callPointwise(A.add, [a, scaled(b, alpha)]);
}

/**
 * dst + alpha·b written into dst where pointwiseInto can (the in-place add_: a gradient
 * accumulated into `.grad`); false where add_'s general path must run.
 */
export function addInto(dst: Tensor, b: TensorOrScalar, options?: AlphaOptions): boolean {
  const alpha = alphaOf("add_", options);
  return dst.dtype !== "bool" && pointwiseInto(A.add, dst, [dst, scaled(b, alpha)]);
}

/** dst − alpha·b written into dst, as addInto. */
export function subInto(dst: Tensor, b: TensorOrScalar, options?: AlphaOptions): boolean {
  const alpha = alphaOf("sub_", options);
  return dst.dtype !== "bool" && pointwiseInto(A.sub, dst, [dst, scaled(b, alpha)]);
}

/** dst · b written into dst, as addInto. */
export function mulInto(dst: Tensor, b: TensorOrScalar): boolean {
  return pointwiseInto(A.mul, dst, [dst, b]);
}

/** dst / b written into dst, as addInto. */
export function divInto(dst: Tensor, b: TensorOrScalar, options?: DivOptions): boolean {
  // a rounding mode (or a misspelt option, which div refuses) takes div_'s general path
  return options === undefined && pointwiseInto(A.div, dst, [dst, b]);
}

/** a − alpha·b (alpha 1 unless given). */
export function sub(a: TensorOrScalar, b: TensorOrScalar, options?: AlphaOptions): Tensor {
  const alpha = alphaOf("sub", options);
  if (a instanceof Tensor && b instanceof Tensor && a.dtype === "bool" && b.dtype === "bool") {
    throw new DTypeError("sub: subtraction of two bool tensors is not supported; use logicalXor");
  }
  return callPointwise(A.sub, [a, scaled(b, alpha)]);
}

export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return callPointwise(A.mul, [a, b]);
}

/**
 * True division: integer inputs give a float32 result, as in PyTorch; with `{ roundingMode }`
 * "trunc" or "floor", the quotient rounded (integers staying integers; rounding-division.ts).
 */
export function div(a: TensorOrScalar, b: TensorOrScalar, options?: DivOptions): Tensor {
  if (options !== undefined) {
    // div(a, b, { rounding_mode: "floor" }) must not divide truly without a word
    checkOptions("div", options, ["roundingMode"]);
    if (options.roundingMode !== undefined && options.roundingMode !== null) return divRounded(a, b, options.roundingMode);
  }
  return callPointwise(A.div, [a, b]);
}

/** a^b; an int tensor to a fractional power gives float32. */
export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return callPointwise(A.pow, [a, b]);
}

export function neg(x: Tensor): Tensor {
  if (x.dtype === "bool") throw new DTypeError("neg: negation of a bool tensor is not supported; use logicalNot");
  return callPointwise(A.neg, [x]);
}

export function abs(x: Tensor): Tensor {
  return callPointwise(A.abs, [x]);
}

export function sign(x: Tensor): Tensor {
  return callPointwise(A.sign, [x]);
}

export function exp(x: Tensor): Tensor {
  return callPointwise(M.exp, [x]);
}

export function log(x: Tensor): Tensor {
  return callPointwise(M.log, [x]);
}

export function sqrt(x: Tensor): Tensor {
  return callPointwise(M.sqrt, [x]);
}

export interface ClampOptions {
  min?: number;
  max?: number;
}

/** min(max(x, min), max). The gradient passes where min ≤ x ≤ max (bounds included), as in PyTorch. */
export function clamp(x: Tensor, { min, max }: ClampOptions = {}): Tensor {
  if (min === undefined && max === undefined) throw new OptionError("clamp: at least one of 'min' or 'max' must be given");
  // a missing bound of an int32 tensor is int32's own end: an i32 kernel's parameter cannot hold ±inf
  const int = x.dtype === "int32";
  return callPointwise(A.clamp, [x], [min ?? (int ? -(2 ** 31) : -Infinity), max ?? (int ? 2 ** 31 - 1 : Infinity)]);
}

/** Elementwise larger value; NaN wins; on a tie each side gets half the gradient (PyTorch's rule). */
export function maximum(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError("maximum: expected two tensors");
  return callPointwise(A.maximum, [a, b]);
}

export function minimum(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError("minimum: expected two tensors");
  return callPointwise(A.minimum, [a, b]);
}

// ---- comparisons and logic (bool results, no gradient) --------------------------------------

export const eq = (a: TensorOrScalar, b: TensorOrScalar) => callPointwise(A.eqOp, [a, b]);
export const ne = (a: TensorOrScalar, b: TensorOrScalar) => callPointwise(A.neOp, [a, b]);
export const lt = (a: TensorOrScalar, b: TensorOrScalar) => callPointwise(A.ltOp, [a, b]);
export const le = (a: TensorOrScalar, b: TensorOrScalar) => callPointwise(A.leOp, [a, b]);
export const gt = (a: TensorOrScalar, b: TensorOrScalar) => callPointwise(A.gtOp, [a, b]);
export const ge = (a: TensorOrScalar, b: TensorOrScalar) => callPointwise(A.geOp, [a, b]);
export const logicalAnd = (a: TensorOrScalar, b: TensorOrScalar) => callPointwise(A.logicalAnd, [a, b]);
export const logicalOr = (a: TensorOrScalar, b: TensorOrScalar) => callPointwise(A.logicalOr, [a, b]);

export function logicalNot(x: Tensor): Tensor {
  return callPointwise(A.logicalNot, [x]);
}

export function isfinite(x: Tensor): Tensor {
  return callPointwise(A.isfinite, [x]);
}

/** cond ? a : b elementwise, broadcasting all three; the gradient goes to the side that was picked. */
export function where(cond: Tensor, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (!(cond instanceof Tensor) || cond.dtype !== "bool") {
    throw new DTypeError(`where: expected condition to be a bool tensor, got ${cond instanceof Tensor ? cond.dtype : typeof cond}`);
  }
  // two plain numbers give float32: numbers are floating by default (as tensor() reads them)
  if (typeof a === "number" && typeof b === "number") return callPointwise(A.where, [cond, a, b]).to("float32");
  return callPointwise(A.where, [cond, a, b]);
}

// ---- activations with fused kernels ---------------------------------------------------------

export function sigmoid(x: Tensor): Tensor {
  return callPointwise(Act.sigmoid, [x]);
}

export function tanh(x: Tensor): Tensor {
  return callPointwise(Act.tanh, [x]);
}

export function relu(x: Tensor): Tensor {
  return callPointwise(Act.relu, [x]);
}

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return callPointwise(Act.leakyRelu, [x], [negativeSlope]);
}

/** Casts to another dtype; the gradient is cast back (only between float dtypes). */
export function toDType(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const device = x.storage.device;
  if (device !== "cpu" && dtype === "float64") return toFloat64OnCpu(x);
  const out = resultTensor(x.shape, dtype, "to", device);
  // on the webgpu device the assign kernel converts, as the CPU backends' copy (float64 has no storage there)
  if (device === "cpu") backend().copy(viewOf(x), out.storage.data);
  else webgpuContext("to").assign(gpuViewOf(out), gpuViewOf(x));
  if (!isFloating(dtype)) return out;
  const from = x.dtype;
  return recordOp("ToCopyBackward0", out, [x], (g) => [toDType(g, from)]);
}

/**
 * A cast of a webgpu tensor to float64: float64 tensors stay on the CPU (WGSL has no f64), so the
 * values are read back and cast there, as the float64 rule of the devices says; the gradient is
 * cast back and moved to x's device.
 */
function toFloat64OnCpu(x: Tensor): Tensor {
  const device = x.storage.device;
  const host = fromTypedArray(readValuesSync(x, 'to("float64")', 'await t.toAsync("cpu")'), x.shape, x.dtype);
  const out = resultTensor(x.shape, "float64");
  backend().copy(viewOf(host), out.storage.data);
  const from = x.dtype;
  return recordOp("ToCopyBackward0", out, [x], (g) => [toDevice(toDType(g, from), device)]);
}
