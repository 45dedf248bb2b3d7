// Layer-level training steps beside PyTorch (issue 10): a CIFAR-style CNN with BatchNorm2d
// (float32, with its SGD step), BatchNorm2d alone, a float64 Conv2d, nn.GRU and a GRUCell model (float32 and
// float64), each timed as CPU milliseconds per step (the process's, all threads) and wall
// milliseconds per step, the median block of each. The cases and their shapes are described in the
// PyTorch twin, scripts/bench/layers.py; both sides seed 0 and build in the same order, so their
// weights and inputs agree and the losses they print can be compared.
//
//   node bench/layers.mjs [--rounds 3] [--threads 1,2] [--cases cnn,gru] [--torch 0]
//       the table: each case at each thread count, nabla and PyTorch as child processes, one of
//       each per round, alternating which goes first; medians over rounds, and nabla/PyTorch
//   node bench/layers.mjs --case cnn [--threads 1] [--blocks 7] [--block 2] [--warmup 2]
//       one case in this process (the child the table runs), printing `BENCH {json}`
//
// nabla runs its relaxed-SIMD wasm build (NABLA_RELAXED_SIMD=1, as bench/programs.mjs and the CLI).
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, parseFlags } from "./timing.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = "/usr/bin/python3";
const CASES = ["cnn", "bn2d", "conv_f64", "gru", "gru_f64", "grucell", "grucell_f64"];

/** `--name value` pairs; values stay strings. */

// ---- one case, in this process ------------------------------------------------------------------

async function runCase(flags) {
  const nb = await import("nabla");
  const { F, nn, optim } = nb;

  class CifarNet extends nn.Module {
    conv1 = new nn.Conv2d(3, 32, 3, { padding: 1 });
    bn1 = new nn.BatchNorm2d(32);
    conv2 = new nn.Conv2d(32, 64, 3, { padding: 1 });
    bn2 = new nn.BatchNorm2d(64);
    fc = new nn.Linear(64 * 8 * 8, 10);
    forward(x) {
      x = F.maxPool2d(F.relu(this.bn1.forward(this.conv1.forward(x))), 2);
      x = F.maxPool2d(F.relu(this.bn2.forward(this.conv2.forward(x))), 2);
      return this.fc.forward(x.flatten(1));
    }
  }

  class GruSequence extends nn.Module {
    gru1 = new nn.GRUCell(1, 51);
    gru2 = new nn.GRUCell(51, 51);
    linear = new nn.Linear(51, 1);
    forward(input) {
      const outputs = [];
      const [n, steps] = input.shape;
      let h = nb.zeros([n, 51], { dtype: input.dtype });
      let h2 = nb.zeros([n, 51], { dtype: input.dtype });
      for (let t = 0; t < steps; t++) {
        h = this.gru1.forward(input.narrow(1, t, 1), h);
        h2 = this.gru2.forward(h, h2);
        outputs.push(this.linear.forward(h2));
      }
      return nb.cat(outputs, 1);
    }
  }

  const make = {
    cnn() {
      const model = new CifarNet();
      const x = nb.randn([128, 3, 32, 32]);
      const y = nb.randint(0, 10, [128]);
      const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
      return () => {
        optimizer.zeroGrad();
        const loss = F.crossEntropy(model.forward(x), y);
        loss.backward();
        optimizer.step();
        return loss.item();
      };
    },
    bn2d() {
      const bn = new nn.BatchNorm2d(32);
      const x = nb.randn([128, 32, 32, 32]).requiresGrad_();
      const g = nb.randn([128, 32, 32, 32]);
      return () => {
        bn.zeroGrad();
        x.grad = null;
        const y = bn.forward(x);
        y.backward(g);
        return y.flatten().narrow(0, 0, 1).item();
      };
    },
    conv_f64() {
      const conv = new nn.Conv2d(32, 64, 3, { padding: 1 }).double();
      const x = nb.randn([32, 32, 16, 16], { dtype: "float64" }).requiresGrad_();
      const g = nb.randn([32, 64, 16, 16], { dtype: "float64" });
      return () => {
        conv.zeroGrad();
        x.grad = null;
        const loss = conv.forward(x).mul(g).sum();
        loss.backward();
        return loss.item();
      };
    },
    gru: (dtype) => () => {
      const model = new nn.GRU(128, 256).to(dtype);
      const x = nb.randn([35, 20, 128], { dtype });
      const target = nb.randn([35, 20, 256], { dtype });
      return () => {
        model.zeroGrad();
        const loss = F.mseLoss(model.forward(x)[0], target);
        loss.backward();
        return loss.item();
      };
    },
    grucell: (dtype) => () => {
      const model = new GruSequence().to(dtype);
      // x[i, t] = sin((t + 4 i) / 20), computed in float64 as the twin does, then cast
      const wave = Float64Array.from({ length: 97 * 101 }, (_, k) => Math.sin(((k % 101) + 4 * Math.floor(k / 101)) / 20));
      const waves = nb.tensor(wave, { dtype: "float64" }).reshape([97, 101]).to(dtype);
      const input = waves.narrow(1, 0, 100);
      const target = waves.narrow(1, 1, 100);
      return () => {
        model.zeroGrad();
        const loss = F.mseLoss(model.forward(input), target);
        loss.backward();
        return loss.item();
      };
    },
  };
  const builders = {
    cnn: make.cnn, bn2d: make.bn2d, conv_f64: make.conv_f64, gru: make.gru("float32"), gru_f64: make.gru("float64"),
    grucell: make.grucell("float32"), grucell_f64: make.grucell("float64"),
  };
  const build = builders[flags.case];
  if (!build) throw new Error(`bench/layers.mjs: unknown --case ${flags.case} (known: ${CASES.join(", ")})`);
  const threads = Number(flags.threads ?? 1);
  const blocks = Number(flags.blocks ?? 7);
  const block = Number(flags.block ?? 2);
  const warmup = Number(flags.warmup ?? 2);
  nb.setNumThreads(threads);
  nb.manualSeed(0);
  const step = build();
  let loss = NaN;
  for (let i = 0; i < warmup; i++) loss = step();
  const cpu = [];
  const wall = [];
  for (let b = 0; b < blocks; b++) {
    const c = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < block; i++) loss = step();
    wall.push((performance.now() - started) / block);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000 / block);
  }
  console.log(`BENCH ${JSON.stringify({ cpu_ms_per_step: median(cpu), wall_ms_per_step: median(wall), loss })}`);
}

