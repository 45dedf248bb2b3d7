/**
 * The WGSL pointwise kernels, generated at run time from the same kernel expressions the JS
 * backend compiles and assembly/codegen.mjs turns into WebAssembly (src/ops/pointwise): one
 * compute shader per kernel key, float32, each shared subexpression computed once.
 *
 * A shader reads its inputs as strided views broadcast to the output's shape: `info` holds the
 * element count, the rank, the shape and each input's offset and strides (the host first merges
 * the dimensions every input walks contiguously, so a plain elementwise op has rank 1). The
 * output is contiguous; a condition is stored as 1 or 0.
 */
import { topological, type Expr } from "../../ops/pointwise/expr.js";
import type { Kernel } from "../../ops/pointwise/plan.js";
import { helperSource } from "./wgsl-math.js";

export const POINTWISE_WORKGROUP = 256;

/**
 * A float32 literal WGSL accepts; NaN and ±inf (which WGSL's constant evaluation rejects) as
 * calls to the helpers that make them at run time, added to `helpers`.
 */
export function wgslLiteral(v: number, helpers: Set<string>): string {
  const f = Math.fround(v);
  if (Number.isNaN(f)) return (helpers.add("nb_nan"), "nb_nan()");
  if (f === Infinity) return (helpers.add("nb_inf"), "nb_inf()");
  if (f === -Infinity) return (helpers.add("nb_inf"), "(-nb_inf())");
  if (Object.is(f, -0)) return "bitcast<f32>(0x80000000u)";
  const s = String(f);
  const text = /[.eE]/.test(s) ? s : `${s}.0`;
  return f < 0 ? `(${text}f)` : `${text}f`;
}

/** How a primitive is written in WGSL: an expression, and the helpers it calls. */
function nodeCode(node: Expr, a: readonly string[], helpers: Set<string>): string {
  const call = (helper: string): string => {
    helpers.add(helper);
    return `${helper}(${a.join(", ")})`;
  };
  const [x, y, z] = a;
  switch (node.op) {
    case "add": return `(${x} + ${y})`;
    case "sub": return `(${x} - ${y})`;
    case "mul": return `(${x} * ${y})`;
    case "div": return `(${x} / ${y})`;
    case "neg": return `(-${x})`;
    case "abs": case "floor": case "ceil": case "trunc": case "atan":
      return `${node.op}(${x})`;
    // WGSL's round is half to even, as PyTorch's
    case "round": return `round(${x})`;
    case "rsqrt": return `(1.0 / ${call("nb_sqrt")})`;
    case "log10": return `(${call("nb_log")} * 0.43429448190325182f)`;
    // keeps ±0 and NaN, as scalar-math's sign
    case "sign": return `select(select(${x}, -1.0, ${x} < 0.0), 1.0, ${x} > 0.0)`;
    case "atan2": case "sinh": case "cosh": case "exp": case "log": case "log2": case "sqrt": case "asin": case "acos": case "sin": case "cos": case "tan":
    case "maximum": case "minimum": case "pow": case "fmod": case "remainder": case "hypot": case "expm1":
    case "log1p": case "sigmoid": case "tanh": case "asinh": case "acosh": case "atanh": case "erf": case "erfc": case "erfinv":
      return call(`nb_${node.op}`);
    case "gt": return `(${x} > ${y})`;
    case "ge": return `(${x} >= ${y})`;
    case "lt": return `(${x} < ${y})`;
    case "le": return `(${x} <= ${y})`;
    case "eq": return `(${x} == ${y})`;
    case "ne": return call("nb_ne");
    case "isnan": case "isinf": case "isfinite": return call(`nb_${node.op}`);
    case "and": return `(${x} && ${y})`;
    case "or": return `(${x} || ${y})`;
    case "not": return `(!${x})`;
    // WGSL's select takes (false value, true value, condition)
    case "select": return `select(${z}, ${y}, ${x})`;
    case "input": case "param": case "const":
      throw new Error(`webgpu: ${node.op} is not a primitive`);
  }
}

