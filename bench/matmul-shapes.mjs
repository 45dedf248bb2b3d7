// Matmul at the small and skinny shapes real programs use (the LSTM language model, the float64
// LSTMCell program, the MLP, a few squares off the micro-tiles), float32 and float64, each in the
// transpose form autograd gives it, beside PyTorch 1.13 (scripts/bench/matmul_shapes.py, Debian's
// OpenBLAS) at the same thread counts. Rounds interleave the two (nabla, PyTorch, nabla, …); each
// shape's figure is GFLOP/s per CPU-second (2·m·k·n over the process's CPU time per product, all
// threads counted), the median over rounds, and the ratio nabla ÷ PyTorch (≥ 1: nabla faster).
//
// `node bench/matmul-shapes.mjs [--rounds=3] [--threads=1,2] [--dtypes=float32,float64] [--only=lstm]
// [--torch=0]`. The wasm build follows NABLA_RELAXED_SIMD as the library does (=1: relaxed SIMD's
// fused multiply-add where the engine has it behind its flag); the header says which ran.
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as nb from "../packages/nabla/dist/src/index.js";
import { median } from "./timing.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

/**
 * [name, m, k, n, form]: form says which operands are read transposed, as autograd produces
 * them — "nn" A·B, "nt" A·Bᵀ (x·Wᵀ, a Linear's forward), "tn" Aᵀ·B (a weight's gradient), "tt".
 * The script and its twin share this list (the twin reads it from argv as JSON).
 */
export const SHAPES = [
  // 2-layer LSTM language model (examples/word-language-model.ts): hidden 200, batch 20, bptt 35
  ["lstm_h_fwd", 20, 200, 800, "nt"], // h·W_hhᵀ, each step
  ["lstm_h_dh", 20, 800, 200, "nn"], // gates' grad·W_hh, each step
  ["lstm_whh_grad_step", 800, 20, 200, "tn"], // gᵀ·h, each step (before one-matmul W_hh grad)
  ["lstm_w_grad_all", 800, 700, 200, "tn"], // gᵀ·h over all 35 steps at once (W_ih; W_hh after)
  ["lstm_x_proj", 700, 200, 800, "nt"], // x·W_ihᵀ over all steps
  ["lstm_dx", 700, 800, 200, "nn"], // gates' grad·W_ih over all steps
  // float64 LSTMCell program (bench/programs/lstm-cell-f64.mjs): batch 97, hidden 51
  ["cell_h_fwd", 97, 51, 204, "nt"],
  ["cell_dh", 97, 204, 51, "nn"],
  ["cell_w_grad", 204, 97, 51, "tn"],
  // GRUCell model 1→51→51 + Linear(51→1) at batch 97 (bench/layers.mjs grucell): products with a
  // dimension of 1 (assembly/matmul-skinny.ts), and nn.GRU(128, 256)'s step at batch 20
  ["gru_x_fwd_k1", 97, 1, 153, "nt"], // x·W_ihᵀ, input size 1
  ["gru_w_ih_grad_n1", 153, 97, 1, "tn"], // gᵀ·x
  ["head_fwd_n1", 97, 51, 1, "nt"], // h·Wᵀ of Linear(51→1)
  ["head_dh_k1", 97, 1, 51, "nn"], // g·W
  ["head_w_grad_m1", 1, 97, 51, "tn"], // gᵀ·h
  ["gru_h_fwd", 20, 256, 768, "nt"], // h·W_hhᵀ, each step
  // MLP 784→128→10 at batch 64
  ["mlp_fwd", 64, 784, 128, "nt"],
  ["mlp_dw", 128, 64, 784, "tn"],
  ["mlp_dx", 64, 128, 784, "nn"],
  // a Linear(256, 768)'s weight gradient Gᵀ·H over N rows (G [N, 768] read transposed, h [N, 256]),
  // beside the same product with A stored row-major: packing a transposed A (assembly/matmul.ts
  // packATransposed) against a row-major one
  ["wgrad_n64_tn", 768, 64, 256, "tn"],
  ["wgrad_n64_nn", 768, 64, 256, "nn"],
  ["wgrad_n128_tn", 768, 128, 256, "tn"],
  ["wgrad_n128_nn", 768, 128, 256, "nn"],
  ["wgrad_n1024_tn", 768, 1024, 256, "tn"],
  ["wgrad_n1024_nn", 768, 1024, 256, "nn"],
  // squares and odd sizes off the tiles
  ["sq64", 64, 64, 64, "nn"],
  ["sq128", 128, 128, 128, "nn"],
  ["sq200", 200, 200, 200, "nn"],
  ["sq400", 400, 400, 400, "nn"],
  ["odd_35x51x97", 35, 51, 97, "nn"],
  ["odd_97_tt", 97, 97, 97, "tt"],
  ["k20_400x20x400", 400, 20, 400, "nt"],
];

