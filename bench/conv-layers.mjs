// Per-layer convolution kernels beside PyTorch (issue 10): the forward (with bias, under noGrad),
// the input gradient and the weight gradient of the MNIST example's two convolutions and
// LeNet-5's two, at batch 64, one thread and two, as the median CPU milliseconds (the process's,
// all threads) of one call. nabla and PyTorch (bench/conv_layers_torch.py) alternate round by
// round; the table holds the median over rounds of each round's median.
//   node bench/conv-layers.mjs [rounds] [case filter]     (after `npm run build -w nabla`)
// CONV_BENCH_TORCH=0 skips PyTorch.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as nb from "../packages/nabla/dist/src/index.js";
import { convolutionInput, convolutionWeight } from "../packages/nabla/dist/src/ops/convolution.js";
import { median } from "./timing.mjs";

const here = dirname(fileURLToPath(import.meta.url));
/** name: [c, o, k, padding, h]; each at batch 64, stride 1. */
export const LAYERS = {
  mnist1: [1, 32, 3, 0, 28],
  mnist2: [32, 64, 3, 0, 26],
  lenet1: [1, 6, 5, 2, 28],
  lenet2: [6, 16, 5, 0, 14],
};
const N = 64;

function layerCases(name, [c, o, k, p, h]) {
  nb.manualSeed(0);
  const oh = h + 2 * p - k + 1;
  const g = { n: N, c, h, w: h, o, groups: 1, kh: k, kw: k, sh: 1, sw: 1, ph: p, pw: p, dh: 1, dw: 1, oh, ow: oh };
  const x = nb.randn([N, c, h, h]);
  const w = nb.randn([o, c, k, k]).mul(1 / Math.sqrt(c * k * k));
  const b = nb.randn([o]);
  const gy = nb.randn([N, o, oh, oh]);
  return {
    [`${name}_fwd`]: () => nb.noGrad(() => nb.F.conv2d(x, w, b, { padding: p })),
    [`${name}_input`]: () => nb.noGrad(() => convolutionInput(gy, w, g)),
    [`${name}_weight`]: () => nb.noGrad(() => convolutionWeight(x, gy, g)),
  };
}
const cases = Object.assign({}, ...Object.entries(LAYERS).map(([n, l]) => layerCases(n, l)));

function cpuMs(fn, reps) {
  fn();
  const cpus = [];
  for (let i = 0; i < reps; i++) {
    const c = process.cpuUsage();
    fn();
    const used = process.cpuUsage(c);
    cpus.push((used.user + used.system) / 1000);
  }
  return median(cpus);
}

const rounds = Number(process.argv[2] ?? 3);
const only = process.argv[3] ?? "";
const names = Object.keys(cases).filter((n) => n.includes(only));
const res = {};
for (let r = 0; r < rounds; r++) {
  for (const threads of [1, 2]) {
    nb.setNumThreads(threads);
    for (const name of names) ((res[`${name}@${threads}`] ??= { nabla: [], torch: [] }).nabla.push(cpuMs(cases[name], 15)));
  }
  if (process.env.CONV_BENCH_TORCH === "0") continue;
  const out = execFileSync("/usr/bin/python3", [join(here, "conv_layers_torch.py"), "15", ...names], { encoding: "utf8" });
  for (const line of out.trim().split("\n")) {
    const [key, ms] = line.split(" ");
    res[key]?.torch.push(Number(ms));
  }
}
const f = (v) => (Number.isNaN(v) ? "-" : v.toFixed(2)).padStart(8);
console.log(`${"case@threads".padEnd(18)} ${"nabla".padStart(8)} ${"torch".padStart(8)} ${"ratio".padStart(6)}   (CPU ms a call, median of ${rounds} rounds)`);
for (const [key, { nabla, torch }] of Object.entries(res)) {
  const a = median(nabla);
  const b = torch.length ? median(torch) : NaN;
  console.log(`${key.padEnd(18)} ${f(a)} ${f(b)} ${(a / b).toFixed(2).padStart(6)}`);
}
