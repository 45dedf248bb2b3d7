/**
 * The JS backend's pointwise family: any kernel expression, compiled once into a JavaScript row
 * loop (each shared subexpression a local, the primitives' inline forms where they have one) and
 * run over broadcast strided views. Where the page forbids `new Function` (a strict CSP), the
 * expression runs as a tree of closures instead: slower, same values.
 */
import type { StridedView } from "../backend.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { topological, type Expr } from "../../ops/pointwise/expr.js";
import type { Kernel } from "../../ops/pointwise/plan.js";
import { PRIMITIVES, type Primitive } from "../../ops/pointwise/primitives.js";
import { forEachRow } from "./iterate.js";

/** Writes `n` results to out[start …] from each input's row (data, first offset, step) and the params. */
type RowFn = (
  out: TypedArray,
  start: number,
  n: number,
  data: readonly TypedArray[],
  offsets: readonly number[],
  steps: readonly number[],
  params: readonly number[],
) => void;

/**
 * How a row computes: in float64 rounded at the store (into float64, or float32 storage:
 * "float64to32"), float32 at every step, or int32 arithmetic. Both float32 kinds take a
 * primitive's own float32 algorithm where it has one (`evaluate32`: PyTorch's GELU).
 */
type Arithmetic = "float64" | "float64to32" | "float32" | "int32";

const compiled: Record<Arithmetic, Map<string, RowFn>> = { float64: new Map(), float64to32: new Map(), float32: new Map(), int32: new Map() };

/** Whether a row of this arithmetic computes float32 values. */
const float32Values = (arithmetic: Arithmetic): boolean => arithmetic === "float32" || arithmetic === "float64to32";

/**
 * out = kernel(inputs; params), computed in float64 and rounded once at the store. With
 * `stepwiseFloat32`, every intermediate is rounded to float32 as float32 hardware would (exact for
 * + − × ÷ and √, which float64 computes with room to spare): the reference the float32 SIMD
 * kernels are checked against. Into int32 storage, + − × and powers wrap as PyTorch's int32 does
 * at every step (float64 would lose a product's low bits past 2⁵³: (2³¹−1)² must give 1).
 */
export function pointwise(
  kernel: Kernel,
  inputs: readonly StridedView[],
  out: TypedArray,
  params: readonly number[],
  stepwiseFloat32 = false,
): void {
  const arithmetic: Arithmetic = out instanceof Int32Array ? "int32" : stepwiseFloat32 ? "float32" : out instanceof Float32Array ? "float64to32" : "float64";
  const cache = compiled[arithmetic];
  let row = cache.get(kernel.key);
  if (row === undefined) {
    row = compileRow(kernel, arithmetic);
    cache.set(kernel.key, row);
  }
  const shape = inputs[0]?.shape ?? [];
  if (inputs.length === 0) {
    // a constant expression: every element the same
    const size = out.length;
    row(out, 0, size, [], [], [], params);
    return;
  }
  const data = inputs.map((v) => v.data);
  forEachRow(
    shape,
    inputs.map((v) => v.strides),
    inputs.map((v) => v.offset),
    (start, offsets, steps, length) => row!(out, start, length, data, offsets, steps, params),
  );
}

