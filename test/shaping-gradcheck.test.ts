/**
 * gradcheck in float64 for the shape, indexing and mask ops of issue 11, and the same for their
 * backward passes (createGraph): the gradient of Σ w·f(x)³ is differentiated again, which only
 * works if each op's backward is itself recorded as differentiable ops. Inputs avoid ties (amax,
 * clamp bounds) so that finite differences are meaningful.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { autograd, gradcheck, sl, tensor, type Tensor } from "../packages/nabla/src/index.js";

/** Deterministic float64 leaf of the given shape: values in [lo, hi), from a seeded generator. */
function leaf(shape: number[], { lo = -2, hi = 2, seed = 1 }: { lo?: number; hi?: number; seed?: number } = {}): Tensor {
  const g = new nb.Generator(seed);
  return nb.rand(shape, { dtype: "float64", generator: g }).mul(hi - lo).add(lo).detach().requiresGrad_();
}

const int = (values: number[] | number[][] | number[][][]) => tensor(values, { dtype: "int32" });
const f64 = (values: number[] | number[][]) => tensor(values, { dtype: "float64", requiresGrad: true });

type Case = [name: string, fn: (...xs: Tensor[]) => Tensor | Tensor[], inputs: () => Tensor[]];

const CASES: Case[] = [
  ["split by size", (a) => nb.split(a!, 2, 1), () => [leaf([2, 5])]],
  ["split by sizes", (a) => a!.split([1, 3], 0), () => [leaf([4, 2])]],
  ["chunk", (a) => a!.chunk(3, -1), () => [leaf([2, 7])]],
  ["unbind", (a) => nb.unbind(a!, 1), () => [leaf([2, 3])]],
  ["tensorSplit indices", (a) => nb.tensorSplit(a!, [1, 3], 0), () => [leaf([5, 2])]],
  ["repeat", (a) => a!.repeat(2, 1, 3), () => [leaf([2, 3])]],
  ["tile", (a) => nb.tile(a!, [2]), () => [leaf([2, 3])]],
  ["repeatInterleave number", (a) => a!.repeatInterleave(2, { dim: 0 }), () => [leaf([2, 3])]],
  ["repeatInterleave tensor", (a) => nb.repeatInterleave(a!, int([2, 0, 3]), { dim: 1 }), () => [leaf([2, 3])]],
  ["flip", (a) => a!.flip(0, 2), () => [leaf([2, 3, 2])]],
  ["roll with dims", (a) => a!.roll([1, -1], [0, 1]), () => [leaf([3, 4])]],
  ["roll flattened", (a) => nb.roll(a!, 5), () => [leaf([3, 4])]],
  ["diag of a vector", (a) => nb.diag(a!, 1), () => [leaf([3])]],
  ["diag of a matrix", (a) => a!.diag(-1), () => [leaf([3, 4])]],
  ["diagonal", (a) => a!.diagonal(1, 0, 2), () => [leaf([3, 2, 4])]],
  ["diagEmbed", (a) => a!.diagEmbed(-1, 0, 2), () => [leaf([2, 3])]],
  ["tril", (a) => a!.tril(), () => [leaf([2, 3, 3])]],
  ["triu", (a) => nb.triu(a!, 1), () => [leaf([3, 4])]],
  ["maskedFill number", (a) => a!.maskedFill(a!.gt(0), 3), () => [leaf([3, 4])]],
  ["maskedFill 0-d tensor", (a, v) => nb.maskedFill(a!, a!.detach().gt(0), v!), () => [leaf([3, 4]), leaf([], { seed: 4 })]],
  ["maskedSelect broadcast", (a) => nb.maskedSelect(a!, tensor([[true, false, true], [false, false, true]])), () => [leaf([3])]],
  ["nanToNum of finite values", (a) => nb.nanToNum(a!), () => [leaf([2, 3])]],
  ["clamp tensor bounds", (x, lo, hi) => nb.clamp(x!, lo!, hi!), () => [f64([-2, -0.6, 0.1, 0.7, 2.5, 1.3]), f64([-0.5, -0.5, -0.5, 0, 0, 0]), f64([[0.5], [1.5]]).reshape(2, 1).expand(2, 3).reshape(6).detach().requiresGrad_()]],
  ["clamp min > max", (x, lo, hi) => nb.clamp(x!, lo!, hi!), () => [f64([-1, 0.3, 2]), f64([1, 1, 1]), f64([0.5, 0.5, 0.5])]],
  ["index slices, None, ellipsis", (a) => a!.index([null, "...", sl(1, 3), 0]), () => [leaf([2, 3, 4])]],
  ["index separated tensors", (a) => a!.index([int([1, 0, 1]), sl(), int([3, 3, 0])]), () => [leaf([2, 3, 4])]],
  ["index adjacent tensors after a slice", (a) => a!.index([sl(), int([[2], [0]]), int([1, 3])]), () => [leaf([2, 3, 4])]],
  ["index mask", (a) => a!.index([tensor([true, false, true])]), () => [leaf([3, 2])]],
  ["indexPut", (a, v) => nb.indexPut(a!, [int([0, 2])], v!), () => [leaf([3, 2]), leaf([2], { seed: 5 })]],
  ["indexPut accumulate", (a, v) => a!.indexPut([sl(), int([1, 1, 0])], v!, { accumulate: true }), () => [leaf([3, 2]), leaf([3, 3], { seed: 5 })]],
  ["indexAdd", (a, s) => a!.indexAdd(1, int([2, 0, 2]), s!, { alpha: 0.5 }), () => [leaf([2, 3]), leaf([2, 3], { seed: 6 })]],
  ["indexCopy", (a, s) => nb.indexCopy(a!, 0, int([2, 0]), s!), () => [leaf([3, 2]), leaf([2, 2], { seed: 6 })]],
  ["indexFill 0-d tensor", (a, v) => nb.indexFill(a!, 1, int([0, -1]), v!), () => [leaf([2, 3]), leaf([], { seed: 6 })]],
  ["scatter src", (a, s) => a!.scatter(0, int([[1, 0, 2], [2, 1, 0]]), s!), () => [leaf([3, 3]), leaf([2, 3], { seed: 7 })]],
  ["scatter value", (a) => nb.scatter(a!, 1, int([[2], [0]]), 1.5), () => [leaf([2, 3])]],
  ["scatterAdd", (a, s) => nb.scatterAdd(a!, 1, int([[0, 0, 2], [1, 1, 1]]), s!), () => [leaf([2, 3]), leaf([2, 3], { seed: 7 })]],
  ["scatterReduce sum", (a, s) => a!.scatterReduce(0, int([[0, 2], [0, 0]]), s!, "sum", { includeSelf: false }), () => [leaf([3, 2]), leaf([2, 2], { seed: 8 })]],
  ["scatterReduce mean", (a, s) => a!.scatterReduce(0, int([[0, 2], [0, 0]]), s!, "mean"), () => [leaf([3, 2]), leaf([2, 2], { seed: 8 })]],
  ["scatterReduce prod", (a, s) => a!.scatterReduce(0, int([[0, 2], [0, 0]]), s!, "prod"), () => [leaf([3, 2]), leaf([2, 2], { seed: 8 })]],
  ["scatterReduce prod without self", (a, s) => a!.scatterReduce(1, int([[1, 1, 0]]), s!, "prod", { includeSelf: false }), () => [leaf([1, 2]), leaf([1, 3], { seed: 8 })]],
  ["scatterReduce amax", (a, s) => a!.scatterReduce(0, int([[0, 2], [0, 0]]), s!, "amax"), () => [leaf([3, 2]), leaf([2, 2], { seed: 9 })]],
  ["scatterReduce amin without self", (a, s) => a!.scatterReduce(0, int([[0, 2], [0, 0]]), s!, "amin", { includeSelf: false }), () => [leaf([3, 2]), leaf([2, 2], { seed: 9 })]],
];

