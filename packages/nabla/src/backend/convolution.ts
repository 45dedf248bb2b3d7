/**
 * What the convolution kernels share: the geometry of one 2-D convolution and the scratch
 * budget that bounds their im2col buffers.
 *
 * A kernel never unfolds the whole batch: it works through it in blocks of samples whose
 * columns (C·kH·kW·oH·oW elements a sample) fit the budget, 64 MiB unless setConvolutionScratch
 * says otherwise, so that a batch of 1000 costs the scratch of a block, not 1000 samples'.
 */
import { OptionError } from "../errors.js";

/**
 * A convolution of x [n, c, h, w] with weight [o, c/groups, kh, kw] into y [n, o, oh, ow]:
 *
 *   y[b, g·O_g + q, y', x'] = Σ_{ch, i, j} W[g·O_g + q, ch, i, j] · x[b, g·C_g + ch, y'·sh − ph + i·dh, x'·sw − pw + j·dw]
 *
 * with taps outside the input reading zero (ph, pw are the top and left paddings; the bottom
 * and right ones are whatever oh and ow imply).
 */
export interface Conv2dGeometry {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly o: number;
  readonly groups: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly ph: number;
  readonly pw: number;
  readonly dh: number;
  readonly dw: number;
  readonly oh: number;
  readonly ow: number;
}

const DEFAULT_SCRATCH = 64 * 1024 * 1024;
let scratchBytes = DEFAULT_SCRATCH;

/**
 * Sets the most bytes of scratch (im2col columns and the like) one convolution kernel takes at
 * a time; a bigger batch is worked through in blocks of samples within it. 64 MiB by default.
 * A single sample whose columns exceed it still runs, one sample at a time.
 */
export function setConvolutionScratch(bytes: number): void {
  if (!Number.isInteger(bytes) || bytes < 1) throw new OptionError(`setConvolutionScratch: bytes must be a positive integer, got ${bytes}`);
  scratchBytes = bytes;
}

/** The scratch budget of a convolution kernel, in bytes. */
export function getConvolutionScratch(): number {
  return scratchBytes;
}

/** Samples per block: as many as fit `perSample` elements of `elementBytes` each in the budget, at least 1, at most n. */
export function samplesPerBlock(n: number, perSample: number, elementBytes: number): number {
  const fit = Math.floor(scratchBytes / Math.max(1, perSample * elementBytes));
  return Math.max(1, Math.min(n, fit));
}
