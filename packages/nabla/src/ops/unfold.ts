/**
 * Sliding windows for pooling and F.unfold/F.fold: `pad`, `unfold2d` (im2col as a strided view
 * that copies nothing) and `fold2d` (its adjoint, col2im, which sums overlapping windows back).
 * Convolutions do not use them: their kernels (src/ops/convolution.ts) unfold a block of samples
 * at a time into scratch, the padding read as zeros.
 *
 * For x of shape [N, C, H, W] with kernel (kH, kW), stride (sH, sW) and dilation (dH, dW),
 *   unfold2d(x)[n, c, i, j, oh, ow] = x[n, c, oh·sH + i·dH, ow·sW + j·dW]
 * which is a view: strides [s0, s1, s2·dH, s3·dW, s2·sH, s3·sW]. Its gradient is fold2d, and
 * fold2d's gradient is unfold2d, so double backward works too.
 */
import { noGpuKernel, webgpuContext } from "../backend/device.js";
import { backend } from "../backend/backend.js";
import { recordOp } from "../autograd/node.js";
import { formatShape, OptionError, ShapeError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { emptyTensor, gpuViewOf, scalarTensor } from "./helpers.js";
import { assignInto, narrow } from "./shape.js";

/** (height, width) sizes; arrays of two numbers. */
export type Pair = readonly number[];

/** Output length of a window of `kernel` taps spaced `dilation` apart sliding by `stride` over `size`. */
export function windowCount(size: number, kernel: number, stride: number, dilation: number): number {
  return Math.floor((size - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * Constant padding of the last dims, PyTorch's F.pad order: [left, right] of the last dim, then
 * [top, bottom] of the one before, …. The gradient is the slice of the incoming gradient that
 * covers the original input.
 */
export function pad(x: Tensor, pads: readonly number[], value = 0): Tensor {
  if (pads.length % 2 !== 0 || pads.length / 2 > x.ndim) {
    throw new ShapeError(`pad: padding length must be even and at most 2·ndim (${2 * x.ndim}), got ${pads.length} for input ${formatShape(x.shape)}`);
  }
  if (pads.some((p) => !Number.isInteger(p) || p < 0)) throw new OptionError(`pad: paddings must be non-negative integers, got ${formatShape(pads)}`);
  if (pads.every((p) => p === 0)) return x;
  const shape = x.shape.slice();
  const dims: number[] = [];
  for (let i = 0; i < pads.length / 2; i++) {
    const d = x.ndim - 1 - i;
    dims.push(d);
    shape[d] = shape[d]! + pads[2 * i]! + pads[2 * i + 1]!;
  }
  const out = emptyTensor(shape, x.dtype, "pad", x.storage.device);
  if (value !== 0) assignInto(out, scalarTensor(value, x.dtype, x.storage.device));
  const inner = (t: Tensor) => dims.reduce((v, d, i) => narrow(v, d, pads[2 * i]!, x.shape[d]!), t);
  assignInto(inner(out), x);
  return recordOp("ConstantPadNdBackward0", out, [x], (g) => [inner(g)]);
}

/** The im2col view [N, C, kH, kW, oH, oW] of a 4-D tensor (no copy). */
export function unfold2d(x: Tensor, kernel: Pair, stride: Pair, dilation: Pair): Tensor {
  if (x.ndim !== 4) throw new ShapeError(`unfold2d: expected a 4-D input [N, C, H, W], got ${formatShape(x.shape)}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [kh, kw] = pairOf(kernel);
  const [sh, sw] = pairOf(stride);
  const [dh, dw] = pairOf(dilation);
  const oh = windowCount(h, kh, sh, dh);
  const ow = windowCount(w, kw, sw, dw);
  if (oh <= 0 || ow <= 0) {
    throw new ShapeError(
      `unfold2d: input ${formatShape(x.shape)} is smaller than the (dilated) kernel ${formatShape(kernel)} with dilation ${formatShape(dilation)}`,
    );
  }
  const [s0, s1, s2, s3] = x.strides as [number, number, number, number];
  const out = new Tensor(x.storage, [n, c, kh, kw, oh, ow], [s0, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw], x.offset);
  return recordOp("Im2ColBackward0", out, [x], (g) => [fold2d(g, [h, w], stride, dilation)]);
}

/** A (height, width) pair's two numbers. */
function pairOf(pair: Pair): [number, number] {
  if (pair.length !== 2) throw new ShapeError(`unfold2d: expected a (height, width) pair, got ${formatShape(pair)}`);
  return [pair[0]!, pair[1]!];
}

/**
 * col2im: sums windows [N, C, kH, kW, oH, oW] back into an [N, C, H, W] image, each tap (i, j)
 * adding its [oH, oW] plane at rows oh·sH + i·dH and columns ow·sW + j·dW.
 */
export function fold2d(cols: Tensor, size: Pair, stride: Pair, dilation: Pair): Tensor {
  if (cols.ndim !== 6) throw new ShapeError(`fold2d: expected a 6-D input [N, C, kH, kW, oH, oW], got ${formatShape(cols.shape)}`);
  const [n, c, kh, kw, oh, ow] = cols.shape as [number, number, number, number, number, number];
  const [h, w] = pairOf(size);
  const [sh, sw] = pairOf(stride);
  const [dh, dw] = pairOf(dilation);
  if ((oh - 1) * sh + (kh - 1) * dh >= h || (ow - 1) * sw + (kw - 1) * dw >= w) {
    throw new ShapeError(`fold2d: windows ${formatShape(cols.shape)} do not fit an image of size ${formatShape(size)}`);
  }
  const device = cols.storage.device;
  const out = emptyTensor([n, c, h, w], cols.dtype, "fold2d", device);
  if (device === "cpu") {
    backend().fold2d({ data: cols.storage.data, shape: cols.shape, strides: cols.strides, offset: cols.offset }, size, stride, dilation, out.storage.data);
  } else {
    if (cols.dtype !== "float32") throw noGpuKernel("fold2d", `for ${cols.dtype}`);
    webgpuContext("fold2d").fold2d(gpuViewOf(cols), size, stride, dilation, out.storage.gpu);
  }
  return recordOp("Col2ImBackward0", out, [cols], (g) => [unfold2d(g, [kh, kw], stride, dilation)]);
}
