/**
 * Random draws made on the webgpu device (wgsl-philox.ts): Philox4x32-10 keyed by two words of the
 * host generator, as PyTorch's CUDA backend draws (not its CPU's numbers: docs/PARITY.md). Nothing
 * crosses between host and device: the key travels in the kernel's arguments.
 */
import { webgpuContext, type Device } from "../backend/device.js";
import { deviceRandom, type PhiloxKind } from "../backend/webgpu/wgsl-philox.js";
import { deviceSeed } from "../backend/webgpu/wgsl-random.js";
import type { Generator } from "../tensor/random.js";
import type { DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { resultTensor } from "./helpers.js";

/** Whether draws for a float32 tensor on `device` are made there (a webgpu device, deviceRandom on). */
export function drawsOnDevice(device: Device, dtype: DType): boolean {
  return device !== "cpu" && dtype === "float32" && deviceRandom.enabled;
}

/**
 * A new contiguous float32 tensor of `shape` on `device` filled by `kind` with parameters a, b
 * (uniform's [a, b); normal's mean a and standard deviation b; dropout's keep probability a and
 * scale b), its key the generator's next two words.
 */
export function drawOnDevice(op: string, shape: readonly number[], device: Device, kind: PhiloxKind, a: number, b: number, generator: Generator): Tensor {
  const out = resultTensor(shape, "float32", op, device);
  const key = deviceSeed(() => generator.nextUint32());
  webgpuContext(op).philox(kind, out.storage.gpu, out.numel(), key, [0, 0, 0, 0], a, b);
  return out;
}
