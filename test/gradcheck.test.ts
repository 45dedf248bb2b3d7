/**
 * gradcheck in float64 for every differentiable op: the analytical gradients (the backward
 * closures beside each op) against central finite differences. Inputs are chosen away from
 * kinks, ties and clamp bounds so that the finite differences are meaningful.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { F, gradcheck, tensor, type Tensor } from "../packages/nabla/src/index.js";

/** Deterministic float64 leaf of the given shape: values in [lo, hi), from a seeded generator. */
function leaf(shape: number[], { lo = -2, hi = 2, seed = 1 }: { lo?: number; hi?: number; seed?: number } = {}): Tensor {
  const g = new nb.Generator(seed);
  return nb.rand(shape, { dtype: "float64", generator: g }).mul(hi - lo).add(lo).detach().requiresGrad_();
}

/** Values with |v| in [0.5, 2), random sign: away from kinks at 0. */
function awayFromZero(shape: number[], seed = 2): Tensor {
  const g = new nb.Generator(seed);
  const magnitude = nb.rand(shape, { dtype: "float64", generator: g }).mul(1.5).add(0.5);
  const sign = nb.rand(shape, { dtype: "float64", generator: g }).lt(0.5).double().mul(-2).add(1);
  return magnitude.mul(sign).detach().requiresGrad_();
}

const positive = (shape: number[], seed = 3) => leaf(shape, { lo: 0.5, hi: 2.5, seed });

type Case = [name: string, fn: (...xs: Tensor[]) => Tensor | Tensor[], inputs: () => Tensor[]];

