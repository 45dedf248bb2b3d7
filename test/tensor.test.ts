/**
 * Tensor semantics: autograd bookkeeping, views and storage, creation functions, seeded random
 * draws, dtype promotion, reading values, joining, and the tie rules of max/min.
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { DTypeError, ShapeError, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { expectClose, values } from "./helpers.js";

const f32 = (data: nb.NestedArray, requiresGrad = false) => tensor(data, { dtype: "float32", requiresGrad });
const f64 = (data: nb.NestedArray, requiresGrad = false) => tensor(data, { dtype: "float64", requiresGrad });
const i32 = (data: nb.NestedArray) => tensor(data, { dtype: "int32" });

describe("autograd", () => {
  it("accumulates gradients over two backward calls", () => {
    const x = f32([1, 2, 3], true);
    const y = x.mul(x).sum();
    y.backward(undefined, { retainGraph: true });
    expect(values(x.grad!)).toEqual([2, 4, 6]);
    y.backward();
    expect(values(x.grad!)).toEqual([4, 8, 12]);
    // a fresh graph adds to the same .grad
    x.mul(3).sum().backward();
    expect(values(x.grad!)).toEqual([7, 11, 15]);
    expect(x.grad!.dtype).toBe("float32");
    expect(x.grad!.requiresGrad).toBe(false);
  });

  it("refuses a second backward through a freed graph, and allows it with retainGraph", () => {
    const x = f32([1, 2], true);
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/backward through the graph a second time.*retainGraph/s);

    const z = x.exp().sum();
    z.backward(undefined, { retainGraph: true });
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect(() => z.backward()).toThrow(/second time/);
  });

  it("detach shares storage but cuts the graph", () => {
    const x = f32([1, 2], true);
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(d.storage).toBe(x.storage);
    const y = x.mul(d).sum(); // d is a constant: dy/dx = d
    y.backward();
    expect(values(x.grad!)).toEqual([1, 2]);
    // a detached non-leaf is a leaf
    expect(x.mul(2).detach().isLeaf).toBe(true);
  });

  it("noGrad and enableGrad nest and restore the mode, also after a throw", () => {
    const seen: boolean[] = [];
    expect(nb.isGradEnabled()).toBe(true);
    const result = nb.noGrad(() => {
      seen.push(nb.isGradEnabled());
      nb.enableGrad(() => {
        seen.push(nb.isGradEnabled());
        nb.noGrad(() => seen.push(nb.isGradEnabled()));
        seen.push(nb.isGradEnabled());
      });
      seen.push(nb.isGradEnabled());
      return 42;
    });
    expect(result).toBe(42);
    expect(seen).toEqual([false, true, false, true, false]);
    expect(() =>
      nb.noGrad(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(nb.isGradEnabled()).toBe(true);

    const x = f32([1, 2], true);
    expect(nb.noGrad(() => x.mul(2)).requiresGrad).toBe(false);
    expect(nb.noGrad(() => nb.enableGrad(() => x.mul(2))).gradFn).not.toBeNull();
    nb.setGradEnabled(false);
    try {
      expect(x.add(1).requiresGrad).toBe(false);
    } finally {
      nb.setGradEnabled(true);
    }
  });

  it("only floating point leaves can require grad", () => {
    expect(() => tensor([1, 2], { dtype: "int32" }).requiresGrad_()).toThrow(DTypeError);
    expect(() => {
      tensor([true]).requiresGrad = true;
    }).toThrow(/only tensors of floating point dtype can require gradients, got bool/);
    expect(() => tensor([1, 2], { dtype: "int32", requiresGrad: true })).toThrow(DTypeError);
    expect(tensor([1, 2], { requiresGrad: true }).requiresGrad).toBe(true); // numbers are float32
    expect(nb.full([], 0, { requiresGrad: true }).dtype).toBe("float32");
    expect(() => nb.zeros([2], { dtype: "int32", requiresGrad: true })).toThrow(DTypeError);
    const y = f32([1], true).mul(2);
    expect(() => {
      y.requiresGrad = false;
    }).toThrow(/only change the requiresGrad flag of leaf tensors/);
  });

  it("backward of a non-scalar needs a gradient of the output's shape", () => {
    const x = f32([[1, 2, 3], [4, 5, 6]], true);
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(ShapeError);
    expect(() => y.backward()).toThrow(/grad can be implicitly created only for scalar outputs \(got shape \[2, 3\]\)/);
    expect(() => y.backward(nb.ones([3, 2]))).toThrow(/mismatch in shape: grad_output has shape \[3, 2\] and output has shape \[2, 3\]/);
    expect(() => y.backward(nb.ones([6]))).toThrow(ShapeError);
    y.backward(f32([[1, 0, 0], [0, 0, 1]]));
    expect(values(x.grad!)).toEqual([2, 0, 0, 0, 0, 2]);
    expect(() => nb.zeros([2]).sum().backward()).toThrow(/does not require grad/);
  });

  it("reduces broadcast gradients to each input's shape", () => {
    const a = f32([[1, 2, 3], [4, 5, 6]], true);
    const b = f32([10, 20, 30], true);
    const c = f32(2, true);
    a.mul(b).add(c).sum().backward();
    expect(b.grad!.shape).toEqual([3]);
    expect(values(b.grad!)).toEqual([5, 7, 9]);
    expect(values(a.grad!)).toEqual([10, 20, 30, 10, 20, 30]);
    expect(c.grad!.shape).toEqual([]);
    expect(c.grad!.item()).toBe(6);

    const p = f64([[[1, 2, 3, 4]], [[5, 6, 7, 8]]], true); // [2, 1, 4]
    const q = f64([[1], [2], [3]], true); // [3, 1]
    p.mul(q).sum().backward();
    expect(p.grad!.shape).toEqual([2, 1, 4]);
    expect(values(p.grad!)).toEqual(Array(8).fill(6));
    expect(q.grad!.shape).toEqual([3, 1]);
    expect(values(q.grad!)).toEqual([36, 36, 36]);
  });

  it("gives a leaf a gradient of its own dtype, also when it meets a float64 tensor", () => {
    const x = f32([1, 2], true);
    const y = x.mul(f64([3, 4])).sum();
    expect(y.dtype).toBe("float64");
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(x.grad!.dtype).toBe("float32");
    expect(values(x.grad!)).toEqual([6, 8]);
  });

  it("adds up gradients along every path (diamond graphs)", () => {
    const x = f64([2, 3], true);
    const a = x.mul(3);
    const b = x.exp();
    a.mul(b).add(a).sum().backward(); // d/dx (3x·eˣ + 3x) = 3eˣ + 3x·eˣ + 3
    expectClose(x.grad, f64([2, 3]).exp().mul(3).add(f64([2, 3]).mul(3).mul(f64([2, 3]).exp())).add(3));
  });

  it("keeps .grad of a non-leaf only with retainGrad", () => {
    const x = f32([1, 2], true);
    const y = x.mul(2).retainGrad();
    const z = x.mul(3);
    y.add(z).mul(y).sum().backward();
    expect(values(y.grad!)).toEqual([2 * 2 + 3, 2 * 4 + 6]); // d/dy (y+z)y = 2y + z
    expect(z.grad).toBeNull();
    expect(y.isLeaf).toBe(false);
  });

  it("records the backward pass with createGraph, for second derivatives", () => {
    const x = f64([2, -1], true);
    x.pow(3).sum().backward(undefined, { createGraph: true });
    const dx = x.grad!;
    expect(values(dx)).toEqual([12, 3]); // 3x²
    expect(dx.requiresGrad).toBe(true);
    x.grad = null;
    dx.sum().backward();
    expect(values(x.grad!)).toEqual([12, -6]); // 6x
  });

  it("never lets a .grad share storage with another .grad, the caller's gradient or a retained gradient", () => {
    // add passes its upstream gradient to both inputs: each leaf must get its own copy
    const x = f32([1, 2], true);
    const y = f32([3, 4], true);
    const z = x.add(y);
    z.retainGrad();
    const seed = f32([1, 1]);
    z.backward(seed);
    nb.noGrad(() => x.grad!.mul_(10));
    expect(values(y.grad!)).toEqual([1, 1]);
    expect(values(z.grad!)).toEqual([1, 1]);
    expect(values(seed)).toEqual([1, 1]);
    // the same, where the passed-through gradient was made during backward (relu's)
    const p = f32([1, 2], true);
    const q = f32([3, 4], true);
    p.add(q).relu().sum().backward();
    nb.noGrad(() => p.grad!.mul_(10));
    expect(values(q.grad!)).toEqual([1, 1]);
    // a leaf given the caller's gradient through a view (reshape's backward passes a view)
    const w = f32([1, 2, 3, 4], true);
    const g = f32([[1, 2], [3, 4]]);
    w.reshape(2, 2).backward(g);
    nb.noGrad(() => g.mul_(0));
    expect(values(w.grad!)).toEqual([1, 2, 3, 4]);
    // a gradient made during backward (relu's) is taken as it is and stays correct afterwards
    const v = f32([-1, 2], true);
    v.relu().backward(f32([5, 6]));
    expect(values(v.grad!)).toEqual([0, 6]);
    v.relu().backward(f32([1, 1]));
    expect(values(v.grad!)).toEqual([0, 7]);
  });

  it("refuses to backward through a value changed in place since its op ran (PyTorch's version counter)", () => {
    // in-place ops are not recorded, so one on a tensor that requires grad is refused outright
    const x = f32([0.5, -1], true);
    const y = x.sigmoid();
    expect(() => y.mul_(2)).toThrow(/mul_: in-place operations on a tensor that requires grad are not recorded by autograd; use the out-of-place op/);
    // under noGrad it is allowed, but sigmoid kept its output for the gradient: backward refuses
    nb.noGrad(() => y.mul_(2));
    expect(() => y.sum().backward()).toThrow(
      /one of the variables needed for gradient computation has been modified by an inplace operation: \[float32 \[2\]\], saved by SigmoidBackward0, is at version 1; expected version 0 instead/,
    );
    // an optimizer step between forward and backward changes a weight that matmul kept
    const w = f32([[1, 2], [3, 4]], true);
    const out = f32([[1, 1]]).matmul(w).mul(f32([[1, 1]], true));
    w.grad = f32([[1, 1], [1, 1]]);
    new nb.optim.SGD([w], { lr: 0.1 }).step();
    const loss = out.sum();
    expect(() => loss.backward()).not.toThrow(); // matmul's gradient for w needs the input, not w
    const z = f32([[1, 2]], true).matmul(w);
    nb.noGrad(() => w.add_(1));
    expect(() => z.sum().backward()).toThrow(/modified by an inplace operation: \[float32 \[2, 2\]\], saved by MmBackward0/);
    // what a gradient does not need may change: x·2 keeps only the 2
    const v = f32([1, 2], true);
    const twice = v.mul(2);
    nb.noGrad(() => v.add_(1));
    twice.sum().backward();
    expect(values(v.grad!)).toEqual([2, 2]);
  });

  it("refuses in-place changes to a leaf that requires grad unless under noGrad", () => {
    const w = f32([1, 2], true);
    expect(() => w.fill_(0)).toThrow(/fill_: a leaf tensor that requires grad is being used in an in-place operation/);
    nb.noGrad(() => w.sub_(f32([1, 1])));
    expect(values(w)).toEqual([0, 1]);
  });
});

describe("views share storage", () => {
  const base = () => nb.arange(6, undefined, 1, { dtype: "float32" }).reshape(2, 3);

  it("transpose, permute, slice, narrow, select, expand, view and unsqueeze copy nothing", () => {
    const b = base();
    const views = [
      b.t(),
      b.permute(1, 0),
      b.slice(1, 0, 3, 2),
      b.narrow(0, 1, 1),
      b.select(1, 2),
      b.select(0, 0).expand(4, 3),
      b.view(3, 2),
      b.unsqueeze(0),
      b.flatten(),
    ];
    for (const v of views) expect(v.storage).toBe(b.storage);
    expect(b.t().isContiguous()).toBe(false);
    expect(b.select(0, 0).expand(4, 3).stride()).toEqual([0, 1]);
    expect(b.slice(1, 0, 3, 2).stride()).toEqual([3, 2]);
  });

  it("writes through one view show in the base and in every other view", () => {
    const b = base();
    const t = b.t();
    const everyOther = b.slice(1, 0, 3, 2);
    const row = b.select(0, 1);
    const wide = b.select(0, 0).expand(2, 3);
    nb.noGrad(() => everyOther.fill_(-1));
    expect(b.toArray()).toEqual([
      [-1, 1, -1],
      [-1, 4, -1],
    ]);
    expect(t.toArray()).toEqual([
      [-1, -1],
      [1, 4],
      [-1, -1],
    ]);
    nb.noGrad(() => row.copy_(f32([7, 8, 9])));
    expect(values(b)).toEqual([-1, 1, -1, 7, 8, 9]);
    expect(values(t)).toEqual([-1, 7, 1, 8, -1, 9]);
    nb.noGrad(() => b.select(0, 0).fill_(5));
    expect(wide.toArray()).toEqual([
      [5, 5, 5],
      [5, 5, 5],
    ]);
    // copy_ broadcasts and casts
    nb.noGrad(() => t.copy_(tensor([1, 2])));
    expect(values(b)).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it("contiguous copies only a non-contiguous tensor", () => {
    const b = base();
    expect(b.contiguous()).toBe(b);
    const t = b.t();
    const c = t.contiguous();
    expect(c.isContiguous()).toBe(true);
    expect(c.storage).not.toBe(b.storage);
    expect(c.stride()).toEqual([2, 1]);
    expect(c.toArray()).toEqual(t.toArray());
  });

  it("view needs a compatible layout; reshape copies when it must", () => {
    const b = base();
    const t = b.t();
    expect(() => t.view(6)).toThrow(ShapeError);
    expect(() => t.view(6)).toThrow(/view size is not compatible with input tensor's size and stride.*Use reshape instead/);
    const r = t.reshape(6);
    expect(r.storage).not.toBe(b.storage);
    expect(values(r)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(b.reshape(3, 2).storage).toBe(b.storage); // contiguous: a view
    expect(b.reshape(-1, 2).shape).toEqual([3, 2]);
    // a non-contiguous tensor can still be viewed when no dim spans two chunks
    expect(t.view(3, 1, 2).storage).toBe(b.storage);
    expect(t.view(3, 1, 2).toArray()).toEqual([[[0, 3]], [[1, 4]], [[2, 5]]]);
  });
});

describe("creation", () => {
  it("zeros, ones and full", () => {
    const z = nb.zeros([2, 3]);
    expect([z.dtype, z.shape]).toEqual(["float32", [2, 3]]);
    expect(values(z)).toEqual(Array(6).fill(0));
    expect(nb.zeros(4).shape).toEqual([4]);
    expect(nb.zeros([]).shape).toEqual([]);
    expect(nb.ones([2], { dtype: "int32" }).dtype).toBe("int32");
    expect(values(nb.ones([2, 2]))).toEqual([1, 1, 1, 1]);
    // numbers are floating by default (JavaScript cannot tell 3.0 from 3); a boolean gives bool
    expect(nb.full([2], 3).dtype).toBe("float32");
    expect(nb.full([2], 3.5).dtype).toBe("float32");
    expect(nb.full([2], true).dtype).toBe("bool");
    expect(nb.full([2], 3, { dtype: "float64" }).dtype).toBe("float64");
    expect(values(nb.full([2, 2], -1.5))).toEqual([-1.5, -1.5, -1.5, -1.5]);
  });

  it("arange with integer and float arguments", () => {
    const a = nb.arange(5);
    expect(a.dtype).toBe("int32");
    expect(values(a)).toEqual([0, 1, 2, 3, 4]);
    expect(values(nb.arange(2, 8, 3))).toEqual([2, 5]);
    expect(values(nb.arange(5, 0, -2))).toEqual([5, 3, 1]);
    const f = nb.arange(0, 1, 0.25);
    expect(f.dtype).toBe("float32");
    expect(values(f)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(nb.arange(0, 1, 0.1).numel()).toBe(10);
    expect(nb.arange(3, undefined, 1, { dtype: "float64" }).dtype).toBe("float64");
  });

  it("linspace hits both endpoints exactly", () => {
    for (const [start, end, steps] of [
      [0, 1, 7],
      [-1, 0.3, 11],
      [-3.3, 7.1, 13],
      [2, -2, 4],
    ] as const) {
      const t = nb.linspace(start, end, steps, { dtype: "float64" });
      const v = values(t);
      expect(v.length).toBe(steps);
      expect(v[0]).toBe(start);
      expect(v[steps - 1]).toBe(end);
      for (let i = 1; i < steps; i++) expect(v[i]! - v[i - 1]!).toBeCloseTo((end - start) / (steps - 1), 12);
    }
    expect(values(nb.linspace(0, 1, 5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(values(nb.linspace(3, 5, 1))).toEqual([3]); // PyTorch: one step is just start
    expect(values(nb.linspace(3, 5, 2))).toEqual([3, 5]);
    expect(nb.linspace(3, 5, 0).shape).toEqual([0]);
  });

  it("eye", () => {
    expect(nb.eye(3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(nb.eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(nb.eye(2, 2, { dtype: "int32" }).dtype).toBe("int32");
  });

  it("rand, randn and randint draw from the right distributions", () => {
    nb.manualSeed(123);
    const u = values(nb.rand([10000]));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((p, v) => p + v, 0) / u.length).toBeCloseTo(0.5, 1);
    const u64 = nb.rand([1000], { dtype: "float64" });
    expect(u64.dtype).toBe("float64");
    expect(values(u64).every((v) => v >= 0 && v < 1)).toBe(true);

    const n = nb.randn([10000]);
    expect(n.dtype).toBe("float32");
    expect(Math.abs(n.mean().item())).toBeLessThan(0.05);
    expect(Math.abs(n.std().item() - 1)).toBeLessThan(0.05);

    const r = nb.randint(-3, 4, [10000]);
    expect(r.dtype).toBe("int32");
    const rv = values(r);
    expect(rv.every((v) => Number.isInteger(v) && v >= -3 && v < 4)).toBe(true);
    expect(new Set(rv).size).toBe(7);
    expect(() => nb.rand([2], { dtype: "int32" })).toThrow(DTypeError);
  });

  it("the *Like functions copy shape and dtype", () => {
    const t = f64([[1, 2, 3]]);
    for (const like of [nb.zerosLike(t), nb.onesLike(t), nb.fullLike(t, 7), nb.randLike(t), nb.randnLike(t), nb.randintLike(t, 0, 5)]) {
      expect(like.shape).toEqual([1, 3]);
      expect(like.dtype).toBe("float64");
    }
    expect(values(nb.fullLike(t, 7))).toEqual([7, 7, 7]);
    expect(nb.zerosLike(tensor([1, 2], { dtype: "int32" })).dtype).toBe("int32");
    expect(nb.onesLike(t, { dtype: "float32" }).dtype).toBe("float32");
    expect(nb.zerosLike(t, { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it("tensor reads numbers as float32 (as torch.tensor reads Python floats), booleans as bool", () => {
    expect(tensor([1, 2]).dtype).toBe("float32");
    expect(tensor([0.0, 1.0]).dtype).toBe("float32");
    expect(tensor([1, 2.5]).dtype).toBe("float32");
    expect(tensor([true, false]).dtype).toBe("bool");
    expect(tensor([1, 2], { dtype: "int32" }).dtype).toBe("int32");
    expect(tensor(new Int32Array([1, 2])).dtype).toBe("int32");
    expect(tensor([true, 2]).dtype).toBe("float32"); // a bool among numbers counts as 0/1
    expect(values(tensor([true, 2]))).toEqual([1, 2]);
    expect(tensor([true, 0.5]).dtype).toBe("float32");
    expect(tensor([]).dtype).toBe("float32"); // no values: the default float dtype
    expect(tensor([[]]).shape).toEqual([1, 0]);
    expect(tensor(3.5).shape).toEqual([]);
    expect(tensor(new Float64Array([1, 2])).dtype).toBe("float64");
    expect(tensor(new Int32Array([1, 2]), { dtype: "float32" }).dtype).toBe("float32");
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
  });
});

describe("seeded random draws", () => {
  it("the same seed gives the same values", () => {
    nb.manualSeed(7);
    const a = [values(nb.rand([5])), values(nb.randn([5])), values(nb.randint(0, 100, [5]))];
    nb.manualSeed(7);
    const b = [values(nb.rand([5])), values(nb.randn([5])), values(nb.randint(0, 100, [5]))];
    expect(b).toEqual(a);
    nb.manualSeed(8);
    expect(values(nb.rand([5]))).not.toEqual(a[0]);
  });

  it("manualSeed(0); rand([3]) matches torch.manual_seed(0); torch.rand(3)", () => {
    nb.manualSeed(0);
    expect(values(nb.rand([3]))).toEqual([0.49625658988952637, 0.7682217955589294, 0.08847743272781372]);
    nb.manualSeed(0);
    // elements 16..19 of torch.rand(20): the float32 stream stays PyTorch's past the first few draws
    expect(values(nb.rand([20])).slice(16)).toEqual([0.6976675987243652, 0.800011396408081, 0.16102945804595947, 0.28226858377456665]);
  });

  it("separate generators are independent and their state can be saved and restored", () => {
    const g = new nb.Generator(42);
    const state = g.getState();
    nb.manualSeed(0);
    const first = values(nb.rand([4], { generator: g }));
    const other = values(nb.rand([4]));
    expect(first).not.toEqual(other);
    g.setState(state);
    expect(values(nb.rand([4], { generator: g }))).toEqual(first);
    expect(values(nb.rand([4], { generator: new nb.Generator(42) }))).toEqual(first);
  });
});

describe("dtype promotion", () => {
  const cases: [string, () => Tensor, nb.DType][] = [
    ["int32 + float32", () => i32([1, 2]).add(f32([0.5, 1])), "float32"],
    ["int32 + 2.5", () => i32([1, 2]).add(2.5), "float32"],
    ["int32 + 2", () => i32([1, 2]).add(2), "int32"],
    ["float32 + float64", () => f32([1]).add(f64([1])), "float64"],
    ["float32 + 2.5 (a number never widens a float tensor)", () => f32([1]).mul(2.5), "float32"],
    ["bool + 1", () => tensor([true, false]).add(1), "int32"],
    ["bool + 1.5", () => tensor([true, false]).add(1.5), "float32"],
    ["bool + int32", () => tensor([true]).add(i32([2])), "int32"],
    ["int32 / int32", () => i32([1, 3]).div(i32([2, 2])), "float32"],
    ["int32 / 2", () => i32([1, 3]).div(2), "float32"],
    ["where(cond, 1, -1) (two numbers: floating by default)", () => nb.where(tensor([true, false]), 1, -1), "float32"],
    ["where(cond, 0.5, -1)", () => nb.where(tensor([true, false]), 0.5, -1), "float32"],
    ["where(cond, 1, 1e10) (an integer past int32)", () => nb.where(tensor([true, false]), 1, 1e10), "float32"],
    ["float64 / int32", () => f64([1]).div(i32([2])), "float64"],
    ["exp of int32", () => i32([0]).exp(), "float32"],
    ["sum of bool", () => tensor([true, true, false]).sum(), "int32"],
  ];
  it.each(cases)("%s", (_name, make, dtype) => expect(make().dtype).toBe(dtype));

  it("computes promoted values", () => {
    expect(values(tensor([1, 2]).add(2.5))).toEqual([3.5, 4.5]);
    expect(values(tensor([true, false]).add(1))).toEqual([2, 1]);
    expect(values(tensor([1, 3]).div(tensor([2, 2])))).toEqual([0.5, 1.5]);
    expect(tensor([true, true, false]).sum().item()).toBe(2);
  });

  it("bool + bool is a logical or, as in PyTorch", () => {
    const s = tensor([true, true, false]).add(tensor([true, false, false]));
    expect(s.dtype).toBe("bool");
    expect(s.toArray()).toEqual([true, true, false]);
    expect(s.sum().item()).toBe(2);
  });

  it("comparisons return bool tensors, broadcasting", () => {
    const a = f32([[1, 2, 3], [4, 5, 6]]);
    for (const t of [a.eq(2), a.ne(f32([1, 2, 3])), a.lt(tensor([2])), a.le(3), a.gt(2.5), a.ge(a)]) expect(t.dtype).toBe("bool");
    expect(a.gt(2.5).toArray()).toEqual([
      [false, false, true],
      [true, true, true],
    ]);
    expect(a.eq(f32([1, 5, 3])).toArray()).toEqual([
      [true, false, true],
      [false, true, false],
    ]);
    expect(nb.eq(tensor([1, 2]), f32([1, 2.5])).toArray()).toEqual([true, false]);
  });
});

describe("reading values", () => {
  it("toArray gives nested arrays (booleans for bool, a number for 0-d)", () => {
    expect(tensor([[1, 2], [3, 4]]).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(nb.arange(6).reshape(2, 3).t().toArray()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(tensor([[true], [false]]).toArray()).toEqual([[true], [false]]);
    expect(tensor(5).toArray()).toBe(5);
    expect(nb.zeros([2, 0]).toArray()).toEqual([[], []]);
  });

  it("item reads a one-element tensor, also through a view", () => {
    expect(f32([[2.5]]).item()).toBe(2.5);
    expect(nb.arange(6).reshape(2, 3).t().select(0, 2).select(0, 1).item()).toBe(5);
    expect(tensor(true).item()).toBe(1);
    expect(() => f32([1, 2]).item()).toThrow(/a Tensor with 2 elements cannot be converted to a number/);
  });

  it("size, stride, dim, numel", () => {
    const t = nb.zeros([2, 3, 4]);
    expect(t.size()).toEqual([2, 3, 4]);
    expect(t.size(-1)).toBe(4);
    expect(t.stride()).toEqual([12, 4, 1]);
    expect([t.dim(), t.ndim, t.numel()]).toEqual([3, 3, 24]);
  });
});

describe("cat and stack", () => {
  it("join along existing and new dims, promoting dtypes", () => {
    const a = f32([[1, 2], [3, 4]]);
    const b = f32([[5, 6]]);
    expect(nb.cat([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(nb.cat([a, a], 1).shape).toEqual([2, 4]);
    expect(nb.cat([a, a], -1).shape).toEqual([2, 4]);
    expect(nb.stack([a, a]).shape).toEqual([2, 2, 2]);
    expect(nb.stack([a, a], -1).shape).toEqual([2, 2, 2]);
    expect(nb.stack([a, a], 2).toArray()).toEqual([
      [
        [1, 1],
        [2, 2],
      ],
      [
        [3, 3],
        [4, 4],
      ],
    ]);
    expect(nb.cat([tensor([1]), f32([1.5])]).dtype).toBe("float32");
  });

  it("give each input its slice of the gradient", () => {
    const a = f32([1, 2], true);
    const b = f32([3], true);
    nb.cat([a, b]).mul(f32([1, 2, 3])).sum().backward();
    expect(values(a.grad!)).toEqual([1, 2]);
    expect(values(b.grad!)).toEqual([3]);
  });

  it("reject mismatched shapes and empty lists", () => {
    expect(() => nb.cat([nb.zeros([2, 3]), nb.zeros([2, 4])])).toThrow(ShapeError);
    expect(() => nb.cat([nb.zeros([2, 3]), nb.zeros([2, 4])])).toThrow(
      /cat: sizes of tensors must match except in dimension 0.*got \[2, 4\] for tensor number 1/,
    );
    expect(() => nb.cat([nb.zeros([2, 3]), nb.zeros([3])])).toThrow(ShapeError);
    expect(() => nb.cat([])).toThrow(/expected a non-empty list of tensors/);
    expect(() => nb.stack([nb.zeros([2, 3]), nb.zeros([3, 2])])).toThrow(
      /stack: expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[3, 2\] at entry 1/,
    );
    expect(() => nb.stack([])).toThrow(ShapeError);
    expect(() => nb.cat([nb.zeros([2]), nb.zeros([2])], 1)).toThrow(/dimension out of range/);
  });
});

describe("max and min: values, indices and ties", () => {
  it("max(dim) and min(dim) return { values, indices }, the first index on a tie", () => {
    const t = f32([
      [1, 3, 3],
      [2, 2, 1],
    ]);
    const mx = t.max(1);
    expect(values(mx.values)).toEqual([3, 2]);
    expect(mx.indices.dtype).toBe("int32");
    expect(values(mx.indices)).toEqual([1, 0]);
    const mn = t.min(0, { keepdim: true });
    expect(mn.values.shape).toEqual([1, 3]);
    expect(values(mn.values)).toEqual([1, 2, 1]);
    expect(values(mn.indices)).toEqual([0, 1, 1]);
    expect(nb.max(t, 1).indices.toArray()).toEqual([1, 0]);
    expect(values(t.argmax(1))).toEqual([1, 0]);
    expect(t.argmax().item()).toBe(1);
    expect(t.argmin().item()).toBe(0);
  });

  it("max(dim) sends the gradient to the first maximal element only", () => {
    const t = f32([[1, 3, 3], [2, 2, 1]], true);
    t.max(1).values.sum().backward();
    expect(values(t.grad!)).toEqual([0, 1, 0, 1, 0, 0]);
  });

  it("max() and min() over everything share the gradient evenly among ties", () => {
    const t = f32([1, 3, 3, 2], true);
    t.max().backward();
    expect(values(t.grad!)).toEqual([0, 0.5, 0.5, 0]);
    const u = f64([2, 1, 1, 1], true);
    u.min().mul(6).backward();
    expect(values(u.grad!)).toEqual([0, 2, 2, 2]);
  });

  it("maximum and minimum give each side half the gradient on a tie", () => {
    const a = f32([1, 3, 0], true);
    const b = f32([1, 2, 5], true);
    nb.maximum(a, b).sum().backward();
    expect(values(a.grad!)).toEqual([0.5, 1, 0]);
    expect(values(b.grad!)).toEqual([0.5, 0, 1]);
    const c = f32([1, 3, 0], true);
    const d = f32([1], true); // broadcast: its share is summed
    nb.minimum(c, d).sum().backward();
    expect(values(c.grad!)).toEqual([0.5, 0, 1]);
    expect(values(d.grad!)).toEqual([1.5]);
  });

  it("NaN wins, as in PyTorch", () => {
    const t = f32([1, NaN, 3]);
    expect(Number.isNaN(t.max().item())).toBe(true);
    expect(t.max(0).indices.item()).toBe(1);
    expect(Number.isNaN(nb.maximum(f32([NaN]), f32([1])).item())).toBe(true);
  });
});
