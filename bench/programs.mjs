// Real programs, nabla beside PyTorch: each program runs as a whole process, nabla and PyTorch in
// turn (nabla, PyTorch, nabla, PyTorch …, `runs` times each), on the same inputs; the table gives
// the median wall time, peak resident memory and CPU time of each side and the ratios of the
// medians, nabla ÷ PyTorch (≤ 1: nabla uses less). A run that crashes, runs out of memory or
// times out is reported as such, with how long it ran and how much memory it held.
//
// Peak memory and CPU time come from /usr/bin/time (the kernel's rusage of the finished child:
// ru_maxrss, the most the process held resident); without it, from polling the child's VmHWM in
// /proc/<pid>/status. nabla runs through bench/programs/nabla-run.mjs (setNumThreads), PyTorch
// through /usr/bin/python3 scripts/bench/torch_run.py (torch.set_num_threads), both at `threads`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PYTHON = "/usr/bin/python3";
const TIME = "/usr/bin/time";

/**
 * The programs, in the issue's order. `nabla`/`torch`: the script (from the repository root) and
 * its flags. `metrics`: numbers the program prints itself on its `BENCH {json}` line; `time`
 * says how to turn one into a time (so that every ratio reads nabla ÷ PyTorch, ≤ 1 better).
 * `target`: the issue's bound on the wall-time ratio.
 */
