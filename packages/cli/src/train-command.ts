/**
 * `nabla train`: loads the data, builds the model, the optimizer and the schedule of a recipe,
 * and runs `train.fit` with progress, a checkpoint after every epoch (the exact resume point),
 * a checkpoint on Ctrl-C, and at the end the training curves as SVG and in the terminal. With
 * --inspect, each epoch also prints nn.utils.ActivationStats' per-layer table.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { data, defaultGenerator, Generator, io, manualSeed, memory, nn, OptionError, optim, train, type Tensor } from "nabla";
import { checkpointFile, loadCheckpoint, saveCheckpoint } from "nabla/node";
import { UsageError, type OptimizerName, type RunOptions, type TrainConfig } from "./config.js";
import { loadData, type LoadedData } from "./datasets.js";
import { buildModel } from "./models.js";
import { curvesSvg, terminalChart, type CurvePoint } from "./plot.js";
import { formatEpoch, ProgressBars } from "./progress.js";

type AnyOptimizer = optim.Optimizer;

const OPTIMIZERS: Record<OptimizerName, new (params: nn.Parameter[], options: { lr: number }) => AnyOptimizer> = {
  adam: optim.Adam,
  adamw: optim.AdamW,
  nadam: optim.NAdam,
  radam: optim.RAdam,
  adamax: optim.Adamax,
  sgd: optim.SGD,
  adagrad: optim.Adagrad,
  adadelta: optim.Adadelta,
  rmsprop: optim.RMSprop,
  lion: optim.Lion,
  prodigy: optim.Prodigy,
};

/** The recipe's optimizer; an option the rule does not take is a UsageError naming it. */
export function makeOptimizer(config: TrainConfig, params: nn.Parameter[]): AnyOptimizer {
  const options: { lr: number; momentum?: number; weightDecay?: number } = { lr: config.lr };
  if (config.optimizer === "sgd") options.momentum = config.momentum ?? 0.9;
  else if (config.momentum !== undefined) options.momentum = config.momentum;
  if (config.weightDecay !== undefined) options.weightDecay = config.weightDecay;
  try {
    return new OPTIMIZERS[config.optimizer](params, options);
  } catch (e) {
    if (e instanceof OptionError) throw new UsageError(`--optimizer ${config.optimizer}: ${e.message}`);
    throw e;
  }
}

export type Schedule = { step(): void; stateDict(): object; loadStateDict(s: object): void };

/** The recipe's learning-rate schedule and whether it steps per batch or per epoch. */
export function makeScheduler(config: TrainConfig, optimizer: AnyOptimizer, stepsPerEpoch: number): { scheduler?: Schedule; interval: "batch" | "epoch" } {
  const S = optim.lrScheduler;
  switch (config.scheduler) {
    case "none":
      return { interval: "epoch" };
    case "onecycle":
      return { scheduler: new S.OneCycleLR(optimizer, { maxLr: config.lr, epochs: config.epochs, stepsPerEpoch }) as Schedule, interval: "batch" };
    case "cosine":
      return { scheduler: new S.CosineAnnealingLR(optimizer, { tMax: config.epochs }) as Schedule, interval: "epoch" };
    case "step":
      return { scheduler: new S.StepLR(optimizer, { stepSize: Math.max(1, Math.floor(config.epochs / 3)) }) as Schedule, interval: "epoch" };
    case "exponential":
      return { scheduler: new S.ExponentialLR(optimizer, { gamma: 0.9 }) as Schedule, interval: "epoch" };
  }
}

export interface TrainIO {
  log: (text: string) => void;
  /** Draw progress bars (on a terminal). */
  progress?: boolean;
  /** Aborting it stops training after the current batch and saves interrupted.safetensors. */
  signal?: AbortSignal;
  /** Extra callbacks (tests use them to stop at a given point). */
  callbacks?: train.Callback[];
}

export interface TrainResult {
  config: TrainConfig;
  data: LoadedData;
  model: nn.Module;
  history: train.History;
  checkpoint: string;
  interrupted: boolean;
  plot: string | null;
  /** With --inspect: each epoch's per-layer diagnostics, as its table printed them. */
  inspection: nn.utils.LayerStats[][];
}

