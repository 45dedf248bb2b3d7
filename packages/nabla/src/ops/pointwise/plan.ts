/**
 * From an op's expressions to the kernels that run it: the forward kernel, and for each input the
 * backward kernel g·∂f/∂xᵢ, each reading only the tensors it needs. A plain number among the
 * operands (`x.mul(2)`) becomes a parameter of the kernel instead of a broadcast tensor.
 *
 * The wasm build enumerates the same plans for every declared op (assembly/build.mjs), so the keys
 * it compiles are exactly the keys the ops ask for at run time.
 */
import type { PointwiseDeclaration } from "./declare.js";
import { derivative } from "./derivative.js";
import { input, inputsOf, mul, param, paramCountOf, substitute, type Expr } from "./expr.js";

/** An expression ready to run: `key` names it, it reads `arity` tensors and `params` numbers. */
export interface Kernel {
  readonly expr: Expr;
  readonly key: string;
  readonly arity: number;
  readonly params: number;
}

const kernels = new Map<Expr, Kernel>();

export function kernelOf(expr: Expr): Kernel {
  let k = kernels.get(expr);
  if (k === undefined) {
    k = { expr, key: expr.key, arity: inputsOf(expr).reduce((m, i) => Math.max(m, i + 1), 0), params: paramCountOf(expr) };
    kernels.set(expr, k);
  }
  return k;
}

/**
 * The expression with the operands marked in `scalar` read from parameters numbered after the op's
 * own `paramCount`, and the remaining inputs renumbered 0, 1, … in order.
 */
export function withScalars(e: Expr, arity: number, scalar: readonly boolean[], paramCount: number): Expr {
  const by = new Map<number, Expr>();
  let nextParam = paramCount;
  let nextInput = 0;
  for (let i = 0; i < arity; i++) by.set(i, scalar[i] ? param(nextParam++) : input(nextInput++));
  // the output slot (input(arity)) of a derivative moves down with the inputs
  by.set(arity, input(nextInput));
  return substitute(e, by);
}

/** What a backward kernel reads: the upstream gradient, an input of the op, or its output. */
export type Slot = { kind: "grad" } | { kind: "input"; index: number } | { kind: "output" };

export interface BackwardPlan {
  readonly kernel: Kernel;
  /** The tensor for each of the kernel's inputs, in order. */
  readonly reads: readonly Slot[];
}

/**
 * The kernel for g·∂f/∂xᵢ. `forward` reads the tensors 0 … arity − 1 (scalars already turned into
 * params); `given` is the declared derivative over those and the output input(arity), or
 * undefined to derive it from `forward`. Null when the derivative is identically zero.
 */
export function backwardPlan(forward: Expr, arity: number, i: number, given: Expr | undefined): BackwardPlan | null {
  const d = given ?? derivative(forward, i);
  if (d.op === "const" && d.value === 0) return null;
  // layout: g is input 0, the op's inputs follow, then its output
  const shifted = substitute(d, new Map(Array.from({ length: arity + 1 }, (_, j) => [j, input(j + 1)] as [number, Expr])));
  const full = mul(input(0), shifted);
  const used = inputsOf(full);
  const compact = substitute(full, new Map(used.map((slot, k) => [slot, input(k)] as [number, Expr])));
  const reads = used.map((slot): Slot => (slot === 0 ? { kind: "grad" } : slot <= arity ? { kind: "input", index: slot - 1 } : { kind: "output" }));
  return { kernel: kernelOf(compact), reads };
}

/** A declared op's kernels for one pattern of tensor and number operands. */
export interface Variant {
  /** The autograd node's name. */
  readonly node: string;
  readonly forward: Kernel;
  /** For each tensor operand, in order: how its gradient is computed (null: identically zero). */
  readonly backward: readonly (BackwardPlan | null)[];
}

/** The kernels of `decl` when the operands marked in `scalar` are plain numbers. */
export function planVariant(decl: PointwiseDeclaration, scalar: readonly boolean[]): Variant {
  const tensors = scalar.filter((s) => !s).length;
  const forward = withScalars(decl.forward, decl.arity, scalar, decl.params.length);
  const backward: (BackwardPlan | null)[] = [];
  for (let i = 0; i < decl.arity; i++) {
    if (scalar[i]) continue;
    const given = decl.derivatives[i];
    const k = backward.length;
    if (given === null) backward.push(null);
    else backward.push(backwardPlan(forward, tensors, k, given === undefined ? undefined : withScalars(given, decl.arity, scalar, decl.params.length)));
  }
  const node = typeof decl.node === "string" ? decl.node : decl.node(scalar);
  return { node, forward: kernelOf(forward), backward };
}

/** Every pattern of number operands an op can be called with (all but "every operand a number"). */
export function scalarPatterns(arity: number): boolean[][] {
  const patterns: boolean[][] = [];
  for (let mask = 0; mask < (1 << arity) - 1; mask++) patterns.push(Array.from({ length: arity }, (_, i) => (mask & (1 << i)) !== 0));
  return patterns;
}
