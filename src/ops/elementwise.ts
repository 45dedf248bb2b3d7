/**
 * Elementwise ops with broadcasting, each with its gradient beside it. Gradients of broadcast
 * operands are summed back to the operand's shape (sumToShape).
 */
import { backend, type BinaryOp, type UnaryOp } from "../backend/backend.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, OptionError } from "../errors.js";
import { isFloating, type DType } from "../tensor/dtype.js";
import { broadcastShapes, broadcastStrides } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { asTensorPair, emptyTensor, resultTensor, scalarTensor, viewOf, viewWith, type TensorOrScalar } from "./helpers.js";
import { sumToShape } from "./reduce.js";

/** Runs a binary kernel over the broadcast shape of a and b into a new tensor of `dtype`. */
export function binaryKernel(op: string, kernel: BinaryOp, a: Tensor, b: Tensor, dtype: DType, alpha?: number): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = resultTensor(shape, dtype);
  backend().binary(
    kernel,
    viewWith(a, shape, broadcastStrides(a.shape, a.strides, shape)),
    viewWith(b, shape, broadcastStrides(b.shape, b.strides, shape)),
    out.storage.data,
    alpha,
  );
  return out;
}

export function unaryKernel(kernel: UnaryOp, x: Tensor, dtype: DType = x.dtype, alpha?: number, beta?: number): Tensor {
  const out = resultTensor(x.shape, dtype);
  backend().unary(kernel, viewOf(x), out.storage.data, alpha, beta);
  return out;
}

// ---- arithmetic -------------------------------------------------------------------------

/** x + y; for two bool tensors a logical or (True + True is True), as in PyTorch. */
export function add(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const [x, y, dtype] = asTensorPair("add", a, b);
  const out = binaryKernel("add", dtype === "bool" ? "logicalOr" : "add", x, y, dtype);
  // d(x+y)/dx = 1, d(x+y)/dy = 1
  return recordOp("AddBackward0", out, [x, y], (g) => [sumToShape(g, x.shape), sumToShape(g, y.shape)]);
}

export function sub(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const [x, y, dtype] = asTensorPair("sub", a, b);
  if (dtype === "bool") throw new DTypeError("sub: subtraction of two bool tensors is not supported; use logicalXor");
  const out = binaryKernel("sub", "sub", x, y, dtype);
  // d(x−y)/dx = 1, d(x−y)/dy = −1
  return recordOp("SubBackward0", out, [x, y], (g) => [sumToShape(g, x.shape), sumToShape(neg(g), y.shape)]);
}

export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const [x, y, dtype] = asTensorPair("mul", a, b);
  const out = binaryKernel("mul", "mul", x, y, dtype);
  // d(xy)/dx = y, d(xy)/dy = x
  return recordOp("MulBackward0", out, [x, y], (g) => [
    x.requiresGrad ? sumToShape(mul(g, y), x.shape) : null,
    y.requiresGrad ? sumToShape(mul(g, x), y.shape) : null,
  ], [...(x.requiresGrad ? [y] : []), ...(y.requiresGrad ? [x] : [])]);
}

/** True division: integer inputs give a float32 result, as in PyTorch. */
export function div(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const [x, y, common] = asTensorPair("div", a, b);
  const dtype = isFloating(common) ? common : "float32";
  const out = binaryKernel("div", "div", x, y, dtype);
  // d(x/y)/dx = 1/y, d(x/y)/dy = −x/y²
  return recordOp("DivBackward0", out, [x, y], (g) => [
    x.requiresGrad ? sumToShape(div(g, y), x.shape) : null,
    y.requiresGrad ? sumToShape(neg(div(mul(g, out), y)), y.shape) : null,
  ], y.requiresGrad ? [y, out] : [y]);
}

export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (a instanceof Tensor && typeof b === "number") return powScalar(a, b);
  const [x, y, dtype] = asTensorPair("pow", a, b);
  const out = binaryKernel("pow", "pow", x, y, dtype);
  return recordOp("PowBackward1", out, [x, y], (g) => [
    // d(x^y)/dx = y·x^(y−1), taken as 0 where y = 0
    x.requiresGrad ? sumToShape(where(eq(y, 0), 0, mul(g, mul(y, pow(x, sub(y, 1))))), x.shape) : null,
    // d(x^y)/dy = x^y·ln x, taken as 0 where x = 0 and y ≥ 0
    y.requiresGrad
      ? sumToShape(where(logicalAnd(eq(x, 0), ge(y, 0)), 0, mul(g, mul(out, log(x)))), y.shape)
      : null,
  ], [x, y, out]);
}

