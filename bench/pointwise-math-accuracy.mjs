// The float32 wasm kernels of the transcendental functions against float64 truth over a dense
// sweep: every `stride`-th float32 bit pattern in [−100, 100] (both signs, subnormals included),
// through the kernel as the ops run it (wasmBackend.pointwise). Prints, per function, the largest
// error in float32 ulps of the true value where that is a normal float, and where, and whether NaN/±inf/±0 came out as the
// float64 function rounded to float32 gives them; and the largest absolute error (the measure for
// compositions such as GELU's 1 + erf, whose cancellation float32 cannot avoid). Run after `npm run build -w nabla`:
//   node bench/pointwise-math-accuracy.mjs [--stride=997] [--only=exp,tanh]
import { wasmBackend } from "../packages/nabla/dist/src/backend/wasm/index.js";
import { setNumThreads } from "../packages/nabla/dist/src/backend/wasm/num-threads.js";
import { DECLARATIONS } from "../packages/nabla/dist/src/ops/pointwise/declarations/index.js";
import { planVariant } from "../packages/nabla/dist/src/ops/pointwise/plan.js";
import { erf } from "../packages/nabla/dist/src/ops/pointwise/scalar-math.js";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const stride = Number(args.stride ?? 997);
const only = args.only?.split(",");
setNumThreads(1);

const sigmoid = (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplus = (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
/** name, declaration, params, float64 truth. */
const CASES = [
  ["exp", "exp", [], Math.exp],
  ["expm1", "expm1", [], Math.expm1],
  ["log", "log", [], Math.log],
  ["log1p", "log1p", [], Math.log1p],
  ["sigmoid", "sigmoid", [], sigmoid],
  ["tanh", "tanh", [], Math.tanh],
  ["erf", "erf", [], erf],
  ["gelu", "gelu", [], (x) => 0.5 * x * (1 + erf(x * Math.SQRT1_2))],
  ["silu", "silu", [], (x) => x * sigmoid(x)],
  ["softplus", "softplus", [1, 20], (x) => (x > 20 ? x : softplus(x))],
  ["elu", "elu", [1, 1], (x) => (x > 0 ? x : Math.expm1(x))],
];

// the sweep: 0, ±every stride-th pattern up to 100, ±inf, NaN
const top = new Uint32Array(new Float32Array([100]).buffer)[0];
const count = Math.floor(top / stride) + 1;
const n = 2 * count + 4;
const x = wasmBackend.alloc("float32", n, true, "accuracy", false);
const bits = new Uint32Array(x.buffer, x.byteOffset, n);
for (let k = 0; k < count; k++) {
  bits[2 * k] = k * stride;
  bits[2 * k + 1] = (k * stride) | 0x80000000;
}
x.set([Infinity, -Infinity, NaN, 1e-45], 2 * count);
const out = wasmBackend.alloc("float32", n, true, "accuracy", false);
const view = { data: x, shape: [n], strides: [1], offset: 0 };

/** The float32 spacing at |y| (the subnormal spacing near zero). */
function ulp(y) {
  const a = Math.abs(Math.fround(y));
  if (a < 1.1754943508222875e-38) return 1.401298464324817e-45;
  const b = new Float32Array([a]);
  const u = new Uint32Array(b.buffer);
  u[0] += 1;
  return b[0] - a || 2 ** 104;
}

console.log(`stride ${stride}: ${n} inputs in [-100, 100]`);
for (const [name, declName, params, truth] of CASES) {
  if (only && !only.includes(name)) continue;
  const decl = DECLARATIONS[declName];
  const { forward } = planVariant(decl, [false]);
  wasmBackend.pointwise(forward, [view], out, params);
  let worst = 0;
  let at = 0;
  let worstAbs = 0;
  let specials = 0;
  for (let i = 0; i < n; i++) {
    const t = truth(x[i]);
    const t32 = Math.fround(t);
    const y = out[i];
    if (!Number.isFinite(t32) || !Number.isFinite(y)) {
      if (!Object.is(y, t32) && !(Number.isNaN(y) && Number.isNaN(t32))) {
        if (specials++ < 3) console.log(`  ${name}(${x[i]}): ${y}, float64 gives ${t}`);
      }
      continue;
    }
    if (t32 === 0 && y === 0 && !Object.is(t32, y) && specials++ < 3) console.log(`  ${name}(${x[i]}): ${Object.is(y, -0) ? "-0" : "0"}, float64 gives ${Object.is(t32, -0) ? "-0" : "0"}`);
    worstAbs = Math.max(worstAbs, Math.abs(y - t));
    // ulps only where the true value is a normal float32: below, the absolute error says it
    if (Math.abs(t) < 1.1754943508222875e-38) continue;
    const e = Math.abs(y - t) / ulp(t);
    if (e > worst) [worst, at] = [e, x[i]];
  }
  console.log(`${name.padEnd(9)} max ${worst.toFixed(2)} ulp at x = ${at}, max |error| ${worstAbs.toExponential(2)}; ${specials} special values differ`);
}
