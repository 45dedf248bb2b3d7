// float64 on the wasm backend: a 256×256 matmul and an LSTMCell forward+backward loop (the
// time_sequence_prediction shape of pytorch/examples), beside PyTorch 1.13 on the same sizes.
// `node bench/float64.mjs` after `npm run build`; NABLA_BACKEND=js runs the plain-JS kernels.
// Prints medians of interleaved runs (nabla, PyTorch, nabla, PyTorch …) and the load average.
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import * as nb from "../packages/nabla/dist/src/index.js";
import { median, timeIt } from "./timing.mjs";

const { nn, noGrad } = nb;
if (nb.getBackend() === "wasm") nb.setBackend("wasm", { relaxedSimd: true });
if (process.env.THREADS) nb.setNumThreads(Number(process.env.THREADS));
nb.manualSeed(0);

/** Median ms of a noGrad float64 matmul n×n·n×n. */
async function matmulMs(n) {
  const a = nb.randn([n, n], { dtype: "float64" });
  const b = nb.randn([n, n], { dtype: "float64" });
  return timeIt(() => noGrad(() => a.matmul(b)), { warmup: 5, minRuns: 20, maxRuns: 2000, minMs: 1000, budgetMs: 1000 });
}

/** Median ms of one forward+backward over `steps` time steps of two LSTMCells(51) and a Linear, batch 97 (float64). */
async function lstmMs(steps) {
  const c1 = new nn.LSTMCell(1, 51, { dtype: "float64" });
  const c2 = new nn.LSTMCell(51, 51, { dtype: "float64" });
  const lin = new nn.Linear(51, 1).double();
  const input = nb.randn([97, steps], { dtype: "float64" });
  const target = nb.randn([97, steps], { dtype: "float64" });
  const xs = nb.chunk(input, steps, 1);
  const run = () => {
    let h1 = nb.zeros([97, 51], { dtype: "float64" });
    let s1 = nb.zeros([97, 51], { dtype: "float64" });
    let h2 = nb.zeros([97, 51], { dtype: "float64" });
    let s2 = nb.zeros([97, 51], { dtype: "float64" });
    const outs = [];
    for (const x of xs) {
      [h1, s1] = c1.forward(x, [h1, s1]);
      [h2, s2] = c2.forward(h1, [h2, s2]);
      outs.push(lin.forward(h2));
    }
    const loss = nb.cat(outs, 1).sub(target).pow(2).mean();
    loss.backward();
    for (const m of [c1, c2, lin]) for (const p of m.parameters()) p.grad = null;
  };
  return timeIt(run, { warmup: 2, minRuns: 5, maxRuns: 15, minMs: 0, budgetMs: 8000 });
}

const torchScript = `
import sys, time, torch
torch.set_num_threads(int(sys.argv[2])); torch.manual_seed(0)
def med(f, runs):
    for _ in range(3): f()
    t = []
    for _ in range(runs):
        s = time.perf_counter(); f(); t.append((time.perf_counter() - s) * 1000)
    t.sort(); return t[len(t) // 2]
a = torch.randn(256, 256, dtype=torch.float64); b = torch.randn(256, 256, dtype=torch.float64)
mm = med(lambda: a @ b, 200)
c1 = torch.nn.LSTMCell(1, 51).double(); c2 = torch.nn.LSTMCell(51, 51).double(); lin = torch.nn.Linear(51, 1).double()
steps = int(sys.argv[1])
inp = torch.randn(97, steps, dtype=torch.float64); tgt = torch.randn(97, steps, dtype=torch.float64)
def run():
    h1 = torch.zeros(97, 51, dtype=torch.float64); s1 = torch.zeros_like(h1); h2 = torch.zeros_like(h1); s2 = torch.zeros_like(h1)
    outs = []
    for x in inp.chunk(steps, 1):
        h1, s1 = c1(x, (h1, s1)); h2, s2 = c2(h1, (h2, s2)); outs.append(lin(h2))
    loss = (torch.cat(outs, 1) - tgt).pow(2).mean(); loss.backward()
    for m in (c1, c2, lin): m.zero_grad(set_to_none=True)
lstm = med(run, 7)
print(mm, lstm)
`;

function torchMs(steps) {
  try {
    const out = execFileSync("/usr/bin/python3", ["-c", torchScript, String(steps), String(nb.getNumThreads())], { encoding: "utf8" });
    const [mm, lstm] = out.trim().split(/\s+/).map(Number);
    return { mm, lstm };
  } catch {
    return null;
  }
}

const STEPS = Number(process.env.STEPS ?? 100);
const rounds = Number(process.env.ROUNDS ?? 3);
const withTorch = process.env.NO_TORCH !== "1";
const rows = { mm: [], lstm: [], tmm: [], tlstm: [] };
for (let r = 0; r < rounds; r++) {
  rows.mm.push(await matmulMs(256));
  rows.lstm.push(await lstmMs(STEPS));
  if (withTorch) {
    const t = torchMs(STEPS);
    if (t) {
      rows.tmm.push(t.mm);
      rows.tlstm.push(t.lstm);
    }
  }
}
const fmt = (xs) => (xs.length ? median(xs).toFixed(3) : "—");
console.log(`nabla ${nb.getBackend()} backend, ${nb.getNumThreads()} threads; ${rounds} interleaved rounds`);
console.log(`float64 matmul 256×256×256: nabla ${fmt(rows.mm)} ms, PyTorch ${fmt(rows.tmm)} ms`);
console.log(`float64 LSTMCell×2 (97×51) + Linear, ${STEPS} steps fwd+bwd: nabla ${fmt(rows.lstm)} ms, PyTorch ${fmt(rows.tlstm)} ms`);
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(", ")}`);
