/**
 * Whole models: PyTorch state dicts of a small CNN (conv–BN–ReLU–pool ×2, dropout, linear) and an
 * LSTM tagger (embedding, 2-layer bidirectional LSTM, linear) load into the same models written
 * with nabla and give PyTorch's outputs (layers_models.json).
 */
import { describe, expect, it } from "vitest";
import { F, nn, optim, randn, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { expectClose, fromFixture, loadFixture, type FixtureTensor } from "./helpers.js";
import { stateDictOf } from "./layers-harness.js";

interface ModelFixture {
  keys: string[];
  state_dict: Record<string, FixtureTensor>;
  input: FixtureTensor;
  output: FixtureTensor;
  repr: string;
}
const fixture = loadFixture<{ cnn: ModelFixture; lstm: ModelFixture }>("layers_models.json");

class SmallCNN extends nn.Module {
  conv1 = new nn.Conv2d(1, 4, 3, { padding: 1 });
  bn1 = new nn.BatchNorm2d(4);
  pool = new nn.MaxPool2d(2);
  conv2 = new nn.Conv2d(4, 8, 3, { padding: 1 });
  bn2 = new nn.BatchNorm2d(8);
  dropout = new nn.Dropout({ p: 0.25 });
  fc = new nn.Linear(8 * 3 * 3, 10);
  forward(x: Tensor): Tensor {
    let h = this.pool.forward(F.relu(this.bn1.forward(this.conv1.forward(x))));
    h = this.pool.forward(F.relu(this.bn2.forward(this.conv2.forward(h))));
    return this.fc.forward(this.dropout.forward(h.flatten(1)));
  }
}

class LSTMTagger extends nn.Module {
  embed = new nn.Embedding(20, 6, { paddingIdx: 0 });
  lstm = new nn.LSTM(6, 5, { numLayers: 2, batchFirst: true, bidirectional: true });
  head = new nn.Linear(10, 3);
  forward(tokens: Tensor): Tensor {
    const [out] = this.lstm.forward(this.embed.forward(tokens));
    return this.head.forward(out);
  }
}

describe("PyTorch state dicts load into the same models written with nabla", () => {
  it("a small CNN: same keys (running stats and num_batches_tracked included), same eval outputs, same repr", () => {
    const f = fixture.cnn;
    const model = new SmallCNN();
    expect(Object.keys(model.stateDict())).toEqual(f.keys);
    expect(model.loadStateDict(stateDictOf(f.state_dict))).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(model.bn1.num_batches_tracked!.item()).toBe(2);
    model.eval();
    expectClose(model.forward(fromFixture(f.input)), f.output, { atol: 1e-5 }, "cnn output");
    expect(String(model)).toBe(f.repr);
  });

  it("an LSTM model: same keys, same outputs, same repr", () => {
    const f = fixture.lstm;
    const model = new LSTMTagger();
    expect(Object.keys(model.stateDict())).toEqual(f.keys);
    model.loadStateDict(stateDictOf(f.state_dict));
    expectClose(model.forward(fromFixture(f.input)), f.output, { atol: 1e-5 }, "lstm output");
    expect(String(model)).toBe(f.repr);
  });

  it("the CNN trains: a few Adam steps lower the loss on a fixed batch", () => {
    const model = new SmallCNN();
    const x = randn([8, 1, 12, 12]);
    const y = tensor([0, 1, 2, 3, 4, 5, 6, 7], { dtype: "int32" });
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    const loss = () => F.crossEntropy(model.forward(x), y);
    const first = loss().item();
    for (let i = 0; i < 10; i++) {
      const l = loss();
      opt.zeroGrad();
      l.backward();
      opt.step();
    }
    expect(loss().item()).toBeLessThan(first);
  });
});
