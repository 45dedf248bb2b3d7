/** train: fit, evaluate, callbacks, metrics, and exact resume from a checkpoint. */
import { describe, expect, it } from "vitest";
import { data, defaultGenerator, Generator, io, manualSeed, nn, optim, randn, tensor, train, type Tensor } from "../packages/nabla/src/index.js";
import { values } from "./helpers.js";

const { TensorDataset, DataLoader } = data;
const { fit, evaluate, EarlyStopping, ModelCheckpoint, LearningRateLogger, LambdaCallback, ProgressLogger, TerminateOnNaN, accuracy, confusionMatrix } = train;

/** Two Gaussian blobs in 2-D, class 0 around (-2, 0) and class 1 around (2, 0). */
function blobs(n: number, seed: number) {
  const g = new Generator(seed);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  const x = randn([n, 2], { generator: g }).add(tensor(Array.from(labels, (c) => [c ? 2 : -2, 0])));
  return new TensorDataset(x, tensor(labels));
}

function setup(seed = 0, { lr = 0.05 } = {}) {
  manualSeed(seed);
  const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 2));
  const optimizer = new optim.SGD(model.parameters(), { lr, momentum: 0.9 });
  const trainLoader = new DataLoader(blobs(64, 1), { batchSize: 16, shuffle: true, generator: new Generator(seed + 100) });
  const valLoader = new DataLoader(blobs(32, 2), { batchSize: 32 });
  return { model, optimizer, trainLoader, valLoader, loss: new nn.CrossEntropyLoss() };
}

/** A StepLR-like scheduler: multiplies every group's lr by gamma after each step, with a state dict. */
function halving(opt: optim.Optimizer, gamma = 0.5) {
  return {
    lastEpoch: 0,
    seen: [] as (number | undefined)[],
    // No declared parameter (like LRScheduler.step()), so fit passes a metric only when told to.
    step(...args: number[]) {
      this.seen.push(args[0]);
      this.lastEpoch++;
      for (const g of opt.paramGroups as unknown as { lr: number }[]) g.lr *= gamma;
    },
    stateDict() {
      return { lastEpoch: this.lastEpoch };
    },
    loadStateDict(s: { lastEpoch: number }) {
      this.lastEpoch = s.lastEpoch;
    },
  };
}

const params = (m: nn.AnyModule) => m.parameters().flatMap((p) => values(p));