function powScalar(x: Tensor, exponent: number): Tensor {
  const dtype = isFloating(x.dtype) || Number.isInteger(exponent) ? x.dtype : "float32";
  const out = unaryKernel("powScalar", x, dtype, exponent);
  // d(x^p)/dx = p·x^(p−1); zero when p = 0
  return recordOp("PowBackward0", out, [x], (g) => [
    exponent === 0 ? zerosLikeOf(g) : mul(g, mul(powScalar(x, exponent - 1), exponent)),
  ], [x]);
}

function zerosLikeOf(t: Tensor): Tensor {
  return emptyTensor(t.shape, t.dtype);
}

export function neg(x: Tensor): Tensor {
  if (x.dtype === "bool") throw new DTypeError("neg: negation of a bool tensor is not supported; use logicalNot");
  return recordOp("NegBackward0", unaryKernel("neg", x), [x], (g) => [neg(g)]);
}

/** Unary maths on floats: an int or bool input is first turned into float32, as PyTorch does. */
function floatInput(x: Tensor): Tensor {
  return isFloating(x.dtype) ? x : x.to("float32");
}

export function exp(input: Tensor): Tensor {
  const x = floatInput(input);
  const out = unaryKernel("exp", x);
  return recordOp("ExpBackward0", out, [x], (g) => [mul(g, out)], [out]); // d/dx eˣ = eˣ
}

export function log(input: Tensor): Tensor {
  const x = floatInput(input);
  return recordOp("LogBackward0", unaryKernel("log", x), [x], (g) => [div(g, x)], [x]); // d/dx ln x = 1/x
}

export function sqrt(input: Tensor): Tensor {
  const x = floatInput(input);
  const out = unaryKernel("sqrt", x);
  return recordOp("SqrtBackward0", out, [x], (g) => [div(g, mul(out, 2))], [out]); // d/dx √x = 1/(2√x)
}

export function abs(x: Tensor): Tensor {
  // d/dx |x| = sign(x), 0 at x = 0
  return recordOp("AbsBackward0", unaryKernel("abs", x), [x], (g) => [mul(g, unaryKernel("sign", x))], [x]);
}

export function sign(x: Tensor): Tensor {
  return recordOp("SignBackward0", unaryKernel("sign", x), [x], (g) => [zerosLikeOf(g)]);
}

export interface ClampOptions {
  min?: number;
  max?: number;
}

/** min(max(x, min), max). The gradient passes where min ≤ x ≤ max (bounds included), as in PyTorch. */
export function clamp(x: Tensor, { min, max }: ClampOptions = {}): Tensor {
  if (min === undefined && max === undefined) throw new OptionError("clamp: at least one of 'min' or 'max' must be given");
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  const out = unaryKernel("clamp", x, x.dtype, lo, hi);
  return recordOp("ClampBackward1", out, [x], (g) => {
    const inside = logicalAnd(ge(x, lo), le(x, hi));
    return [mul(g, inside)];
  }, [x]);
}

/** Elementwise larger value; on a tie each side gets half the gradient (PyTorch's rule). */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return extremum("maximum", a, b);
}

export function minimum(a: Tensor, b: Tensor): Tensor {
  return extremum("minimum", a, b);
}

function extremum(op: "maximum" | "minimum", a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError(`${op}: expected two tensors`);
  const [x, y, dtype] = asTensorPair(op, a, b);
  const out = binaryKernel(op, op, x, y, dtype);
  const wins = op === "maximum" ? gt : lt;
  return recordOp(op === "maximum" ? "MaximumBackward0" : "MinimumBackward0", out, [x, y], (g) => {
    const half = mul(g, 0.5);
    const share = (self: Tensor, other: Tensor) => where(wins(self, other), g, where(eq(self, other), half, 0));
    return [sumToShape(share(x, y), x.shape), sumToShape(share(y, x), y.shape)];
  }, [x, y]);
}

// ---- comparisons and logic (bool results, no gradient) --------------------------------------

function compare(op: BinaryOp, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const [x, y] = asTensorPair(op, a, b);
  return binaryKernel(op, op, x, y, "bool");
}

