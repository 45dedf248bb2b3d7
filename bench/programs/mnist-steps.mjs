// The MNIST example's network (examples/mnist.ts: conv 1→32, conv 32→64, max-pool, dropout,
// Linear 9216→128→10, Adadelta) on random batches of 64, timing training steps and one test
// batch of 1000 under noGrad: the per-step costs without the data loading, for comparing builds
// (bench/CONV_RESULTS.md). `node bench/programs/mnist-steps.mjs [steps] [dist dir]`: the package
// `nabla` (Node's bundle), or another build's dist/ (its Node bundle, dist/node, where it has one;
// older builds have only dist/src); the thread count from NABLA_BENCH_THREADS (default 1). Prints
// median CPU ms (the process's, all threads) and wall ms a step and of the test batch.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const steps = Number(process.argv[2] ?? 20);
/** The library to time: the package, or the entry of the dist/ named on the command line. */
function entry(dist) {
  if (dist === undefined) return "nabla";
  const bundle = resolve(dist, "node/index.js");
  return pathToFileURL(existsSync(bundle) ? bundle : resolve(dist, "src/index.js")).href;
}
const { F, manualSeed, nn, noGrad, optim, randint, randn, setNumThreads } = await import(entry(process.argv[3]));
setNumThreads(Number(process.env.NABLA_BENCH_THREADS ?? 1));

class Net extends nn.Module {
  conv1 = new nn.Conv2d(1, 32, 3, { stride: 1 });
  conv2 = new nn.Conv2d(32, 64, 3, { stride: 1 });
  dropout1 = new nn.Dropout(0.25);
  dropout2 = new nn.Dropout(0.5);
  fc1 = new nn.Linear(9216, 128);
  fc2 = new nn.Linear(128, 10);
  forward(x) {
    x = F.relu(this.conv2.forward(F.relu(this.conv1.forward(x))));
    x = this.dropout1.forward(F.maxPool2d(x, 2)).flatten(1);
    x = this.dropout2.forward(F.relu(this.fc1.forward(x)));
    return F.logSoftmax(this.fc2.forward(x), 1);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
manualSeed(1);
const model = new Net();
const optimizer = new optim.Adadelta(model.parameters(), { lr: 1.0 });
const x = randn([64, 1, 28, 28]);
const y = randint(0, 10, [64]);
const test = randn([1000, 1, 28, 28]);
const time = (fn) => {
  const c = process.cpuUsage();
  const t = performance.now();
  fn();
  const u = process.cpuUsage(c);
  return [(u.user + u.system) / 1000, performance.now() - t];
};
const train = [];
for (let i = 0; i < steps + 3; i++) {
  const r = time(() => {
    optimizer.zeroGrad();
    const loss = F.nllLoss(model.forward(x), y);
    loss.backward();
    optimizer.step();
    loss.item();
  });
  if (i >= 3) train.push(r);
}
model.eval();
const evals = [];
for (let i = 0; i < 3; i++) evals.push(time(() => noGrad(() => model.forward(test).argmax(1).sum().item())));
const f = (rs, k) => median(rs.map((r) => r[k])).toFixed(1);
console.log(`train step: cpu ${f(train, 0)} ms, wall ${f(train, 1)} ms; test batch 1000: cpu ${f(evals, 0)} ms, wall ${f(evals, 1)} ms`);
