// Conv2d micro-benchmark: the two convolutions of pytorch/examples mnist (1→32 and 32→64, 3×3),
// forward+backward at batch 64 and forward under noGrad at batch 1000, beside PyTorch 1.13
// (bench/conv_torch.py, 2 threads) in interleaved runs. `node bench/conv.mjs [rounds]`.
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as nb from "../dist/src/index.js";
import { median } from "./timing.mjs";

const here = dirname(fileURLToPath(import.meta.url));
nb.setNumThreads(2);
nb.manualSeed(0);
const w1 = nb.randn([32, 1, 3, 3]).mul(0.3).requiresGrad_();
const b1 = nb.zeros([32]).requiresGrad_();
const w2 = nb.randn([64, 32, 3, 3]).mul(0.06).requiresGrad_();
const b2 = nb.zeros([64]).requiresGrad_();
const x64 = nb.randn([64, 1, 28, 28]);
const x1000 = nb.randn([1000, 1, 28, 28]);

function net(x) {
  return nb.F.conv2d(nb.F.relu(nb.F.conv2d(x, w1, b1)), w2, b2);
}
const cases = {
  conv1_fwd_bwd_64: () => nb.F.conv2d(x64, w1, b1).sum().backward(),
  conv2_fwd_bwd_64: (() => {
    const h = nb.randn([64, 32, 26, 26]).requiresGrad_();
    return () => nb.F.conv2d(h, w2, b2).sum().backward();
  })(),
  net_fwd_bwd_64: () => net(x64).sum().backward(),
  net_fwd_nograd_1000: () => nb.noGrad(() => net(x1000).sum().item()),
};

function timeNabla(fn, reps) {
  for (let i = 0; i < 2; i++) fn();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

const rounds = Number(process.argv[2] ?? 3);
const only = process.argv[3];
const res = {};
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of Object.entries(cases)) {
    if (only && !name.includes(only)) continue;
    const reps = name.includes("1000") ? 3 : 8;
    (res[name] ??= { nabla: [], torch: [] }).nabla.push(timeNabla(fn, reps));
    const out = execFileSync("/usr/bin/python3", [join(here, "conv_torch.py"), name, String(reps)], { encoding: "utf8" });
    res[name].torch.push(Number(out.trim()));
  }
}
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
for (const [name, { nabla, torch }] of Object.entries(res)) {
  const a = median(nabla);
  const b = median(torch);
  console.log(`${name.padEnd(22)} nabla ${a.toFixed(2).padStart(8)} ms   torch ${b.toFixed(2).padStart(8)} ms   ratio ${(a / b).toFixed(2)}`);
}
