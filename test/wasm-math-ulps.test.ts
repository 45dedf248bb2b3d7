// The float32 wasm kernels of the transcendental functions (assembly/simdmath.ts: exp, expm1, log,
// log1p, σ, tanh, erf, and softplus's log1p of e^−|x|) against float64 truth, in float32 ulps, over
// a strided sweep of every float32 in [−100, 100]: test/wasm.test.ts holds them only to 1e-4
// relative (the compositions' rounding), which a wrong coefficient could pass. The bounds are the
// measured maxima (bench/pointwise-math-accuracy.mjs, a denser sweep) with a little room.
import { describe, expect, it } from "vitest";
import "../packages/nabla/src/index.js";
import type { Backend, StridedView } from "../packages/nabla/src/backend/backend.js";
import { DECLARATIONS } from "../packages/nabla/src/ops/pointwise/declarations/index.js";
import { planVariant } from "../packages/nabla/src/ops/pointwise/plan.js";
import { erf } from "../packages/nabla/src/ops/pointwise/scalar-math.js";
import { wasmBackend } from "../packages/nabla/src/backend/wasm/index.js";

const FLT_MIN = 1.1754943508222875e-38;
const SUBNORMAL_ULP = 1.401298464324817e-45;

/** The float32 spacing above |y| rounded to float32 (the subnormal spacing below FLT_MIN). */
function ulp(y: number): number {
  const a = Math.abs(Math.fround(y));
  if (a < FLT_MIN) return SUBNORMAL_ULP;
  const f = new Float32Array([a]);
  new Uint32Array(f.buffer)[0]! += 1;
  return f[0]! - a;
}

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** declaration, params, float64 truth, the most ulps allowed where the truth is a normal float32. */
const CASES: [string, number[], (x: number) => number, number][] = [
  ["exp", [], Math.exp, 1],
  ["expm1", [], Math.expm1, 2],
  ["log", [], Math.log, 1],
  ["log1p", [], Math.log1p, 2],
  ["sigmoid", [], sigmoid, 2.5],
  ["tanh", [], Math.tanh, 2.5],
  ["erf", [], erf, 1.5],
  ["softplus", [1, 20], (x) => (x > 20 ? x : Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))), 2.5],
];

describe.skipIf(wasmBackend === null)("wasm float32 transcendental kernels, in ulps of float64 truth", () => {
  const wasm = wasmBackend as Backend;
  // every 9973rd float32 bit pattern from 0 to 100, both signs (subnormals, tiny and huge inputs)
  const top = new Uint32Array(new Float32Array([100]).buffer)[0]!;
  const count = Math.floor(top / 9973) + 1;
  const n = 2 * count;
  const x = wasm.alloc("float32", n, true, "test", false) as Float32Array;
  const bits = new Uint32Array(x.buffer, x.byteOffset, n);
  for (let k = 0; k < count; k++) {
    bits[2 * k] = k * 9973;
    bits[2 * k + 1] = (k * 9973) | 0x80000000;
  }
  const view: StridedView = { data: x, shape: [n], strides: [1], offset: 0 };

  it.each(CASES)("%s", (name, params, truth, bound) => {
    const out = wasm.alloc("float32", n, true, "test", false) as Float32Array;
    wasm.pointwise(planVariant(DECLARATIONS[name]!, [false]).forward, [view], out, params);
    let worst = 0;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const t = truth(x[i]!);
      const y = out[i]!;
      if (Number.isNaN(t)) {
        if (!Number.isNaN(y)) expect.fail(`${name}(${x[i]}) = ${y}, expected NaN`);
        continue;
      }
      if (!Number.isFinite(Math.fround(t))) {
        if (y !== Math.fround(t)) expect.fail(`${name}(${x[i]}) = ${y}, expected ${Math.fround(t)}`);
        continue;
      }
      // σ is 0 where e^−x overflows (x < −88.72), as PyTorch's float32 kernel: the truth is below 2^−128 there
      if (name === "sigmoid" && x[i]! < -88.72 && y === 0) continue;
      // subnormal results (e^x near −100, tiny inputs' erf and log1p) within one subnormal step
      if (Math.abs(t) < FLT_MIN) {
        if (Math.abs(y - t) > SUBNORMAL_ULP) expect.fail(`${name}(${x[i]}) = ${y}, expected ${t} (subnormal)`);
        continue;
      }
      const e = Math.abs(y - t) / ulp(t);
      if (e > worst) [worst, at] = [e, x[i]!];
    }
    expect(worst, `${name}: ${worst.toFixed(2)} ulps at x = ${at}`).toBeLessThanOrEqual(bound);
  });

  it("gives ±0, ±∞ and NaN as PyTorch's float32 kernels do", () => {
    const specials = [0, -0, Infinity, -Infinity, NaN];
    const input = wasm.alloc("float32", 64, true, "test", false) as Float32Array;
    const out = wasm.alloc("float32", 64, true, "test", false) as Float32Array;
    for (let i = 0; i < 64; i++) input[i] = specials[i % specials.length]!;
    // torch 1.13, float32: f(0), f(−0), f(∞), f(−∞), f(NaN)
    const expected: Record<string, number[]> = {
      exp: [1, 1, Infinity, 0, NaN],
      expm1: [0, -0, Infinity, -1, NaN],
      log: [-Infinity, -Infinity, Infinity, NaN, NaN],
      log1p: [0, -0, Infinity, NaN, NaN],
      sigmoid: [0.5, 0.5, 1, 0, NaN],
      tanh: [0, -0, 1, -1, NaN],
      erf: [0, -0, 1, -1, NaN],
    };
    for (const [name, values] of Object.entries(expected)) {
      wasm.pointwise(planVariant(DECLARATIONS[name]!, [false]).forward, [{ data: input, shape: [64], strides: [1], offset: 0 }], out, []);
      const got = Array.from(out.subarray(0, 5));
      expect(got.map((v) => (Object.is(v, -0) ? "-0" : String(v))), name).toEqual(values.map((v) => (Object.is(v, -0) ? "-0" : String(v))));
    }
  });
});