describe("gradcheck of the shape, indexing and mask ops (float64)", () => {
  it.each(CASES)("%s", (_name, fn, inputs) => {
    expect(gradcheck(fn, inputs())).toBe(true);
  });
});

/**
 * The first derivative of Σ w·f(x)³ as a function of x, recorded (createGraph): checking it with
 * gradcheck differentiates each op's backward, through the upstream gradient 3w·f(x)².
 */
function firstDerivative(fn: (...xs: Tensor[]) => Tensor | Tensor[]) {
  // gradcheck evaluates its function under noGrad for the finite differences: record anyway
  return (...xs: Tensor[]): Tensor[] => nb.enableGrad(() => {
    const outs = fn(...xs);
    const list = Array.isArray(outs) ? outs : [outs];
    const total = list.map((o, k) => o.pow(3).mul(0.5 + 0.25 * k).sum()).reduce((p, q) => p.add(q));
    const wanted = xs.filter((x) => x.requiresGrad);
    return autograd.grad(total, wanted, { createGraph: true, allowUnused: true }).map((g, i) => g ?? nb.zerosLike(wanted[i]!));
  });
}

/** The cases whose backward is exercised again (amax/amin and masks have piecewise-constant gradients). */
const SECOND_ORDER = new Set([
  "split by sizes", "chunk", "unbind", "tensorSplit indices", "repeat", "repeatInterleave tensor", "flip", "roll with dims",
  "diag of a vector", "diag of a matrix", "diagonal", "diagEmbed", "tril", "maskedSelect broadcast", "clamp tensor bounds",
  "index slices, None, ellipsis", "index separated tensors", "index adjacent tensors after a slice", "index mask", "indexPut",
  "indexPut accumulate", "indexAdd", "indexCopy", "scatter src", "scatterAdd", "scatterReduce mean", "scatterReduce prod",
]);

describe("second derivatives through the backward of each op (createGraph)", () => {
  it.each(CASES.filter(([name]) => SECOND_ORDER.has(name)))("%s", (_name, fn, inputs) => {
    expect(gradcheck(firstDerivative(fn), inputs())).toBe(true);
  });

  it("every named case exists", () => {
    const names = new Set(CASES.map(([name]) => name));
    expect([...SECOND_ORDER].filter((n) => !names.has(n))).toEqual([]);
  });
});
