// Batch norm on its own beside PyTorch (issue 10): BatchNorm1d/2d over small [N, C] and
// [N, C, H, W] inputs (an MLP's and a VAE's layers, where a call's fixed costs dominate) and one
// large one, float32 and float64, as the CPU milliseconds of one call (the process's, all threads):
// the mean over every timed call (what a loop pays, the garbage collector's pauses included) and
// the least block's (the call itself, on a busy machine the steadier figure); and the wall mean. Modes: "train" is a training forward (the
// running statistics move) and its backward from a fixed gradient (input, weight, bias); "eval"
// is an eval-mode forward without gradient. The PyTorch twin is scripts/bench/batchnorm.py.
//
//   node bench/batchnorm.mjs [--rounds 3] [--threads 1,2] [--lib path/to/index.js,...] [--torch 0]
//       the table: every case at each thread count, each library (default: the built nabla) and
//       PyTorch as child processes, one of each per round, the order rotating; medians over rounds
//   node bench/batchnorm.mjs --child 1 [--lib …] [--threads 1]
//       every case in this process (the child the table runs), printing `BENCH {json}`
//
// nabla runs its relaxed-SIMD wasm build (NABLA_RELAXED_SIMD=1, as bench/programs.mjs and the CLI).
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { median, parseFlags } from "./timing.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = "/usr/bin/python3";

/** name, module, shape, dtype, mode */
export const CASES = [
  ["bn1d 128×512", "BatchNorm1d", [128, 512], "float32", "train"],
  ["bn1d 128×512", "BatchNorm1d", [128, 512], "float32", "eval"],
  ["bn1d 128×512 f64", "BatchNorm1d", [128, 512], "float64", "train"],
  ["bn1d 64×100", "BatchNorm1d", [64, 100], "float32", "train"],
  ["bn1d 64×100", "BatchNorm1d", [64, 100], "float32", "eval"],
  ["bn2d 32×16×8×8", "BatchNorm2d", [32, 16, 8, 8], "float32", "train"],
  ["bn2d 32×16×8×8", "BatchNorm2d", [32, 16, 8, 8], "float32", "eval"],
  ["bn2d 128×32×32×32", "BatchNorm2d", [128, 32, 32, 32], "float32", "train"],
  ["bn2d 128×32×32×32", "BatchNorm2d", [128, 32, 32, 32], "float32", "eval"],
];

/** Calls a block should hold: ~20 ms of work at the shapes' size. */
function callsPerBlock(numel) {
  return Math.max(2, Math.min(400, Math.round(2e6 / numel)));
}

async function runChild(flags) {
  const nb = await import(flags.lib ? pathToFileURL(resolve(flags.lib)).href : "nabla");
  const { nn } = nb;
  nb.setNumThreads(Number(flags.threads ?? 1));
  nb.manualSeed(0);
  const results = [];
  for (const [name, layer, shape, dtype, mode] of CASES) {
    const bn = new nn[layer](shape[1], { dtype });
    const x0 = nb.randn(shape, { dtype });
    const g = nb.randn(shape, { dtype });
    let step;
    if (mode === "train") {
      const x = x0.requiresGrad_();
      bn.train();
      step = () => {
        bn.zeroGrad();
        x.grad = null;
        bn.forward(x).backward(g);
      };
    } else {
      bn.eval();
      step = () => nb.noGrad(() => bn.forward(x0));
    }
    const block = callsPerBlock(x0.numel());
    // warm until the JIT has optimised the whole call path (a second, at least 3 blocks)
    const warmUntil = performance.now() + 1000;
    for (let i = 0; i < 3 * block || performance.now() < warmUntil; i++) step();
    const cpu = [], wall = [];
    for (let b = 0; b < 15; b++) {
      const c = process.cpuUsage();
      const t = performance.now();
      for (let i = 0; i < block; i++) step();
      wall.push((performance.now() - t) / block);
      const used = process.cpuUsage(c);
      cpu.push((used.user + used.system) / 1000 / block);
    }
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    results.push({ name, mode, cpu: mean(cpu), cpuBest: Math.min(...cpu), wall: mean(wall) });
  }
  console.log(`BENCH ${JSON.stringify(results)}`);
}

function child(side, threads) {
  const [cmd, args, env] = side === "torch"
    ? [PYTHON, [join(here, "../scripts/bench/batchnorm.py"), "--threads", String(threads)], process.env]
    : [process.execPath, ["--experimental-wasm-relaxed-simd", join(here, "batchnorm.mjs"), "--child", "1", "--threads", String(threads), ...(side === "nabla" ? [] : ["--lib", side])],
      { ...process.env, NABLA_RELAXED_SIMD: "1" }];
  const r = spawnSync(cmd, args, { encoding: "utf8", env, timeout: 600_000 });
  const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("BENCH "));
  if (r.status !== 0 || !line) throw new Error(`${side} (${threads} threads) failed: ${(r.stderr || r.stdout || String(r.error)).trim().slice(-400)}`);
  return JSON.parse(line.slice(6));
}

function table(flags) {
  const rounds = Number(flags.rounds ?? 3);
  const threadCounts = (flags.threads ?? "1,2").split(",").map(Number);
  const libs = flags.lib ? flags.lib.split(",") : ["nabla"];
  const sides = flags.torch === "0" ? libs : [...libs, "torch"];
  const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
  console.log(`bench/batchnorm.mjs: ${rounds} rounds; columns: CPU ms per call, mean (median over rounds) / best block (least over rounds), wall mean; ${sides.join(" | ")}`);
  for (const threads of threadCounts) {
    const runs = Object.fromEntries(sides.map((s) => [s, []]));
    for (let round = 0; round < rounds; round++) {
      const order = sides.map((_, i) => sides[(i + round) % sides.length]);
      for (const side of order) runs[side].push(child(side, threads));
    }
    console.log(`-- ${threads} thread(s), load average ${load()}`);
    const f = (v) => v.toFixed(v < 1 ? 3 : 2);
    CASES.forEach(([name, , , , mode], k) => {
      const m = (side, key) => median(runs[side].map((r) => r[k][key]));
      const best = (side) => Math.min(...runs[side].map((r) => r[k].cpuBest));
      const cells = sides.map((s) => `${f(m(s, "cpu")).padStart(6)} / ${f(best(s)).padStart(6)} (${f(m(s, "wall")).padStart(6)})`);
      const ratio = (s) => `${(m(s, "cpu") / m("torch", "cpu")).toFixed(2)}/${(best(s) / best("torch")).toFixed(2)}`;
      const ratios = flags.torch === "0" ? "" : " | ratio " + libs.map(ratio).join(" ");
      console.log(`${`${name} ${mode}`.padEnd(26)} ${cells.join(" | ")}${ratios}`);
    });
  }
  console.log(`load average ${load()}; ratio = nabla CPU / PyTorch CPU, mean/best (< 1: nabla faster)`);
}

const flags = parseFlags(process.argv.slice(2));
if (flags.child) await runChild(flags);
else table(flags);
