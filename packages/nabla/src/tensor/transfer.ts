/**
 * Moving tensors between devices and reading values back from the GPU. Moving to the webgpu
 * device is synchronous (the upload is queued); reading back is asynchronous (WebGPU maps a
 * buffer for reading through a promise), so `await t.dataAsync()`, `await t.itemAsync()` and `await
 * t.toAsync("cpu")` are the contract on every device. Each copy is counted in the device's
 * transfer counters (deviceTransfers()), so a test can see what crosses.
 */
import { isGradEnabled } from "../autograd/grad-mode.js";
import { webgpuContext, type Device } from "../backend/device.js";
import type { GpuArray } from "../backend/webgpu/pool.js";
import { toDType } from "../ops/elementwise.js";
import { fromTypedArray } from "../ops/helpers.js";
import { clone } from "../ops/shape.js";
import type { TypedArray } from "./dtype.js";
import { contiguousStrides } from "./shape.js";
import { Storage } from "./storage.js";
import { Tensor } from "./tensor.js";

/**
 * An op's operand on the device its kernel runs on (`kernelDevice`): itself, or a copy of its
 * values there made outside autograd (the op records its graph on the operands themselves). A
 * float64 operand never goes to the webgpu device this way: it pulls the op to the CPU.
 */
export function operandOn(t: Tensor, device: Device): Tensor {
  if (t.storage.device === device) return t;
  return toDevice(t.detach(), device);
}

/** `operandOn` over an op's operands: the same array when all are there already (the hot path, nothing allocated). */
export function operandsOn(tensors: readonly Tensor[], device: Device): readonly Tensor[] {
  for (let i = 0; i < tensors.length; i++) {
    if (tensors[i]!.storage.device !== device) return tensors.map((t) => operandOn(t, device));
  }
  return tensors;
}

/**
 * An index-like operand of `op` (class targets; gather, scatter and index_select indices; the
 * index tensors of advanced indexing) on `device`, the device of the data it picks from: the op
 * runs where its data is, and an index on the other device moves there (PyTorch's
 * same-device rule, with this allowance). An index is not differentiable, so nothing is lost by
 * the copy; and with webgpu the default device an int32 index is made there while float64 data
 * stays on the CPU (WGSL has no f64), so the rule keeps float64 gathers and losses working.
 * Moving up is one counted upload; moving back reads the values the index was uploaded from
 * when unchanged since (nothing crosses), else reads it back synchronously (counted; refused
 * where this thread cannot wait for the device, naming the asynchronous move).
 */
export function indexOn(op: string, index: Tensor, device: Device): Tensor {
  if (index.storage.device === device) return index;
  if (device !== "cpu") return toDevice(index.detach(), device);
  const mirror = index.storage.hostMirror();
  const values =
    mirror !== null && index.isContiguous()
      ? mirror.subarray(index.offset, index.offset + index.numel())
      : readValuesSync(index, op, 'await index.toAsync("cpu")');
  return fromTypedArray(values, index.shape, index.dtype);
}

/**
 * The value an in-place op `op` (copy_, add_, …) writes into `dst`, on dst's device: PyTorch's
 * copy_ copies across devices. Itself when there; else converted to dst's dtype where it is (a
 * float64 CPU value goes up as the float32 the device stores) and moved: one counted upload, or
 * one counted synchronous read back (refused where this thread cannot wait for the device,
 * naming the asynchronous move).
 */
export function valueFor(op: string, src: Tensor, dst: Tensor): Tensor {
  const device = dst.storage.device;
  if (src.storage.device === device) return src;
  const values = src.detach();
  if (device !== "cpu") return toDevice(values.dtype === dst.dtype ? values : toDType(values, dst.dtype), device);
  return fromTypedArray(readValuesSync(values, op, 'await src.toAsync("cpu")'), values.shape, values.dtype);
}

/** `t` on `device`: itself if already there, else a copy (host → webgpu; the reverse is toDeviceAsync). */
export function toDevice(t: Tensor, device: Device): Tensor {
  if (t.storage.device === device) return t;
  checkNoGraph(t, device);
  if (device === "cpu") return fromTypedArray(readValuesSync(t, 'to("cpu")', 'await t.toAsync("cpu")'), t.shape, t.dtype);
  if (t.dtype === "float64") {
    throw new Error('to("webgpu"): float64 tensors cannot live on the webgpu device (WGSL has no f64): convert first with t.float()');
  }
  // float32, int32 or bool (a Uint8Array, stored as u32 on the device)
  const host = t.toTypedArray() as Float32Array | Int32Array | Uint8Array;
  const array = webgpuContext('to("webgpu")').upload(host, 'to("webgpu")');
  return new Tensor(Storage.onGpu(array, t.dtype, host), t.shape.slice(), contiguousStrides(t.shape), 0);
}

/** `t` on `device`, from any device (reading back from the GPU is why it is asynchronous). */
export async function toDeviceAsync(t: Tensor, device: Device): Promise<Tensor> {
  if (t.storage.device === device || device !== "cpu") return toDevice(t, device);
  checkNoGraph(t, device);
  return fromTypedArray(await readValues(t), t.shape, t.dtype);
}

/** The values of `t` in row-major order, as toTypedArray, from any device. */
export async function readValues(t: Tensor): Promise<TypedArray> {
  if (t.storage.device === "cpu") return t.toTypedArray();
  const gpu = webgpuContext("data");
  // the kernels' buffers start at element 0: a view elsewhere is copied first
  const c = t.isContiguous() && t.offset === 0 ? t : clone(t.detach());
  const array: GpuArray = c.storage.gpu;
  return (await gpu.readTyped(array)).subarray(0, t.numel());
}

/**
 * The values of `t` in row-major order, read now from any device: on the webgpu device through
 * the worker that owns it, this thread blocking until they arrive (counted as a transfer). Where
 * that cannot be (the device runs on this thread, or the thread may not block: a browser's main
 * thread), throws an error naming `op` and `instead`, the asynchronous form.
 */
export function readValuesSync(t: Tensor, op: string, instead: string): TypedArray {
  if (t.storage.device === "cpu") return t.toTypedArray();
  const gpu = webgpuContext(op);
  const refusal = gpu.syncReadRefusal();
  if (refusal !== null) throw syncReadError(op, instead, refusal);
  const c = t.isContiguous() && t.offset === 0 ? t : clone(t.detach());
  return gpu.readTypedSync(c.storage.gpu).subarray(0, t.numel());
}

/** Why `op` cannot read webgpu data synchronously here, or null where it can (then readValuesSync works). */
export function syncReadRefusal(op: string): string | null {
  return webgpuContext(op).syncReadRefusal();
}

/** A synchronous read of GPU storage that cannot be: names the asynchronous one, and why. */
export function syncReadError(op: string, instead: string, why: string): Error {
  return new Error(`${op}: this tensor lives on the webgpu device, which cannot be read synchronously here (${why}): use \`${instead}\``);
}

/**
 * A move across devices is not recorded in the graph (its backward would read the GPU back
 * synchronously): refused where a gradient would have to flow through it.
 */
function checkNoGraph(t: Tensor, device: Device): void {
  if (isGradEnabled() && t.requiresGrad) {
    throw new Error(
      `to("${device}"): moving a tensor that requires grad across devices is not recorded by autograd yet; ` +
        `move the data and ask for gradients there: t.detach().to("${device}").requiresGrad_(), or module.to("${device}") for parameters`,
    );
  }
}
