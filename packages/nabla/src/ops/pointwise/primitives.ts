/**
 * The primitives pointwise expressions are built from: each with its arity and types, its value
 * (`evaluate`: what the JS kernel computes and what constant folding uses), an inline JS form
 * where an operator beats a call, and its partial derivatives as expressions (absent where there
 * is none: comparisons, rounding). These are the code generators' vocabulary, not ops: an op
 * (relu, gelu, pow …) is an expression over them, declared once in declarations/.
 *
 * Every derivative matches PyTorch's at the kinks (abs' at 0 is 0, maximum splits a tie).
 */
import type { Expr, ExprType, Operand } from "./expr.js";
import * as E from "./expr.js";
import * as G from "./gelu-erf.js";
import * as S from "./scalar-math.js";

export interface Primitive {
  readonly arity: number;
  readonly type: ExprType;
  /** Types of the arguments; all numbers unless given. */
  readonly argTypes?: readonly ExprType[];
  /** The value for numbers (bool results and arguments as 1/0). */
  readonly evaluate: (...args: number[]) => number;
  /**
   * The value in float32 kernels where it is not `evaluate`'s rounded: a function PyTorch computes
   * by a float32 algorithm of its own (GELU's, gelu-erf.ts), emulated step by step.
   */
  readonly evaluate32?: (...args: number[]) => number;
  /** Inline JavaScript for the value, given the arguments' code; a call to `evaluate` otherwise. */
  readonly js?: (...args: string[]) => string;
  /** ∂out/∂argᵢ for each argument, given the arguments and the node itself. */
  readonly derivative?: (args: readonly Expr[], out: Expr) => Operand[];
}

const LN2 = Math.LN2;
const LN10 = Math.LN10;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const SQRT_PI_OVER_2 = Math.sqrt(Math.PI) / 2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

const unary = (evaluate: (x: number) => number, derivative?: (x: Expr, out: Expr) => Operand, js?: (x: string) => string): Primitive => ({
  arity: 1,
  type: "num",
  evaluate,
  ...(js ? { js } : {}),
  ...(derivative ? { derivative: ([x], out) => [derivative(x!, out)] } : {}),
});

const binary = (
  evaluate: (a: number, b: number) => number,
  derivative?: (a: Expr, b: Expr, out: Expr) => [Operand, Operand],
  js?: (a: string, b: string) => string,
): Primitive => ({
  arity: 2,
  type: "num",
  evaluate,
  ...(js ? { js } : {}),
  ...(derivative ? { derivative: ([a, b], out) => derivative(a!, b!, out) } : {}),
});

const comparison = (evaluate: (a: number, b: number) => boolean, op: string): Primitive => ({
  arity: 2,
  type: "bool",
  evaluate: (a, b) => (evaluate(a, b) ? 1 : 0),
  js: (a, b) => `(${a} ${op} ${b})`,
});

const predicate = (evaluate: (x: number) => boolean, js: (x: string) => string): Primitive => ({
  arity: 1,
  type: "bool",
  evaluate: (x) => (evaluate(x) ? 1 : 0),
  js,
});

/** sign(x) as an expression: 1, −1 or 0 (the derivative of |x|, 0 at 0 as PyTorch's). */
const signOf = (x: Expr): Expr => E.select(E.gt(x, 0), 1, E.select(E.lt(x, 0), -1, 0));

/** PyTorch's maximum/minimum rule: the winner takes the gradient, a tie splits it in half. */
const extremumShare = (self: Expr, other: Expr, wins: (a: Expr, b: Expr) => Expr): Expr =>
  E.select(wins(self, other), 1, E.select(E.eq(self, other), 0.5, 0));

/** The primitives' names (the table below must have exactly these). */
export type PrimitiveName =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "neg"
  | "abs"
  | "pow"
  | "maximum"
  | "minimum"
  | "fmod"
  | "remainder"
  | "atan2"
  | "hypot"
  | "exp"
  | "expm1"
  | "log"
  | "log1p"
  | "log2"
  | "log10"
  | "sqrt"
  | "rsqrt"
  | "sigmoid"
  | "sin"
  | "cos"
  | "tan"
  | "asin"
  | "acos"
  | "atan"
  | "sinh"
  | "cosh"
  | "tanh"
  | "asinh"
  | "acosh"
  | "atanh"
  | "erf"
  | "erfc"
  | "erfinv"
  | "geluErf"
  | "geluErfGrad"
  | "floor"
  | "ceil"
  | "trunc"
  | "round"
  | "sign"
  | "gt"
  | "ge"
  | "lt"
  | "le"
  | "eq"
  | "ne"
  | "isnan"
  | "isinf"
  | "isfinite"
  | "and"
  | "or"
  | "not"
  | "select";

