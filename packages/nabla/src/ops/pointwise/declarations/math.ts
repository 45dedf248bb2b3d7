/**
 * The pointwise mathematics of torch: exponentials and logarithms, powers and roots, trigonometric
 * and hyperbolic functions and their inverses, the error function family, rounding, remainders,
 * interpolation. Each is one primitive or a short expression of them; every derivative is derived
 * from the primitives' (primitives.ts), which follow PyTorch's formulas.
 */
import { binary, ternary, unary } from "../declare.js";
import { add, apply, div, lt, mul, select, sub, type Expr, type Operand } from "../expr.js";
import type { PrimitiveName } from "../primitives.js";

/** A float op that is exactly one primitive: int and bool inputs are cast to float32 first. */
const one = (name: string, node: string, prim: PrimitiveName = name as PrimitiveName) =>
  unary({ name, node, forward: (x) => apply(prim, x) });

/**
 * One primitive whose derivative reads the output y, as PyTorch's backward reads its result
 * (derivatives.yaml): the backward kernel does not evaluate the forward again (exp's g·y, not
 * g·eˣ), and the output is saved instead of the input, so an in-place change of the result is the
 * error it is in PyTorch.
 */
const fromResult = (name: string, node: string, derivative: (y: Expr) => Operand) =>
  unary({ name, node, forward: (x) => apply(name as PrimitiveName, x), derivative: (_x, y) => derivative(y) });

export const exp = fromResult("exp", "ExpBackward0", (y) => y);
export const expm1 = fromResult("expm1", "Expm1Backward0", (y) => add(y, 1));
export const log = one("log", "LogBackward0");
export const log1p = one("log1p", "Log1PBackward0");
export const log2 = one("log2", "Log2Backward0");
export const log10 = one("log10", "Log10Backward0");
/** d√x = 1/(2y), PyTorch's grad / (2 · result). */
export const sqrt = fromResult("sqrt", "SqrtBackward0", (y) => div(0.5, y));
/** d x^−½ = −½ y³. */
export const rsqrt = fromResult("rsqrt", "RsqrtBackward0", (y) => mul(-0.5, mul(y, mul(y, y))));
export const sin = one("sin", "SinBackward0");
export const cos = one("cos", "CosBackward0");
/** d tan x = 1 + y². */
export const tan = fromResult("tan", "TanBackward0", (y) => add(1, mul(y, y)));
export const asin = one("asin", "AsinBackward0");
export const acos = one("acos", "AcosBackward0");
export const atan = one("atan", "AtanBackward0");
export const sinh = one("sinh", "SinhBackward0");
export const cosh = one("cosh", "CoshBackward0");
export const asinh = one("asinh", "AsinhBackward0");
export const acosh = one("acosh", "AcoshBackward0");
export const atanh = one("atanh", "AtanhBackward0");
export const erf = one("erf", "ErfBackward0");
export const erfc = one("erfc", "ErfcBackward0");
export const erfinv = one("erfinv", "ErfinvBackward0");

/** 1/x; d(1/x) = −y², PyTorch's −grad · result². */
export const reciprocal = unary({ name: "reciprocal", node: "ReciprocalBackward0", forward: (x) => div(1, x), derivative: (_x, y) => mul(-1, mul(y, y)) });
/** x²: keeps an int tensor int, as PyTorch's square. */
export const square = unary({ name: "square", node: "PowBackward0", dtypes: "numeric", forward: (x) => mul(x, x) });

/** Rounding: gradient 0 (PyTorch's); int tensors pass through unchanged. */
const rounding = (name: string, node: string, prim: PrimitiveName) =>
  unary({ name, node, dtypes: "numeric", forward: (x) => apply(prim, x) });
export const floor = rounding("floor", "FloorBackward0", "floor");
export const ceil = rounding("ceil", "CeilBackward0", "ceil");
export const trunc = rounding("trunc", "TruncBackward0", "trunc");
/** Round half to even, as torch.round. */
export const round = rounding("round", "RoundBackward0", "round");
/** x − trunc(x), the fractional part with x's sign; d/dx = 1. */
export const frac = unary({ name: "frac", node: "FracBackward0", forward: (x: Expr) => sub(x, apply("trunc", x)) });

export const atan2 = binary({ name: "atan2", node: "Atan2Backward0", forward: (a, b) => apply("atan2", a, b) });
export const hypot = binary({ name: "hypot", node: "HypotBackward0", forward: (a, b) => apply("hypot", a, b) });
/** a − trunc(a/b)·b: the C remainder, with a's sign. */
export const fmod = binary({ name: "fmod", node: "FmodBackward0", dtypes: "numeric", forward: (a, b) => apply("fmod", a, b) });
/** a − floor(a/b)·b: Python's remainder, with b's sign. */
export const remainder = binary({ name: "remainder", node: "RemainderBackward0", dtypes: "numeric", forward: (a, b) => apply("remainder", a, b) });

/**
 * start + weight·(end − start), computed from the nearer end as PyTorch does so that weight 1
 * gives exactly `end`; d/dstart = 1 − weight, d/dend = weight, d/dweight = end − start.
 */
export const lerp = ternary({
  name: "lerp",
  node: "LerpBackward1",
  forward: (start, end, weight) => {
    const diff = sub(end, start);
    return select(lt(apply("abs", weight), 0.5), add(start, mul(weight, diff)), sub(end, mul(diff, sub(1, weight))));
  },
  derivatives: (start, end, weight) => [sub(1, weight), weight, sub(end, start)],
});
