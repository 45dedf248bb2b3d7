/** How many threads big kernels may use (the caller's plus workers). Kept apart from the pool so it loads without wasm. */

function defaultThreads(): number {
  const g = globalThis as { navigator?: { hardwareConcurrency?: number } };
  const cores = g.navigator?.hardwareConcurrency;
  return typeof cores === "number" && cores > 0 ? cores : 1;
}

let threads = 0; // 0: not chosen yet, use the machine's core count

/** Uses up to n threads for big kernels (matmul) on the wasm backend; 1 runs everything on the caller's thread. */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
  threads = n;
}

export function getNumThreads(): number {
  return threads === 0 ? defaultThreads() : threads;
}

/** Lets the pool fill in the core count where navigator has none (Node 20). */
export function setDefaultThreads(n: number): void {
  if (threads === 0) threads = n;
}
