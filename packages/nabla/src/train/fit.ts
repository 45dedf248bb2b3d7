/**
 * `fit`: the training loop most people write by hand, once — for each epoch, forward, loss,
 * zeroGrad, backward, step over the training batches, then the loss and metrics on the
 * validation batches, the scheduler, and callbacks at every stage. Returns the History.
 *
 *     const history = await fit(model, trainLoader, {
 *       optimizer, loss: new nn.CrossEntropyLoss(), epochs: 10, valLoader,
 *       metrics: { accuracy }, callbacks: [new EarlyStopping({ patience: 2 })],
 *     });
 */
import { keep } from "../memory/index.js";
import { anomalyMode, AnomalyError, setDetectAnomaly } from "../autograd/anomaly.js";
import { noGrad } from "../autograd/grad-mode.js";
import { OptionError } from "../errors.js";
import { modelDevice } from "../nn/model-device.js";
import type { AnyModule, Module } from "../nn/module.js";
import { cat } from "../ops/join.js";
import type { Optimizer } from "../optim/optimizer.js";
import { defaultGenerator, Generator } from "../tensor/random.js";
import { Tensor } from "../tensor/tensor.js";
import type { Callback, FitContext, Scheduler } from "./callback.js";
import { History, monitorValue, type EpochLog } from "./history.js";
import type { Metric } from "./metrics.js";

/** A loss: a function or a loss module (`new nn.CrossEntropyLoss()`). */
export type LossFn = ((output: Tensor, target: Tensor) => Tensor) | { forward(output: Tensor, target: Tensor): Tensor };

/** Where batches come from: a DataLoader, or any (async) iterable of batches. */
export type BatchSource<B> = Iterable<B> | AsyncIterable<B>;

/** `M` is the model's type: an `nn.Module` (one Tensor in, one out) unless a `forward` option says how to run another. */
export interface EvaluateOptions<B, M extends AnyModule = Module> {
  loss?: LossFn;
  metrics?: Record<string, Metric>;
  /** Splits a batch into model input and target (default: `[input, target] = batch`). */
  splitBatch?: (batch: B) => [Tensor, Tensor];
  /** Runs the model (default: `model.forward(input)`, which must return a Tensor). */
  forward?: (model: M, input: Tensor) => Tensor;
}

export interface FitOptions<B, M extends AnyModule = Module> extends EvaluateOptions<B, M> {
  optimizer: Optimizer;
  loss: LossFn;
  /** The last epoch to run (with initialEpoch, training resumes at initialEpoch + 1). */
  epochs: number;
  valLoader?: BatchSource<B>;
  scheduler?: Scheduler;
  /** When the scheduler steps: after each epoch (default) or after each batch (OneCycleLR, CyclicLR). */
  schedulerInterval?: "epoch" | "batch";
  /**
   * A monitor name (`valLoss`, `loss`, `valAccuracy`, …) whose value is passed to
   * `scheduler.step(value)` after each epoch, for ReduceLROnPlateau. Default: for a scheduler
   * whose `step` declares a parameter (ReduceLROnPlateau's `step(metric)`), `valLoss` with a
   * valLoader and `loss` without; for the others none (`step()`).
   */
  schedulerMonitor?: string;
  callbacks?: Callback[];
  /** Run inside detectAnomaly: the first NaN/infinity in a forward or backward pass throws, naming the op. */
  detectAnomaly?: boolean;
  /** Epochs already done (when resuming from a checkpoint); default 0. */
  initialEpoch?: number;
  /** Logs of the epochs already done (when resuming), put first in the returned History. */
  history?: readonly EpochLog[];
  /**
   * Generators a checkpoint must save to resume exactly. Default: `{ default: defaultGenerator }`
   * plus `loader: trainLoader.generator` when the loader has one.
   */
  generators?: Record<string, Generator>;
  /** Aborting it (e.g. on Ctrl-C) stops training after the current batch, with stopReason "aborted". */
  signal?: AbortSignal;
}

function callLoss(loss: LossFn, output: Tensor, target: Tensor): Tensor {
  return typeof loss === "function" ? loss(output, target) : loss.forward(output, target);
}

function defaultSplit<B>(batch: B): [Tensor, Tensor] {
  if (!Array.isArray(batch) || batch.length < 2) {
    throw new OptionError("fit: a batch must be [input, target] (give splitBatch for other batch shapes)");
  }
  return [batch[0] as Tensor, batch[1] as Tensor];
}

/** Lets timers, I/O and signal handlers (Ctrl-C) run between batches. */
const yieldToEventLoop: () => Promise<void> =
  typeof setImmediate === "function" ? () => new Promise((r) => setImmediate(r)) : () => new Promise((r) => setTimeout(r, 0));

async function* batchesOf<B>(source: BatchSource<B>): AsyncGenerator<B> {
  if (Symbol.asyncIterator in source) yield* source as AsyncIterable<B>;
  else yield* source as Iterable<B>;
}

