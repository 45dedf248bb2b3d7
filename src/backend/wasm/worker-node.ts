/**
 * Kernel workers in Node (worker_threads): `#worker` resolves here under the "node" condition
 * (package.json "imports"); the browser's counterpart is worker-browser.ts.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { NODE_WORKER_SOURCE } from "./worker-source.js";
import type { WorkerPlatform } from "./worker-platform.js";

export const platform: WorkerPlatform = {
  name: "node",
  cores: availableParallelism(),
  spawn(memory, bytes, slot, failed) {
    const worker = new Worker(NODE_WORKER_SOURCE, { eval: true, workerData: { memory, bytes, slot } });
    worker.on("error", failed);
    worker.unref(); // an idle pool must not keep the process alive
  },
};
