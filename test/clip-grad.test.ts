/** nn.utils.clipGradNorm_ and clipGradValue_ against PyTorch (test/fixtures/optim_clip_grad.json). */
import { describe, expect, it } from "vitest";
import { nn, OptionError, tensor } from "../packages/nabla/src/index.js";
import { expectClose, fromFixture, loadFixture, type FixtureTensor } from "./helpers.js";

interface Case {
  kind: "norm" | "value";
  max_norm?: number;
  norm_type?: number | "inf";
  clip_value?: number;
  grads: FixtureTensor[];
  total_norm?: FixtureTensor;
  clipped: FixtureTensor[];
}
const { cases } = loadFixture<{ cases: Case[] }>("optim_clip_grad.json");

function withGrads(grads: FixtureTensor[]) {
  return grads.map((g) => {
    const p = new nn.Parameter(fromFixture(g).mul(0));
    p.grad = fromFixture(g);
    return p;
  });
}

const tolerance = (t: FixtureTensor) => (t.dtype === "float32" ? { rtol: 2e-6, atol: 1e-7 } : { rtol: 1e-12, atol: 1e-14 });

describe("clipGradNorm_ matches PyTorch", () => {
  const normCases = cases.filter((c) => c.kind === "norm");
  it.each(normCases.map((c) => [`${c.grads[0]!.dtype} norm ${c.norm_type} max ${c.max_norm}`, c] as const))("%s", (_, c) => {
    const params = withGrads(c.grads);
    const normType = c.norm_type === "inf" ? Infinity : c.norm_type!;
    const total = nn.utils.clipGradNorm_(params, c.max_norm!, { normType });
    expectClose(total, c.total_norm!, tolerance(c.total_norm!), "total norm");
    params.forEach((p, i) => expectClose(p.grad, c.clipped[i]!, tolerance(c.clipped[i]!), `grad ${i}`));
  });
});

describe("clipGradValue_ matches PyTorch", () => {
  it.each(cases.filter((c) => c.kind === "value").map((c) => [`${c.grads[0]!.dtype} clip ${c.clip_value}`, c] as const))("%s", (_, c) => {
    const params = withGrads(c.grads);
    nn.utils.clipGradValue_(params, c.clip_value!);
    params.forEach((p, i) => expectClose(p.grad, c.clipped[i]!, { rtol: 0, atol: 0 }, `grad ${i}`));
  });
});

describe("clipping edge cases", () => {
  it("errorIfNonfinite throws before changing any gradient", () => {
    const p = new nn.Parameter(tensor([1.5, 2.5]));
    const q = new nn.Parameter(tensor([3.5]));
    p.grad = tensor([1.5, Infinity]);
    q.grad = tensor([5.5]);
    expect(() => nn.utils.clipGradNorm_([q, p], 1, { errorIfNonfinite: true })).toThrow(/clipGradNorm_: the total norm of order 2 .* is non-finite/);
    expect(Array.from(q.grad!.toTypedArray())).toEqual([5.5]);
  });

  it("skips parameters without gradients, returns 0 for none, and checks its options", () => {
    const p = new nn.Parameter(tensor([1.5, 2.5]));
    expect(nn.utils.clipGradNorm_([p], 1).item()).toBe(0);
    p.grad = tensor([3.0, 4.0], { dtype: "float32" });
    expect(nn.utils.clipGradNorm_(p, 1).item()).toBe(5);
    expect(p.grad!.toTypedArray()[0]).toBeCloseTo(0.6, 6);
    expect(() => nn.utils.clipGradNorm_([p], 1, { normType: -1 })).toThrow(OptionError);
    expect(() => nn.utils.clipGradValue_([p], -1)).toThrow(/clipGradValue_: invalid clipValue: -1/);
  });
});
