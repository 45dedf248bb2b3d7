/**
 * pytorch/examples `mnist/main.py` in nabla, line for line: a two-convolution network with dropout,
 * log-softmax and the negative log-likelihood, Adadelta with lr 1.0 and a StepLR decay of 0.7 per
 * epoch, on Fashion-MNIST as Debian's `dataset-fashion-mnist` installs it
 * (/usr/share/datasets/fashion-mnist/; `--dir` for another MNIST-format directory), normalised
 * with Fashion-MNIST's mean and standard deviation (0.2860, 0.3530) where the original uses
 * MNIST's (0.1307, 0.3081). `node dist/examples/mnist.js --epochs 1`; its PyTorch twin is
 * scripts/examples/mnist.py.
 */
import { F, data, manualSeed, nn, noGrad, optim, type Device, type Tensor } from "nabla";
import { DEBIAN_FASHION_MNIST_DIR, loadMnist, saveFile } from "nabla/node";
import { COMMON_FLAGS, DEVICE_FLAG, isMain, parseFlags, report, startDevice } from "./common/cli.js";
import { replayDropout, type Replay } from "./common/replay.js";

export class Net extends nn.Module {
  conv1 = new nn.Conv2d(1, 32, 3, { stride: 1 });
  conv2 = new nn.Conv2d(32, 64, 3, { stride: 1 });
  dropout1 = new nn.Dropout({ p: 0.25 });
  dropout2 = new nn.Dropout({ p: 0.5 });
  fc1 = new nn.Linear(9216, 128);
  fc2 = new nn.Linear(128, 10);

  forward(x: Tensor): Tensor {
    x = this.conv1.forward(x);
    x = F.relu(x);
    x = this.conv2.forward(x);
    x = F.relu(x);
    x = F.maxPool2d(x, 2);
    x = this.dropout1.forward(x);
    x = x.flatten(1);
    x = this.fc1.forward(x);
    x = F.relu(x);
    x = this.dropout2.forward(x);
    x = this.fc2.forward(x);
    const output = F.logSoftmax(x, 1);
    return output;
  }
}

export interface MnistOptions {
  batchSize: number;
  testBatchSize: number;
  epochs: number;
  lr: number;
  gamma: number;
  seed: number;
  logInterval: number;
  dryRun: boolean;
  saveModel: boolean;
  /** The MNIST-format directory (default Debian's Fashion-MNIST). */
  dir: string;
  /** Train on the first `limit` training images only (0: all). */
  limit: number;
  /** Test on the first `testLimit` test images only (0: all). */
  testLimit: number;
  /** Stop after this many optimisation steps (0: none). */
  steps: number;
  /** Print progress as the original does. */
  log: boolean;
  /** Where the model and the batches go: "cpu" or "webgpu" (the original's `device`). */
  device: string;
  /** Replay mode: dropout masks from the `dropout` stream (see common/replay.ts). */
  replay?: Replay;
  /** Called with the model before training (tests read its initial weights). */
  onModel?: (model: Net) => void;
}

export const MNIST_DEFAULTS: MnistOptions = {
  batchSize: 64,
  testBatchSize: 1000,
  epochs: 14,
  lr: 1.0,
  gamma: 0.7,
  seed: 1,
  logInterval: 10,
  dryRun: false,
  saveModel: false,
  dir: DEBIAN_FASHION_MNIST_DIR,
  limit: 0,
  testLimit: 0,
  steps: 0,
  log: false,
  device: "cpu",
};

export interface MnistResult {
  /** The training loss of every step. */
  losses: number[];
  /** The test set's average loss and accuracy after each epoch. */
  testLosses: number[];
  accuracies: number[];
}

type Batches = data.DataLoader<[Tensor, Tensor]>;

function train(args: MnistOptions, model: Net, device: Device, trainLoader: Batches, optimizer: optim.Adadelta, epoch: number, losses: number[]): void {
  model.train();
  let batchIdx = 0;
  for (let [input, target] of trainLoader) {
    [input, target] = [input.to(device), target.to(device)];
    optimizer.zeroGrad();
    const output = model.forward(input);
    const loss = F.nllLoss(output, target);
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
    if (args.log && batchIdx % args.logInterval === 0) {
      const seen = batchIdx * input.shape[0]!;
      console.log(
        `Train Epoch: ${epoch} [${seen}/${trainLoader.dataset.length} (${((100 * batchIdx) / trainLoader.length).toFixed(0)}%)]\tLoss: ${loss.item().toFixed(6)}`,
      );
    }
    batchIdx++;
    if (args.dryRun || losses.length === args.steps) break;
  }
}

