/**
 * Pooling over windows: the input is padded (−∞ for max, 0 for average) and unfolded into a
 * strided view of windows, then reduced. Gradients come from the pieces: max sends each output's
 * gradient to the first largest element of its window (PyTorch's CPU rule), average spreads it
 * evenly, and the unfold's gradient (col2im) sums overlapping windows.
 *
 * Output size per dim (PyTorch's pooling_output_shape):
 *   o = ⌊(H + 2p − d·(k − 1) − 1 + (ceilMode ? s − 1 : 0)) / s⌋ + 1, less one if the last window
 *   would start in the right padding.
 */
import { formatShape, OptionError, ShapeError } from "../../errors.js";
import { backend } from "../../backend/backend.js";
import { recordOp } from "../../autograd/node.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { emptyTensor, fromTypedArray, gpuViewOf, resultTensor, viewOf } from "../../ops/helpers.js";
import { noGpuKernel, webgpuContext } from "../../backend/device.js";
import type { GpuArray } from "../../backend/webgpu/pool.js";
import { gather } from "../../ops/indexing.js";
import { div } from "../../ops/elementwise.js";
import { max as maxAlong, mean, sum } from "../../ops/reduce.js";
import { contiguous, narrow, reshape, squeeze, unsqueeze } from "../../ops/shape.js";
import { stack } from "../../ops/join.js";
import { pad, unfold2d } from "../../ops/unfold.js";
import { convolution } from "../../ops/convolution.js";
import { full } from "../../ops/creation.js";
import type { Conv2dGeometry } from "../../backend/convolution.js";
import type { Tensor } from "../../tensor/tensor.js";
import { ValuesIndices } from "../../ops/values-indices.js";
import { pair, type IntOrPair } from "./conv.js";
import { checkOptions, describe, isPlainObject, optionKeys } from "../../ops/options.js";

export interface MaxPool2dOptions {
  /** Defaults to the kernel size. */
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  ceilMode?: boolean;
  /** Count the zero padding in the divisor (PyTorch's count_include_pad, default true). */
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

export function poolOutputSize(size: number, k: number, p: number, s: number, d: number, ceilMode: boolean): number {
  let o = Math.floor((size + 2 * p - d * (k - 1) - 1 + (ceilMode ? s - 1 : 0)) / s) + 1;
  if (ceilMode && (o - 1) * s >= size + p) o--;
  return o;
}

interface Geometry {
  x: Tensor;
  unbatch: boolean;
  k: number[];
  s: number[];
  p: number[];
  d: number[];
  out: number[];
}

function geometry(name: string, input: Tensor, kernelSize: IntOrPair, stride: IntOrPair | null | undefined, padding: IntOrPair, dilation: IntOrPair, ceilMode: boolean): Geometry {
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new ShapeError(`${name}: expected 3D or 4D (batch mode) tensor for input, but got input of size ${formatShape(input.shape)}`);
  }
  const k = pair(name, "kernel size", kernelSize, 1);
  const s = stride === null || stride === undefined ? k.slice() : pair(name, "stride", stride, 1);
  const p = pair(name, "padding", padding, 0);
  const d = pair(name, "dilation", dilation, 1);
  for (let i = 0; i < 2; i++) {
    if (p[i]! > Math.floor(k[i]! / 2)) throw new OptionError(`${name}: pad should be at most half of effective kernel size, but got pad=${p[i]}, kernel_size=${k[i]}`);
  }
  const x = input.ndim === 3 ? unsqueeze(input, 0) : input;
  const out = [0, 1].map((i) => poolOutputSize(x.shape[2 + i]!, k[i]!, p[i]!, s[i]!, d[i]!, ceilMode));
  if (out.some((o) => o <= 0)) {
    throw new ShapeError(`${name}: output size is too small: input ${formatShape(input.shape)}, kernel ${formatShape(k)}, output ${formatShape(out)}`);
  }
  return { x, unbatch: input.ndim === 3, k, s, p, d, out };
}

