/**
 * The wasm backend's platform everywhere but Node (browsers, and bundles for them): `#platform`
 * resolves here (package.json "imports"). Kernel workers are Web Workers from a Blob URL (no
 * separate file to serve), and only where the page is cross-origin isolated (COOP + COEP
 * headers): without that, browsers refuse to share WebAssembly memory with a worker, and the
 * kernels run on the page's thread alone. The kernel build is imported dynamically by `ready()`:
 * a page downloads only the one it runs, and bundlers give each a chunk of its own.
 */
import { WORKER_LOOP } from "./worker-source.js";
import type { Platform } from "./platform.js";
import type { WorkerPort } from "../webgpu/remote-device.js";
import type { FromWorker } from "../webgpu/remote-protocol.js";

interface WebWorkerApi {
  Worker: new (url: string) => { postMessage(message: unknown): void; addEventListener(type: "error", f: () => void): void };
  Blob: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL(blob: object): string };
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
}

const web = globalThis as unknown as Partial<WebWorkerApi>;

const canSpawn =
  web.crossOriginIsolated === true && typeof web.Worker === "function" && typeof web.Blob === "function" && web.URL !== undefined;

/** The kernel loop, started with the first message. */
const WORKER_SOURCE = `${WORKER_LOOP}\nself.onmessage = (event) => start(event.data);\n`;

let url: string | null = null;

function spawn(memory: unknown, bytes: Uint8Array, slot: number, failed: () => void): void {
  url ??= web.URL!.createObjectURL(new web.Blob!([WORKER_SOURCE], { type: "text/javascript" }));
  const worker = new web.Worker!(url);
  worker.addEventListener("error", failed);
  worker.postMessage({ memory, bytes, slot });
}

const cores = web.navigator?.hardwareConcurrency;
const loaded: { baseline?: string; relaxed?: string } = {};

export const platform: Platform = {
  name: "browser",
  cores: typeof cores === "number" && cores > 0 ? cores : 1,
  spawn: canSpawn ? spawn : null,
  kernelsNow: (relaxed) => (relaxed ? loaded.relaxed : loaded.baseline) ?? null,
  async loadKernels(relaxed) {
    if (relaxed) return (loaded.relaxed ??= (await import("./kernels-relaxed.generated.js")).KERNELS_BASE64);
    return (loaded.baseline ??= (await import("./kernels-baseline.generated.js")).KERNELS_BASE64);
  },
  startDeviceWorker: async () => startDeviceWorker(),
};

interface ModuleWorker {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: "message", handler: (event: { data: FromWorker }) => void): void;
  addEventListener(type: "error", handler: (event: { message?: string }) => void): void;
  terminate(): void;
}

/** Starts the worker owning a WebGPU device (remote-device.ts): a module worker, device-worker.ts, which bundlers follow by this URL. */
function startDeviceWorker(): WorkerPort {
  const W = (globalThis as { Worker?: new (url: URL, options: { type: "module" }) => ModuleWorker }).Worker;
  if (W === undefined) throw new Error("webgpu: this context cannot start a worker to own the device");
  const worker = new W(new URL("../webgpu/device-worker.js", import.meta.url), { type: "module" });
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (handler) => worker.addEventListener("message", (event) => handler(event.data)),
    onError: (handler) => worker.addEventListener("error", (event) => handler(event.message ?? "error")),
    hold: () => {},
    onExit: () => () => {}, // a page's workers end with it; no Dawn binding to tear down here
    terminate: () => worker.terminate(),
  };
}
