/**
 * Pixel shuffle (Shi et al. 2016, "sub-pixel convolution") and its inverse, as views and one copy:
 *
 *   pixelShuffle:   [*, C·r², H, W] → [*, C, H·r, W·r],  out[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w]
 *   pixelUnshuffle: [*, C, H·r, W·r] → [*, C·r², H, W]   (the inverse)
 *
 * Both are reshape → permute → reshape, so the gradient is the other one.
 */
import { formatShape, OptionError, ShapeError } from "../../errors.js";
import { permute, reshape } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

function checkFactor(op: string, what: string, r: number): void {
  if (typeof r !== "number") throw new TypeError(`${op}: expected ${what} to be a number, got ${typeof r}`);
  if (!Number.isInteger(r) || r < 1) throw new OptionError(`${op}: ${what} must be a positive integer, got ${r}`);
}

function checkRank(op: string, x: Tensor): void {
  if (x.ndim < 3) throw new ShapeError(`${op}: expected an input with at least 3 dims [*, C, H, W], got ${formatShape(x.shape)}`);
}

/** Rearranges [*, C·r², H, W] into [*, C, H·r, W·r] (PyTorch's F.pixel_shuffle). */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  checkFactor("pixelShuffle", "upscaleFactor", upscaleFactor);
  checkRank("pixelShuffle", input);
  const r = upscaleFactor;
  const batch = input.shape.slice(0, -3);
  const [c, h, w] = input.shape.slice(-3) as [number, number, number];
  if (c % (r * r) !== 0) {
    throw new ShapeError(`pixelShuffle: the channel dim (size ${c}) of input ${formatShape(input.shape)} must be divisible by upscaleFactor² (${r * r})`);
  }
  const b = batch.length;
  const split = reshape(input, [...batch, c / (r * r), r, r, h, w]);
  const moved = permute(split, [...batch.keys(), b, b + 3, b + 1, b + 4, b + 2]); // [*, C, H, r, W, r]
  return reshape(moved, [...batch, c / (r * r), h * r, w * r]);
}

/** Rearranges [*, C, H·r, W·r] into [*, C·r², H, W] (PyTorch's F.pixel_unshuffle). */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  checkFactor("pixelUnshuffle", "downscaleFactor", downscaleFactor);
  checkRank("pixelUnshuffle", input);
  const r = downscaleFactor;
  const batch = input.shape.slice(0, -3);
  const [c, h, w] = input.shape.slice(-3) as [number, number, number];
  if (h % r !== 0 || w % r !== 0) {
    throw new ShapeError(`pixelUnshuffle: the height (${h}) and width (${w}) of input ${formatShape(input.shape)} must be divisible by downscaleFactor (${r})`);
  }
  const b = batch.length;
  const split = reshape(input, [...batch, c, h / r, r, w / r, r]);
  const moved = permute(split, [...batch.keys(), b, b + 2, b + 4, b + 1, b + 3]); // [*, C, r, r, H, W]
  return reshape(moved, [...batch, c * r * r, h / r, w / r]);
}