// ---- the table: both sides as children, interleaved ----------------------------------------------

function child(side, name, threads) {
  const [cmd, args, env] = side === "nabla"
    ? [process.execPath, ["--experimental-wasm-relaxed-simd", join(here, "layers.mjs"), "--case", name, "--threads", String(threads)],
      { ...process.env, NABLA_RELAXED_SIMD: "1" }]
    : [PYTHON, [join(here, "../scripts/bench/layers.py"), "--case", name, "--threads", String(threads)], process.env];
  const r = spawnSync(cmd, args, { encoding: "utf8", env, timeout: 600_000 });
  const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("BENCH "));
  if (r.status !== 0 || !line) throw new Error(`${side} ${name} (${threads} threads) failed: ${(r.stderr || r.stdout || String(r.error)).trim().slice(-400)}`);
  return JSON.parse(line.slice(6));
}

function table(flags) {
  const rounds = Number(flags.rounds ?? 3);
  const threadCounts = (flags.threads ?? "1,2").split(",").map(Number);
  const names = flags.cases ? flags.cases.split(",") : CASES;
  const withTorch = flags.torch !== "0";
  const sides = withTorch ? ["nabla", "torch"] : ["nabla"];
  console.log(`bench/layers.mjs: ${rounds} rounds, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const rows = [];
  for (const name of names) {
    for (const threads of threadCounts) {
      const runs = { nabla: [], torch: [] };
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 ? [...sides].reverse() : sides;
        for (const side of order) runs[side].push(child(side, name, threads));
      }
      const m = (side, key) => (runs[side].length ? median(runs[side].map((r) => r[key])) : NaN);
      const row = {
        name, threads,
        nCpu: m("nabla", "cpu_ms_per_step"), tCpu: m("torch", "cpu_ms_per_step"),
        nWall: m("nabla", "wall_ms_per_step"), tWall: m("torch", "wall_ms_per_step"),
        nLoss: runs.nabla[0].loss, tLoss: runs.torch[0]?.loss ?? NaN,
      };
      rows.push(row);
      const f = (v) => (Number.isNaN(v) ? "—" : v.toFixed(v < 10 ? 2 : 1));
      const loss = (v) => (Number.isNaN(v) ? "—" : v.toPrecision(7));
      console.log(
        `${name.padEnd(12)} ${String(threads).padStart(2)} thr | CPU ms nabla ${f(row.nCpu).padStart(7)} torch ${f(row.tCpu).padStart(7)} ratio ${f(row.nCpu / row.tCpu).padStart(5)}` +
        ` | wall ms nabla ${f(row.nWall).padStart(7)} torch ${f(row.tWall).padStart(7)} ratio ${f(row.nWall / row.tWall).padStart(5)}` +
        ` | loss ${loss(row.nLoss)} / ${loss(row.tLoss)}`,
      );
    }
  }
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}; ratio = nabla / PyTorch (< 1: nabla faster)`);
}

const flags = parseFlags(process.argv.slice(2));
if (flags.case) await runCase(flags);
else table(flags);
