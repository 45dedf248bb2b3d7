/**
 * The int32 block through which n-d kernels (copyND, binaryND) get a view's geometry: sizes,
 * two stride lists, then room for the kernel's own loop counters. One block, reused per call.
 */
import { allocBytes } from "./heap.js";
import { memory } from "./instance.js";

export const MAX_DIMS = 16;
let meta: Int32Array | null = null;

/** Writes sizes and two stride lists (all of length ≤ MAX_DIMS) and returns the block's address. */
export function writeMeta(sizes: readonly number[], first: readonly number[], second: readonly number[]): number {
  if (meta === null) {
    const ptr = allocBytes(4 * 4 * MAX_DIMS, true)!.ptr; // may grow the memory: take the buffer after
    meta = new Int32Array(memory.buffer, ptr, 4 * MAX_DIMS);
  }
  const nd = sizes.length;
  for (let d = 0; d < nd; d++) {
    meta[d] = sizes[d]!;
    meta[nd + d] = first[d]!;
    meta[2 * nd + d] = second[d]!;
  }
  return meta.byteOffset;
}
