/**
 * Float32 storage inside the wasm memory, so kernels read and write tensors in place.
 *
 * Blocks come from a bump pointer and go back to a free list per size class when their typed
 * array is garbage-collected (gc.ts); a training loop allocates the same sizes every step, so
 * after the first steps every allocation is a reused block and memory stays flat. Before the
 * heap grows, once enough bytes have been handed out since the last time, the allocator
 * has dead tensors collected, synchronously where the engine allows it. Where it does not and
 * finalizers lag, past BUDGET bytes new storage goes to the JS heap (kernels then copy it in).
 */
import { finalizationRegistry } from "./gc.js";
import { kernels, memory } from "./instance.js";

const PAGE = 65536;
/** Below this the module's static data lives (assembly/build.mjs). */
const HEAP_START = 65536;
/** Wasm-heap bytes handed out before storage falls back to plain JS typed arrays. */
const BUDGET = 512 * 1024 * 1024;
/**
 * Bytes handed out, at least, between collections. Each is a full mark-compact of the JS heap,
 * ~5 ms even for a small program: at 32 MiB that was 15% of an MLP's training step (784-256-128-10,
 * batch 64, ~2.5 MB a step), at 128 MiB it is ~4%. Not less than four times what is live either
 * (the work per step grows with the model).
 */
const MIN_COLLECT_EVERY = 128 * 1024 * 1024;

/**
 * NABLA_POISON_UNINITIALIZED=1 (set by the test projects) fills storage handed out unzeroed
 * with NaN, so that an op which promised to write every element and did not fails loudly.
 */
const POISON =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NABLA_POISON_UNINITIALIZED === "1";

let buffer = memory.buffer as SharedArrayBuffer;
/** Every SharedArrayBuffer object the memory has shown: views made before a grow keep the old one. */
const buffers = new WeakSet<ArrayBufferLike>([buffer]);
let top = HEAP_START;
const freeLists = new Map<number, number[]>();
let liveBytes = 0;
let freeBytes = 0;
let servedSinceCollect = 0;
/** What was still live after the last collection: the model's own size, about. */
let liveAfterCollect = 0;

/** Rounds a request up to its size class: 64-byte steps to 512, then 4 classes per power of two. */
function sizeClass(bytes: number): number {
  if (bytes <= 512) return Math.max(64, (bytes + 63) & ~63);
  const step = 2 ** (Math.floor(Math.log2(bytes)) - 2);
  return Math.ceil(bytes / step) * step;
}

function grow(end: number): void {
  const have = buffer.byteLength;
  if (end <= have) return;
  // grow by at least a quarter, so that a growing heap grows rarely
  const want = Math.max(end, have + have / 4);
  memory.grow(Math.ceil((want - have) / PAGE));
  buffer = memory.buffer as SharedArrayBuffer;
  buffers.add(buffer);
}

export interface Block {
  ptr: number;
  size: number;
  /** A reused block holds old values; fresh memory is zero. */
  dirty: boolean;
}

/** A block of at least `bytes` (64-byte aligned), or null past the budget unless `force`. */
export function allocBytes(bytes: number, force = false): Block | null {
  const size = sizeClass(bytes);
  let list = freeLists.get(size);
  if ((list === undefined || list.length === 0) && servedSinceCollect > Math.max(MIN_COLLECT_EVERY, 4 * liveAfterCollect)) {
    // about to grow: dead tensors are likely holding blocks, get them back first
    servedSinceCollect = 0;
    if (finalizer.collect()) list = freeLists.get(size);
    liveAfterCollect = liveBytes;
  }
  let ptr: number;
  let dirty = false;
  if (list !== undefined && list.length > 0) {
    ptr = list.pop()!;
    freeBytes -= size;
    dirty = true;
  } else {
    if (!force && top + size - HEAP_START > BUDGET) return null;
    ptr = top;
    grow(top + size);
    top += size;
  }
  liveBytes += size;
  servedSinceCollect += size;
  return { ptr, size, dirty };
}

export function freeBlock(ptr: number, size: number): void {
  let list = freeLists.get(size);
  if (list === undefined) freeLists.set(size, (list = []));
  list.push(ptr);
  liveBytes -= size;
  freeBytes += size;
}

const finalizer = finalizationRegistry<{ ptr: number; size: number }>(({ ptr, size }) => freeBlock(ptr, size));

/**
 * Float32 or int32 storage in wasm memory (int32 too, so that the indices max pooling writes
 * and its backward reads never leave it), released when the array is collected; null past the
 * budget. Zeroed, unless `zeroed` is false: then a reused block keeps its old values for the
 * caller to overwrite.
 */
export function allocInHeap(dtype: "float32" | "float64" | "int32", length: number, zeroed = true): Float32Array | Float64Array | Int32Array | null {
  const width = dtype === "float64" ? 8 : 4;
  const block = allocBytes(length * width);
  if (block === null) return null;
  const array =
    dtype === "float32"
      ? new Float32Array(buffer, block.ptr, length)
      : dtype === "float64"
        ? new Float64Array(buffer, block.ptr, length)
        : new Int32Array(buffer, block.ptr, length);
  if (zeroed) {
    if (block.dirty) kernels.zeroBytes(block.ptr, length * width);
  } else if (POISON) {
    // tests: a kernel that leaves an element unwritten shows up as NaN (or an index far out of range)
    array.fill(dtype === "int32" ? -(2 ** 31) : NaN);
  }
  finalizer.register(array, { ptr: block.ptr, size: block.size });
  return array;
}

/** Whether a typed array's bytes live in the wasm memory (so its byteOffset is a pointer). */
export function inHeap(array: ArrayBufferView): boolean {
  return buffers.has(array.buffer);
}

/** A Float32Array over a block, for scratch space the caller frees. */
export function float32At(ptr: number, length: number): Float32Array {
  return new Float32Array(buffer, ptr, length);
}

/** A Float64Array over a block (8-byte aligned: blocks are 64-byte aligned), for scratch space the caller frees. */
export function float64At(ptr: number, length: number): Float64Array {
  return new Float64Array(buffer, ptr, length);
}

/** Allocator counters, for tests that check memory stays flat. */
export function heapStats(): { top: number; liveBytes: number; freeBytes: number } {
  return { top, liveBytes, freeBytes };
}
