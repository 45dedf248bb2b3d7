/**
 * How many steps a training-run test takes. The CPU projects run each in full; the `webgpu`
 * project runs the same checks over fewer steps: on SwiftShader (a CPU emulating the GPU) a step
 * of a small model costs tens to hundreds of times its CPU cost, most of it per kernel, and the
 * later steps run the same kernels as the first ones. What the test asserts does not change, only
 * how far: the losses of the first `webgpu` steps instead of all of them, a resume at a nearer step.
 * The examples' fixtures hold PyTorch's losses of every step, so a prefix is checked exactly as the whole.
 */
import { getBackend } from "../packages/nabla/src/index.js";

/** `cpu` steps, or `webgpu` where the default device is the WebGPU one. */
export function steps(cpu: number, webgpu: number): number {
  if (webgpu > cpu) throw new RangeError(`steps: the webgpu count (${webgpu}) must not exceed the CPU one (${cpu})`);
  return getBackend() === "webgpu" ? webgpu : cpu;
}
