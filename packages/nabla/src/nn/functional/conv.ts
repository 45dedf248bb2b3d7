/**
 * Convolutions: conv1d and conv2d (and conv3d, in conv3d.ts) are the convolution op of
 * src/ops/convolution.ts, whose kernels multiply im2col columns by the weight group by group,
 *
 *   out[n, g·Og + o, p] = Σ_k W[g, o, k] · cols[n, g, k, p] + b[g·Og + o]
 *
 * with k running over (input channel of the group, kernel row, kernel column) and p over output
 * positions, a block of samples at a time so that the columns stay within a fixed scratch budget
 * (setConvolutionScratch); the zero padding is read as zeros, never materialised. The transposed
 * convolutions are that op's input gradient, convolutionInput.
 */
import { formatShape, OptionError, ShapeError } from "../../errors.js";
import type { Conv2dGeometry } from "../../backend/convolution.js";
import { add } from "../../ops/elementwise.js";
import { convolution, convolutionInput } from "../../ops/convolution.js";
import { reshape, squeeze, unsqueeze } from "../../ops/shape.js";
import { windowCount, type Pair } from "../../ops/unfold.js";
import { Tensor } from "../../tensor/tensor.js";
import { checkOptions, describe, isPlainObject, optionKeys } from "../../ops/options.js";

export type IntOrPair = number | readonly number[];

export interface Conv2dOptions {
  stride?: IntOrPair;
  /** Zero padding on each side, or "valid" (none) or "same" (output size = input size; stride 1 only). */
  padding?: IntOrPair | "same" | "valid";
  dilation?: IntOrPair;
  groups?: number;
}

export interface ConvTranspose2dOptions {
  stride?: IntOrPair;
  padding?: IntOrPair;
  outputPadding?: IntOrPair;
  groups?: number;
  dilation?: IntOrPair;
}

const CONV_KEYS = optionKeys<Conv2dOptions>({ stride: true, padding: true, dilation: true, groups: true });
const CONV_TRANSPOSE_KEYS = optionKeys<ConvTranspose2dOptions>({ stride: true, padding: true, outputPadding: true, groups: true, dilation: true });

/**
 * The slots before a conv's options, checked first: a bias that is not a Tensor or null is most
 * often the options object one slot early (`conv2d(x, w, { stride: 2 })`), which would otherwise
 * fail far inside with an unrelated message.
 */
export function checkConvArgs(name: string, bias: unknown, options: unknown, keys: readonly string[]): void {
  if (bias !== null && bias !== undefined && !(bias instanceof Tensor)) {
    const hint = isPlainObject(bias) ? ` (the options come after the bias: ${name}(input, weight, null, { ... }))` : "";
    throw new TypeError(`${name}: expected bias (argument 3) to be a Tensor or null, got ${describe(bias)}${hint}`);
  }
  checkOptions(name, options, keys);
}

/** Expands 3 or [3, 3] to a pair and checks it. */
export function pair(name: string, what: string, v: IntOrPair, min: number, n = 2): number[] {
  const out: unknown[] = typeof v === "number" ? new Array<number>(n).fill(v) : Array.isArray(v) ? v.slice() : [];
  if (out.length !== n || out.some((x) => !Number.isInteger(x) || (x as number) < min)) {
    throw new OptionError(`${name}: ${what} must be ${n === 1 ? "an integer" : `an integer or ${n} integers`} >= ${min}, got ${JSON.stringify(v)}`);
  }
  return out as number[];
}

/** Accepts [N, C, H, W] or an unbatched [C, H, W] (PyTorch's rule); returns the batched input and whether to squeeze. */
function batched(name: string, input: Tensor, weight: Tensor, spatial: number): [Tensor, boolean] {
  if (input.ndim === spatial + 2) return [input, false];
  if (input.ndim === spatial + 1) return [unsqueeze(input, 0), true];
  throw new ShapeError(
    `${name}: expected ${spatial + 1}D (unbatched) or ${spatial + 2}D (batched) input, but got input of size ${formatShape(input.shape)} ` +
      `(weight of size ${formatShape(weight.shape)})`,
  );
}

function checkGroups(name: string, groups: number, inC: number, outC: number): void {
  if (!Number.isInteger(groups) || groups < 1) throw new OptionError(`${name}: groups must be a positive integer, got ${groups}`);
  if (inC % groups !== 0 || outC % groups !== 0) {
    throw new OptionError(`${name}: in_channels (${inC}) and out_channels (${outC}) must both be divisible by groups (${groups})`);
  }
}

/** [left, right, top, bottom] paddings for F.pad from a conv's padding option. */
function paddings(name: string, padding: Conv2dOptions["padding"], kernel: Pair, stride: number[], dilation: number[]): number[] {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding === "same") {
    if (stride.some((s) => s !== 1)) throw new OptionError(`${name}: padding='same' is not supported for strided convolutions`);
    // Total d·(k − 1) per dim, the odd one extra on the right/bottom as PyTorch does.
    const [th, tw] = [dilation[0]! * (kernel[0]! - 1), dilation[1]! * (kernel[1]! - 1)];
    return [Math.floor(tw / 2), tw - Math.floor(tw / 2), Math.floor(th / 2), th - Math.floor(th / 2)];
  }
  if (typeof padding === "string") throw new OptionError(`${name}: padding must be a number, a pair, "same" or "valid", got "${padding}"`);
  const [ph, pw] = pair(name, "padding", padding ?? 0, 0);
  return [pw!, pw!, ph!, ph!];
}

