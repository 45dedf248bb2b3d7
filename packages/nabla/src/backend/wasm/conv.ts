/**
 * The convolution family on the wasm GEMM: im2col of a block of samples (assembly/conv.ts),
 * then the threaded matmul, group by group; the input gradient is the transposed product
 * followed by col2im. Blocks are sized so their scratch stays within getConvolutionScratch(),
 * and all scratch is released as soon as the kernel returns. float32 or float64 throughout (a
 * result outside wasm memory is staged); mixed or other types run the JS reference
 * (src/backend/js/conv.ts). float64 takes this path only: the Winograd and direct kernels
 * below are float32's.
 *
 * With columns cols_g [K, nb·P] (K = C/groups·kH·kW, P = oH·oW) for group g of a block:
 *   y_g = W_g · cols_g                    (forward; W_g is [O/groups, K])
 *   dcols_g = W_gᵀ · gy_g, gx = col2im(dcols)   (input gradient)
 *   dW_g += gy_g · cols_gᵀ                 (weight gradient, summed over blocks)
 * A sample's products are big enough to run alone (and to write straight into y or read
 * straight from gy) when they hold convTuning.perSampleMacs multiply-adds; smaller ones run over the
 * whole block at once, through a permuted copy of y or gy.
 *
 * Layers with few taps a product (K = C/groups·kH·kW up to convTuning.directTaps, LeNet's 25 and
 * 150) and column stride 1 skip im2col and the GEMM: the direct kernels (assembly/conv-direct.ts)
 * accumulate output rows in registers over zero-padded copies of each sample's planes; the weight
 * gradient (conv-direct-weight.ts, conv-direct-weight-columns.ts) and, at row stride 1, the input
 * gradient (conv-direct-input.ts) have kernels of their own.
 *
 * 3×3, stride-1 layers with many channels a group (MNIST's 32→64) go first to the Winograd
 * F(2×2, 3×3) kernels (conv-winograd.ts: 16 multiply-adds per 2×2 outputs instead of 36), which
 * decline when a value is non-finite or huge; then the paths above run.
 */
import type { StridedView } from "../backend.js";
import { samplesPerBlock, type Conv2dGeometry } from "../convolution.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { contiguousStrides } from "../../tensor/shape.js";
import { jsBackend } from "../js/index.js";
import { copy } from "./copy.js";
import { float32At, float64At, inHeap } from "./heap.js";
import { kernels } from "./instance.js";
import { gemmWork } from "./matmul.js";
import { Scratch, type Operand } from "./operands.js";
import { directConvThreaded, matmulThreaded, unfoldThreaded, workBytes, type DirectConvArgs } from "./pool.js";
import { takesWinograd, transposedGeometry, winogradConv2d, winogradConv2dInput, winogradConv2dWeight } from "./conv-winograd.js";

/**
 * At or above this many multiply-adds a sample's product runs on its own (see above): one product
 * over the whole block measured as fast or faster on MNIST's 32→64 layer (10⁷ a sample), and
 * it needs no per-sample synchronisation of the threads. Tests lower it to exercise both paths.
 */
export const convTuning = {
  perSampleMacs: 1 << 26,
  directTaps: 160,
  weightLanes: "auto" as "auto" | "columns" | "channels",
  forwardLanes: "auto" as "auto" | "columns" | "channels",
};

/**
 * Whether the direct forward puts output channels in the lanes (assembly/conv-direct-forward-lanes.ts,
 * groups of a multiple of 16 channels) rather than output columns (assembly/conv-direct.ts):
 * convTuning.forwardLanes, by default where the column tiles would waste enough lanes
 * (kernels.forwardByChannels). Tests force each; "channels" applies only where a group's
 * channels are a multiple of 16.
 */
function forwardByChannels(g: Conv2dGeometry): boolean {
  const og = g.o / g.groups;
  const lanes = convTuning.forwardLanes;
  return lanes === "auto" ? kernels.forwardByChannels(og, (g.c / g.groups) * g.kh * g.kw, g.ow) : lanes === "channels" && og % 16 === 0;
}

