/**
 * `memory`: what the library's heap holds, and the few knobs over it.
 *
 * Storage lives in the WebAssembly heap (tensors of 1,024 elements or more; smaller ones and bools
 * are plain typed arrays that the garbage collector manages by itself). The library frees what it
 * knows is dead (ownership.ts); tensors a user dropped go back when the collector finalizes them.
 * `t.free()` and `using t = …` free one now; a forced collection is the fallback (collection.ts).
 */
import { backend, type BackendMemory, type MemoryStats } from "../backend/backend.js";
import { isDevice, setWebGpuLimit, startedWebGpu, webgpuStartLimit, type Device } from "../backend/device.js";
import { OptionError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { collectNow, setCollection, type CollectionMode } from "./collection.js";
import { keepStorage, owned } from "./ownership.js";

export type { MemoryStats, CollectionMode };

const NONE: MemoryStats = { allocated: 0, cached: 0, reserved: 0, peak: 0, count: 0, limit: 0, collections: 0 };

/** The memory of a device: the CPU backend's heap, or the WebGPU device's buffer pool once started. */
function memoryOf(op: string, device: unknown): BackendMemory | undefined {
  if (!isDevice(device)) throw new OptionError(`memory.${op}: device must be "cpu" or "webgpu", got ${String(device)}`);
  return device === "cpu" ? backend().memory : startedWebGpu()?.pool;
}

/**
 * A device's memory counters, as torch.cuda.memory_stats(device): the CPU backend's heap (all
 * zero on the plain-JS backend, whose arrays are the collector's), or the WebGPU buffer pool
 * (all zero before the device starts, but for the limit it will start with: Infinity unless set).
 */
export function stats(device: Device = "cpu"): MemoryStats {
  const memory = memoryOf("stats", device);
  if (memory !== undefined) return memory.stats();
  return device === "webgpu" ? { ...NONE, limit: webgpuStartLimit() } : NONE;
}

/** Starts a device's peak tracking afresh from what is allocated now. */
export function resetPeak(device: Device = "cpu"): void {
  memoryOf("resetPeak", device)?.resetPeak();
}

/**
 * Caps a device's memory at `bytes`: a request past it (after freed blocks are reused and, if
 * enabled, a forced collection) throws OutOfMemoryError naming the op. null lifts the cap; without
 * one, on the CPU wasm32's 4 GiB is the ceiling and storage past it goes to the JS heap.
 */
export function setLimit(bytes: number | null, device: Device = "cpu"): void {
  if (bytes !== null && (typeof bytes !== "number" || !Number.isFinite(bytes) || bytes <= 0)) {
    throw new OptionError(`memory.setLimit: bytes must be a positive number or null, got ${String(bytes)}`);
  }
  if (device === "webgpu") setWebGpuLimit(bytes); // before the device starts, the limit it starts with
  else memoryOf("setLimit", device)?.setLimit(bytes);
}

/** Marks tensors as the user's: the library never frees their storage (for tensors a module's forward stashes somewhere other than its own fields). */
export function keep<T extends Tensor | readonly Tensor[]>(tensors: T): T {
  for (const t of Array.isArray(tensors) ? tensors : [tensors as Tensor]) keepStorage(t.storage);
  return tensors;
}

/**
 * Runs `fn` and frees, when it returns, the storage it made that its result does not hold (the
 * result may be a tensor, or arrays and plain objects of them): TF.js's `tf.tidy`, for loops of
 * plain tensor ops outside any module, whose intermediates would otherwise wait for the garbage
 * collector. Modules' forwards, backward, optimizer steps and `F.*` calls do this by themselves.
 * A tensor made inside and stashed elsewhere (an outer variable) is freed too: keep it with
 * `memory.keep(t)`, or return it. A function that throws or returns a promise frees nothing.
 *
 * @example
 * ```ts
 * import { memory, randn } from "nabla";
 * const x = randn([2000]);
 * const y = randn([2000]);
 * for (let i = 0; i < 1000; i++) {
 *   const err = memory.scope(() => x.sub(y).pow(2).mean()); // x − y and its square are freed here
 *   if (i % 100 === 0) console.log(err.item());
 * }
 * ```
 */
export function scope<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new TypeError(`memory.scope: fn must be a function, got ${fn === null ? "null" : typeof fn}`);
  return owned(fn);
}

/** Runs a full garbage collection and the finalizers it makes due, where the engine allows it; false where it cannot. */
export function collect(): boolean {
  return collectNow();
}

export { setCollection };

const MiB = 1024 * 1024;
const fmt = (bytes: number): string => (bytes === Infinity ? "none" : bytes >= 1024 * MiB ? `${(bytes / 1024 / MiB).toFixed(2)} GiB` : `${(bytes / MiB).toFixed(1)} MiB`);

/** A table of a device's memory counters, like torch.cuda.memory_summary(device). */
export function summary(device: Device = "cpu"): string {
  const s = stats(device);
  const rows: [string, string][] = [
    ["Allocated memory", fmt(s.allocated)],
    ["Peak allocated", fmt(s.peak)],
    ["Cached (free, reusable)", fmt(s.cached)],
    ["Reserved (heap span)", fmt(s.reserved)],
    ["Live blocks", String(s.count)],
    ["Limit", fmt(s.limit)],
    ["Forced collections", String(s.collections)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const valueWidth = Math.max(...rows.map(([, v]) => v.length));
  const line = "=".repeat(width + valueWidth + 5);
  return [
    line,
    `  nabla memory summary (${device === "cpu" ? `${backend().name} backend` : "webgpu buffer pool"})`,
    line,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)} ${v.padStart(valueWidth)}`),
    line,
  ].join("\n");
}