/** The shared body of conv1d/conv2d and the Conv modules; `name` starts every error message. */
export function conv2dImpl(name: string, input: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions = {}): Tensor {
  checkConvArgs(name, bias, options, CONV_KEYS);
  if (weight.ndim !== 4) throw new ShapeError(`${name}: expected a 4-D weight [out, in/groups, kH, kW], got ${formatShape(weight.shape)}`);
  const [x, unbatch] = batched(name, input, weight, 2);
  const groups = options.groups ?? 1;
  const [outC, inPerGroup, kh, kw] = weight.shape as [number, number, number, number];
  checkGroups(name, groups, inPerGroup * groups, outC);
  const inC = x.shape[1]!;
  if (inC !== inPerGroup * groups) {
    throw new ShapeError(
      `${name}: given groups=${groups}, weight of size ${formatShape(weight.shape)}, expected input ${formatShape(input.shape)} ` +
        `to have ${inPerGroup * groups} channels, but got ${inC} channels instead`,
    );
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outC)) {
    throw new ShapeError(`${name}: expected bias of shape [${outC}], got ${formatShape(bias.shape)}`);
  }
  const stride = pair(name, "stride", options.stride ?? 1, 1);
  const dilation = pair(name, "dilation", options.dilation ?? 1, 1);
  const pads = paddings(name, options.padding, [kh, kw], stride, dilation);
  // the padded size; the padding itself is read as zeros by the kernels
  const [h, w] = [x.shape[2]! + pads[2]! + pads[3]!, x.shape[3]! + pads[0]! + pads[1]!];
  const oh = windowCount(h, kh, stride[0]!, dilation[0]!);
  const ow = windowCount(w, kw, stride[1]!, dilation[1]!);
  if (oh <= 0 || ow <= 0) {
    throw new ShapeError(
      `${name}: calculated padded input size per channel: (${h} x ${w}). Kernel size: (${dilation[0]! * (kh - 1) + 1} x ${dilation[1]! * (kw - 1) + 1}). ` +
        `Kernel size can't be greater than actual input size (input ${formatShape(input.shape)}, weight ${formatShape(weight.shape)})`,
    );
  }
  const [n, , ih, iw] = x.shape as [number, number, number, number];
  const g: Conv2dGeometry = {
    n, c: inC, h: ih, w: iw, o: outC, groups, kh, kw,
    sh: stride[0]!, sw: stride[1]!, ph: pads[2]!, pw: pads[0]!, dh: dilation[0]!, dw: dilation[1]!, oh, ow,
  };
  const out = convolution(x, weight, bias, g, name);
  return unbatch ? squeeze(out, 0) : out;
}

/** 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]) with weight [out, in/groups, kH, kW]. */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  return conv2dImpl("conv2d", input, weight, bias, options);
}

/** conv1d as conv2d over a height of 1. */
export function conv1dImpl(name: string, input: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions = {}): Tensor {
  checkConvArgs(name, bias, options, CONV_KEYS);
  if (weight.ndim !== 3) throw new ShapeError(`${name}: expected a 3-D weight [out, in/groups, k], got ${formatShape(weight.shape)}`);
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new ShapeError(
      `${name}: expected 2D (unbatched) or 3D (batched) input, but got input of size ${formatShape(input.shape)} (weight of size ${formatShape(weight.shape)})`,
    );
  }
  const groups = options.groups ?? 1;
  const inC = input.shape[input.ndim - 2]!;
  if (inC !== weight.shape[1]! * groups) {
    throw new ShapeError(
      `${name}: given groups=${groups}, weight of size ${formatShape(weight.shape)}, expected input ${formatShape(input.shape)} ` +
        `to have ${weight.shape[1]! * groups} channels, but got ${inC} channels instead`,
    );
  }
  const one = (v: IntOrPair | undefined, what: string, min: number, dflt: number) => [1, pair(name, what, v ?? dflt, min, 1)[0]!] as const;
  const padding = typeof options.padding === "string" ? options.padding : [0, pair(name, "padding", options.padding ?? 0, 0, 1)[0]!];
  const y = conv2dImpl(name, unsqueeze(input, -2), unsqueeze(weight, 2), bias, {
    stride: one(options.stride, "stride", 1, 1),
    dilation: one(options.dilation, "dilation", 1, 1),
    padding,
    groups: options.groups ?? 1,
  });
  return squeeze(y, -2);
}

/** 1-D convolution over [N, C, L] (or unbatched [C, L]) with weight [out, in/groups, k]. */
export function conv1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  return conv1dImpl("conv1d", input, weight, bias, options);
}

