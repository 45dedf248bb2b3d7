/**
 * Second derivatives through the fused activations, softmax and losses: a backward pass recorded
 * with createGraph must itself be differentiable, with respect to the input and to the upstream
 * gradient. Checked in float64 against central differences of the first derivative. Also
 * autograd.grad, which gives gradients without touching .grad.
 */
import { describe, expect, it } from "vitest";
import { autograd, cat, nn, tensor, type Tensor } from "../packages/nabla/src/index.js";

const F = nn.functional;

// away from every kink (0, ±0.5, ±1, ±3, 6) so that the second derivative exists
const X = [-2.3, -0.7, -0.2, 0.4, 1.3, 2.9];
const W = [0.3, -1.1, 0.8, 1.7, -0.4, 0.9]; // the upstream gradient
const V = [1.2, 0.5, -0.9, 0.7, 1.4, -0.6]; // weights of the second backward's output

const CASES: [string, (x: Tensor) => Tensor][] = [
  ["sigmoid", F.sigmoid],
  ["tanh", F.tanh],
  ["relu", F.relu],
  ["relu6", F.relu6],
  ["leakyRelu", (x) => F.leakyRelu(x, { negativeSlope: 0.1 })],
  ["elu", F.elu],
  ["selu", F.selu],
  ["celu", (x) => F.celu(x, { alpha: 0.7 })],
  ["gelu", F.gelu],
  ["gelu (tanh)", (x) => F.gelu(x, { approximate: "tanh" })],
  ["silu", F.silu],
  ["mish", F.mish],
  ["softplus", (x) => F.softplus(x, { beta: 2 })],
  ["softsign", F.softsign],
  ["hardtanh", F.hardtanh],
  ["hardsigmoid", F.hardsigmoid],
  ["hardswish", F.hardswish],
  ["logsigmoid", F.logsigmoid],
  ["tanhshrink", F.tanhshrink],
  ["softshrink", F.softshrink],
  ["hardshrink", F.hardshrink],
  ["softmax", (x) => F.softmax(x.reshape(2, 3), 1).reshape(6)],
  ["logSoftmax", (x) => F.logSoftmax(x.reshape(2, 3), 1).reshape(6)],
  ["softmin", (x) => F.softmin(x.reshape(3, 2), 0).reshape(6)],
  ["max along a dim", (x) => {
    const { values } = x.reshape(3, 2).max(1);
    return cat([values, values.mul(x.reshape(3, 2).sum(1))]); // max's backward is linear in g: mix in x
  }],
  ["indexSelect", (x) => {
    const picked = x.reshape(3, 2).indexSelect(0, tensor([2, 0, 2], { dtype: "int32" }));
    return picked.mul(picked).reshape(6); // indexSelect's backward is linear in g: square to mix in x
  }],
  // losses, as functions of their input (reduction "none" keeps one value per element)
  ["binaryCrossEntropy", (x) => F.binaryCrossEntropy(F.sigmoid(x), f64([0, 1, 0.3, 1, 0, 0.8]), { reduction: "none" })],
  ["binaryCrossEntropyWithLogits", (x) => F.binaryCrossEntropyWithLogits(x, f64([0, 1, 0.3, 1, 0, 0.8]), { reduction: "none" })],
  ["crossEntropy", (x) => {
    const loss = F.crossEntropy(x.reshape(2, 3), tensor([2, 0], { dtype: "int32" }), { reduction: "none" });
    return cat([loss, loss.mul(2), loss.mul(3)]); // six outputs, one per upstream weight
  }],
  ["mseLoss", (x) => F.mseLoss(x.mul(x), f64([1, 0, 2, 0.5, 1, 3]), { reduction: "none" })],
  ["huberLoss", (x) => F.huberLoss(x.mul(x), f64([1, 0, 2, 0.5, 1, 3]), { reduction: "none" })],
];

const f64 = (values: number[], requiresGrad = false) => tensor(values, { dtype: "float64", requiresGrad });
const arr = (t: Tensor | null): number[] => (t === null ? X.map(() => 0) : Array.from(t.storage.data as Float64Array));

/** Σ v·(∂/∂x of Σ w·f(x)), computed without a recorded graph. */
function firstDerivativeDotV(f: (x: Tensor) => Tensor, x: number[], w: number[]): number {
  const leaf = f64(x, true);
  f(leaf).backward(f64(w));
  return arr(leaf.grad).reduce((s, d, i) => s + d * V[i]!, 0);
}

