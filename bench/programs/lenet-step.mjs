// LeNet-5 training step CPU time (issue 10): the model, data and optimizer of lenet.mjs, timed as
// the process's CPU milliseconds per step (user + system, all threads) over blocks of steps, which
// a loaded machine inflates less than wall time, and the wall milliseconds per step beside it;
// prints the median block of each. Its PyTorch twin is
// scripts/bench/lenet_step.py. For comparing builds and profiling one step:
//   NABLA_RELAXED_SIMD=1 node bench/programs/lenet-step.mjs [--threads 1] [--blocks 20] [--block 10]
// `threads` in the result is what ran (getNumThreads): before the kernel workers inherited the
// process's flags, a V8 flag on the command line (--experimental-wasm-relaxed-simd, --expose-gc)
// kept them from starting and --threads 2 timed one thread.
import { F, getNumThreads, manualSeed, optim, randint, randn, setNumThreads } from "nabla";
import { LeNet } from "./lenet-model.mjs";
import { flags, median, report } from "./util.mjs";

const args = flags({ threads: 1, blocks: 20, block: 10, warmup: 20, batchSize: 64 });
setNumThreads(args.threads);
manualSeed(0);
const model = new LeNet();
const batches = 8;
const x = randn([batches * args.batchSize, 1, 28, 28]);
const y = randint(0, 10, [batches * args.batchSize]);
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
let step = 0;
let last = NaN;
function train() {
  const b = step++ % batches;
  const xb = x.narrow(0, b * args.batchSize, args.batchSize);
  const yb = y.narrow(0, b * args.batchSize, args.batchSize);
  optimizer.zeroGrad();
  const loss = F.crossEntropy(model.forward(xb), yb);
  loss.backward();
  optimizer.step();
  last = loss.item();
}
for (let i = 0; i < args.warmup; i++) train();
const ms = [];
const wall = [];
for (let b = 0; b < args.blocks; b++) {
  const c = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < args.block; i++) train();
  wall.push((performance.now() - started) / args.block);
  const used = process.cpuUsage(c);
  ms.push((used.user + used.system) / 1000 / args.block);
}
report({ cpu_ms_per_step: median(ms), wall_ms_per_step: median(wall), loss: last, steps: step, threads: getNumThreads() });
