/**
 * Pointwise expressions: the one language every elementwise op is written in. An expression is a
 * small DAG over the kernel's inputs (`input(i)`), its scalar parameters (`param(i)`), constants
 * and primitives (src/ops/pointwise/primitives.ts). From one expression come the JS kernel (compiled
 * at run time), the WebAssembly kernels (generated at build time by assembly/codegen.mjs) and the
 * symbolic derivative (derivative.ts), so an op's math is written exactly once.
 *
 * Nodes are interned: building the same expression twice gives the same object, so shared
 * subexpressions are computed once by every code generator, and `key` (the expression written
 * out) names a kernel the same way at build time and at run time. Builders fold constants and
 * drop identities (x·1, x + 0, select(c, x, x)) as they go, which keeps derivatives small.
 *
 * This file and primitives.ts, derivative.ts and declarations/ import nothing else from the
 * library: the wasm build evaluates them to generate kernels.
 */
import { PRIMITIVES, type Primitive, type PrimitiveName } from "./primitives.js";

/** A value (a number) or a condition (a comparison's outcome), as the generators must tell them apart. */
export type ExprType = "num" | "bool";

export type ExprOp = "input" | "param" | "const" | PrimitiveName;

export class Expr {
  /** The expression written out, e.g. `mul(in0,sigmoid(in0))`: the kernel's name everywhere. */
  readonly key: string;

  constructor(
    readonly op: ExprOp,
    readonly args: readonly Expr[],
    /** The index of an input or parameter, or a constant's value; NaN otherwise. */
    readonly value: number,
    readonly type: ExprType,
  ) {
    this.key =
      op === "input" ? `in${value}` : op === "param" ? `p${value}` : op === "const" ? constKey(value) : `${op}(${args.map((a) => a.key).join(",")})`;
  }

  get isConst(): boolean {
    return this.op === "const";
  }
}