/** Pads (with extra on the right/bottom that ceilMode may need) and unfolds: [N, C, kH, kW, oH, oW]. */
function windows(g: Geometry, value: number): Tensor {
  const extra = [0, 1].map((i) => Math.max(0, (g.out[i]! - 1) * g.s[i]! + g.d[i]! * (g.k[i]! - 1) + 1 - (g.x.shape[2 + i]! + 2 * g.p[i]!)));
  const xp = pad(g.x, [g.p[1]!, g.p[1]! + extra[1]!, g.p[0]!, g.p[0]! + extra[0]!], value);
  return unfold2d(xp, g.k, g.s, g.d);
}

/**
 * The sum of each window, [N, C, oH, oW]. Windows that overlap (a stride smaller than the kernel)
 * are summed by a depthwise convolution with a kernel of ones, whose kernels work through the
 * batch within the convolution scratch budget; reducing the unfolded view instead would copy
 * kH·kW/(sH·sW) times the input first.
 */
function windowSums(g: Geometry): Tensor {
  if (g.k[0]! <= g.s[0]! && g.k[1]! <= g.s[1]!) return sum(windows(g, 0), [2, 3]);
  const [n, c, h, w] = g.x.shape as [number, number, number, number];
  const ones = full([c, 1, g.k[0]!, g.k[1]!], 1, { dtype: g.x.dtype, device: g.x.storage.device });
  const geometry: Conv2dGeometry = {
    n, c, h, w, o: c, groups: c, kh: g.k[0]!, kw: g.k[1]!,
    sh: g.s[0]!, sw: g.s[1]!, ph: g.p[0]!, pw: g.p[1]!, dh: g.d[0]!, dw: g.d[1]!, oh: g.out[0]!, ow: g.out[1]!,
  };
  return convolution(g.x, ones, null, geometry);
}

/** The WebGPU context for a pooling op on `x` (float32 only until its other kernels exist). */
function gpuPooling(name: string, x: Tensor) {
  if (x.dtype !== "float32") throw noGpuKernel(name, `for ${x.dtype}`);
  return webgpuContext(name);
}

const MAX_POOL_KEYS = optionKeys<MaxPool2dOptions>({ stride: true, padding: true, dilation: true, ceilMode: true });
const AVG_POOL2D_KEYS = optionKeys<AvgPool2dOptions>({ stride: true, padding: true, ceilMode: true, countIncludePad: true, divisorOverride: true });
const AVG_POOL1D_KEYS = optionKeys<Omit<AvgPool2dOptions, "divisorOverride">>({ stride: true, padding: true, ceilMode: true, countIncludePad: true });

/**
 * The kernel size and options of a pooling call, checked before any work: an options object in
 * the kernel size's slot (PyTorch's `kernel_size=2` habit, `maxPool2d(x, { kernelSize: 2 })`)
 * would otherwise fail inside with an unrelated message.
 */
function checkPoolArgs(name: string, kernelSize: unknown, options: unknown, keys: readonly string[]): void {
  if (typeof kernelSize !== "number" && !Array.isArray(kernelSize)) {
    const hint = isPlainObject(kernelSize) ? ` (the kernel size comes before the options: ${name}(input, 2, { stride: 2 }))` : "";
    throw new TypeError(`${name}: expected kernelSize (argument 2) to be an integer or a list of integers, got ${describe(kernelSize)}${hint}`);
  }
  checkOptions(name, options, keys);
}

/**
 * Max over each window of [N, C, H, W] (or [C, H, W]). Where no gradient will pass through (grad
 * mode off, or an input that needs none) the kernel skips the indices, a buffer as big as the output.
 */
