/**
 * The wasm backend's platform in Node: `#platform` resolves here under the "node" condition
 * (package.json "imports"). Kernel workers are worker_threads; both kernel builds are imported
 * statically, so the kernels start synchronously on the first op. The browser's counterpart is
 * platform-browser.ts.
 */
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { KERNELS_BASE64 as BASELINE } from "./kernels-baseline.generated.js";
import { KERNELS_BASE64 as RELAXED } from "./kernels-relaxed.generated.js";
import { WORKER_LOOP } from "./worker-source.js";
import type { Platform } from "./platform.js";
import type { WorkerPort } from "../webgpu/remote-device.js";
import type { FromWorker } from "../webgpu/remote-protocol.js";

/**
 * The kernel loop, started with the data the worker was created with. The eval'd workers (this one
 * and the device worker) inherit the process's flags, as Node starts workers by default: V8 flags
 * such as --expose-gc or --experimental-wasm-relaxed-simd are process-wide and inherited without
 * complaint, while an execArgv that names one makes the Worker constructor throw
 * (ERR_WORKER_INVALID_EXEC_ARGV), which left such processes on one thread. Inherited,
 * `--input-type=module` makes the source an ES module, where `require` is not defined: the sources
 * reach worker_threads through process.getBuiltinModule, which both kinds of module have.
 */
const WORKER_SOURCE = `${WORKER_LOOP}\nstart(process.getBuiltinModule("node:worker_threads").workerData);\n`;

export const platform: Platform = {
  name: "node",
  cores: availableParallelism(),
  spawn(memory, bytes, slot, failed) {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { memory, bytes, slot } });
    worker.on("error", failed);
    worker.unref(); // an idle pool must not keep the process alive
  },
  kernelsNow: (relaxed) => (relaxed ? RELAXED : BASELINE),
  loadKernels: async (relaxed) => (relaxed ? RELAXED : BASELINE),
  startDeviceWorker,
};

/**
 * Polls of the device worker's GPU that run at once, before each waits a millisecond
 * (deviceWorkerSource): a quick kernel's answer comes within them, a long one's costs no core.
 */
const QUICK_POLLS = 64;

/** The device worker's source: the loop of remote-server.ts, with worker_threads' port and the `webgpu` package (by URL). */
function deviceWorkerSource(serveDevice: string): string {
  return [
    'const { parentPort, workerData } = process.getBuiltinModule("node:worker_threads");',
    // Dawn's binding polls for finished GPU work from setImmediate callbacks (looked up on the
    // global at each poll) for as long as a promise of it is pending: a loop that keeps a core
    // busy while the GPU works, and on SwiftShader that core is one the GPU's own threads need.
    // After POLLS quick polls since the caller's last message, a poll waits a millisecond.
    `const POLLS = ${QUICK_POLLS};`,
    "const immediate = setImmediate;",
    "let polls = 0;",
    "globalThis.setImmediate = (fn, ...args) => (++polls <= POLLS ? immediate(fn, ...args) : setTimeout(fn, 1, ...args));",
    "const endpoint = {",
    "  post: (message, transfer) => parentPort.postMessage(message, transfer),",
    '  listen: (handler) => parentPort.on("message", (message) => { polls = 0; handler(message); }),',
    "  close: () => process.exit(0),",
    "};",
    "const loadGpu = async (flags) => (await import(workerData.webgpu)).create([...flags]);",
    `(${serveDevice})(endpoint, loadGpu, workerData.protocol);`,
  ].join("\n");
}

/** Starts the worker owning a WebGPU device (remote-device.ts); the webgpu modules load only now. */
async function startDeviceWorker(): Promise<WorkerPort> {
  const [{ serveDevice }, { PROTOCOL }] = await Promise.all([import("../webgpu/remote-server.js"), import("../webgpu/remote-protocol.js")]);
  let webgpu: string;
  try {
    webgpu = pathToFileURL(createRequire(import.meta.url).resolve("webgpu")).href;
  } catch (e) {
    throw new Error(`webgpu: in Node the webgpu backend needs the optional package "webgpu" (npm install webgpu): ${(e as Error).message}`);
  }
  const worker = new Worker(deviceWorkerSource(serveDevice.toString()), { eval: true, workerData: { webgpu, protocol: PROTOCOL } });
  // idle, the worker must not keep the process alive; it does while an answer is awaited
  worker.unref();
  // the process-end hooks of this worker, dropped once it has ended (nothing is left to wait for)
  const atExit = new Set<() => void>();
  worker.once("exit", () => {
    for (const h of atExit) process.off("exit", h);
    atExit.clear();
  });
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (handler) => worker.on("message", (m: FromWorker) => handler(m)),
    onError: (handler) => worker.on("error", (e) => handler(e.message)),
    hold: (held) => (held ? worker.ref() : worker.unref()),
    onExit: (handler) => {
      atExit.add(handler);
      process.on("exit", handler);
      return () => {
        atExit.delete(handler);
        process.off("exit", handler);
      };
    },
    terminate: () => void worker.terminate(),
  };
}
