/**
 * The memory behind one or more tensors (views share it). Kept as its own small type so that
 * a backend can place storage in WebAssembly memory without touching the ops above.
 *
 * Storage can be freed before the garbage collector gets to it: by the library when it knows
 * nothing can read it any more (src/memory/ownership.ts), or by the user (`t.free()`, `using`).
 * Reading freed storage throws instead of returning whatever the block holds now.
 *
 * Storage knows its device (src/backend/device.ts): "cpu" storage holds a typed array (`data`),
 * "webgpu" storage a GPU buffer (`gpu`), which the CPU cannot read synchronously: `data` on it
 * throws, naming the asynchronous reads.
 */
import { backend } from "../backend/backend.js";
import { startedWebGpu, webgpuContext, type Device } from "../backend/device.js";
import { finalizationRegistry } from "../memory/collection.js";
import type { GpuArray } from "../backend/webgpu/pool.js";
import { OutOfMemoryError } from "../errors.js";
import { inOwnedScope, noteAllocated } from "../memory/ownership.js";
import { bytesPerElement, type DType, type TypedArray } from "./dtype.js";

let created = 0;

/**
 * GPU buffers of storage the collector found unreachable go back to the device's pool (the GPU
 * memory is not the collector's). Storage the library or the user frees is unregistered first.
 */
const gpuFinalizer = finalizationRegistry<GpuArray>((array) => startedWebGpu()?.release(array));

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

  /** Where the elements live. */
  readonly device: Device = "cpu";

  private array: TypedArray | null;
  private gpuArray: GpuArray | null = null;
  /**
   * For int32/bool storage moved to the GPU: the host values it was made from, valid while nothing
   * has changed it (`version` still 0). Ops that check indices on the host (gather's bounds, the
   * class indices of a loss) read these instead of a transfer back, which they could not wait for.
   */
  private mirror: TypedArray | null = null;
  private freedBy: string | null = null;

  constructor(
    data: TypedArray,
    readonly dtype: DType,
  ) {
    this.array = data;
  }

  /** Storage over a WebGPU buffer (of `dtype`'s elements, 4 bytes each); `host` the values it was uploaded from, kept for int32/bool. */
  static onGpu(array: GpuArray, dtype: DType, host: TypedArray | null = null): Storage {
    // made through the one constructor, so that CPU and GPU storage share one object shape (the
    // CPU hot paths stay monomorphic); the typed array is then swapped for the buffer
    const s = new Storage(null as unknown as TypedArray, dtype);
    s.array = null;
    s.gpuArray = array;
    (s as { device: Device }).device = "webgpu";
    // GPU buffers are worth freeing early, as blocks of the wasm heap
    s.heapBacked = true;
    noteAllocated(s);
    gpuFinalizer.register(s, array, s);
    if (host !== null && (dtype === "int32" || dtype === "bool")) s.mirror = host;
    return s;
  }

  /** The elements. Throws once the storage is freed, or when they live on a GPU. */
  get data(): TypedArray {
    // kept this small: every kernel call reads it, and V8 inlines small getters
    if (this.array === null) throw this.unreadable();
    return this.array;
  }

  /** Why `data` cannot be had: the storage lives on the GPU, or was freed. */
  private unreadable(): Error {
    if (this.gpuArray === null) return this.freedError();
    return new Error(
      "tensor data lives on the webgpu device and cannot be read synchronously: read it with `await t.dataAsync()` " +
        '(or `await t.itemAsync()`), or move the tensor with `await t.toAsync("cpu")`',
    );
  }

  private freedError(): Error {
    return new Error(
      `tensor storage used after it was freed (${this.freedBy}). ` +
        "The library frees storage it made that nothing returned: keep a tensor made inside a module's forward or a " +
        "data loader's batch with memory.keep(t) or t.clone(), or pass { keepBatches: true } to the DataLoader",
    );
  }

  /** The GPU buffer of webgpu storage; throws on CPU storage and once freed. */
  get gpu(): GpuArray {
    if (this.gpuArray === null) {
      if (this.device === "webgpu") throw this.freedError();
      throw new Error('storage.gpu: this tensor\'s storage is on the cpu (move it with t.to("webgpu"))');
    }
    return this.gpuArray;
  }

  /** The host values of int32/bool storage moved to the GPU and unchanged since, else null. */
  hostMirror(): TypedArray | null {
    return this.mirror !== null && this.version === 0 && this.gpuArray !== null ? this.mirror : null;
  }

  /** Elements held, on any device (0 once freed). */
  get length(): number {
    return this.array !== null ? this.array.length : this.gpuArray !== null ? this.gpuArray.length : 0;
  }

  get freed(): boolean {
    return this.array === null && this.gpuArray === null;
  }

  /** Bytes held. */
  get nbytes(): number {
    if (this.gpuArray !== null) return this.gpuArray.length * 4;
    return this.array === null ? 0 : this.array.byteLength;
  }

  /** Returns the memory to the backend (or the GPU's pool) now; later reads throw. Freeing twice does nothing. */
  free(reason = "by t.free()"): void {
    if (this.array === null) {
      if (this.gpuArray === null) return;
      gpuFinalizer.unregister(this);
      webgpuContext("free").release(this.gpuArray);
      this.gpuArray = null;
      this.mirror = null;
      this.freedBy = reason;
      return;
    }
    backend().release?.(this.array);
    this.array = null;
    this.freedBy = reason;
  }

  /** Hands heap storage to the garbage collector, which frees it once unreachable (see `tracked`; GPU storage always is). */
  track(): void {
    if (this.tracked || this.array === null) return;
    this.tracked = true;
    backend().track?.(this.array);
  }

  /**
   * Zero-filled storage, or with `zeroed` false storage whose contents the caller overwrites. `op`
   * names the request in an OutOfMemoryError; `device` where it lives (the CPU unless said).
   */
  static alloc(dtype: DType, size: number, zeroed = true, op = "alloc", device: Device = "cpu"): Storage {
    if (device !== "cpu") return Storage.allocGpu(dtype, size, zeroed, op);
    let data: TypedArray;
    // inside a scope the library frees it, or tracks it when it escapes (ownership.ts)
    const tracked = !inOwnedScope();
    const b = backend();
    try {
      data = b.alloc(dtype, size, zeroed, op, tracked);
    } catch (e) {
      if (e instanceof OutOfMemoryError || !(e instanceof RangeError)) throw e;
      // the JS heap refused (or the length is past what a typed array can hold)
      const held = backend().memoryHeld?.() ?? { live: 0, cached: 0, limit: 0 };
      throw new OutOfMemoryError(op, size * bytesPerElement(dtype), held, e.message);
    }
    const storage = new Storage(data, dtype);
    if (b.inHeap?.(data)) {
      storage.heapBacked = true;
      storage.tracked = tracked;
      noteAllocated(storage);
    }
    return storage;
  }

  private static allocGpu(dtype: DType, size: number, zeroed: boolean, op: string): Storage {
    const gpu = webgpuContext(op);
    const array = gpu.alloc(size, op, storageDType(op, dtype));
    if (zeroed) gpu.fill(array, 0, dtype !== "float32");
    return Storage.onGpu(array, dtype);
  }
}

/** The dtype of a tensor's buffer on the webgpu device; float64 has none (WGSL has no f64). */
export function storageDType(op: string, dtype: DType): "float32" | "int32" | "bool" {
  if (dtype === "float64") {
    throw new Error(`${op}: float64 tensors cannot live on the webgpu device (WGSL has no f64); use float32, or keep them on the cpu`);
  }
  return dtype;
}