/** Central differences of firstDerivativeDotV along each coordinate of x (or of w). */
function numeric(f: (x: Tensor) => Tensor, along: "x" | "w"): number[] {
  const h = 1e-6;
  return X.map((_, i) => {
    const shifted = (delta: number) => {
      const x = X.slice();
      const w = W.slice();
      (along === "x" ? x : w)[i]! += delta;
      return firstDerivativeDotV(f, x, w);
    };
    return (shifted(h) - shifted(-h)) / (2 * h);
  });
}

describe("second derivatives (createGraph) through fused activations, softmax and losses", () => {
  for (const [name, f] of CASES) {
    it(name, () => {
      const x = f64(X, true);
      const w = f64(W, true);
      f(x).backward(w, { createGraph: true });
      const first = x.grad!;
      expect(first.requiresGrad).toBe(true);
      x.grad = null;
      first.mul(f64(V)).sum().backward();
      const byX = arr(x.grad);
      const byW = arr(w.grad);
      const expectedX = numeric(f, "x");
      const expectedW = numeric(f, "w");
      for (let i = 0; i < X.length; i++) {
        expect(byX[i], `${name} ∂²/∂x² at ${X[i]}`).toBeCloseTo(expectedX[i]!, 6);
        expect(byW[i], `${name} ∂²/∂x∂w at ${X[i]}`).toBeCloseTo(expectedW[i]!, 6);
      }
    });
  }
});

describe("autograd.grad (torch.autograd.grad)", () => {
  it("gives gradients without touching .grad, for several inputs and outputs", () => {
    const x = f64([1, 2, 3], true);
    const w = f64([0.5, -1, 2], true);
    const y = x.mul(w).sum();
    const z = x.exp().sum();
    const [dx, dw] = autograd.grad([y, z], [x, w]);
    // ∂(Σxw + Σeˣ)/∂x = w + eˣ, ∂/∂w = x
    expect(arr(dx!)).toEqual([0.5 + Math.exp(1), -1 + Math.exp(2), 2 + Math.exp(3)]);
    expect(arr(dw!)).toEqual([1, 2, 3]);
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
  });

  it("takes gradOutputs, an intermediate tensor as input, and says when an input is unused", () => {
    const x = f64([1, 2], true);
    const h = x.mul(3);
    const y = h.mul(h);
    const [dh] = autograd.grad(y, h, { gradOutputs: [f64([1, 10])], retainGraph: true });
    expect(arr(dh!)).toEqual([6, 120]); // 2h·g
    const unused = f64([1], true);
    expect(() => autograd.grad(y, [x, unused], { gradOutputs: [f64([1, 1])], retainGraph: true })).toThrow(
      /grad: input 1 was not used to compute the outputs; pass \{ allowUnused: true \}/,
    );
    const [dx, none] = autograd.grad(y, [x, unused], { gradOutputs: [f64([1, 1])], allowUnused: true });
    expect(arr(dx!)).toEqual([18, 36]); // 18x
    expect(none).toBeNull();
    expect(() => autograd.grad(y.sum(), f64([1]))).toThrow(/grad: input 0 does not require grad/);
  });

  it("with createGraph gives a differentiable gradient: a gradient penalty trains its weights", () => {
    // penalty(w) = Σ (∂/∂x Σ tanh(x·w))² = Σ_ij (w_j·(1 − tanh²(x_ij·w_j)))² — against central differences in w
    const X = [[0.3, -1.2], [0.8, 0.5], [-0.4, 1.1]];
    const penalty = (wv: number[], createGraph: boolean) => {
      const x = f64(X.flat(), true).reshape(3, 2);
      const w = f64(wv, true);
      const y = x.mul(w).tanh().sum();
      const [dx] = autograd.grad(y, x, { createGraph });
      return { value: dx!.mul(dx!).sum(), w };
    };
    const w0 = [0.7, -1.3];
    const { value, w } = penalty(w0, true);
    value.backward();
    const h = 1e-6;
    const expected = w0.map((_, j) => {
      const at = (d: number) => penalty(w0.map((v, k) => (k === j ? v + d : v)), false).value.item();
      return (at(h) - at(-h)) / (2 * h);
    });
    arr(w.grad!).forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 6));
  });
});
