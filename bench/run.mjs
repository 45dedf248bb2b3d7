// `npm run bench`: first nabla, TensorFlow.js (cpu and wasm) and jax-js side by side on the shapes
// of issue 6, each library in its own process, one after another, then real programs beside
// PyTorch (programs.mjs). Prints tables of medians with nabla/peer ratios and writes each part to
// its own section of bench/RESULTS.md with the date and machine, leaving the other sections as
// they are.
//   node bench/run.mjs [--only=mm512,mlp64] [--libs=nabla,jax] [--out=bench/RESULTS.md]
//   node bench/run.mjs --programs[=mnist,vae,lstm-lm,lenet,lstm-cell-f64,small-ops]   only the programs
//     (also mnist-tb100: mnist with test batch 100, run only when named)
//   node bench/run.mjs --no-programs                                                  only the libraries
//   program options: --runs=3 (per library, interleaved) --threads=2 --timeout=600 (s per run)
//   node bench/run.mjs --backend webgpu [--max-size=512] [--batch=2] [--steps=3] [--swiftshader]
//     [--program-size=small] [--programs=mnist,vae,lstm-lm | --no-programs]   the WebGPU kernels and
//     training steps beside TF.js's and jax-js's WebGPU backends (bench/webgpu.mjs), then the real
//     programs on nabla's webgpu device (bench/webgpu-programs.mjs); bench/README.md
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { PROGRAMS, programsMarkdown, runPrograms } from "./programs.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const flag = (name) => process.argv.includes(`--${name}`);
const out = arg("out") ?? join(here, "RESULTS.md");

const programsOnly = flag("programs") || arg("programs") !== undefined;
const skipPrograms = flag("no-programs");

/** The cases, in the issue's order. `lower`: smaller is better (times). */
const CASES = [
  { id: "mm512", label: "float32 matmul 512×512×512", unit: "GFLOP/s" },
  { id: "mm512x1", label: "the same, nabla on one thread (the peers run one anyway)", unit: "GFLOP/s" },
  { id: "mmNN", label: "matmul 128×784 · 784×256", unit: "GFLOP/s" },
  { id: "mmTN", label: "the same, A transposed (Aᵀ stored 784×128)", unit: "GFLOP/s" },
  { id: "mmNT", label: "the same, B transposed (Bᵀ stored 256×784)", unit: "GFLOP/s" },
  { id: "mlp64", label: "train MLP 784-256-128-10 (ReLU, cross-entropy, Adam), batch 64", unit: "samples/s" },
  { id: "mlp256", label: "the same, batch 256", unit: "samples/s" },
  { id: "cnn", label: "train LeNet-style CNN, batch 64", unit: "samples/s" },
  { id: "relu", label: "ReLU forward+backward, 1M floats", unit: "elements/s" },
  { id: "tanh", label: "tanh forward+backward, 1M floats", unit: "elements/s" },
  { id: "gelu", label: "GELU (tanh approx.) forward+backward, 1M floats", unit: "elements/s" },
  { id: "tiny", label: "one tiny op (add of two 4-element tensors)", unit: "µs", lower: true },
  { id: "tinyGrad", label: "the same, recording autograd", unit: "µs", lower: true },
];
const LIBS = [
  { id: "nabla", title: "nabla" },
  { id: "tfjs-cpu", title: "TF.js cpu" },
  { id: "tfjs-wasm", title: "TF.js wasm" },
  { id: "jax", title: "jax-js" },
];

