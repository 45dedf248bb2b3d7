/** Every activation against PyTorch (test/fixtures/activations.json), gradcheck, options, learning. */
import { describe, expect, it } from "vitest";
import { F, gradcheck, manualSeed, nn, optim, OptionError, ShapeError, DTypeError, linspace, randn, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { checkCase, type FnCase } from "./fixture-cases.js";
import { expectClose, loadFixture, values } from "./helpers.js";

const fixture = loadFixture<{ torch_version: string; cases: FnCase[] }>("activations.json");

describe("activations equal PyTorch 1.13 at ±100, ±30, 0, ±1e-7, their kinks and random points", () => {
  it("covers every activation of the issue in both dtypes", () => {
    const fns = new Set(fixture.cases.map((c) => c.fn));
    for (const name of [
      "sigmoid", "tanh", "relu", "relu6", "leakyRelu", "prelu", "rrelu", "elu", "selu", "celu", "gelu", "silu", "mish",
      "softplus", "softsign", "hardtanh", "hardsigmoid", "hardswish", "logsigmoid", "tanhshrink", "softshrink",
      "hardshrink", "threshold", "glu", "softmax", "logSoftmax", "softmin", "swiglu", "geglu",
    ]) {
      expect(fns.has(name), name).toBe(true);
    }
  });
  it.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (_, c) => checkCase(c));
});

/** Points away from every kink (0, ±0.5, ±1, ±3, 6), so that finite differences are meaningful. */
const smooth = () => tensor([-4.2, -2.7, -1.3, -0.7, -0.2, 0.35, 0.8, 1.6, 3.4, 7], { dtype: "float64", requiresGrad: true });
const matrix = () => tensor([[-1.2, 0.3, 2.5, -0.4], [0.9, -2.2, 0.1, 1.7]], { dtype: "float64", requiresGrad: true });

describe("gradcheck in float64", () => {
  const pointwise: [string, (x: Tensor) => Tensor][] = [
    ["sigmoid", F.sigmoid],
    ["tanh", F.tanh],
    ["relu", F.relu],
    ["relu6", F.relu6],
    ["leakyRelu", (x) => F.leakyRelu(x, { negativeSlope: 0.2 })],
    ["rrelu (eval)", (x) => F.rrelu(x)],
    ["elu", (x) => F.elu(x, { alpha: 0.7 })],
    ["selu", F.selu],
    ["celu", (x) => F.celu(x, { alpha: 1.5 })],
    ["gelu", F.gelu],
    ["gelu tanh", (x) => F.gelu(x, { approximate: "tanh" })],
    ["silu", F.silu],
    ["mish", F.mish],
    ["softplus", (x) => F.softplus(x, { beta: 1.5, threshold: 8 })],
    ["softsign", F.softsign],
    ["hardtanh", (x) => F.hardtanh(x, { minVal: -2, maxVal: 2 })],
    ["hardsigmoid", F.hardsigmoid],
    ["hardswish", F.hardswish],
    ["logsigmoid", F.logsigmoid],
    ["tanhshrink", F.tanhshrink],
    ["softshrink", F.softshrink],
    ["hardshrink", F.hardshrink],
    ["threshold", (x) => F.threshold(x, 0.5, -2)],
  ];
  it.each(pointwise)("%s", (_, fn) => {
    expect(gradcheck(fn, [smooth()])).toBe(true);
  });
  it.each([
    ["softmax", (x: Tensor) => F.softmax(x, 1)],
    ["logSoftmax", (x: Tensor) => F.logSoftmax(x, 0)],
    ["softmin", (x: Tensor) => F.softmin(x, 1)],
    ["glu", (x: Tensor) => F.glu(x, 1)],
    ["swiglu", (x: Tensor) => F.swiglu(x, -1)],
    ["geglu", (x: Tensor) => F.geglu(x, 0)],
  ] as const)("%s", (_, fn) => {
    expect(gradcheck(fn, [matrix()])).toBe(true);
  });
  it("prelu, for the input and the slopes", () => {
    const x = tensor([[[-1.5, 0.4], [2.1, -0.3]], [[0.7, -2.2], [-0.9, 1.3]]], { dtype: "float64", requiresGrad: true });
    const w = tensor([0.25, -0.1], { dtype: "float64", requiresGrad: true });
    expect(gradcheck((a, b) => F.prelu(a!, b!), [x, w])).toBe(true);
  });
  it("rational (PAU), for the input and both sets of coefficients", () => {
    const a = tensor([0.03, 0.5, 1.6, 2.0, 0.9, 0.15], { dtype: "float64", requiresGrad: true });
    const b = tensor([0.2, 4.0, -0.3, 0.3], { dtype: "float64", requiresGrad: true });
    expect(gradcheck((x, p, q) => F.rational(x!, p!, q!), [smooth(), a, b])).toBe(true);
  });
  it("rrelu in training, for fixed random slopes", () => {
    const seeded = (x: Tensor) => {
      manualSeed(3);
      return F.rrelu(x, { training: true });
    };
    expect(gradcheck(seeded, [smooth()])).toBe(true);
  });
});

