/**
 * gradcheck in float64 for the sorting, scan, product, einsum and norm ops: their written-out
 * gradients against central differences. Inputs keep away from ties and kinks (sort, topk,
 * cummax, the ±inf norms, 0 for the p-norms) so that the finite differences are meaningful. The
 * second part checks second derivatives (a backward recorded with createGraph, differentiated
 * again), PyTorch's gradgradcheck, for the ops whose gradient is its own code.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { autograd, enableGrad, gradcheck, linalg, tensor, type Tensor } from "../packages/nabla/src/index.js";

/** A float64 leaf of distinct values in [lo, hi): a seeded permutation spread over the range, plus jitter. */
function leaf(shape: number[], { lo = -2, hi = 2, seed = 1 }: { lo?: number; hi?: number; seed?: number } = {}): Tensor {
  const g = new nb.Generator(seed);
  const n = shape.reduce((p, s) => p * s, 1);
  const order = nb.randperm(n, { generator: g }).double();
  const jitter = nb.rand([n], { dtype: "float64", generator: g }).mul(0.5);
  return order.add(jitter).div(n).mul(hi - lo).add(lo).reshape(shape).detach().requiresGrad_();
}

const f64 = (values: number[] | number[][], requiresGrad = true) => tensor(values, { dtype: "float64", requiresGrad });

type Case = [name: string, fn: (...xs: Tensor[]) => Tensor | Tensor[], inputs: () => Tensor[]];

