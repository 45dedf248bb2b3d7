/**
 * The WGSL pointwise kernels, generated at run time from the same kernel expressions the JS
 * backend compiles and assembly/codegen.mjs turns into WebAssembly (src/ops/pointwise): one
 * compute shader per kernel key, float32, each shared subexpression computed once.
 *
 * A shader reads its inputs as strided views broadcast to the output's shape: `info` holds the
 * element count, the rank, the shape and each input's offset and strides (the host first merges
 * the dimensions every input walks contiguously, so a plain elementwise op has rank 1). The
 * output is contiguous; a condition is stored as 1 or 0.
 *
 * Each input and the output has its own dtype (float32, int32, bool as u32), and the kernel
 * computes in f32 or in i32 (wgsl-types.ts): an int32 op (add, remainder, pow, clamp …) runs
 * in wrapping i32 arithmetic with PyTorch's integer semantics, a comparison of int32 tensors in
 * i32, a float op on int or bool inputs in f32.
 */
import { topological, type Expr } from "../../ops/pointwise/expr.js";
import type { Kernel } from "../../ops/pointwise/plan.js";
import { helperSource } from "./wgsl-math.js";
import { loadAs, storageType, storeAs, type ComputeType, type GpuDType } from "./wgsl-types.js";

/** The dtypes a pointwise kernel reads and writes, and what it computes in. */
export interface PointwiseTypes {
  readonly inputs: readonly GpuDType[];
  readonly out: GpuDType;
  readonly compute: ComputeType;
}

/**
 * What a kernel computes in, as the ops' dtype rules (src/ops/pointwise/call.ts) decide it: the
 * result's type for a number result; for a condition (a bool result), f32 when any input is
 * float32 or a parameter has a fraction (PyTorch promotes an int tensor to float32 there), else i32.
 */
export function computeTypeOf(inputs: readonly GpuDType[], out: GpuDType, params: readonly number[]): ComputeType {
  if (out === "float32") return "f32";
  if (out === "int32") return "i32";
  return inputs.includes("float32") || params.some((p) => !Number.isInteger(p)) ? "f32" : "i32";
}

/** The shader's cache key: the kernel's, with the dtypes where any is not float32. */
export function pointwiseKey(kernel: Kernel, types: PointwiseTypes): string {
  const plain = types.compute === "f32" && types.out === "float32" && types.inputs.every((t) => t === "float32");
  return plain ? kernel.key : `${kernel.key} [${types.inputs.join(",")} -> ${types.out} in ${types.compute}]`;
}

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

/** An integer constant in an i32 kernel (WGSL has no literal for −2³¹ itself). */
function i32Literal(v: number, key: string): string {
  if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
    throw new Error(`webgpu: kernel ${key} has the constant ${v}, which an int32 kernel cannot hold`);
  }
  if (v === -(2 ** 31)) return "(-2147483647i - 1i)";
  return v < 0 ? `(${v}i)` : `${v}i`;
}