/**
 * Whether the direct weight gradient puts output columns in the lanes (else output channels):
 * convTuning.weightLanes, by default whichever wastes fewer lanes (kernels.weightByColumns).
 * Tests force each.
 */
function weightByColumns(g: Conv2dGeometry): boolean {
  const lanes = convTuning.weightLanes;
  return lanes === "auto" ? kernels.weightByColumns(g.o, g.groups, g.kh, g.kw, g.ow) : lanes === "columns";
}

/**
 * The view in wasm memory with its last `merged` dims walkable as one run of uniform stride
 * (a weight's (c, i, j) or a gradient's (y, x)), and that stride: in place when it is, else a
 * contiguous copy. Dims of size 1 do not constrain the run.
 */
function operand(scratch: Scratch, view: StridedView, merged: number, e: Width): Operand & { run: number } {
  const op = scratch.input(view);
  const d = view.shape.length;
  let ok = op.strides.every((s) => s >= 0);
  let run = 1; // the stride of the innermost dim of size > 1 seen so far, and the span it covers
  let span = 1;
  let seen = false;
  for (let k = d - 1; k >= d - merged && ok; k--) {
    const size = view.shape[k]!;
    if (size === 1) continue;
    if (!seen) [run, span, seen] = [op.strides[k]!, op.strides[k]! * size, true];
    else if (op.strides[k] === span) span *= size;
    else ok = false;
  }
  if (ok) return { ...op, run };
  const tmp = take(scratch, e, view.shape.reduce((p, s) => p * s, 1));
  copy(view, tmp);
  return { ptr: tmp.byteOffset, strides: contiguousStrides(view.shape), run: 1 };
}

/** The bytes of an element on the GEMM path: float32's 4 or float64's 8. */
type Width = 4 | 8;
type Floats = Float32Array | Float64Array;

const widthOf = (out: TypedArray): Width => (out instanceof Float64Array ? 8 : 4);
const take = (scratch: Scratch, e: Width, length: number): Floats => (e === 8 ? scratch.take64(length) : scratch.take(length));
const floatsAt = (e: Width, ptr: number, length: number): Floats => (e === 8 ? float64At(ptr, length) : float32At(ptr, length));

function im2col(g: Conv2dGeometry, x: Operand, from: number, nb: number, cols: Floats): void {
  const e = cols.BYTES_PER_ELEMENT as Width;
  unfoldThreaded("im2col", x.ptr + e * from * x.strides[0]!, x.strides, { ...g, nb }, cols.byteOffset, e === 8);
}

interface Sizes {
  p: number;
  k: number;
  cg: number;
  og: number;
  perSample: boolean;
}

function sizes(g: Conv2dGeometry): Sizes {
  const p = g.oh * g.ow;
  const cg = g.c / g.groups;
  const og = g.o / g.groups;
  const k = cg * g.kh * g.kw;
  return { p, k, cg, og, perSample: og * k * p >= convTuning.perSampleMacs };
}

/**
 * The blocks of samples the GEMM path works through: as many as fit the scratch budget with
 * their columns `cols` ([C·kH·kW, b·P]) and, unless a sample's products run alone, a buffer
 * `permuted` of [O, b·P] (y or gy with samples and channels swapped). Scratch is taken once, for
 * the biggest block.
 */
function eachBlock(g: Conv2dGeometry, scratch: Scratch, e: Width, body: (n0: number, b: number, cols: Floats, permuted: Floats | null) => void): void {
  const { p, perSample } = sizes(g);
  const nb = samplesPerBlock(g.n, g.c * g.kh * g.kw * p + (perSample ? 0 : g.o * p), e);
  const cols = take(scratch, e, nb * g.c * g.kh * g.kw * p);
  const permuted = perSample ? null : take(scratch, e, nb * g.o * p);
  for (let n0 = 0; n0 < g.n; n0 += nb) body(n0, Math.min(nb, g.n - n0), cols, permuted);
}

