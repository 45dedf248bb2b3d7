/**
 * Winograd F(2×2, 3×3) convolutions on the wasm GEMM (transforms in assembly/conv-winograd.ts):
 * 3×3, stride-1, undilated layers with at least convTuning.winogradChannels input and output
 * channels a group (MNIST's 32→64), whose direct and im2col kernels are bound by multiply-adds.
 * A block of samples is transformed into 4×4 tiles, then 16 products (one per transformed
 * position) run over every tile of the block at once, 16 multiply-adds per 2×2 outputs and
 * channel pair instead of 36:
 *
 *   forward    M_k = U_k · V_k, y = Aᵀ m A + bias         (U from W, V from x)
 *   input      the forward on gy with W transposed and flipped, padded by 2 − padding
 *   weight     dU_k = Σ_blocks Gy_k · V_kᵀ, dW = Gᵀ dU G   (Gy from gy)
 *
 * The transforms add values that the direct sum keeps apart, so each reports whether what it read
 * is finite and below 2^40; when not, these functions return false having written nothing the
 * caller keeps, and the caller runs its exact kernels (so inf and NaN propagate as they do there).
 * Blocks are sized like the GEMM path's (the convolution scratch budget); results do not depend on
 * the thread count (the GEMM splits rows or columns, never the sum).
 */
import type { StridedView } from "../backend.js";
import { samplesPerBlock, type Conv2dGeometry } from "../convolution.js";
import { contiguousStrides } from "../../tensor/shape.js";
import { copy } from "./copy.js";
import { kernels } from "./instance.js";
import { gemmWork } from "./matmul.js";
import { Scratch, type Operand } from "./operands.js";
import { getNumThreads } from "./num-threads.js";
import { winogradThreaded } from "./pool.js";

/**
 * channels: fewest input and output channels a group for the Winograd kernels (below, the 16
 * products are too thin for the GEMM). blockBytes: the transformed operands of a block (or a
 * thread's chunk) of samples at most, one sample at least: the transforms write them and the
 * products read them back, so a block that stays in cache beats one that goes through memory
 * (MNIST's 32→64 input gradient at batch 64: 40 ms with blocks of 8 samples against 70 with the
 * whole batch, one thread).
 */
export const winogradTuning = { channels: 16, blockBytes: 2 << 20 };

/** Whether the Winograd kernels take this geometry: 3×3, stride 1, no dilation, enough channels (padding up to 2, which the input gradient's transposed form needs). */
export function takesWinograd(g: Conv2dGeometry): boolean {
  const cg = g.c / g.groups;
  const og = g.o / g.groups;
  return g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 &&
    g.ph >= 0 && g.ph <= 2 && g.pw >= 0 && g.pw <= 2 && g.oh > 0 && g.ow > 0 && g.n > 0 &&
    cg >= winogradTuning.channels && og >= winogradTuning.channels;
}

/** The view in wasm memory with non-negative strides (the transforms' staging walks forward): in place or a contiguous copy. */
function forwardOperand(scratch: Scratch, view: StridedView): Operand {
  const op = scratch.input(view);
  if (op.strides.every((s) => s >= 0)) return op;
  const tmp = scratch.take(view.shape.reduce((p, s) => p * s, 1));
  copy(view, tmp);
  return { ptr: tmp.byteOffset, strides: contiguousStrides(view.shape) };
}

interface Tiles {
  th: number;
  tw: number;
  /** Tiles a sample. */
  t: number;
}

const tilesOf = (g: Conv2dGeometry): Tiles => {
  const th = Math.ceil(g.oh / 2);
  const tw = Math.ceil(g.ow / 2);
  return { th, tw, t: th * tw };
};


/** Samples a block: its transformed input and output (or gradient) within winogradTuning.blockBytes and the scratch budget. */
function blockSamples(g: Conv2dGeometry, t: number): number {
  const perSample = 16 * (g.c + g.o) * t;
  return Math.max(1, Math.min(samplesPerBlock(g.n, perSample, 4), Math.floor(winogradTuning.blockBytes / (4 * perSample))));
}

const strides4 = (op: Operand): [number, number, number, number] => op.strides as [number, number, number, number];

/**
 * y = conv(x, W) + bias through the transforms, W[g·og + q, ch, i, j] at
 * w.ptr + 4·(g·swg + q·swo + ch·swc + i·swi + j·swj): the weights transformed once, then chunks
 * of samples shared between threads, each thread transforming, multiplying and transforming back
 * a chunk at a time in its own scratch (assembly/conv-winograd.ts: winogradShared). False
 * (nothing kept) when a value is non-finite or too large for the transforms.
 */
