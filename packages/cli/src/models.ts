/** The models `nabla train` builds: an MLP (the articles' network, any depth) and a small CNN. */
import { nn, type Tensor } from "nabla";
import type { TrainConfig } from "./config.js";

export const ACTIVATIONS = {
  relu: () => new nn.ReLU(),
  leaky_relu: () => new nn.LeakyReLU(),
  sigmoid: () => new nn.Sigmoid(),
  tanh: () => new nn.Tanh(),
  gelu: () => new nn.GELU(),
  silu: () => new nn.SiLU(),
  elu: () => new nn.ELU(),
  mish: () => new nn.Mish(),
} as const;

/**
 * fc1 → act1 → fc2 → … → fcN, the articles' network generalised to any number of hidden layers;
 * fields are named as in their PyTorch example, so the state dict keys are `fc1.weight`, ….
 */
export class MLP extends nn.Module {
  constructor(inputSize: number, hidden: readonly number[], outputSize: number, activation: keyof typeof ACTIVATIONS = "relu") {
    super();
    const sizes = [inputSize, ...hidden, outputSize];
    for (let i = 1; i < sizes.length; i++) {
      Reflect.set(this, `fc${i}`, new nn.Linear(sizes[i - 1]!, sizes[i]!));
      if (i < sizes.length - 1) Reflect.set(this, `act${i}`, ACTIVATIONS[activation]());
    }
  }

  forward(x: Tensor): Tensor {
    let h = x.ndim > 2 ? x.flatten(1) : x;
    // every child is a Linear or an activation, Tensor → Tensor
    for (const layer of this.children()) h = (layer as nn.Module).forward(h);
    return h;
  }
}

/**
 * conv 5×5 (8) → act → maxpool 2 → conv 5×5 (16) → act → maxpool 2 → linear 64 → act → linear:
 * LeNet's shape, small enough to train on Fashion-MNIST in a few minutes on two cores.
 */
export class SmallCNN extends nn.Module {
  conv1: nn.Conv2d;
  act1: nn.Module;
  pool1 = new nn.MaxPool2d(2);
  conv2: nn.Conv2d;
  act2: nn.Module;
  pool2 = new nn.MaxPool2d(2);
  flatten = new nn.Flatten();
  fc1: nn.Linear;
  act3: nn.Module;
  fc2: nn.Linear;

  constructor(channels: number, height: number, width: number, classes: number, activation: keyof typeof ACTIVATIONS = "relu") {
    super();
    this.conv1 = new nn.Conv2d(channels, 8, 5);
    this.act1 = ACTIVATIONS[activation]();
    this.conv2 = new nn.Conv2d(8, 16, 5);
    this.act2 = ACTIVATIONS[activation]();
    const h = Math.floor((Math.floor((height - 4) / 2) - 4) / 2);
    const w = Math.floor((Math.floor((width - 4) / 2) - 4) / 2);
    if (h < 1 || w < 1) throw new RangeError(`cnn: images of ${height}×${width} are too small for two 5×5 convolutions and pools (16×16 at least)`);
    this.fc1 = new nn.Linear(16 * h * w, 64);
    this.act3 = ACTIVATIONS[activation]();
    this.fc2 = new nn.Linear(64, classes);
  }

  forward(x: Tensor): Tensor {
    const a = this.pool1.forward(this.act1.forward(this.conv1.forward(x)));
    const b = this.pool2.forward(this.act2.forward(this.conv2.forward(a)));
    return this.fc2.forward(this.act3.forward(this.fc1.forward(this.flatten.forward(b))));
  }
}

/** Builds the model of a recipe for inputs of `inputShape` (without batch) and `outputs` classes or targets. */
export function buildModel(config: TrainConfig, inputShape: readonly number[], outputs: number): nn.Module {
  if (config.model === "cnn") {
    if (inputShape.length !== 3) {
      throw new RangeError(`--model cnn needs image data ([channels, height, width]), but ${config.dataset} gives samples of shape [${inputShape.join(", ")}]`);
    }
    const [c, h, w] = inputShape as [number, number, number];
    return new SmallCNN(c, h, w, outputs, config.activation);
  }
  const features = inputShape.reduce((p, s) => p * s, 1);
  return new MLP(features, config.hidden, outputs, config.activation);
}
