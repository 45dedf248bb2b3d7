/**
 * 3-D convolution over [N, C, D, H, W] (or unbatched [C, D, H, W]) with weight
 * [out, in/groups, kD, kH, kW], as one 2-D convolution whose channels are the depth taps:
 *
 *   out[n, :, od] = Σ_i conv2d(xp[n, :, od·sD + i·dD], W[:, :, i]) + b
 *                 = conv2d([xp[n, :, od·sD + i·dD] for each tap i, as channels], W as [O, kD·C/g, kH, kW]) + b
 *
 * where xp is the zero-padded input. Each tap's depth slices are a strided view (slice with
 * step sD); the gradients come from conv2d's, the stack's and the slices'.
 */
import { formatShape, OptionError, ShapeError } from "../../errors.js";
import { add } from "../../ops/elementwise.js";
import { stack } from "../../ops/join.js";
import { permute, reshape, slice, squeeze, unsqueeze } from "../../ops/shape.js";
import { pad, windowCount } from "../../ops/unfold.js";
import type { Tensor } from "../../tensor/tensor.js";
import { checkConvArgs, conv2dImpl, pair, type IntOrPair } from "./conv.js";
import { optionKeys } from "../../ops/options.js";

export interface Conv3dOptions {
  stride?: IntOrPair;
  /** Zero padding on each side, or "valid" (none) or "same" (output size = input size; stride 1 only). */
  padding?: IntOrPair | "same" | "valid";
  dilation?: IntOrPair;
  groups?: number;
}

/** [left, right] zero padding per spatial dim (D, H, W) from a conv's padding option. */
function paddings3d(name: string, padding: Conv3dOptions["padding"], kernel: number[], stride: number[], dilation: number[]): [number, number][] {
  if (padding === "valid") return [[0, 0], [0, 0], [0, 0]];
  if (padding === "same") {
    if (stride.some((s) => s !== 1)) throw new OptionError(`${name}: padding='same' is not supported for strided convolutions`);
    // total d·(k − 1) per dim, the odd one extra on the right, as PyTorch does
    return kernel.map((k, i) => {
      const total = dilation[i]! * (k - 1);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
  }
  if (typeof padding === "string") throw new OptionError(`${name}: padding must be a number, 3 numbers, "same" or "valid", got "${padding}"`);
  return pair(name, "padding", padding ?? 0, 0, 3).map((p) => [p, p]);
}

/** The shared body of F.conv3d and nn.Conv3d; `name` starts every error message. */
const CONV3D_KEYS = optionKeys<Conv3dOptions>({ stride: true, padding: true, dilation: true, groups: true });

export function conv3dImpl(name: string, input: Tensor, weight: Tensor, bias: Tensor | null, options: Conv3dOptions = {}): Tensor {
  checkConvArgs(name, bias, options, CONV3D_KEYS);
  if (weight.ndim !== 5) throw new ShapeError(`${name}: expected a 5-D weight [out, in/groups, kD, kH, kW], got ${formatShape(weight.shape)}`);
  if (input.ndim !== 4 && input.ndim !== 5) {
    throw new ShapeError(`${name}: expected 4D (unbatched) or 5D (batched) input, but got input of size ${formatShape(input.shape)} (weight of size ${formatShape(weight.shape)})`);
  }
  const x = input.ndim === 4 ? unsqueeze(input, 0) : input;
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new OptionError(`${name}: groups must be a positive integer, got ${groups}`);
  const [outC, inPerGroup, kd, kh, kw] = weight.shape as [number, number, number, number, number];
  if (outC % groups !== 0) throw new OptionError(`${name}: out_channels (${outC}) must be divisible by groups (${groups})`);
  if (x.shape[1] !== inPerGroup * groups) {
    throw new ShapeError(
      `${name}: given groups=${groups}, weight of size ${formatShape(weight.shape)}, expected input ${formatShape(input.shape)} ` +
        `to have ${inPerGroup * groups} channels, but got ${x.shape[1]} channels instead`,
    );
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outC)) throw new ShapeError(`${name}: expected bias of shape [${outC}], got ${formatShape(bias.shape)}`);
  const stride = pair(name, "stride", options.stride ?? 1, 1, 3);
  const dilation = pair(name, "dilation", options.dilation ?? 1, 1, 3);
  const pads = paddings3d(name, options.padding, [kd, kh, kw], stride, dilation);
  const xp = pad(x, [...pads[2]!, ...pads[1]!, ...pads[0]!]);
  const [n, c, dp, hp, wp] = xp.shape as [number, number, number, number, number];
  const size = [dp, hp, wp].map((s, i) => windowCount(s, [kd, kh, kw][i]!, stride[i]!, dilation[i]!));
  if (size.some((s) => s <= 0)) {
    throw new ShapeError(
      `${name}: calculated padded input size per channel: (${dp} x ${hp} x ${wp}). Kernel size: (${[kd, kh, kw].map((k, i) => dilation[i]! * (k - 1) + 1).join(" x ")}). ` +
        `Kernel size can't be greater than actual input size (input ${formatShape(input.shape)}, weight ${formatShape(weight.shape)})`,
    );
  }
  const od = size[0]!;
  // The depth taps side by side as channels: [N, C, kD, oD, Hp, Wp] → [N·oD, groups·kD·C/groups, Hp, Wp],
  // each group's channels tap-major, to meet the weight [O, C/g, kD, kH, kW] → [O, kD·C/g, kH, kW].
  const taps = Array.from({ length: kd }, (_, i) => slice(xp, 2, i * dilation[0]!, i * dilation[0]! + (od - 1) * stride[0]! + 1, stride[0]!));
  const stacked = reshape(stack(taps, 2), [n, groups, c / groups, kd, od, hp, wp]);
  const batch = reshape(permute(stacked, [0, 4, 1, 3, 2, 5, 6]), [n * od, c * kd, hp, wp]);
  const w2 = reshape(permute(weight, [0, 2, 1, 3, 4]), [outC, kd * inPerGroup, kh, kw]);
  const out = conv2dImpl(name, batch, w2, null, { stride: stride.slice(1), dilation: dilation.slice(1), groups });
  let y = permute(reshape(out, [n, od, outC, size[1]!, size[2]!]), [0, 2, 1, 3, 4]);
  if (bias !== null) y = add(y, reshape(bias, [outC, 1, 1, 1]));
  return input.ndim === 4 ? squeeze(y, 0) : y;
}

/** 3-D convolution (PyTorch's F.conv3d). */
export function conv3d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv3dOptions = {}): Tensor {
  return conv3dImpl("conv3d", input, weight, bias, options);
}
