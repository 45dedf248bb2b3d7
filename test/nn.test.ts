/** nn.Module, Linear, Sequential, activations and losses as modules, against PyTorch. */
import { describe, expect, it } from "vitest";
import { F, manualSeed, nn, randn, ShapeError, tensor, zeros, type Tensor } from "../packages/nabla/src/index.js";
import { expectClose, fromFixture, loadFixture, type FixtureTensor } from "./helpers.js";
import { Net } from "../examples/seed-example.js"; // the articles' network, field for field

interface ModulesFixture {
  linear: { weight: FixtureTensor; bias: FixtureTensor; input: FixtureTensor; output: FixtureTensor; gradOut: FixtureTensor; grads: Record<string, FixtureTensor> };
  net: { keys: string[]; state_dict: Record<string, FixtureTensor>; input: FixtureTensor; labels: FixtureTensor; output: FixtureTensor; loss: FixtureTensor; grads: Record<string, FixtureTensor> };
  sequential: { keys: string[]; state_dict: Record<string, FixtureTensor>; input: FixtureTensor; output: FixtureTensor };
}
const fixture = loadFixture<ModulesFixture>("modules.json");

const stateDictOf = (sd: Record<string, FixtureTensor>) => Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, fromFixture(v)]));

describe("nn.Linear", () => {
  it("matches PyTorch forward and backward with fixed weights", () => {
    const f = fixture.linear;
    const layer = new nn.Linear(4, 3);
    layer.loadStateDict({ weight: fromFixture(f.weight), bias: fromFixture(f.bias) });
    const x = fromFixture(f.input, { requiresGrad: true });
    const y = layer.forward(x);
    expectClose(y, f.output, {}, "output");
    y.backward(fromFixture(f.gradOut));
    expectClose(x.grad, f.grads.input!, {}, "grad input");
    expectClose(layer.weight.grad, f.grads.weight!, {}, "grad weight");
    expectClose(layer.bias!.grad, f.grads.bias!, {}, "grad bias");
  });

  it("initialises like PyTorch: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias", () => {
    manualSeed(0);
    const layer = new nn.Linear(400, 300);
    const bound = 1 / Math.sqrt(400);
    for (const p of [layer.weight, layer.bias!]) {
      const v = Array.from(p.toTypedArray());
      expect(Math.max(...v)).toBeLessThanOrEqual(bound);
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-bound);
      expect(Math.max(...v)).toBeGreaterThan(0.95 * bound); // really spread over the range
    }
    const w = layer.weight;
    expect(w.var().item()).toBeCloseTo((bound * bound * 4) / 12, 4); // variance of U(-b, b) = b²/3
    expect(String(layer)).toBe("Linear(in_features=400, out_features=300, bias=True)");
  });

  it("rejects input whose last dimension is not in_features, naming both shapes", () => {
    const layer = new nn.Linear(4, 3);
    expect(() => layer.forward(zeros([2, 5]))).toThrow(ShapeError);
    expect(() => layer.forward(zeros([2, 5]))).toThrow(/linear: .*input \[2, 5\] and weight \[3, 4\]/);
  });
});

describe("nn.Module", () => {
  it("finds parameters from fields in declaration order, with PyTorch's state dict keys", () => {
    const net = new Net(10, 8, 5);
    expect(Object.keys(net.stateDict())).toEqual(fixture.net.keys);
    expect(Array.from(net.namedParameters(), ([k]) => k)).toEqual(fixture.net.keys);
    expect(net.parameters()).toHaveLength(4);
    expect(Array.from(net.namedChildren(), ([k]) => k)).toEqual(["fc1", "act1", "fc2"]);
    expect(Array.from(net.children())).toHaveLength(3);
  });

  it("loads PyTorch's state dict and gives PyTorch's loss and gradients", () => {
    const f = fixture.net;
    const net = new Net(10, 8, 5);
    const result = net.loadStateDict(stateDictOf(f.state_dict));
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const out = net.forward(fromFixture(f.input));
    expectClose(out, f.output, {}, "output");
    const loss = new nn.CrossEntropyLoss().forward(out, fromFixture(f.labels));
    expectClose(loss, f.loss, {}, "loss");
    loss.backward();
    for (const [name, p] of net.namedParameters()) expectClose(p.grad, f.grads[name]!, {}, `grad ${name}`);
  });

  it("loadStateDict checks everything first and changes nothing when it fails", () => {
    const net = new Net(10, 8, 5);
    const before = net.fc1.weight.toTypedArray();
    const good = stateDictOf(fixture.net.state_dict);
    const wrongShape = { ...good, "fc2.bias": zeros([4]) };
    expect(() => net.loadStateDict(wrongShape)).toThrow(/size mismatch for fc2.bias: copying a param with shape \[4\], the shape in current model is \[5\]/);
    expect(net.fc1.weight.toTypedArray()).toEqual(before);
    const { "fc1.bias": _dropped, ...missing } = good;
    expect(() => net.loadStateDict({ ...missing, extra: zeros([1]) })).toThrow(/Missing key\(s\) in state_dict: "fc1.bias"[\s\S]*Unexpected key\(s\) in state_dict: "extra"/);
    expect(net.fc1.weight.toTypedArray()).toEqual(before);
    const loose = net.loadStateDict({ ...missing, extra: zeros([1]) }, { strict: false });
    expect(loose).toEqual({ missingKeys: ["fc1.bias"], unexpectedKeys: ["extra"] });
    expect(net.fc1.weight.toTypedArray()).not.toEqual(before);
  });

  it("stateDict shares storage with the parameters; train/eval and zeroGrad reach every module", () => {
    const net = new Net(3, 4, 2);
    const sd = net.stateDict();
    expect(sd["fc1.weight"]!.storage).toBe(net.fc1.weight.storage);
    expect(sd["fc1.weight"]!.requiresGrad).toBe(false);
    net.eval();
    expect([...net.modules()].every((m) => !m.training)).toBe(true);
    net.train();
    expect([...net.modules()].every((m) => m.training)).toBe(true);
    net.forward(randn([2, 3])).sum().backward();
    expect(net.fc2.weight.grad).not.toBeNull();
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
    expect(String(net)).toBe(
      "Net(\n  (fc1): Linear(in_features=3, out_features=4, bias=True)\n  (act1): ReLU()\n  (fc2): Linear(in_features=4, out_features=2, bias=True)\n)",
    );
  });

  it("registers buffers in the state dict after the module's parameters", () => {
    class WithBuffer extends nn.Module {
      weight = new nn.Parameter(zeros([2]));
      constructor() {
        super();
        this.registerBuffer("runningMean", zeros([2]));
      }
      forward(x: Tensor) {
        return x;
      }
    }
    const m = new WithBuffer();
    expect(Object.keys(m.stateDict())).toEqual(["weight", "runningMean"]);
    expect(m.parameters()).toHaveLength(1);
    expect(m.buffers()).toHaveLength(1);
  });
});