const CASES: Case[] = [
  // ---- elementwise arithmetic with broadcasting
  ["add [2,3]+[3]", (a, b) => nb.add(a!, b!), () => [leaf([2, 3]), leaf([3], { seed: 2 })]],
  ["add [2,3]+scalar", (a) => nb.add(a!, 2.5), () => [leaf([2, 3])]],
  ["sub [2,1,4]-[3,1]", (a, b) => nb.sub(a!, b!), () => [leaf([2, 1, 4]), leaf([3, 1], { seed: 2 })]],
  ["sub scalar-[2,3]", (a) => nb.sub(1.5, a!), () => [leaf([2, 3])]],
  ["mul [2,1,4]*[3,1]", (a, b) => nb.mul(a!, b!), () => [leaf([2, 1, 4]), leaf([3, 1], { seed: 2 })]],
  ["mul [2,3]*[]", (a, b) => nb.mul(a!, b!), () => [leaf([2, 3]), leaf([], { seed: 2 })]],
  ["mul same tensor twice", (a) => nb.mul(a!, a!), () => [leaf([2, 3])]],
  ["div [2,3]/[3]", (a, b) => nb.div(a!, b!), () => [leaf([2, 3]), awayFromZero([3])]],
  ["div scalar/[2,3]", (a) => nb.div(2, a!), () => [awayFromZero([2, 3])]],
  ["pow [2,3]^[3]", (a, b) => nb.pow(a!, b!), () => [positive([2, 3]), leaf([3], { seed: 2 })]],
  ["pow [2,3]^2", (a) => nb.pow(a!, 2), () => [leaf([2, 3])]],
  ["pow [2,3]^-1.5", (a) => nb.pow(a!, -1.5), () => [positive([2, 3])]],
  ["maximum [2,3],[3] no ties", (a, b) => nb.maximum(a!, b!), () => [leaf([2, 3]), leaf([3], { seed: 7 })]],
  ["minimum [2,1,4],[3,1] no ties", (a, b) => nb.minimum(a!, b!), () => [leaf([2, 1, 4]), leaf([3, 1], { seed: 7 })]],
  ["where", (a, b) => nb.where(a!.gt(0), a!, b!), () => [awayFromZero([2, 3]), leaf([3], { seed: 5 })]],
  // ---- unary maths
  ["neg", (a) => nb.neg(a!), () => [leaf([2, 3])]],
  ["exp", (a) => nb.exp(a!), () => [leaf([2, 3])]],
  ["log", (a) => nb.log(a!), () => [positive([2, 3])]],
  ["sqrt", (a) => nb.sqrt(a!), () => [positive([2, 3])]],
  ["abs", (a) => nb.abs(a!), () => [awayFromZero([2, 3])]],
  ["clamp min max (away from bounds)", (a) => nb.clamp(a!, { min: -0.25, max: 0.25 }), () => [tensor([-2, -0.5, -0.1, 0.1, 0.2, 0.6, 1.5], { dtype: "float64", requiresGrad: true })]],
  ["clamp min only", (a) => nb.clamp(a!, { min: 0.25 }), () => [tensor([-2, -0.5, 0.1, 0.3, 1.5], { dtype: "float64", requiresGrad: true })]],
  // ---- activations away from kinks
  ["sigmoid", (a) => nb.sigmoid(a!), () => [leaf([3, 4], { lo: -4, hi: 4 })]],
  ["tanh", (a) => nb.tanh(a!), () => [leaf([3, 4], { lo: -3, hi: 3 })]],
  ["relu", (a) => nb.relu(a!), () => [awayFromZero([3, 4])]],
  ["leakyRelu default", (a) => F.leakyRelu(a!), () => [awayFromZero([3, 4])]],
  ["leakyRelu 0.2", (a) => F.leakyRelu(a!, { negativeSlope: 0.2 }), () => [awayFromZero([3, 4])]],
  ["softmax dim 0", (a) => nb.softmax(a!, 0), () => [leaf([3, 4])]],
  ["softmax dim -1", (a) => nb.softmax(a!, -1), () => [leaf([3, 4])]],
  ["logSoftmax dim 1", (a) => nb.logSoftmax(a!, 1), () => [leaf([3, 4])]],
  ["logSoftmax dim 0 of [2,3,4]", (a) => nb.logSoftmax(a!, 0), () => [leaf([2, 3, 4])]],
  // ---- reductions
  ["sum all", (a) => a!.sum(), () => [leaf([3, 4])]],
  ["sum dim 1", (a) => a!.sum(1), () => [leaf([2, 3, 4])]],
  ["sum dims [0,2] keepdim", (a) => a!.sum([0, 2], { keepdim: true }), () => [leaf([2, 3, 4])]],
  ["mean all", (a) => a!.mean(), () => [leaf([3, 4])]],
  ["mean dim -1", (a) => a!.mean(-1), () => [leaf([2, 3, 4])]],
  ["var all", (a) => a!.var(), () => [leaf([3, 4])]],
  ["var dim 1 correction 0", (a) => a!.var(1, { correction: 0 }), () => [leaf([3, 4])]],
  ["std dim 0 keepdim", (a) => a!.std(0, { keepdim: true }), () => [leaf([3, 4])]],
  ["std all", (a) => a!.std(), () => [leaf([3, 4])]],
  ["max(dim)", (a) => a!.max(1).values, () => [leaf([3, 4])]],
  ["min(dim) keepdim", (a) => a!.min(0, { keepdim: true }).values, () => [leaf([3, 4])]],
  ["max() all", (a) => a!.max(), () => [leaf([3, 4])]],
  ["min() all", (a) => a!.min(), () => [leaf([3, 4])]],
  ["logsumexp dim 1", (a) => a!.logsumexp(1), () => [leaf([3, 4])]],
  ["logsumexp dims [0,1] keepdim", (a) => a!.logsumexp([0, 1], { keepdim: true }), () => [leaf([2, 3, 2])]],
  // ---- matmul
  ["matmul 1-D·1-D", (a, b) => nb.matmul(a!, b!), () => [leaf([3]), leaf([3], { seed: 2 })]],
  ["matmul 2-D·1-D", (a, b) => nb.matmul(a!, b!), () => [leaf([2, 3]), leaf([3], { seed: 2 })]],
  ["matmul 1-D·2-D", (a, b) => nb.matmul(a!, b!), () => [leaf([3]), leaf([3, 4], { seed: 2 })]],
  ["matmul 2-D·2-D", (a, b) => nb.matmul(a!, b!), () => [leaf([2, 3]), leaf([3, 4], { seed: 2 })]],
  ["matmul batched broadcast [2,1,2,3]·[3,3,4]", (a, b) => nb.matmul(a!, b!), () => [leaf([2, 1, 2, 3]), leaf([3, 3, 4], { seed: 2 })]],
  ["matmul 3-D·1-D", (a, b) => nb.matmul(a!, b!), () => [leaf([2, 2, 3]), leaf([3], { seed: 2 })]],
  ["matmul of a transposed operand", (a, b) => nb.matmul(a!.t(), b!), () => [leaf([3, 2]), leaf([3, 4], { seed: 2 })]],
  // ---- views
  ["transpose", (a) => a!.transpose(0, 2), () => [leaf([2, 3, 4])]],
  ["permute", (a) => a!.permute(2, 0, 1), () => [leaf([2, 3, 4])]],
  ["slice with step", (a) => a!.slice(2, 0, 4, 2), () => [leaf([2, 3, 4])]],
  ["slice negative start", (a) => a!.slice(1, -2), () => [leaf([2, 3, 4])]],
  ["narrow", (a) => a!.narrow(1, 1, 2), () => [leaf([2, 3, 4])]],
  ["select", (a) => a!.select(1, -1), () => [leaf([2, 3, 4])]],
  ["expand", (a) => a!.expand(2, 3, 4), () => [leaf([3, 1])]],
  ["view", (a) => a!.view(6, 4), () => [leaf([2, 3, 4])]],
  ["reshape of a non-contiguous view (copies)", (a) => a!.transpose(0, 1).reshape(-1), () => [leaf([2, 3])]],
  ["squeeze / unsqueeze", (a) => a!.squeeze().unsqueeze(0), () => [leaf([1, 3, 1])]],
  ["flatten", (a) => a!.flatten(1), () => [leaf([2, 3, 4])]],
  ["contiguous of a transpose", (a) => a!.t().contiguous(), () => [leaf([2, 3])]],
  ["cat dim 0", (a, b) => nb.cat([a!, b!], 0), () => [leaf([2, 3]), leaf([3, 3], { seed: 2 })]],
  ["cat dim 1", (a, b) => nb.cat([a!, b!], 1), () => [leaf([2, 3]), leaf([2, 2], { seed: 2 })]],
  ["stack dim 1", (a, b) => nb.stack([a!, b!], 1), () => [leaf([2, 3]), leaf([2, 3], { seed: 2 })]],
  ["gather dim 1", (a) => a!.gather(1, tensor([[0, 2, 2], [1, 0, 3]], { dtype: "int32" })), () => [leaf([2, 4])]],
  ["gather dim 0", (a) => nb.gather(a!, 0, tensor([[1, 0, 1, 1]], { dtype: "int32" })), () => [leaf([2, 4])]],
  ["indexSelect with a repeated index", (a) => a!.indexSelect(1, tensor([3, 0, 3], { dtype: "int32" })), () => [leaf([2, 4])]],
  // ---- losses
  ["mseLoss mean", (a, b) => F.mseLoss(a!, b!), () => [leaf([3, 4]), leaf([3, 4], { seed: 2 })]],
  ["mseLoss sum", (a, b) => F.mseLoss(a!, b!, { reduction: "sum" }), () => [leaf([3, 4]), leaf([3, 4], { seed: 2 })]],
  ["mseLoss none", (a, b) => F.mseLoss(a!, b!, { reduction: "none" }), () => [leaf([3, 4]), leaf([3, 4], { seed: 2 })]],
  ["crossEntropy class indices mean", (a) => F.crossEntropy(a!, tensor([1, 0, 4, 2], { dtype: "int32" })), () => [leaf([4, 5])]],
  ["crossEntropy class indices none", (a) => F.crossEntropy(a!, tensor([1, 0, 4, 2], { dtype: "int32" }), { reduction: "none" }), () => [leaf([4, 5])]],
  ["crossEntropy probabilities sum", (a, p) => F.crossEntropy(a!, p!, { reduction: "sum" }), () => [leaf([4, 5]), nb.softmax(leaf([4, 5], { seed: 9 }), 1).detach()]],
  // ---- compositions
  ["two-layer net", (x, w1, w2) => nb.matmul(nb.tanh(nb.matmul(x!, w1!)), w2!).sum(), () => [leaf([4, 3]), leaf([3, 5], { seed: 2 }), leaf([5, 2], { seed: 3 })]],
  ["several outputs", (a) => [a!.exp(), a!.sum(0)], () => [leaf([2, 3])]],
];