/** Batch-size-weighted sums of the loss and the metrics. */
class Averages {
  private n = 0;
  private lossSum = 0;
  private readonly sums = new Map<string, number>();

  add(size: number, loss: number | undefined, metrics: Record<string, number>): void {
    this.n += size;
    if (loss !== undefined) this.lossSum += loss * size;
    for (const [k, v] of Object.entries(metrics)) this.sums.set(k, (this.sums.get(k) ?? 0) + v * size);
  }

  get count(): number {
    return this.n;
  }

  loss(): number {
    return this.lossSum / this.n;
  }

  metrics(): Record<string, number> {
    return Object.fromEntries([...this.sums].map(([k, s]) => [k, s / this.n]));
  }
}

function computeMetrics(metrics: Record<string, Metric>, output: Tensor, target: Tensor): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, m] of Object.entries(metrics)) out[name] = noGrad(() => m(output, target));
  return out;
}

/**
 * The mean loss (if a loss is given) and metrics of `model` over `loader`, in eval mode and
 * without recording gradients. The model's training mode is restored afterwards.
 */
export async function evaluate<B, M extends AnyModule = Module>(
  model: M,
  loader: BatchSource<B>,
  { loss, metrics = {}, splitBatch = defaultSplit, forward = defaultForward("evaluate") }: EvaluateOptions<B, M> = {},
): Promise<{ loss: number | undefined; metrics: Record<string, number>; samples: number }> {
  const wasTraining = model.training;
  model.eval();
  const avg = new Averages();
  try {
    for await (const batch of batchesOf(loader)) {
      const [x, y] = batchOnModelDevice(model, splitBatch(batch));
      const { l, m } = noGrad(() => {
        const out = forward(model, x);
        return { l: loss ? callLoss(loss, out, y).item() : undefined, m: computeMetrics(metrics, out, y) };
      });
      avg.add(y.shape[0] ?? 1, l, m);
    }
  } finally {
    model.train(wasTraining);
  }
  if (avg.count === 0) throw new OptionError("evaluate: the loader yielded no batches");
  return { loss: loss ? avg.loss() : undefined, metrics: avg.metrics(), samples: avg.count };
}

/**
 * The model's outputs on every batch of `loader` and the targets, each concatenated along dim 0
 * (in eval mode, without grad) — for confusion matrices and per-class reports.
 */
export async function predict<B, M extends AnyModule = Module>(
  model: M,
  loader: BatchSource<B>,
  { splitBatch = defaultSplit, forward = defaultForward("predict") }: Pick<EvaluateOptions<B, M>, "splitBatch" | "forward"> = {},
): Promise<{ outputs: Tensor; targets: Tensor }> {
  const wasTraining = model.training;
  model.eval();
  const outputs: Tensor[] = [];
  const targets: Tensor[] = [];
  try {
    for await (const batch of batchesOf(loader)) {
      const [x, y] = batchOnModelDevice(model, splitBatch(batch));
      outputs.push(noGrad(() => forward(model, x)));
      targets.push(keep(y)); // a loader frees its batch when the next is asked for
    }
  } finally {
    model.train(wasTraining);
  }
  if (outputs.length === 0) throw new OptionError("predict: the loader yielded no batches");
  return { outputs: cat(outputs, 0), targets: cat(targets, 0) };
}

/**
 * A batch's input and target on the device of the model's parameters, as Keras's and Lightning's
 * fit move them: a data set read on the CPU trains a model moved to the webgpu device (float64
 * targets stay: they cannot live there, and the losses take them across).
 */
function batchOnModelDevice(model: AnyModule, [x, y]: [Tensor, Tensor]): [Tensor, Tensor] {
  const device = modelDevice(model);
  if (device === undefined) return [x, y];
  const move = (t: Tensor) => (t.device === device || (t.dtype === "float64" && device !== "cpu") ? t : t.to(device));
  return [move(x), move(y)];
}

/** The `forward` option's default: the model's forward on the input, which must give a Tensor. */
function defaultForward(caller: string): (model: AnyModule, input: Tensor) => Tensor {
  return (model, input) => {
    const out = model.forward(input);
    if (!(out instanceof Tensor)) {
      const got = Array.isArray(out) ? "a list" : out === null ? "null" : typeof out === "object" ? "an object" : typeof out;
      throw new OptionError(`${caller}: ${model.constructor.name}.forward(input) returned ${got}, not a Tensor; pass a forward option, e.g. forward: (m, x) => m.forward(x)[0]`);
    }
    return out;
  };
}