export const PROGRAMS = [
  {
    id: "mnist",
    label: "(1) pytorch/examples mnist on Fashion-MNIST: 6,400 train / 3,000 test images, test batch 1000, 1 epoch",
    nabla: ["dist/examples/mnist.js", "--epochs", "1", "--limit", "6400", "--test-limit", "3000", "--test-batch-size", "1000"],
    torch: ["scripts/examples/mnist.py", "--epochs", "1", "--limit", "6400", "--test-limit", "3000", "--test-batch-size", "1000"],
    target: 1,
  },
  {
    // not in the default set: the same program with test batch 100, for a figure of nabla's while
    // test batch 1000 runs out of memory (`--programs=mnist-tb100`)
    id: "mnist-tb100",
    optional: true,
    label: "(1′) the same, test batch 100",
    nabla: ["dist/examples/mnist.js", "--epochs", "1", "--limit", "6400", "--test-limit", "3000", "--test-batch-size", "100"],
    torch: ["scripts/examples/mnist.py", "--epochs", "1", "--limit", "6400", "--test-limit", "3000", "--test-batch-size", "100"],
    target: 1,
  },
  {
    id: "vae",
    label: "(2) pytorch/examples vae: 1 epoch (63 steps of 128, then 2,000 test digits)",
    nabla: ["dist/examples/vae.js", "--epochs", "1", "--results", ""],
    torch: ["scripts/examples/vae.py", "--epochs", "1"],
    target: 1,
  },
  {
    id: "lstm-lm",
    label: "(3) pytorch/examples word_language_model, 2-layer LSTM 200×200, GPL-3's text: 1 epoch (8 steps of 20×35, then validation and test)",
    nabla: ["dist/examples/word-language-model.js", "--epochs", "1", "--save", ""],
    torch: ["scripts/examples/word_language_model.py", "--epochs", "1"],
    target: 1,
  },
  {
    id: "lenet",
    label: "(4) LeNet-5 training, batch 64, Adam: 200 + 60 steps",
    nabla: ["bench/programs/lenet.mjs"],
    torch: ["scripts/bench/lenet.py"],
    metrics: [{ key: "samples_per_s", label: "LeNet-5 training steps (median step)", unit: "samples/s", time: (v) => 1 / v }],
    target: 1,
  },
  {
    id: "lstm-cell-f64",
    label: "(5) float64 LSTMCell 1→51→51 + Linear, forward+backward over 100 steps, batch 97: 1 + 3 runs",
    nabla: ["bench/programs/lstm-cell-f64.mjs"],
    torch: ["scripts/bench/lstm_cell_f64.py"],
    metrics: [
      { key: "ms", label: "float64 LSTMCell forward+backward (median run)", unit: "ms", time: (v) => v },
      // the process's CPU time over the same run: on a shared, loaded machine steadier than its wall time
      { key: "cpu_ms", label: "float64 LSTMCell forward+backward, CPU time (median run)", unit: "ms", time: (v) => v },
    ],
    target: 1.5,
  },
  {
    id: "small-ops",
    label: "(6) per-op overhead: loops of add, mul, relu on float32 vectors of 4, 2,000 and 100,000 elements",
    nabla: ["bench/programs/small-ops.mjs"],
    torch: ["scripts/bench/small_ops.py"],
    // each figure twice: the median ~20 ms batch, and the mean over all batches (`…mean`), which
    // counts the forced collections a long loop of dropped results pays for
    metrics: [
      { key: "us4", label: "one op on 4 elements" },
      { key: "us4grad", label: "the same, inputs requiring grad, graph recorded" },
      { key: "us2000", label: "one op on 2,000 elements" },
      { key: "us2000grad", label: "the same, inputs requiring grad" },
      { key: "us100000", label: "one op on 100,000 elements" },
      { key: "us100000grad", label: "the same, inputs requiring grad" },
      // nabla's loop body inside memory.scope (TF.js's tidy), against PyTorch's plain loop, which needs none
      { key: "us2000scoped", torchKey: "us2000", label: "one op on 2,000 elements, nabla's loop in memory.scope" },
      { key: "us2000gradscoped", torchKey: "us2000grad", label: "the same, inputs requiring grad" },
      { key: "us100000scoped", torchKey: "us100000", label: "one op on 100,000 elements, nabla's loop in memory.scope" },
      { key: "us100000gradscoped", torchKey: "us100000grad", label: "the same, inputs requiring grad" },
    ].flatMap((m) => [
      { ...m, label: `${m.label} (median batch)`, unit: "µs/op", time: (v) => v, target: 1 },
      { ...m, key: `${m.key}mean`, torchKey: `${m.torchKey ?? m.key}mean`, label: `${m.label} (mean, collections included)`, unit: "µs/op", time: (v) => v, target: 1 },
    ]),
  },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(", ");

/** PyTorch's version, threads and BLAS, or null (with the reason) when /usr/bin/python3 has no torch. */
export function torchInfo(threads) {
  if (!existsSync(PYTHON)) return { missing: `${PYTHON} does not exist` };
  const r = spawnSync(PYTHON, [join(root, "scripts/bench/torch_run.py"), "--info"], { encoding: "utf8", env: torchEnv(threads) });
  if (r.status !== 0) return { missing: `${PYTHON} cannot import torch (${(r.stderr || "").trim().split("\n").pop()})` };
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

/** PyTorch's environment: Debian's OpenBLAS as it comes, without the machine's OpenBLAS overrides. */
function torchEnv(threads) {
  const env = { ...process.env, NABLA_BENCH_THREADS: String(threads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** nabla's environment: the relaxed-SIMD build, as bench/nabla.mjs and the CLI run it. */
function nablaEnv(threads) {
  return { ...process.env, NABLA_BENCH_THREADS: String(threads), NABLA_RELAXED_SIMD: "1" };
}

/** Why a run failed, from its exit and the end of its output. */
function failure({ code, signal, timedOut, output, timeoutS }) {
  if (timedOut) return `timed out after ${timeoutS} s`;
  const lines = output.split("\n").map((l) => l.trim()).filter(Boolean);
  const memory = /Maximum memory size exceeded|OutOfMemoryError|out of memory|Array buffer allocation failed|MemoryError|Cannot allocate memory/i;
  // the error's own line before any echo of the source line it was thrown from
  const oom = lines.find((l) => /^\w*Error\b/.test(l) && memory.test(l)) ?? lines.find((l) => memory.test(l));
  if (oom) return `out of memory: ${oom.slice(0, 160)}`;
  if (signal === "SIGKILL" || code === 137) return "killed (SIGKILL, likely the kernel's out-of-memory killer)";
  if (signal) return `killed by ${signal}`;
  const error = lines.find((l) => /^\w*Error\b|Error:|Traceback/.test(l)) ?? lines.at(-1) ?? "";
  return `exit ${code}: ${error.slice(0, 160)}`;
}

/**
 * Runs one command as a child, in a scratch directory (examples write models and images there),
 * and measures it: wall seconds, peak resident MiB, CPU seconds (user + system); `error` when it
 * did not finish cleanly; `metrics` from its `BENCH {json}` line.
 */
export function measure(cmd, args, { env, timeoutS }) {
  const haveTime = existsSync(TIME);
  const cwd = mkdtempSync(join(os.tmpdir(), "nabla-bench-"));
  const timeFile = join(cwd, ".time");
  const argv = haveTime ? [TIME, "-f", "%M %U %S", "-o", timeFile, cmd, ...args] : [cmd, ...args];
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    const keep = (chunk) => {
      output += chunk;
      if (output.length > 1 << 16) output = output.slice(-(1 << 15));
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let timedOut = false;
    let hwmKiB = 0;
    // without /usr/bin/time: the high-water mark, read until the process is gone
    const poll = haveTime ? null : setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) hwmKiB = Math.max(hwmKiB, Number(m[1]));
      } catch {}
    }, 50);
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, "SIGKILL"); } catch {}
    }, timeoutS * 1000);
    child.on("close", (code, signal) => {
      const wall = (performance.now() - started) / 1000;
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      let peakMiB = hwmKiB > 0 ? hwmKiB / 1024 : NaN; // NaN: unknown (a run killed at its timeout)
      let cpu = NaN;
      let childSignal = signal;
      let childCode = code;
      if (haveTime && existsSync(timeFile)) {
        // /usr/bin/time writes "Command terminated by signal N" / "exited with non-zero status N" before its line
        const lines = readFileSync(timeFile, "utf8").trim().split("\n");
        const [kib, user, sys] = lines.at(-1).split(" ").map(Number);
        peakMiB = kib / 1024;
        cpu = user + sys;
        const sig = lines.find((l) => l.startsWith("Command terminated by signal"));
        if (sig) childSignal = Number(sig.split(" ").pop()) === 9 ? "SIGKILL" : `signal ${sig.split(" ").pop()}`;
      }
      rmSync(cwd, { recursive: true, force: true });
      const run = { wall, peakMiB, cpu, load1: os.loadavg()[0] };
      const bench = output.split("\n").reverse().find((l) => l.startsWith("BENCH "));
      if (bench) run.metrics = JSON.parse(bench.slice(6));
      const steps = output.split("\n").reverse().find((l) => /^\d+ steps in [\d.]+ s/.test(l));
      if (steps) run.stepsLine = steps.trim();
      if (timedOut || childCode !== 0 || childSignal) {
        run.error = failure({ code: childCode, signal: childSignal, timedOut, output, timeoutS });
        // where the program was: its last line of progress before the error's lines
        run.lastProgress = output.split("\n").map((l) => l.trim()).filter((l) => /^(Train|Test|====>|\| epoch|\| end)/i.test(l)).at(-1);
      }
      resolve(run);
    });
  });
}

