/** The articles' network: Linear → activation → Linear, written as in their PyTorch example. */
import { nn, type Tensor } from "../src/index.js";

export const ACTIVATIONS = {
  relu: () => new nn.ReLU(),
  sigmoid: () => new nn.Sigmoid(),
  tanh: () => new nn.Tanh(),
  leaky_relu: () => new nn.LeakyReLU(),
} as const;

export type ActivationName = keyof typeof ACTIVATIONS;

export class Net extends nn.Module {
  fc1: nn.Linear;
  act1: nn.Module & { forward(x: Tensor): Tensor };
  fc2: nn.Linear;

  constructor(inputSize: number, hiddenSize: number, outputSize: number, activation: ActivationName = "relu") {
    super();
    this.fc1 = new nn.Linear(inputSize, hiddenSize);
    this.act1 = ACTIVATIONS[activation]();
    this.fc2 = new nn.Linear(hiddenSize, outputSize);
  }

  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act1.forward(this.fc1.forward(x)));
  }
}
