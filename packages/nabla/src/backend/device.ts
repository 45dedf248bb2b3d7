/**
 * Devices: where a tensor's storage lives. "cpu" storage is a typed array run by the CPU backend
 * (`backend()`: wasm or js); "webgpu" storage is a GPU buffer run by the WebGPU kernel layer
 * (src/backend/webgpu). Every op runs on the device of its tensor operands, which must agree
 * (PyTorch's rule), with the allowances of `kernelDevice` (a 0-d CPU tensor joins, a float64 CPU
 * tensor pulls a pointwise op to the CPU) and of tensor/transfer.ts's `indexOn` (an index operand
 * follows its data's device) and `valueFor` (copy_ copies across devices); `setBackend("webgpu")`
 * only makes it the default device of new tensors made by the creation functions (tensor, zeros,
 * randn, …), as PyTorch's set_default_device.
 *
 * The WebGPU device starts asynchronously (`await setBackend("webgpu")` or `await
 * ready("webgpu")`): WebGPU hands out adapters and devices through promises only. The kernel
 * layer is imported then, so a program that never asks loads none of it.
 */
import type { WebGpuContext } from "./webgpu/context.js";

export type Device = "cpu" | "webgpu";

export function isDevice(value: unknown): value is Device {
  return value === "cpu" || value === "webgpu";
}

let defaultDev: Device = "cpu";
let context: WebGpuContext | null = null;
let starting: Promise<WebGpuContext> | null = null;
/** Why the last start failed, for the error of an op that ran without a device. */
let startFailure: string | null = null;

/** The device new tensors are made on (the creation functions' default). */
export function defaultDevice(): Device {
  return defaultDev;
}

/** Makes `device` the default of the creation functions (webgpu: once started, or being started). */
export function setDefaultDevice(device: Device): void {
  defaultDev = device;
}

/** Starts the WebGPU device (once; later calls share the first start). */
export function startWebGpu(): Promise<WebGpuContext> {
  if (context !== null) return Promise.resolve(context);
  starting ??= import("./webgpu/context.js")
    .then(({ WebGpuContext }) => WebGpuContext.create())
    .then((c) => {
      startFailure = null;
      return (context = c);
    })
    .catch((e: unknown) => {
      starting = null;
      startFailure = (e as Error).message;
      throw e;
    });
  return starting;
}

/** The started WebGPU context, or an error naming `op` that says how to start it. */
export function webgpuContext(op: string): WebGpuContext {
  if (context !== null) return context;
  throw new Error(
    `${op}: the webgpu device is not started yet: \`await setBackend("webgpu")\` or \`await ready("webgpu")\` once before the first op on it ` +
      "(WebGPU hands out its device asynchronously)" +
      (startFailure === null ? "" : `; the last start failed: ${startFailure}`),
  );
}

/**
 * The WebGPU buffer pool's limit in bytes for a device not started yet (`memory.setLimit(bytes,
 * "webgpu")` before `ready("webgpu")`): the pool starts with it. Infinity: no limit.
 */
let webgpuLimitAtStart = Number.POSITIVE_INFINITY;

/** The limit the WebGPU pool starts with (context.ts). */
export function webgpuStartLimit(): number {
  return webgpuLimitAtStart;
}

/** Sets the limit of the WebGPU pool: the started pool's, or the one it will start with. */
export function setWebGpuLimit(bytes: number | null): void {
  webgpuLimitAtStart = bytes ?? Number.POSITIVE_INFINITY;
  context?.pool.setLimit(bytes);
}

/** The WebGPU context if started, else null (for counters and tests). */
export function startedWebGpu(): WebGpuContext | null {
  return context;
}

/** Copies of tensor data between host and WebGPU device so far (zero before the device starts). */
export function deviceTransfers(): { toDevice: number; toHost: number } {
  return context === null ? { toDevice: 0, toHost: 0 } : { ...context.transfers };
}

/** Synchronous reads of a result's size from the WebGPU device so far (nonzero's count, unique's groups …; context.ts's `sizeReads`). */
export function deviceSizeReads(): number {
  return context === null ? 0 : context.sizeReads;
}

/**
 * The one device of an op's tensor operands, or PyTorch's error naming two of them. Called on
 * every op's operands: a loop of property reads, nothing allocated.
 */
export function sameDevice(op: string, tensors: readonly { readonly storage: { readonly device: Device } }[]): Device {
  const first = tensors.length === 0 ? "cpu" : tensors[0]!.storage.device;
  for (let i = 1; i < tensors.length; i++) {
    const d = tensors[i]!.storage.device;
    if (d !== first) throw deviceMismatch(op, first, d);
  }
  return first;
}

interface Operand {
  readonly storage: { readonly device: Device };
  readonly shape: readonly number[];
  readonly dtype: string;
}

/**
 * The device a kernel runs on for operands that may sit on two: PyTorch's rule (one device, else
 * its error) with two allowances. A float64 CPU tensor, 0-d or not, pulls the op to the CPU:
 * float64 tensors stay on the CPU when webgpu is only the default device (WGSL has no f64), and
 * the result is float64, which the device could not hold (a float64 module's `where(mask, -inf
 * as float64, 0)` with the mask made on the device). Otherwise a 0-d CPU tensor joins a webgpu
 * op, as PyTorch's CPU scalars join CUDA ops. The caller moves the other operands there
 * (`operandOn`, counted as transfers).
 */
export function kernelDevice(op: string, tensors: readonly Operand[]): Device {
  const first = tensors.length === 0 ? "cpu" : tensors[0]!.storage.device;
  let mixed = false;
  for (let i = 1; i < tensors.length; i++) mixed ||= tensors[i]!.storage.device !== first;
  if (!mixed) return first;
  const onCpu = tensors.filter((t) => t.storage.device === "cpu");
  if (onCpu.some((t) => t.dtype === "float64")) return "cpu";
  if (onCpu.every((t) => t.shape.length === 0)) return "webgpu";
  throw deviceMismatch(op, "webgpu", "cpu");
}

/** Two tensors (`a`'s and `b`'s devices) that must be on one device. */
export function checkSameDevice(op: string, a: { readonly storage: { readonly device: Device } }, b: { readonly storage: { readonly device: Device } }): Device {
  if (a.storage.device !== b.storage.device) throw deviceMismatch(op, a.storage.device, b.storage.device);
  return a.storage.device;
}

function deviceMismatch(op: string, a: Device, b: Device): Error {
  // PyTorch names the non-CPU device first
  const [x, y] = a === "cpu" ? [b, a] : [a, b];
  return new Error(`${op}: Expected all tensors to be on the same device, but found at least two devices, ${x} and ${y}!`);
}

/** An op (or a dtype of it) that has no WebGPU kernel yet: says so, and how to run it on the CPU. */
export function noGpuKernel(op: string, detail = ""): Error {
  return new Error(
    `${op}: no webgpu kernel yet${detail ? ` ${detail}` : ""} (issue 13). Run it on the CPU: \`const c = await t.toAsync("cpu")\`, ` +
      `then move the result back with \`.to("webgpu")\``,
  );
}

