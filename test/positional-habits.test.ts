/**
 * PyTorch's positional habits, typed in plain JavaScript, mean what they mean in PyTorch instead of
 * being silently ignored (issue "The programs PyTorch users write").
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { nn, optim, tensor } from "../packages/nabla/src/index.js";

describe("positional habits", () => {
  it("new nn.Dropout(0.25) has p = 0.25, new nn.Dropout2d(0.1) p = 0.1", () => {
    expect(new nn.Dropout(0.25).p).toBe(0.25);
    expect(new nn.Dropout2d(0.1).p).toBe(0.1);
    expect(() => new nn.Dropout(1.5)).toThrow(/between 0 and 1, but got 1.5/);
  });

  it("new nn.LeakyReLU(0.2) has slope 0.2", () => {
    expect(new nn.LeakyReLU(0.2).negativeSlope).toBe(0.2);
    expect(new nn.LeakyReLU(0.2).forward(tensor([-1.0, 2.0])).toArray()).toEqual([Math.fround(-0.2), 2]);
  });

  it("new nn.Linear(3, 2, false) has no bias", () => {
    expect(new nn.Linear(3, 2, false).bias).toBeNull();
    expect(new nn.Linear(3, 2, true).bias).not.toBeNull();
  });

  it("new optim.SGD(params, 0.1) has lr 0.1", () => {
    const p = new nn.Linear(2, 1).parameters();
    expect(new optim.SGD(p, 0.1).paramGroups[0]!.lr).toBe(0.1);
    expect(new optim.Adam(new nn.Linear(2, 1).parameters(), 0.01).paramGroups[0]!.lr).toBe(0.01);
  });

  it("x.sum(1, true), x.mean(1, true) and x.max(1, true) keep the dim", () => {
    const x = tensor([[1.0, 2.0], [3.0, 4.0]]);
    expect(x.sum(1, true).shape).toEqual([2, 1]);
    expect(x.mean(1, true).shape).toEqual([2, 1]);
    expect(x.max(1, true).values.shape).toEqual([2, 1]);
    expect(x.sum(1, false).shape).toEqual([2]);
  });

  it("new nn.Conv2d(1, 32, 3, 2) has stride 2; padding, dilation, groups and bias follow in PyTorch's order", () => {
    const conv = new nn.Conv2d(1, 32, 3, 2);
    expect(conv.stride).toEqual([2, 2]);
    const full = new nn.Conv2d(4, 8, 3, 1, 1, 2, 2, false);
    expect([full.padding, full.dilation, full.groups, full.bias]).toEqual([[1, 1], [2, 2], 2, null]);
    expect(new nn.Conv1d(1, 4, 3, 2).stride).toEqual([2]);
    expect(new nn.Conv2d(1, 4, 3, { stride: 2 }).stride).toEqual([2, 2]);
  });

  it("new nn.LSTM(10, 20, 2) has two layers (GRU and RNN too)", () => {
    expect(new nn.LSTM(10, 20, 2).numLayers).toBe(2);
    expect(new nn.GRU(10, 20, 3).numLayers).toBe(3);
    expect(new nn.RNN(10, 20, 2).numLayers).toBe(2);
  });
});

describe("creation functions read sizes and options as PyTorch users write them", () => {
  it("zeros(2, 3), ones(2, 3), rand(2, 3), randn(2, 3) and x.newZeros(2, 3) make 2×3 tensors (were [2], the 3 ignored)", () => {
    expect(nb.zeros(2, 3).shape).toEqual([2, 3]);
    expect(nb.ones(2, 3, { dtype: "float64" }).dtype).toBe("float64");
    expect(nb.ones(2, 3, { dtype: "float64" }).shape).toEqual([2, 3]);
    expect(nb.rand(2, 3).shape).toEqual([2, 3]);
    expect(nb.zeros([2, 3]).shape).toEqual([2, 3]);
    expect(nb.zeros(5).shape).toEqual([5]);
    nb.manualSeed(7);
    const spread = nb.randn(4, 5).toArray();
    nb.manualSeed(7);
    expect(nb.randn([4, 5]).toArray()).toEqual(spread);
    expect(nb.tensor([1, 2]).newZeros(2, 3).shape).toEqual([2, 3]);
    expect(nb.tensor([1, 2], { dtype: "int32" }).newOnes(3, 1).dtype).toBe("int32");
    expect(nb.arange(5, { dtype: "float64" }).dtype).toBe("float64");
    expect(nb.arange(1, 4, { dtype: "float64" }).toArray()).toEqual([1, 2, 3]);
    expect(nb.eye(2, { dtype: "float64" }).shape).toEqual([2, 2]);
  });

  it("an option the function does not read is a TypeError naming it, PyTorch's snake_case spelling with nabla's", () => {
    expect(() => nb.randn([2], { requires_grad: true } as never)).toThrow(TypeError);
    expect(() => nb.randn([2], { requires_grad: true } as never)).toThrow("randn: unknown option 'requires_grad' (nabla spells PyTorch's requires_grad as requiresGrad); it takes dtype, requiresGrad, device, generator");
    expect(() => nb.tensor([1], { requires_grad: true } as never)).toThrow(/^tensor: unknown option 'requires_grad' \(nabla spells/);
    expect(() => nb.zeros([2], { dtyp: "float64" } as never)).toThrow("zeros: unknown option 'dtyp'; it takes dtype, requiresGrad, device");
    expect(() => nb.zeros([2], "float64" as never)).toThrow('zeros: after the shape only an options object may follow (dtype, requiresGrad, device), but got the string "float64"');
    expect(() => nb.full([2], 1, { fill: 2 } as never)).toThrow(/^full: unknown option 'fill'/);
    expect(() => nb.arange(3, { step: 2 } as never)).toThrow(/^arange: unknown option 'step'/);
    expect(() => nb.zerosLike(nb.zeros(2), { shape: [3] } as never)).toThrow(/^zerosLike: unknown option 'shape'/);
    expect(() => nb.randint(0, 5, [2], { low: 1 } as never)).toThrow(/^randint: unknown option 'low'/);
  });
});

describe("PyTorch's keyword and overload habits on arithmetic", () => {
  const a = () => nb.tensor([[1, 5], [3, 2]]);
  const b = () => nb.tensor([[4, 0], [1, 9]]);
  it("add and sub take alpha (was ignored: a.add(b, { alpha: 2 }) gave a + b)", () => {
    expect(a().add(b(), { alpha: 2 }).toArray()).toEqual([[9, 5], [5, 20]]);
    expect(nb.add(a(), b(), { alpha: 2 }).toArray()).toEqual([[9, 5], [5, 20]]);
    expect(a().sub(b(), { alpha: 2 }).toArray()).toEqual([[-7, 5], [1, -16]]);
    expect(a().add(3, { alpha: -1 }).toArray()).toEqual([[-2, 2], [0, -1]]);
    expect(nb.noGrad(() => a().sub_(b(), { alpha: 0.5 })).toArray()).toEqual([[-1, 5], [2.5, -2.5]]);
    const y = nb.tensor([1, 2], { requiresGrad: true });
    nb.add(nb.tensor([0, 0]), y, { alpha: 3 }).sum().backward();
    expect(y.grad!.toArray()).toEqual([3, 3]);
    expect(() => a().add(b(), { aplha: 2 } as never)).toThrow("add: unknown option 'aplha'; it takes alpha");
    expect(() => a().add(b(), { alpha: NaN })).toThrow("add: alpha must be a finite number, got NaN");
    expect(() => nb.div(a(), b(), { rounding_mode: "floor" } as never)).toThrow("div: unknown option 'rounding_mode' (nabla spells PyTorch's rounding_mode as roundingMode); it takes roundingMode");
  });

  it("max(a, b) and min(a, b) of two tensors are the elementwise maximum and minimum, as torch.max(input, other)", () => {
    expect(nb.max(a(), b()).toArray()).toEqual([[4, 5], [3, 9]]);
    expect(a().max(b()).toArray()).toEqual([[4, 5], [3, 9]]);
    expect(nb.min(a(), b()).toArray()).toEqual([[1, 0], [1, 2]]);
    expect(a().min(b()).toArray()).toEqual([[1, 0], [1, 2]]);
  });
});

describe("reductions read their options or refuse them", () => {
  it("sum and mean take PyTorch's dtype (the input cast first); other options are TypeErrors naming the op (were ignored)", () => {
    const x = nb.tensor([1e8, 1, -1e8]);
    const wide = x.sum({ dtype: "float64" });
    expect([wide.dtype, wide.item()]).toEqual(["float64", 1]);
    expect(x.sum(0, { dtype: "float64", keepdim: true }).shape).toEqual([1]);
    const ints = nb.tensor([1, 2], { dtype: "int32" });
    expect(ints.mean({ dtype: "float64" }).item()).toBe(1.5);
    expect(() => x.sum(0, { keepDim: true } as never)).toThrow("sum: unknown option 'keepDim'; it takes keepdim, dtype");
    expect(() => nb.max(nb.tensor([[1, 2]]), 1, { keep_dim: true } as never)).toThrow(/^max: unknown option 'keep_dim'/);
    expect(() => nb.logsumexp(x, 0, { dtype: "float64" } as never)).toThrow("logsumexp: unknown option 'dtype'; it takes keepdim");
    expect(() => x.std(0, { ddof: 0 } as never)).toThrow("var: unknown option 'ddof'; it takes keepdim, correction, unbiased");
    expect(() => nb.any(x, 0, { keepDim: true } as never)).toThrow("any: unknown option 'keepDim'; it takes keepdim");
    expect(nb.all(x, 0, { keepdim: true }).shape).toEqual([1]);
    expect(x.sum(0, true).shape).toEqual([1]);
  });
});

describe("PyTorch's positional std/var and the names ported code calls", () => {
  const x = () => nb.tensor([[1, 5, 2], [3, 2, 8]]);
  it("x.std(dim, unbiased, keepdim) and x.var(dim, unbiased, keepdim) read as torch.std/var's positions (were a TypeError, before that ignored)", () => {
    expect(x().std(0, false).toArray()).toEqual([1, 1.5, 3]);
    expect(x().std(0, { unbiased: false }).toArray()).toEqual([1, 1.5, 3]);
    const v = x().var(1, true, true);
    expect(v.shape).toEqual([2, 1]);
    expect((v.toArray() as number[][])[0]![0]).toBeCloseTo(13 / 3, 5);
    expect(nb.var(x(), 1, false).shape).toEqual([2]);
    expect(() => x().var(1, { unbiased: true }, true as never)).toThrow("var: keepdim given positionally after an options object; put it in the object");
  });

  it("x.long() is an int32 cast (class indices; nabla has no int64) and x.tolist() is toArray()", () => {
    const y = nb.tensor([0, 2, 1]).long();
    expect([y.dtype, y.toArray()]).toEqual(["int32", [0, 2, 1]]);
    expect(x().tolist()).toEqual(x().toArray());
  });
});

describe("F's scalar options in PyTorch's positions, and (values, indices) unpacked as PyTorch's namedtuple", () => {
  const x = () => nb.tensor([-3, -0.5, 0, 0.25, 2]);
  const F = nn.functional;
  it("F.leakyRelu(x, 0.2), F.elu(x, 2), F.celu, F.softplus(x, 2, 5), F.hardtanh(x, -2, 2), F.softshrink/hardshrink(x, 1) read as PyTorch's (were a TypeError)", () => {
    const same = (a: nb.Tensor, b: nb.Tensor) => expect(a.toArray()).toEqual(b.toArray());
    same(F.leakyRelu(x(), 0.2), F.leakyRelu(x(), { negativeSlope: 0.2 }));
    expect((F.leakyRelu(x(), 0.2).toArray() as number[])[0]).toBe(Math.fround(-0.6));
    same(F.elu(x(), 2), F.elu(x(), { alpha: 2 }));
    same(F.celu(x(), 2), F.celu(x(), { alpha: 2 }));
    same(F.softplus(x(), 2, 5), F.softplus(x(), { beta: 2, threshold: 5 }));
    expect(F.hardtanh(x(), -2, 2).toArray()).toEqual([-2, -0.5, 0, 0.25, 2]);
    expect(F.softshrink(x(), 1).toArray()).toEqual([-2, 0, 0, 0, 1]);
    expect(F.hardshrink(x(), 1).toArray()).toEqual([-3, 0, 0, 0, 2]);
    expect((F.rrelu(x(), 0.1, 0.3).toArray() as number[])[0]).toBeCloseTo(-0.6, 6);
    expect(() => (F.leakyRelu as (...args: unknown[]) => unknown)(x(), 0.2, true)).toThrow("leakyRelu: takes at most 1 optional argument (negativeSlope), got 2");
    expect(() => F.softplus(x(), 2, { threshold: 1 } as never)).toThrow("softplus: expected threshold (argument 2 after the tensors), got an options object after positional arguments");
  });

  it("F.dropout(x, p) and F.dropout(x, p, training) as PyTorch's; a generator only by name; p must be a number", () => {
    const ones = nb.ones([1000]);
    nb.manualSeed(3);
    const positional = F.dropout(ones, 0.3).toArray();
    nb.manualSeed(3);
    expect(positional).toEqual(F.dropout(ones, { p: 0.3 }).toArray());
    expect((positional as number[]).filter((v) => v === 0).length).toBeGreaterThan(200);
    expect(F.dropout(ones, 0.3, false)).toBe(ones);
    expect(F.dropout2d(nb.ones([2, 3, 4, 4]), 0.5, false).shape).toEqual([2, 3, 4, 4]);
    expect(() => F.dropout(ones, "0.5" as never)).toThrow("dropout: dropout probability has to be between 0 and 1, but got 0.5");
    expect(() => (F.dropout as (...args: unknown[]) => unknown)(ones, 0.5, true, new nb.Generator(1))).toThrow(/^dropout: takes at most 2 optional arguments \(p, training\)/);
    expect(F.dropout(ones, { p: 0.5, generator: new nb.Generator(1) }).shape).toEqual([1000]);
  });

  it("const [values, indices] = x.max(1); x.max(1)[1]; sort, topk, kthvalue, median, mode, cummax and max-pooling's indices unpack too", () => {
    const m = nb.tensor([[1, 7, 3], [9, 2, 4]]);
    const [values, indices] = m.max(1);
    expect([values.toArray(), indices.toArray()]).toEqual([[7, 9], [1, 0]]);
    expect(m.max(1)[1].toArray()).toEqual([1, 0]);
    expect(m.max(1)[0].toArray()).toEqual([7, 9]);
    expect(m.min(1).length).toBe(2);
    expect([...m.sort(1)].map((t) => t.toArray())).toEqual([[[1, 3, 7], [2, 4, 9]], [[0, 2, 1], [1, 2, 0]]]);
    const [, top] = m.topk(1);
    expect(top.toArray()).toEqual([[1], [0]]);
    for (const r of [m.kthvalue(2, 1), m.median(1), m.mode(1), m.cummax(1), nb.nn.functional.maxPool2dWithIndices(m.reshape([1, 1, 2, 3]), 2)]) {
      const [v, i] = r;
      expect([v, i]).toEqual([r.values, r.indices]);
    }
  });
});


describe("plain-JS slips get an error naming the call, not a crash or a coercion", () => {
  const x = () => nb.randn([2, 3]);
  it("cat and stack take PyTorch's dim keyword as { dim }; cat(a, b) without the list is a TypeError", () => {
    expect(nb.cat([x(), x()], { dim: 1 }).shape).toEqual([2, 6]);
    expect(nb.stack([x(), x()], { dim: 2 }).shape).toEqual([2, 3, 2]);
    expect(nb.cat([x(), x()], {}).shape).toEqual([4, 3]);
    expect(() => nb.cat(x() as never, x() as never)).toThrow("cat: expected a list of tensors, got a Tensor of shape [2, 3] (write cat([a, b], dim))");
    expect(() => nb.stack([x(), [1, 2]] as never)).toThrow("stack: expected a list of tensors, element 1 is an array ([1,2])");
    expect(() => nb.cat([x()], { axis: 1 } as never)).toThrow(/^cat: unknown option 'axis'; it takes dim/);
  });

  it("x.to(\"cuda\") names the devices (was a crash reading byteOffset); a dim given as a string is a TypeError (was 'list.map is not a function')", () => {
    expect(() => x().to("cuda" as never)).toThrow(`to: expected a dtype (float32, float64, int32, bool) or a device (cpu, webgpu), got the string "cuda" (nabla's GPU device is "webgpu")`);
    expect(() => x().to("float16" as never)).toThrow(/^to: expected a dtype \(float32, float64, int32, bool\) or a device \(cpu, webgpu\), got the string "float16"$/);
    expect(() => x().sum("1" as never)).toThrow(`sum: expected dim to be an integer or a list of integers, got the string "1"`);
    expect(() => x().softmax("1" as never)).toThrow(TypeError);
    expect(() => x().transpose(0, { dim: 1 } as never)).toThrow("transpose: expected dim to be an integer, got an object");
  });

  it("full's fill value must be a number or a boolean (a string was coerced)", () => {
    expect(() => nb.full([2], "1" as never)).toThrow(`full: expected fillValue to be a number or a boolean, got the string "1"`);
    expect(nb.full([2], true).dtype).toBe("bool");
  });

  it("new nn.Sequential([a, b]) says to spread the list", () => {
    expect(() => new nn.Sequential([new nn.ReLU()] as never)).toThrow("Sequential: argument 0 is an array; pass the modules as separate arguments, new nn.Sequential(...layers), as PyTorch's nn.Sequential(*layers)");
    expect(() => new nn.Sequential(3 as never)).toThrow("Sequential: argument 0 is not a Module");
  });

  it("x.mT swaps the last two dims, as PyTorch's", () => {
    const b = nb.randn([4, 2, 3]);
    expect(b.mT.shape).toEqual([4, 3, 2]);
    expect(b.mT.toArray()).toEqual(b.transpose(1, 2).toArray());
    expect(() => nb.randn([3]).mT).toThrow("mT: expected a tensor of at least 2 dimensions, got shape [3]");
  });
});