describe("finite and exact far beyond ±100", () => {
  const far = (dtype: "float32" | "float64") => tensor([-1e4, -1000, -100, 0, 100, 1000, 1e4], { dtype, requiresGrad: true });
  const all: [string, (x: Tensor) => Tensor][] = [
    ["sigmoid", F.sigmoid],
    ["tanh", F.tanh],
    ["elu", F.elu],
    ["selu", F.selu],
    ["celu", (x) => F.celu(x, { alpha: 0.5 })],
    ["gelu", F.gelu],
    ["gelu tanh", (x) => F.gelu(x, { approximate: "tanh" })],
    ["silu", F.silu],
    ["mish", F.mish],
    ["softplus", F.softplus],
    ["softplus, threshold never reached", (x) => F.softplus(x, { threshold: Infinity })],
    ["logsigmoid", F.logsigmoid],
    ["softsign", F.softsign],
    ["hardswish", F.hardswish],
    ["tanhshrink", F.tanhshrink],
    ["softmin", (x) => F.softmin(x, 0)],
    ["logSoftmax", (x) => F.logSoftmax(x, 0)],
  ];
  it.each(all)("%s has finite values and gradients in float32 and float64", (_, fn) => {
    for (const dtype of ["float32", "float64"] as const) {
      const x = far(dtype);
      const y = fn(x);
      y.sum().backward();
      expect(values(y).every(Number.isFinite), `${dtype} values ${values(y)}`).toBe(true);
      expect(values(x.grad!).every(Number.isFinite), `${dtype} grads ${values(x.grad!)}`).toBe(true);
    }
  });
  it("log-sigmoid and softplus are exact in the tails", () => {
    const x = tensor([-1000, -100, 100, 1000], { dtype: "float64" });
    expect(values(F.logsigmoid(x))).toEqual([-1000, -100, -Math.exp(-100), 0]);
    expect(values(F.softplus(x, { threshold: Infinity }))).toEqual([0, Math.exp(-100), 100, 1000]);
  });
});

