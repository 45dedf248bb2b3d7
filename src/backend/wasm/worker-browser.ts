/**
 * Kernel workers in a browser (Web Workers from a Blob URL, so no separate file has to be
 * served): `#worker` resolves here everywhere but Node (package.json "imports"). Only where the
 * page is cross-origin isolated (COOP + COEP headers): without that, browsers refuse to share
 * WebAssembly memory with a worker, and the kernels run on the page's thread alone.
 */
import { BROWSER_WORKER_SOURCE } from "./worker-source.js";
import type { WorkerPlatform } from "./worker-platform.js";

interface WebWorkerApi {
  Worker: new (url: string) => { postMessage(message: unknown): void; addEventListener(type: "error", f: () => void): void };
  Blob: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL(blob: object): string };
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
}

const web = globalThis as unknown as Partial<WebWorkerApi>;

const available =
  web.crossOriginIsolated === true && typeof web.Worker === "function" && typeof web.Blob === "function" && web.URL !== undefined;

let url: string | null = null;

function spawn(memory: unknown, bytes: Uint8Array, slot: number, failed: () => void): void {
  url ??= web.URL!.createObjectURL(new web.Blob!([BROWSER_WORKER_SOURCE], { type: "text/javascript" }));
  const worker = new web.Worker!(url);
  worker.addEventListener("error", failed);
  worker.postMessage({ memory, bytes, slot });
}

const cores = web.navigator?.hardwareConcurrency;

export const platform: WorkerPlatform = {
  name: "browser",
  cores: typeof cores === "number" && cores > 0 ? cores : 1,
  spawn: available ? spawn : null,
};
