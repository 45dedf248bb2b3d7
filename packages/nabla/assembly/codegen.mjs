// Generates the WebAssembly pointwise kernels from the ops' declared expressions
// (src/ops/pointwise/declarations/): for every declared op and every pattern of tensor and number
// operands, its forward kernel and the backward kernel of each input, as the ops plan them at run
// time (src/ops/pointwise/plan.ts), in float32 (f32x4) and float64 (f64x2) SIMD. Each expression
// becomes one inlined function of SIMD values, each shared subexpression computed once; a
// primitive WebAssembly has no instruction for runs per lane on AssemblyScript's Math (or
// assembly/scalarmath.ts), but exp/tanh/sigmoid on the polynomials of simdmath.ts (float32) and
// simdmath64.ts (float64), and expm1/log/log1p/erf and GELU too (erfc in float64 only).
// Run by build.mjs, which hands it the transpiled pointwise modules.

/** How each float width is written. */
const WIDTHS = {
  f32: { T: "f32x4", S: "f32", lanes: 4, bytes: 4, splatLoad: "v128.load32_splat", vector: { exp: "expV", expm1: "expm1V", log: "logV", log1p: "log1pV", log1pUnit: "log1pUnitV", erf: "erfV", tanh: "tanhV", sigmoid: "sigmoidV", geluErf: "geluErfV", geluErfGrad: "geluErfGradV" } },
  f64: { T: "f64x2", S: "f64", lanes: 2, bytes: 8, splatLoad: "v128.load64_splat", vector: { exp: "expV64", expm1: "expm1V64", log: "logV64", log1p: "log1pV64", erf: "erfV64", erfc: "erfcV64", tanh: "tanhV64", sigmoid: "sigmoidV64", geluErf: "geluErfV64", geluErfGrad: "geluErfGradV64" } },
};

