/**
 * The wasm heap: storage and kernel scratch inside the one shared WebAssembly.Memory, so that
 * kernels read and write tensors in place.
 *
 * Blocks up to 1 MiB come in size classes (64-byte steps to 512 B, then four classes per power of
 * two), each with a free list: a training loop asks for the same sizes every step, and after the
 * first step every request is a pop. Bigger blocks are cut from free extents (address-ordered,
 * neighbours merged when freed, first fit) and rounded to 64 KiB; the heap's top moves up when
 * nothing fits (and, while the heap is small, before the size classes' lists are merged into the
 * extents: see place), and down again when the block below it is freed.
 *
 * Blocks come back explicitly (`freeBlock`): storage the library knows is dead and scratch after
 * each kernel. Arrays a user dropped come back when the garbage collector finalizes them, which
 * only happens between tasks (never inside a synchronous loop) unless forced collection is on
 * (src/memory/collection.ts): before the heap grows past its current size (32 MiB at first,
 * doubled when collections have cost more than growing would; see collectAbove), it asks for one,
 * and gives every size class's list back to the extents after it (see collectBeforeGrowing).
 * wasm32 memory stops at 4 GiB and never shrinks; `limit` caps the
 * heap's span below that. When a request does not fit, the small free lists are given back to the
 * extents, a collection runs if enabled, and then storage is refused: the caller puts it on the JS
 * heap, or with an explicit limit throws OutOfMemoryError.
 */
import { OutOfMemoryError } from "../../errors.js";
import { collectIfEnabled, collectionCount, collectUnderPressure, finalizationRegistry } from "../../memory/collection.js";
import { kernels, memory, onModuleChange } from "./instance.js";
import { BlockTable } from "./block-table.js";

const PAGE = 65536;
/** Below this the module's static data lives (assembly/build.mjs). */
const HEAP_START = 65536;
/** The most a wasm32 memory spans. */
const CEILING = 65536 * PAGE;
/** Requests above this are cut from extents, not size classes. */
const LARGEST_CLASS = 1024 * 1024;
const LARGE_GRAIN = 65536;

/**
 * NABLA_POISON_UNINITIALIZED=1 (set by the test projects) fills storage handed out unzeroed
 * with NaN, so that an op which promised to write every element and did not fails loudly.
 */
const POISON =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NABLA_POISON_UNINITIALIZED === "1";

/** The memory's buffer, once the kernels have started (instance.ts); it changes when the memory grows. */
let buffer: ArrayBufferLike = new ArrayBuffer(0); // (a page that is not isolated has no SharedArrayBuffer constructor)
/** Every SharedArrayBuffer object the memory has shown: views made before a grow keep the old one. */
const buffers = new WeakSet<ArrayBufferLike>();
onModuleChange(() => {
  buffer = memory.buffer;
  buffers.add(buffer);
});
let top = HEAP_START;
/**
 * Free lists of the size classes, indexed by size / 64 (every class is a multiple of 64 bytes): an
 * array read, not a Map lookup, on every allocation and free.
 */
const classLists: (number[] | undefined)[] = new Array<number[] | undefined>(LARGEST_CLASS / 64 + 1).fill(undefined);
/** The indices of classLists that hold a list, for the passes over every list (a few dozen of its 16K entries). */
const usedClasses: number[] = [];
/** Free extents, by address: starts and sizes, no two adjacent. */
const extentStart: number[] = [];
const extentSize: number[] = [];
/** Every block handed out and not yet freed, by address, with its size and its registration (see `finalizer`). */
const live = new BlockTable();

let allocated = 0;
let peak = 0;
let cachedInClasses = 0;
let cachedInExtents = 0;
/** The heap's span may not pass HEAP_START + limit; `explicitLimit` says a user set it. */
let limit = CEILING - HEAP_START;
let explicitLimit = false;
/** The end of the highest block ever handed out: memory above it is still zero. */
let everUsed = HEAP_START;