export const CHECKPOINT_FILE = "last.safetensors";
export const INTERRUPTED_FILE = "interrupted.safetensors";

/** Every part of a run: the things a checkpoint holds and restores. */
interface Run {
  model: nn.Module;
  optimizer: AnyOptimizer;
  scheduler?: Schedule;
  interval: "batch" | "epoch";
  generators: Record<string, Generator>;
  trainLoader: data.DataLoader<[Tensor, Tensor]>;
  testLoader: data.DataLoader<[Tensor, Tensor]>;
}

function setUp(config: TrainConfig, loaded: LoadedData): Run {
  manualSeed(config.seed);
  const model = buildModel(config, loaded.inputShape, loaded.outputs);
  const optimizer = makeOptimizer(config, model.parameters());
  const shuffle = new Generator(config.seed + 1);
  const augmentation = new Generator(config.seed + 2);
  const images = loaded.inputShape.length === 3;
  const [, h, w] = loaded.inputShape;
  const transform =
    config.augment && images ? data.transforms.onInput<[Tensor, Tensor]>(data.transforms.randomCrop([h!, w!], { padding: 2, generator: augmentation })) : undefined;
  const trainLoader = new data.DataLoader(loaded.train, { batchSize: config.batchSize, shuffle: true, generator: shuffle, transform });
  const testLoader = new data.DataLoader(loaded.test, { batchSize: 1000 });
  const { scheduler, interval } = makeScheduler(config, optimizer, trainLoader.length);
  return { model, optimizer, scheduler, interval, generators: { default: defaultGenerator, loader: shuffle, augment: augmentation }, trainLoader, testLoader };
}

/** The curves to plot, each metric titled with its unit: the loss, and accuracy in percent or the mean absolute error. */
function curves(history: train.History, loaded: LoadedData): CurvePoint[] {
  const classification = loaded.task === "classification";
  const loss = classification ? "loss (cross-entropy)" : "loss (mean squared error)";
  const [key, metric, scale] = classification ? ["accuracy", "accuracy (%)", 100] : ["mae", "mean absolute error", 1];
  const test = loaded.testName;
  return history.epochs.flatMap((log) => [
    { epoch: log.epoch, value: log.loss, metric: loss, split: "train" },
    { epoch: log.epoch, value: log.valLoss ?? NaN, metric: loss, split: test },
    { epoch: log.epoch, value: (log.metrics[key] ?? NaN) * scale, metric, split: "train" },
    { epoch: log.epoch, value: (log.valMetrics[key] ?? NaN) * scale, metric, split: test },
  ]).filter((p) => Number.isFinite(p.value));
}

/**
 * --inspect: per-layer diagnostics over each epoch's training batches (not the validation pass,
 * which follows the last batch), printed after the epoch's line.
 */
function inspector(stats: nn.utils.ActivationStats, log: (text: string) => void, epochs: nn.utils.LayerStats[][]): train.Callback {
  stats.pause();
  return new train.LambdaCallback({
    onEpochStart: () => {
      stats.reset();
      stats.resume();
    },
    onBatchEnd: (_ctx, batch) => {
      if (batch.batch === batch.batches) stats.pause();
    },
    onEpochEnd: (_ctx, epoch) => {
      epochs.push(stats.summary());
      log(`layers in epoch ${epoch.epoch} (training batches):\n${stats.table()}\n`);
    },
  });
}

