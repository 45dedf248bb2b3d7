// The float64 wasm kernels of the transcendental functions (assembly/simdmath64.ts, f64x2 lanes) in
// float64 ulps: test/wasm-float64.test.ts compares float64 kernels only to a relative tolerance,
// which a wrong coefficient or a lost low word could pass.
// - log and log1p (musl's log) against V8's Math.log and Math.log1p (fdlibm's, within an ulp of
//   the truth): every 2^-17th of the positive bit patterns (subnormals to NaN) with both signs, a
//   uniform grid over [−1, 4] (log1p's reduction), powers of 2 from 2^−60 to 2^2 of both signs
//   (tiny log1p arguments), and the special values.
// - exp, expm1, tanh, sigmoid, erf and erfc against their correctly rounded values
//   (test/fixtures/math64_ulps.json, scripts/make_math64_ulps_fixtures.py: bit patterns over all
//   doubles, grids over [−100, 100], [−7, 7], [−1.3, 1.3] and [0.6875, 1], powers of 2,
//   overflow, underflow and saturation thresholds, ±0, ±inf, NaN), and GELU and its derivative
//   against PyTorch's float64.
import { readFileSync } from "node:fs";
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

type Fixture = Record<"x" | "exp" | "expm1" | "tanh" | "sigmoid" | "erf" | "erfc" | "torch_gelu" | "torch_gelu_grad", (number | string)[]>;

/** The fixture's numbers, with "nan", "inf" and "-inf" (scripts/fixture_json.py) decoded. */
const decode = (values: (number | string)[]): number[] => values.map((v) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number)));

describe.skipIf(wasmBackend === null)("wasm float64 exp, expm1, tanh, sigmoid, erf, erfc and GELU, in ulps of the correctly rounded values", () => {
  const wasm = wasmBackend as Backend;
  const fixture = JSON.parse(readFileSync(new URL("fixtures/math64_ulps.json", import.meta.url), "utf8")) as Fixture;
  const xs = decode(fixture.x);
  const n = xs.length;
  const x = wasm.alloc("float64", n, true, "test", false) as Float64Array;
  x.set(xs);
  const view: StridedView = { data: x, shape: [n], strides: [1], offset: 0 };

  /** The float64 wasm kernel of a unary declaration (its derivative's where `derivative`) at every x. */
  function run(name: string, derivative = false): Float64Array {
    const out = wasm.alloc("float64", n, true, "test", false) as Float64Array;
    const variant = planVariant(DECLARATIONS[name]!, [false]);
    if (!derivative) {
      wasm.pointwise(variant.forward, [view], out, []);
      return out;
    }
    // GELU's backward kernel reads the gradient and x: a gradient of ones gives the derivative
    const plan = variant.backward[0]!;
    const ones = wasm.alloc("float64", n, true, "test", false) as Float64Array;
    ones.fill(1);
    const operands = plan.reads.map((r) => (r.kind === "grad" ? { ...view, data: ones } : view));
    wasm.pointwise(plan.kernel, operands, out, []);
    return out;
  }

  // ulps of the correctly rounded value: 1 is a faithful rounding
  it.each([
    ["exp", 1],
    ["expm1", 2],
    ["tanh", 2],
    ["sigmoid", 2],
    ["erf", 1],
    ["erfc", 2],
  ] as [keyof Fixture, number][])("%s within %d ulp(s), its special values exact", (name, bound) => {
    const expected = decode(fixture[name]);
    const out = run(name);
    let worst = 0;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const t = expected[i]!;
      const y = out[i]!;
      // NaN, ±∞ and ±0 as IEEE has them, and the limits (±1, 2) where the value rounds to them
      if (!Number.isFinite(t) || t === 0 || Math.abs(t) === 1 || t === 2 || !Number.isFinite(xs[i]!)) {
        if (show(y) !== show(t)) expect.fail(`${name}(${show(xs[i]!)}) = ${show(y)}, expected ${show(t)}`);
        continue;
      }
      const e = Math.abs(y - t) / ulp(t);
      if (e > worst) [worst, at] = [e, xs[i]!];
    }
    expect(worst, `${name}: ${worst} ulps at x = ${at}`).toBeLessThanOrEqual(bound);
  });

  // ATen's float64 GELU, x·½·(1 + erf(x/√2)), cancels in 1 + erf below x ≈ −2: there an ulp of erf
  // (PyTorch's Sleef or glibc erf, or nabla's) is an absolute |x|·2^−53 of the result
  it.each([
    ["gelu", "torch_gelu", false],
    ["gelu derivative", "torch_gelu_grad", true],
  ] as [string, keyof Fixture, boolean][])("%s within 2 ulps of PyTorch's, plus an ulp of erf's where 1 + erf cancels", (label, key, derivative) => {
    const expected = decode(fixture[key]);
    const out = run("gelu", derivative);
    let worst = 0;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const t = expected[i]!;
      const y = out[i]!;
      if (!Number.isFinite(t)) {
        if (show(y) !== show(t)) expect.fail(`${label}(${show(xs[i]!)}) = ${show(y)}, expected ${show(t)}`);
        continue;
      }
      const e = Math.abs(y - t) / (ulp(t) + Math.abs(xs[i]!) * 2 ** -53);
      if (e > worst) [worst, at] = [e, xs[i]!];
    }
    expect(worst, `${label}: ${worst} at x = ${at}`).toBeLessThanOrEqual(2);
  });
});
