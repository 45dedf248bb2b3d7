/**
 * The optimizers beyond PyTorch's (Lion, Schedule-Free AdamW and SGD, Prodigy, Muon) train the
 * articles' network (784 → 64 → ReLU → 10) on the MNIST digits to at least the held-out accuracy
 * that Adam (lr 0.001, the articles' choice) reaches with the same budget: the same 2,000 training
 * digits, 2 epochs of batches of 64, the same initial weights and batch order; 2,000 held-out digits.
 * Prodigy gets no learning rate at all; the others their defaults, except Lion (see below).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import { Generator, manualSeed, nn, noGrad, optim, randperm, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { MLP } from "../packages/cli/src/models.js";

/**
 * The digits as loadDigits() returns them (grouped by class), read with fs: importing the 21 MB
 * of JSON through vitest's transform takes ~15 s, reading it takes ~0.3 s.
 */
function readDigits(): { images: Tensor; labels: Tensor } {
  const require = createRequire(import.meta.url);
  const classes = Array.from({ length: 10 }, (_, d) => (JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), "utf8")) as { data: number[] }).data);
  const total = classes.reduce((n, c) => n + c.length / 784, 0);
  const pixels = new Float32Array(total * 784);
  const labels = new Int32Array(total);
  let at = 0;
  classes.forEach((data, digit) => {
    pixels.set(data, at * 784);
    labels.fill(digit, at, at + data.length / 784);
    at += data.length / 784;
  });
  return { images: tensor(pixels).reshape([total, 784]), labels: tensor(labels, { dtype: "int32" }) };
}

type Trainable = optim.Optimizer & { train?: () => void; eval?: () => void };

const BUDGET = { trainSize: 2000, testSize: 2000, epochs: 2, batchSize: 64, seed: 0 };
let data: { X: Tensor; Y: Tensor; TX: Tensor; TY: Tensor };

beforeAll(() => {
  const { images, labels } = readDigits();
  const { trainSize, testSize, seed } = BUDGET;
  const order = randperm(images.shape[0]!, { generator: new Generator(seed) });
  const train = order.slice(0, 0, trainSize);
  const test = order.slice(0, trainSize, trainSize + testSize);
  data = { X: images.indexSelect(0, train), Y: labels.indexSelect(0, train), TX: images.indexSelect(0, test), TY: labels.indexSelect(0, test) };
});

/** Held-out accuracy after training with the optimizer `make` builds. */
function accuracyWith(make: (params: nn.Parameter[]) => Trainable): number {
  const { trainSize, epochs, batchSize, seed } = BUDGET;
  manualSeed(seed);
  const net = new MLP(784, [64], 10);
  const optimizer = make(net.parameters());
  const criterion = new nn.CrossEntropyLoss();
  const shuffler = new Generator(seed + 1);
  for (let epoch = 0; epoch < epochs; epoch++) {
    optimizer.train?.();
    const perm = randperm(trainSize, { generator: shuffler });
    for (let b = 0; b < Math.ceil(trainSize / batchSize); b++) {
      const idx = perm.slice(0, b * batchSize, (b + 1) * batchSize);
      const loss = criterion.forward(net.forward(data.X.indexSelect(0, idx)), data.Y.indexSelect(0, idx));
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    }
  }
  optimizer.eval?.(); // Schedule-Free: evaluate at the averaged point x
  return noGrad(() => net.forward(data.TX).argmax(1).eq(data.TY).float().mean().item());
}

describe("the newer optimizers reach Adam's accuracy on the digits with the same budget", () => {
  let adam = 0;
  beforeAll(() => {
    adam = accuracyWith((p) => new optim.Adam(p, { lr: 1e-3 }));
  });

  it("Adam, the baseline, learns", () => {
    expect(adam).toBeGreaterThan(0.75); // 0.833 when measured
  });

  // Lion's default lr (1e-4) is meant for long runs of large models; its paper advises 3–10× below
  // AdamW's rate, for AdamW rates tuned to the task. On 64 steps it needs 1e-3 (1e-4: 0.61, 3e-4: 0.71).
  it("Lion (lr 1e-3)", () => {
    expect(accuracyWith((p) => new optim.Lion(p, { lr: 1e-3 }))).toBeGreaterThanOrEqual(adam);
  });

  it("Schedule-Free AdamW (defaults)", () => {
    expect(accuracyWith((p) => new optim.ScheduleFreeAdamW(p))).toBeGreaterThanOrEqual(adam);
  });

  it("Schedule-Free SGD (defaults)", () => {
    expect(accuracyWith((p) => new optim.ScheduleFreeSGD(p))).toBeGreaterThanOrEqual(adam);
  });

  it("Prodigy, given no learning rate", () => {
    expect(accuracyWith((p) => new optim.Prodigy(p))).toBeGreaterThanOrEqual(adam);
  });

  it("Muon (defaults; biases by its AdamW)", () => {
    expect(accuracyWith((p) => new optim.Muon(p))).toBeGreaterThanOrEqual(adam);
  });
});
