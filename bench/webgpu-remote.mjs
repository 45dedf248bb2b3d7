// The worker-owned WebGPU device's cost against the device on the caller's thread
// (docs/webgpu.md, "Synchronous reads"). Runs each mode in its own process, interleaved:
//   node bench/webgpu-remote.mjs [--rounds=3]        (needs `npm run build -w nabla`)
// Without a GPU: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (set here when present).
// Per mode: the caller's time for one kernel's WebGPU calls (as WebGpuContext.dispatch makes them),
// and until the queue is done; an MLP training step (Linear 32→64, ReLU, Linear 64→10,
// cross-entropy, Adam, batch 16): the caller's time recording it and the whole step; the latency
// of reading one element and 4 MiB, asynchronously and (worker) synchronously.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";
const dist = new URL("../packages/nabla/dist/src/", import.meta.url);
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const round3 = (x) => Math.round(x * 1000) / 1000;

async function measure(worker) {
  const nb = await import(new URL("index.js", dist).href);
  const { WebGpuContext } = await import(new URL("backend/webgpu/context.js", dist).href);
  const { startedWebGpu } = await import(new URL("backend/device.js", dist).href);
  const out = { mode: worker ? "worker" : "direct" };

  // one kernel's calls
  const ctx = await WebGpuContext.create({ worker });
  const d = ctx.device;
  const code = "@group(0) @binding(0) var<storage, read_write> a: array<f32>; @group(0) @binding(1) var<storage, read_write> b: array<f32>; @group(0) @binding(2) var<storage, read> c: array<f32>; @compute @workgroup_size(1) fn main() { a[0] = b[0] + c[0]; }";
  const pipeline = d.createComputePipeline({ layout: "auto", compute: { module: d.createShaderModule({ code }), entryPoint: "main" } });
  const buffers = [0, 1, 2].map(() => d.createBuffer({ size: 256, usage: 0x80 | 0x4 | 0x8 }));
  const args = new Int32Array(4);
  const kernels = (n) => {
    let encoder = d.createCommandEncoder();
    for (let i = 0; i < n; i++) {
      d.queue.writeBuffer(buffers[2], 0, args);
      const group = d.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(1, 1, 1);
      pass.end();
      if ((i + 1) % 64 === 0) {
        d.queue.submit([encoder.finish()]);
        encoder = d.createCommandEncoder();
      }
    }
    d.queue.submit([encoder.finish()]);
  };
  kernels(2000);
  await d.queue.onSubmittedWorkDone();
  const caller = [];
  const done = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    kernels(5000);
    caller.push(((performance.now() - t0) * 1000) / 5000);
    await d.queue.onSubmittedWorkDone();
    done.push(((performance.now() - t0) * 1000) / 5000);
  }
  out.kernelCallerUs = round3(median(caller));
  out.kernelUntilDoneUs = round3(median(done));
  ctx.destroy();

  // an MLP step, and reads, on the library's device
  process.env.NABLA_WEBGPU_WORKER = worker ? "1" : "0";
  await nb.ready("webgpu");
  const gpu = startedWebGpu();
  nb.manualSeed(1);
  const model = new nb.nn.Sequential(new nb.nn.Linear(32, 64), new nb.nn.ReLU(), new nb.nn.Linear(64, 10)).to("webgpu");
  const x = nb.randn([16, 32]).to("webgpu");
  const y = nb.tensor(Array.from({ length: 16 }, (_, i) => i % 10), { dtype: "int32" }).to("webgpu");
  const optimizer = new nb.optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new nb.nn.CrossEntropyLoss();
  const record = [];
  const step = [];
  for (let i = 0; i < 25; i++) {
    const t0 = performance.now();
    optimizer.zeroGrad();
    const loss = lossFn.call(model.call(x), y);
    loss.backward();
    optimizer.step();
    const t1 = performance.now();
    await loss.itemAsync();
    if (i >= 5) {
      record.push(t1 - t0);
      step.push(performance.now() - t0);
    }
  }
  out.mlpRecordMs = round3(median(record));
  out.mlpStepMs = round3(median(step));
  const one = nb.tensor([5]).to("webgpu");
  const big = nb.randn([1024, 1024]).to("webgpu");
  const latency = async (f) => {
    const ms = [];
    for (let i = 0; i < 25; i++) {
      const t0 = performance.now();
      await f();
      ms.push(performance.now() - t0);
    }
    return round3(median(ms.slice(5)));
  };
  out.readOneAsyncMs = await latency(() => one.itemAsync());
  out.read4MiBAsyncMs = await latency(() => big.dataAsync());
  if (worker) {
    out.readOneSyncMs = await latency(() => one.item());
    out.read4MiBSyncMs = await latency(() => big.toTypedArray());
  }
  gpu.destroy();
  return out;
}

const child = process.argv.find((a) => a.startsWith("--child="));
if (child) {
  console.log(JSON.stringify(await measure(child === "--child=worker")));
} else {
  if (!existsSync(new URL("index.js", dist))) throw new Error("build the library first: npm run build -w nabla");
  if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const rounds = Number(process.argv.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 3);
  console.log(`uptime: ${spawnSync("uptime", { encoding: "utf8" }).stdout.trim()}`);
  for (let r = 0; r < rounds; r++) {
    for (const mode of ["direct", "worker"]) {
      const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), `--child=${mode}`], { encoding: "utf8" });
      const line = run.stdout.split("\n").find((l) => l.startsWith("{"));
      console.log(line ?? `${mode}: failed: ${run.stderr.slice(-500)}`);
    }
  }
  console.log(`uptime: ${spawnSync("uptime", { encoding: "utf8" }).stdout.trim()}`);
}