export function maxPool2d(input: Tensor, kernelSize: IntOrPair, options: MaxPool2dOptions = {}, name = "maxPool2d"): Tensor {
  checkPoolArgs(name, kernelSize, options, MAX_POOL_KEYS);
  if (isGradEnabled() && input.requiresGrad) return maxPool2dWithIndices(input, kernelSize, options, name).values;
  const g = geometry(name, input, kernelSize, options.stride, options.padding ?? 0, options.dilation ?? 1, options.ceilMode ?? false);
  const [n, c] = g.x.shape as [number, number];
  const device = g.x.storage.device;
  const values = resultTensor([n, c, g.out[0]!, g.out[1]!], g.x.dtype, name, device);
  if (device === "cpu") {
    backend().maxPool2d({ x: viewOf(g.x), kernel: g.k, stride: g.s, padding: g.p, dilation: g.d, out: g.out, values: values.storage.data, indices: null });
  } else {
    // the WebGPU kernel always writes the places: into scratch here
    const gpu = gpuPooling(name, g.x);
    const scratch = gpu.alloc(values.numel(), name, "int32");
    gpu.maxPool2d({ x: gpuViewOf(g.x), kernel: g.k, stride: g.s, padding: g.p, dilation: g.d, out: g.out, values: values.storage.gpu, indices: scratch });
    gpu.release(scratch);
  }
  return g.unbatch ? squeeze(values, 0) : values;
}

/**
 * Max pooling that also returns, for each output, the flat index h·W + w of the picked element
 * in its input plane (PyTorch's return_indices), as int32.
 */
export function maxPool2dWithIndices(input: Tensor, kernelSize: IntOrPair, options: MaxPool2dOptions = {}, name = "maxPool2d"): ValuesIndices {
  checkPoolArgs(name, kernelSize, options, MAX_POOL_KEYS);
  const g = geometry(name, input, kernelSize, options.stride, options.padding ?? 0, options.dilation ?? 1, options.ceilMode ?? false);
  const x = g.x;
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [oh, ow] = g.out as [number, number];
  const device = x.storage.device;
  const values = resultTensor([n, c, oh, ow], x.dtype, name, device);
  const indices = resultTensor([n, c, oh, ow], "int32", name, device);
  if (device === "cpu") {
    const idx = indices.storage.data as Int32Array;
    backend().maxPool2d({ x: viewOf(x), kernel: g.k, stride: g.s, padding: g.p, dilation: g.d, out: g.out, values: values.storage.data, indices: idx });
  } else {
    gpuPooling(name, x).maxPool2d({ x: gpuViewOf(x), kernel: g.k, stride: g.s, padding: g.p, dilation: g.d, out: g.out, values: values.storage.gpu, indices: indices.storage.gpu });
  }
  // The gradient goes to the element each window picked, summed where windows overlap.
  recordOp("MaxPool2DWithIndicesBackward0", values, [x], (gy) => [maxPoolBackward(gy, indices, [n, c, h, w])]);
  return g.unbatch ? new ValuesIndices(squeeze(values, 0), squeeze(indices, 0)) : new ValuesIndices(values, indices);
}

/** gx[n, c, indices[n, c, o]] += gy[n, c, o]; its own gradient gathers at the same indices. */
function maxPoolBackward(gy: Tensor, indices: Tensor, shape: readonly number[]): Tensor {
  const [n, c, h, w] = shape as [number, number, number, number];
  const k = indices.shape[2]! * indices.shape[3]!;
  const gc = contiguous(gy.detach());
  const device = gy.storage.device;
  // on the CPU the kernel zeroes gx as it adds into it (a chunk of planes at a time, on every thread)
  const gx = (device === "cpu" ? resultTensor : emptyTensor)(shape, gy.dtype, "maxPool2d", device);
  if (device === "cpu") {
    backend().scatterAdd(gc.storage.data.subarray(gc.offset), indices.storage.data as Int32Array, n * c, h * w, k, gx.storage.data, true);
  } else {
    // the kernels read from the buffer's start
    const from: GpuArray = (gc.offset === 0 ? gc : gc.clone()).storage.gpu;
    gpuPooling("maxPool2d", gy).scatterAdd(from, indices.storage.gpu, n * c, h * w, k, gx.storage.gpu);
  }
  return recordOp("MaxPool2DWithIndicesBackwardBackward0", gx, [gy], (gg) => [
    reshape(gather(reshape(gg, [n, c, h * w]), 2, reshape(indices, [n, c, k])), gy.shape),
  ]);
}

/**
 * Mean over each window. The divisor is the window's size clipped to the padded input, or to the
 * input itself when countIncludePad is false, or divisorOverride.
 */