function literal(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

function compileRow(kernel: Kernel, arithmetic: Arithmetic): RowFn {
  try {
    return compileWithFunction(kernel, arithmetic);
  } catch {
    return interpretRow(kernel.expr, arithmetic);
  }
}

/** base^exponent in wrapping int32 arithmetic, by squaring (a negative exponent: 0, or ±1 for a base of ±1, as PyTorch). */
function int32Pow(base: number, exponent: number): number {
  if (exponent < 0) return base === 1 ? 1 : base === -1 ? (exponent % 2 === 0 ? 1 : -1) : 0;
  let result = 1;
  let b = base | 0;
  for (let e = exponent; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = Math.imul(result, b);
    b = Math.imul(b, b);
  }
  return result;
}

/**
 * The int32 forms of the operations that can leave int32's range (elsewhere the float64 form is
 * exact), inline and as a closure, as PRIMITIVES gives the float ones.
 */
const INT32: Partial<Record<string, { js: (...a: string[]) => string; evaluate: (...a: number[]) => number }>> = {
  mul: { js: (a, b) => `Math.imul(${a}, ${b})`, evaluate: (a, b) => Math.imul(a!, b!) },
  add: { js: (a, b) => `((${a} + ${b}) | 0)`, evaluate: (a, b) => (a! + b!) | 0 },
  sub: { js: (a, b) => `((${a} - ${b}) | 0)`, evaluate: (a, b) => (a! - b!) | 0 },
  neg: { js: (a) => `((-${a}) | 0)`, evaluate: (a) => -a! | 0 },
  pow: { js: (a, b) => `ipow(${a}, ${b})`, evaluate: (a, b) => int32Pow(a!, b!) },
};

/** The expression as straight-line JavaScript inside one loop over the row. */
function compileWithFunction(kernel: Kernel, arithmetic: Arithmetic): RowFn {
  const stepwiseFloat32 = arithmetic === "float32";
  const names = new Map<Expr, string>();
  const body: string[] = [];
  const head: string[] = [];
  for (let i = 0; i < kernel.arity; i++) head.push(`const d${i} = data[${i}], s${i} = steps[${i}]; let o${i} = offsets[${i}];`);
  for (let i = 0; i < kernel.params; i++) head.push(`const p${i} = params[${i}];`);
  let temp = 0;
  for (const node of topological(kernel.expr)) {
    if (node.op === "input") names.set(node, `d${node.value}[o${node.value}]`);
    else if (node.op === "param") names.set(node, `p${node.value}`);
    else if (node.op === "const") names.set(node, `(${literal(stepwiseFloat32 ? Math.fround(node.value) : node.value)})`);
    else {
      const prim: Primitive = PRIMITIVES[node.op];
      const args = node.args.map((a) => names.get(a)!);
      const int32 = arithmetic === "int32" && node.type === "num" ? INT32[node.op] : undefined;
      const own32 = float32Values(arithmetic) && prim.evaluate32 !== undefined;
      const value = int32 ? int32.js(...args) : own32 ? `h32.${node.op}(${args.join(", ")})` : prim.js ? prim.js(...args) : `h.${node.op}(${args.join(", ")})`;
      const code = stepwiseFloat32 && node.type === "num" ? `Math.fround(${value})` : value;
      const name = `t${temp++}`;
      body.push(`const ${name} = ${code};`);
      names.set(node, name);
    }
  }
  const result = names.get(kernel.expr)!;
  const value = kernel.expr.type === "bool" ? `(${result} ? 1 : 0)` : result;
  const advance = Array.from({ length: kernel.arity }, (_, i) => `o${i} += s${i};`).join(" ");
  const source = `${head.join("\n")}
for (let i = 0; i < n; i++) {
${body.join("\n")}
out[start + i] = ${value};
${advance}
}`;
  const helpers = Object.fromEntries(Object.entries(PRIMITIVES).map(([name, p]) => [name, p.evaluate]));
  const helpers32 = Object.fromEntries(Object.entries(PRIMITIVES).map(([name, p]) => [name, p.evaluate32]));
  const make = new Function("h", "h32", "ipow", `return function (out, start, n, data, offsets, steps, params) {\n${source}\n};`) as (h: unknown, h32: unknown, ipow: unknown) => RowFn;
  return make(helpers, helpers32, int32Pow);
}

/** The expression as closures, for engines that refuse `new Function`. */
function interpretRow(expr: Expr, arithmetic: Arithmetic): RowFn {
  const round = arithmetic === "float32" ? Math.fround : (v: number) => v;
  type Eval = (values: readonly number[], params: readonly number[]) => number;
  const evals = new Map<Expr, Eval>();
  for (const node of topological(expr)) {
    let f: Eval;
    if (node.op === "input") {
      const i = node.value;
      f = (values) => values[i]!;
    } else if (node.op === "param") {
      const i = node.value;
      f = (_v, params) => params[i]!;
    } else if (node.op === "const") {
      const c = round(node.value);
      f = () => c;
    } else {
      const prim: Primitive = PRIMITIVES[node.op];
      const args = node.args.map((a) => evals.get(a)!);
      const int32 = arithmetic === "int32" && node.type === "num" ? INT32[node.op] : undefined;
      if (int32 !== undefined) {
        evals.set(node, (values, params) => int32.evaluate(...args.map((g) => g(values, params))));
        continue;
      }
      const evaluate = (float32Values(arithmetic) && prim.evaluate32) || prim.evaluate;
      f = node.type === "num" ? (values, params) => round(evaluate(...args.map((g) => g(values, params)))) : (values, params) => evaluate(...args.map((g) => g(values, params)));
    }
    evals.set(node, f);
  }
  const root = evals.get(expr)!;
  return (out, start, n, data, offsets, steps, params) => {
    const at = offsets.slice();
    const values = new Array<number>(data.length);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < data.length; k++) values[k] = data[k]![at[k]!]!;
      out[start + i] = root(values, params);
      for (let k = 0; k < data.length; k++) at[k]! += steps[k]!;
    }
  };
}