const CASES: Case[] = [
  // ---- sorting and order statistics
  ["sort dim 1", (x) => nb.sort(x!, 1).values, () => [leaf([3, 5])]],
  ["sort dim 0 descending", (x) => x!.sort(0, true).values, () => [leaf([4, 3])]],
  ["msort", (x) => nb.msort(x!), () => [leaf([4, 2])]],
  ["topk largest", (x) => nb.topk(x!, 2, 1).values, () => [leaf([3, 6])]],
  ["topk smallest unsorted dim 0", (x) => x!.topk(3, 0, false, false).values, () => [leaf([5, 2])]],
  ["topk partial-sort path (k·64 ≤ n)", (x) => nb.topk(x!, 2).values, () => [leaf([130])]],
  ["kthvalue keepdim", (x) => nb.kthvalue(x!, 2, 1, true).values, () => [leaf([3, 5])]],
  ["median all", (x) => nb.median(x!), () => [leaf([3, 5])]],
  ["median dim 0", (x) => nb.median(x!, 0).values, () => [leaf([4, 3])]],
  ["nanmedian dim 1", (x) => nb.nanmedian(x!, 1).values, () => [leaf([3, 4])]],
  ["nanmedian all", (x) => nb.nanmedian(x!), () => [leaf([2, 3])]],
  ["mode of distinct values", (x) => nb.mode(x!, 1).values, () => [leaf([3, 4])]],
  // ---- scans
  ["cumsum dim 1", (x) => nb.cumsum(x!, 1), () => [leaf([3, 4])]],
  ["cumsum dim 0 of a 3-d tensor", (x) => x!.cumsum(0), () => [leaf([3, 2, 2])]],
  ["cumprod", (x) => nb.cumprod(x!, 1), () => [leaf([3, 4], { lo: 0.5, hi: 1.5 })]],
  ["cumprod with zeros", (x) => nb.cumprod(x!, 1), () => [f64([[0, 1.5, -0.7, 2], [1.2, 0, 0.8, 0], [0.9, -1.1, 1.3, 0]])]],
  ["cumprod with zeros dim 0", (x) => nb.cumprod(x!, 0), () => [f64([[0.5, 0], [0, 1.5], [2, -1], [-0.5, 0.7]])]],
  ["cummax", (x) => nb.cummax(x!, 1).values, () => [leaf([3, 5])]],
  ["cummin dim 0", (x) => nb.cummin(x!, 0).values, () => [leaf([5, 2])]],
  ["logcumsumexp", (x) => nb.logcumsumexp(x!, 1), () => [leaf([3, 5], { lo: -5, hi: 5 })]],
  ["logcumsumexp dim 0", (x) => nb.logcumsumexp(x!, 0), () => [leaf([4, 2])]],
  ["diff n=2", (x) => nb.diff(x!, 2), () => [leaf([3, 5])]],
  ["diff prepend append", (x, p, a) => nb.diff(x!, 1, 0, p!, a!), () => [leaf([3, 2]), leaf([1, 2], { seed: 2 }), leaf([2, 2], { seed: 3 })]],
  // ---- products
  ["mm", (a, b) => nb.mm(a!, b!), () => [leaf([2, 3]), leaf([3, 4], { seed: 2 })]],
  ["bmm", (a, b) => nb.bmm(a!, b!), () => [leaf([2, 2, 3]), leaf([2, 3, 2], { seed: 2 })]],
  ["addmm broadcast input", (i, a, b) => nb.addmm(i!, a!, b!, { beta: 0.5, alpha: 2 }), () => [leaf([4]), leaf([2, 3], { seed: 2 }), leaf([3, 4], { seed: 3 })]],
  ["addmv", (i, a, v) => nb.addmv(i!, a!, v!, { beta: -1, alpha: 0.5 }), () => [leaf([2]), leaf([2, 3], { seed: 2 }), leaf([3], { seed: 3 })]],
  ["baddbmm", (i, a, b) => nb.baddbmm(i!, a!, b!, { beta: 2 }), () => [leaf([2, 1]), leaf([2, 2, 3], { seed: 2 }), leaf([2, 3, 2], { seed: 3 })]],
  ["addbmm", (i, a, b) => nb.addbmm(i!, a!, b!, { alpha: -1.5 }), () => [leaf([2, 2]), leaf([3, 2, 3], { seed: 2 }), leaf([3, 3, 2], { seed: 3 })]],
  ["mv", (a, v) => nb.mv(a!, v!), () => [leaf([2, 3]), leaf([3], { seed: 2 })]],
  ["dot", (a, b) => nb.dot(a!, b!), () => [leaf([4]), leaf([4], { seed: 2 })]],
  ["vdot", (a, b) => nb.vdot(a!, b!), () => [leaf([4]), leaf([4], { seed: 2 })]],
  ["outer", (a, b) => nb.outer(a!, b!), () => [leaf([3]), leaf([2], { seed: 2 })]],
  ["inner", (a, b) => nb.inner(a!, b!), () => [leaf([2, 3]), leaf([2, 2, 3], { seed: 2 })]],
  ["tensordot", (a, b) => nb.tensordot(a!, b!, [[1, 2], [1, 0]]), () => [leaf([2, 3, 2]), leaf([2, 3, 2], { seed: 2 })]],
  ["kron", (a, b) => nb.kron(a!, b!), () => [leaf([2, 2]), leaf([3], { seed: 2 })]],
  ["trace rectangular", (a) => nb.trace(a!), () => [leaf([3, 4])]],
  // ---- einsum
  ["einsum ij,jk->ik", (a, b) => nb.einsum("ij,jk->ik", a!, b!), () => [leaf([2, 3]), leaf([3, 2], { seed: 2 })]],
  ["einsum ii->i (diagonal)", (a) => nb.einsum("ii->i", a!), () => [leaf([3, 3])]],
  ["einsum iij->ji", (a) => nb.einsum("iij->ji", a!), () => [leaf([2, 2, 3])]],
  ["einsum ii (trace)", (a) => nb.einsum("ii", a!), () => [leaf([3, 3])]],
  ["einsum iii->i", (a) => nb.einsum("iii->i", a!), () => [leaf([2, 2, 2])]],
  ["einsum ...ij,...jk broadcast", (a, b) => nb.einsum("...ij,...jk", a!, b!), () => [leaf([2, 1, 2, 3]), leaf([3, 3, 2], { seed: 2 })]],
  ["einsum bi,bj->bij size-1 broadcast", (a, b) => nb.einsum("bi,bj->bij", a!, b!), () => [leaf([1, 3]), leaf([2, 2], { seed: 2 })]],
  ["einsum three operands", (a, b, c) => nb.einsum("ij,jk,kl->il", [a!, b!, c!]), () => [leaf([2, 3]), leaf([3, 2], { seed: 2 }), leaf([2, 2], { seed: 3 })]],
  ["einsum ii,i->i", (a, b) => nb.einsum("ii,i->i", a!, b!), () => [leaf([3, 3]), leaf([3], { seed: 2 })]],
  // ---- norms
  ...[2, 1, 3, 0.5, -1.5, Infinity, -Infinity].map(
    (p): Case => [`vectorNorm ord ${p}`, (x) => linalg.vectorNorm(x!, p, 1), () => [leaf([3, 4], { lo: 0.2, hi: 2 }).mul(f64([1, -1, 1, -1], false)).detach().requiresGrad_()]],
  ),
  ["vectorNorm all keepdim", (x) => linalg.vectorNorm(x!, 2, null, true), () => [leaf([2, 3])]],
  ...(["fro", 1, -1, Infinity, -Infinity] as const).map(
    (ord): Case => [`matrixNorm ${ord}`, (x) => linalg.matrixNorm(x!, ord), () => [leaf([2, 3, 4])]],
  ),
  ["linalg.norm inf of a matrix", (x) => linalg.norm(x!, Infinity), () => [leaf([3, 4])]],
  ["norm p 3 dim 0", (x) => x!.norm(3, 0), () => [leaf([3, 4], { lo: 0.2, hi: 2 })]],
];

