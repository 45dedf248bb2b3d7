/**
 * nn.Softmax2d, ChannelShuffle, LocalResponseNorm, AlphaDropout, MultiMarginLoss and
 * F.gumbelSoftmax against PyTorch (scripts/make_api3_nn_fixtures.py → api3_nn.json): outputs
 * and gradients; the random ones (AlphaDropout in training, gumbelSoftmax) from the same seed as
 * PyTorch, so the same elements are dropped and the same Gumbel noise drawn; then properties of
 * gumbelSoftmax that hold for any draw, reprs and errors.
 */
import { describe, expect, it } from "vitest";
import { F, manualSeed, nn, randn, tensor, zeros, type Tensor } from "../packages/nabla/src/index.js";
import { loadFixture } from "./helpers.js";
import { checkCase, type Call, type LayerCase } from "./layers-harness.js";

const { cases } = loadFixture<{ cases: Record<string, LayerCase> }>("api3_nn.json");
const TIGHT = { rtol: 2e-6, atol: 1e-6 };
const f64 = (m: nn.AnyModule) => m.to("float64");

/** The call after seeding the generator as the fixture seeded PyTorch's. */
const seeded = (fn: (x: Tensor) => unknown): Call => (_, [x]) => {
  manualSeed(5);
  return fn(x!);
};
const forward: Call = (m, inputs) => (m as nn.AnyModule).forward(...inputs);

const table: [string, () => nn.AnyModule, boolean?][] = [
  ["softmax2d", () => new nn.Softmax2d()],
  ["softmax2d_unbatched_f64", () => f64(new nn.Softmax2d())],
  ["channel_shuffle", () => new nn.ChannelShuffle(3)],
  ["lrn_4d", () => new nn.LocalResponseNorm(3)],
  ["lrn_3d_options", () => new nn.LocalResponseNorm(4, { alpha: 0.1, beta: 0.5, k: 2 })],
  ["lrn_5d_f64", () => new nn.LocalResponseNorm(2, 0.3, 0.9, 1.5)],
  ["mm_default", () => new nn.MultiMarginLoss()],
  ["mm_p2_weight_sum", () => new nn.MultiMarginLoss({ p: 2, margin: 0.5, weight: zeros([5]), reduction: "sum" })],
  ["mm_none_f64", () => f64(new nn.MultiMarginLoss(1, 2, null, null, null, "none"))],
  ["mm_unbatched", () => new nn.MultiMarginLoss()],
  ["alpha_dropout_train", () => new nn.AlphaDropout(0.3), true],
  ["alpha_dropout_train_f64", () => new nn.AlphaDropout(0.5), true],
  ["alpha_dropout_eval", () => new nn.AlphaDropout(0.3).eval()],
];

describe("batch 3 layers match PyTorch (outputs, gradients)", () => {
  it.each(table)("%s", (name, make, random) => {
    const m = make();
    checkCase(cases[name]!, m, random ? seeded((x) => m.forward(x)) : forward, TIGHT);
  });

  it.each([
    ["gumbel_soft", (x: Tensor) => F.gumbelSoftmax(x)],
    ["gumbel_hard_tau_dim0", (x: Tensor) => F.gumbelSoftmax(x, { tau: 0.5, hard: true, dim: 0 })],
    ["gumbel_soft_f64", (x: Tensor) => F.gumbelSoftmax(x, 2)],
  ] as const)("F.%s: PyTorch's sample for the same seed", (name, fn) => {
    checkCase(cases[name]!, new nn.Identity(), seeded(fn), TIGHT);
  });
});

describe("gumbelSoftmax: properties of any draw", () => {
  it("soft samples are distributions over dim; hard ones are one-hot with the soft gradient", () => {
    const logits = randn([6, 4]).requiresGrad_();
    const soft = F.gumbelSoftmax(logits, { tau: 0.7 });
    expect((soft.sum(1).toArray() as number[]).every((s) => Math.abs(s - 1) < 1e-6)).toBe(true);
    const hard = F.gumbelSoftmax(logits, { hard: true, dim: 1 });
    const rows = hard.toArray() as number[][];
    for (const row of rows) expect(row.filter((v) => v === 1).length + row.filter((v) => v === 0).length).toBe(4);
    expect(hard.sum(1).toArray()).toEqual([1, 1, 1, 1, 1, 1]);
    hard.mul(tensor([1, 2, 3, 4])).sum().backward();
    expect(logits.grad!.abs().sum().item()).toBeGreaterThan(0);
  });
});

describe("batch 3 layers: reprs and errors", () => {
  it("reprs are PyTorch's", () => {
    expect(new nn.LocalResponseNorm(3).toString()).toBe("LocalResponseNorm(3, alpha=0.0001, beta=0.75, k=1.0)");
    expect(new nn.AlphaDropout(0.2).toString()).toBe("AlphaDropout(p=0.2, inplace=False)");
    expect(new nn.MultiMarginLoss().toString()).toBe("MultiMarginLoss()");
    expect(new nn.ChannelShuffle(2).toString()).toBe("ChannelShuffle(groups=2)");
    expect(new nn.Softmax2d().toString()).toBe("Softmax2d()");
  });

  it("errors name the layer or function and the values", () => {
    expect(() => new nn.Softmax2d().forward(zeros([2, 3]))).toThrow("Softmax2d: expected input to be 3D or 4D, got 2D instead");
    expect(() => new nn.ChannelShuffle(4).forward(zeros([1, 6, 2]))).toThrow("channelShuffle: number of channels (6) must be divisible by groups (4)");
    expect(() => F.localResponseNorm(zeros([2, 3]), 2)).toThrow("localResponseNorm: expected 3D or higher dimensionality input (got 2 dimensions)");
    expect(() => new nn.MultiMarginLoss({ p: 3 as never })).toThrow("MultiMarginLoss: only p == 1 and p == 2 supported, got 3");
    expect(() => F.multiMarginLoss(zeros([2, 3]), tensor([0, 1, 2], { dtype: "int32" }))).toThrow("multiMarginLoss: inconsistent target size: got input [2, 3] and target [3]");
    const scores = tensor([[0.5, 1, -1], [2, 0, 1]]);
    const labels = tensor([2, 0], { dtype: "int32" });
    expect(F.multiMarginLoss(scores, labels, 2, 0.5, null, null, null, "sum").item()).toBe(F.multiMarginLoss(scores, labels, { p: 2, margin: 0.5, reduction: "sum" }).item());
    expect(() => F.multiMarginLoss(scores, labels, 1, 1, null, true as never)).toThrow("multiMarginLoss: size_average and reduce are deprecated");
    expect(() => new nn.AlphaDropout(1.5)).toThrow("AlphaDropout: dropout probability has to be between 0 and 1, but got 1.5");
    expect(F.alphaDropout(tensor([1, 2]), 0.5)).toBeDefined(); // training defaults to false, as PyTorch's F.alpha_dropout
    expect(F.alphaDropout(tensor([1, 2]), 0.5).toArray()).toEqual([1, 2]);
  });
});