export function avgPool2d(input: Tensor, kernelSize: IntOrPair, options: AvgPool2dOptions = {}, name = "avgPool2d"): Tensor {
  checkPoolArgs(name, kernelSize, options, AVG_POOL2D_KEYS);
  const { padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null } = options;
  const g = geometry(name, input, kernelSize, options.stride, padding, 1, ceilMode);
  const sums = windowSums(g);
  let out: Tensor;
  if (divisorOverride !== null) {
    if (!(divisorOverride > 0)) throw new OptionError(`${name}: divisor must be not zero, got ${divisorOverride}`);
    out = div(sums, divisorOverride);
  } else {
    const [oh, ow] = g.out as [number, number];
    const [h, w] = [g.x.shape[2]!, g.x.shape[3]!];
    const divisor = new Float64Array(oh * ow);
    const span = (o: number, i: number, size: number): [number, number] => {
      let start = o * g.s[i]! - g.p[i]!;
      let end = Math.min(start + g.k[i]!, size + g.p[i]!);
      const padded = end - start;
      start = Math.max(start, 0);
      end = Math.min(end, size);
      return [padded, end - start];
    };
    for (let a = 0; a < oh; a++) {
      for (let b = 0; b < ow; b++) {
        const [ph, rh] = span(a, 0, h);
        const [pw, rw] = span(b, 1, w);
        divisor[a * ow + b] = countIncludePad ? ph * pw : rh * rw;
      }
    }
    const device = sums.storage.device;
    if (device === "cpu") out = div(sums, fromTypedArray(divisor, [oh, ow], sums.dtype));
    // on the webgpu device: one number where every window has the same divisor, else the divisors go up in a counted upload
    else out = divisor.every((d) => d === divisor[0]) ? div(sums, divisor[0] ?? 1) : div(sums, fromTypedArray(divisor, [oh, ow], sums.dtype).to(device));
  }
  return g.unbatch ? squeeze(out, 0) : out;
}

/** 1-D forms: [N, C, L] (or [C, L]) pooled as a height-1 image. */
function as2d(name: string, input: Tensor): Tensor {
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new ShapeError(`${name}: expected 2D or 3D (batch mode) tensor for input, but got input of size ${formatShape(input.shape)}`);
  }
  return unsqueeze(input, -2);
}
/** A 1-D option as the 2-D pair (height part `lead`: 1 for sizes, 0 for padding). */
const one = (name: string, what: string, v: IntOrPair | null | undefined, min: number, lead = 1): [number, number] | null =>
  v === null || v === undefined ? null : [lead, pair(name, what, v, min, 1)[0]!];

export function maxPool1dWithIndices(input: Tensor, kernelSize: IntOrPair, options: MaxPool2dOptions = {}, name = "maxPool1d"): ValuesIndices {
  checkPoolArgs(name, kernelSize, options, MAX_POOL_KEYS);
  const k = one(name, "kernel size", kernelSize, 1)!;
  const r = maxPool2dWithIndices(as2d(name, input), k, {
    stride: one(name, "stride", options.stride, 1) ?? k,
    padding: one(name, "padding", options.padding ?? 0, 0, 0)!,
    dilation: one(name, "dilation", options.dilation ?? 1, 1)!,
    ceilMode: options.ceilMode ?? false,
  }, name);
  return new ValuesIndices(squeeze(r.values, -2), squeeze(r.indices, -2));
}

export function maxPool1d(input: Tensor, kernelSize: IntOrPair, options: MaxPool2dOptions = {}, name = "maxPool1d"): Tensor {
  checkPoolArgs(name, kernelSize, options, MAX_POOL_KEYS);
  const k = one(name, "kernel size", kernelSize, 1)!;
  const y = maxPool2d(as2d(name, input), k, {
    stride: one(name, "stride", options.stride, 1) ?? k,
    padding: one(name, "padding", options.padding ?? 0, 0, 0)!,
    dilation: one(name, "dilation", options.dilation ?? 1, 1)!,
    ceilMode: options.ceilMode ?? false,
  }, name);
  return squeeze(y, -2);
}

