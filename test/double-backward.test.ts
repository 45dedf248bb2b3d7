/**
 * Second derivatives through the fused activations, softmax and losses: a backward pass recorded with
 * createGraph must itself be differentiable, with respect to the input and to the upstream
 * gradient. Checked in float64 against central differences of the first derivative.
 */
import { describe, expect, it } from "vitest";
import { cat, nn, tensor, type Tensor } from "../src/index.js";

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