/**
 * Transposed convolution (the gradient of conv2d with respect to its input) with weight
 * [in, out/groups, kH, kW]. Output size per dim: (H − 1)·s − 2p + d·(k − 1) + outputPadding + 1.
 */
export function convTranspose2dImpl(name: string, input: Tensor, weight: Tensor, bias: Tensor | null, options: ConvTranspose2dOptions = {}): Tensor {
  checkConvArgs(name, bias, options, CONV_TRANSPOSE_KEYS);
  if (weight.ndim !== 4) throw new ShapeError(`${name}: expected a 4-D weight [in, out/groups, kH, kW], got ${formatShape(weight.shape)}`);
  const [x, unbatch] = batched(name, input, weight, 2);
  const groups = options.groups ?? 1;
  const [inC, outPerGroup, kh, kw] = weight.shape as [number, number, number, number];
  checkGroups(name, groups, inC, outPerGroup * groups);
  if (x.shape[1] !== inC) {
    throw new ShapeError(
      `${name}: given transposed=1, weight of size ${formatShape(weight.shape)}, expected input ${formatShape(input.shape)} ` +
        `to have ${inC} channels, but got ${x.shape[1]} channels instead`,
    );
  }
  const outC = outPerGroup * groups;
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outC)) {
    throw new ShapeError(`${name}: expected bias of shape [${outC}], got ${formatShape(bias.shape)}`);
  }
  const stride = pair(name, "stride", options.stride ?? 1, 1);
  const dilation = pair(name, "dilation", options.dilation ?? 1, 1);
  const padding = pair(name, "padding", options.padding ?? 0, 0);
  const outputPadding = pair(name, "outputPadding", options.outputPadding ?? 0, 0);
  for (let d = 0; d < 2; d++) {
    if (outputPadding[d]! >= Math.max(stride[d]!, dilation[d]!)) {
      throw new OptionError(`${name}: output padding must be smaller than either stride or dilation, got outputPadding ${formatShape(outputPadding)}`);
    }
  }
  const [n, , h, w] = x.shape as [number, number, number, number];
  const full = [0, 1].map((d) => ([h, w][d]! - 1) * stride[d]! + dilation[d]! * ([kh, kw][d]! - 1) + 1 + outputPadding[d]!);
  const size = full.map((f, d) => f - 2 * padding[d]!);
  if (size.some((s) => s <= 0)) throw new ShapeError(`${name}: output size ${formatShape(size)} is too small for input ${formatShape(input.shape)}`);
  // the gradient of the convolution of an image of `size` (padded by `padding`) into one of [h, w]
  const g: Conv2dGeometry = {
    n, c: outC, h: size[0]!, w: size[1]!, o: inC, groups, kh, kw,
    sh: stride[0]!, sw: stride[1]!, ph: padding[0]!, pw: padding[1]!, dh: dilation[0]!, dw: dilation[1]!, oh: h, ow: w,
  };
  let out = convolutionInput(x, weight, g, name);
  if (bias !== null) out = add(out, reshape(bias, [outC, 1, 1]));
  return unbatch ? squeeze(out, 0) : out;
}

export function convTranspose2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTranspose2dOptions = {}): Tensor {
  return convTranspose2dImpl("convTranspose2d", input, weight, bias, options);
}

export interface ConvTranspose1dOptions {
  stride?: IntOrPair;
  padding?: IntOrPair;
  outputPadding?: IntOrPair;
  groups?: number;
  dilation?: IntOrPair;
}

/** convTranspose1d as convTranspose2d over a height of 1: weight [in, out/groups, k]. */
export function convTranspose1dImpl(name: string, input: Tensor, weight: Tensor, bias: Tensor | null, options: ConvTranspose1dOptions = {}): Tensor {
  checkConvArgs(name, bias, options, CONV_TRANSPOSE_KEYS);
  if (weight.ndim !== 3) throw new ShapeError(`${name}: expected a 3-D weight [in, out/groups, k], got ${formatShape(weight.shape)}`);
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new ShapeError(
      `${name}: expected 2D (unbatched) or 3D (batched) input, but got input of size ${formatShape(input.shape)} (weight of size ${formatShape(weight.shape)})`,
    );
  }
  const one = (v: IntOrPair | undefined, what: string, min: number, dflt: number) => [min === 0 ? 0 : 1, pair(name, what, v ?? dflt, min, 1)[0]!];
  const y = convTranspose2dImpl(name, unsqueeze(input, -2), unsqueeze(weight, 2), bias, {
    stride: one(options.stride, "stride", 1, 1),
    dilation: one(options.dilation, "dilation", 1, 1),
    padding: one(options.padding, "padding", 0, 0),
    outputPadding: one(options.outputPadding, "outputPadding", 0, 0),
    groups: options.groups ?? 1,
  });
  return squeeze(y, -2);
}

/** Transposed 1-D convolution over [N, Cin, L] (or [Cin, L]) with weight [in, out/groups, k]. */
export function convTranspose1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTranspose1dOptions = {}): Tensor {
  return convTranspose1dImpl("convTranspose1d", input, weight, bias, options);
}
