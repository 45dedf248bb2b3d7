// `npm run bench -- --backend webgpu`: nabla on WebGPU beside TensorFlow.js's WebGPU backend and
// jax-js's WebGPU backend, in Node on the npm package `webgpu` (Dawn). Two kinds of case:
// - kernels, through nabla's kernel layer (WebGpuContext from dist/): float32 matmul 512³ … 4096³
//   and two convolutions (a LeNet layer and a 64-channel 3×3 layer), in GFLOP/s;
// - training steps through each library's public API on its webgpu device: the MLP and the
//   LeNet-style CNN of the CPU bench (the same definitions: bench/nabla.mjs, tfjs.mjs, jax.mjs;
//   the same data and initial weights, bench/data.mjs), in samples/s, with nabla's host↔device
//   transfers per step;
// then the real programs on nabla's webgpu device (bench/webgpu-programs.mjs).
// Each library runs in its own process, one after another (the kernels in one process per
// library, each training case in its own), on the same inputs; the table gives nabla/peer ratios
// (more = better for nabla), and is written to the "webgpu" section of bench/RESULTS.md with the
// adapter's name.
//
//   node bench/run.mjs --backend webgpu [--max-size=512] [--batch=2] [--steps=3] [--only=mm512,mlp]
//                      [--direct-conv] [--libs=nabla,tfjs-webgpu,jax-webgpu] [--out=bench/RESULTS.md]
//                      [--programs=mnist,vae,lstm-lm | --no-programs] [--program-size=small]
//
// --max-size caps the matmul sizes, --batch is the convolutions' and the training cases' batch (64
// by default), --steps the timed training steps (after 2 warm-up steps; by default the CPU
// bench's counts, timing.mjs). On SwiftShader (no GPU) a 512³ matmul takes seconds, so there
// `--max-size=512 --batch=2 --steps=3 --program-size=small` keep a run to minutes, and its numbers
// only show that everything runs.
//
// Timing of the kernels: a batch of `reps` launches queued back to back, then one read of the last
// result (which waits for all of them, the queue running in order), divided by reps; reps is chosen
// from a first timed call so that a batch takes about half a second (at least 1, at most 50), the
// same way for every library, so the one read-back is amortised alike. Timing of the training
// cases: each step ends with one asynchronous read of its loss, as a user's loop does (nabla
// `await loss.itemAsync()`, TF.js `await cost.data()`, jax-js `await loss.data()`); the median step.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { median, MLP_RUNS, CNN_RUNS } from "./timing.mjs";
import * as D from "./data.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

export const LIBS = [
  { id: "nabla", title: "nabla webgpu" },
  { id: "tfjs-webgpu", title: "TF.js webgpu" },
  { id: "jax-webgpu", title: "jax-js webgpu" },
];

/**
 * The cases; `size` for matmuls (m = k = n), conv shapes as PyTorch's NCHW / OIHW; `train`: a
 * training case, in its own process per library.
 */
export function casesFor({ maxSize = 4096, batch = 64, directConv = false } = {}) {
  const mm = [512, 1024, 2048, 4096].filter((s) => s <= maxSize).map((s) => ({ id: `mm${s}`, label: `float32 matmul ${s}×${s}×${s}`, kind: "matmul", size: s }));
  const conv = [
    { id: "convLenet", label: `conv2d LeNet layer 2: [${batch}, 6, 12, 12] * [16, 6, 5, 5]`, kind: "conv", n: batch, c: 6, h: 12, w: 12, o: 16, k: 5, pad: 0 },
    { id: "conv64", label: `conv2d 64 channels 3×3: [${batch}, 64, 32, 32] * [64, 64, 3, 3], padding 1`, kind: "conv", n: batch, c: 64, h: 32, w: 32, o: 64, k: 3, pad: 1 },
  ];
  // --direct-conv: nabla's direct convolution kernels too (one thread per output), to see what the tiling gains
  const direct = directConv ? conv.map((c) => ({ ...c, id: `${c.id}Direct`, label: `${c.label}, nabla's direct kernel`, direct: true })) : [];
  const train = [
    { id: "mlp", label: `train MLP 784-256-128-10 (ReLU, cross-entropy, Adam), batch ${batch}`, kind: "train", model: "mlp", batch },
    { id: "cnn", label: `train LeNet-style CNN (2 conv 5×5, max-pool, linear; Adam), batch ${batch}`, kind: "train", model: "cnn", batch },
  ];
  return [...mm, ...conv, ...direct, ...train];
}

