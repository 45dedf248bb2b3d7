/**
 * What the kernel thread pool needs from the platform, supplied by `#worker` (package.json
 * "imports"): worker-node.ts where the "node" condition holds, worker-browser.ts in browsers
 * and bundles for them, so that no browser build sees node:worker_threads.
 */
export interface WorkerPlatform {
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
}
