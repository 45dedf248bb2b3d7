// The webgpu bench's real programs: the ports of pytorch/examples (mnist, vae, word_language_model)
// run as whole processes with `--device webgpu` (the originals' `device`), each beside the same
// command on nabla's CPU backend, interleaved (webgpu, cpu, webgpu, cpu, …). Reported: wall time
// (process start to exit, with the device's start-up and the evaluation after training), the
// program's own ms/step line, and the webgpu run's host↔device transfers per training step
// (bench/programs/webgpu-run.mjs). There are no TF.js or jax-js ports of these programs to run
// beside them, and PyTorch has no WebGPU; its CPU figures are in the "programs" section.
//
// Sizes: "full" takes the CPU bench's flags (bench/programs.mjs: mnist on 6,400 images, one epoch
// of vae and of the language model); "small" a few steps of small batches, for SwiftShader.
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PROGRAMS, measure } from "./programs.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The programs with their small flags; the full flags are PROGRAMS' (programs.mjs). */
export const WEBGPU_PROGRAMS = [
  { id: "mnist", small: ["--epochs", "1", "--batch-size", "4", "--limit", "12", "--test-limit", "8", "--test-batch-size", "8"] },
  { id: "vae", small: ["--epochs", "1", "--batch-size", "16", "--steps", "3", "--test-limit", "16", "--results", ""] },
  { id: "lstm-lm", small: ["--epochs", "1", "--steps", "2", "--save", "", "--emsize", "32", "--nhid", "32", "--batch_size", "4", "--bptt", "4"] },
].map((p) => {
  const cpu = PROGRAMS.find((q) => q.id === p.id);
  return { ...p, label: cpu.label, script: cpu.nabla[0], full: cpu.nabla.slice(1) };
});

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/**
 * Runs the programs `ids` (default all) at `size` ("full" or "small"), `runs` times per device;
 * returns the markdown (also printed to stderr as it goes).
 */
export async function runWebGpuPrograms({ ids, size = "full", runs = 1, threads = 2, timeoutS = 1200, swiftshader = false, log = (s) => process.stderr.write(`${s}\n`) } = {}) {
  const programs = WEBGPU_PROGRAMS.filter((p) => !ids || ids.includes(p.id));
  const env = { ...process.env, NABLA_BENCH_THREADS: String(threads), NABLA_RELAXED_SIMD: "1" };
  if (swiftshader && env.VK_ICD_FILENAMES === undefined) env.VK_ICD_FILENAMES = "/usr/lib/chromium/vk_swiftshader_icd.json";
  const results = {};
  for (const p of programs) {
    const flags = size === "small" ? p.small : p.full;
    results[p.id] = { webgpu: [], cpu: [], flags };
    for (let r = 0; r < runs; r++) {
      for (const device of ["webgpu", "cpu"]) {
        const args = [join(root, "bench/programs/webgpu-run.mjs"), join(root, p.script), ...flags, ...(device === "webgpu" ? ["--device", "webgpu"] : [])];
        const run = await measure(process.execPath, args, { env, timeoutS });
        results[p.id][device].push(run);
        log(`  ${p.id} ${device} run ${r + 1}/${runs}: ${run.wall.toFixed(1)} s${run.stepsLine ? ` (${run.stepsLine})` : ""} — ${run.error ? `FAILED (${run.error})` : "ok"}${run.metrics ? ` transfers ${JSON.stringify(run.metrics)}` : ""}`);
      }
    }
  }
  const msPerStep = (run) => Number(/\(([\d.]+) ms\/step\)/.exec(run.stepsLine ?? "")?.[1]);
  const cell = (list, pick, digits = 1) => {
    const ok = list.filter((x) => !x.error).map(pick).filter(Number.isFinite);
    if (ok.length) return median(ok).toFixed(digits);
    const failed = list.find((x) => x.error);
    return failed ? `failed: ${failed.error.slice(0, 120)}` : "—";
  };
  const ratio = (r, pick) => {
    const w = r.webgpu.filter((x) => !x.error).map(pick).filter(Number.isFinite);
    const c = r.cpu.filter((x) => !x.error).map(pick).filter(Number.isFinite);
    return w.length && c.length ? (median(w) / median(c)).toFixed(2) : "—";
  };
  const transfers = (r) => {
    const m = r.webgpu.find((x) => !x.error && x.metrics)?.metrics;
    return m ? `${m.toDevice} / ${m.toHost} (max ${m.maxToDevice} / ${m.maxToHost}; ${m.steps} step${m.steps === 1 ? "" : "s"})` : "—";
  };
  const head = ["program (flags)", "wall s webgpu", "wall s cpu", "wall webgpu/cpu", "ms/step webgpu", "ms/step cpu", "webgpu transfers per step, to device / to host (median)"];
  const rows = programs.map((p) => {
    const r = results[p.id];
    return [`${p.id} (\`${r.flags.map((f) => (f === "" ? '""' : f)).join(" ")}\`)`, cell(r.webgpu, (x) => x.wall), cell(r.cpu, (x) => x.wall), ratio(r, (x) => x.wall), cell(r.webgpu, msPerStep, 0), cell(r.cpu, msPerStep, 0), transfers(r)];
  });
  const table = [head, head.map(() => "---"), ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
  const load = os.loadavg().map((l) => l.toFixed(1)).join(", ");
  const icd = env.VK_ICD_FILENAMES;
  return `### Real programs on the webgpu device

${icd ? `Vulkan ICD ${icd}${/swiftshader/i.test(icd) ? " (SwiftShader, no GPU: the times only show that the programs run; the transfer counts hold)" : ""}. ` : ""}${size === "small" ? "Small sizes (a few steps of small batches)" : "The CPU bench's sizes (bench/programs.mjs)"}, ${runs} run${runs === 1 ? "" : "s"} per device, interleaved; nabla on the webgpu device (\`--device webgpu\`) beside nabla's CPU backend (${threads} threads, relaxed SIMD) with the same flags. Wall time is the whole process (start-up, the device's start, training, evaluation); ms/step is the program's own line (training only). Load average at the end: ${load}.
Transfers: nabla's host↔device copies between two consecutive \`zeroGrad\` calls (one training step, the program's reads of its loss, the next batch's upload; bench/programs/webgpu-run.mjs). What the programs do themselves per step: mnist uploads its batch (2: images, targets) and reads the loss once (\`loss.item()\`, twice on a logged step); vae uploads its batch (1) and reads the loss twice (three times on a logged step); the language model reads the loss twice, its batches already on the device. Anything above that is a copy inside the step.

${table}
`;
}