describe("fit", () => {
  it("trains, and returns a history of losses, metrics and learning rates per epoch", async () => {
    const s = setup();
    const history = await fit(s.model, s.trainLoader, { ...s, epochs: 5, valLoader: s.valLoader, metrics: { accuracy } });
    expect(history.epochs.map((l) => l.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(history.stopReason).toBeNull();
    const first = history.epochs[0]!;
    const last = history.last!;
    expect(last.loss).toBeLessThan(first.loss);
    expect(last.valLoss).toBeLessThan(0.3);
    expect(last.valMetrics.accuracy).toBeGreaterThan(0.9);
    expect(last.metrics.accuracy).toBeGreaterThan(0.9);
    expect(last.lr).toBe(0.05);
    expect(last.lrs).toEqual([0.05]);
    expect(last.seconds).toBeGreaterThan(0);
    expect(history.series("valAccuracy")).toEqual(history.epochs.map((l) => l.valMetrics.accuracy));
    // The reported validation numbers are evaluate's.
    const v = await evaluate(s.model, s.valLoader, { loss: s.loss, metrics: { accuracy } });
    expect(v.loss).toBeCloseTo(last.valLoss!, 6);
    expect(v.metrics.accuracy).toBe(last.valMetrics.accuracy);
    expect(v.samples).toBe(32);
    const { outputs, targets } = await train.predict(s.model, s.valLoader);
    expect(outputs.shape).toEqual([32, 2]);
    expect(accuracy(outputs, targets)).toBe(last.valMetrics.accuracy);
    expect(confusionMatrix(outputs.argmax(1), targets, 2).sum().item()).toBe(32);
    expect(s.model.training).toBe(true);
  });

  it("runs a model of another signature through a forward option, and says so when the default gets no Tensor", async () => {
    const s = setup();
    const lstm = new nn.LSTM(2, 2);
    const head = { lstm, optimizer: new optim.SGD(lstm.parameters(), { lr: 0.01 }) };
    // the LSTM takes [seq, batch, features] and returns [output, [hN, cN]]
    const forward = (m: nn.LSTM, x: Tensor) => m.forward(x.unsqueeze(0))[0].squeeze(0);
    const h = await fit(head.lstm, s.trainLoader, { ...s, optimizer: head.optimizer, epochs: 1, forward });
    expect(h.epochs).toHaveLength(1);
    await expect(fit(head.lstm, s.trainLoader, { ...s, optimizer: head.optimizer, epochs: 1 })).rejects.toThrow(
      "fit: LSTM.forward(input) returned a list, not a Tensor; pass a forward option, e.g. forward: (m, x) => m.forward(x)[0]",
    );
  });

  it("calls the hooks in order, each epoch's batches between its start and end", async () => {
    const s = setup();
    const calls: string[] = [];
    const cb = new LambdaCallback({
      onTrainStart: () => void calls.push("trainStart"),
      onEpochStart: (_ctx, e) => void calls.push(`epochStart ${e}`),
      onBatchEnd: (ctx, b) => void calls.push(`batch ${b.epoch}.${b.batch}/${b.batches} n=${b.size} ${ctx.batchesPerEpoch}`),
      onEpochEnd: async (_ctx, log) => {
        await new Promise((r) => setTimeout(r, 1)); // async hooks are awaited
        calls.push(`epochEnd ${log.epoch}`);
      },
      onTrainEnd: (_ctx, h) => void calls.push(`trainEnd ${h.epochs.length}`),
    });
    await fit(s.model, s.trainLoader, { ...s, epochs: 2, callbacks: [cb] });
    expect(calls).toEqual([
      "trainStart",
      "epochStart 1",
      ...[1, 2, 3, 4].map((b) => `batch 1.${b}/4 n=16 4`),
      "epochEnd 1",
      "epochStart 2",
      ...[1, 2, 3, 4].map((b) => `batch 2.${b}/4 n=16 4`),
      "epochEnd 2",
      "trainEnd 2",
    ]);
  });

  it("steps the scheduler per epoch (or per batch), logs lr, and passes a monitored value for plateau schedulers", async () => {
    let s = setup();
    let sched = halving(s.optimizer);
    const lrLog = new LearningRateLogger();
    let h = await fit(s.model, s.trainLoader, { ...s, epochs: 3, scheduler: sched, callbacks: [lrLog] });
    expect(h.epochs.map((l) => l.lr)).toEqual([0.05, 0.025, 0.0125]);
    expect(lrLog.records.map((r) => r.lrs[0])).toEqual([0.05, 0.025, 0.0125]);
    expect(sched.seen).toEqual([undefined, undefined, undefined]);

    s = setup();
    sched = halving(s.optimizer, 0.9);
    const perBatch = new LearningRateLogger({ interval: "batch" });
    await fit(s.model, s.trainLoader, { ...s, epochs: 1, scheduler: sched, schedulerInterval: "batch", callbacks: [perBatch] });
    expect(perBatch.records.map((r) => r.batch)).toEqual([1, 2, 3, 4]);
    expect(perBatch.records[3]!.lrs[0]).toBeCloseTo(0.05 * 0.9 ** 3, 12);

    s = setup();
    sched = halving(s.optimizer);
    h = await fit(s.model, s.trainLoader, { ...s, epochs: 2, valLoader: s.valLoader, scheduler: sched, schedulerMonitor: "valLoss" });
    expect(sched.seen).toEqual(h.epochs.map((l) => l.valLoss));
  });

  it("drives nabla's own schedulers: StepLR per epoch, ReduceLROnPlateau on the validation loss", async () => {
    let s = setup();
    const step = new optim.lrScheduler.StepLR(s.optimizer, { stepSize: 2, gamma: 0.1 });
    const h = await fit(s.model, s.trainLoader, { ...s, epochs: 5, scheduler: step });
    [0.05, 0.05, 0.005, 0.005, 0.0005].forEach((lr, i) => expect(h.epochs[i]!.lr).toBeCloseTo(lr, 12));

    s = setup(0, { lr: 0 }); // lr 0: the validation loss never improves
    const plateau = new optim.lrScheduler.ReduceLROnPlateau(s.optimizer, { patience: 0, factor: 0.5 });
    const seen: number[] = [];
    const original = plateau.step.bind(plateau);
    plateau.step = (metric: number) => {
      seen.push(metric);
      original(metric);
    };
    const h2 = await fit(s.model, s.trainLoader, { ...s, epochs: 3, valLoader: s.valLoader, scheduler: plateau });
    expect(seen).toEqual(h2.epochs.map((l) => l.valLoss));
    expect(h2.epochs.map((l) => l.lr)).toEqual([0, 0, 0]);
  });

  it("EarlyStopping stops when the monitor stops improving and can restore the best weights", async () => {
    const s = setup();
    const scores = [1, 3, 2, 2.5, 5, 6];
    let current = 0;
    const weights: number[][] = [];
    const script = new LambdaCallback({
      onEpochStart: (_ctx, e) => void (current = scores[e - 1]!),
      onEpochEnd: (ctx) => void weights.push(params(ctx.model)),
    });
    const early = new EarlyStopping({ monitor: "score", patience: 1, restoreBestWeights: true, mode: "max" });
    const h = await fit(s.model, s.trainLoader, { ...s, epochs: 6, metrics: { score: () => current }, callbacks: [script, early] });
    expect(h.stopReason).toBe("earlyStopping");
    expect(h.epochs.map((l) => l.metrics.score)).toEqual([1, 3, 2, 2.5]);
    expect(early.stoppedEpoch).toBe(4);
    expect(early.monitor.bestEpoch).toBe(2);
    expect(params(s.model)).toEqual(weights[1]);
    // 'auto' mode: smaller is better for losses; an unknown monitor names what exists.
    expect(new EarlyStopping().monitor.mode).toBe("min");
    expect(new EarlyStopping({ monitor: "valAccuracy" }).monitor.mode).toBe("max");
    const { valLoader: _noVal, ...noVal } = setup();
    await expect(fit(noVal.model, noVal.trainLoader, { ...noVal, epochs: 1, callbacks: [new EarlyStopping()] })).rejects.toThrow(
      /EarlyStopping: monitor "valLoss" is not in the epoch log \(available: loss\)/,
    );
  });

  it("ModelCheckpoint saves every epoch, or only improvements, with the history so far", async () => {
    const s = setup();
    const saved: { epoch: number; best: boolean; ckpt: io.Checkpoint }[] = [];
    const every = new ModelCheckpoint({ save: (ckpt, info) => void saved.push({ ...info, ckpt }) });
    await fit(s.model, s.trainLoader, { ...s, epochs: 3, callbacks: [every] });
    expect(saved.map((x) => x.epoch)).toEqual([1, 2, 3]);
    expect(saved[2]!.ckpt.epoch).toBe(3);
    expect((saved[2]!.ckpt.extra!.history as unknown[]).length).toBe(3);
    expect(Object.keys(saved[2]!.ckpt.generators!)).toEqual(["default", "loader"]);
    expect(saved[2]!.ckpt.optimizer!.paramGroups[0]).toMatchObject({ lr: 0.05, momentum: 0.9 });

    const scores = [0.5, 0.4, 0.7, 0.6];
    let current = 0;
    const best: number[] = [];
    const s2 = setup();
    await fit(s2.model, s2.trainLoader, {
      ...s2,
      epochs: 4,
      metrics: { acc: () => current },
      callbacks: [
        new LambdaCallback({ onEpochStart: (_c, e) => void (current = scores[e - 1]!) }),
        new ModelCheckpoint({ monitor: "acc", saveBestOnly: true, save: (_ckpt, info) => void best.push(info.epoch) }),
      ],
    });
    expect(best).toEqual([1, 3]);
  });

  it("resumes from a checkpoint exactly: epochs 3–4 after a restore equal an uninterrupted run", async () => {
    const a = setup(5);
    const schedA = new optim.lrScheduler.ExponentialLR(a.optimizer, { gamma: 0.8 });
    let bytes: Uint8Array | null = null;
    const keep = new ModelCheckpoint({ save: (ckpt, { epoch }) => void (epoch === 2 && (bytes = io.serializeCheckpoint(ckpt))) });
    const full = await fit(a.model, a.trainLoader, { ...a, epochs: 4, scheduler: schedA, callbacks: [keep] });

    // A fresh process: other initial weights, another shuffle seed, the default generator moved on.
    const b = setup(9);
    const schedB = new optim.lrScheduler.ExponentialLR(b.optimizer, { gamma: 0.8 });
    schedB.step(); // a different scheduler state, to be overwritten
    defaultGenerator.manualSeed(12345);
    const ckpt = io.parseCheckpoint(bytes!, "epoch2.safetensors");
    io.restoreCheckpoint(ckpt, {
      model: b.model,
      optimizer: b.optimizer,
      scheduler: schedB,
      generators: { default: defaultGenerator, loader: b.trainLoader.generator },
    });
    const resumed = await fit(b.model, b.trainLoader, {
      ...b,
      epochs: 4,
      scheduler: schedB,
      initialEpoch: ckpt.epoch,
      history: ckpt.extra!.history as train.EpochLog[],
    });
    expect(params(b.model)).toEqual(params(a.model));
    expect(resumed.epochs.map((l) => [l.epoch, l.loss, l.lr])).toEqual(full.epochs.map((l) => [l.epoch, l.loss, l.lr]));
    expect(schedB.lastEpoch).toBe(4);
  });

  it("stops after the current batch when the signal is aborted, without logging the cut epoch", async () => {
    const s = setup();
    const controller = new AbortController();
    let ended = false;
    const cb = new LambdaCallback({
      onBatchEnd: (_ctx, b) => void (b.epoch === 2 && b.batch === 2 && controller.abort()),
      onTrainEnd: () => void (ended = true),
    });
    const h = await fit(s.model, s.trainLoader, { ...s, epochs: 5, callbacks: [cb], signal: controller.signal });
    expect(h.stopReason).toBe("aborted");
    expect(h.epochs.map((l) => l.epoch)).toEqual([1]);
    expect(ended).toBe(true);
  });

  it("TerminateOnNaN stops at a NaN loss; detectAnomaly names the op that made it", async () => {
    const s = setup();
    const nanLoss = (o: Tensor, t: Tensor) => s.loss.forward(o, t).mul(NaN);
    const h = await fit(s.model, s.trainLoader, { ...s, loss: nanLoss, epochs: 3, callbacks: [new TerminateOnNaN()] });
    expect(h.stopReason).toBe("nan");
    expect(h.epochs).toEqual([]);
    // A model whose forward takes the log of negative numbers.
    const s2 = setup();
    const logModel = new (class extends nn.Module {
      lin = new nn.Linear(2, 2);
      forward(x: Tensor) {
        return this.lin.forward(x).log();
      }
    })();
    await expect(fit(logModel, s2.trainLoader, { ...s2, optimizer: new optim.SGD(logModel.parameters(), { lr: 0.1 }), epochs: 1, detectAnomaly: true })).rejects.toThrow(
      /^fit: epoch 1, batch 1: detectAnomaly: log \(LogBackward0\) produced nan/,
    );
  });

  it("takes any iterable of batches, async ones included, and custom batch shapes", async () => {
    const { valLoader: _noVal, ...s } = setup();
    const [x, y] = blobs(32, 3).tensors;
    async function* batches() {
      for (let i = 0; i < 32; i += 8) yield { input: x.slice(0, i, i + 8), label: y.slice(0, i, i + 8) };
    }
    const lines: string[] = [];
    const h = await fit(s.model, { [Symbol.asyncIterator]: batches }, {
      ...s,
      epochs: 2,
      splitBatch: (b) => [b.input, b.label],
      callbacks: [new ProgressLogger({ log: (l) => lines.push(l), everyBatches: 2 })],
    });
    expect(h.epochs.length).toBe(2);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^epoch 1\/2 {2}batch 2 {2}loss \d/);
    expect(lines[2]).toMatch(/^epoch 1\/2 {2}loss \d\.\d{4} {2}lr 0\.05 {2}\(\d+\.\d s\)$/);
    await expect(fit(s.model, [[x]], { ...s, epochs: 1 })).rejects.toThrow(/a batch must be \[input, target\]/);
    await expect(fit(s.model, [], { ...s, epochs: 1 })).rejects.toThrow(/yielded no batches/);
  });
});

describe("metrics", () => {
  it("accuracy from int32 labels or one-hot targets; the confusion matrix", () => {
    const out = tensor([[2, 1], [0, 3], [5, 1], [0, 1]]);
    expect(accuracy(out, tensor([0, 1, 1, 1], { dtype: "int32" }))).toBe(0.75);
    expect(accuracy(out, tensor([[1, 0], [0, 1], [0, 1], [0, 1]]))).toBe(0.75);
    const cm = confusionMatrix(tensor([0, 1, 0, 1], { dtype: "int32" }), tensor([0, 1, 1, 1], { dtype: "int32" }), 2);
    expect(cm.toArray()).toEqual([[1, 0], [1, 2]]);
    expect(() => confusionMatrix(tensor([2], { dtype: "int32" }), tensor([0], { dtype: "int32" }), 2)).toThrow(/class 2 at sample 0 is out of range/);
  });
});
