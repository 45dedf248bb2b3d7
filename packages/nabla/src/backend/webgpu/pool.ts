/**
 * A caching allocator of GPU buffers, by size class: creating and destroying a buffer per op costs
 * far more than the op on a GPU, so a released buffer waits in its class's free list for the next
 * request that rounds to the same size. Classes are powers of two up to 1 MiB and quarter steps
 * between powers of two above (at most 25% waste where a model's large tensors live).
 *
 * Reuse is safe without fences: every write to a buffer (a kernel, queue.writeBuffer) goes through
 * the one queue, which runs them in submission order, so a buffer released right after the submit
 * that reads it is only overwritten after that read.
 *
 * Running out: past the pool's own limit, acquire throws OutOfMemoryError at once. The device's own
 * out-of-memory arrives later (WebGPU hands back an invalid buffer and reports the error to an
 * error scope asynchronously): every buffer is created inside an "out-of-memory" scope, and a
 * failure becomes the same OutOfMemoryError, thrown by the next acquire or by `settle()` (which the
 * context's reads await); the invalid buffer is destroyed when released, never cached.
 */
import { OutOfMemoryError } from "../../errors.js";
import type { MemoryStats } from "../backend.js";
import { BufferUsage, type GpuBuffer, type GpuDevice } from "./gpu-types.js";
import type { GpuDType } from "./wgsl-types.js";

/** The smallest buffer handed out (WebGPU binds storage at 256-byte offsets anyway). */
const MIN_CLASS = 256;
const POWER_OF_TWO_UP_TO = 1 << 20;

/** The size class a request of `bytes` rounds up to. */
export function sizeClass(bytes: number): number {
  if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`webgpu pool: bytes must be a non-negative integer, got ${bytes}`);
  if (bytes <= MIN_CLASS) return MIN_CLASS;
  const power = 2 ** Math.ceil(Math.log2(bytes));
  if (power <= POWER_OF_TWO_UP_TO) return power;
  const quarter = power / 8; // steps of a quarter of the power of two below
  return Math.ceil(bytes / quarter) * quarter;
}

/** A GPU buffer handed out by the pool, holding `length` elements of 4 bytes. */
export interface GpuArray {
  readonly buffer: GpuBuffer;
  readonly length: number;
  /** The buffer's size class in bytes (≥ length · 4). */
  readonly bytes: number;
  /** What the elements are, as a typed array's class says it on the CPU (bool stored as u32). */
  readonly dtype: GpuDType;
}

const USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

export class BufferPool {
  private readonly free = new Map<number, GpuBuffer[]>();
  private allocated = 0;
  private cached = 0;
  private peak = 0;
  private count = 0;
  private limit: number;
  /** The device's out-of-memory for a buffer created earlier, not yet thrown. */
  private deviceFailure: OutOfMemoryError | null = null;
  /** Error scopes of created buffers whose verdict has not arrived, each with what to do with it. */
  private readonly pending = new Map<Promise<{ readonly message: string } | null>, (error: { readonly message: string } | null) => void>();
  /** Buffers the device failed to allocate. */
  private readonly invalid = new WeakSet<GpuBuffer>();

  constructor(
    private readonly device: GpuDevice,
    limit = Number.POSITIVE_INFINITY,
    /** Runs before cached buffers are destroyed: work recorded but not submitted may still use them. */
    private readonly beforeDestroy: () => void = () => {},
  ) {
    this.limit = limit;
  }

