/**
 * How many threads big kernels use (the caller's plus workers). Kept apart from the pool so it
 * loads without starting wasm.
 */
import { platform } from "#platform";
import { wasmSimdAvailable } from "./simd.js";

let threads = 0; // 0: not chosen yet, use the machine's core count
/** Set when a worker failed to start: the kernels then run on the caller's thread. */
let workersFailed = false;
let kernelsCanThread: boolean | null = null;

/**
 * Asks for up to n threads for big kernels (matmul, Adam, im2col, pointwise ops on 64K elements or more) on the wasm backend; 1 runs
 * everything on the caller's thread. Where no worker can start, 1 is what runs (getNumThreads).
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
  threads = n;
}

/**
 * The threads big kernels run on: as set by setNumThreads (by default the machine's cores), or 1
 * where no kernel worker can start: a browser page that is not cross-origin isolated (no COOP and
 * COEP headers), an engine without workers or without the wasm backend, or a worker that failed.
 */
export function getNumThreads(): number {
  kernelsCanThread ??= platform.spawn !== null && wasmSimdAvailable();
  if (!kernelsCanThread || workersFailed) return 1;
  return threads === 0 ? platform.cores : threads;
}

/** The pool calls this when a worker cannot start: from then on everything runs on the caller's thread. */
export function workersUnavailable(): void {
  workersFailed = true;
}
