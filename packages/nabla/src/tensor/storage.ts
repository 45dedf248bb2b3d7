/**
 * The memory behind one or more tensors (views share it). Kept as its own small type so that
 * a backend can place storage in WebAssembly memory without touching the ops above.
 *
 * Storage can be freed before the garbage collector gets to it: by the library when it knows
 * nothing can read it any more (src/memory/ownership.ts), or by the user (`t.free()`, `using`).
 * Reading freed storage throws instead of returning whatever the block holds now.
 */
import { backend } from "../backend/backend.js";
import { OutOfMemoryError } from "../errors.js";
import { inOwnedScope, noteAllocated } from "../memory/ownership.js";
import { bytesPerElement, type DType, type TypedArray } from "./dtype.js";

let created = 0;

export class Storage {
  /** Storages made so far, in order: autograd tells a gradient made during backward by its serial. */
  static get count(): number {
    return created;
  }

  /** This storage's place in creation order. */
  readonly serial = created++;

  /**
   * Bumped by every in-place change made through a tensor (copy_, add_, …) or an optimizer
   * step: autograd compares it with the value a backward function saw when its op ran, as
   * PyTorch's version counter (views share their storage, so they share the count).
   */
  version = 0;

  /**
   * In the backend's own heap (wasm memory). Only such storage is worth freeing early: plain
   * typed arrays are the collector's, which frees them by itself.
   */
  heapBacked = false;
  /** Made inside an ownership scope, so the library may free it (ownership.ts). */
  owned = false;
  /**
   * The garbage collector frees it once unreachable. Heap storage made inside an ownership scope
   * is not tracked until it could outlive the library's knowledge (handed to the user, kept, or
   * waiting for a backward that may never come: ownership.ts calls `track`), so the temporaries a
   * scope frees itself never cost a finalizer's registration.
   */
  tracked = true;
  /** Never freed by the library: the user keeps it (memory.keep), or user code was handed it. */
  kept = false;
  /** Graph nodes that may read it in backward. */
  pins = 0;
  /** Dead but pinned: freed when the last pin goes. */
  freeWhenUnpinned = false;

  private array: TypedArray | null;
  private freedBy: string | null = null;

  constructor(
    data: TypedArray,
    readonly dtype: DType,
  ) {
    this.array = data;
  }

  /** The elements. Throws once the storage is freed. */
  get data(): TypedArray {
    if (this.array === null) {
      throw new Error(
        `tensor storage used after it was freed (${this.freedBy}). ` +
          "The library frees storage it made that nothing returned: keep a tensor made inside a module's forward or a " +
          "data loader's batch with memory.keep(t) or t.clone(), or pass { keepBatches: true } to the DataLoader",
      );
    }
    return this.array;
  }

  get freed(): boolean {
    return this.array === null;
  }

  /** Bytes held. */
  get nbytes(): number {
    return this.array === null ? 0 : this.array.byteLength;
  }

  /** Returns the memory to the backend now; later reads throw. Freeing twice does nothing. */
  free(reason = "by t.free()"): void {
    if (this.array === null) return;
    backend().release?.(this.array, this.tracked);
    this.array = null;
    this.freedBy = reason;
  }

  /** Hands heap storage to the garbage collector, which frees it once unreachable (see `tracked`). */
  track(): void {
    if (this.tracked || this.array === null) return;
    this.tracked = true;
    backend().track?.(this.array);
  }

  /** Zero-filled storage, or with `zeroed` false storage whose contents the caller overwrites. `op` names the request in an OutOfMemoryError. */
  static alloc(dtype: DType, size: number, zeroed = true, op = "alloc"): Storage {
    let data: TypedArray;
    // inside a scope the library frees it, or tracks it when it escapes (ownership.ts)
    const tracked = !inOwnedScope();
    try {
      data = backend().alloc(dtype, size, zeroed, op, tracked);
    } catch (e) {
      if (e instanceof OutOfMemoryError || !(e instanceof RangeError)) throw e;
      // the JS heap refused (or the length is past what a typed array can hold)
      const held = backend().memoryHeld?.() ?? { live: 0, cached: 0, limit: 0 };
      throw new OutOfMemoryError(op, size * bytesPerElement(dtype), held, e.message);
    }
    const storage = new Storage(data, dtype);
    if (backend().inHeap?.(data)) {
      storage.heapBacked = true;
      storage.tracked = tracked;
      noteAllocated(storage);
    }
    return storage;
  }
}
