/**
 * Starting a kernel worker in a browser (a Web Worker from a Blob URL, so no separate file has
 * to be served). Only where the page is cross-origin isolated (COOP + COEP headers): without
 * that, browsers refuse to share WebAssembly memory with a worker.
 */
import { BROWSER_WORKER_SOURCE } from "./worker-source.js";

interface WebWorkerApi {
  Worker: new (url: string) => { postMessage(message: unknown): void };
  Blob: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL(blob: object): string };
  crossOriginIsolated?: boolean;
}

const web = globalThis as unknown as Partial<WebWorkerApi>;

/** Whether this page can run kernel workers. */
export const available =
  web.crossOriginIsolated === true && typeof web.Worker === "function" && typeof web.Blob === "function" && web.URL !== undefined;

let url: string | null = null;

export function spawnWorker(memory: unknown, bytes: Uint8Array, slot: number): void {
  url ??= web.URL!.createObjectURL(new web.Blob!([BROWSER_WORKER_SOURCE], { type: "text/javascript" }));
  new web.Worker!(url).postMessage({ memory, bytes, slot });
}
