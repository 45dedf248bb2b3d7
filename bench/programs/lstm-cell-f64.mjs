// float64 LSTMCell forward+backward in nabla; its PyTorch twin is scripts/bench/lstm_cell_f64.py
// (see there for the model, the data and what is printed).
import { F, cat, manualSeed, nn, tensor, zeros } from "nabla";
import { flags, median, report } from "./util.mjs";

class Sequence extends nn.Module {
  lstm1 = new nn.LSTMCell(1, 51);
  lstm2 = new nn.LSTMCell(51, 51);
  linear = new nn.Linear(51, 1);

  forward(input) {
    const outputs = [];
    const [n, steps] = input.shape;
    let [hT, cT, hT2, cT2] = [0, 1, 2, 3].map(() => zeros([n, 51], { dtype: "float64" }));
    for (let t = 0; t < steps; t++) {
      [hT, cT] = this.lstm1.forward(input.narrow(1, t, 1), [hT, cT]);
      [hT2, cT2] = this.lstm2.forward(hT, [hT2, cT2]);
      outputs.push(this.linear.forward(hT2));
    }
    return cat(outputs, 1);
  }
}

const args = flags({ batch: 97, length: 100, runs: 3, warmup: 1 });
manualSeed(0);
const seq = new Sequence().double();
// x[i, t] = sin((t + 4 i) / 20), computed in JS: nabla has no top-level sin to write it with
const w = args.length + 1;
const wave = Float64Array.from({ length: args.batch * w }, (_, k) => Math.sin(((k % w) + 4 * Math.floor(k / w)) / 20));
const waves = tensor(wave, { dtype: "float64" }).reshape([args.batch, w]);
const input = waves.narrow(1, 0, args.length);
const target = waves.narrow(1, 1, args.length);
const times = [];
const cpuTimes = [];
let last = NaN;
for (let run = 0; run < args.warmup + args.runs; run++) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  seq.zeroGrad();
  const loss = F.mseLoss(seq.forward(input), target);
  loss.backward();
  last = loss.item();
  if (run >= args.warmup) {
    times.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1000);
  }
}
// cpu_ms: this process's CPU time (all threads), steadier than wall time on a shared machine
report({ ms: median(times), cpu_ms: median(cpuTimes), loss: last });