export const eq = (a: TensorOrScalar, b: TensorOrScalar) => compare("eq", a, b);
export const ne = (a: TensorOrScalar, b: TensorOrScalar) => compare("ne", a, b);
export const lt = (a: TensorOrScalar, b: TensorOrScalar) => compare("lt", a, b);
export const le = (a: TensorOrScalar, b: TensorOrScalar) => compare("le", a, b);
export const gt = (a: TensorOrScalar, b: TensorOrScalar) => compare("gt", a, b);
export const ge = (a: TensorOrScalar, b: TensorOrScalar) => compare("ge", a, b);
export const logicalAnd = (a: TensorOrScalar, b: TensorOrScalar) => compare("logicalAnd", a, b);
export const logicalOr = (a: TensorOrScalar, b: TensorOrScalar) => compare("logicalOr", a, b);

export function logicalNot(x: Tensor): Tensor {
  return unaryKernel("logicalNot", x, "bool");
}

export function isfinite(x: Tensor): Tensor {
  return unaryKernel("isFinite", x, "bool");
}

/** cond ? a : b elementwise, broadcasting all three; the gradient goes to the side that was picked. */
export function where(cond: Tensor, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (cond.dtype !== "bool") throw new DTypeError(`where: expected condition to be a bool tensor, got ${cond.dtype}`);
  // two plain numbers give float32: numbers are floating by default (as tensor() reads them)
  const [x, y, dtype] =
    typeof a === "number" && typeof b === "number" ? asTensorPair("where", scalarTensor(a, "float32"), b) : asTensorPair("where", a, b);
  const shape = broadcastShapes("where", cond.shape, broadcastShapes("where", x.shape, y.shape));
  const out = resultTensor(shape, dtype);
  const bcast = (t: Tensor) => viewWith(t, shape, broadcastStrides(t.shape, t.strides, shape));
  backend().where(bcast(cond), bcast(x), bcast(y), out.storage.data);
  return recordOp("WhereBackward0", out, [x, y], (g) => [
    x.requiresGrad ? sumToShape(where(cond, g, 0), x.shape) : null,
    y.requiresGrad ? sumToShape(where(cond, 0, g), y.shape) : null,
  ], [cond]);
}

// ---- activations with fused kernels ---------------------------------------------------------

export function sigmoid(input: Tensor): Tensor {
  const x = floatInput(input);
  const out = unaryKernel("sigmoid", x);
  // σ'(x) = σ(x)(1 − σ(x)), from the output so that it stays exact at ±100; a recorded backward
  // (createGraph) needs it as ops, whose gradient reaches x through `out`
  return recordOp("SigmoidBackward0", out, [x], (g) => [
    isGradEnabled() ? mul(g, mul(out, sub(1, out))) : binaryKernel("sigmoid", "sigmoidBackward", g, out, g.dtype),
  ], [out]);
}

export function tanh(input: Tensor): Tensor {
  const x = floatInput(input);
  const out = unaryKernel("tanh", x);
  // tanh'(x) = 1 − tanh²(x) (as ops in a recorded backward, like sigmoid's)
  return recordOp("TanhBackward0", out, [x], (g) => [
    isGradEnabled() ? mul(g, sub(1, mul(out, out))) : binaryKernel("tanh", "tanhBackward", g, out, g.dtype),
  ], [out]);
}

export function relu(x: Tensor): Tensor {
  if (x.dtype === "bool") throw new DTypeError("relu: expected a numeric tensor, got bool");
  const out = unaryKernel("relu", x);
  // relu'(x) = 1 for x > 0, else 0 (0 at the kink, as in PyTorch); in a recorded backward the
  // selection is an op, so the gradient still reaches g
  return recordOp("ReluBackward0", out, [x], (g) => [
    isGradEnabled() ? where(gt(out, 0), g, 0) : binaryKernel("relu", "reluBackward", g, out, g.dtype),
  ], [out]);
}

export function leakyRelu(input: Tensor, negativeSlope = 0.01): Tensor {
  const x = floatInput(input);
  const out = unaryKernel("leakyRelu", x, x.dtype, negativeSlope);
  // d/dx = 1 for x > 0, else negativeSlope (negativeSlope at the kink, as in PyTorch)
  return recordOp("LeakyReluBackward0", out, [x], (g) => [
    isGradEnabled()
      ? where(gt(x, 0), g, mul(g, negativeSlope))
      : binaryKernel("leakyRelu", "leakyReluBackward", g, x, g.dtype, negativeSlope),
  ], [x]);
}

/** Casts to another dtype; the gradient is cast back (only between float dtypes). */
export function toDType(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const out = resultTensor(x.shape, dtype);
  backend().copy(viewOf(x), out.storage.data);
  if (!isFloating(dtype)) return out;
  const from = x.dtype;
  return recordOp("ToCopyBackward0", out, [x], (g) => [toDType(g, from)]);
}