function runLibraries() {
  const only = arg("only");
  const cases = only ? CASES.filter((c) => only.split(",").includes(c.id)) : CASES;
  const libs = arg("libs") ? LIBS.filter((l) => arg("libs").split(",").includes(l.id)) : LIBS;

  // One process per library and case: no case inherits another's heap (a library's allocator
  // sized by the MLP would otherwise meet the CNN's tensors), and libraries never compete.
  const runs = {};
  for (const lib of libs) {
    process.stderr.write(`${lib.title}…\n`);
    runs[lib.id] = { describe: lib.title, results: {} };
    for (const c of cases) {
      const child = spawnSync(process.execPath, [join(here, "child.mjs"), lib.id, c.id], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        maxBuffer: 1 << 24,
      });
      const last = child.stdout.trim().split("\n").pop() ?? "";
      try {
        const out = JSON.parse(last);
        runs[lib.id].describe = out.describe;
        Object.assign(runs[lib.id].results, out.results);
      } catch {
        runs[lib.id].results[c.id] = { error: `crashed (exit ${child.status})` };
      }
    }
  }

  function fmt(v, unit) {
    if (unit === "elements/s") return v.toExponential(1).replace("e+", "e");
    if (unit === "µs") return v < 10 ? v.toFixed(2) : v.toFixed(0);
    if (v >= 1000) return Math.round(v).toLocaleString("en-US");
    return v >= 100 ? v.toFixed(0) : v.toFixed(1);
  }

  function cell(libId, c) {
    const r = runs[libId]?.results?.[c.id];
    if (!r) return "—";
    if (r.error) return r.error === "no such case" ? "n/a" : `fails: ${r.error}`;
    return fmt(r.value, c.unit);
  }

  /** nabla/peer in the direction where more is better: for times, peer time / nabla time. */
  function ratio(peerId, c) {
    const n = runs.nabla?.results?.[c.id];
    const p = runs[peerId]?.results?.[c.id];
    if (!n || n.error || !p || p.error) return "—";
    const r = c.lower ? p.value / n.value : n.value / p.value;
    return `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×`;
  }

  const peers = libs.filter((l) => l.id !== "nabla");
  const header = ["work", "unit", ...libs.map((l) => l.title), ...(runs.nabla ? peers.map((p) => `nabla/${p.title}`) : [])];
  const rows = cases.map((c) => [c.label, c.unit, ...libs.map((l) => cell(l.id, c)), ...(runs.nabla ? peers.map((p) => ratio(p.id, c)) : [])]);
  const table = [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");

  const losses = cases
    .filter((c) => ["mlp64", "mlp256", "cnn"].includes(c.id))
    .map((c) => `- ${c.label}: ${libs.map((l) => {
      const r = runs[l.id]?.results?.[c.id];
      return `${l.title} ${r && !r.error && r.loss !== undefined ? r.loss.toFixed(4) : "—"}`;
    }).join(", ")}`)
    .join("\n");

  const cpu = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(1)).join(", ");
  const machine = `${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}; load average at the end ${load} (anything above 0 is other work sharing the cores)`;
  const md = `## nabla beside TF.js and jax-js

Measured by \`npm run bench\` on ${new Date().toISOString().replace("T", " ").slice(0, 16)} UTC.
Machine: ${machine}.

Medians after warm-up; ratios are nabla/peer with more = better for nabla (for times, the peer's
time over nabla's). Each library ran each case in a fresh process, one after another, on the same
inputs and initial weights; training cases time steps after a warm-up (MLP: 50 + 50 steps, CNN:
5 + 10). Libraries: ${libs.map((l) => runs[l.id]?.describe ?? l.title).join("; ")}.

${table}

Loss after the same number of training steps (the same data and initial weights, so they should agree):
${losses}
  `;

  console.log(`\n${table}\n\n${losses}`);
  writeSection("libraries", md);
}

/**
 * Replaces the section `name` of the results file (between `<!-- section:name -->` and
 * `<!-- /section:name -->`), or adds it after the title: a run of one part keeps the other's.
 */
function writeSection(name, md) {
  const open = `<!-- section:${name} -->`, close = `<!-- /section:${name} -->`;
  const block = `${open}\n${md.trim()}\n${close}`;
  let file = existsSync(out) ? readFileSync(out, "utf8") : "# Benchmark results\n";
  const a = file.indexOf(open), b = file.indexOf(close);
  if (a >= 0 && b > a) file = file.slice(0, a) + block + file.slice(b + close.length);
  else {
    const title = file.indexOf("\n") + 1;
    file = `${file.slice(0, title)}\n${block}\n${file.slice(title)}`;
  }
  writeFileSync(out, file);
  console.log(`\nwritten to ${out} (section ${name})`);
}

async function runProgramsPart() {
  const ids = arg("programs")?.split(",");
  const unknown = ids?.filter((id) => !PROGRAMS.some((p) => p.id === id)) ?? [];
  if (unknown.length) throw new Error(`--programs: unknown ${unknown.join(", ")} (known: ${PROGRAMS.map((p) => p.id).join(", ")})`);
  process.stderr.write("real programs beside PyTorch…\n");
  const result = await runPrograms({
    ids,
    runs: Number(arg("runs") ?? 3),
    threads: Number(arg("threads") ?? 2),
    timeoutS: Number(arg("timeout") ?? 600),
  });
  const md = `## Real programs beside PyTorch\n\n${programsMarkdown(result)}`;
  console.log(`\n${md}`);
  writeSection("programs", md);
}

if (arg("backend") === "webgpu" || (flag("backend") && process.argv[process.argv.indexOf("--backend") + 1] === "webgpu")) {
  const { runWebGpu } = await import("./webgpu.mjs");
  const { runWebGpuPrograms } = await import("./webgpu-programs.mjs");
  // the library cases unless only programs are asked for; the programs unless --no-programs, or --only without --programs
  let md = programsOnly && !arg("only") ? "## WebGPU: nabla beside TF.js and jax-js\n" : runWebGpu({ arg, flag });
  if (!skipPrograms && (programsOnly || !arg("only"))) {
    process.stderr.write("real programs on the webgpu device…\n");
    const size = arg("program-size") ?? "full";
    if (size !== "full" && size !== "small") throw new Error(`--program-size: expected full or small, got ${size}`);
    md += `\n${await runWebGpuPrograms({ ids: arg("programs")?.split(","), size, runs: Number(arg("runs") ?? 1), threads: Number(arg("threads") ?? 2), timeoutS: Number(arg("timeout") ?? 1200), swiftshader: flag("swiftshader") })}`;
    console.log(md.slice(md.indexOf("### Real programs")));
  }
  writeSection("webgpu", md);
} else {
  if (arg("backend") !== undefined || flag("backend")) throw new Error(`--backend: only "webgpu" is known (the CPU libraries run without it)`);
  if (!programsOnly) runLibraries();
  if (!skipPrograms) await runProgramsPart();
}
