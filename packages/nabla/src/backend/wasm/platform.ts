/**
 * What the wasm backend needs from the platform, supplied by `#platform` (package.json
 * "imports"): platform-node.ts where the "node" condition holds, platform-browser.ts in
 * browsers and in bundles for them, so that no browser build sees node:worker_threads and no
 * page downloads a kernel build it does not run.
 */
import type { WorkerPort } from "../webgpu/remote-device.js";

export interface Platform {
  /** Where the pool's helpers are worker_threads or Web Workers. */
  readonly name: "node" | "browser";
  /** The machine's cores: the default thread count. */
  readonly cores: number;
  /**
   * Starts a worker running the kernel loop (worker-source.ts) over the shared memory, or null
   * where none can start (a page that is not cross-origin isolated, an engine without workers).
   * `failed` is called if the worker dies while starting.
   */
  readonly spawn: ((memory: unknown, bytes: Uint8Array, slot: number, failed: () => void) => void) | null;
  /** A kernel build's bytes as base64, where they are already at hand (always in Node), else null. */
  kernelsNow(relaxed: boolean): string | null;
  /** A kernel build's bytes as base64, loaded where they are not at hand. */
  loadKernels(relaxed: boolean): Promise<string>;
  /**
   * Starts the worker that owns a WebGPU device for synchronous reads (webgpu/remote-device.ts):
   * worker_threads with the `webgpu` package in Node, a module worker in browsers. Here, so that
   * no browser bundle carries the Node route.
   */
  startDeviceWorker(): Promise<WorkerPort>;
}
