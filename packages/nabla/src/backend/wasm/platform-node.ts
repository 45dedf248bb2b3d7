/**
 * The wasm backend's platform in Node: `#platform` resolves here under the "node" condition
 * (package.json "imports"). Kernel workers are worker_threads; both kernel builds are imported
 * statically, so the kernels start synchronously on the first op. The browser's counterpart is
 * platform-browser.ts.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { KERNELS_BASE64 as BASELINE } from "./kernels-baseline.generated.js";
import { KERNELS_BASE64 as RELAXED } from "./kernels-relaxed.generated.js";
import { WORKER_LOOP } from "./worker-source.js";
import type { Platform } from "./platform.js";

/** The kernel loop, started with the data the worker was created with. */
const WORKER_SOURCE = `${WORKER_LOOP}\nstart(require("node:worker_threads").workerData);\n`;

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
};
