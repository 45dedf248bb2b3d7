/**
 * The seed article's PyTorch example, line for line in nabla: a 100 → 64 → ReLU → 10 network,
 * cross-entropy, Adam with lr 0.001, 100 steps. Run it with `node dist/examples/seed-example.js`.
 * The article leaves `inputs` and `labels` open; here they are a fixed random batch whose labels
 * follow a hidden linear rule, so that there is something to learn.
 */
import { manualSeed, nn, noGrad, optim, randn, type Tensor } from "nabla";

export class Net extends nn.Module {
  fc1: nn.Linear;
  act1 = new nn.ReLU();
  fc2: nn.Linear;
  constructor(inputSize: number, hiddenSize: number, outputSize: number) {
    super();
    this.fc1 = new nn.Linear(inputSize, hiddenSize);
    this.fc2 = new nn.Linear(hiddenSize, outputSize);
  }
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act1.forward(this.fc1.forward(x)));
  }
}

export function runSeedExample(epochs = 100): { losses: number[]; accuracy: number } {
  manualSeed(0);
  const rule = randn([100, 10]); // labels follow a hidden linear rule the network can learn
  const inputs = randn([1024, 100]);
  const labels = inputs.matmul(rule).argmax(1);
  const testInputs = randn([512, 100]);
  const testLabels = testInputs.matmul(rule).argmax(1);

  const net = new Net(100, 64, 10);
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(net.parameters(), { lr: 0.001 });
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const loss = criterion.forward(net.forward(inputs), labels);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
  }
  const accuracy = noGrad(() => net.forward(testInputs).argmax(1).eq(testLabels).float().mean().item());
  return { losses, accuracy };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { losses, accuracy } = runSeedExample();
  console.log(`loss: ${losses[0]!.toFixed(4)} → ${losses[losses.length - 1]!.toFixed(4)} after ${losses.length} steps`);
  console.log(`accuracy on fresh inputs: ${(100 * accuracy).toFixed(1)}%`);
}
