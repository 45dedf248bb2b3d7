/**
 * The int32 block through which n-d kernels (copyND, the pointwise kernels) get a view's geometry:
 * sizes, one stride list per operand, then room for the kernel's own loop counters. One block,
 * reused per call.
 */
import { allocBytes } from "./heap.js";
import { memory } from "./instance.js";

export const MAX_DIMS = 16;
/** Sizes, up to three operands' strides, and the counters. */
const SLOTS = 5 * MAX_DIMS;
let meta: Int32Array | null = null;
/** The block's address (kept as a number: reading `byteOffset` calls a builtin). */
let metaPtr = 0;

function metaBlock(): Int32Array {
  if (meta === null) {
    metaPtr = allocBytes(4 * SLOTS, true)!.ptr; // may grow the memory: take the buffer after
    meta = new Int32Array(memory.buffer, metaPtr, SLOTS);
  }
  return meta;
}

/** The geometry of one dense row of `n` elements (every operand's stride 1), the common case; returns the block's address. */
export function writeRowMeta(n: number): number {
  const m = metaBlock();
  m[0] = n;
  m[1] = 1;
  m[2] = 1;
  m[3] = 1;
  return metaPtr;
}

/** Writes sizes and each stride list (all of length ≤ MAX_DIMS) and returns the block's address. */
export function writeMeta(sizes: readonly number[], ...strides: (readonly number[])[]): number {
  const meta = metaBlock();
  const nd = sizes.length;
  for (let d = 0; d < nd; d++) meta[d] = sizes[d]!;
  strides.forEach((list, k) => {
    for (let d = 0; d < nd; d++) meta[(k + 1) * nd + d] = list[d]!;
  });
  return meta.byteOffset;
}
