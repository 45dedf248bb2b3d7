/**
 * The WebGPU kernel layer (issue 13's first slice): a device, its buffer pool and every float32
 * kernel of the Backend interface in WGSL, over GPU buffers. The webgpu device (src/backend/device.ts)
 * runs tensors on it: storage on the GPU, the op layer choosing these kernels by the operands'
 * device (docs/webgpu.md). Importing this module loads nothing: the device (and, in Node, the
 * optional package `webgpu`) comes with `await WebGpuContext.create()`.
 */
export { WebGpuContext, mergeDims, type GpuAdamStepArgs, type GpuArray, type GpuMatmulArgs, type GpuSgdStepArgs, type GpuStridedView } from "./context.js";
export { acquireDevice, type AcquiredDevice, type DeviceOptions } from "./device.js";
export { BufferPool, sizeClass } from "./pool.js";
export { pointwiseShader } from "./wgsl-pointwise.js";