/**
 * Runs the programs named by `ids` (by default all but the optional ones), each `runs` times per side, interleaved.
 * Returns everything the markdown needs.
 */
export async function runPrograms({ ids, runs = 3, threads = 2, timeoutS = 600, log = (s) => process.stderr.write(`${s}\n`) } = {}) {
  const programs = ids ? PROGRAMS.filter((p) => ids.includes(p.id)) : PROGRAMS.filter((p) => !p.optional);
  const torch = torchInfo(threads);
  if (torch.missing) log(`PyTorch columns skipped: ${torch.missing}`);
  else log(`PyTorch ${torch.version}, ${torch.threads} threads, BLAS: ${torch.blas.join(", ") || torch.blas_info}`);
  const started = new Date();
  const loadBefore = load();
  log(`load average before the programs: ${loadBefore}`);
  const results = {};
  for (const p of programs) {
    results[p.id] = { nabla: [], torch: [] };
    for (let r = 0; r < runs; r++) {
      const sides = [["nabla", process.execPath, [join(root, "bench/programs/nabla-run.mjs"), join(root, p.nabla[0]), ...p.nabla.slice(1)], nablaEnv(threads)]];
      if (!torch.missing) sides.push(["torch", PYTHON, [join(root, "scripts/bench/torch_run.py"), join(root, p.torch[0]), ...p.torch.slice(1)], torchEnv(threads)]);
      for (const [side, cmd, args, env] of sides) {
        const run = await measure(cmd, args, { env, timeoutS });
        results[p.id][side].push(run);
        const what = run.error ? `FAILED (${run.error})` : "ok";
        log(`  ${p.id} ${side === "nabla" ? "nabla  " : "PyTorch"} run ${r + 1}/${runs}: ${run.wall.toFixed(1)} s, peak ${run.peakMiB.toFixed(0)} MiB, cpu ${run.cpu.toFixed(1)} s, load ${run.load1.toFixed(1)} — ${what}${run.metrics ? ` ${JSON.stringify(run.metrics)}` : ""}`);
      }
    }
  }
  return { programs, results, torch, runs, threads, started, loadBefore, loadAfter: load() };
}