export function avgPool1d(input: Tensor, kernelSize: IntOrPair, options: Omit<AvgPool2dOptions, "divisorOverride"> = {}, name = "avgPool1d"): Tensor {
  checkPoolArgs(name, kernelSize, options, AVG_POOL1D_KEYS);
  const k = one(name, "kernel size", kernelSize, 1)!;
  const y = avgPool2d(as2d(name, input), k, {
    ...options,
    stride: one(name, "stride", options.stride, 1) ?? k,
    padding: one(name, "padding", options.padding ?? 0, 0, 0)!,
  }, name);
  return squeeze(y, -2);
}

/** Adaptive windows: output i covers [⌊i·H/o⌋, ⌈(i+1)·H/o⌉). */
function adaptiveSpans(size: number, out: number): [number, number][] {
  return Array.from({ length: out }, (_, i) => [Math.floor((i * size) / out), Math.ceil(((i + 1) * size) / out)]);
}

function adaptiveInput(name: string, input: Tensor, outputSize: IntOrPair | readonly (number | null)[]): [Tensor, boolean, number[]] {
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new ShapeError(`${name}: expected 3D or 4D tensor for input, but got input of size ${formatShape(input.shape)}`);
  }
  const x = input.ndim === 3 ? unsqueeze(input, 0) : input;
  const raw = typeof outputSize === "number" ? [outputSize, outputSize] : outputSize.slice();
  // null keeps the input's size, as in PyTorch.
  const size = raw.map((v, i) => (v === null ? x.shape[2 + i]! : v));
  if (size.length !== 2 || size.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new OptionError(`${name}: output size must be a positive integer or a pair of them, got ${JSON.stringify(outputSize)}`);
  }
  return [x, input.ndim === 3, size];
}

/** Average over adaptive windows so that the output is [N, C, oH, oW] whatever the input size. */
export function adaptiveAvgPool2d(input: Tensor, outputSize: IntOrPair | readonly (number | null)[]): Tensor {
  const [x, unbatch, [oh, ow]] = adaptiveInput("adaptiveAvgPool2d", input, outputSize);
  const [h, w] = [x.shape[2]!, x.shape[3]!];
  let out: Tensor;
  if (h % oh! === 0 && w % ow! === 0) {
    out = avgPool2d(x, [h / oh!, w / ow!]);
  } else {
    const rows = adaptiveSpans(h, oh!).map(([h0, h1]) =>
      stack(adaptiveSpans(w, ow!).map(([w0, w1]) => mean(narrow(narrow(x, 2, h0, h1 - h0), 3, w0, w1 - w0), [2, 3])), -1),
    );
    out = stack(rows, -2);
  }
  return unbatch ? squeeze(out, 0) : out;
}

/** Max over adaptive windows, with the flat input index of each picked element. */
export function adaptiveMaxPool2dWithIndices(input: Tensor, outputSize: IntOrPair | readonly (number | null)[]): ValuesIndices {
  const [x, unbatch, [oh, ow]] = adaptiveInput("adaptiveMaxPool2d", input, outputSize);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const values: Tensor[] = [];
  const picks: Tensor[] = [];
  const spansH = adaptiveSpans(h, oh!);
  const spansW = adaptiveSpans(w, ow!);
  for (const [h0, h1] of spansH) {
    for (const [w0, w1] of spansW) {
      const win = reshape(narrow(narrow(x, 2, h0, h1 - h0), 3, w0, w1 - w0), [n, c, (h1 - h0) * (w1 - w0)]);
      const r = maxAlong(win, -1);
      values.push(r.values);
      const li = r.indices.toTypedArray();
      picks.push(fromTypedArray(Array.from(li, (v) => (h0 + Math.floor(v / (w1 - w0))) * w + w0 + (v % (w1 - w0))), [n, c], "int32"));
    }
  }
  const v = reshape(stack(values, -1), [n, c, oh!, ow!]);
  const i = reshape(stack(picks, -1), [n, c, oh!, ow!]);
  return unbatch ? new ValuesIndices(squeeze(v, 0), squeeze(i, 0)) : new ValuesIndices(v, i);
}

export function adaptiveMaxPool2d(input: Tensor, outputSize: IntOrPair | readonly (number | null)[]): Tensor {
  return adaptiveMaxPool2dWithIndices(input, outputSize).values;
}