describe("options and errors name the function and the value", () => {
  const x = randn([2, 3]);
  it.each([
    [() => F.softplus(x, { beta: -1 }), OptionError, /softplus: beta must be a finite number > 0, got -1/],
    [() => new nn.Softplus({ beta: 0 }), OptionError, /Softplus: beta must be a finite number > 0, got 0/],
    [() => F.gelu(x, { approximate: "fast" as never }), OptionError, /gelu: approximate must be "none" or "tanh", got "fast"/],
    [() => new nn.GELU({ approximate: "erf" as never }), OptionError, /GELU: approximate/],
    [() => F.celu(x, { alpha: 0 }), OptionError, /celu: alpha must be a finite non-zero number, got 0/],
    [() => F.elu(x, { alpha: NaN }), OptionError, /elu: alpha must be a finite number, got NaN/],
    [() => F.hardtanh(x, { minVal: 2, maxVal: 1 }), OptionError, /hardtanh: maxVal must be greater than minVal \(2\), got 1/],
    [() => F.softshrink(x, { lambd: -0.5 }), OptionError, /softshrink: lambd must be ≥ 0, got -0.5/],
    [() => new nn.Hardshrink({ lambd: -1 }), OptionError, /Hardshrink: lambd must be ≥ 0, got -1/],
    [() => F.leakyRelu(x, { negativeSlope: Infinity }), OptionError, /leakyRelu: negativeSlope must be a finite number, got Infinity/],
    [() => F.rrelu(x, { lower: 0.5, upper: 0.1 }), OptionError, /rrelu: lower must be ≤ upper .* lower=0.5 and upper=0.1/],
    [() => F.softmax(x, 2), ShapeError, /softmax: dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/],
    [() => F.softmin(x, -3), ShapeError, /softmin: dimension out of range .* but got -3/],
    [() => new nn.LogSoftmax({ dim: 5 }).forward(x), ShapeError, /logSoftmax: dimension out of range .* but got 5/],
    [() => F.glu(x, 1), ShapeError, /glu: halving dimension must be even, but dimension 1 is size 3/],
    [() => F.swiglu(x, 4), ShapeError, /swiglu: dimension out of range .* but got 4/],
    [() => F.prelu(x, tensor([0.1, 0.2])), ShapeError, /prelu: weight \[2\] must have 1 element or one per channel \(3 for input \[2, 3\]\)/],
    [() => new nn.PReLU({ numParameters: 0 }), OptionError, /PReLU: numParameters must be a positive integer, got 0/],
    [() => F.gelu(tensor([1, 2], { dtype: "int32" })), DTypeError, /gelu: expected input to have a floating point dtype .* got int32/],
    [() => new nn.PAU({ numerator: [] }), OptionError, /PAU: numerator must be a non-empty list/],
  ] as const)("%#", (fn, type, message) => {
    expect(fn).toThrow(type);
    expect(fn).toThrow(message);
  });
});

describe("modules equal their functions", () => {
  const x = tensor([[-100, -3, -1, -0.5, 0, 1e-7, 0.5, 1, 3, 6, 30, 100]], { dtype: "float64" });
  const x2 = tensor([[-100, -1, 0, 1e-7], [3, 0.5, -30, 100]], { dtype: "float64" });
  it.each([
    [new nn.ReLU6(), F.relu6(x)],
    [new nn.ELU({ alpha: 0.5 }), F.elu(x, { alpha: 0.5 })],
    [new nn.SELU(), F.selu(x)],
    [new nn.CELU({ alpha: 2 }), F.celu(x, { alpha: 2 })],
    [new nn.GELU({ approximate: "tanh" }), F.gelu(x, { approximate: "tanh" })],
    [new nn.SiLU(), F.silu(x)],
    [new nn.Mish(), F.mish(x)],
    [new nn.Softplus({ beta: 2, threshold: 5 }), F.softplus(x, { beta: 2, threshold: 5 })],
    [new nn.Softsign(), F.softsign(x)],
    [new nn.Hardtanh({ minVal: -2, maxVal: 2 }), F.hardtanh(x, { minVal: -2, maxVal: 2 })],
    [new nn.Hardsigmoid(), F.hardsigmoid(x)],
    [new nn.Hardswish(), F.hardswish(x)],
    [new nn.LogSigmoid(), F.logsigmoid(x)],
    [new nn.Tanhshrink(), F.tanhshrink(x)],
    [new nn.Softshrink({ lambd: 1 }), F.softshrink(x, { lambd: 1 })],
    [new nn.Hardshrink(), F.hardshrink(x)],
    [new nn.Threshold(0.5, -2), F.threshold(x, 0.5, -2)],
    [new nn.GLU(), F.glu(x)],
    [new nn.SwiGLU(), F.swiglu(x)],
    [new nn.GeGLU({ dim: 0 }), F.geglu(x2, 0), x2],
    [new nn.Softmin({ dim: 1 }), F.softmin(x, 1)],
  ] as const)("%s", (module, expected, input: Tensor = x) => {
    expectClose((module as { forward(x: Tensor): Tensor }).forward(input), expected, { rtol: 0, atol: 0 });
  });
  it("print like PyTorch", () => {
    expect(String(new nn.ELU())).toBe("ELU(alpha=1.0)");
    expect(String(new nn.GELU({ approximate: "tanh" }))).toBe("GELU(approximate='tanh')");
    expect(String(new nn.Hardtanh())).toBe("Hardtanh(min_val=-1.0, max_val=1.0)");
    expect(String(new nn.Softplus())).toBe("Softplus(beta=1, threshold=20)");
    expect(String(new nn.PReLU({ numParameters: 3 }))).toBe("PReLU(num_parameters=3)");
    expect(String(new nn.Threshold(0.1, 20))).toBe("Threshold(threshold=0.1, value=20.0)");
  });
});

