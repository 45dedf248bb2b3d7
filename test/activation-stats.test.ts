/**
 * nn.utils.ActivationStats (issue 14's per-layer diagnostics): exact numbers on tiny models worked
 * by hand, the gradient norms against autograd's own gradients, the window (reset), the hooks'
 * removal, a flat heap over a training loop, and on the digits the dead-ReLU share climbing when
 * the learning rate is absurd.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { F, Generator, getBackend, manualSeed, memory, nn, noGrad, OptionError, optim, randint, randn, randperm, tensor, type Tensor } from "../packages/nabla/src/index.js";

/** Linear(2 → 3) with weights [[1, 0], [0, 1], [-1, -1]] and no bias, then a ReLU: unit 2 is ≤ 0 for every input below. */
function tinyNet(): nn.Sequential {
  const net = new nn.Sequential(new nn.Linear(2, 3, { bias: false }), new nn.ReLU());
  noGrad(() => (net.at(0) as nn.Linear).weight.copy_(tensor([[1, 0], [0, 1], [-1, -1]])));
  return net;
}
const x = () => tensor([[1, 2], [3, -1]]);

describe("nn.utils.ActivationStats", () => {
  it("gives the hand-computed mean, std, range, histogram and dead share of each layer", () => {
    const net = tinyNet();
    const stats = new nn.utils.ActivationStats(net, { bins: 3 });
    net.forward(x());
    const [linear, relu] = stats.summary();
    // Linear output [[1, 2, -3], [3, -1, -2]]: mean 0, squares 28, unbiased std √(28/5)
    expect(linear).toMatchObject({ name: "0", kind: "Linear", count: 6, min: -3, max: 3, dead: null, saturated: null, gradNorm: null });
    expect(linear!.mean).toBeCloseTo(0, 12);
    expect(linear!.std).toBeCloseTo(Math.sqrt(28 / 5), 6);
    // range [-3, 3] from the first batch: -3, -2 | -1 | 1, 2, 3 (3 is the top edge, in the last bin)
    expect(linear!.histogram).toEqual({ edges: [-3, -1, 1, 3], counts: [2, 1, 3] });
    // ReLU output [[1, 2, 0], [3, 0, 0]]: mean 1, deviations 0, 1, -1, 2, -1, -1 → std √(8/5); unit 2 never fired
    expect(relu).toMatchObject({ name: "1", kind: "ReLU", count: 6, mean: 1, min: 0, max: 3, gradNorm: null });
    expect(relu!.std).toBeCloseTo(Math.sqrt(8 / 5), 6);
    expect(relu!.histogram).toEqual({ edges: [0, 1, 2, 3], counts: [3, 1, 2] });
    expect(relu!.dead).toBeCloseTo(1 / 3, 12);
    expect(relu!.saturated).toBeNull();

    // unit 1 fired in the first batch, so it stays alive through a batch where it does not; unit 2 comes alive
    net.forward(tensor([[1, -5], [-1, -1]])); // Linear [[1, -5, 4], [-1, -1, 2]]
    const after = stats.summary();
    expect(after[1]!.dead).toBe(0);
    expect(after[1]!.count).toBe(12);
    // 4 > 3 doubles the range up to [-3, 9] (bins [-3, 1) [1, 5) [5, 9): counts 3, 3, 0), then -5 < -3
    // doubles it down to [-15, 9]: [-15, -7) [-7, 1) [1, 9) hold 0, 3, 3 of the first batch and 0, 3, 3 of this one
    expect(after[0]!.histogram).toEqual({ edges: [-15, -7, 1, 9], counts: [0, 6, 6] });
    expect(after[0]!.min).toBe(-5);
    expect(after[0]!.max).toBe(4);
  });

  it("widens the histogram by exact doublings: its counts are those of every value binned afresh on the final edges", () => {
    manualSeed(1);
    const identity = new nn.Identity();
    const stats = new nn.utils.ActivationStats(identity, { bins: 5 }); // odd: a doubling pairs the end bin with empty space
    const batches = [randn([200]), randn([200]).mul(4), randn([200]).mul(50).add(30)];
    for (const b of batches) identity.forward(b);
    const { edges, counts } = stats.summary()[0]!.histogram;
    const [lo, hi] = [edges[0]!, edges.at(-1)!];
    const fresh = new Array<number>(5).fill(0);
    for (const b of batches) for (const v of b.toTypedArray()) fresh[Math.min(4, Math.floor(((v - lo) * 5) / (hi - lo)))]!++;
    expect(counts).toEqual(fresh);
    expect(counts.reduce((a, c) => a + c, 0)).toBe(600);
    const all = batches.flatMap((b) => Array.from(b.toTypedArray()));
    expect(lo).toBeLessThanOrEqual(Math.min(...all));
    expect(hi).toBeGreaterThanOrEqual(Math.max(...all));
    // the first batch's range, doubled a whole number of times
    const first = Array.from(batches[0]!.toTypedArray());
    const firstWidth = Math.max(...first) - Math.min(...first);
    const doublings = Math.log2((hi - lo) / firstWidth);
    expect(doublings).toBeGreaterThanOrEqual(3);
    expect(Math.abs(doublings - Math.round(doublings))).toBeLessThan(1e-9);
  });

  it("counts a channel of a convolution's output as one unit", () => {
    const relu = new nn.ReLU();
    const stats = new nn.utils.ActivationStats(relu);
    // [N=2, C=3, 2]: channel 0 fires once, channel 1 never, channel 2 everywhere
    relu.forward(tensor([[[-1, 0], [-1, -2], [1, 1]], [[0, 5], [0, -3], [2, 2]]]));
    expect(stats.summary()[0]!.name).toBe("");
    expect(stats.summary()[0]!.dead).toBeCloseTo(1 / 3, 12);
  });

  it("measures saturation against the output range: sigmoid fed ±10, tanh with the makemore threshold", () => {
    const sigmoid = new nn.Sigmoid();
    const stats = new nn.utils.ActivationStats(sigmoid, { bins: 4 });
    // σ(-10) ≈ 4.5e-5 and σ(10) are saturated, σ(0) = 0.5 and σ(0.5) ≈ 0.62 are not
    sigmoid.forward(tensor([[-10, 0, 10, 0.5]]));
    const [s] = stats.summary();
    expect(s!.saturated).toBe(0.5);
    expect(s!.dead).toBeNull();
    expect(s!.histogram).toEqual({ edges: [0, 0.25, 0.5, 0.75, 1], counts: [1, 0, 2, 1] });

    const tanh = new nn.Tanh();
    const strict = new nn.utils.ActivationStats(tanh, { saturation: 0.03 });
    const loose = new nn.utils.ActivationStats(tanh);
    // tanh(2) ≈ 0.964: saturated at 0.05 (|t| > 0.95), not at makemore's |t| > 0.97
    tanh.forward(tensor([-10, 0.1, 2, 1]));
    expect(loose.summary()[0]!.saturated).toBe(0.5);
    expect(strict.summary()[0]!.saturated).toBe(0.25);
    expect(loose.summary()[0]!.histogram.edges[0]).toBe(-1);
  });

  it("gives the norm of the gradient with respect to each output, as autograd computes it, averaged over backward passes", () => {
    manualSeed(3);
    const net = new nn.Sequential(new nn.Linear(4, 5), new nn.Tanh(), new nn.Linear(5, 3));
    const input = randn([6, 4]);
    const target = randn([6, 3]);
    const loss = (out: Tensor) => F.mseLoss(out, target);

    // the reference: autograd's gradients of the same loss with respect to each layer's output
    const outputs: Tensor[] = [];
    let h = input;
    for (const layer of net.children()) {
      h = (layer as nn.Module).forward(h).retainGrad();
      outputs.push(h);
    }
    loss(h).backward();
    const norms = outputs.map((o) => Math.sqrt(o.grad!.mul(o.grad!).sum().item()));
    net.zeroGrad();

    const stats = new nn.utils.ActivationStats(net);
    loss(net.forward(input)).backward();
    stats.summary().forEach((s, i) => expect(s.gradNorm).toBeCloseTo(norms[i]!, 5));
    // a second pass with twice the loss: its norms are twice, the mean 1.5×
    loss(net.forward(input)).mul(2).backward();
    stats.summary().forEach((s, i) => expect(s.gradNorm).toBeCloseTo(1.5 * norms[i]!, 5));
    // a forward without backward (or under noGrad) adds values but no gradient
    noGrad(() => net.forward(input));
    expect(stats.summary()[0]!.count).toBe(3 * 6 * 5);
    expect(stats.summary()[0]!.gradNorm).toBeCloseTo(1.5 * norms[0]!, 5);
  });

  it("reset starts a new window; pause stops recording; remove takes every hook away", () => {
    const net = tinyNet();
    const stats = new nn.utils.ActivationStats(net, { modules: ["1"] });
    const input = x().requiresGrad_();
    net.forward(input).sum().backward();
    expect(stats.summary().map((s) => s.name)).toEqual(["1"]);
    expect(stats.summary()[0]!.gradNorm).toBeCloseTo(Math.sqrt(6), 6); // ∂sum/∂relu = ones [2, 3]

    stats.reset();
    const empty = stats.summary()[0]!;
    expect(empty).toMatchObject({ count: 0, dead: null, gradNorm: null, histogram: { edges: [], counts: [] } });
    expect(empty.mean).toBeNaN();
    expect(stats.table()).toMatch(/^1\s+ReLU\s+-\s+-\s+-\s+-\s+-$/m);

    stats.pause();
    net.forward(input).sum().backward();
    expect(stats.summary()[0]!.count).toBe(0);
    stats.resume();
    // a new window takes its range from its own first batch: [0, 20] here, where the first window had [0, 3]
    net.forward(tensor([[10, 20], [0, 0]]));
    expect(stats.summary()[0]!.histogram.edges.at(-1)).toBe(20);

    stats.remove();
    const before = stats.summary();
    const y = net.forward(input);
    y.sum().backward();
    expect(stats.summary()).toEqual(before);
    expect(y.gradFn?.name).not.toBe("GradientReaderBackward");
  });

  it("prints a fixed-width table: name, kind, mean, std, dead %, saturated %, grad norm", () => {
    const net = tinyNet();
    const stats = new nn.utils.ActivationStats(net);
    net.forward(x().requiresGrad_()).sum().backward();
    expect(stats.table()).toBe(
      [
        "layer  kind      mean     std   dead  saturated  grad norm",
        "0      Linear  0.0000  2.3664      -          -     1.7321",
        "1      ReLU    1.0000  1.2649  33.3%          -     2.4495",
      ].join("\n"),
    );
  });

  it("refuses bad options with errors that name them", () => {
    const net = tinyNet();
    expect(() => new nn.utils.ActivationStats(net, { bins: 0 })).toThrow(OptionError);
    expect(() => new nn.utils.ActivationStats(net, { bins: 2.5 })).toThrow(/bins must be a positive integer, got 2.5/);
    expect(() => new nn.utils.ActivationStats(net, { saturation: 0.5 })).toThrow(/saturation must be a number in \(0, 0.5\), got 0.5/);
    expect(() => new nn.utils.ActivationStats(net, { modules: ["fc9"] })).toThrow(/modules\[0\] \("fc9"\) is not a module of the model; its modules are "", "0", "1"/);
    expect(() => new nn.utils.ActivationStats(net, { modules: [new nn.ReLU()] })).toThrow(/modules\[0\] \(ReLU\)/);
  });

  it.skipIf(getBackend() !== "wasm")("keeps no tensor: the heap stays flat over 200 training steps", () => {
    manualSeed(0);
    const net = new nn.Sequential(new nn.Linear(256, 256), new nn.ReLU(), new nn.Linear(256, 256), new nn.Tanh(), new nn.Linear(256, 10));
    const stats = new nn.utils.ActivationStats(net);
    const opt = new optim.SGD(net.parameters(), { lr: 0.01 });
    const input = randn([64, 256]);
    const target = randint(0, 10, [64]);
    const step = () => {
      opt.zeroGrad();
      const l = F.crossEntropy(net.forward(input), target);
      l.backward();
      opt.step();
      return l.item();
    };
    memory.setCollection("off");
    try {
      const collections = memory.stats().collections;
      step();
      const allocated = memory.stats().allocated;
      for (let i = 0; i < 200; i++) step();
      // each step's activations alone are 64 KiB a layer: a kept tensor would show as megabytes
      expect(memory.stats().allocated).toBeLessThanOrEqual(allocated + 4096);
      expect(memory.stats().collections).toBe(collections);
      expect(stats.summary()[0]!.count).toBe(201 * 64 * 256);
    } finally {
      memory.setCollection("auto");
    }
  });
});

