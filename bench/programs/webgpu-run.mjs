// The webgpu bench's nabla side of a real program (bench/webgpu-programs.mjs): runs a script as
// `node SCRIPT ARGS…` would (as nabla-run.mjs does) and counts nabla's host↔device transfers
// (deviceTransfers()) per training step. A step is what lies between two consecutive zeroGrad
// calls (the optimizer's or the model's: every example calls one at the start of each step), so
// it holds the step itself (forward, backward, optimizer), the program's reads of the loss after it
// and the upload of the next batch; the evaluation after the last step is left out. At exit it
// prints `BENCH {"steps": intervals, "toDevice": median, "toHost": median, "maxToDevice", "maxToHost"}`.
//   node bench/programs/webgpu-run.mjs dist/examples/mnist.js --device webgpu --epochs 1
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { deviceTransfers, nn, optim, setNumThreads } from "nabla";

setNumThreads(Number(process.env.NABLA_BENCH_THREADS ?? 2));

const marks = [];
for (const proto of [optim.Optimizer.prototype, nn.Module.prototype]) {
  const zeroGrad = proto.zeroGrad;
  proto.zeroGrad = function (...args) {
    marks.push(deviceTransfers());
    return zeroGrad.apply(this, args);
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

process.on("exit", () => {
  const steps = marks.slice(1).map((m, i) => ({ toDevice: m.toDevice - marks[i].toDevice, toHost: m.toHost - marks[i].toHost }));
  if (steps.length === 0) return;
  const field = (k) => steps.map((s) => s[k]);
  console.log(`BENCH ${JSON.stringify({ steps: steps.length, toDevice: median(field("toDevice")), toHost: median(field("toHost")), maxToDevice: Math.max(...field("toDevice")), maxToHost: Math.max(...field("toHost")) })}`);
});

const script = resolve(process.argv[2]);
process.argv.splice(1, 2, script);
await import(pathToFileURL(script).href);