/** Scalar forms, per width, of the primitives that run lane by lane: (args) => code. */
function scalarForms(S) {
  const M = S === "f32" ? "Mathf" : "Math";
  const viaF64 = (f) => (x) => (S === "f32" ? `<f32>${f}(<f64>${x})` : `${f}(${x})`);
  const math = (f) => (x) => `${M}.${f}(${x})`;
  const forms = {
    pow: (a, b) => `${M}.pow(${a}, ${b})`,
    atan2: (a, b) => `${M}.atan2(${a}, ${b})`,
    hypot: (a, b) => `${M}.hypot(${a}, ${b})`,
    fmod: (a, b) => `(${a} % ${b})`,
    remainder: (a, b) => `remainder${S === "f32" ? "32" : "64"}(${a}, ${b})`,
    erf: viaF64("erf64"),
    erfc: viaF64("erfc64"),
    erfinv: viaF64("erfinv64"),
    sigmoid: viaF64("sigmoid64"),
  };
  for (const f of ["exp", "expm1", "log", "log1p", "log2", "log10", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh"]) {
    forms[f] = math(f);
  }
  return forms;
}

function literal(v) {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (Object.is(v, -0)) return "-0.0";
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** Whether an expression is e^−|t|, in [0, 1] for every t (NaN aside). */
const isExpNegAbs = (e) => e.op === "exp" && e.args[0].op === "neg" && e.args[0].args[0].op === "abs";

/** The SIMD code of one expression node for a width, given its arguments' code. */
function simdNode(node, args, width, lanes) {
  const { T, S } = width;
  const splat = (v) => `${T}.splat(<${S}>${literal(v)})`;
  const [a, b, c] = args;
  switch (node.op) {
    case "add": case "sub": case "mul": case "div": return `${T}.${node.op}(${a}, ${b})`;
    case "neg": case "abs": case "sqrt": case "floor": case "ceil": case "trunc": return `${T}.${node.op}(${a})`;
    case "round": return `${T}.nearest(${a})`;
    case "rsqrt": return `${T}.div(${splat(1)}, ${T}.sqrt(${a}))`;
    // WebAssembly's min/max propagate NaN, as PyTorch's minimum/maximum
    case "maximum": {
      // against a number (relu's max(x, 0)), pmax — one x86 maxps where max takes ~8 instructions
      // to order NaN and ±0 — is exact: pmax(x, c) is x < c ? c : x, which keeps a NaN x; only
      // max(−0, +0) differs (−0), which adding +0 turns into +0 leaving every other value as it is
      const [x, c] = node.args[1].op === "const" ? [a, node.args[1].value] : node.args[0].op === "const" ? [b, node.args[0].value] : [];
      if (x === undefined || Number.isNaN(c)) return `${T}.max(${a}, ${b})`;
      const pmax = `${T}.pmax(${x}, ${splat(c)})`;
      return Object.is(c, 0) ? `${T}.add(${pmax}, ${splat(0)})` : pmax;
    }
    case "minimum": return `${T}.min(${a}, ${b})`;
    case "gt": case "ge": case "lt": case "le": case "eq": case "ne": return `${T}.${node.op}(${a}, ${b})`;
    case "isnan": return `${T}.ne(${a}, ${a})`;
    case "isinf": return `${T}.eq(${T}.abs(${a}), ${splat(Infinity)})`;
    case "isfinite": return `${T}.lt(${T}.abs(${a}), ${splat(Infinity)})`;
    case "and": return `v128.and(${a}, ${b})`;
    case "or": return `v128.or(${a}, ${b})`;
    case "not": return `v128.not(${a})`;
    case "select": return `v128.bitselect(${b}, ${c}, ${a})`;
    case "sign":
      // +0 for ±0 and NaN, as PyTorch's (0 < x) − (x < 0)
      return `v128.bitselect(${splat(1)}, v128.bitselect(${splat(-1)}, ${splat(0)}, ${T}.lt(${a}, ${splat(0)})), ${T}.gt(${a}, ${splat(0)}))`;
  }
  // log1p of e^−|t| (softplus, mish, log-sigmoid): its argument is in [0, 1], where a short series
  // needs neither log1p's range reduction nor its special values
  if (node.op === "log1p" && width.vector.log1pUnit && isExpNegAbs(node.args[0])) return `${width.vector.log1pUnit}(${a})`;
  if (width.vector[node.op]) return `${width.vector[node.op]}(${args.join(", ")})`;
  return `${lanes.use(node.op, args.length)}(${args.join(", ")})`;
}

/** Per-lane helpers for the primitives without a SIMD form, generated as they are used. */
class LaneHelpers {
  constructor(width) {
    this.width = width;
    this.forms = scalarForms(width.S);
    this.made = new Map();
  }

  use(op, arity) {
    const name = `lanes_${this.width.S}_${op}`;
    if (!this.made.has(name)) {
      const form = this.forms[op];
      if (!form) throw new Error(`codegen: no ${this.width.S} form for primitive ${op}`);
      const { T, lanes } = this.width;
      const params = Array.from({ length: arity }, (_, i) => `v${i}: v128`).join(", ");
      const lane = (l) => form(...Array.from({ length: arity }, (_, i) => `${T}.extract_lane(v${i}, ${l})`));
      const lines = [`// @ts-ignore: decorator`, `@inline function ${name}(${params}): v128 {`, `  let r = ${T}.splat(${lane(0)});`];
      for (let l = 1; l < lanes; l++) lines.push(`  r = ${T}.replace_lane(r, ${l}, ${lane(l)});`);
      lines.push("  return r;", "}");
      this.made.set(name, lines.join("\n"));
    }
    return name;
  }
}

/** Kernels of at most this many SIMD operations get an unrolled dense loop (see kernelSource). */
const UNROLL_MAX_BODY = 6;

/** The dense loop four vectors at a time: immediate offsets, one pointer step per input. */
function unrolledLoop(fn, arity, paramArgs, lanes) {
  const lines = [`    for (; i + ${4 * lanes} <= n; i += ${4 * lanes}) {`];
  for (let u = 0; u < 4; u++) {
    const loads = Array.from({ length: arity }, (_, k) => `v128.load(x${k}, ${16 * u})`);
    lines.push(`      v128.store(out, ${fn}(${[...loads, ...paramArgs].join(", ")}), ${16 * u});`);
  }
  lines.push(`      ${Array.from({ length: arity }, (_, k) => `x${k} += 64;`).join(" ")} out += 64;`, `    }`);
  return lines;
}

/** One kernel's inlined SIMD function and row loop for a width. */
function kernelSource(pw, kernel, code, width, lanes) {
  const { T, S, bytes } = width;
  const names = new Map();
  const body = [];
  let temp = 0;
  for (const node of pw.topological(kernel.expr)) {
    if (node.op === "input") names.set(node, `a${node.value}`);
    else if (node.op === "param") names.set(node, `p${node.value}`);
    else if (node.op === "const") names.set(node, `${T}.splat(<${S}>${literal(node.value)})`);
    else {
      const name = `t${temp++}`;
      body.push(`  const ${name} = ${simdNode(node, node.args.map((a) => names.get(a)), width, lanes)};`);
      names.set(node, name);
    }
  }
  const inputs = Array.from({ length: kernel.arity }, (_, i) => `a${i}: v128`);
  const params = Array.from({ length: kernel.params }, (_, i) => `p${i}: v128`);
  const fn = `k${code}_${S}`;
  const apply = [`// ${kernel.key}`, `// @ts-ignore: decorator`, `@inline function ${fn}(${[...inputs, ...params].join(", ")}): v128 {`, ...body, `  return ${names.get(kernel.expr)};`, "}"];
  const vecLoads = Array.from({ length: kernel.arity }, (_, i) => `s${i} ? v128.load(x${i}) : ${width.splatLoad}(x${i})`);
  const tailLoads = Array.from({ length: kernel.arity }, (_, i) => `${width.splatLoad}(x${i})`);
  const paramArgs = Array.from({ length: kernel.params }, (_, i) => `p${i}`);
  const dense = kernel.arity === 0 ? "true" : Array.from({ length: kernel.arity }, (_, i) => `s${i} == 1`).join(" && ");
  const denseLoads = Array.from({ length: kernel.arity }, (_, i) => `v128.load(x${i})`);
  const denseStep = Array.from({ length: kernel.arity }, (_, i) => `x${i} += 16;`).join(" ");
  const step = (unit) => Array.from({ length: kernel.arity }, (_, i) => `x${i} += <usize>(s${i} << ${unit});`).join(" ");
  // a cheap body (a few SIMD instructions, no per-lane calls) is bound by the loop's own
  // overhead: four vectors an iteration let the loads of one overlap the arithmetic of another
  const unrolled = body.length <= UNROLL_MAX_BODY && !body.some((line) => /[A-Za-z_]\w*\(/.test(line.replace(/\b(f32x4|f64x2|v128|i32x4|i64x2)\.\w+\(|<\w+>\(?/g, "")));
  const row = [
    `function r${code}_${S}(x0: usize, s0: i32, x1: usize, s1: i32, x2: usize, s2: i32, out: usize, n: i32, params: usize): void {`,
    ...Array.from({ length: kernel.params }, (_, i) => `  const p${i} = ${T}.splat(load<${S}>(params, ${i * bytes}));`),
    `  let i = 0;`,
    // every input one dense run (the common case): plain loads, no per-lane choice in the loop
    `  if (${dense}) {`,
    ...(unrolled ? unrolledLoop(fn, kernel.arity, paramArgs, width.lanes) : []),
    `    for (; i + ${width.lanes} <= n; i += ${width.lanes}) {`,
    `      v128.store(out, ${fn}(${[...denseLoads, ...paramArgs].join(", ")}));`,
    `      ${denseStep} out += 16;`,
    `    }`,
    `  } else {`,
    `    for (; i + ${width.lanes} <= n; i += ${width.lanes}) {`,
    `      v128.store(out, ${fn}(${[...vecLoads, ...paramArgs].join(", ")}));`,
    `      ${step(4)} out += 16;`,
    `    }`,
    `  }`,
    `  for (; i < n; i++) {`,
    `    store<${S}>(out, ${T}.extract_lane(${fn}(${[...tailLoads, ...paramArgs].join(", ")}), 0));`,
    `    ${step(Math.log2(bytes))} out += ${bytes};`,
    `  }`,
    `}`,
  ];
  return [...apply, ...row].join("\n");
}

/** Every kernel the ops can ask the wasm backend for, in a fixed order. */
export function collectKernels(pw) {
  const kernels = new Map();
  const add = (k) => {
    // the identity (add's backward: g itself) needs no kernel
    if (k.arity >= 1 && k.arity <= 3 && k.expr.type === "num" && k.expr.op !== "input" && !kernels.has(k.key)) kernels.set(k.key, k);
  };
  for (const name of Object.keys(pw.DECLARATIONS).sort()) {
    const decl = pw.DECLARATIONS[name];
    if (decl.boolResult) continue;
    for (const scalar of pw.scalarPatterns(decl.arity)) {
      const variant = pw.planVariant(decl, scalar);
      add(variant.forward);
      for (const plan of variant.backward) if (plan) add(plan.kernel);
    }
  }
  return [...kernels.values()];
}

/** The generated AssemblyScript module and the TypeScript table of codes. */
export function generatePointwise(pw) {
  const kernels = collectKernels(pw);
  const parts = [
    "// Generated by assembly/build.mjs from the ops' declared expressions (src/ops/pointwise) — do not edit.",
    'import { erfV, expm1V, expV, geluErfGradV, geluErfV, log1pUnitV, log1pV, logV, sigmoidV, tanhV } from "./simdmath";',
    'import { erfcV64, erfV64, expm1V64, expV64, geluErfGradV64, geluErfV64, log1pV64, logV64, sigmoidV64, tanhV64 } from "./simdmath64";',
    'import { erf64, erfc64, erfinv64, remainder32, remainder64, sigmoid64 } from "./scalarmath";',
  ];
  const rows = [];
  for (const width of [WIDTHS.f32, WIDTHS.f64]) {
    const lanes = new LaneHelpers(width);
    const sources = kernels.map((k, code) => kernelSource(pw, k, code, width, lanes));
    parts.push(...lanes.made.values(), ...sources);
    // Dispatch through a table of the row functions, not a switch: the compiler inlines a function
    // with one caller into it, and a switch over every kernel made one function of them all (~100 KB
    // of wasm), which V8 kept on its baseline tier for ~200 ms while TurboFan compiled it (a 100K
    // add ran 38 µs instead of 23). Functions in a table stay apart, each optimised on its own.
    const signature = "(x0: usize, s0: i32, x1: usize, s1: i32, x2: usize, s2: i32, out: usize, n: i32, params: usize) => void";
    const table = `ROWS_${width.S.toUpperCase()}`;
    rows.push(
      `const ${table}: StaticArray<${signature}> = [${kernels.map((_, code) => `r${code}_${width.S}`).join(", ")}];`,
      `export function row${width.S.toUpperCase()}(code: i32, x0: usize, s0: i32, x1: usize, s1: i32, x2: usize, s2: i32, out: usize, n: i32, params: usize): void {`,
      `  unchecked(${table}[code])(x0, s0, x1, s1, x2, s2, out, n, params);`,
      "}",
    );
  }
  parts.push(...rows);
  const codes = kernels.map((k) => k.key);
  const table =
    "// Generated by assembly/build.mjs — do not edit.\n" +
    "/** The wasm module's pointwise kernels: each kernel expression's key and its code (its place here). */\n" +
    `export const POINTWISE_KEYS: readonly string[] = ${JSON.stringify(codes, null, 0).replace(/","/g, '",\n  "')};\n`;
  return { assembly: parts.join("\n\n") + "\n", table, count: kernels.length };
}