export const PRIMITIVES: Record<PrimitiveName, Primitive> = {
  // ---- arithmetic ----
  add: binary((a, b) => a + b, () => [1, 1], (a, b) => `(${a} + ${b})`),
  sub: binary((a, b) => a - b, () => [1, -1], (a, b) => `(${a} - ${b})`),
  mul: binary((a, b) => a * b, (a, b) => [b, a], (a, b) => `(${a} * ${b})`),
  // d(a/b)/db = −a/b² = −out/b
  div: binary((a, b) => a / b, (_a, b, out) => [E.div(1, b), E.neg(E.div(out, b))], (a, b) => `(${a} / ${b})`),
  neg: unary((x) => -x, () => -1, (x) => `(-${x})`),
  abs: unary(Math.abs, (x) => signOf(x), (x) => `Math.abs(${x})`),
  // d(a^b)/da = b·a^(b−1), 0 where b = 0; d(a^b)/db = a^b·ln a, 0 where a = 0 and b ≥ 0 (PyTorch's rules)
  pow: binary(
    Math.pow,
    (a, b, out) => [
      E.select(E.eq(b, 0), 0, E.mul(b, E.apply("pow", a, E.sub(b, 1)))),
      E.select(E.and(E.eq(a, 0), E.ge(b, 0)), 0, E.mul(out, E.apply("log", a))),
    ],
    (a, b) => `Math.pow(${a}, ${b})`,
  ),
  maximum: binary(S.maximum, (a, b) => [extremumShare(a, b, E.gt), extremumShare(b, a, E.gt)]),
  minimum: binary(S.minimum, (a, b) => [extremumShare(a, b, E.lt), extremumShare(b, a, E.lt)]),
  // fmod(a, b) = a − trunc(a/b)·b: d/da = 1, d/db = −trunc(a/b)
  fmod: binary((a, b) => a % b, (a, b) => [1, E.neg(E.apply("trunc", E.div(a, b)))], (a, b) => `(${a} % ${b})`),
  // remainder(a, b) = a − floor(a/b)·b
  remainder: binary(S.remainder, (a, b) => [1, E.neg(E.apply("floor", E.div(a, b)))]),
  // atan2(a, b): d/da = b/(a² + b²), d/db = −a/(a² + b²)
  atan2: binary(
    Math.atan2,
    (a, b) => {
      const r2 = E.add(E.mul(a, a), E.mul(b, b));
      return [E.div(b, r2), E.neg(E.div(a, r2))];
    },
    (a, b) => `Math.atan2(${a}, ${b})`,
  ),
  // hypot(a, b) = √(a² + b²): d/da = a/out, d/db = b/out
  hypot: binary(Math.hypot, (a, b, out) => [E.div(a, out), E.div(b, out)], (a, b) => `Math.hypot(${a}, ${b})`),

  // ---- exponentials and logarithms ----
  exp: unary(Math.exp, (_x, out) => out, (x) => `Math.exp(${x})`),
  expm1: unary(Math.expm1, (_x, out) => E.add(out, 1), (x) => `Math.expm1(${x})`),
  log: unary(Math.log, (x) => E.div(1, x), (x) => `Math.log(${x})`),
  log1p: unary(Math.log1p, (x) => E.div(1, E.add(x, 1)), (x) => `Math.log1p(${x})`),
  log2: unary(Math.log2, (x) => E.div(1, E.mul(x, LN2)), (x) => `Math.log2(${x})`),
  log10: unary(Math.log10, (x) => E.div(1, E.mul(x, LN10)), (x) => `Math.log10(${x})`),
  sqrt: unary(Math.sqrt, (_x, out) => E.div(0.5, out), (x) => `Math.sqrt(${x})`),
  // rsqrt'(x) = −½·x^(−3/2) = −½·out³
  rsqrt: unary((x) => 1 / Math.sqrt(x), (_x, out) => E.mul(-0.5, E.mul(out, E.mul(out, out))), (x) => `(1 / Math.sqrt(${x}))`),
  // σ' = σ(1 − σ)
  sigmoid: unary(S.sigmoid, (_x, out) => E.mul(out, E.sub(1, out))),

  // ---- trigonometric and hyperbolic ----
  sin: unary(Math.sin, (x) => E.apply("cos", x), (x) => `Math.sin(${x})`),
  cos: unary(Math.cos, (x) => E.neg(E.apply("sin", x)), (x) => `Math.cos(${x})`),
  tan: unary(Math.tan, (_x, out) => E.add(1, E.mul(out, out)), (x) => `Math.tan(${x})`),
  asin: unary(Math.asin, (x) => E.apply("rsqrt", E.sub(1, E.mul(x, x))), (x) => `Math.asin(${x})`),
  acos: unary(Math.acos, (x) => E.neg(E.apply("rsqrt", E.sub(1, E.mul(x, x)))), (x) => `Math.acos(${x})`),
  atan: unary(Math.atan, (x) => E.div(1, E.add(1, E.mul(x, x))), (x) => `Math.atan(${x})`),
  sinh: unary(Math.sinh, (x) => E.apply("cosh", x), (x) => `Math.sinh(${x})`),
  cosh: unary(Math.cosh, (x) => E.apply("sinh", x), (x) => `Math.cosh(${x})`),
  // tanh' = 1 − tanh² = (1 − t)(1 + t): no cancellation where t is near ±1
  tanh: unary(Math.tanh, (_x, out) => E.mul(E.sub(1, out), E.add(1, out)), (x) => `Math.tanh(${x})`),
  asinh: unary(Math.asinh, (x) => E.apply("rsqrt", E.add(E.mul(x, x), 1)), (x) => `Math.asinh(${x})`),
  // acosh' = 1/√((x − 1)(x + 1)), as PyTorch writes it
  acosh: unary(Math.acosh, (x) => E.apply("rsqrt", E.mul(E.sub(x, 1), E.add(x, 1))), (x) => `Math.acosh(${x})`),
  atanh: unary(Math.atanh, (x) => E.div(1, E.sub(1, E.mul(x, x))), (x) => `Math.atanh(${x})`),

  // ---- special functions ----
  erf: unary(S.erf, (x) => E.mul(TWO_OVER_SQRT_PI, E.apply("exp", E.neg(E.mul(x, x))))),
  erfc: unary(S.erfc, (x) => E.mul(-TWO_OVER_SQRT_PI, E.apply("exp", E.neg(E.mul(x, x))))),
  // (erf⁻¹)'(y) = √π/2 · e^(out²)
  erfinv: unary(S.erfinv, (_x, out) => E.mul(SQRT_PI_OVER_2, E.apply("exp", E.mul(out, out)))),
  // GELU and its derivative as PyTorch computes them (gelu-erf.ts): float64 by the formula,
  // float32 by oneDNN's algorithm. (Φ + xφ)' = φ·(2 − x²).
  geluErf: { ...unary(G.geluErf64, (x) => E.apply("geluErfGrad", x)), evaluate32: G.geluErf32 },
  geluErfGrad: {
    ...unary(G.geluErfGrad64, (x) => E.mul(E.mul(INV_SQRT_2PI, E.apply("exp", E.mul(E.mul(x, x), -0.5))), E.sub(2, E.mul(x, x)))),
    evaluate32: G.geluErfGrad32,
  },

  // ---- rounding (derivative 0 almost everywhere, as in PyTorch) ----
  floor: unary(Math.floor, () => 0, (x) => `Math.floor(${x})`),
  ceil: unary(Math.ceil, () => 0, (x) => `Math.ceil(${x})`),
  trunc: unary(Math.trunc, () => 0, (x) => `Math.trunc(${x})`),
  round: unary(S.roundHalfEven, () => 0),
  sign: unary(S.sign, () => 0),

  // ---- conditions ----
  gt: comparison((a, b) => a > b, ">"),
  ge: comparison((a, b) => a >= b, ">="),
  lt: comparison((a, b) => a < b, "<"),
  le: comparison((a, b) => a <= b, "<="),
  eq: comparison((a, b) => a === b, "==="),
  ne: comparison((a, b) => a !== b, "!=="),
  isnan: predicate((x) => x !== x, (x) => `(${x} !== ${x})`),
  isinf: predicate((x) => x === Infinity || x === -Infinity, (x) => `(${x} === Infinity || ${x} === -Infinity)`),
  isfinite: predicate(Number.isFinite, (x) => `Number.isFinite(${x})`),
  and: { arity: 2, type: "bool", argTypes: ["bool", "bool"], evaluate: (a, b) => (a && b ? 1 : 0), js: (a, b) => `(${a} && ${b})` },
  or: { arity: 2, type: "bool", argTypes: ["bool", "bool"], evaluate: (a, b) => (a || b ? 1 : 0), js: (a, b) => `(${a} || ${b})` },
  not: { arity: 1, type: "bool", argTypes: ["bool"], evaluate: (a) => (a ? 0 : 1), js: (a) => `(!${a})` },
  /** cond ? a : b; its derivative (a select of the arguments' derivatives) is in derivative.ts. */
  select: {
    arity: 3,
    type: "num",
    argTypes: ["bool", "num", "num"],
    evaluate: (c, a, b) => (c ? a : b),
    js: (c, a, b) => `(${c} ? ${a} : ${b})`,
  },
};