function forward(g: Conv2dGeometry, x: StridedView, w: { ptr: number; swo: number; swc: number; swg: number; swi: number; swj: number }, bias: StridedView | null, out: Float32Array): boolean {
  const { th, tw, t } = tilesOf(g);
  const og = g.o / g.groups;
  const cg = g.c / g.groups;
  const scratch = new Scratch();
  try {
    const staged = scratch.output(out);
    const u = scratch.take(16 * g.o * cg);
    if (!kernels.winogradWeights(w.ptr, w.swo, w.swc, w.swg, w.swi, w.swj, g.groups, og, cg, u.byteOffset)) return false;
    const xs = forwardOperand(scratch, x);
    const bs = bias === null ? null : scratch.input(bias);
    const size = blockSamples(g, t);
    const slotBytes = kernels.winogradSlotBytes(g.c, g.o, th, tw, size);
    const slots = scratch.take((getNumThreads() * slotBytes) / 4);
    const fields = [xs.ptr, ...strides4(xs), g.n, g.c, g.h, g.w, g.o, g.groups, 0, g.ph, g.pw, g.oh, g.ow,
      u.byteOffset, bs === null ? 0 : bs.ptr, bs === null ? 0 : bs.strides[0]!, staged.ptr, slots.byteOffset, slotBytes, 0, 0];
    if (!winogradThreaded(Math.ceil(g.n / size), size, fields, 16 * g.o * cg * g.n * t, gemmWork())) return false;
    staged.done();
    return true;
  } finally {
    scratch.release();
  }
}

/** conv2d through the Winograd kernels; false when the caller must run its exact kernels instead. */
export function winogradConv2d(g: Conv2dGeometry, x: StridedView, weight: StridedView, bias: StridedView | null, out: Float32Array): boolean {
  const scratch = new Scratch();
  try {
    const ws = forwardOperand(scratch, weight);
    const [so, sc, si, sj] = strides4(ws);
    return forward(g, x, { ptr: ws.ptr, swo: so, swc: sc, swg: (g.o / g.groups) * so, swi: si, swj: sj }, bias, out);
  } finally {
    scratch.release();
  }
}

/**
 * The stride-1 input gradient as a forward convolution: gy [N, O, oH, oW] with W transposed (O/groups
 * in, C/groups out a group) and flipped, padded by 2 − padding, gives x's gradient [N, C, H, W].
 */
export function transposedGeometry(g: Conv2dGeometry): Conv2dGeometry {
  return { ...g, c: g.o, h: g.oh, w: g.ow, o: g.c, ph: 2 - g.ph, pw: 2 - g.pw, oh: g.h, ow: g.w };
}

/** conv2dInput through the Winograd kernels (see transposedGeometry); false when the caller must run its exact kernels. */
export function winogradConv2dInput(g: Conv2dGeometry, gy: StridedView, weight: StridedView, out: Float32Array): boolean {
  const scratch = new Scratch();
  try {
    const ws = scratch.input(weight);
    const [so, sc, si, sj] = strides4(ws);
    // W'[g·C_g + ch, q, i, j] = W[g·O_g + q, ch, 2 − i, 2 − j]
    const corner = ws.ptr + 4 * (2 * si + 2 * sj);
    const t = transposedGeometry(g);
    return forward(t, gy, { ptr: corner, swo: sc, swc: so, swg: (g.o / g.groups) * so, swi: -si, swj: -sj }, null, out);
  } finally {
    scratch.release();
  }
}

/** Most chunks a weight-gradient job is cut into (each holds 16·O·C/groups floats of partial sums). */
const MAX_WEIGHT_CHUNKS = 64;

/**
 * conv2dWeight through the Winograd kernels into contiguous out [O, C/groups, 3, 3]: chunks of
 * samples shared between threads, each writing its own partial dU, added up in chunk order (the
 * chunks do not depend on the thread count, nor then does the result). False when the caller must
 * run its exact kernels: a value out of the transforms' range, or at most MAX_WEIGHT_CHUNKS chunks
 * needing more scratch than the convolution budget.
 */
export function winogradConv2dWeight(g: Conv2dGeometry, x: StridedView, gy: StridedView, out: Float32Array): boolean {
  const { th, tw, t } = tilesOf(g);
  const cg = g.c / g.groups;
  const scratch = new Scratch();
  try {
    const staged = scratch.output(out);
    const xs = forwardOperand(scratch, x);
    const gs = forwardOperand(scratch, gy);
    const size = Math.max(blockSamples(g, t), Math.ceil(g.n / MAX_WEIGHT_CHUNKS));
    // a batch so big that its chunks' scratch would pass the budget goes to the blocked GEMM path
    if (size > samplesPerBlock(g.n, 16 * (g.c + g.o) * t * getNumThreads(), 4)) return false;
    const chunks = Math.ceil(g.n / size);
    const slotBytes = kernels.winogradSlotBytes(g.c, g.o, th, tw, size);
    const slots = scratch.take((getNumThreads() * slotBytes) / 4);
    const du = 16 * g.o * cg;
    const partials = scratch.take(chunks * du);
    const fields = [xs.ptr, ...strides4(xs), g.n, g.c, g.h, g.w, g.o, g.groups, 0, g.ph, g.pw, g.oh, g.ow,
      0, 0, 0, 0, slots.byteOffset, slotBytes, 0, 1, gs.ptr, ...strides4(gs), partials.byteOffset];
    if (!winogradThreaded(chunks, size, fields, du * g.n * t, gemmWork())) return false;
    kernels.winogradSumPartials(partials.byteOffset, chunks, du);
    kernels.winogradWeightsBack(partials.byteOffset, g.o, cg, staged.ptr);
    staged.done();
    return true;
  } finally {
    scratch.release();
  }
}
