/**
 * The call shapes, methods, errors and edge cases of the sorting, scan, counting, product and
 * norm ops: PyTorch's positional arguments and the options object give the same result, a wrong
 * argument is a TypeError naming the call, shape mismatches are PyTorch's messages, gradient
 * nodes have PyTorch's names, and strided views, empty tensors and 0-d tensors work.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { DTypeError, linalg, OptionError, ShapeError, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { errorOf, values } from "./helpers.js";

const i32 = (v: number[] | number[][]) => tensor(v, { dtype: "int32" });
const x = () => tensor([[3, 1, 2, 1], [0, 5, 5, -1], [2, 2, 7, 4]]);

describe("PyTorch's positional arguments and the options object", () => {
  it("give the same results", () => {
    const t = x();
    const same = (a: { values: Tensor; indices: Tensor }, b: { values: Tensor; indices: Tensor }) => {
      expect(values(a.values)).toEqual(values(b.values));
      expect(values(a.indices)).toEqual(values(b.indices));
    };
    same(t.sort(0, true), t.sort({ dim: 0, descending: true }));
    same(nb.sort(t, 0, { descending: true }), nb.sort(t, { dim: 0, descending: true }));
    same(t.sort(undefined, true), t.sort({ descending: true }));
    same(t.topk(2, 0, false, true), nb.topk(t, 2, { dim: 0, largest: false }));
    same(t.kthvalue(2, 1, true), t.kthvalue(2, { dim: 1, keepdim: true }));
    same(t.median(1, true), t.median({ dim: 1, keepdim: true }));
    same(t.mode(0), nb.mode(t, { dim: 0 }));
    same(t.cummax(1), nb.cummax(t, { dim: 1 }));
    expect(values(t.cumsum(1))).toEqual(values(t.cumsum({ dim: 1 })));
    expect(values(t.diff(1, 0))).toEqual(values(t.diff({ dim: 0 })));
    expect(values(nb.histc(t, 4, 0, 8))).toEqual(values(t.histc({ bins: 4, min: 0, max: 8 })));
    expect(values(t.norm(1, 0))).toEqual(values(nb.norm(t, { p: 1, dim: 0 })));
    expect(values(linalg.vectorNorm(t, 3, [0, 1], true))).toEqual(values(linalg.vectorNorm(t, { ord: 3, dim: [0, 1], keepdim: true })));
    const [u, inverse, counts] = nb.unique(t, true, true, true) as Tensor[];
    const [u2, inverse2, counts2] = t.unique({ returnInverse: true, returnCounts: true });
    expect([values(u!), values(inverse!), values(counts!)]).toEqual([values(u2), values(inverse2), values(counts2)]);
    expect(values(i32([1, 1, 3]).bincount(null as unknown as undefined, 5))).toEqual([0, 2, 0, 1, 0]);
  });

  it("refuse a value of the wrong kind, an object that is not last, an unknown option, an extra argument", () => {
    const t = x();
    expect(errorOf(() => t.sort(0, 1 as unknown as boolean)).message).toBe(
      "sort: argument 'descending' (position 2) must be a boolean, but got number (1)",
    );
    expect(errorOf(() => t.sort(0, 1 as unknown as boolean))).toBeInstanceOf(TypeError);
    expect(errorOf(() => (t.sort as (...a: unknown[]) => unknown)({ dim: 0 }, true)).message).toBe(
      "sort: an options object must be the last argument, but boolean (true) follows it",
    );
    expect(errorOf(() => t.sort({ descend: true } as never)).message).toBe(
      "sort: unknown option 'descend' (expected one of dim, descending, stable)",
    );
    expect(errorOf(() => (t.sort as (...a: unknown[]) => unknown)(0, true, false)).message).toMatch(
      /^sort: takes at most 2 positional argument\(s\) after its operands, but got boolean \(false\) as argument 3$/,
    );
    expect(errorOf(() => t.sort(0, { dim: 1 })).message).toBe("sort: argument 'dim' given both positionally and in the options object");
    expect(errorOf(() => t.topk("2" as unknown as number)).message).toBe("topk: argument 'k' must be an integer, but got 2");
    expect(errorOf(() => t.cumsum(0.5)).message).toBe("cumsum: argument 'dim' (position 1) must be an integer, but got number (0.5)");
    expect(errorOf(() => t.cumsum()).message).toBe("cumsum: missing required argument 'dim'");
    expect(errorOf(() => nb.sort([1, 2] as unknown as Tensor)).message).toBe("sort: argument 'input' must be a Tensor, but got an array ([1,2])");
    expect(errorOf(() => nb.addmm(t, t, t, 2 as never)).message).toMatch(/^addmm: takes at most 0 positional argument/);
    expect(errorOf(() => linalg.vectorNorm(t, "fro" as unknown as number)).message).toBe(
      `linalg.vectorNorm: argument 'ord' (position 1) must be a number, but got the string "fro"`,
    );
  });
});

describe("Tensor methods equal the functions", () => {
  it("for the sorting and linalg families", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[1, 0], [2, 1], [0, 3]]);
    const v = tensor([1, -1, 2]);
    const checks: [Tensor, Tensor][] = [
      [a.argsort(1, true), nb.argsort(a, 1, true)],
      [a.msort(), nb.msort(a)],
      [a.median(), nb.median(a)],
      [a.nanmedian(), nb.nanmedian(a)],
      [a.cumprod(0), nb.cumprod(a, 0)],
      [a.cummin(1).values, nb.cummin(a, 1).values],
      [a.logcumsumexp(1), nb.logcumsumexp(a, 1)],
      [a.uniqueConsecutive(), nb.uniqueConsecutive(a)],
      [a.mm(b), nb.mm(a, b)],
      [a.mv(v), nb.mv(a, v)],
      [v.dot(v), nb.dot(v, v)],
      [v.vdot(v), nb.vdot(v, v)],
      [v.outer(v), nb.outer(v, v)],
      [a.inner(a), nb.inner(a, a)],
      [a.kron(b), nb.kron(a, b)],
      [a.trace(), nb.trace(a)],
      [a.addmm(a, b.t().t().mm(tensor([[1, 0, 0], [0, 1, 0]])), { beta: 2 }), nb.addmm(a, a, nb.mm(b, tensor([[1, 0, 0], [0, 1, 0]])), { beta: 2 })],
      [tensor([1, 2, 3]).addmv(a.t(), tensor([1, 1])), nb.addmv(tensor([1, 2, 3]), a.t(), tensor([1, 1]))],
      [a.unsqueeze(0).bmm(b.unsqueeze(0)), nb.bmm(a.unsqueeze(0), b.unsqueeze(0))],
      [a.unsqueeze(0).baddbmm(a.unsqueeze(0), b.mm(a).unsqueeze(0)), nb.baddbmm(a.unsqueeze(0), a.unsqueeze(0), b.mm(a).unsqueeze(0))],
      [b.mm(a).addbmm(b.unsqueeze(0), a.unsqueeze(0)), nb.addbmm(b.mm(a), b.unsqueeze(0), a.unsqueeze(0))],
      [a.norm(), nb.norm(a)],
    ];
    for (const [method, fn] of checks) {
      expect(method.shape).toEqual(fn.shape);
      expect(values(method)).toEqual(values(fn));
    }
  });
});

describe("gradient nodes have PyTorch's names", () => {
  it.each([
    ["SortBackward0", (t: Tensor) => t.sort(1).values],
    ["SortBackward0", (t: Tensor) => t.msort()],
    ["TopkBackward0", (t: Tensor) => t.topk(2).values],
    ["KthvalueBackward0", (t: Tensor) => t.kthvalue(2).values],
    ["MedianBackward0", (t: Tensor) => t.median()],
    ["MedianBackward1", (t: Tensor) => t.median(1).values],
    ["NanmedianBackward0", (t: Tensor) => t.nanmedian()],
    ["NanmedianBackward1", (t: Tensor) => t.nanmedian(0).values],
    ["ModeBackward0", (t: Tensor) => t.mode().values],
    ["CumsumBackward0", (t: Tensor) => t.cumsum(0)],
    ["CumprodBackward0", (t: Tensor) => t.cumprod(0)],
    ["CummaxBackward0", (t: Tensor) => t.cummax(0).values],
    ["CumminBackward0", (t: Tensor) => t.cummin(0).values],
    ["LogcumsumexpBackward0", (t: Tensor) => t.logcumsumexp(0)],
    ["MmBackward0", (t: Tensor) => t.mm(t.t())],
    ["BmmBackward0", (t: Tensor) => t.unsqueeze(0).bmm(t.t().unsqueeze(0))],
    ["AddmmBackward0", (t: Tensor) => nb.addmm(t.sum(1), t, t.t())],
    ["AddmvBackward0", (t: Tensor) => nb.addmv(t.sum(1), t, t.sum(0))],
    ["BaddbmmBackward0", (t: Tensor) => nb.baddbmm(t, t.unsqueeze(0), t.t().mm(t).unsqueeze(0))],
    ["AddbmmBackward0", (t: Tensor) => nb.addbmm(t.mm(t.t()), t.unsqueeze(0), t.t().unsqueeze(0))],
    ["MvBackward0", (t: Tensor) => t.mv(t.sum(0))],
    ["DotBackward0", (t: Tensor) => t.sum(0).dot(t.sum(0))],
    ["VdotBackward0", (t: Tensor) => t.sum(0).vdot(t.sum(0))],
    ["MulBackward0", (t: Tensor) => t.sum(0).outer(t.sum(1))],
    ["TraceBackward0", (t: Tensor) => t.trace()],
    ["LinalgVectorNormBackward0", (t: Tensor) => linalg.vectorNorm(t)],
    ["LinalgVectorNormBackward0", (t: Tensor) => linalg.matrixNorm(t)],
    ["AmaxBackward0", (t: Tensor) => linalg.matrixNorm(t, 1)],
    ["NormBackward1", (t: Tensor) => t.norm(1, 0)],
  ])("%s", (name, f) => {
    const t = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    expect(f(t).gradFn?.name).toBe(name);
  });
});

describe("errors name the op and the values, as PyTorch's do", () => {
  it.each([
    [() => nb.mm(nb.ones([2, 3]), nb.ones([4, 5])), ShapeError, "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"],
    [() => nb.mm(nb.ones([2, 3, 1]), nb.ones([4, 5])), ShapeError, "mm: self must be a matrix, but got a 3-D tensor of shape [2, 3, 1]"],
    [() => nb.mm(nb.ones([2, 3]), nb.ones([3, 2], { dtype: "float64" })), DTypeError, "mm: expected both operands to have the same dtype, but got float32 and float64"],
    [() => nb.addmm(nb.ones([3]), nb.ones([2, 3]), nb.ones([4, 5])), ShapeError, "addmm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"],
    [() => nb.addmm(nb.ones([3]), nb.ones([2, 3]), nb.ones([3, 5])), ShapeError, "addmm: input of shape [3] cannot be broadcast to the product's shape [2, 5]"],
    [() => nb.bmm(nb.ones([2, 2, 3]), nb.ones([2, 4, 5])), ShapeError, "bmm: expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4]"],
    [() => nb.bmm(nb.ones([2, 3]), nb.ones([3, 3, 5])), ShapeError, "bmm: batch1 must be a 3D tensor, but got a 2-D tensor of shape [2, 3]"],
    [() => nb.mv(nb.ones([2, 3]), nb.ones([4])), ShapeError, "mv: size mismatch, got matrix 2x3 and vector 4"],
    [() => nb.dot(nb.ones([3]), nb.ones([4])), ShapeError, "dot: inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively"],
    [() => nb.dot(nb.ones([3, 1]), nb.ones([4])), ShapeError, "dot: 1D tensors expected, but got 2D and 1D tensors"],
    [() => nb.outer(nb.ones([3, 1]), nb.ones([4])), ShapeError, "outer: expected 1-D argument self, but got 2-D"],
    [() => nb.inner(nb.ones([2, 3]), nb.ones([4, 2])), ShapeError, "inner: the last dimension must match on both input tensors but got shapes [2, 3] and [4, 2]"],
    [() => nb.tensordot(nb.ones([2, 3, 4]), nb.ones([3, 4, 5]), 1), ShapeError, "tensordot: contracted dimensions need to match, but first has size 4 in dim 2 and second has size 3 in dim 0"],
    [() => nb.trace(nb.ones([2, 3, 4])), ShapeError, "trace: expected a matrix, but got tensor with dim 3"],
    [() => nb.einsum("ij,jk->ik", nb.ones([2, 3]), nb.ones([4, 5])), ShapeError, "einsum: subscript j has size 4 for operand 1, which does not broadcast with the size 3 seen before"],
    [() => nb.einsum("ij,jk->ik", nb.ones([2, 3])), ShapeError, "einsum: fewer operands were provided (1) than specified in the equation (2)"],
    [() => nb.einsum("ijk,jk->ik", nb.ones([2, 3]), nb.ones([3, 5])), ShapeError, "einsum: the number of subscripts in the equation (3) does not match the number of dimensions (2) for operand 0 and no ellipsis was given"],
    [() => nb.einsum("ii->i", nb.ones([2, 3])), ShapeError, "einsum: subscript i is repeated for operand 0 but the sizes don't match, 3 != 2"],
    [() => nb.einsum("ij,jk->iz", nb.ones([2, 3]), nb.ones([3, 5])), ShapeError, "einsum: output subscript z does not appear in the equation for any input operand"],
    [() => nb.einsum("ij,jk->ii", nb.ones([2, 3]), nb.ones([3, 5])), ShapeError, "einsum: output subscript i appears more than once in the output"],
    [() => nb.einsum("i1,jk->ik", nb.ones([2, 3]), nb.ones([3, 5])), ShapeError, "einsum: invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]"],
    [() => nb.einsum("i..,->...", nb.ones([2, 3, 4])), ShapeError, "einsum: found '.' for operand 0 that is not part of any ellipsis"],
    [() => nb.einsum("...i,...i", nb.ones([2, 3]), nb.ones([4, 3])), ShapeError, "einsum: dimension 0 covered by the ellipsis has size 4 for operand 1, which does not broadcast with the size 2 seen before"],
    [() => nb.einsum("ij,ij->", nb.ones([2, 3]), nb.ones([2, 3], { dtype: "float64" })), DTypeError, "einsum: expected all operands to have the same dtype, but got float32 and float64"],
    [() => nb.topk(nb.ones([2, 5]), 7, 1), ShapeError, "topk: k (7) is out of range for dimension 1 of size 5"],
    [() => nb.topk(nb.ones([5]), -1), ShapeError, "topk: k (-1) is out of range for dimension 0 of size 5"],
    [() => nb.kthvalue(nb.ones([3]), 4), ShapeError, "kthvalue: k (4) is out of range for dimension 0 of size 3"],
    [() => nb.median(nb.ones([2, 0]), 1), ShapeError, "median: expected reduction dim 1 to have non-zero size"],
    [() => nb.median(nb.ones([0])), ShapeError, "median: expected a non-empty tensor (the median of no values is undefined)"],
    [() => nb.sort(nb.ones([2, 3]), 2), ShapeError, "sort: dimension out of range (expected to be in range of [-2, 1], but got 2)"],
    [() => nb.logcumsumexp(i32([1, 2]), 0), DTypeError, "logcumsumexp: expected a floating point input (float32 or float64), got int32"],
    [() => nb.diff(tensor(1)), ShapeError, "diff: expects input to be at least one-dimensional"],
    [() => nb.diff(tensor([1, 2]), { prepend: tensor([[1]]) }), ShapeError, "diff: expects prepend to have the same number of dimensions as input (1), but got 2"],
    [() => nb.bincount(i32([1, -1, 3])), ShapeError, "bincount: only supports 1-d non-negative integral inputs, but got the value -1"],
    [() => nb.bincount(tensor([1, 2])), DTypeError, "bincount: only supports 1-d non-negative integral inputs (int32), but got a 1-d float32 tensor"],
    [() => nb.bincount(i32([1, 2]), tensor([1])), ShapeError, "bincount: weights should be 1-d and have the same length as input (2), but got shape [1]"],
    [() => nb.bincount(i32([1, 2]), { minlength: -1 }), OptionError, "bincount: minlength should be >= 0, but got -1"],
    [() => nb.histc(tensor([1, 2]), 0), OptionError, "histc: bins must be > 0, but got 0"],
    [() => nb.histc(tensor([1, 2]), 3, 3, 1), OptionError, "histc: max must be larger than min (got min 3, max 1)"],
    [() => nb.histc(tensor([1, Infinity]), 3), OptionError, "histc: range of [1, Infinity] is not finite"],
    [() => nb.histc(i32([1, 2]), 3), DTypeError, "histc: expected a floating point input (float32 or float64), got int32"],
    [() => nb.searchsorted(tensor([1, 2]), tensor([1]), { side: "left", right: true }), OptionError, "searchsorted: side and right can't be set to opposites, got side of left while right was true"],
    [() => nb.searchsorted(tensor([[1, 2], [2, 3]]), tensor([2, 0, 1])), ShapeError, "searchsorted: boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor [2, 2] and input value tensor [3]"],
    [() => nb.bucketize(tensor([1]), tensor([[1, 2]])), ShapeError, "bucketize: boundaries tensor must be 1 dimension, but got dim(2)"],
    [() => linalg.vectorNorm(i32([1, 2])), DTypeError, "linalg.vectorNorm: expected a floating point tensor as input, got int32"],
    [() => linalg.vectorNorm(nb.ones([0]), Infinity), ShapeError, "linalg.vectorNorm: cannot compute the inf norm on an empty tensor because the operation does not have an identity"],
    [() => linalg.matrixNorm(nb.ones([3])), ShapeError, "linalg.matrixNorm: the input tensor A must have at least 2 dimensions, but got 1"],
    [() => linalg.matrixNorm(nb.ones([2, 2]), 3), OptionError, "linalg.matrixNorm: order 3 not supported (use 'fro', 'nuc', 1, -1, 2, -2, Infinity or -Infinity)"],
    [() => linalg.norm(nb.ones([2, 2, 2]), 1), ShapeError, "linalg.norm: if dim is not specified but ord is, the input must be 1D or 2D, but got 3D"],
    [() => nb.norm(nb.ones([2, 2]), "max" as never), OptionError, "norm: only valid string values are 'fro' and 'nuc', found 'max'"],
  ] as const)("%#: %s", (fn, type, message) => {
    const e = errorOf(fn);
    expect(e.message).toBe(message);
    expect(e).toBeInstanceOf(type);
  });
});

describe("behaviour", () => {
  it("sorts NaN as the largest value and keeps equal values in input order when stable", () => {
    const t = tensor([2, NaN, 1, 2, -Infinity, 2]);
    expect(values(t.sort().values)).toEqual([-Infinity, 1, 2, 2, 2, NaN]);
    expect(values(t.sort({ descending: true, stable: true }).indices)).toEqual([1, 0, 3, 5, 2, 4]);
    expect(values(t.sort({ stable: true }).indices)).toEqual([4, 2, 0, 3, 5, 1]);
  });

  it("works on strided views, 0-d and empty tensors", () => {
    const base = tensor([[4, 1], [3, 9], [0, 2]]);
    const view = base.t(); // [[4, 3, 0], [1, 9, 2]], not contiguous
    expect(values(view.sort(1).values)).toEqual([0, 3, 4, 1, 2, 9]);
    expect(values(view.cumsum(1))).toEqual([4, 7, 7, 1, 10, 12]);
    expect(values(view.topk(1).indices)).toEqual([0, 1]);
    expect(values(base.slice(0, 0, 3, 2).median(0).values)).toEqual([0, 1]);
    const s = tensor(3);
    expect(s.sort().values.shape).toEqual([]);
    expect(s.kthvalue(1).values.item()).toBe(3);
    expect(s.cumsum(0).item()).toBe(3);
    expect(nb.sort(nb.ones([0])).values.shape).toEqual([0]);
    expect(nb.topk(nb.ones([2, 3]), 0).values.shape).toEqual([2, 0]);
    expect(nb.cumsum(nb.ones([2, 0]), 1).shape).toEqual([2, 0]);
    expect(nb.unique(nb.ones([0])).shape).toEqual([0]);
  });

  it("gives the gradient of tied medians to every tied element, evenly", () => {
    const t = tensor([1, 2, 2, 2, 5], { requiresGrad: true });
    t.median().backward();
    const third = Math.fround(1 / 3);
    expect(values(t.grad!)).toEqual([0, third, third, third, 0]);
  });

  it("gives the gradient of a vector norm at 0 as 0 (a subgradient), as PyTorch", () => {
    for (const ord of [2, 1, 3, 0.5, Infinity]) {
      const t = tensor([0, 0, 0], { requiresGrad: true });
      linalg.vectorNorm(t, ord).backward();
      expect(values(t.grad!), `ord ${ord}`).toEqual([0, 0, 0]);
    }
  });

  it("counts dtypes as PyTorch: int32 sums, float weights, histograms in the input's dtype", () => {
    expect(nb.cumsum(tensor([true, true, false]), 0).dtype).toBe("int32");
    expect(nb.cumsum(i32([1, 2]), 0, { dtype: "float64" }).dtype).toBe("float64");
    expect(nb.bincount(i32([0, 2])).dtype).toBe("int32");
    expect(nb.bincount(i32([0, 2]), tensor([0.5, 1])).dtype).toBe("float32");
    expect(nb.bincount(i32([0, 2]), i32([1, 1])).dtype).toBe("float64");
    expect(nb.histc(tensor([1, 2], { dtype: "float64" }), 2).dtype).toBe("float64");
    expect(nb.searchsorted(tensor([1, 2]), 1.5).shape).toEqual([]);
  });

  it("leaves NaNs out of histc (PyTorch 1.13 counts them into the first bin)", () => {
    expect(values(nb.histc(tensor([NaN, NaN, 5]), 3, 0, 6))).toEqual([0, 0, 1]);
  });

  it("returns unique values sorted even with sorted: false (PyTorch's CPU returns hash order)", () => {
    expect(values(nb.unique(tensor([3, 1, 2, 1]), false))).toEqual([1, 2, 3]);
    expect(values(nb.unique(tensor([NaN, 1, NaN]), { returnCounts: true })[1])).toEqual([1, 1, 1]);
  });

  it("einsum takes its operands as arguments or as one array, with spaces in the equation", () => {
    const a = nb.randn([2, 3]);
    const b = nb.randn([3, 4]);
    expect(values(nb.einsum(" ij , jk -> ik ", [a, b]))).toEqual(values(nb.einsum("ij,jk->ik", a, b)));
    expect(nb.einsum("i...->...", nb.ones([3, 2, 4])).shape).toEqual([2, 4]);
  });
});