/** The primitives an i32 kernel has: wrapping arithmetic, PyTorch's integer division and remainders. */
function i32NodeCode(node: Expr, a: readonly string[], helpers: Set<string>, key: string): string {
  const call = (helper: string): string => {
    helpers.add(helper);
    return `${helper}(${a.join(", ")})`;
  };
  const [x, y, z] = a;
  switch (node.op) {
    case "add": return `(${x} + ${y})`;
    case "sub": return `(${x} - ${y})`;
    case "mul": return `(${x} * ${y})`;
    case "neg": return `(-${x})`;
    case "abs": case "sign": return `${node.op}(${x})`;
    case "maximum": return `max(${x}, ${y})`;
    case "minimum": return `min(${x}, ${y})`;
    case "div": return call("nb_div_i32");
    case "pow": case "fmod": case "remainder": return call(`nb_${node.op}_i32`);
    // an integer is its own floor (floor(a / b) is handled where the division is seen)
    case "floor": case "ceil": case "trunc": case "round": return x!;
    case "gt": return `(${x} > ${y})`;
    case "ge": return `(${x} >= ${y})`;
    case "lt": return `(${x} < ${y})`;
    case "le": return `(${x} <= ${y})`;
    case "eq": return `(${x} == ${y})`;
    case "ne": return `(${x} != ${y})`;
    case "isnan": case "isinf": return "false";
    case "isfinite": return "true";
    case "and": return `(${x} && ${y})`;
    case "or": return `(${x} || ${y})`;
    case "not": return `(!${x})`;
    case "select": return `select(${z}, ${y}, ${x})`;
    default:
      throw new Error(`webgpu: kernel ${key} applies ${node.op} to int32 values; the ops compute it in float32 (an int32 kernel has no ${node.op})`);
  }
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
    case "sign": return `select(select(0.0, -1.0, ${x} < 0.0), 1.0, ${x} > 0.0)`; // +0 for ±0 and NaN, as PyTorch
    case "atan2": case "sinh": case "cosh": case "exp": case "log": case "log2": case "sqrt": case "asin": case "acos": case "sin": case "cos": case "tan":
    case "maximum": case "minimum": case "pow": case "fmod": case "remainder": case "hypot": case "expm1":
    case "log1p": case "sigmoid": case "tanh": case "asinh": case "acosh": case "atanh": case "erf": case "erfc": case "erfinv":
      return call(`nb_${node.op}`);
    // GELU by its formula, with the accurate erf (oneDNN's float32 algorithm is PyTorch's CPU's);
    // Φ(x) = ½(1 + erf(x/√2)) as ½·erfc(−x/√2) below 0, where 1 + erf cancels (all digits by −5.5)
    case "geluErf":
      helpers.add("nb_gelu_cdf");
      return `(${x} * nb_gelu_cdf(${x}))`;
    case "geluErfGrad":
      helpers.add("nb_gelu_cdf");
      helpers.add("nb_exp");
      return `(nb_gelu_cdf(${x}) + ${x} * 0.39894228040143268 * nb_exp(${x} * ${x} * -0.5))`;
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

/**
 * The body computing one element from the inputs' values `v0…` and params `params[i]`. In an i32
 * kernel a division must end in an integer: floor(a / b), ceil(a / b) and trunc(a / b) become
 * integer divisions, a division as the result rounds toward zero as storing it would, and a
 * division feeding anything else is refused (its fraction would be lost).
 */
function expressionBody(kernel: Kernel, types: PointwiseTypes): { lines: string[]; result: string; helpers: Set<string> } {
  const names = new Map<Expr, string>();
  const lines: string[] = [];
  const helpers = new Set<string>();
  const int = types.compute === "i32";
  const order = topological(kernel.expr);
  if (int) {
    for (const node of order) {
      for (const arg of node.args) {
        if (arg.op === "div" && !["floor", "ceil", "trunc"].includes(node.op)) {
          throw new Error(`webgpu: kernel ${kernel.key} divides int32 values inside ${node.op}; only floor, ceil or trunc of a division, or a division as the result, stay integers`);
        }
      }
    }
  }
  let temp = 0;
  for (const node of order) {
    if (node.op === "input") names.set(node, `v${node.value}`);
    else if (node.op === "param") names.set(node, `params[${node.value}]`);
    else if (node.op === "const") names.set(node, int ? i32Literal(node.value, kernel.key) : wgslLiteral(node.value, helpers));
    else {
      const args = node.args.map((arg) => names.get(arg)!);
      let code: string;
      const division = node.args[0]?.op === "div" ? node.args[0].args.map((arg) => names.get(arg)!) : null;
      if (int && division !== null && node.op !== "round") {
        const helper = node.op === "floor" ? "nb_floordiv_i32" : node.op === "ceil" ? "nb_ceildiv_i32" : "nb_div_i32";
        helpers.add(helper);
        code = `${helper}(${division.join(", ")})`;
      } else code = int ? i32NodeCode(node, args, helpers, kernel.key) : nodeCode(node, args, helpers);
      const name = `t${temp++}`;
      lines.push(`  let ${name} = ${code};`);
      names.set(node, name);
    }
  }
  const root = names.get(kernel.expr)!;
  return { lines, result: storeAs(root, kernel.expr.type === "bool", types.compute, types.out, helpers), helpers };
}

/**
 * The shader of a kernel. Bindings: the inputs 0 … arity − 1, the output, info, then the params
 * where the kernel has any. info (i32): [n, rank, shape…, then per input: offset, strides…].
 */
export function pointwiseShader(kernel: Kernel, types: PointwiseTypes = { inputs: Array<GpuDType>(kernel.arity).fill("float32"), out: "float32", compute: "f32" }): string {
  if (types.inputs.length !== kernel.arity) throw new RangeError(`webgpu pointwise ${kernel.key}: ${types.inputs.length} input dtypes for ${kernel.arity} inputs`);
  const { lines, result, helpers } = expressionBody(kernel, types);
  const arity = kernel.arity;
  const bindings: string[] = [];
  for (let i = 0; i < arity; i++) bindings.push(`@group(0) @binding(${i}) var<storage, read> x${i}: array<${storageType(types.inputs[i]!)}>;`);
  bindings.push(`@group(0) @binding(${arity}) var<storage, read_write> out: array<${storageType(types.out)}>;`);
  bindings.push(`@group(0) @binding(${arity + 1}) var<storage, read> info: array<i32>;`);
  if (kernel.params > 0) bindings.push(`@group(0) @binding(${arity + 2}) var<storage, read> params: array<${types.compute}>;`);
  const offsets = Array.from({ length: arity }, (_, i) => `  var o${i} = info[2 + rank + ${i} * (rank + 1)];`);
  const steps = Array.from({ length: arity }, (_, i) => `    o${i} += c * info[3 + rank + ${i} * (rank + 1) + d];`);
  const loads = Array.from({ length: arity }, (_, i) => `  let v${i} = ${loadAs(`x${i}[o${i}]`, types.inputs[i]!, types.compute, helpers)};`);
  return [
    `// ${pointwiseKey(kernel, types)}`,
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
 * already broadcast, zero strides), converting as the JS backend's assign does where the dtypes
 * differ (into bool: ≠ 0); between equal dtypes the elements are copied as bits. info (i32): [n,
 * rank, shape…, dst offset, strides…, src offset, strides…].
 */
export function assignShader(src: GpuDType = "float32", dst: GpuDType = "float32"): string {
  const helpers = new Set<string>();
  let value = "src[origin]";
  if (src !== dst) {
    const compute = computeTypeOf([src], dst, []);
    value = storeAs(loadAs(value, src, compute, helpers), false, compute, dst, helpers);
  }
  const same = src === dst;
  return `
${helperSource(helpers)}
@group(0) @binding(0) var<storage, read> src: array<${same ? "u32" : storageType(src)}>;
@group(0) @binding(1) var<storage, read_write> dst: array<${same ? "u32" : storageType(dst)}>;
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
  dst[at] = ${value};
}
`;
}