/** The body computing one element from the inputs' values `v0…` and params `params[i]`. */
function expressionBody(kernel: Kernel): { lines: string[]; result: string; helpers: Set<string> } {
  const names = new Map<Expr, string>();
  const lines: string[] = [];
  const helpers = new Set<string>();
  let temp = 0;
  for (const node of topological(kernel.expr)) {
    if (node.op === "input") names.set(node, `v${node.value}`);
    else if (node.op === "param") names.set(node, `params[${node.value}]`);
    else if (node.op === "const") names.set(node, wgslLiteral(node.value, helpers));
    else {
      const name = `t${temp++}`;
      lines.push(`  let ${name} = ${nodeCode(node, node.args.map((arg) => names.get(arg)!), helpers)};`);
      names.set(node, name);
    }
  }
  const root = names.get(kernel.expr)!;
  return { lines, result: kernel.expr.type === "bool" ? `select(0.0, 1.0, ${root})` : root, helpers };
}

/**
 * The shader of a kernel. Bindings: the inputs 0 … arity − 1, the output, info, then the params
 * where the kernel has any. info (i32): [n, rank, shape…, then per input: offset, strides…].
 */
export function pointwiseShader(kernel: Kernel): string {
  const { lines, result, helpers } = expressionBody(kernel);
  const arity = kernel.arity;
  const bindings: string[] = [];
  for (let i = 0; i < arity; i++) bindings.push(`@group(0) @binding(${i}) var<storage, read> x${i}: array<f32>;`);
  bindings.push(`@group(0) @binding(${arity}) var<storage, read_write> out: array<f32>;`);
  bindings.push(`@group(0) @binding(${arity + 1}) var<storage, read> info: array<i32>;`);
  if (kernel.params > 0) bindings.push(`@group(0) @binding(${arity + 2}) var<storage, read> params: array<f32>;`);
  const offsets = Array.from({ length: arity }, (_, i) => `  var o${i} = info[2 + rank + ${i} * (rank + 1)];`);
  const steps = Array.from({ length: arity }, (_, i) => `    o${i} += c * info[3 + rank + ${i} * (rank + 1) + d];`);
  const loads = Array.from({ length: arity }, (_, i) => `  let v${i} = x${i}[o${i}];`);
  return [
    `// ${kernel.key}`,
    helperSource(helpers),
    ...bindings,
    `@compute @workgroup_size(${POINTWISE_WORKGROUP})`,
    "fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {",
    `  let i = gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u;`,
    "  let n = u32(info[0]);",
    "  if (i >= n) { return; }",
    "  let rank = info[1];",
    ...offsets,
    "  var rest = i;",
    "  for (var d = rank - 1; d >= 0; d--) {",
    "    let size = u32(info[2 + d]);",
    "    let c = i32(rest % size);",
    "    rest = rest / size;",
    ...steps,
    "  }",
    ...loads,
    ...lines,
    `  out[i] = ${result};`,
    "}",
    "",
  ].join("\n");
}

/**
 * Backend.assign: dst[at(i)] = src[at(i)] for every element i of dst's shape, both strided (src
 * already broadcast, zero strides). info (i32): [n, rank, shape…, dst offset, strides…, src
 * offset, strides…].
 */
export const ASSIGN_SHADER = `
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@compute @workgroup_size(${POINTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * ${POINTWISE_WORKGROUP}u;
  if (i >= u32(info[0])) { return; }
  let rank = info[1];
  var at = info[2 + rank];
  var origin = info[3 + 2 * rank];
  var rest = i;
  for (var d = rank - 1; d >= 0; d--) {
    let size = u32(info[2 + d]);
    let c = i32(rest % size);
    rest = rest / size;
    at += c * info[3 + rank + d];
    origin += c * info[4 + 2 * rank + d];
  }
  dst[at] = src[origin];
}
`;
