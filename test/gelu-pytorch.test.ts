/**
 * float32 GELU (exact-erf form) bit for bit against PyTorch 1.13 (test/fixtures/gelu_float32.json,
 * scripts/make_gelu_fixtures.py): forward and input gradient on a sweep of [−12, 12], randn·3 and
 * ±0, ±1e-7, subnormals, ±30, ±100. PyTorch runs oneDNN's gelu_erf there, whose erf is not
 * torch.erf (src/ops/pointwise/gelu-erf.ts). The CPU kernels only (the tensors are pinned to the CPU
 * in the webgpu project too): the WebGPU device computes GELU from the accurate erf, which
 * test/activations.test.ts holds to PyTorch within its tolerance.
 */
import { describe, expect, it } from "vitest";
import { F, tensor } from "../packages/nabla/src/index.js";
import { fixtureData, loadFixture, values, type FixtureTensor } from "./helpers.js";
import { geluErf32, geluErfGrad32 } from "../packages/nabla/src/ops/pointwise/gelu-erf.js";

const fixture = loadFixture<{ x: FixtureTensor; dy: FixtureTensor; y: FixtureTensor; grad: FixtureTensor }>("gelu_float32.json");
const x = fixtureData(fixture.x) as Float32Array;
const dy = fixtureData(fixture.dy) as Float32Array;

/**
 * The wasm build without relaxed SIMD (NABLA_RELAXED_SIMD=0, the wasm-baseline project) rounds
 * the polynomials' multiply-adds twice where oneDNN fuses them (only erf's last step and GELU's
 * are fused exactly there, assembly/simdmath.ts): erf is then off by an ulp or two of 1, which
 * the cancellations of 1 + q·t·R(t) (small x) and of 1 + erf (x < 0) make an error of up to
 * 2^−20 relative to the scale of the result (|x| forward, |dy| backward). Bit for bit elsewhere.
 */
const BASELINE = process.env.NABLA_BACKEND === "wasm" && process.env.NABLA_RELAXED_SIMD === "0";
const [ULPS, ABS] = BASELINE ? [2, 2 ** -20] : [0, 0];

/** float32 x as an integer that counts ulps across zero. */
function ordinal(v: number): number {
  const bits = new Int32Array(new Float32Array([v]).buffer)[0]!;
  return bits < 0 ? -(bits & 0x7fffffff) : bits;
}

/** The inputs where got is further than the bound from want (NaN only equal to NaN; bit for bit: −0 apart from +0). */
function differing(got: ArrayLike<number>, want: Float32Array, scale: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const g = Math.fround(got[i]!);
    const w = want[i]!;
    const same = ULPS === 0 ? Object.is(g, w) : g === w || Math.abs(ordinal(g) - ordinal(w)) <= ULPS || Math.abs(g - w) <= ABS * Math.abs(scale[i]!);
    if (!same) out.push(`x=${x[i]}: ${got[i]} vs PyTorch ${w}`);
  }
  return out;
}

describe(BASELINE ? "float32 GELU within 2 ulps of PyTorch (no relaxed SIMD)" : "float32 GELU equals PyTorch's bit for bit", () => {
  it("forward", () => {
    const y = F.gelu(tensor(x, { dtype: "float32", device: "cpu" }));
    expect(differing(values(y), fixtureData(fixture.y) as Float32Array, x).slice(0, 5)).toEqual([]);
  });

  it("input gradient", () => {
    const input = tensor(x, { dtype: "float32", device: "cpu", requiresGrad: true });
    F.gelu(input).mul(tensor(dy, { dtype: "float32", device: "cpu" })).sum().backward();
    expect(differing(values(input.grad!), fixtureData(fixture.grad) as Float32Array, dy).slice(0, 5)).toEqual([]);
  });

  it("the scalar emulation (the JS kernels' and constant folding's float32 value)", () => {
    const grad = Array.from(x, (v, i) => Math.fround(dy[i]! * geluErfGrad32(v)));
    expect(differing(Array.from(x, geluErf32), fixtureData(fixture.y) as Float32Array, x).slice(0, 5)).toEqual([]);
    expect(differing(grad, fixtureData(fixture.grad) as Float32Array, dy).slice(0, 5)).toEqual([]);
  });
});