function flops(c) {
  if (c.kind === "matmul") return 2 * c.size ** 3;
  const oh = c.h + 2 * c.pad - c.k + 1;
  const ow = c.w + 2 * c.pad - c.k + 1;
  return 2 * c.n * c.o * oh * ow * c.c * c.k * c.k;
}

/** Dawn's navigator.gpu in Node (SwiftShader where no driver is configured and Chromium's ICD exists). */
async function nodeGpu() {
  if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD) && process.argv.includes("--swiftshader")) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const { create, globals } = await import("webgpu");
  Object.assign(globalThis, globals);
  // jax-js reads navigator.userAgent (its Firefox check)
  globalThis.navigator = { gpu: create([]), userAgent: `Node.js ${process.version}` };
  return globalThis.navigator.gpu;
}

/**
 * Median ms per launch: batches of `reps` launches, each batch ended by `sync(results)`, which
 * must wait until every result is computed (jax-js is lazy: an array nobody realises is never
 * computed, so its sync realises them all) and then free them. `outBytes` bounds reps so that a
 * batch's results stay under 1 GiB.
 */
async function timeLaunches(launch, sync, outBytes) {
  await sync([launch()]); // warm-up: compiles the pipelines
  let t = performance.now();
  await sync([launch()]);
  const first = performance.now() - t;
  const reps = Math.max(1, Math.min(50, Math.floor(2 ** 30 / outBytes), Math.ceil(500 / Math.max(first, 1e-3))));
  const times = [];
  const start = performance.now();
  while (times.length < 3 || (times.length < 7 && performance.now() - start < 4000)) {
    t = performance.now();
    const results = [];
    for (let i = 0; i < reps; i++) results.push(launch());
    await sync(results);
    times.push((performance.now() - t) / reps);
  }
  return median(times);
}

/** nabla: WebGpuContext from the built library (npm run build). */
async function nablaLib() {
  const gpu = await nodeGpu();
  const { WebGpuContext } = await import(pathToFileURL(join(here, "../packages/nabla/dist/src/backend/webgpu/index.js")).href);
  void gpu; // WebGpuContext finds navigator.gpu
  const ctx = await WebGpuContext.create({ powerPreference: "high-performance" });
  const info = ctx.acquired.adapter.info ?? {};
  // the queue runs in order: reading the last result waits for all of them
  const sync = async (outs) => {
    await ctx.read(outs.at(-1));
    for (const out of outs) ctx.release(out);
  };
  const view = (data, shape) => {
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, s) => p * s, 1));
    return { data, shape, strides, offset: 0 };
  };
  return {
    describe: `nabla WebGpuContext${info.description || info.vendor ? ` on ${[info.vendor, info.architecture, info.description].filter(Boolean).join(" ")}` : ""}`,
    async run(c) {
      if (c.kind === "matmul") {
        const s = c.size;
        const a = ctx.upload(D.uniform(s * s, 1, 7));
        const b = ctx.upload(D.uniform(s * s, 1, 8));
        const args = { a: view(a, [s, s]), b: view(b, [s, s]), batchShape: [], m: s, k: s, n: s };
        return timeLaunches(() => {
          const out = ctx.alloc(s * s);
          ctx.matmul({ ...args, out });
          return out;
        }, sync, 4 * s * s);
      }
      ctx.tiledConvolution = !c.direct;
      const oh = c.h + 2 * c.pad - c.k + 1;
      const ow = c.w + 2 * c.pad - c.k + 1;
      const g = { n: c.n, c: c.c, h: c.h, w: c.w, o: c.o, groups: 1, kh: c.k, kw: c.k, sh: 1, sw: 1, ph: c.pad, pw: c.pad, dh: 1, dw: 1, oh, ow };
      const x = view(ctx.upload(D.uniform(c.n * c.c * c.h * c.w, 1, 7)), [c.n, c.c, c.h, c.w]);
      const w = view(ctx.upload(D.uniform(c.o * c.c * c.k * c.k, 0.2, 8)), [c.o, c.c, c.k, c.k]);
      const bias = view(ctx.upload(D.uniform(c.o, 0.1, 9)), [c.o]);
      return timeLaunches(() => {
        const out = ctx.alloc(c.n * c.o * oh * ow);
        ctx.conv2d(g, x, w, bias, out);
        return out;
      }, sync, 4 * c.n * c.o * oh * ow);
    },
  };
}

