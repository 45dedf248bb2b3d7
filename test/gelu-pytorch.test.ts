/**
 * float32 GELU (exact-erf form) bit for bit against PyTorch 1.13 (test/fixtures/gelu_float32.json,
 * scripts/make_gelu_fixtures.py): forward and input gradient on a sweep of [−12, 12], randn·3 and
 * ±0, ±1e-7, subnormals, ±30, ±100. PyTorch runs oneDNN's gelu_erf there, whose erf is not
 * torch.erf (src/ops/pointwise/gelu-erf.ts).
 */
import { describe, expect, it } from "vitest";
import { F, tensor } from "../packages/nabla/src/index.js";
import { fixtureData, loadFixture, values, type FixtureTensor } from "./helpers.js";
import { geluErf32, geluErfGrad32 } from "../packages/nabla/src/ops/pointwise/gelu-erf.js";

const fixture = loadFixture<{ x: FixtureTensor; dy: FixtureTensor; y: FixtureTensor; grad: FixtureTensor }>("gelu_float32.json");
const x = fixtureData(fixture.x) as Float32Array;
const dy = fixtureData(fixture.dy) as Float32Array;

/** The inputs where got and want are not the same float32 (−0 and +0 apart, NaN equal to NaN). */
function differing(got: ArrayLike<number>, want: Float32Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(Math.fround(got[i]!), want[i])) out.push(`x=${x[i]}: ${got[i]} vs PyTorch ${want[i]}`);
  }
  return out;
}

describe("float32 GELU equals PyTorch's bit for bit", () => {
  it("forward", () => {
    const y = F.gelu(tensor(x, { dtype: "float32" }));
    expect(differing(values(y), fixtureData(fixture.y) as Float32Array).slice(0, 5)).toEqual([]);
  });

  it("input gradient", () => {
    const input = tensor(x, { dtype: "float32", requiresGrad: true });
    F.gelu(input).mul(tensor(dy, { dtype: "float32" })).sum().backward();
    expect(differing(values(input.grad!), fixtureData(fixture.grad) as Float32Array).slice(0, 5)).toEqual([]);
  });

  it("the scalar emulation (the JS kernels' and constant folding's float32 value)", () => {
    const grad = Array.from(x, (v, i) => Math.fround(dy[i]! * geluErfGrad32(v)));
    expect(differing(Array.from(x, geluErf32), fixtureData(fixture.y) as Float32Array).slice(0, 5)).toEqual([]);
    expect(differing(grad, fixtureData(fixture.grad) as Float32Array).slice(0, 5)).toEqual([]);
  });
});
