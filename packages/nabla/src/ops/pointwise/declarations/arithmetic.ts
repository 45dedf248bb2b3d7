/**
 * Arithmetic, comparisons, logic and selection, declared once each. Their derivatives follow from
 * the primitives' (d(a·b)/da = b …), so only the ops whose PyTorch gradient differs from the
 * symbolic one at a kink (clamp at its bounds) write theirs out.
 */
import { binary, ternary, unary } from "../declare.js";
import { and, apply, eq, ge, gt, le, lt, ne, not, or, select, toNum, type Expr } from "../expr.js";
import * as E from "../expr.js";

export const add = binary({ name: "add", node: "AddBackward0", dtypes: "numeric", forward: (a, b) => apply("add", a, b) });
export const sub = binary({ name: "sub", node: "SubBackward0", dtypes: "numeric", forward: (a, b) => apply("sub", a, b) });
export const mul = binary({ name: "mul", node: "MulBackward0", dtypes: "numeric", forward: (a, b) => apply("mul", a, b) });
export const div = binary({ name: "div", node: "DivBackward0", forward: (a, b) => apply("div", a, b) });
/** a^b; d/da = b·a^(b−1) (0 where b = 0), d/db = a^b·ln a (0 where a = 0 and b ≥ 0), as PyTorch. */
export const pow = binary({
  name: "pow",
  node: ([base, exponent]) => (exponent ? "PowBackward0" : base ? "PowBackward2" : "PowBackward1"),
  dtypes: "numeric",
  forward: (a, b) => apply("pow", a, b),
});
/** Elementwise larger value; NaN wins; a tie gives each side half the gradient (PyTorch's rule). */
export const maximum = binary({ name: "maximum", node: "MaximumBackward0", dtypes: "numeric", forward: (a, b) => apply("maximum", a, b) });
export const minimum = binary({ name: "minimum", node: "MinimumBackward0", dtypes: "numeric", forward: (a, b) => apply("minimum", a, b) });

export const neg = unary({ name: "neg", node: "NegBackward0", dtypes: "numeric", forward: (x) => apply("neg", x) });
/** |x|; d/dx = sign(x), 0 at 0. */
export const abs = unary({ name: "abs", node: "AbsBackward0", dtypes: "numeric", forward: (x) => apply("abs", x) });
export const sign = unary({ name: "sign", node: "SignBackward0", dtypes: "numeric", forward: (x) => apply("sign", x) });

/** min(max(x, min), max), NaN passing through; the gradient passes where min ≤ x ≤ max, bounds included (PyTorch's). */
export const clamp = unary({
  name: "clamp",
  node: "ClampBackward1",
  dtypes: "numeric",
  params: ["min", "max"],
  forward: (x, [lo, hi]) => apply("minimum", apply("maximum", x, lo!), hi!),
  derivative: (x, _y, [lo, hi]) => select(and(ge(x, lo!), le(x, hi!)), 1, 0),
});

/**
 * clamp with tensor bounds (PyTorch's tensor overload, ClampBackward0), each bound broadcasting
 * with x: one kernel for both bounds, or for either alone. A NaN in x or in a bound gives NaN
 * (maximum and minimum propagate it). The gradient goes to x where min ≤ x ≤ max, to min where
 * x < min (and min < max), to max where x > max (or max < min), as PyTorch's clamp_backward.
 */
export const clampTensor = ternary({
  name: "clamp",
  node: "ClampBackward0",
  dtypes: "numeric",
  forward: (x, lo, hi) => apply("minimum", apply("maximum", x, lo), hi),
  derivatives: (x, lo, hi) => [
    select(and(ge(x, lo), le(x, hi)), 1, 0),
    select(and(lt(x, lo), lt(lo, hi)), 1, 0),
    select(or(gt(x, hi), lt(hi, lo)), 1, 0),
  ],
});
/** clamp with a tensor min alone: the gradient goes to x where x ≥ min, else to min (a tie is x's, unlike maximum's halves). */
export const clampMinTensor = binary({
  name: "clamp",
  node: "ClampBackward0",
  dtypes: "numeric",
  forward: (x, lo) => apply("maximum", x, lo),
  derivatives: (x, lo) => [select(ge(x, lo), 1, 0), select(lt(x, lo), 1, 0)],
});
/** clamp with a tensor max alone: the gradient goes to x where x ≤ max, else to max. */
export const clampMaxTensor = binary({
  name: "clamp",
  node: "ClampBackward0",
  dtypes: "numeric",
  forward: (x, hi) => apply("minimum", x, hi),
  derivatives: (x, hi) => [select(le(x, hi), 1, 0), select(gt(x, hi), 1, 0)],
});

const compare = (name: string, f: typeof gt) => binary({ name, node: "", dtypes: "any", forward: (a, b) => f(a, b), derivatives: null });
export const eqOp = compare("eq", eq);
export const neOp = compare("ne", ne);
export const ltOp = compare("lt", lt);
export const leOp = compare("le", le);
export const gtOp = compare("gt", gt);
export const geOp = compare("ge", ge);