/** TensorFlow.js with @tensorflow/tfjs-backend-webgpu, NHWC (its own layout). */
async function tfjsLib() {
  await nodeGpu();
  const tf = await import("@tensorflow/tfjs");
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!(await tf.setBackend("webgpu"))) throw new Error("TF.js: the webgpu backend did not start");
  await tf.ready();
  // eager: every launch is queued as it is called; reading the last waits for all
  const sync = async (ts) => {
    await ts.at(-1).data();
    for (const t of ts) t.dispose();
  };
  return {
    describe: `@tensorflow/tfjs ${tf.version.tfjs} (webgpu)`,
    async run(c) {
      if (c.kind === "matmul") {
        const s = c.size;
        const a = tf.tensor2d(D.uniform(s * s, 1, 7), [s, s]);
        const b = tf.tensor2d(D.uniform(s * s, 1, 8), [s, s]);
        return timeLaunches(() => tf.matMul(a, b), sync, 4 * s * s);
      }
      const x = tf.tensor4d(D.uniform(c.n * c.c * c.h * c.w, 1, 7), [c.n, c.c, c.h, c.w]).transpose([0, 2, 3, 1]);
      const w = tf.tensor4d(D.uniform(c.o * c.c * c.k * c.k, 0.2, 8), [c.o, c.c, c.k, c.k]).transpose([2, 3, 1, 0]);
      const bias = tf.tensor1d(D.uniform(c.o, 0.1, 9));
      const pad = c.pad === 0 ? "valid" : [[0, 0], [c.pad, c.pad], [c.pad, c.pad], [0, 0]];
      const oh = c.h + 2 * c.pad - c.k + 1;
      return timeLaunches(() => tf.tidy(() => tf.add(tf.conv2d(x, w, 1, pad), bias)), sync, 4 * c.n * c.o * oh * oh);
    },
  };
}

/** jax-js on its webgpu device, each operation jitted. */
async function jaxLib() {
  await nodeGpu();
  const { init, numpy: np, lax, jit, defaultDevice, blockUntilReady } = await import("@jax-js/jax");
  const devices = await init("webgpu");
  if (!devices.includes("webgpu")) throw new Error(`jax-js: no webgpu device (found ${devices.join(", ")})`);
  defaultDevice("webgpu");
  // lazy: realise every result of the batch (an unrealised one is never computed), then free them
  const sync = async (ts) => {
    await blockUntilReady(ts);
    // the same read-back as the others' (data() consumes the array)
    await ts.at(-1).data();
    for (const t of ts.slice(0, -1)) t.dispose();
  };
  return {
    describe: "@jax-js/jax 0.1.25 (webgpu, jit)",
    async run(c) {
      if (c.kind === "matmul") {
        const s = c.size;
        const a = np.array(D.uniform(s * s, 1, 7)).reshape([s, s]);
        const b = np.array(D.uniform(s * s, 1, 8)).reshape([s, s]);
        const f = jit((a, b) => np.matmul(a, b));
        return timeLaunches(() => f(a.ref, b.ref), sync, 4 * s * s);
      }
      const x = np.array(D.uniform(c.n * c.c * c.h * c.w, 1, 7)).reshape([c.n, c.c, c.h, c.w]);
      const w = np.array(D.uniform(c.o * c.c * c.k * c.k, 0.2, 8)).reshape([c.o, c.c, c.k, c.k]);
      const bias = np.array(D.uniform(c.o, 0.1, 9)).reshape([1, c.o, 1, 1]);
      const padding = c.pad === 0 ? "VALID" : [[c.pad, c.pad], [c.pad, c.pad]];
      const f = jit((x, w, b) => lax.conv(x, w, [1, 1], padding).add(b));
      const oh = c.h + 2 * c.pad - c.k + 1;
      return timeLaunches(() => f(x.ref, w.ref, bias.ref), sync, 4 * c.n * c.o * oh * oh);
    },
  };
}

/**
 * A training case through a library's public API on its webgpu device, with the model definition
 * the CPU bench uses: { value: samples/s, loss, transfers (nabla: host↔device copies per step) }.
 */