describe("gradients at the kinks are PyTorch's", () => {
  const gradAt = (f: (x: Tensor) => Tensor, points: number[]) => {
    const x = tensor(points, { dtype: "float64", requiresGrad: true });
    f(x).sum().backward();
    return values(x.grad!);
  };
  it.each([
    ["relu at 0", F.relu, [0], [0]],
    ["relu6 at 0 and 6", F.relu6, [0, 6], [0, 0]],
    ["leakyRelu at 0: the slope", (x: Tensor) => F.leakyRelu(x, { negativeSlope: 0.2 }), [0], [0.2]],
    ["rrelu (eval) at 0: the mean slope", (x: Tensor) => F.rrelu(x, { lower: 0.1, upper: 0.3 }), [0], [0.2]],
    ["prelu at 0: the slope", (x: Tensor) => F.prelu(x, tensor([0.25], { dtype: "float64" })), [0], [0.25]],
    ["elu at 0: alpha", (x: Tensor) => F.elu(x, { alpha: 0.5 }), [0], [0.5]],
    ["celu at 0: 1", (x: Tensor) => F.celu(x, { alpha: 2 }), [0], [1]],
    ["hardtanh at its bounds: 0", F.hardtanh, [-1, 1], [0, 0]],
    ["hardsigmoid at ±3: 0", F.hardsigmoid, [-3, 3], [0, 0]],
    ["hardswish at −3: −1/2, at 3: 1 (PyTorch's vectorised kernel)", F.hardswish, [-3, 3], [-0.5, 1]],
    ["softshrink at ±λ: 0", F.softshrink, [-0.5, 0.5], [0, 0]],
    ["hardshrink at ±λ: 0", F.hardshrink, [-0.5, 0.5], [0, 0]],
    ["threshold at the threshold: 0", (x: Tensor) => F.threshold(x, 0.5, -2), [0.5], [0]],
    ["softsign at 0: 1", F.softsign, [0], [1]],
  ] as const)("%s", (_, f, points, expected) => {
    expect(gradAt(f as (x: Tensor) => Tensor, [...points])).toEqual([...expected]);
  });
});

describe("tensor methods where PyTorch has them", () => {
  it("x.hardshrink and x.prelu equal their functions", () => {
    const x = tensor([-1, -0.5, 0, 0.3, 2], { dtype: "float64" });
    expectClose(x.hardshrink(), F.hardshrink(x), { rtol: 0, atol: 0 });
    expectClose(x.hardshrink({ lambd: 0.2 }), F.hardshrink(x, { lambd: 0.2 }), { rtol: 0, atol: 0 });
    expectClose(x.prelu(tensor([0.25])), F.prelu(x, tensor([0.25])), { rtol: 0, atol: 0 });
    expect(() => x.hardshrink({ lambd: -1 })).toThrow(/hardshrink: lambd must be ≥ 0, got -1/);
  });
});

