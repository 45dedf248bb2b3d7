/**
 * The module a browser starts as the worker owning a WebGPU device (wasm/platform-browser.ts starts it
 * with `new Worker(new URL("../webgpu/device-worker.js", import.meta.url), { type: "module" })`, the form
 * bundlers follow): it serves the device of this worker's `navigator.gpu` to the thread that
 * started it. Node runs the same loop from its source text instead (wasm/platform-node.ts).
 */
import type { Gpu } from "./gpu-types.js";
import { PROTOCOL, type FromWorker, type ToWorker } from "./remote-protocol.js";
import { serveDevice } from "./remote-server.js";

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: ArrayBuffer[]): void;
  addEventListener(type: "message", handler: (event: { data: ToWorker }) => void): void;
  close(): void;
  navigator: { gpu?: Gpu };
}

const scope = globalThis as unknown as WorkerScope;

serveDevice(
  {
    post: (message, transfer) => scope.postMessage(message, transfer ?? []),
    listen: (handler) => scope.addEventListener("message", (event) => handler(event.data)),
    close: () => scope.close(),
  },
  async () => {
    const gpu = scope.navigator.gpu;
    if (gpu === undefined) throw new Error("this browser's workers have no navigator.gpu (WebGPU is off or unsupported)");
    return gpu;
  },
  PROTOCOL,
);