async function train(lib, c, steps) {
  const pick = (m) => (c.model === "mlp" ? m.trainMlp : m.trainCnn);
  const runs = steps ? { warmup: 2, minRuns: steps, maxRuns: steps } : c.model === "mlp" ? MLP_RUNS : CNN_RUNS;
  if (lib === "nabla") {
    // nabla opens its own device (in Node, owned by a worker); it needs only the Vulkan driver chosen
    if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD) && process.argv.includes("--swiftshader")) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    const m = await import("./nabla.mjs");
    return { describe: "nabla (public API, webgpu device)", result: await pick(m)(c.batch, { device: "webgpu", runs }) };
  }
  await nodeGpu();
  if (lib === "tfjs-webgpu") {
    const tf = (await import("./tfjs.mjs")).make("webgpu");
    return { describe: tf.describe(), result: await pick(tf)(c.batch, runs) };
  }
  const jax = await import("./jax.mjs");
  jax.useDevice("webgpu");
  return { describe: jax.describe(), result: await pick(jax)(c.batch, runs) };
}

/** In a child process: runs the named cases on one library, prints JSON on the last line. */
export async function child(lib, ids, options) {
  const trainCase = casesFor(options).find((c) => c.kind === "train" && ids.includes(c.id));
  if (trainCase) {
    let out;
    try {
      out = await train(lib, trainCase, options.steps);
    } catch (e) {
      out = { describe: lib, result: { error: String(e?.message ?? e).split("\n")[0].slice(0, 160) } };
    }
    process.stderr.write(`  ${lib} ${trainCase.id}: ${JSON.stringify(out.result)}\n`);
    console.log(JSON.stringify({ trainDescribe: out.describe, results: { [trainCase.id]: out.result } }));
    return;
  }
  const make = { nabla: nablaLib, "tfjs-webgpu": tfjsLib, "jax-webgpu": jaxLib }[lib];
  if (!make) throw new Error(`unknown library ${lib}`);
  const results = {};
  let describe = lib;
  try {
    const l = await make();
    describe = l.describe;
    for (const c of casesFor(options).filter((c) => ids.includes(c.id))) {
      try {
        if (c.direct && lib !== "nabla") continue;
        const ms = await l.run(c);
        results[c.id] = { value: flops(c) / ms / 1e6, ms };
      } catch (e) {
        results[c.id] = { error: String(e?.message ?? e).split("\n")[0].slice(0, 160) };
      }
      process.stderr.write(`  ${lib} ${c.id}: ${JSON.stringify(results[c.id])}\n`);
    }
  } catch (e) {
    // the library cannot run here at all: say why in every cell
    for (const id of ids) results[id] = { error: `cannot run in Node here: ${String(e?.message ?? e).split("\n")[0].slice(0, 160)}` };
  }
  console.log(JSON.stringify({ describe, results }));
}

/** Runs `ids` on one library in a child process: { describe, results }, or the crash in every cell. */
function runChild(lib, ids, options, flag) {
  const args = [join(here, "webgpu.mjs"), lib.id, ids.join(","), String(options.maxSize), String(options.batch), String(options.steps ?? 0),
    ...(flag("swiftshader") ? ["--swiftshader"] : []), ...(options.directConv ? ["--direct-conv"] : [])];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 });
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop());
  } catch {
    const why = r.signal ? `crashed (${r.signal})` : `crashed (exit ${r.status})`;
    return { describe: lib.title, results: Object.fromEntries(ids.map((id) => [id, { error: why }])) };
  }
}