function flag(name, fallback) {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : arg.slice(name.length + 3);
}
const rounds = Number(flag("rounds", "3"));
const threadCounts = flag("threads", "1,2").split(",").map(Number);
const dtypes = flag("dtypes", "float32,float64").split(",");
const only = flag("only", "");
const withTorch = flag("torch", "1") !== "0";
const shapes = SHAPES.filter(([name]) => name.includes(only));

/** The operands of one shape in its form: A is [m,k] or a transposed [k,m], B [k,n] or a transposed [n,k]. */
function operands([, m, k, n, form], dtype) {
  const a = form[0] === "t" ? nb.randn([k, m], { dtype }).t() : nb.randn([m, k], { dtype });
  const b = form[1] === "t" ? nb.randn([n, k], { dtype }).t() : nb.randn([k, n], { dtype });
  return [a, b];
}

/** GFLOP/s per CPU-second and per wall-second of nb.matmul on one shape: repeats until ≥ 40 ms of CPU, five times, median. */
function timeShape(shape, dtype) {
  const [, m, k, n] = shape;
  const [a, b] = operands(shape, dtype);
  const flops = 2 * m * k * n;
  const once = () => nb.matmul(a, b).free();
  for (let i = 0; i < 3; i++) once();
  let reps = 1;
  for (;;) {
    const c = process.cpuUsage();
    for (let i = 0; i < reps; i++) once();
    const u = process.cpuUsage(c);
    if (u.user + u.system > 20000) break;
    reps *= 2;
  }
  const cpu = [];
  const wall = [];
  for (let s = 0; s < 5; s++) {
    const c = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < reps; i++) once();
    wall.push((performance.now() - t) / 1000 / reps);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1e6 / reps);
  }
  return [flops / median(cpu) / 1e9, flops / median(wall) / 1e9];
}

const res = {}; // key → { nabla: [[cpu, wall]…], torch: […] }
let blas = "";
for (let r = 0; r < rounds; r++) {
  for (const threads of threadCounts) {
    for (const dtype of dtypes) {
      nb.setNumThreads(threads);
      nb.noGrad(() => {
        for (const shape of shapes) (res[`${shape[0]}|${dtype}|${threads}`] ??= { nabla: [], torch: [] }).nabla.push(timeShape(shape, dtype));
      });
      if (!withTorch) continue;
      const out = JSON.parse(execFileSync("/usr/bin/python3", [join(root, "scripts/bench/matmul_shapes.py"), String(threads), dtype, JSON.stringify(shapes)], { encoding: "utf8" }));
      blas = out.blas;
      for (const shape of shapes) res[`${shape[0]}|${dtype}|${threads}`].torch.push(out.results[shape[0]]);
    }
  }
}

const relaxed = nb.getBackendOptions().relaxedSimd ? "relaxed SIMD (fused multiply-add)" : "baseline SIMD (no relaxed SIMD)";
console.log(`matmul shapes: nabla ${relaxed}; ${withTorch ? `PyTorch ${blas}` : "no PyTorch"}; ${rounds} interleaved rounds; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log("GFLOP/s per CPU-second (wall in brackets), medians; ratio = nabla ÷ PyTorch on CPU time (≥ 1: nabla faster)");
const g = (v) => (Number.isFinite(v) ? v.toFixed(1) : "–");
for (const threads of threadCounts) {
  for (const dtype of dtypes) {
    console.log(`\n${dtype}, ${threads} thread${threads === 1 ? "" : "s"}`);
    console.log(`${"shape".padEnd(20)} ${"m×k×n form".padEnd(16)} ${"nabla".padStart(14)} ${"PyTorch".padStart(14)} ${"ratio".padStart(6)}`);
    for (const [name, m, k, n, form] of shapes) {
      const { nabla, torch } = res[`${name}|${dtype}|${threads}`];
      const med = (runs, i) => (runs.length ? median(runs.map((x) => x[i])) : NaN);
      const [nc, nw, tc, tw] = [med(nabla, 0), med(nabla, 1), med(torch, 0), med(torch, 1)];
      const cell = (c, w) => `${g(c)} (${g(w)})`.padStart(14);
      console.log(`${name.padEnd(20)} ${`${m}×${k}×${n} ${form}`.padEnd(16)} ${cell(nc, nw)} ${cell(tc, tw)} ${(nc / tc).toFixed(2).padStart(6)}`);
    }
  }
}