function test(args: MnistOptions, model: Net, device: Device, testLoader: Batches): { loss: number; accuracy: number } {
  model.eval();
  let testLoss = 0;
  let correct = 0;
  noGrad(() => {
    for (let [input, target] of testLoader) {
      [input, target] = [input.to(device), target.to(device)];
      const output = model.forward(input);
      testLoss += F.nllLoss(output, target, { reduction: "sum" }).item(); // sum up batch loss
      const pred = output.argmax(1, { keepdim: true }); // get the index of the max log-probability
      correct += pred.eq(target.viewAs(pred)).sum().item();
    }
  });
  const n = testLoader.dataset.length;
  testLoss /= n;
  if (args.log) console.log(`\nTest set: Average loss: ${testLoss.toFixed(4)}, Accuracy: ${correct}/${n} (${((100 * correct) / n).toFixed(0)}%)\n`);
  return { loss: testLoss, accuracy: correct / n };
}

const first = <T>(ds: data.Dataset<T>, limit: number): data.Dataset<T> =>
  limit > 0 && limit < ds.length ? new data.Subset(ds, Array.from({ length: limit }, (_, i) => i)) : ds;

export async function runMnist(options: Partial<MnistOptions> = {}): Promise<MnistResult> {
  const args = { ...MNIST_DEFAULTS, ...options };
  const device = await startDevice(args.device);
  manualSeed(args.seed);

  // transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.2860,), (0.3530,))]), batch-wise
  const transform = data.transforms.onInput<[Tensor, Tensor]>(data.transforms.normalize(0.286, 0.353));
  const dataset1 = first(await loadMnist(args.dir, { train: true }), args.limit);
  const dataset2 = first(await loadMnist(args.dir, { train: false }), args.testLimit);
  const trainLoader = new data.DataLoader(dataset1, { batchSize: args.batchSize, transform });
  const testLoader = new data.DataLoader(dataset2, { batchSize: args.testBatchSize, transform });

  const model = new Net().to(device);
  replayDropout(model, args.replay);
  args.onModel?.(model);
  const optimizer = new optim.Adadelta(model.parameters(), { lr: args.lr });

  const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: args.gamma });
  const result: MnistResult = { losses: [], testLosses: [], accuracies: [] };
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    train(args, model, device, trainLoader, optimizer, epoch, result.losses);
    const { loss, accuracy } = test(args, model, device, testLoader);
    result.testLosses.push(loss);
    result.accuracies.push(accuracy);
    scheduler.step();
    if (args.dryRun || result.losses.length === args.steps) break;
  }

  if (args.saveModel) await saveFile("mnist_cnn.safetensors", model.stateDict());
  return result;
}

if (isMain(import.meta.url)) {
  const flags = parseFlags(process.argv.slice(2), "nabla MNIST example (pytorch/examples mnist/main.py) on Debian's Fashion-MNIST", {
    batchSize: { default: 64, help: "input batch size for training" },
    testBatchSize: { default: 1000, help: "input batch size for testing" },
    epochs: { default: 14, help: "number of epochs to train" },
    lr: { default: 1.0, help: "learning rate" },
    gamma: { default: 0.7, help: "learning rate step gamma" },
    seed: { default: 1, help: "random seed" },
    logInterval: { default: 10, help: "how many batches to wait before logging training status" },
    dryRun: { default: false, help: "quickly check a single pass" },
    saveModel: { default: false, help: "save the model as mnist_cnn.safetensors" },
    dir: { default: DEBIAN_FASHION_MNIST_DIR, help: "an MNIST-format directory" },
    limit: { default: 0, help: "train on the first N images only (0: all)" },
    testLimit: { default: 0, help: "test on the first N images only (0: all)" },
    ...DEVICE_FLAG,
    ...COMMON_FLAGS,
  });
  if (flags) {
    const started = performance.now();
    const { losses } = await runMnist({ ...flags, log: true });
    report(losses, started, flags.json);
  }
}