  /** A buffer of at least `length` elements of `dtype`; its contents are whatever it held before. */
  acquire(length: number, op = "alloc", dtype: GpuDType = "float32"): GpuArray {
    this.throwDeviceFailure();
    const requested = Math.max(1, length) * 4;
    const bytes = sizeClass(requested);
    const list = this.free.get(bytes);
    let buffer = list?.pop();
    if (buffer !== undefined) {
      this.cached -= bytes;
    } else {
      if (this.allocated + this.cached + bytes > this.limit) this.emptyCache();
      if (this.allocated + bytes > this.limit) {
        // the size asked for, as the CPU's error and PyTorch's CUDA allocator name it (not its size class)
        throw new OutOfMemoryError(op, requested, { live: this.allocated, cached: this.cached, limit: this.limit }, "in the WebGPU buffer pool");
      }
      if (bytes > this.device.limits.maxStorageBufferBindingSize) {
        throw new OutOfMemoryError(op, requested, { live: this.allocated, cached: this.cached, limit: this.device.limits.maxStorageBufferBindingSize }, "past the device's largest storage binding");
      }
      buffer = this.create(bytes, op);
    }
    this.allocated += bytes;
    this.count++;
    this.peak = Math.max(this.peak, this.allocated);
    return { buffer, length, bytes, dtype };
  }

  /** A new buffer, its allocation checked by an "out-of-memory" error scope. */
  private create(bytes: number, op: string): GpuBuffer {
    const scoped = typeof this.device.pushErrorScope === "function";
    if (scoped) this.device.pushErrorScope("out-of-memory");
    const buffer = this.device.createBuffer({ size: bytes, usage: USAGE });
    if (!scoped) return buffer;
    const held = { live: this.allocated, cached: this.cached, limit: this.limit };
    const scope = this.device.popErrorScope();
    // taken once, from the promise or from a synchronous read's reply (settleSync), whichever comes first
    const verdict = (error: { readonly message: string } | null): void => {
      if (!this.pending.delete(scope) || error === null) return;
      this.invalid.add(buffer);
      this.deviceFailure ??= new OutOfMemoryError(op, bytes, held, `the WebGPU device is out of memory (${error.message})`);
    };
    this.pending.set(scope, verdict);
    scope.then(verdict, () => this.pending.delete(scope));
    return buffer;
  }

  /** Waits for the device's verdict on every buffer created so far; throws OutOfMemoryError where one failed. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) {
      const waiting = [...this.pending];
      const errors = await Promise.all(waiting.map(([scope]) => scope.catch(() => null)));
      waiting.forEach(([, verdict], i) => verdict(errors[i]!));
    }
    this.throwDeviceFailure();
  }

  /**
   * settle() without waiting, for a synchronous read: `now` says what a scope resolved to, where it
   * has (a worker-owned device's read brings every verdict asked before it).
   */
  settleSync(now: (scope: Promise<{ readonly message: string } | null>) => { readonly value: { readonly message: string } | null } | null): void {
    for (const [scope, verdict] of [...this.pending]) {
      const settled = now(scope);
      if (settled !== null) verdict(settled.value);
    }
    this.throwDeviceFailure();
  }

  private throwDeviceFailure(): void {
    const failure = this.deviceFailure;
    if (failure === null) return;
    this.deviceFailure = null;
    throw failure;
  }

  /** Takes a buffer back for reuse; nothing may use `array` afterwards. */
  release(array: GpuArray): void {
    if (this.invalid.has(array.buffer)) {
      array.buffer.destroy();
      this.allocated -= array.bytes;
      this.count--;
      return;
    }
    let list = this.free.get(array.bytes);
    if (list === undefined) this.free.set(array.bytes, (list = []));
    list.push(array.buffer);
    this.allocated -= array.bytes;
    this.cached += array.bytes;
    this.count--;
  }

  /** Destroys every cached buffer (the live ones stay). */
  emptyCache(): void {
    this.beforeDestroy();
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.cached = 0;
  }

  setLimit(bytes: number | null): void {
    this.limit = bytes ?? Number.POSITIVE_INFINITY;
  }

  resetPeak(): void {
    this.peak = this.allocated;
  }

  stats(): MemoryStats {
    return {
      allocated: this.allocated,
      cached: this.cached,
      reserved: this.allocated + this.cached,
      peak: this.peak,
      count: this.count,
      limit: this.limit,
      collections: 0,
    };
  }
}
