/**
 * F.unfold (im2col) and F.fold (col2im), PyTorch's sliding-block functions:
 *
 *   unfold: [N, C, H, W] → [N, C·kH·kW, L],  out[n, (c, i, j), (oh, ow)] = xp[n, c, oh·sH + i·dH, ow·sW + j·dW]
 *   fold:   [N, C·kH·kW, L] → [N, C, H, W],  the adjoint: each block summed back into place
 *
 * with xp the input zero-padded by `padding` and L = oH·oW the number of blocks. Both reuse the
 * convolutions' strided-view unfold and its col2im (src/ops/unfold.ts), so each is the other's
 * gradient. Unbatched inputs ([C, H, W] and [C·kH·kW, L]) work too.
 */
import { formatShape, ShapeError } from "../../errors.js";
import { narrow, reshape, squeeze, unsqueeze } from "../../ops/shape.js";
import { fold2d, pad, unfold2d, windowCount } from "../../ops/unfold.js";
import type { Tensor } from "../../tensor/tensor.js";
import { pair, type IntOrPair } from "./conv.js";
import { positionalOrOptions } from "./options.js";

export interface FoldOptions {
  dilation?: IntOrPair;
  padding?: IntOrPair;
  stride?: IntOrPair;
}

interface Geometry {
  kernel: number[];
  dilation: number[];
  padding: number[];
  stride: number[];
}

function geometry(op: string, kernelSize: IntOrPair, options: FoldOptions): Geometry {
  return {
    kernel: pair(op, "kernelSize", kernelSize, 1),
    dilation: pair(op, "dilation", options.dilation ?? 1, 1),
    padding: pair(op, "padding", options.padding ?? 0, 0),
    stride: pair(op, "stride", options.stride ?? 1, 1),
  };
}

/** The number of blocks along each spatial dim of an [H, W] image, or a ShapeError naming the geometry. */
function blockCounts(op: string, size: readonly number[], g: Geometry): number[] {
  const counts = [0, 1].map((d) => windowCount(size[d]! + 2 * g.padding[d]!, g.kernel[d]!, g.stride[d]!, g.dilation[d]!));
  if (counts.some((c) => c < 1)) {
    throw new ShapeError(
      `${op}: given input with spatial size ${formatShape(size)}, kernelSize ${formatShape(g.kernel)}, dilation ${formatShape(g.dilation)}, ` +
        `padding ${formatShape(g.padding)}, the sliding blocks form a grid of ${formatShape(counts)}, but it must be at least 1 × 1`,
    );
  }
  return counts;
}

/** Extracts sliding blocks: [N, C, H, W] → [N, C·kH·kW, L] (PyTorch's F.unfold). Also `unfold(x, k, dilation, padding, stride)`. */
export function unfold(input: Tensor, kernelSize: IntOrPair, options?: FoldOptions): Tensor;
export function unfold(input: Tensor, kernelSize: IntOrPair, dilation?: IntOrPair, padding?: IntOrPair, stride?: IntOrPair): Tensor;
export function unfold(input: Tensor, kernelSize: IntOrPair, ...args: unknown[]): Tensor {
  return unfoldImpl("unfold", input, kernelSize, positionalOrOptions<FoldOptions>("unfold", args, ["dilation", "padding", "stride"]));
}

export function unfoldImpl(op: string, input: Tensor, kernelSize: IntOrPair, options: FoldOptions): Tensor {
  if (input.ndim !== 3 && input.ndim !== 4) throw new ShapeError(`${op}: expected a 3-D (unbatched) or 4-D (batched) input [N, C, H, W], got ${formatShape(input.shape)}`);
  const g = geometry(op, kernelSize, options);
  const x = input.ndim === 3 ? unsqueeze(input, 0) : input;
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [oh, ow] = blockCounts(op, [h, w], g);
  const [ph, pw] = g.padding as [number, number];
  const blocks = unfold2d(pad(x, [pw, pw, ph, ph]), g.kernel, g.stride, g.dilation); // [N, C, kH, kW, oH, oW]
  const out = reshape(blocks, [n, c * g.kernel[0]! * g.kernel[1]!, oh! * ow!]);
  return input.ndim === 3 ? squeeze(out, 0) : out;
}

/** Sums sliding blocks back into an image: [N, C·kH·kW, L] → [N, C, H, W] (PyTorch's F.fold). Also `fold(x, size, k, dilation, padding, stride)`. */
export function fold(input: Tensor, outputSize: IntOrPair, kernelSize: IntOrPair, options?: FoldOptions): Tensor;
export function fold(input: Tensor, outputSize: IntOrPair, kernelSize: IntOrPair, dilation?: IntOrPair, padding?: IntOrPair, stride?: IntOrPair): Tensor;
export function fold(input: Tensor, outputSize: IntOrPair, kernelSize: IntOrPair, ...args: unknown[]): Tensor {
  return foldImpl("fold", input, outputSize, kernelSize, positionalOrOptions<FoldOptions>("fold", args, ["dilation", "padding", "stride"]));
}

export function foldImpl(op: string, input: Tensor, outputSize: IntOrPair, kernelSize: IntOrPair, options: FoldOptions): Tensor {
  if (input.ndim !== 2 && input.ndim !== 3) throw new ShapeError(`${op}: expected a 2-D (unbatched) or 3-D (batched) input [N, C·kH·kW, L], got ${formatShape(input.shape)}`);
  const g = geometry(op, kernelSize, options);
  const [h, w] = pair(op, "outputSize", outputSize, 1) as [number, number];
  const x = input.ndim === 2 ? unsqueeze(input, 0) : input;
  const [n, rows, blocks] = x.shape as [number, number, number];
  const k = g.kernel[0]! * g.kernel[1]!;
  if (rows % k !== 0) {
    throw new ShapeError(`${op}: expected the size of dim ${input.ndim - 2} of input ${formatShape(input.shape)} to be divisible by the product of kernelSize (${k}), got ${rows}`);
  }
  const [oh, ow] = blockCounts(op, [h, w], g);
  if (blocks !== oh! * ow!) {
    throw new ShapeError(
      `${op}: given outputSize ${formatShape([h, w])}, kernelSize ${formatShape(g.kernel)}, dilation ${formatShape(g.dilation)}, padding ${formatShape(g.padding)}, ` +
        `stride ${formatShape(g.stride)}, expected the last dim of input ${formatShape(input.shape)} to be ${oh! * ow!} blocks (${oh} × ${ow}), got ${blocks}`,
    );
  }
  const [ph, pw] = g.padding as [number, number];
  const cols = reshape(x, [n, rows / k, g.kernel[0]!, g.kernel[1]!, oh!, ow!]);
  const full = fold2d(cols, [h + 2 * ph, w + 2 * pw], g.stride, g.dilation);
  const out = narrow(narrow(full, 2, ph, h), 3, pw, w);
  return input.ndim === 2 ? squeeze(out, 0) : out;
}