/** Rounds a request up to its size: 64-byte steps to 512, four classes per power of two to 1 MiB, then 64 KiB steps. */
function roundedSize(bytes: number): number {
  if (bytes <= 512) return Math.max(64, (bytes + 63) & ~63);
  if (bytes > LARGEST_CLASS) return Math.ceil(bytes / LARGE_GRAIN) * LARGE_GRAIN;
  // integer arithmetic on the hot path (every allocation): bytes is at most 1 MiB here
  const step = 1 << (29 - Math.clz32(bytes)); // a quarter of the power of two at or below bytes
  return (bytes + step - 1) & -step;
}

/** The index of the first extent starting at or after `ptr`. */
function extentIndex(ptr: number): number {
  let lo = 0;
  let hi = extentStart.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (extentStart[mid]! < ptr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Returns [ptr, ptr + size) to the extents, merging neighbours; a run ending at the top lowers the top. */
function freeExtent(ptr: number, size: number): void {
  const i = extentIndex(ptr);
  let start = ptr;
  let end = ptr + size;
  const mergesBefore = i > 0 && extentStart[i - 1]! + extentSize[i - 1]! === start;
  const mergesAfter = i < extentStart.length && extentStart[i] === end;
  if (mergesAfter) {
    end += extentSize[i]!;
    cachedInExtents -= extentSize[i]!;
    extentStart.splice(i, 1);
    extentSize.splice(i, 1);
  }
  if (mergesBefore) {
    start = extentStart[i - 1]!;
    cachedInExtents -= extentSize[i - 1]!;
    extentStart.splice(i - 1, 1);
    extentSize.splice(i - 1, 1);
  }
  if (end === top) {
    top = start;
    return;
  }
  const at = extentIndex(start);
  extentStart.splice(at, 0, start);
  extentSize.splice(at, 0, end - start);
  cachedInExtents += end - start;
}

/** The first extent holding `size` bytes, cut; -1 if none. */
function takeExtent(size: number): number {
  for (let i = 0; i < extentStart.length; i++) {
    const have = extentSize[i]!;
    if (have < size) continue;
    const ptr = extentStart[i]!;
    if (have === size) {
      extentStart.splice(i, 1);
      extentSize.splice(i, 1);
    } else {
      extentStart[i] = ptr + size;
      extentSize[i] = have - size;
    }
    cachedInExtents -= size;
    return ptr;
  }
  return -1;
}

/** Moves the heap's top up by `size` within the limit, growing the memory; -1 where it cannot. */
function takeTop(size: number): number {
  const end = top + size;
  if (end - HEAP_START > limit || end > CEILING) return -1;
  const have = buffer.byteLength;
  if (end > have) {
    // grow by at least a quarter, so that a growing heap grows rarely
    const want = Math.min(CEILING, Math.max(end, have + have / 4));
    try {
      memory.grow(Math.ceil((want - have) / PAGE));
    } catch {
      try {
        memory.grow(Math.ceil((end - have) / PAGE));
      } catch {
        return -1; // the engine would not give more
      }
    }
    buffer = memory.buffer;
    buffers.add(buffer);
    sampleFreshMemory(have, buffer.byteLength);
  }
  const ptr = top;
  top = end;
  return ptr;
}

/**
 * Gives every size-class free block back to the extents, where neighbours merge into bigger ones,
 * but the list of class `keep` (-1: none). In one sorted pass (a collection can free thousands of
 * blocks at once: inserting them one by one into the address-ordered extents would cost a splice
 * each).
 */
function releaseClassLists(keep = -1): void {
  const starts: number[] = [];
  const sizes: number[] = [];
  for (const c of usedClasses) {
    if (c === keep) continue;
    const list = classLists[c]!;
    const size = 64 * c;
    for (const ptr of list) {
      starts.push(ptr);
      sizes.push(size);
    }
    list.length = 0;
  }
  cachedInClasses = keep >= 0 ? (classLists[keep]?.length ?? 0) * 64 * keep : 0;
  if (starts.length === 0) return;
  for (let i = 0; i < extentStart.length; i++) {
    starts.push(extentStart[i]!);
    sizes.push(extentSize[i]!);
  }
  const order = Array.from(starts.keys()).sort((a, b) => starts[a]! - starts[b]!);
  extentStart.length = 0;
  extentSize.length = 0;
  cachedInExtents = 0;
  for (const i of order) {
    const start = starts[i]!;
    const last = extentStart.length - 1;
    if (last >= 0 && extentStart[last]! + extentSize[last]! === start) extentSize[last]! += sizes[i]!;
    else {
      extentStart.push(start);
      extentSize.push(sizes[i]!);
    }
    cachedInExtents += sizes[i]!;
  }
  // a run ending at the top lowers the top instead
  const last = extentStart.length - 1;
  if (extentStart[last]! + extentSize[last]! === top) {
    top = extentStart[last]!;
    cachedInExtents -= extentSize[last]!;
    extentStart.pop();
    extentSize.pop();
  }
}

/** A free block of `size` already in the heap, or -1. */
function reuse(size: number): number {
  if (size <= LARGEST_CLASS) {
    const list = classLists[size >>> 6];
    if (list !== undefined && list.length > 0) {
      cachedInClasses -= size;
      return list.pop()!;
    }
  }
  return takeExtent(size);
}

/**
 * When the heap collects instead of growing. Touching fresh memory costs a page fault per 4 KiB
 * (about 20 µs each in a virtual machine like our CI's: 256 MiB took 1.2 s), while memory once
 * touched is cheap to reuse; a forced collection costs ~5–20 ms. So the heap starts small (32 MiB)
 * and pays for collections until they have cost as much as growing would (fresh memory's cost,
 * measured on each grow), then doubles: a ski-rental rule, never worse than twice the better
 * choice. Up to 128 MiB it doubles at once where collections take more of the time than the work
 * between them (big tensors dropped in a tight loop); past it only by the rule, as 128 MiB of
 * fresh memory can cost as much as ~100 collections (0.6 s in our CI's VMs, where a first touch
 * costs ~18 µs a page; on bare metal a few ms, and it doubles after a collection or two). It
 * never collects below twice what the last one left, and stops doubling at a ceiling (see
 * collectionCeiling): 128 MiB where the arrays a collection frees are small, up to 256 MiB where
 * they are big.
 */
const MiB = 1024 * 1024;
let collectAbove = 32 * MiB;
let collectionMsAtThisSize = 0;
let lastCollectionEnd = 0;
let liveAfterCollect = 0;
/** What touching one MiB of fresh memory costs here (ms): the least measured, as a busy machine only adds to it. */
let freshMsPerMiB = Infinity;
const now = (): number => globalThis.performance?.now() ?? Date.now();

/** Times the first write to a few pages the memory just grew by: what growing costs on this machine. */
function sampleFreshMemory(from: number, to: number): void {
  const pages = Math.min(64, Math.floor((to - from) / 4096));
  if (pages < 16) return;
  const bytes = new Uint8Array(buffer);
  const started = now();
  for (let p = 0; p < pages; p++) bytes[from + p * 4096] = 0;
  freshMsPerMiB = Math.min(freshMsPerMiB, ((now() - started) * 256) / pages);
}

/**
 * Before growing past the current size (see collectAbove), the garbage collector is asked for the
 * blocks of tensors the user dropped (collection.ts; "auto" mode only).
 */
/** The span past which the heap collects before growing (see collectAbove). */
function collectionSpan(): number {
  return Math.max(collectAbove, 2 * liveAfterCollect);
}

/**
 * The most the heap lets dropped arrays span before it collects, from the blocks the last
 * collection freed. A forced collection costs about the same whatever it frees (5–7 ms: marking
 * the whole JS heap, ~13 MB with the library loaded; bare Node's 3 MB takes ~3 ms), so what each
 * dropped array pays for it is that cost over the arrays one collection frees. 128 MiB holds 16K
 * of a loop's 8 KiB results (~0.4 µs each) but only 290 of its 100,000-element ones (~20 µs each,
 * as much as the op itself); a bigger heap past 128 MiB saves the small ones little and costs the
 * memory (a loop of dropped 8 KiB tensors held 600 MiB at 512 MiB, as fast as at 128; at 256 it
 * ran 8% slower). A smaller one would not keep them in cache for long enough to pay: between
 * collections each op writes a block not touched since the last one, and a write into 8 KiB
 * blocks taken in turn from 1, 16, 64 and 128 MiB cost 0.32, 0.38, 0.66 and 0.63 µs, so from
 * 64 MiB down only the collections' share grows (0.4 µs an op at 128 MiB, 0.66 at 64). So the
 * ceiling is what COLLECTED_BLOCKS of the freed blocks span (their mean size), between 128 and
 * 256 MiB: blocks past 64 KiB get more room. Loops of dropped 100,000-element results measured
 * 40 µs a call at 128 MiB, 28 at 256, 26 at 512 (where the memory cost four times as much).
 */
const COLLECTED_BLOCKS = 2048;
const LEAST_CEILING = 128 * MiB;
const MOST_CEILING = 256 * MiB;

function collectionCeiling(freedBlocks: number, freedBytes: number): number {
  if (freedBlocks === 0) return LEAST_CEILING;
  const spanOfBlocks = Math.ceil((COLLECTED_BLOCKS * freedBytes) / freedBlocks / MiB) * MiB;
  return Math.min(MOST_CEILING, Math.max(LEAST_CEILING, spanOfBlocks));
}

/** Blocks and bytes the finalizers have freed so far: what a collection freed is the difference across it. */
let finalizedBlocks = 0;
let finalizedBytes = 0;

function collectBeforeGrowing(size: number): boolean {
  const span = top + size - HEAP_START;
  if (span <= collectionSpan()) return false;
  const started = now();
  const blocksBefore = finalizedBlocks;
  const bytesBefore = finalizedBytes;
  if (!collectIfEnabled()) return false;
  // The finalizers put the blocks back on their size classes; all the lists go back to the
  // extents now, where neighbours merge and any request can be cut from them. Left on their
  // lists, the blocks of a size the loop no longer asks for stayed there for good whenever the
  // collection also freed a few of this size (no request missed, so none merged them), and the
  // loop collected each time those few ran out: after 2,000 dropped float64 products of 97×153
  // (128 KiB blocks), a float32 loop of the same shape (64 KiB) found 106 of 128 MiB stuck and
  // collected 13 times for 250 MiB dropped instead of 2–3; with 137 MiB of freed 128 KiB blocks
  // it collected on every call (1,999 times in 2,000 calls, 13.6 ms a call instead of 0.13).
  // One sorted merge per collection costs little beside the collection (a few thousand blocks).
  // The list of the size being asked for stays: its blocks serve the loop's next requests by a
  // pop (cut from the extents again, a loop of dropped 2,000-element results took ~30% longer).
  releaseClassLists(size >>> 6);
  liveAfterCollect = allocated;
  const ended = now();
  const took = ended - started;
  const workBetween = started - lastCollectionEnd;
  lastCollectionEnd = ended;
  collectionMsAtThisSize += took;
  // what doubling costs: the memory it would touch for the first time
  const freshBytes = Math.max(0, HEAP_START + 2 * collectAbove - everUsed);
  const growingCosts = freshMsPerMiB === Infinity ? 0 : (freshMsPerMiB * freshBytes) / MiB;
  const ceiling = Math.min(collectionCeiling(finalizedBlocks - blocksBefore, finalizedBytes - bytesBefore), limit);
  if (collectAbove > ceiling) {
    // a loop of small arrays after one of big ones: back to the span that suits them
    collectAbove = ceiling;
    collectionMsAtThisSize = 0;
  } else if (collectionMsAtThisSize >= growingCosts || (took > workBetween && collectAbove < LEAST_CEILING)) {
    collectAbove = Math.min(2 * collectAbove, ceiling);
    collectionMsAtThisSize = 0;
  }
  return true;
}

function place(size: number): number {
  let ptr = reuse(size);
  if (ptr >= 0) return ptr;
  // Up to half the span where it would collect, the heap grows rather than give every size
  // class's list back to the extents (below): after such a merge a loop's next small requests cut
  // their blocks from the extents again and fragment them, so that a big request misses again and
  // merges the lists again. LeNet-5's training step did that three times a step; growing instead,
  // its lists fill within a step or two and every request after that is a pop. The other half
  // keeps the merge for loops whose sizes keep changing, before a collection is forced.
  if (top + size - HEAP_START <= collectionSpan() / 2) {
    ptr = takeTop(size);
    if (ptr >= 0) return ptr;
  }
  if (collectBeforeGrowing(size)) {
    ptr = reuse(size);
    if (ptr >= 0) return ptr;
  }
  // blocks cached in other classes (what a loop of other sizes left; a collection merges its own):
  // merged, they may hold this request before the heap grows
  if (cachedInClasses >= size) {
    releaseClassLists();
    ptr = reuse(size);
    if (ptr >= 0) return ptr;
  }
  return takeTop(size);
}

export interface Block {
  ptr: number;
  size: number;
  /** Memory used before holds old values; memory never used is zero. */
  dirty: boolean;
}

/**
 * A block of at least `bytes` (64-byte aligned). Where the heap cannot serve it: scratch
 * (`scratch` true) and any request past an explicit limit throw OutOfMemoryError naming `op`;
 * storage otherwise gets null (the caller puts it on the JS heap).
 */
export function allocBytes(bytes: number, scratch = false, op = "alloc"): Block | null {
  const ptr = takeBlock(bytes, scratch, op, 0);
  return ptr < 0 ? null : { ptr, size: takenSize, dirty: takenDirty };
}

/** The size of the block takeBlock returned last, and whether it held memory used before. */
let takenSize = 0;
let takenDirty = false;

/** allocBytes without the Block object (allocInHeap's path, once per op): the address, or -1; `registration` recorded with it. */
function takeBlock(bytes: number, scratch: boolean, op: string, registration: number): number {
  const size = roundedSize(bytes);
  let ptr = place(size);
  if (ptr < 0) {
    releaseClassLists();
    ptr = place(size);
    if (ptr < 0 && collectUnderPressure()) {
      releaseClassLists();
      liveAfterCollect = allocated;
      ptr = place(size);
    }
    if (ptr < 0) {
      if (!scratch && !explicitLimit) return -1;
      throw new OutOfMemoryError(
        op,
        bytes,
        { live: allocated, cached: cachedInClasses + cachedInExtents, limit },
        explicitLimit
          ? "memory.setLimit() caps the heap; free tensors you no longer need (t.free(), `using`), or raise the limit"
          : "wasm32 memory stops at 4 GiB",
      );
    }
  }
  allocated += size;
  if (allocated > peak) peak = allocated;
  // memory above everything ever handed out was never written: it is still zero
  takenSize = size;
  takenDirty = ptr < everUsed;
  if (ptr + size > everUsed) everUsed = ptr + size;
  live.add(ptr, size, registration);
  return ptr;
}

/** Returns a block taken by allocBytes, and its size. Freeing an address twice or one never handed out throws. */
export function freeBlock(ptr: number): number {
  const size = live.remove(ptr);
  if (size === 0) throw new Error(`wasm heap: freeing ${ptr}, which is not an allocated block`);
  // freed before its array died: the registration lapses (the finalizer, when it comes, does nothing)
  const registration = live.removedRegistration;
  if (registration !== 0) registeredPtr[registration] = 0;
  allocated -= size;
  if (size <= LARGEST_CLASS) {
    let list = classLists[size >>> 6];
    if (list === undefined) {
      classLists[size >>> 6] = list = [];
      usedClasses.push(size >>> 6);
    }
    list.push(ptr);
    cachedInClasses += size;
  } else {
    freeExtent(ptr, size);
  }
  return size;
}

/**
 * Frees the block of a tracked array the collector found unreachable. Arrays are registered
 * without an unregister token: a token costs V8 a hash-table entry per array, ~0.3–0.5 µs at
 * registration and as much again at the collection that finds it dead (a loop of dropped 2,000-
 * element results spent more in that table than in its kernels). So a block freed early (t.free(),
 * the library's release) keeps its registration, and when the array dies the finalizer finds
 * the registration lapsed (freeBlock zeroed its address) and does nothing.
 *
 * What the registry holds for each array is a registration's slot, a small integer, not an object:
 * held values live as long as their arrays, so an object per array would be one more for every
 * scavenge to keep, the collector to move into the old space and each full collection to mark
 * (a loop of dropped results registers ~16K arrays between collections).
 */
const finalizer = finalizationRegistry<number>((slot) => {
  const ptr = registeredPtr[slot]!;
  registeredPtr[slot] = 0;
  freeSlots.push(slot);
  if (ptr !== 0) {
    finalizedBlocks++;
    finalizedBytes += freeBlock(ptr);
  }
});

/** Each registration's block address, by slot (0: lapsed or free; slot 0 is never used). */
let registeredPtr = new Uint32Array(1024);
/** Slots whose finalizer has run, for reuse; slots from `slotsUsed` up were never used. */
const freeSlots: number[] = [];
let slotsUsed = 1;

function takeSlot(): number {
  const reused = freeSlots.pop();
  if (reused !== undefined) return reused;
  if (slotsUsed === registeredPtr.length) {
    const grown = new Uint32Array(2 * registeredPtr.length);
    grown.set(registeredPtr);
    registeredPtr = grown;
  }
  return slotsUsed++;
}

/**
 * Float or int32 storage in wasm memory, or null where the heap cannot serve it (see allocBytes).
 * Zeroed, unless `zeroed` is false: then a reused block keeps its old values for the caller to
 * overwrite. Freed by `releaseArray`, or by the collector once the array is unreachable; with
 * `tracked` false only by `releaseArray` until `trackArray` hands it to the collector.
 */
export function allocInHeap(
  dtype: "float32" | "float64" | "int32",
  length: number,
  zeroed = true,
  op = "alloc",
  tracked = true,
): Float32Array | Float64Array | Int32Array | null {
  const width = dtype === "float64" ? 8 : 4;
  const slot = tracked ? takeSlot() : 0;
  const ptr = takeBlock(length * width, false, op, slot);
  if (ptr < 0) {
    if (slot !== 0) freeSlots.push(slot);
    return null;
  }
  const array =
    dtype === "float32"
      ? new Float32Array(buffer, ptr, length)
      : dtype === "float64"
        ? new Float64Array(buffer, ptr, length)
        : new Int32Array(buffer, ptr, length);
  if (zeroed) {
    if (takenDirty) kernels.zeroBytes(ptr, length * width);
  } else if (POISON) {
    // tests: a kernel that leaves an element unwritten shows up as NaN (or an index far out of range)
    array.fill(dtype === "int32" ? -(2 ** 31) : NaN);
  }
  if (slot !== 0) {
    registeredPtr[slot] = ptr;
    finalizer.register(array, slot);
  }
  fresh = array;
  return array;
}

/**
 * The array allocInHeap made last, until inHeap is asked about it: Storage.alloc asks at once, and
 * the identity test spares the `.buffer` and `.byteOffset` reads (V8 calls a builtin for each,
 * ~10–20 ns). Cleared when matched, so it keeps no dropped array from the collector for long.
 */
let fresh: ArrayBufferView | null = null;

/** Asks the collector to free an array made by allocInHeap with `tracked` false once it is unreachable. */
export function trackArray(array: ArrayBufferView): void {
  if (!inHeap(array)) return;
  const ptr = array.byteOffset;
  // not a live block, or registered already (at allocation, or by an earlier call)
  if (live.sizeAt(ptr) === 0 || live.registrationAt(ptr) !== 0) return;
  const slot = takeSlot();
  registeredPtr[slot] = ptr;
  live.setRegistration(ptr, slot);
  finalizer.register(array, slot);
}

/** Frees the block under an array made by allocInHeap now (no-op for other arrays); its registration, if tracked, lapses (see `finalizer`). */
export function releaseArray(array: ArrayBufferView): void {
  if (!inHeap(array)) return;
  const ptr = array.byteOffset;
  if (live.sizeAt(ptr) !== 0) freeBlock(ptr);
}

/** Whether a typed array's bytes live in the wasm memory (so its byteOffset is a pointer). */
export function inHeap(array: ArrayBufferView): boolean {
  if (array === fresh) {
    fresh = null;
    return true;
  }
  // no block starts below HEAP_START, and an array of the JS heap (offset 0) is rejected before
  // `.buffer`, which on a small one makes V8 allocate an ArrayBuffer and move the elements there
  if (array.byteOffset < HEAP_START) return false;
  // `.buffer` read at a site that sees one array type each: a read shared by every type goes
  // megamorphic, and V8 then looks the getter up generically (a few percent of a small op)
  const b =
    array instanceof Float32Array
      ? array.buffer
      : array instanceof Float64Array
        ? array.buffer
        : array instanceof Int32Array
          ? array.buffer
          : array.buffer;
  return b === buffer || buffers.has(b);
}

/**
 * The memory's buffer now: a float array whose `.buffer` is this one is in the heap (so is one
 * whose buffer passes isHeapBuffer). Hot paths read `.buffer` themselves, where the property read
 * sees one or two array types and stays fast (inHeap's sees every type, and V8 then looks the
 * property up generically).
 */
export function heapBuffer(): ArrayBufferLike {
  return buffer;
}

/** Whether an array buffer is one the memory has shown (the current one, or one from before it grew). */
export function isHeapBuffer(b: ArrayBufferLike): boolean {
  return b === buffer || buffers.has(b);
}

/** A Float32Array over a block, for scratch space the caller frees. */
export function float32At(ptr: number, length: number): Float32Array {
  return new Float32Array(buffer, ptr, length);
}

/** A Float64Array over a block (8-byte aligned: blocks are 64-byte aligned), for scratch space the caller frees. */
export function float64At(ptr: number, length: number): Float64Array {
  return new Float64Array(buffer, ptr, length);
}

/** What the heap holds, in bytes. */
export interface HeapStats {
  /** In blocks handed out and not freed. */
  allocated: number;
  /** Freed and kept for reuse. */
  cached: number;
  /** The heap's span: allocated + cached. */
  reserved: number;
  /** The most allocated since the start or the last resetPeak. */
  peak: number;
  /** Blocks handed out and not freed. */
  count: number;
  /** The most the heap may span. */
  limit: number;
  /** The wasm memory's size (it never shrinks). */
  memory: number;
  /** Forced garbage collections run so far (collection.ts). */
  collections: number;
}

export function heapStats(): HeapStats {
  return {
    allocated,
    cached: cachedInClasses + cachedInExtents,
    reserved: top - HEAP_START,
    peak,
    count: live.count,
    limit,
    memory: buffer.byteLength,
    collections: collectionCount(),
  };
}

export function resetHeapPeak(): void {
  peak = allocated;
}

/** Caps the heap's span (bytes); null lifts the cap (to wasm32's 4 GiB, past which storage goes to the JS heap). */
export function setHeapLimit(bytes: number | null): void {
  explicitLimit = bytes !== null;
  limit = bytes === null ? CEILING - HEAP_START : Math.min(bytes, CEILING - HEAP_START);
}
