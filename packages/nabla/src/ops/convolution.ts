/**
 * The three differentiable convolution ops, each one backend kernel (src/backend/convolution.ts
 * has the geometry and formula), whose gradients are the other two:
 *
 *   y  = conv(x, W)          dx = convInput(gy, W)     dW = convWeight(x, gy)
 *   gx = convInput(gy, W)    d(gy) = conv(g, W)        dW = convWeight(g, gy)
 *   gW = convWeight(x, gy)   dx = convInput(gy, g)     d(gy) = conv(x, g)
 *
 * (all three are bilinear, and ⟨g, convInput(gy, W)⟩ = ⟨conv(g, W), gy⟩ = ⟨W, convWeight(g, gy)⟩),
 * so gradients of any order work and no op ever unfolds the whole batch.
 */
import { backend } from "../backend/backend.js";
import { noGpuKernel, sameDevice, webgpuContext } from "../backend/device.js";
import type { Conv2dGeometry } from "../backend/convolution.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { gpuViewOf, resultTensor, viewOf } from "./helpers.js";
import { sum } from "./reduce.js";

function sameDtype(name: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) throw new DTypeError(`${name}: expected input and weight of the same dtype, got ${a.dtype} and ${b.dtype}`);
  if (a.dtype !== "float32" && a.dtype !== "float64") throw new DTypeError(`${name}: expected a floating dtype, got ${a.dtype}`);
}

/** The one device of the operands; on the webgpu device, the context (its kernels take float32). */
function placed(name: string, operands: readonly Tensor[]) {
  const device = sameDevice(name, operands);
  if (device === "cpu") return { device, gpu: null };
  if (operands[0]!.dtype !== "float32") throw noGpuKernel(name, `for ${operands[0]!.dtype}`);
  return { device, gpu: webgpuContext(name) };
}

/** y [N, O, oH, oW] from x [N, C, H, W], weight [O, C/groups, kH, kW] and bias [O] (added in the kernel; its gradient is gy summed over N, oH, oW: biasGradient). */
export function convolution(x: Tensor, weight: Tensor, bias: Tensor | null, g: Conv2dGeometry, name = "conv2d"): Tensor {
  sameDtype(name, x, weight);
  if (bias !== null) sameDtype(name, x, bias);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  const { device, gpu } = placed(name, inputs);
  const y = resultTensor([g.n, g.o, g.oh, g.ow], x.dtype, name, device);
  if (gpu === null) backend().conv2d(g, viewOf(x), viewOf(weight), bias === null ? null : viewOf(bias), y.storage.data);
  else gpu.conv2d(g, gpuViewOf(x), gpuViewOf(weight), bias === null ? null : gpuViewOf(bias), y.storage.gpu);
  return recordOp("ConvolutionBackward0", y, inputs, (gy) => [
    x.requiresGrad ? convolutionInput(gy, weight, g) : null,
    weight.requiresGrad ? convolutionWeight(x, gy, g) : null,
    bias !== null && bias.requiresGrad ? biasGradient(gy) : null,
  ], [x, weight]);
}

/**
 * The bias's gradient: gy [N, O, oH, oW] summed over N, oH and oW, the trailing dims first. A
 * contiguous gy reduces over them in place, leaving [N, O] to sum over N; summing [0, 2, 3] at
 * once would first copy all of gy into reduction order.
 */
function biasGradient(gy: Tensor): Tensor {
  return sum(sum(gy, [2, 3]), 0);
}

/** x's gradient [N, C, H, W] from y's gradient gy: the transposed convolution. */
export function convolutionInput(gy: Tensor, weight: Tensor, g: Conv2dGeometry, name = "conv2d"): Tensor {
  sameDtype(name, gy, weight);
  const { device, gpu } = placed(name, [gy, weight]);
  const gx = resultTensor([g.n, g.c, g.h, g.w], gy.dtype, name, device);
  if (gpu === null) backend().conv2dInput(g, viewOf(gy), viewOf(weight), gx.storage.data);
  else gpu.conv2dInput(g, gpuViewOf(gy), gpuViewOf(weight), gx.storage.gpu);
  return recordOp("ConvolutionBackwardInput0", gx, [gy, weight], (gg) => [
    gy.requiresGrad ? convolution(gg, weight, null, g) : null,
    weight.requiresGrad ? convolutionWeight(gg, gy, g) : null,
  ], [gy, weight]);
}

/** The weight's gradient [O, C/groups, kH, kW] from x and y's gradient gy. */
export function convolutionWeight(x: Tensor, gy: Tensor, g: Conv2dGeometry, name = "conv2d"): Tensor {
  sameDtype(name, x, gy);
  const { device, gpu } = placed(name, [x, gy]);
  const gw = resultTensor([g.o, g.c / g.groups, g.kh, g.kw], x.dtype, name, device);
  if (gpu === null) backend().conv2dWeight(g, viewOf(x), viewOf(gy), gw.storage.data);
  else gpu.conv2dWeight(g, gpuViewOf(x), gpuViewOf(gy), gw.storage.gpu);
  return recordOp("ConvolutionBackwardWeight0", gw, [x, gy], (gg) => [
    x.requiresGrad ? convolutionInput(gy, gg, g) : null,
    gy.requiresGrad ? convolution(x, gg, null, g) : null,
  ], [x, gy]);
}