/** Trains `model` on `trainLoader`; see FitOptions. Resolves to the History when training ends. */
export async function fit<B, M extends AnyModule = Module>(model: M, trainLoader: BatchSource<B>, options: FitOptions<B, M>): Promise<History> {
  const {
    optimizer,
    loss,
    epochs,
    valLoader,
    scheduler,
    schedulerInterval = "epoch",
    metrics = {},
    callbacks = [],
    initialEpoch = 0,
    splitBatch = defaultSplit,
    forward = defaultForward("fit"),
    signal,
  } = options;
  if (!optimizer) throw new OptionError("fit: an optimizer is required");
  if (!loss) throw new OptionError("fit: a loss is required");
  if (!Number.isInteger(epochs) || epochs < 0) throw new OptionError(`fit: epochs must be an integer >= 0, got ${epochs}`);
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch > epochs) {
    throw new OptionError(`fit: initialEpoch must be an integer in [0, epochs], got ${initialEpoch}`);
  }
  if (schedulerInterval !== "epoch" && schedulerInterval !== "batch") {
    throw new OptionError(`fit: schedulerInterval must be "epoch" or "batch", got ${String(schedulerInterval)}`);
  }
  const schedulerMonitor = options.schedulerMonitor ?? (scheduler && scheduler.step.length > 0 ? (valLoader ? "valLoss" : "loss") : undefined);
  const loaderGenerator = (trainLoader as { generator?: unknown }).generator;
  const generators = options.generators ?? {
    default: defaultGenerator,
    ...(loaderGenerator instanceof Generator && loaderGenerator !== defaultGenerator ? { loader: loaderGenerator } : {}),
  };
  const loaderLength = (trainLoader as { length?: unknown }).length;
  const batchesPerEpoch = typeof loaderLength === "number" ? loaderLength : undefined;

  const history = new History(options.history ?? []);
  let stopReason: string | null = null;
  const ctx: FitContext = {
    model,
    optimizer,
    scheduler,
    epochs,
    epoch: initialEpoch,
    batchesPerEpoch,
    history,
    generators,
    stop(reason: string) {
      stopReason ??= reason;
    },
    get stopReason() {
      return stopReason;
    },
  };
  const lrs = () => optimizer.paramGroups.map((g) => (g as { lr?: number }).lr ?? NaN);

  const previousAnomaly = anomalyMode;
  if (options.detectAnomaly) setDetectAnomaly(true);
  try {
    for (const cb of callbacks) await cb.onTrainStart?.(ctx);
    if (signal?.aborted) stopReason ??= "aborted";
    for (let epoch = initialEpoch + 1; epoch <= epochs && stopReason === null; epoch++) {
      ctx.epoch = epoch;
      const started = performance.now();
      const epochLrs = lrs();
      model.train();
      for (const cb of callbacks) await cb.onEpochStart?.(ctx, epoch);
      const train = new Averages();
      let batch = 0;
      for await (const data of batchesOf(trainLoader)) {
        batch++;
        const [x, y] = batchOnModelDevice(model, splitBatch(data));
        let value: number;
        let batchMetrics: Record<string, number>;
        try {
          const output = forward(model, x);
          const l = callLoss(loss, output, y);
          optimizer.zeroGrad();
          l.backward();
          optimizer.step();
          value = l.item();
          batchMetrics = computeMetrics(metrics, output.detach(), y);
        } catch (e) {
          if (e instanceof AnomalyError) e.message = `fit: epoch ${epoch}, batch ${batch}: ${e.message}`;
          throw e;
        }
        const size = y.shape[0] ?? 1;
        train.add(size, value, batchMetrics);
        for (const cb of callbacks) await cb.onBatchEnd?.(ctx, { epoch, batch, batches: batchesPerEpoch, loss: value, size });
        if (scheduler && schedulerInterval === "batch") scheduler.step();
        await yieldToEventLoop();
        if (signal?.aborted) stopReason ??= "aborted";
        if (stopReason !== null) break;
      }
      // A stop requested during the batches (abort, NaN) leaves the epoch unlogged: its numbers would mislead.
      if (stopReason !== null) break;
      if (train.count === 0) throw new OptionError("fit: the training loader yielded no batches");
      const log: EpochLog = { epoch, loss: train.loss(), metrics: train.metrics(), valMetrics: {}, lr: epochLrs[0]!, lrs: epochLrs, seconds: 0 };
      if (valLoader) {
        const v = await evaluate(model, valLoader, { loss, metrics, splitBatch, forward });
        log.valLoss = v.loss;
        log.valMetrics = v.metrics;
      }
      log.seconds = (performance.now() - started) / 1000;
      if (scheduler && schedulerInterval === "epoch") {
        if (schedulerMonitor === undefined) scheduler.step();
        else {
          const m = monitorValue(log, schedulerMonitor);
          if (m === undefined) throw new OptionError(`fit: schedulerMonitor "${schedulerMonitor}" is not in the epoch log`);
          scheduler.step(m);
        }
      }
      history.epochs.push(log);
      for (const cb of callbacks) await cb.onEpochEnd?.(ctx, log);
      if (signal?.aborted) stopReason ??= "aborted";
    }
    history.stopReason = stopReason;
    for (const cb of callbacks) await cb.onTrainEnd?.(ctx, history);
  } finally {
    setDetectAnomaly(previousAnomaly);
  }
  return history;
}