/** Trains a recipe (or resumes the one saved in the checkpoint directory). */
export async function runTrain(recipe: TrainConfig, run: RunOptions, out: TrainIO): Promise<TrainResult> {
  const checkpointPath = join(run.checkpointDir, CHECKPOINT_FILE);
  let config = recipe;
  let resumed: io.Checkpoint | null = null;
  if (run.resume) {
    try {
      resumed = await loadCheckpoint(checkpointPath);
    } catch (e) {
      throw new UsageError(`--resume: cannot read ${checkpointPath}: ${(e as Error).message}`);
    }
    config = (resumed.extra?.config as TrainConfig | undefined) ?? recipe;
    out.log(`nabla: resuming ${checkpointPath} after epoch ${resumed.epoch} (its saved configuration is used)`);
  }
  const loaded = await loadData(config);
  const parts = setUp(config, loaded);
  if (resumed) io.restoreCheckpoint(resumed, { model: parts.model, optimizer: parts.optimizer, scheduler: parts.scheduler, generators: parts.generators });

  const classification = loaded.task === "classification";
  out.log(`nabla: ${loaded.description}`);
  const [sample] = (await loaded.test.get(0)) as [Tensor, Tensor];
  out.log(parts.model.summary(sample.unsqueeze(0)));
  out.log(
    `optimizer ${config.optimizer} (lr ${config.lr}${config.scheduler === "none" ? "" : `, ${config.scheduler} schedule`}), ` +
      `batch size ${config.batchSize}, ${config.epochs} epochs, seed ${config.seed}${config.augment && loaded.inputShape.length === 3 ? ", random shifts" : ""}\n`,
  );
  mkdirSync(run.checkpointDir, { recursive: true });
  const line = { epochs: config.epochs, testName: loaded.testName, classification };
  // made after the summary above, whose forward it must not count
  const stats = run.inspect ? new nn.utils.ActivationStats(parts.model) : null;
  const inspection: nn.utils.LayerStats[][] = [];
  const callbacks: train.Callback[] = [
    new train.ModelCheckpoint({ save: checkpointFile(checkpointPath), extra: { config } }),
    out.progress ? new ProgressBars(line, out.log) : new train.LambdaCallback({
          onEpochStart: () => memory.resetPeak(),
          onEpochEnd: (_ctx, log) => out.log(formatEpoch(log, line, memory.stats().peak)),
        }),
    ...(stats ? [inspector(stats, out.log, inspection)] : []),
    ...(out.callbacks ?? []),
  ];
  const regression = !classification;
  const history = await train.fit(parts.model, parts.trainLoader, {
    optimizer: parts.optimizer,
    loss: classification ? new nn.CrossEntropyLoss() : new nn.MSELoss(),
    epochs: config.epochs,
    valLoader: parts.testLoader,
    scheduler: parts.scheduler,
    schedulerInterval: parts.interval,
    metrics: classification ? { accuracy: train.accuracy } : { mae: train.meanAbsoluteError },
    callbacks,
    generators: parts.generators,
    signal: out.signal,
    initialEpoch: resumed?.epoch ?? 0,
    history: (resumed?.extra?.history as train.EpochLog[] | undefined) ?? [],
    forward: regression ? (m, x) => (m as Run["model"]).forward(x).squeeze(-1) : undefined,
  }).finally(() => stats?.remove()); // the returned model carries no hooks

  const interrupted = history.stopReason === "aborted";
  if (interrupted) {
    const path = join(run.checkpointDir, INTERRUPTED_FILE);
    const epoch = history.epochs.at(-1)?.epoch ?? 0;
    await saveCheckpoint(path, { model: parts.model, optimizer: parts.optimizer, scheduler: parts.scheduler, generators: parts.generators, epoch, extra: { config, history: history.epochs } });
    out.log(`\nnabla: interrupted during epoch ${epoch + 1}; weights saved to ${path}. ${checkpointPath} holds epoch ${epoch}: continue with --resume.`);
  }
  let plot: string | null = null;
  const points = curves(history, loaded);
  if (run.plot && points.length > 0) {
    plot = join(run.checkpointDir, "curves.svg");
    writeFileSync(plot, await curvesSvg(points, `nabla train --dataset ${config.dataset} --model ${config.model}`));
    const metric = classification ? "accuracy (%)" : "mean absolute error";
    const series = points.filter((p) => p.metric === metric && p.split === loaded.testName).map((p) => p.value);
    out.log(`\n${loaded.testName} ${metric} by epoch:\n${terminalChart(series)}`);
    out.log(`training curves: ${plot}`);
  }
  const last = history.epochs.at(-1);
  if (last && classification && !interrupted) out.log(`final ${loaded.testName} accuracy: ${(100 * (last.valMetrics.accuracy ?? 0)).toFixed(2)}%`);
  out.log(`checkpoint: ${checkpointPath}`);
  return { config, data: loaded, model: parts.model, history, checkpoint: checkpointPath, interrupted, plot, inspection };
}