/** The driver: per library, one child for the kernels and one per training case; then the table. Returns its markdown. */
export function runWebGpu({ arg, flag }) {
  const options = { maxSize: Number(arg("max-size") ?? 4096), batch: Number(arg("batch") ?? 64), steps: arg("steps") ? Number(arg("steps")) : undefined, directConv: flag("direct-conv") };
  const only = arg("only")?.split(",");
  const cases = casesFor(options).filter((c) => !only || only.includes(c.id));
  const libs = arg("libs") ? LIBS.filter((l) => arg("libs").split(",").includes(l.id)) : LIBS;
  const groups = [cases.filter((c) => c.kind !== "train").map((c) => c.id), ...cases.filter((c) => c.kind === "train").map((c) => [c.id])].filter((g) => g.length);
  const runs = {};
  for (const lib of libs) {
    process.stderr.write(`${lib.title}…\n`);
    runs[lib.id] = { describe: lib.title, results: {} };
    for (const ids of groups) {
      const out = runChild(lib, ids, options, flag);
      // the kernels' child names the adapter (the Device line); a training child, the API it used
      if (out.trainDescribe) runs[lib.id].trainDescribe = out.trainDescribe;
      else runs[lib.id].describe = out.describe;
      Object.assign(runs[lib.id].results, out.results);
    }
  }
  const cell = (id, c) => {
    const r = runs[id]?.results?.[c.id];
    if (!r) return "—";
    if (r.error) return r.error;
    return r.value >= 100 ? r.value.toFixed(0) : r.value.toFixed(2);
  };
  const ratio = (id, c) => {
    const n = runs.nabla?.results?.[c.id];
    const p = runs[id]?.results?.[c.id];
    if (!n?.value || !p?.value) return "—";
    const x = n.value / p.value;
    return `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×`;
  };
  const peers = libs.filter((l) => l.id !== "nabla");
  const header = ["work", "unit", ...libs.map((l) => l.title), ...(runs.nabla ? peers.map((p) => `nabla/${p.title}`) : [])];
  const rows = cases.map((c) => [c.label, c.kind === "train" ? "samples/s" : "GFLOP/s", ...libs.map((l) => cell(l.id, c)), ...(runs.nabla ? peers.map((p) => ratio(p.id, c)) : [])]);
  const table = [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
  const trainCases = cases.filter((c) => c.kind === "train");
  const steps = options.steps ? `2 warm-up + ${options.steps} timed steps` : `MLP ${MLP_RUNS.warmup} + ${MLP_RUNS.minRuns}, CNN ${CNN_RUNS.warmup} + ${CNN_RUNS.minRuns} steps (warm-up + timed)`;
  const trainNotes = trainCases.length === 0 ? "" : `
Training cases: ${steps}, each library in a fresh process, through its public API on its webgpu device, the same data and initial weights; each step ends with one asynchronous read of the loss (nabla \`await loss.itemAsync()\`, TF.js \`await cost.data()\`, jax-js \`await loss.data()\` of a jitted step); the median step. Libraries there: ${libs.map((l) => runs[l.id]?.trainDescribe ?? l.title).join("; ")}.
Loss after the same steps (should agree):
${trainCases.map((c) => `- ${c.id}: ${libs.map((l) => {
  const r = runs[l.id]?.results?.[c.id];
  return `${l.title} ${r && !r.error && r.loss !== undefined ? r.loss.toFixed(4) : "—"}`;
}).join(", ")}`).join("\n")}
nabla's host↔device transfers per timed step (issue 13: none inside a step but the loss read, so 0 to the device and 1 to the host): ${trainCases.map((c) => {
  const t = runs.nabla?.results?.[c.id]?.transfers;
  return `${c.id} ${t ? `${t.toDevice} to the device, ${t.toHost} to the host` : "—"}`;
}).join("; ")}.
`;
  const swiftshader = flag("swiftshader") || /swiftshader/i.test(process.env.VK_ICD_FILENAMES ?? "");
  const md = `## WebGPU: nabla beside TF.js and jax-js
${swiftshader ? "\n**On SwiftShader (a CPU emulating the GPU): the numbers below only prove that every case runs; they say nothing about speed on a GPU.**\n" : ""}
Measured by \`npm run bench -- --backend webgpu${process.argv.slice(2).filter((a) => a !== "--backend" && a !== "webgpu").map((a) => ` ${a}`).join("")}\` on ${new Date().toISOString().replace("T", " ").slice(0, 16)} UTC, in Node ${process.version} on Dawn (the npm package \`webgpu\`).
Device: ${runs.nabla?.describe ?? "see the libraries"}${process.env.VK_ICD_FILENAMES || flag("swiftshader") ? ` (Vulkan ICD ${process.env.VK_ICD_FILENAMES ?? SWIFTSHADER_ICD}: on SwiftShader the numbers only show that it runs)` : ""}.
Libraries: ${libs.map((l) => runs[l.id]?.describe ?? l.title).join("; ")}.

GFLOP/s: the kernels (nabla's through WebGpuContext), median of batches of launches, each batch ended by one read-back; samples/s: training steps through the public API. Ratios nabla/peer, more = better for nabla.

${table}
${trainNotes}`;
  console.log(`\n${table}\n${trainNotes}`);
  return md;
}

// run as a child: node bench/webgpu.mjs LIB CASES MAX_SIZE BATCH STEPS [--swiftshader] [--direct-conv]
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [lib, ids, maxSize, batch, steps] = process.argv.slice(2);
  await child(lib, ids.split(","), { maxSize: Number(maxSize), batch: Number(batch), steps: Number(steps) || undefined, directConv: process.argv.includes("--direct-conv") });
  process.exit(0);
}
