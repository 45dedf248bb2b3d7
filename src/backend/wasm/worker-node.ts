/** Starting a kernel worker in Node (worker_threads); the browser's counterpart is worker-browser.ts. */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { NODE_WORKER_SOURCE } from "./worker-source.js";

export function spawnWorker(memory: unknown, bytes: Uint8Array, slot: number): void {
  const worker = new Worker(NODE_WORKER_SOURCE, { eval: true, workerData: { memory, bytes, slot } });
  worker.unref(); // an idle pool must not keep the process alive
}

export const cores = availableParallelism();
