/**
 * The training loop, in a Web Worker so the page stays responsive: an MLP of nabla's nn modules
 * trained with nabla's optim on the chosen set; every few steps it posts the loss, the held-out
 * accuracy, the per-layer statistics (stats.ts) and the decision boundary on a grid.
 */
import { linspace, manualSeed, nn, noGrad, optim, randperm, ready, setNumThreads, tensor, type Tensor } from "nabla";
import { boundaryPicture } from "./boundary.js";
import { EXTENT, loadDigitSubset, makeSet, shownDigits, type Points } from "./datasets.js";
import { findRule } from "./optimizers.js";
import { activationStats, statsSource, type ActivationStatsLike } from "./stats.js";
import { GRID, LOSS_EVERY, REPORT_MS, SHOWN_DIGITS, type FromWorker, type HiddenActivation, type ToWorker, type TrainConfig } from "./train-protocol.js";

/** Share of the set held out for the accuracy. */
const HELD_OUT = 0.2;

const post = (message: FromWorker, transfer: Transferable[] = []): void => postMessage(message, { transfer });

type Layer = nn.Module<[Tensor], Tensor>;

function activation(name: HiddenActivation): Layer {
  const classes: Record<HiddenActivation, new () => Layer> = {
    ReLU: nn.ReLU, LeakyReLU: nn.LeakyReLU, Tanh: nn.Tanh, Sigmoid: nn.Sigmoid, ELU: nn.ELU, GELU: nn.GELU, SiLU: nn.SiLU, Mish: nn.Mish, Softplus: nn.Softplus, SELU: nn.SELU,
  };
  return new classes[name]();
}

function mlp(features: number, hidden: number[], classes: number, act: HiddenActivation): InstanceType<typeof nn.Sequential> {
  const layers: Layer[] = [];
  let width = features;
  for (const h of hidden) {
    layers.push(new nn.Linear(width, h), activation(act));
    width = h;
  }
  layers.push(new nn.Linear(width, classes));
  return new nn.Sequential(...layers);
}

/** The grid's points, row-major with y from the top, as a [GRID², 2] tensor. */
function gridPoints(): Tensor {
  const axis = Array.from(linspace(-EXTENT, EXTENT, GRID).toTypedArray(), Number);
  const pts: number[][] = [];
  for (let r = 0; r < GRID; r++) for (let c = 0; c < GRID; c++) pts.push([axis[c]!, axis[GRID - 1 - r]!]);
  return tensor(pts);
}

/**
 * Lets the worker's queued messages run, then resumes. A message to itself rather than
 * setTimeout(0): nested timeouts are clamped to 4 ms, and a message queued after the page's
 * (a new lr) runs after it.
 */
const yieldChannel = new MessageChannel();
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    yieldChannel.port1.onmessage = () => resolve();
    yieldChannel.port2.postMessage(null);
  });
}

let paused = false;
let lrOverride: number | null = null;
let run = 0;

async function train(config: TrainConfig, id: number): Promise<void> {
  manualSeed(config.seed);
  const points: Points = config.set === "digits" ? await loadDigitSubset() : makeSet(config.set, 600, config.noise, config.seed);
  post({ type: "data", run: id, inputs: points.inputs, labels: points.labels, features: points.features, classes: points.classes, statsSource: statsSource() });
  const n = points.labels.length;
  const all = tensor(points.inputs).reshape([n, points.features]);
  const labels = tensor(points.labels);
  // a fixed random split: the last 20% of a permutation are held out
  const order = randperm(n);
  const trainCount = Math.round(n * (1 - HELD_OUT));
  const trainIdx = order.narrow(0, 0, trainCount);
  const testIdx = order.narrow(0, trainCount, n - trainCount);
  const [xTrain, yTrain] = [all.indexSelect(0, trainIdx), labels.indexSelect(0, trainIdx)];
  const [xTest, yTest] = [all.indexSelect(0, testIdx), labels.indexSelect(0, testIdx)];
  const model = mlp(points.features, config.hidden, points.classes, config.activation);
  const optimizer = findRule(config.optimizer).make(model.parameters(), config.lr);
  const scheduler =
    config.schedule === "cosine"
      ? new optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: config.steps })
      : config.schedule === "step"
        ? new optim.lrScheduler.StepLR(optimizer, { stepSize: Math.max(1, Math.round(config.steps / 3)), gamma: 0.1 })
        : null;
  const stats: ActivationStatsLike = activationStats(model, 30);
  const grid = points.features === 2 ? gridPoints() : null;
  const shown = points.features === 2 ? null : all.indexSelect(0, tensor(Int32Array.from(shownDigits(n, SHOWN_DIGITS))));
  const batch = Math.min(config.batchSize, trainCount);
  let perm = randperm(trainCount);
  let at = 0;
  let lastReport = -Infinity;
  const losses = { steps: [] as number[], values: [] as number[] };
  try {
    for (let step = 1; step <= config.steps; step++) {
      if (id !== run) return;
      while (paused && id === run) await new Promise((r) => setTimeout(r, 50));
      if (lrOverride !== null) {
        for (const g of optimizer.paramGroups) g.lr = lrOverride;
        lrOverride = null;
      }
      if (at + batch > trainCount) [perm, at] = [randperm(trainCount), 0];
      const idx = perm.narrow(0, at, batch);
      at += batch;
      const report = (step % LOSS_EVERY === 0 && performance.now() - lastReport >= REPORT_MS) || step === config.steps;
      if (report) stats.reset();
      optimizer.zeroGrad();
      const loss = nn.functional.crossEntropy(model.forward(xTrain.indexSelect(0, idx)), yTrain.indexSelect(0, idx));
      loss.backward();
      optimizer.step();
      scheduler?.step();
      if (step % LOSS_EVERY === 0 || report) {
        losses.steps.push(step);
        losses.values.push(loss.item());
      }
      if (!report) {
        // let the messages in (pause, a new lr, a new run) every few steps, not only at reports
        if (step % LOSS_EVERY === 0) await yieldToMessages();
        continue;
      }
      const layers = stats.summary();
      stats.pause(); // the held-out and grid forwards are not training batches
      const [accuracy, probs, predictions] = noGrad(() => {
        const accuracy = model.forward(xTest).argmax(1).eq(yTest).float().mean().item();
        const probs = grid === null ? null : Float32Array.from(model.forward(grid).softmax(1).toTypedArray() as Float32Array);
        const predictions = shown === null ? null : Int32Array.from(model.forward(shown).argmax(1).toTypedArray() as ArrayLike<number>);
        return [accuracy, probs, predictions] as const;
      });
      stats.resume();
      const picture = probs === null ? null : boundaryPicture(probs, GRID, points.classes);
      post({ type: "progress", run: id, step, lr: optimizer.paramGroups[0]!.lr, loss: losses.values[losses.values.length - 1]!, accuracy, losses: { steps: losses.steps.splice(0), values: losses.values.splice(0) }, layers, picture, predictions, done: step === config.steps }, picture === null ? [] : [picture]);
      lastReport = performance.now();
      await yieldToMessages();
    }
  } finally {
    stats.remove();
  }
}

onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "pause") paused = true;
  else if (message.type === "resume") paused = false;
  else if (message.type === "lr") lrOverride = message.lr;
  else {
    const id = ++run;
    paused = false;
    lrOverride = null;
    ready()
      .then(() => {
        setNumThreads(1);
        return train(message.config, id);
      })
      .catch((e: unknown) => post({ type: "error", message: e instanceof Error ? e.message : String(e) }));
  }
};