/**
 * A block's products, group by group: one a sample (`sample(grp, s)`, reading or writing sample
 * s in place in y or gy) when there is no permuted buffer, else one over the whole block
 * (`whole(grp, address of the permuted buffer)`).
 */
function products(g: Conv2dGeometry, b: number, permuted: Floats | null, sample: (grp: number, s: number) => void, whole: (grp: number, at: number) => void): void {
  for (let grp = 0; grp < g.groups; grp++) {
    if (permuted === null) for (let s = 0; s < b; s++) sample(grp, s);
    else whole(grp, permuted.byteOffset);
  }
}

type ConvOp = "forward" | "input" | "weight";

/** The kernel a convolution op runs on: the JS reference, Winograd, direct, or im2col + GEMM. */
type Route = "js" | "winograd" | "direct" | "gemm";

/**
 * One check of a call's operands and geometry for all three ops: the JS reference unless
 * float32 or float64 throughout (a result outside wasm memory, a small weight's gradient, is
 * staged) with work to do; float64 on the GEMM; float32 on the Winograd kernels where they take
 * the geometry, else the direct kernels, else the GEMM.
 */
function route(g: Conv2dGeometry, op: ConvOp, views: StridedView[], out: TypedArray): Route {
  if (g.n === 0 || g.o === 0 || g.c === 0) return "js";
  if (out instanceof Float64Array && views.every((v) => v.data instanceof Float64Array)) return "gemm";
  if (!(out instanceof Float32Array) || !views.every((v) => v.data instanceof Float32Array)) return "js";
  return winogradPath(g, op) ? "winograd" : withoutWinograd(g, op);
}

/** Where an op goes when the Winograd kernels do not take it or decline its values. */
const withoutWinograd = (g: Conv2dGeometry, op: ConvOp): Route => (directPath(g, op) ? "direct" : "gemm");

export function conv2d(g: Conv2dGeometry, x: StridedView, weight: StridedView, bias: StridedView | null, out: TypedArray): void {
  let to = route(g, "forward", bias === null ? [x, weight] : [x, weight, bias], out);
  if (to === "js") return jsBackend.conv2d(g, x, weight, bias, out);
  if (to === "winograd") {
    if (winogradConv2d(g, x, weight, bias, out as Float32Array)) return;
    to = withoutWinograd(g, "forward");
  }
  if (to === "direct") return directForward(g, x, weight, bias, out as Float32Array);
  const { p, k, og } = sizes(g);
  const e = widthOf(out);
  const wide = e === 8;
  const scratch = new Scratch();
  try {
    const staged = scratch.output(out as Floats);
    const y = floatsAt(e, staged.ptr, out.length);
    const xs = operand(scratch, x, 1, e);
    const ws = operand(scratch, weight, 3, e);
    const [sw0, swk] = [ws.strides[0]!, ws.run];
    const bs = bias === null ? null : scratch.input(bias);
    const work = gemmWork();
    eachBlock(g, scratch, e, (n0, b, cols, tmp) => {
      im2col(g, xs, n0, b, cols);
      const a = (grp: number) => ws.ptr + e * grp * og * sw0;
      const c = (grp: number) => cols.byteOffset + e * grp * k * b * p;
      products(g, b, tmp, (grp, s) => {
        const dst = y.byteOffset + e * ((n0 + s) * g.o + grp * og) * p;
        matmulThreaded(a(grp), sw0, swk, c(grp) + e * s * p, b * p, 1, dst, p, og, k, p, work, false, wide);
      }, (grp, t) => matmulThreaded(a(grp), sw0, swk, c(grp), b * p, 1, t + e * grp * og * b * p, b * p, og, k, b * p, work, false, wide));
      // tmp is [O, b, P]: the block [b, O, P] of y reads it with the first two strides swapped
      if (tmp !== null) copy({ data: tmp, shape: [b, g.o, p], strides: [p, b * p, 1], offset: 0 }, y.subarray(n0 * g.o * p, (n0 + b) * g.o * p));
      if (bs !== null) (wide ? kernels.addChannelBias64 : kernels.addChannelBias)(y.byteOffset + e * n0 * g.o * p, b * g.o, g.o, p, bs.ptr, bs.strides[0]!);
    });
    staged.done();
  } finally {
    scratch.release();
  }
}

