/**
 * The shape/indexing/mask surface beyond the PyTorch fixtures: Tensor methods delegate to the
 * functions, views share storage (PyTorch's views are views here too), the in-place forms,
 * Tensor.data and the new* / typeAs / viewAs members, and the errors (type, op, argument, value).
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { DTypeError, noGrad, OptionError, ShapeError, sl, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { errorOf, expectClose, values } from "./helpers.js";

const int = (v: nb.NestedArray) => tensor(v, { dtype: "int32" });
const grid = () => nb.arange(12).reshape(3, 4).float();

describe("Tensor methods delegate to the functions", () => {
  const x = nb.arange(24).reshape(2, 3, 4).float();
  const cases: [string, () => Tensor | Tensor[], () => Tensor | Tensor[]][] = [
    ["split", () => x.split([1, 2], 1), () => nb.split(x, [1, 2], 1)],
    ["chunk", () => x.chunk(2, 2), () => nb.chunk(x, 2, 2)],
    ["unbind", () => x.unbind(2), () => nb.unbind(x, 2)],
    ["tensorSplit", () => x.tensorSplit(3, 2), () => nb.tensorSplit(x, 3, 2)],
    ["repeat (variadic)", () => x.repeat(1, 2, 1), () => nb.repeat(x, [1, 2, 1])],
    ["tile", () => x.tile(2, 1), () => nb.tile(x, [2, 1])],
    ["repeatInterleave", () => x.repeatInterleave(int([1, 2]), { dim: 0 }), () => nb.repeatInterleave(x, int([1, 2]), { dim: 0 })],
    ["flip (variadic)", () => x.flip(0, 2), () => nb.flip(x, [0, 2])],
    ["roll", () => x.roll(1, 1), () => nb.roll(x, 1, 1)],
    ["diag", () => grid().diag(1), () => nb.diag(grid(), 1)],
    ["diagonal", () => x.diagonal(0, 1, 2), () => nb.diagonal(x, 0, 1, 2)],
    ["diagEmbed", () => x.diagEmbed(), () => nb.diagEmbed(x)],
    ["tril / triu", () => [x.tril(1), x.triu(-1)], () => [nb.tril(x, 1), nb.triu(x, -1)]],
    ["maskedFill / maskedSelect", () => [x.maskedFill(x.gt(5), 0), x.maskedSelect(x.gt(20))], () => [nb.maskedFill(x, x.gt(5), 0), nb.maskedSelect(x, x.gt(20))]],
    ["nonzero", () => [x.gt(20).nonzero(), ...x.gt(20).nonzero({ asTuple: true })], () => [nb.nonzero(x.gt(20)), ...nb.nonzero(x.gt(20), { asTuple: true })]],
    ["any / all", () => [x.any(), x.all(1, { keepdim: true }), x.any(0, true)], () => [nb.any(x), nb.all(x, 1, { keepdim: true }), nb.any(x, 0, { keepdim: true })]],
    ["isnan … nanToNum", () => [x.isnan(), x.isinf(), x.isposinf(), x.isneginf(), x.nanToNum()], () => [nb.isnan(x), nb.isinf(x), nb.isposinf(x), nb.isneginf(x), nb.nanToNum(x)]],
    ["clamp", () => [x.clamp(2, 5), x.clamp({ min: 3 }), x.clamp(null, tensor([1, 2, 3, 4]))], () => [nb.clamp(x, { min: 2, max: 5 }), nb.clamp(x, 3), nb.clamp(x, undefined, tensor([1, 2, 3, 4]))]],
    ["index / indexPut", () => [x.index([1, sl(null, null, 2)]), x.indexPut([int([0])], 1)], () => [nb.index(x, [1, sl(null, null, 2)]), nb.indexPut(x, [int([0])], 1)]],
    ["indexAdd / indexCopy / indexFill", () => [x.indexAdd(0, int([1]), x.index([sl(0, 1)])), x.indexCopy(2, int([0]), x.index(["...", sl(3)])), x.indexFill(1, int([2]), -1)], () => [nb.indexAdd(x, 0, int([1]), x.index([sl(0, 1)])), nb.indexCopy(x, 2, int([0]), x.index(["...", sl(3)])), nb.indexFill(x, 1, int([2]), -1)]],
    ["scatter family", () => [x.scatter(0, int([[[1]]]), 5), x.scatterAdd(2, int([[[0, 0]]]), x), x.scatterReduce(1, int([[[2]]]), x, "amin")], () => [nb.scatter(x, 0, int([[[1]]]), 5), nb.scatterAdd(x, 2, int([[[0, 0]]]), x), nb.scatterReduce(x, 1, int([[[2]]]), x, "amin")]],
  ];
  it.each(cases)("%s", (_name, method, fn) => {
    const a = [method()].flat();
    const b = [fn()].flat();
    expect(a.length).toBe(b.length);
    a.forEach((t, i) => expectClose(t, b[i]!));
  });
});

describe("views share storage, as PyTorch's do", () => {
  it("split, chunk, unbind, tensorSplit, diagonal and basic indexing are views", () => {
    const x = grid();
    const pieces = [x.split(2, 1)[1]!, x.chunk(3)[2]!, x.unbind(1)[3]!, x.tensorSplit([1])[1]!, x.diagonal(1), x.index([sl(1), 2])];
    for (const p of pieces) expect(p.storage).toBe(x.storage);
    noGrad(() => x.diagonal().fill_(-1));
    expect(values(x.diagonal())).toEqual([-1, -1, -1]);
  });

  it("flip, roll, repeat, tril and advanced indexing copy, as PyTorch", () => {
    const x = grid();
    for (const p of [x.flip(0), x.roll(1), x.repeat(1, 1), x.tril(), x.index([int([0])]), x.index([tensor(1, { dtype: "int32" })])]) {
      expect(p.storage).not.toBe(x.storage);
    }
  });

  it("a plain object is a slice too, and nested arrays are index tensors or masks", () => {
    const x = grid();
    expectClose(x.index([{ start: 1 }, { stop: 2 }]), x.index([sl(1), sl(null, 2)]));
    expectClose(x.index([[2, 0]]), x.index([int([2, 0])]));
    expectClose(x.index([[true, false, true]]), x.index([int([0, 2])]));
  });
});

describe("in-place forms", () => {
  it("write into the tensor and bump its version", () => {
    const x = grid();
    const version = x.storage.version;
    x.indexPut_([int([0, 2]), 1], tensor([7, 8]));
    x.maskedFill_(x.eq(0), -5);
    x.indexAdd_(1, int([3]), nb.ones([3, 1]));
    x.scatter_(0, int([[1]]), 100);
    expect(x.toArray()).toEqual([[-5, 7, 2, 4], [100, 5, 6, 8], [8, 8, 10, 12]]);
    expect(x.storage.version).toBe(version + 4);
    x.indexPut_([sl(), 0], 1, { accumulate: true });
    expect(values(x.index([sl(), 0]))).toEqual([-4, 101, 9]);
  });

  it("keep the tensor's shape and are refused on a tensor that requires grad", () => {
    const x = grid();
    expect(errorOf(() => x.maskedFill_(nb.ones([2, 3, 4]).gt(0), 1)).message).toBe(
      "maskedFill_: output with shape [3, 4] doesn't match the broadcast shape [2, 3, 4]",
    );
    const w = grid().requiresGrad_();
    expect(() => w.indexFill_(0, int([0]), 1)).toThrow(/leaf tensor that requires grad/);
    noGrad(() => w.indexFill_(0, int([0]), 1));
    expect(values(w.index([0]))).toEqual([1, 1, 1, 1]);
  });
});

describe("Tensor.data, viewAs, new*, typeAs", () => {
  it("data is the same storage outside autograd: writes through it are not recorded", () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const d = w.data;
    expect(d.storage).toBe(w.storage);
    expect(d.requiresGrad).toBe(false);
    d.mul_(2); // allowed: data does not require grad
    expect(values(w)).toEqual([2, 4, 6]);
    expect(w.requiresGrad).toBe(true);
    w.mul(3).sum().backward();
    expect(values(w.grad!)).toEqual([3, 3, 3]);
  });

  it("p.data = t gives p t's values and keeps p itself", () => {
    const p = new nb.nn.Parameter(nb.zeros([2]));
    const optimizer = new nb.optim.SGD([p], { lr: 1 });
    p.data = tensor([[1, 2], [3, 4]], { dtype: "float64" });
    expect(p.shape).toEqual([2, 2]);
    expect(p.dtype).toBe("float64");
    expect(p.requiresGrad).toBe(true);
    p.sum().backward();
    optimizer.step();
    expect(p.toArray()).toEqual([[0, 1], [2, 3]]);
    expect(() => (p.data = int([1, 2]))).toThrow(DTypeError);
  });

  it("viewAs, newZeros, newOnes, newFull, newEmpty, newTensor and typeAs", () => {
    const x = tensor([1, 2, 3, 4, 5, 6], { dtype: "float64" });
    expect(x.viewAs(nb.zeros([2, 3])).shape).toEqual([2, 3]);
    expect(x.viewAs(nb.zeros([2, 3])).storage).toBe(x.storage);
    const z = x.newZeros([2, 2]);
    expect([z.dtype, values(z)]).toEqual(["float64", [0, 0, 0, 0]]);
    expect(x.newOnes(3, { dtype: "int32" }).dtype).toBe("int32");
    expect(values(x.newFull([2], 7))).toEqual([7, 7]);
    expect(x.newEmpty([1, 2]).shape).toEqual([1, 2]);
    const n = x.newTensor([1, 2], { requiresGrad: true });
    expect([n.dtype, n.requiresGrad]).toEqual(["float64", true]);
    const copied = x.newTensor(x);
    expect(copied.storage).not.toBe(x.storage);
    expect(int([1, 2]).typeAs(x).dtype).toBe("float64");
  });
});

describe("errors name the op, the argument and the value", () => {
  const x = grid();
  const cases: [string, () => unknown, new (...a: never[]) => Error, string][] = [
    ["split sizes", () => x.split([1, 1]), ShapeError, "split: split_with_sizes expects split_sizes to sum exactly to 3 (input tensor's size at dimension 0), but got split_sizes=[1, 1]"],
    ["split 0", () => x.split(0), OptionError, "split: split_size can only be 0 if dimension size is 0, but got dimension size of 3"],
    ["chunk 0", () => x.chunk(0), OptionError, "chunk: expects `chunks` to be greater than 0, got: 0"],
    ["tensorSplit 0", () => x.tensorSplit(0), OptionError, "tensorSplit: number of sections must be larger than 0, got 0"],
    ["unbind 0-d", () => tensor(1).unbind(), ShapeError, "unbind: dimension specified as 0 but tensor has no dimensions"],
    ["repeat too few", () => x.repeat(2), ShapeError, "repeat: number of dimensions of repeat dims (1) can not be smaller than number of dimensions of tensor (2)"],
    ["repeat negative", () => x.repeat(1, -1), OptionError, "repeat: repeats must be non-negative integers, got [1, -1]"],
    ["repeatInterleave size", () => x.repeatInterleave(int([1, 2]), { dim: 0 }), ShapeError, "repeatInterleave: repeats must have the same size as input along dim: got 2 repeats for a dim of size 3"],
    ["repeatInterleave float", () => x.repeatInterleave(tensor([1, 2, 3]), { dim: 0 }), DTypeError, "repeatInterleave: expected repeats to be an int32 tensor, got float32"],
    ["flip twice", () => x.flip(0, 0), ShapeError, "flip: dim 0 appears multiple times in the list of dims"],
    ["roll align", () => x.roll([1, 2], 0), OptionError, "roll: shifts and dimensions must align. shifts: 2, dims: 1"],
    ["diagonal same dims", () => x.diagonal(0, 1, 1), ShapeError, "diagonal: diagonal dimensions cannot be identical 1, 1"],
    ["diag 3-d", () => nb.zeros([2, 2, 2]).diag(), ShapeError, "diag: expected a 1-d or 2-d tensor, got shape [2, 2, 2]"],
    ["tril 1-d", () => tensor([1, 2]).tril(), ShapeError, "tril: input tensor must have at least 2 dimensions, got shape [2]"],
    ["maskedFill float mask", () => x.maskedFill(x, 1), DTypeError, "maskedFill: expected mask to be a bool tensor, got float32 (make it with a comparison, e.g. x.gt(0))"],
    ["maskedFill 1-d value", () => x.maskedFill(x.gt(1), tensor([1])), ShapeError, "maskedFill: only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s)"],
    ["clamp no bound", () => nb.clamp(x, null, null), OptionError, "clamp: at least one of 'min' or 'max' must be given"],
    ["index too many", () => x.index([0, 0, 0]), ShapeError, "index: too many indices for tensor of dimension 2 (got 3)"],
    ["index out of range", () => x.index([5]), ShapeError, "index: index 5 is out of bounds for dimension 0 with size 3"],
    ["index tensor out of range", () => x.index([sl(), int([4])]), ShapeError, "index: index 4 is out of bounds for dimension 1 with size 4"],
    ["index float tensor", () => x.index([tensor([0])]), DTypeError, 'index: tensors used as indices must be int32 or bool tensors, got float32 at position 0 (make them with { dtype: "int32" })'],
    ["index mask shape", () => x.index([sl(), tensor([true, false])]), ShapeError, "index: the shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3, 4] at index 1"],
    ["index broadcast", () => x.index([int([0, 1]), int([0, 1, 2])]), ShapeError, "index: shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]"],
    ["index two ellipses", () => x.index(["...", "..."]), OptionError, 'index: an index can only have a single ellipsis ("...")'],
    ["index step", () => x.index([sl(null, null, -1)]), OptionError, "index: slice step must be greater than zero, got -1"],
    ["index item", () => x.index([{ start: 0.5 }]), OptionError, "index: slice start must be an integer or null, got 0.5"],
    ["indexPut values", () => x.indexPut([int([0, 1])], nb.ones([3, 4])), ShapeError, "indexPut: shape mismatch: value tensor of shape [3, 4] cannot be broadcast to indexing result of shape [2, 4]"],
    ["indexAdd count", () => x.indexAdd(0, int([0, 1]), nb.ones([1, 4])), ShapeError, "indexAdd: number of indices (2) should be equal to source.size(dim) (1), for dim: 0"],
    ["indexAdd range", () => x.indexAdd(0, int([-1]), nb.ones([1, 4])), ShapeError, "indexAdd: index -1 is out of bounds for dimension 0 with size 3"],
    ["indexCopy dtype", () => x.indexCopy(0, int([0]), nb.ones([1, 4], { dtype: "float64" })), DTypeError, "indexCopy: self (float32) and source (float64) must have the same dtype"],
    ["indexFill 2-d index", () => x.indexFill(0, int([[0]]), 1), ShapeError, "indexFill: index is supposed to be a vector, but got shape [1, 1]"],
    ["gather bigger index", () => x.gather(0, nb.zeros([2, 5], { dtype: "int32" })), ShapeError, "gather: size does not match: expected index [2, 5] to be smaller than self [3, 4] apart from dimension 0"],
    ["scatter src smaller", () => x.scatter(0, nb.zeros([2, 3], { dtype: "int32" }), nb.ones([1, 3])), ShapeError, "scatter: expected index [2, 3] to be smaller than self [3, 4] apart from dimension 0 and to be smaller size than src [1, 3]"],
    ["scatter out of range", () => x.scatter(1, int([[4]]), 0), ShapeError, "scatter: index 4 is out of bounds for dimension 1 with size 4"],
    ["scatter reduce name", () => x.scatter(1, int([[0]]), 0, { reduce: "mean" as never }), OptionError, 'scatter: reduce argument must be either "add" or "multiply", got "mean"'],
    ["scatterReduce name", () => x.scatterReduce(1, int([[0]]), x, "max" as never), OptionError, 'scatterReduce: reduce argument must be either sum, prod, mean, amax or amin, got "max"'],
    ["scatterAdd dtype", () => x.scatterAdd(1, int([[0]]), x.double()), DTypeError, "scatterAdd: expected self.dtype (float32) to be equal to src.dtype (float64)"],
  ];
  it.each(cases)("%s", (_name, fn, type, message) => {
    const error = errorOf(fn);
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(message);
  });

  it("scatter with reduce has no derivative, as in PyTorch", () => {
    const w = grid().requiresGrad_();
    const y = w.scatter(0, int([[0]]), 2, { reduce: "multiply" });
    expect(() => y.sum().backward()).toThrow('scatter: the derivative of scatter with reduce="multiply" is not implemented (as in PyTorch); use scatterReduce, which has one');
  });
});