describe("gradcheck of the sorting, scan, product and norm ops (float64)", () => {
  it.each(CASES)("%s", (_name, fn, inputs) => {
    expect(gradcheck(fn, inputs())).toBe(true);
  });
});

/** PyTorch's gradgradcheck: the first derivative (recorded with createGraph) checked against finite differences, in x and in the upstream gradient. */
function gradgradcheck(fn: (x: Tensor) => Tensor, x: Tensor): boolean {
  const upstream = leaf([...fn(x).shape], { seed: 11 });
  // enableGrad: gradcheck evaluates its function under noGrad for the finite differences
  const firstDerivative = (xx: Tensor, gg: Tensor) =>
    enableGrad(() => autograd.grad(fn(xx), xx, { gradOutputs: [gg], createGraph: true })[0]!);
  return gradcheck((xx, gg) => firstDerivative(xx!, gg!), [x, upstream]);
}

const SECOND: [string, (x: Tensor) => Tensor, () => Tensor][] = [
  ["sort", (x) => nb.sort(x, 1).values.pow(2), () => leaf([2, 4])],
  ["topk", (x) => nb.topk(x, 2).values.pow(2), () => leaf([2, 4])],
  ["median all", (x) => nb.median(x).pow(2), () => leaf([3, 3])],
  ["cumsum", (x) => nb.cumsum(x.pow(2), 1), () => leaf([2, 4])],
  ["cumprod", (x) => nb.cumprod(x, 1), () => leaf([2, 4], { lo: 0.5, hi: 1.5 })],
  ["cumprod with zeros", (x) => nb.cumprod(x, 1), () => f64([[0, 1.5, -0.7, 2], [1.2, 0, 0.8, 0]])],
  ["cummax", (x) => nb.cummax(x, 1).values.pow(2), () => leaf([2, 4])],
  ["logcumsumexp", (x) => nb.logcumsumexp(x, 1), () => leaf([2, 4])],
  ["mv", (x) => nb.mv(x, x.sum(0)), () => leaf([3, 3])],
  ["addmm", (x) => nb.addmm(x.sum(0), x, x.t(), { beta: 0.5, alpha: 2 }), () => leaf([2, 2])],
  ["trace", (x) => nb.trace(x.mul(x)), () => leaf([3, 3])],
  ["einsum with a diagonal", (x) => nb.einsum("ii,ij->j", x, x), () => leaf([3, 3])],
  ["vectorNorm 2", (x) => linalg.vectorNorm(x, 2, 1), () => leaf([2, 3])],
  ["vectorNorm 3", (x) => linalg.vectorNorm(x, 3, 1), () => leaf([2, 3], { lo: 0.2, hi: 2 })],
  ["vectorNorm inf", (x) => linalg.vectorNorm(x, Infinity, 1).pow(2), () => leaf([2, 3])],
  ["matrixNorm 1", (x) => linalg.matrixNorm(x, 1).pow(2), () => leaf([3, 3])],
];

describe("second derivatives (gradgradcheck, float64)", () => {
  it.each(SECOND)("%s", (_name, fn, x) => {
    expect(gradgradcheck(fn, x())).toBe(true);
  });
});