export function conv2dInput(g: Conv2dGeometry, gy: StridedView, weight: StridedView, out: TypedArray): void {
  let to = route(g, "input", [gy, weight], out);
  if (to === "js") return jsBackend.conv2dInput(g, gy, weight, out);
  if (to === "winograd") {
    if (winogradConv2dInput(g, gy, weight, out as Float32Array)) return;
    to = withoutWinograd(g, "input");
  }
  if (to === "direct") return directInput(g, gy, weight, out as Float32Array);
  const { p, k, og } = sizes(g);
  const e = widthOf(out);
  const wide = e === 8;
  const scratch = new Scratch();
  try {
    const staged = scratch.output(out as Floats);
    // col2im adds into its output: a staged one starts as out is
    if (!inHeap(out)) floatsAt(e, staged.ptr, out.length).set(out as Floats);
    const gs = operand(scratch, gy, 2, e);
    const [sg0, sg1, sgp] = [gs.strides[0]!, gs.strides[1]!, gs.run];
    const ws = operand(scratch, weight, 3, e);
    const [sw0, swk] = [ws.strides[0]!, ws.run];
    const work = gemmWork();
    eachBlock(g, scratch, e, (n0, b, dcols, gyT) => {
      // without per-sample products, gy's block [b, O, P] is first copied to [O, b·P]
      if (gyT !== null) copy({ data: elementsOf(gs, gy.shape, e), shape: [g.o, b, p], strides: [sg1, sg0, sgp], offset: n0 * sg0 }, gyT.subarray(0, g.o * b * p));
      // A = W_gᵀ [K, O_g]: W_g read with its strides swapped
      const a = (grp: number) => ws.ptr + e * grp * og * sw0;
      const c = (grp: number) => dcols.byteOffset + e * grp * k * b * p;
      products(g, b, gyT, (grp, s) => {
        const src = gs.ptr + e * ((n0 + s) * sg0 + grp * og * sg1);
        matmulThreaded(a(grp), swk, sw0, src, sg1, sgp, c(grp) + e * s * p, b * p, k, og, p, work, false, wide);
      }, (grp, t) => matmulThreaded(a(grp), swk, sw0, t + e * grp * og * b * p, b * p, 1, c(grp), b * p, k, og, b * p, work, false, wide));
      unfoldThreaded("col2im", dcols.byteOffset, [], { ...g, nb: b }, staged.ptr + e * n0 * g.c * g.h * g.w, wide);
    });
    staged.done();
  } finally {
    scratch.release();
  }
}

