// The float64 wasm kernels of log and log1p (assembly/simdmath64.ts: musl's log on f64x2 lanes)
// against V8's Math.log and Math.log1p (fdlibm's, within an ulp of the truth), in float64 ulps:
// test/wasm-float64.test.ts compares float64 kernels only to a relative tolerance, which a wrong
// coefficient or a lost low word could pass. The sweep takes every 2^-17th of the positive bit
// patterns (subnormals to NaN) with both signs, a uniform grid over [−1, 4] (log1p's reduction),
// powers of 2 from 2^−60 to 2^2 of both signs (tiny log1p arguments), and the special values.
import { describe, expect, it } from "vitest";
import "../packages/nabla/src/index.js";
import type { Backend, StridedView } from "../packages/nabla/src/backend/backend.js";
import { DECLARATIONS } from "../packages/nabla/src/ops/pointwise/declarations/index.js";
import { planVariant } from "../packages/nabla/src/ops/pointwise/plan.js";
import { wasmBackend } from "../packages/nabla/src/backend/wasm/index.js";

const DBL_MIN = 2.2250738585072014e-308;

/** The float64 spacing above |y| (the subnormal spacing below DBL_MIN). */
function ulp(y: number): number {
  const a = Math.abs(y);
  if (a < DBL_MIN) return 5e-324;
  const f = new Float64Array([a]);
  new BigUint64Array(f.buffer)[0]! += 1n;
  return f[0]! - a;
}

const show = (v: number): string => (Object.is(v, -0) ? "-0" : String(v));

describe.skipIf(wasmBackend === null)("wasm float64 log and log1p, in ulps of Math.log and Math.log1p", () => {
  const wasm = wasmBackend as Backend;
  const strided = 1 << 17;
  const grid = 1 << 16;
  const specials = [0, -0, Infinity, -Infinity, NaN, 1, -1, 5e-324, -5e-324, DBL_MIN, -0.5, 0.5, -0.9999999999999999, 1.7976931348623157e308];
  const n = 2 * strided + 2 * grid + specials.length;
  const x = wasm.alloc("float64", n, true, "test", false) as Float64Array;
  const bits = new BigUint64Array(x.buffer, x.byteOffset, n);
  const step = 0x7ff8000000000000n / BigInt(strided);
  for (let k = 0; k < strided; k++) {
    bits[2 * k] = BigInt(k) * step;
    bits[2 * k + 1] = (BigInt(k) * step) | 0x8000000000000000n;
  }
  for (let k = 0; k < grid; k++) {
    x[2 * strided + 2 * k] = -1 + (5 * k) / grid;
    x[2 * strided + 2 * k + 1] = (k % 2 ? -1 : 1) * 2 ** (-60 + (62 * k) / grid);
  }
  specials.forEach((v, i) => (x[n - specials.length + i] = v));
  const view: StridedView = { data: x, shape: [n], strides: [1], offset: 0 };

  it.each([
    ["log", Math.log],
    ["log1p", Math.log1p],
  ] as [string, (x: number) => number][])("%s within an ulp, its special values exact", (name, reference) => {
    const out = wasm.alloc("float64", n, true, "test", false) as Float64Array;
    wasm.pointwise(planVariant(DECLARATIONS[name]!, [false]).forward, [view], out, []);
    let worst = 0;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const t = reference(x[i]!);
      const y = out[i]!;
      // NaN, ±∞ and ±0 as the reference has them (−0 kept by log1p)
      if (!Number.isFinite(t) || t === 0) {
        if (show(y) !== show(t)) expect.fail(`${name}(${show(x[i]!)}) = ${show(y)}, expected ${show(t)}`);
        continue;
      }
      const e = Math.abs(y - t) / ulp(t);
      if (e > worst) [worst, at] = [e, x[i]!];
    }
    expect(worst, `${name}: ${worst} ulps at x = ${at}`).toBeLessThanOrEqual(1);
  });
});
