// The wasm pointwise kernels of the transcendental functions (exp, log, σ, tanh, GELU, SiLU,
// softplus, erf, …) and the backward kernels training runs, at one thread, in µs per call: the
// kernel alone (operands already in the wasm heap, the output preallocated), as
// bench/pointwise_math_torch.py times PyTorch's out= kernels on the same inputs (randn·3).
// Run after `npm run build -w nabla`:
//   node bench/pointwise-math.mjs [--sizes=100000,2000] [--only=exp,tanh] [--dtype=float64]
// Prints one JSON object per line: { fn, n, us } (CPU time, median of batches). --dtype=float64
// times the float64 kernels (f64x2) on the same values.
import { wasmBackend } from "../packages/nabla/dist/src/backend/wasm/index.js";
import { setNumThreads } from "../packages/nabla/dist/src/backend/wasm/num-threads.js";
import { DECLARATIONS } from "../packages/nabla/dist/src/ops/pointwise/declarations/index.js";
import { planVariant } from "../packages/nabla/dist/src/ops/pointwise/plan.js";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const sizes = (args.sizes ?? "100000,2000").split(",").map(Number);
const only = args.only?.split(",");
const dtype = args.dtype ?? "float32";
if (dtype !== "float32" && dtype !== "float64") throw new Error(`pointwise-math: --dtype must be float32 or float64, got ${dtype}`);
setNumThreads(1);

/** name, declaration, parameters, and "forward" or the backward kernel of input 0. */
const CASES = [
  ["exp", "exp", []],
  ["log", "log", []],
  ["log1p", "log1p", []],
  ["expm1", "expm1", []],
  ["sigmoid", "sigmoid", []],
  ["tanh", "tanh", []],
  ["erf", "erf", []],
  ["erfc", "erfc", []],
  ["gelu", "gelu", []],
  ["gelu_tanh", "geluTanh", []],
  ["silu", "silu", []],
  ["softplus", "softplus", [1, 20]],
  ["mish", "mish", []],
  ["elu", "elu", [1, 1]],
  ["exp_backward", "exp", [], true],
  ["sigmoid_backward", "sigmoid", [], true],
  ["tanh_backward", "tanh", [], true],
  ["gelu_backward", "gelu", [], true],
  ["gelu_tanh_backward", "geluTanh", [], true],
  ["silu_backward", "silu", [], true],
  ["softplus_backward", "softplus", [1, 20], true],
];

/** Deterministic standard normals (Box–Muller on a fixed LCG), times 3. */
function randn3(n, seed) {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  for (let i = 0; i < n; i++) out[i] = 3 * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

function heapArray(values) {
  const a = wasmBackend.alloc(dtype, values.length, true, "bench", false);
  // float32-rounded values in either dtype, as bench/pointwise_math_torch.py has them
  a.set(dtype === "float64" ? Float32Array.from(values) : values);
  return a;
}

const view = (data) => ({ data, shape: [data.length], strides: [1], offset: 0 });

function cpuMicros() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

for (const n of sizes) {
  const x = heapArray(randn3(n, 1));
  const g = heapArray(randn3(n, 2));
  for (const [name, declName, params, backward] of CASES) {
    if (only && !only.includes(name)) continue;
    const decl = DECLARATIONS[declName];
    const variant = planVariant(decl, Array.from({ length: decl.arity }, () => false));
    const out = wasmBackend.alloc(dtype, n, true, "bench", false);
    let kernel = variant.forward;
    let operands = [view(x)];
    if (backward) {
      // the forward's output, for kernels that read it
      const y = wasmBackend.alloc(dtype, n, true, "bench", false);
      wasmBackend.pointwise(variant.forward, [view(x)], y, params);
      const plan = variant.backward[0];
      kernel = plan.kernel;
      operands = plan.reads.map((r) => view(r.kind === "grad" ? g : r.kind === "output" ? y : x));
    }
    const run = () => wasmBackend.pointwise(kernel, operands, out, params);
    const batch = Math.max(5, Math.round(2e6 / n));
    const warm = performance.now() + 300;
    while (performance.now() < warm) run();
    const per = [];
    for (let b = 0; b < 15; b++) {
      const t = cpuMicros();
      for (let i = 0; i < batch; i++) run();
      per.push((cpuMicros() - t) / batch);
    }
    console.log(JSON.stringify({ fn: name, n, dtype, us: +median(per).toFixed(2) }));
  }
}