/** Any non-zero value counts as true, as in PyTorch's logical ops. */
const truthy = (x: Expr): Expr => ne(x, 0);
export const logicalAnd = binary({ name: "logicalAnd", node: "", dtypes: "any", forward: (a, b) => and(truthy(a), truthy(b)), derivatives: null });
export const logicalOr = binary({ name: "logicalOr", node: "", dtypes: "any", forward: (a, b) => or(truthy(a), truthy(b)), derivatives: null });
export const logicalNot = unary({ name: "logicalNot", node: "", dtypes: "any", forward: (x) => not(truthy(x)), derivative: null });
export const isfinite = unary({ name: "isfinite", node: "", dtypes: "any", forward: (x) => apply("isfinite", x), derivative: null });
export const isnan = unary({ name: "isnan", node: "", dtypes: "any", forward: (x) => apply("isnan", x), derivative: null });
export const isinf = unary({ name: "isinf", node: "", dtypes: "any", forward: (x) => apply("isinf", x), derivative: null });

/** cond ? a : b; the gradient goes to the side that was picked. */
export const where = ternary({
  name: "where",
  node: "WhereBackward0",
  dtypes: "any",
  forward: (cond, a, b) => select(truthy(cond), a, b),
});

/** x < 0 or x = −0 (a NaN's sign aside): copysign(0, x)'s choice. */
const negativeOrMinusZero = (x: Expr): Expr => or(lt(x, 0), and(eq(x, 0), lt(E.div(1, x), 0)));

/**
 * a / b rounded toward −∞ for floats, as PyTorch's div_floor_floating: from a − fmod(a, b), which
 * is exact where floor(a / b) would round a / b first (a quotient within half an ulp of an integer),
 * then adjusted; a zero quotient keeps the sign of a / b; b = 0 gives IEEE's a / b.
 * The gradient is 0, as PyTorch's for a rounding mode.
 */
export const divFloor = binary({
  name: "div",
  node: "DivBackward0",
  forward: (a, b) => {
    const mod = apply("fmod", a, b);
    const exact = E.div(E.sub(a, mod), b);
    const d = select(and(ne(mod, 0), ne(toNum(lt(b, 0)), toNum(lt(mod, 0)))), E.sub(exact, 1), exact);
    const floor = apply("floor", d);
    const rounded = select(gt(E.sub(d, floor), 0.5), E.add(floor, 1), floor);
    const quotient = E.div(a, b);
    return select(eq(b, 0), quotient, select(ne(d, 0), rounded, select(negativeOrMinusZero(quotient), -0, 0)));
  },
  derivatives: () => [0, 0],
});
/** Integer a / b rounded toward −∞ (floor of the exact quotient, which float64 and i32 kernels give). */
export const divFloorInt = binary({ name: "div", node: "DivBackward0", dtypes: "numeric", forward: (a, b) => apply("floor", E.div(a, b)), derivatives: () => [0, 0] });
/** a / b rounded toward 0 (trunc of the quotient), for floats and ints alike; gradient 0. */
export const divTrunc = binary({ name: "div", node: "DivBackward0", dtypes: "numeric", forward: (a, b) => apply("trunc", E.div(a, b)), derivatives: () => [0, 0] });

/** self + value·t1·t2 (torch.addcmul), multiplied in PyTorch's order; int tensors stay int. */
export const addcmul = ternary({
  name: "addcmul",
  node: "AddcmulBackward0",
  dtypes: "numeric",
  params: ["value"],
  forward: (self, t1, t2, [value]) => E.add(self, E.mul(E.mul(value!, t1), t2)),
});
/** self + value·t1/t2 (torch.addcdiv), in PyTorch's order (value·t1 first). */
export const addcdiv = ternary({
  name: "addcdiv",
  node: "AddcdivBackward0",
  params: ["value"],
  forward: (self, t1, t2, [value]) => E.add(self, E.div(E.mul(value!, t1), t2)),
});

/**
 * |a − b| ≤ atol + |rtol·b| (torch.isclose), or a = b (equal infinities), or both NaN with
 * equalNan (param 2 non-zero); a NaN or infinite difference is never close otherwise.
 */
export const isclose = binary({
  name: "isclose",
  node: "",
  params: ["rtol", "atol", "equalNan"],
  forward: (a, b, [rtol, atol, equalNan]) => {
    const error = apply("abs", E.sub(a, b));
    const allowed = E.add(atol!, apply("abs", E.mul(rtol!, b)));
    const bothNan = and(ne(equalNan!, 0), and(apply("isnan", a), apply("isnan", b)));
    return or(eq(a, b), or(bothNan, and(apply("isfinite", error), le(error, allowed))));
  },
  derivatives: null,
});