function constKey(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

const interned = new Map<string, Expr>();

function intern(op: ExprOp, args: readonly Expr[], value: number, type: ExprType): Expr {
  const e = new Expr(op, args, value, type);
  const found = interned.get(e.key);
  if (found !== undefined) return found;
  interned.set(e.key, e);
  return e;
}

/** A number or an expression, as the builders take them. */
export type Operand = Expr | number;

export function constant(v: number): Expr {
  return intern("const", [], v, "num");
}

export function input(i: number): Expr {
  return intern("input", [], i, "num");
}

export function param(i: number): Expr {
  return intern("param", [], i, "num");
}

export function lift(v: Operand): Expr {
  return typeof v === "number" ? constant(v) : v;
}

const isConst = (e: Expr, v: number): boolean => e.op === "const" && Object.is(e.value, v);

/**
 * A primitive applied to its arguments, after the algebra that is exact in floating point:
 * constant folding and the identities a derivative produces (x·1, x·0 of a derivative term, 0 − x).
 * `x·0` → 0 is not IEEE-exact for x = ±inf or NaN; it is only ever produced by the chain rule,
 * where PyTorch's hand-written gradients do not compute the term at all either.
 */
export function apply(op: PrimitiveName, ...operands: Operand[]): Expr {
  const prim: Primitive = PRIMITIVES[op];
  const args = operands.map(lift);
  if (args.length !== prim.arity) throw new Error(`pointwise: ${op} takes ${prim.arity} arguments, got ${args.length}`);
  args.forEach((a, i) => {
    const want = prim.argTypes?.[i] ?? "num";
    if (a.type !== want) throw new Error(`pointwise: argument ${i} of ${op} must be a ${want}, got ${a.type} ${a.key}`);
  });
  if (args.every((a) => a.op === "const") && prim.type === "num") return constant(prim.evaluate(...args.map((a) => a.value)));
  const simpler = simplify(op, args);
  return simpler ?? intern(op, args, NaN, prim.type);
}

function simplify(op: PrimitiveName, [a, b, c]: readonly Expr[]): Expr | null {
  switch (op) {
    case "add":
      if (isConst(a!, 0)) return b!;
      if (isConst(b!, 0)) return a!;
      return null;
    case "sub":
      if (isConst(b!, 0)) return a!;
      if (isConst(a!, 0)) return apply("neg", b!);
      return null;
    case "mul":
      if (isConst(a!, 1)) return b!;
      if (isConst(b!, 1)) return a!;
      if (isConst(a!, 0) || isConst(b!, 0)) return constant(0);
      if (isConst(a!, -1)) return apply("neg", b!);
      if (isConst(b!, -1)) return apply("neg", a!);
      // g·[c] → c ? g : 0: a mask of 1s and 0s selects (PyTorch's threshold_backward: 0, even for g = NaN)
      if (b!.op === "select" && b!.args[1]!.op === "const" && b!.args[2]!.op === "const") {
        const [cond, yes, no] = b!.args as [Expr, Expr, Expr];
        if (isConst(yes, 1) && isConst(no, 0)) return apply("select", cond, a!, 0);
        if (isConst(yes, 0) && isConst(no, 1)) return apply("select", cond, 0, a!);
      }
      return null;
    case "div":
      if (isConst(b!, 1)) return a!;
      if (isConst(a!, 0)) return constant(0);
      return null;
    case "neg":
      return a!.op === "neg" ? a!.args[0]! : null;
    case "select":
      if (b === c) return b!;
      return null;
    default:
      return null;
  }
}

// ---- builders, as the declarations write them --------------------------------------------------

export const add = (a: Operand, b: Operand): Expr => apply("add", a, b);
export const sub = (a: Operand, b: Operand): Expr => apply("sub", a, b);
export const mul = (a: Operand, b: Operand): Expr => apply("mul", a, b);
export const div = (a: Operand, b: Operand): Expr => apply("div", a, b);
export const neg = (a: Operand): Expr => apply("neg", a);
/** cond ? a : b. */
export const select = (cond: Expr, a: Operand, b: Operand): Expr => apply("select", cond, a, b);
export const gt = (a: Operand, b: Operand): Expr => apply("gt", a, b);
export const ge = (a: Operand, b: Operand): Expr => apply("ge", a, b);
export const lt = (a: Operand, b: Operand): Expr => apply("lt", a, b);
export const le = (a: Operand, b: Operand): Expr => apply("le", a, b);
export const eq = (a: Operand, b: Operand): Expr => apply("eq", a, b);
export const ne = (a: Operand, b: Operand): Expr => apply("ne", a, b);
export const and = (a: Expr, b: Expr): Expr => apply("and", a, b);
export const or = (a: Expr, b: Expr): Expr => apply("or", a, b);
export const not = (a: Expr): Expr => apply("not", a);
/** 1 where the condition holds, else 0. */
export const toNum = (cond: Expr): Expr => select(cond, 1, 0);

/** Every input index an expression reads. */
export function inputsOf(e: Expr): number[] {
  const found = new Set<number>();
  walk(e, (n) => {
    if (n.op === "input") found.add(n.value);
  });
  return [...found].sort((x, y) => x - y);
}

/** The number of parameters an expression reads (one more than the largest index). */
export function paramCountOf(e: Expr): number {
  let count = 0;
  walk(e, (n) => {
    if (n.op === "param") count = Math.max(count, n.value + 1);
  });
  return count;
}

/** Each node once, arguments before the nodes that use them: the order code is emitted in. */
export function topological(root: Expr): Expr[] {
  const order: Expr[] = [];
  const seen = new Set<Expr>();
  const visit = (e: Expr): void => {
    if (seen.has(e)) return;
    seen.add(e);
    for (const a of e.args) visit(a);
    order.push(e);
  };
  visit(root);
  return order;
}

function walk(e: Expr, f: (n: Expr) => void): void {
  for (const n of topological(e)) f(n);
}

/** The expression with input i replaced by `by[i]` (inputs missing from `by` stay). */
export function substitute(e: Expr, by: ReadonlyMap<number, Expr>): Expr {
  const done = new Map<Expr, Expr>();
  for (const n of topological(e)) {
    let r: Expr;
    if (n.op === "input") r = by.get(n.value) ?? n;
    else if (n.op === "param" || n.op === "const") r = n;
    else r = apply(n.op, ...n.args.map((a) => done.get(a)!));
    done.set(n, r);
  }
  return done.get(e)!;
}