describe("random and learnable activations", () => {
  it("RReLU draws slopes in [lower, upper] while training and uses their mean in eval", () => {
    manualSeed(0);
    const m = new nn.RReLU({ lower: 0.1, upper: 0.3 });
    const x = tensor(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? -1 : 1)), { dtype: "float32", requiresGrad: true });
    const y = m.forward(x);
    const slopes = values(y).filter((_, i) => i % 2 === 0).map((v) => -v);
    expect(Math.min(...slopes)).toBeGreaterThanOrEqual(0.1);
    expect(Math.max(...slopes)).toBeLessThanOrEqual(0.3);
    expect(new Set(slopes).size).toBeGreaterThan(50);
    y.sum().backward();
    // the gradient is the slope that was drawn
    expect(values(x.grad!).filter((_, i) => i % 2 === 0)).toEqual(slopes.map((s) => Math.fround(s)));
    m.eval();
    expect(values(m.forward(tensor([-1, 2], { dtype: "float64" })))).toEqual([-0.2, 2]);
  });

  it("PReLU learns its slope: fitting LeakyReLU(0.2) from 0.25", () => {
    manualSeed(0);
    const m = new nn.PReLU({ numParameters: 1, dtype: "float64" });
    const opt = new optim.SGD(m.parameters(), { lr: 0.5 });
    const x = randn([256], { dtype: "float64" });
    const target = F.leakyRelu(x, { negativeSlope: 0.2 });
    for (let i = 0; i < 50; i++) {
      opt.zeroGrad();
      F.mseLoss(m.forward(x), target).backward();
      opt.step();
    }
    expect(m.weight.item()).toBeCloseTo(0.2, 6);
  });

  it("PAU starts as LeakyReLU and learns another activation (tanh) to an RMS error below 0.05", () => {
    manualSeed(0);
    const pau = new nn.PAU({ dtype: "float64" });
    const x = linspace(-3, 3, 121, { dtype: "float64" });
    const start = F.mseLoss(pau.forward(x), F.leakyRelu(x)).item();
    expect(start).toBeLessThan(1e-4);
    const opt = new optim.Adam(pau.parameters(), { lr: 0.01 });
    const target = F.tanh(x);
    const before = F.mseLoss(pau.forward(x), target).item();
    for (let i = 0; i < 400; i++) {
      opt.zeroGrad();
      F.mseLoss(pau.forward(x), target).backward();
      opt.step();
    }
    const after = F.mseLoss(pau.forward(x), target).item();
    expect(after).toBeLessThan(before / 20);
    expect(Math.sqrt(after)).toBeLessThan(0.05);
  });

  it.each([
    ["SwiGLU", () => new nn.SwiGLU()],
    ["GeGLU", () => new nn.GeGLU()],
    ["GLU", () => new nn.GLU()],
  ] as const)("%s learns XOR in a gated two-layer network", (_, gate) => {
    manualSeed(1);
    const net = new nn.Sequential(new nn.Linear(2, 16), gate(), new nn.Linear(8, 1));
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]], { dtype: "float32" });
    const y = tensor([[0], [1], [1], [0]], { dtype: "float32" });
    const opt = new optim.Adam(net.parameters(), { lr: 0.05 });
    const loss = () => F.binaryCrossEntropyWithLogits(net.forward(x) as Tensor, y);
    const first = loss().item();
    for (let i = 0; i < 150; i++) {
      opt.zeroGrad();
      loss().backward();
      opt.step();
    }
    expect(loss().item()).toBeLessThan(Math.min(0.05, first / 10));
  });
});