// ---- the report ----

const num = (v, digits = 1) => (!Number.isFinite(v) ? "?" : v >= 1000 ? Math.round(v).toLocaleString("en-US") : v >= 100 ? v.toFixed(0) : v.toFixed(digits));
const ratioText = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}` : "—");

const kindOf = (error) => (/^(out of memory|killed \(SIGKILL)/.test(error) ? "OOM" : /^timed out/.test(error) ? "timeout" : "crash");

/**
 * One side's summary of a figure: the median of its clean runs; when none finished, what went
 * wrong and the figure at that moment (`failedAt`: the median over the failed runs, so a peak or
 * a time there is a lower bound: "OOM at 3,931").
 */
function side(runs, pick) {
  const ok = runs.filter((r) => !r.error).map(pick).filter((v) => Number.isFinite(v));
  const failed = runs.filter((r) => r.error);
  if (ok.length === 0) {
    if (!failed.length) return { value: NaN, text: "—" };
    const at = failed.map(pick).filter((v) => Number.isFinite(v));
    const kinds = [...new Set(failed.map((r) => kindOf(r.error)))].join("/");
    return { value: NaN, failedAt: at.length ? median(at) : NaN, text: null, kinds };
  }
  const suffix = failed.length ? ` (${failed.length} of ${runs.length} failed)` : "";
  return { value: median(ok), text: null, suffix };
}

function cellOf(s, digits) {
  if (s.kinds) return Number.isFinite(s.failedAt) ? `${s.kinds} at ${num(s.failedAt, digits)}` : s.kinds;
  return s.text ?? `${num(s.value, digits)}${s.suffix}`;
}

/** nabla ÷ PyTorch; where nabla failed, the ratio at its failure, a lower bound ("≥ 5.51"). */
function ratioOf(n, t) {
  if (Number.isFinite(n.value)) return { r: n.value / t.value, bound: false };
  return { r: n.failedAt / t.value, bound: true };
}

/** The tables and notes as markdown (also what is printed). */
export function programsMarkdown({ programs, results, torch, runs, threads, started, loadBefore, loadAfter }) {
  const haveTorch = !torch.missing;
  const head = haveTorch
    ? ["program", "wall s nabla", "wall s PyTorch", "wall nabla/PyTorch (target)", "peak MiB nabla", "peak MiB PyTorch", "peak nabla/PyTorch (target ≤ 1.5)", "CPU s nabla", "CPU s PyTorch"]
    : ["program", "wall s nabla", "peak MiB nabla", "CPU s nabla"];
  const rows = [];
  const metricRows = [];
  const failures = [];
  for (const p of programs) {
    const r = results[p.id];
    const f = (s) => (x) => x[s];
    const nw = side(r.nabla, f("wall")), tw = side(r.torch, f("wall"));
    const np = side(r.nabla, f("peakMiB")), tp = side(r.torch, f("peakMiB"));
    const nc = side(r.nabla, f("cpu")), tc = side(r.torch, f("cpu"));
    // a nabla run that failed meets no target; its ratio at the failure is a lower bound
    const mark = ({ r, bound }, target) => {
      if (!Number.isFinite(r)) return target ? `— (≤ ${target})` : "—";
      const text = `${bound ? "≥ " : ""}${ratioText(r)}`;
      return target ? `${text} (≤ ${target}, ${!bound && r <= target ? "met" : "not met"})` : text;
    };
    if (haveTorch) {
      rows.push([p.label, cellOf(nw), cellOf(tw), mark(ratioOf(nw, tw), p.metrics ? null : p.target), cellOf(np, 0), cellOf(tp, 0), mark(ratioOf(np, tp), 1.5), cellOf(nc), cellOf(tc)]);
    } else rows.push([p.label, cellOf(nw), cellOf(np, 0), cellOf(nc)]);
    for (const m of p.metrics ?? []) {
      const nm = side(r.nabla, (x) => x.metrics?.[m.key]), tm = side(r.torch, (x) => x.metrics?.[m.torchKey ?? m.key]);
      const ratio = { r: m.time(nm.value) / m.time(tm.value), bound: false };
      metricRows.push(haveTorch ? [m.label, m.unit, cellOf(nm, 2), cellOf(tm, 2), mark(ratio, m.target ?? p.target)] : [m.label, m.unit, cellOf(nm, 2)]);
    }
    for (const [who, list] of [["nabla", r.nabla], ["PyTorch", r.torch]]) {
      list.forEach((run, i) => {
        if (run.error) failures.push(`- ${p.id}, ${who} run ${i + 1}: ${run.error}, after ${run.wall.toFixed(1)} s${Number.isFinite(run.peakMiB) ? ` holding ${num(run.peakMiB, 0)} MiB at its peak` : ""}${run.lastProgress ? `; its last progress line: \`${run.lastProgress.replace(/\s+/g, " ")}\`` : ""}`);
      });
    }
  }
  const table = (h, rs) => [h, h.map(() => "---"), ...rs].map((row) => `| ${row.join(" | ")} |`).join("\n");
  const metricHead = haveTorch ? ["measured inside the program", "unit", "nabla", "PyTorch", "time nabla/PyTorch (target)"] : ["measured inside the program", "unit", "nabla"];
  const perRun = programs.map((p) => {
    const r = results[p.id];
    const list = (runsOf) => runsOf.map((x) => `${x.wall.toFixed(1)} s/${num(x.peakMiB, 0)} MiB${x.error ? " (failed)" : ""}`).join(", ");
    return `- ${p.id}: nabla ${list(r.nabla)}${haveTorch ? `; PyTorch ${list(r.torch)}` : ""}; 1-minute load at the end of each run, in the order they ran ${r.nabla.flatMap((x, i) => [x, r.torch[i]]).filter(Boolean).map((x) => x.load1.toFixed(1)).join(", ")}`;
  });
  const cpu = os.cpus();
  const torchLine = haveTorch
    ? `PyTorch ${torch.version} through ${PYTHON}, torch.set_num_threads(${threads}) (get_num_threads() = ${torch.threads}), OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset; BLAS in use (libraries mapped after a matmul): ${torch.blas.map((b) => `\`${b}\``).join(", ") || "none found"} (torch's BLAS_INFO: ${torch.blas_info})`
    : `PyTorch: skipped, ${torch.missing}`;
  return `Measured by \`node bench/run.mjs --programs\` (part of \`npm run bench\`), started ${started.toISOString().replace("T", " ").slice(0, 16)} UTC.
Machine: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.
**Load average** (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter} (above 0 is other work sharing the cores).
nabla: ${threads} thread${threads === 1 ? "" : "s"} (setNumThreads), relaxed SIMD. ${torchLine}.

Each program ran as a whole process ${runs} time${runs === 1 ? "" : "s"} per library, interleaved (nabla, PyTorch, nabla, PyTorch, …);
the figures are medians over the runs that finished, the ratios are ratios of the medians, nabla ÷ PyTorch
(≤ 1: nabla took less). Where no run of a program finished, the cell says how it ended (OOM, crash,
timeout) and the figure when it did; the ratio then is a lower bound (≥). Wall time and CPU time
(user + system) include starting the interpreter and importing the library; peak is the most the
process held resident (\`/usr/bin/time\`'s maximum RSS).

${table(head, rows)}
${metricRows.length ? `\n${table(metricHead, metricRows)}\n` : ""}
Runs that did not finish:
${failures.length ? failures.join("\n") : "- none"}

Every run (wall/peak):
${perRun.join("\n")}
`;
}
