// LeNet-5 training in nabla; its PyTorch twin is scripts/bench/lenet.py (see there for the model,
// the data and what is printed). Run through bench/programs/nabla-run.mjs for the thread count.
import { F, manualSeed, optim, randint, randn } from "nabla";
import { LeNet } from "./lenet-model.mjs";
import { flags, median, report } from "./util.mjs";

// 200 warm-up steps for both libraries: V8 finishes optimising nabla's JavaScript over the first
// ~100–300 steps (h10-lenet10: CPU ms a step 10.2 → 5.7 after 20 vs 300 steps), as a real training
// run does in its first seconds; PyTorch gains nothing from the longer warm-up
const args = flags({ steps: 60, warmup: 200, batchSize: 64 });
manualSeed(0);
const model = new LeNet();
const batches = 8;
const x = randn([batches * args.batchSize, 1, 28, 28]);
const y = randint(0, 10, [batches * args.batchSize]);
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
const times = [];
let last = NaN;
for (let step = 0; step < args.warmup + args.steps; step++) {
  const b = step % batches;
  const xb = x.narrow(0, b * args.batchSize, args.batchSize);
  const yb = y.narrow(0, b * args.batchSize, args.batchSize);
  const started = performance.now();
  optimizer.zeroGrad();
  const loss = F.crossEntropy(model.forward(xb), yb);
  loss.backward();
  optimizer.step();
  last = loss.item();
  if (step >= args.warmup) times.push((performance.now() - started) / 1000);
}
report({ samples_per_s: args.batchSize / median(times), loss: last });