describe("nn.Sequential", () => {
  it("names children 0, 1, 2 and matches PyTorch", () => {
    const f = fixture.sequential;
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2));
    expect(Object.keys(model.stateDict())).toEqual(f.keys);
    model.loadStateDict(stateDictOf(f.state_dict));
    expectClose(model.forward(fromFixture(f.input)), f.output, {}, "output");
    expect(model.length).toBe(3);
    expect(model.at(1)).toBeInstanceOf(nn.Tanh);
  });
});

describe("activation and loss modules equal their functions", () => {
  const x = tensor([[-100, -1, 0, 1e-7, 100], [3, -3, 0.5, -0.5, 30]], { dtype: "float64" });
  it.each([
    ["Sigmoid", new nn.Sigmoid(), F.sigmoid(x)],
    ["Tanh", new nn.Tanh(), F.tanh(x)],
    ["ReLU", new nn.ReLU(), F.relu(x)],
    ["LeakyReLU", new nn.LeakyReLU({ negativeSlope: 0.2 }), F.leakyRelu(x, { negativeSlope: 0.2 })],
    ["Softmax", new nn.Softmax({ dim: 1 }), F.softmax(x, 1)],
    ["LogSoftmax", new nn.LogSoftmax({ dim: 1 }), F.logSoftmax(x, 1)],
  ] as const)("%s", (_, module, expected) => {
    expectClose(module.forward(x), expected, { rtol: 0, atol: 0 });
  });

  it("stays finite at ±100", () => {
    for (const y of [F.sigmoid(x), F.logSoftmax(x, 1), F.softmax(x, 1)]) {
      expect(Array.from(y.toTypedArray()).every(Number.isFinite)).toBe(true);
    }
    const [lo, hi] = F.sigmoid(tensor([-100, 100], { dtype: "float64" })).toArray() as number[];
    expect(Math.abs(lo! - 3.7200759760208356e-44) / 3.72e-44).toBeLessThan(1e-15);
    expect(hi).toBe(1);
    const loss = new nn.CrossEntropyLoss().forward(tensor([[100, -100]], { dtype: "float32" }), tensor([1], { dtype: "int32" }));
    expect(loss.item()).toBe(200);
  });

  it("losses reject unknown reductions and bad targets", () => {
    expect(() => new nn.MSELoss({ reduction: "avg" as never })).toThrow(/MSELoss: reduction must be "mean", "sum" or "none", got "avg"/);
    const ce = new nn.CrossEntropyLoss();
    expect(() => ce.forward(zeros([2, 3]), tensor([0, 3], { dtype: "int32" }))).toThrow(/target 3 is out of bounds for 3 classes/);
    expect(() => ce.forward(zeros([2, 3]), zeros([2, 2]))).toThrow(/class-probability target must have the input's shape \[2, 3\], got \[2, 2\]/);
    expect(() => ce.forward(zeros([2, 3]), tensor([0, 1]))).toThrow(/class indices must be int32: make them with tensor\(labels, \{ dtype: "int32" \}\)/);
    expect(() => ce.forward(zeros([2, 3]), tensor([true, false]))).toThrow(/expected target of class indices \(int32\) or probabilities \(float, of the input's shape \[2, 3\]\), got bool/);
  });
});
