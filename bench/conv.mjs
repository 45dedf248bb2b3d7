// Conv2d micro-benchmark: the two convolutions of pytorch/examples mnist (1→32 and 32→64, 3×3),
// forward+backward at batch 64 and forward under noGrad at batch 1000, beside PyTorch 1.13
// (bench/conv_torch.py, 2 threads) in interleaved runs, as medians of wall and of CPU time.
// `node bench/conv.mjs [rounds] [case filter]`; CONV_BENCH_TORCH=0 skips PyTorch.
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as nb from "../packages/nabla/dist/src/index.js";
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

/** Median wall and CPU (all threads of the process) milliseconds of fn: CPU time is less hurt by a loaded machine. */
function timeNabla(fn, reps) {
  fn();
  const walls = [];
  const cpus = [];
  for (let i = 0; i < reps; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    walls.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpus.push((used.user + used.system) / 1000);
  }
  return [median(walls), median(cpus)];
}

const rounds = Number(process.argv[2] ?? 3);
const only = process.argv[3];
const res = {};
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of Object.entries(cases)) {
    if (only && !name.includes(only)) continue;
    const reps = name.includes("1000") ? 3 : 7;
    const entry = (res[name] ??= { nabla: [], torch: [] });
    try {
      entry.nabla.push(timeNabla(fn, reps));
    } catch (e) {
      entry.nabla.push([NaN, NaN]);
      console.log(`${name}: ${String(e).split("\n")[0]}`);
    }
    if (process.env.CONV_BENCH_TORCH === "0") continue;
    const out = execFileSync("/usr/bin/python3", [join(here, "conv_torch.py"), name, String(reps)], { encoding: "utf8" });
    entry.torch.push(out.trim().split(" ").map(Number));
  }
}
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
const med = (runs, k) => (runs.length ? median(runs.map((r) => r[k])) : NaN);
const f = (v) => v.toFixed(1).padStart(7);
console.log(`${"case".padEnd(22)} ${"wall ms: nabla".padStart(14)} ${"torch".padStart(7)} ${"ratio".padStart(6)}   ${"cpu ms: nabla".padStart(13)} ${"torch".padStart(7)} ${"ratio".padStart(6)}`);
for (const [name, { nabla, torch }] of Object.entries(res)) {
  const [aw, ac, bw, bc] = [med(nabla, 0), med(nabla, 1), med(torch, 0), med(torch, 1)];
  console.log(`${name.padEnd(22)} ${f(aw).padStart(14)} ${f(bw)} ${(aw / bw).toFixed(2).padStart(6)}   ${f(ac).padStart(13)} ${f(bc)} ${(ac / bc).toFixed(2).padStart(6)}`);
}