/** The first `perClass` digits of each class, as loadDigits() gives them (read with fs: importing the JSON through vitest's transform takes ~15 s). */
function someDigits(perClass: number): { images: Tensor; labels: Tensor } {
  const require = createRequire(import.meta.url);
  const pixels = new Float32Array(10 * perClass * 784);
  const labels = new Int32Array(10 * perClass);
  for (let d = 0; d < 10; d++) {
    const { data } = JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), "utf8")) as { data: number[] };
    pixels.set(data.slice(0, perClass * 784), d * perClass * 784);
    labels.fill(d, d * perClass, (d + 1) * perClass);
  }
  return { images: tensor(pixels).reshape([10 * perClass, 784]), labels: tensor(labels, { dtype: "int32" }) };
}

describe("ActivationStats on an MLP learning the digits", () => {
  it("shows ReLUs dying when the learning rate is absurd", () => {
    const { images, labels } = someDigits(50);
    const run = (lr: number) => {
      manualSeed(0);
      const net = new nn.Sequential(new nn.Linear(784, 64), new nn.ReLU(), new nn.Linear(64, 10));
      const stats = new nn.utils.ActivationStats(net);
      const opt = new optim.SGD(net.parameters(), { lr });
      const order = randperm(500, { generator: new Generator(1) });
      const batch = (b: number) => order.slice(0, b * 50, (b + 1) * 50);
      const dead: number[] = [];
      const losses: number[] = [];
      // ten steps, each window one batch
      for (let b = 0; b < 10; b++) {
        stats.reset();
        const idx = batch(b);
        opt.zeroGrad();
        const loss = F.crossEntropy(net.forward(images.indexSelect(0, idx)), labels.indexSelect(0, idx));
        loss.backward();
        losses.push(loss.item());
        opt.step();
        dead.push(stats.summary()[1]!.dead!);
      }
      return { dead, losses, stats: stats.summary() };
    };
    const sane = run(0.05);
    const absurd = run(10);
    // the units die, not the numbers: every loss stayed finite (a NaN is never > 0 and would count as dead)
    for (const l of [...sane.losses, ...absurd.losses]) expect(Number.isFinite(l)).toBe(true);
    expect(sane.dead[0]).toBeLessThan(0.2);
    expect(Math.max(...sane.dead)).toBeLessThan(0.2);
    expect(absurd.dead.at(-1)!).toBeGreaterThan(0.5);
    expect(absurd.dead.at(-1)!).toBeGreaterThan(sane.dead.at(-1)! + 0.4);
    expect(sane.stats.map((s) => s.gradNorm)).toEqual(sane.stats.map(() => expect.any(Number)));
  });
});