describe("gradcheck: analytical gradients match finite differences (float64)", () => {
  it.each(CASES)("%s", (_name, fn, inputs) => {
    expect(gradcheck(fn, inputs())).toBe(true);
  });
});

describe("gradcheck catches wrong gradients", () => {
  // x · detach(x): the value is x², but the detached factor hides one term of the derivative,
  // so autograd reports x where the true derivative is 2x.
  const wrong = (x: Tensor) => nb.mul(x, x.detach());

  it("returns false with raiseException: false", () => {
    expect(gradcheck(wrong, [leaf([2, 3], { lo: 0.5, hi: 2 })], { raiseException: false })).toBe(false);
  });

  it("throws by default, naming the mismatching element", () => {
    expect(() => gradcheck(wrong, [leaf([2, 3], { lo: 0.5, hi: 2 })])).toThrow(/Jacobian mismatch/);
  });

  it("catches a gradient that is wrong only through broadcasting", () => {
    // b is summed over rows in the forward pass, but the detached copy makes it count once.
    const fn = (a: Tensor, b: Tensor) => nb.add(nb.mul(a, b.detach()), b.detach()).sum().add(b.sum());
    expect(gradcheck(fn, [leaf([2, 3]), leaf([3], { seed: 2 })], { raiseException: false })).toBe(false);
  });

  it("rejects float32 inputs that require grad", () => {
    expect(() => gradcheck((x) => x.exp(), [tensor([1, 2], { dtype: "float32", requiresGrad: true })])).toThrow(nb.DTypeError);
  });
});