export function conv2dWeight(g: Conv2dGeometry, x: StridedView, gy: StridedView, out: TypedArray): void {
  let to = route(g, "weight", [x, gy], out);
  if (to === "js") return jsBackend.conv2dWeight(g, x, gy, out);
  if (to === "winograd") {
    if (winogradConv2dWeight(g, x, gy, out as Float32Array)) return;
    to = withoutWinograd(g, "weight");
  }
  if (to === "direct") return directWeight(g, x, gy, out as Float32Array);
  const { p, k, og } = sizes(g);
  const e = widthOf(out);
  const wide = e === 8;
  const scratch = new Scratch();
  try {
    const staged = scratch.output(out as Floats);
    const xs = operand(scratch, x, 1, e);
    const gs = operand(scratch, gy, 2, e);
    const [sg0, sg1, sgp] = [gs.strides[0]!, gs.strides[1]!, gs.run];
    const work = gemmWork();
    eachBlock(g, scratch, e, (n0, b, cols, gyT) => {
      im2col(g, xs, n0, b, cols);
      if (gyT !== null) copy({ data: elementsOf(gs, gy.shape, e), shape: [g.o, b, p], strides: [sg1, sg0, sgp], offset: n0 * sg0 }, gyT.subarray(0, g.o * b * p));
      const dst = (grp: number) => staged.ptr + e * grp * og * k;
      // B = cols_gᵀ [b·P, K]: the columns read with their strides swapped
      const c = (grp: number) => cols.byteOffset + e * grp * k * b * p;
      products(g, b, gyT, (grp, s) => {
        const src = gs.ptr + e * ((n0 + s) * sg0 + grp * og * sg1);
        matmulThreaded(src, sg1, sgp, c(grp) + e * s * p, 1, b * p, dst(grp), k, og, p, k, work, n0 + s > 0, wide);
      }, (grp, t) => matmulThreaded(t + e * grp * og * b * p, b * p, 1, c(grp), 1, b * p, dst(grp), k, og, b * p, k, work, n0 > 0, wide));
    });
    staged.done();
  } finally {
    scratch.release();
  }
}

/** The elements of an operand of `shape` as a typed array from its pointer on, for a strided view that a copy walks. */
function elementsOf(op: Operand, shape: readonly number[], e: Width): Floats {
  let span = 1;
  for (let d = 0; d < shape.length; d++) span += (shape[d]! - 1) * op.strides[d]!;
  return floatsAt(e, op.ptr, span);
}

/**
 * Whether a float32 convolution's forward, input-gradient or weight-gradient kernel runs on the
 * Winograd transforms (src/backend/wasm/conv-winograd.ts), unless a value is non-finite or too
 * large for them (tests check their cases do).
 */
export function winogradPath(g: Conv2dGeometry, op: ConvOp): boolean {
  return takesWinograd(op === "input" ? transposedGeometry(g) : g) && (op !== "input" || takesWinograd(g));
}

/** Whether a float32 convolution's forward, input-gradient or weight-gradient kernel runs direct (tests check their cases do). */
export function directPath(g: Conv2dGeometry, op: ConvOp): boolean {
  if (op === "weight") return takesDirect(g, weightByColumns(g) ? 3 : 1);
  if (op === "forward") return takesDirect(g, 0);
  return g.sh === 1 && takesDirect(g, 4);
}

/**
 * Whether the direct kernels take this convolution: column stride 1, at most
 * convTuning.directTaps taps an output (where the GEMM's products are too thin to pay for
 * im2col and packing), and a sample's staging within a thread's work buffer.
 */
function takesDirect(g: Conv2dGeometry, which: 0 | 1 | 3 | 4): boolean {
  if (g.sw !== 1 || g.oh === 0 || g.ow === 0) return false;
  if ((g.c / g.groups) * g.kh * g.kw > convTuning.directTaps) return false;
  const bytes = which === 4
    ? kernels.inputWorkBytes(g.h, g.w, g.o, g.groups, g.kh, g.kw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow)
    : kernels.directConvBytes(which, g.c, g.o, g.groups, g.kh, g.kw, g.sh, g.dh, g.dw, g.oh, g.ow);
  return bytes <= workBytes();
}

const directArgs = (g: Conv2dGeometry): DirectConvArgs => g;
const macsOf = (g: Conv2dGeometry): number => g.n * g.o * g.oh * g.ow * (g.c / g.groups) * g.kh * g.kw;

