/**
 * The pointwise mathematics of torch: exponentials and logarithms, powers and roots, trigonometric
 * and hyperbolic functions and their inverses, the error function family, rounding, remainders,
 * interpolation. Each is one primitive or a short expression of them; every derivative is derived
 * from the primitives' (primitives.ts), which follow PyTorch's formulas.
 */
import { binary, ternary, unary } from "../declare.js";
import { add, and, apply, div, eq, ge, gt, le, lt, mul, ne, neg, or, select, sub, type Expr, type Operand } from "../expr.js";
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

// ---- batch 2: log-sum-exp of two, x·log y, logit, exp2, signs, angles, NaN-ignoring extrema ----

/**
 * log(eᵃ + eᵇ) as PyTorch's kernel: max + log(1 + e^−|a−b|) (log of 1 + …, not log1p: a term
 * below an ulp of 1 is lost, as there), and a itself where a = b = ±inf (whose difference is NaN).
 * d/da = 1/(1 + e^(b−a)), d/db = 1/(1 + e^(a−b)), PyTorch's formulas.
 */
export const logaddexp = binary({
  name: "logaddexp",
  node: "LogaddexpBackward0",
  forward: (a, b) =>
    select(and(apply("isinf", a), eq(a, b)), a, add(apply("maximum", a, b), apply("log", add(1, apply("exp", neg(apply("abs", sub(a, b)))))))),
  derivatives: (a, b) => [div(1, add(1, apply("exp", sub(b, a)))), div(1, add(1, apply("exp", sub(a, b))))],
});
/** log₂(2ᵃ + 2ᵇ): max + log₂(1 + 2^−|a−b|), as PyTorch's kernel; d/da = 1/(1 + 2^(b−a)). */
export const logaddexp2 = binary({
  name: "logaddexp2",
  node: "Logaddexp2Backward0",
  forward: (a, b) =>
    select(
      and(apply("isinf", a), eq(a, b)),
      a,
      add(apply("maximum", a, b), apply("log2", add(1, apply("pow", 2, neg(apply("abs", sub(a, b))))))),
    ),
  derivatives: (a, b) => [div(1, add(1, apply("pow", 2, sub(b, a)))), div(1, add(1, apply("pow", 2, sub(a, b))))],
});
/** x·log(y), 0 where x = 0 (unless y is NaN), as torch.xlogy. d/dx = log y (at x = 0 too), d/dy = x/y: PyTorch 1.13's. */
export const xlogy = binary({
  name: "xlogy",
  node: "XlogyBackward0",
  forward: (x, y) => select(apply("isnan", y), NaN, select(eq(x, 0), 0, mul(x, apply("log", y)))),
  derivatives: (x, y) => [apply("log", y), div(x, y)],
});
/** log(z/(1 − z)), +inf at z = 1; the gradient 1/(x(1 − x)), NaN outside [0, 1] (torch.logit without eps). */
export const logit = unary({
  name: "logit",
  node: "LogitBackward0",
  forward: (x) => select(eq(x, 1), Infinity, apply("log", div(x, sub(1, x)))),
  derivative: (x) => select(or(lt(x, 0), gt(x, 1)), NaN, div(1, mul(x, sub(1, x)))),
});
/**
 * logit of x clamped to [lo, hi] = [eps, 1 − eps] (torch.logit(x, eps), lo and hi given in x's
 * dtype); the gradient is 0 outside [lo, hi], as PyTorch's logit_backward.
 */
export const logitEps = unary({
  name: "logit",
  node: "LogitBackward0",
  params: ["lo", "hi"],
  forward: (x, [lo, hi]) => {
    const z = select(lt(x, lo!), lo!, select(gt(x, hi!), hi!, x));
    return select(eq(z, 1), Infinity, apply("log", div(z, sub(1, z))));
  },
  derivative: (x, _y, [lo, hi]) => select(or(lt(x, lo!), gt(x, hi!)), 0, div(1, mul(x, sub(1, x)))),
});
/** 2ˣ; d/dx = 2ˣ·ln 2. */
export const exp2 = unary({ name: "exp2", node: "Exp2Backward0", forward: (x) => apply("pow", 2, x) });

/**
 * x < 0, or x = −0 (x⁻¹ = −inf): the sign bit of every value but NaN's, which reads as clear. A
 * power, not 1/x: an int32 kernel (the WebGPU device's, for int operands) has pow but no fractions.
 */
const signBit = (x: Expr): Expr => or(lt(x, 0), and(eq(x, 0), lt(apply("pow", x, -1), 0)));
/**
 * |a| with b's sign (torch.copysign; a NaN b counts as positive). d/da = out/a (0 at a = 0),
 * d/db = 0, as PyTorch's.
 */
export const copysign = binary({
  name: "copysign",
  node: "CopysignBackward0",
  forward: (a, b) => select(signBit(b), neg(apply("abs", a)), apply("abs", a)),
  derivatives: (a, _b, out) => [select(eq(a, 0), 0, div(out, a)), 0],
});
/** Whether the sign bit is set: true for negative values and −0 (bool). */
export const signbit = unary({ name: "signbit", node: "", forward: (x) => signBit(x), derivative: null });
/** x·π/180 and x·180/π, PyTorch's constants. */
export const deg2rad = unary({ name: "deg2rad", node: "Deg2RadBackward0", forward: (x) => mul(x, 0.017453292519943295) });
export const rad2deg = unary({ name: "rad2deg", node: "Rad2DegBackward0", forward: (x) => mul(x, 57.29577951308232) });

/**
 * The larger (smaller) value, a NaN losing to a number (C's fmax/fmin); the gradient goes to a
 * where a ≥ b (≤ for fmin) or b is NaN, else to b; a tie gives both sides all of it, as PyTorch's.
 */
export const fmax = binary({
  name: "fmax",
  node: "FmaxBackward0",
  dtypes: "numeric",
  forward: (a, b) => select(apply("isnan", a), b, select(apply("isnan", b), a, apply("maximum", a, b))),
  derivatives: (a, b) => [select(or(ge(a, b), apply("isnan", b)), 1, 0), select(or(ge(a, b), apply("isnan", b)), 0, 1)],
});
export const fmin = binary({
  name: "fmin",
  node: "FminBackward0",
  dtypes: "numeric",
  forward: (a, b) => select(apply("isnan", a), b, select(apply("isnan", b), a, apply("minimum", a, b))),
  derivatives: (a, b) => [select(or(le(a, b), apply("isnan", b)), 1, 0), select(or(le(a, b), apply("isnan", b)), 0, 1)],
});
/** Exactly one of a, b non-zero (bool). */
export const logicalXor = binary({
  name: "logicalXor",
  node: "",
  dtypes: "any",
  forward: (a, b) => ne(select(ne(a, 0), 1, 0), select(ne(b, 0), 1, 0)),
  derivatives: null,
});