function directForward(g: Conv2dGeometry, x: StridedView, weight: StridedView, bias: StridedView | null, out: Float32Array): void {
  const scratch = new Scratch();
  try {
    const staged = scratch.output(out);
    const xs = scratch.input(x);
    const ws = scratch.input(weight);
    const [so, sc, si, sj] = ws.strides as [number, number, number, number];
    const og = g.o / g.groups;
    const cg = g.c / g.groups;
    const lanes = forwardByChannels(g);
    const packed = scratch.take((lanes ? kernels.laneWeightBytes : kernels.packedWeightBytes)(g.groups, og, cg, g.kh, g.kw) / 4);
    const bs = bias === null ? null : scratch.input(bias);
    (lanes ? kernels.packLaneWeights : kernels.packWeights)(ws.ptr, so, sc, og * so, si, sj, g.groups, og, cg, g.kh, g.kw, bs === null ? 0 : bs.ptr, bs === null ? 0 : bs.strides[0]!, packed.byteOffset);
    directConvThreaded(lanes ? 5 : 0, directArgs(g), xs.ptr, xs.strides, packed.byteOffset, [], staged.ptr, macsOf(g), gemmWork());
    staged.done();
  } finally {
    scratch.release();
  }
}

/** conv2dInput of a stride-1 convolution on the direct kernel (assembly/conv-direct-input.ts), the weights packed with their output channels last. */
function directInput(g: Conv2dGeometry, gy: StridedView, weight: StridedView, out: Float32Array): void {
  const scratch = new Scratch();
  try {
    const staged = scratch.output(out);
    const gs = scratch.input(gy);
    const ws = scratch.input(weight);
    const [so, sc, si, sj] = ws.strides as [number, number, number, number];
    const packed = scratch.take(kernels.inputWeightFloats(g.c, g.o, g.groups, g.kh, g.kw));
    kernels.packInputWeights(ws.ptr, so, sc, si, sj, g.c, g.o, g.groups, g.kh, g.kw, packed.byteOffset);
    directConvThreaded(4, directArgs(g), gs.ptr, gs.strides, packed.byteOffset, [], staged.ptr, macsOf(g), gemmWork());
    staged.done();
  } finally {
    scratch.release();
  }
}

/**
 * The weight gradient on the direct kernels. With output columns in the lanes
 * (assembly/conv-direct-weight-columns.ts, where rows fill whole vectors better than channels do)
 * one job over all samples. With channels in the lanes (assembly/conv-direct-weight.ts) block by
 * block of samples within the convolution scratch budget: stage x's padded planes and gy with
 * channels last, then run the tiles, the first block writing dW and the others adding to it.
 */
function directWeight(g: Conv2dGeometry, x: StridedView, gy: StridedView, out: Float32Array): void {
  const scratch = new Scratch();
  try {
    const staged = scratch.output(out);
    const xs = scratch.input(x);
    const gs = scratch.input(gy);
    if (weightByColumns(g)) {
      directConvThreaded(3, g, xs.ptr, xs.strides, gs.ptr, gs.strides, staged.ptr, macsOf(g), gemmWork());
    } else {
      const planeFloats = kernels.weightPlaneFloats(g.c, g.kh, g.kw, g.sh, g.dh, g.dw, g.oh, g.ow);
      const gyFloats = (nb: number) => kernels.weightGyFloats(nb, g.o, g.groups, g.oh, g.ow);
      const nb = samplesPerBlock(g.n, planeFloats + gyFloats(1), 4);
      const planes = scratch.take(nb * planeFloats).byteOffset;
      const gyT = scratch.take(gyFloats(nb)).byteOffset;
      for (let n0 = 0; n0 < g.n; n0 += nb) {
        const block = { ...g, n: Math.min(nb, g.n - n0) };
        const [x0, gy0] = [xs.ptr + 4 * n0 * xs.strides[0]!, gs.ptr + 4 * n0 * gs.strides[0]!];
        const shared = { planes, gyT, accumulate: n0 > 0 };
        directConvThreaded(2, block, x0, xs.strides, gy0, gs.strides, staged.ptr, block.n * (planeFloats + gyFloats(1)), gemmWork(), shared);
        directConvThreaded(1, block, x0, xs.strides, gy0, gs.strides, staged.ptr, macsOf(block), gemmWork(), shared);
      }
    }
    staged.done();
  } finally {
    scratch.release();
  }
}
