/**
 * Convolution layers: Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, with PyTorch's parameter shapes, default
 * initialisation (kaiming_uniform with a = √5, i.e. U(−1/√fanIn, 1/√fanIn) for weight and bias)
 * and repr. The work is in nn/functional/conv.ts and conv3d.ts.
 */
import { OptionError } from "../../errors.js";
import { BOOLEAN, NUMBER, NUMBER_OR_NUMBERS, oneOf, STRING, type Slot, type WithOptions } from "../../ops/arguments.js";
import { zeros } from "../../ops/creation.js";
import type { DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { conv1dImpl, conv2dImpl, convTranspose1dImpl, convTranspose2dImpl, pair, type IntOrPair } from "../functional/conv.js";
import { conv3dImpl } from "../functional/conv3d.js";
import { defaultLayerInit_ } from "../init.js";
import { DTYPE_OPTION, readLayerArgs } from "../constructor-args.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";

export interface ConvOptions {
  stride?: IntOrPair;
  padding?: IntOrPair | "same" | "valid";
  dilation?: IntOrPair;
  groups?: number;
  bias?: boolean;
  /** Only "zeros" is supported. */
  paddingMode?: "zeros";
  dtype?: DType;
}

/** Python's tuple repr: (3, 3) or (3,). */
const tuple = (v: readonly number[]) => (v.length === 1 ? `(${v[0]},)` : `(${v.join(", ")})`);

/** The parts shared by every convolution: parameters, initialisation, repr. */
abstract class ConvNd extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "same" | "valid";
  readonly dilation: number[];
  readonly outputPadding: number[];

  constructor(
    protected readonly layer: string,
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: IntOrPair,
    spatial: number,
    readonly groups: number,
    transposed: boolean,
    options: ConvOptions & { outputPadding?: IntOrPair },
  ) {
    super();
    const { stride = 1, padding = 0, dilation = 1, bias = true, paddingMode = "zeros", dtype = "float32", outputPadding = 0 } = options;
    for (const [what, v] of [["in_channels", inChannels], ["out_channels", outChannels]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new OptionError(`${layer}: ${what} must be a positive integer, got ${v}`);
    }
    if (!Number.isInteger(groups) || groups <= 0) throw new OptionError(`${layer}: groups must be a positive integer, got ${groups}`);
    if (inChannels % groups !== 0) throw new OptionError(`${layer}: in_channels must be divisible by groups (${inChannels} and ${groups})`);
    if (outChannels % groups !== 0) throw new OptionError(`${layer}: out_channels must be divisible by groups (${outChannels} and ${groups})`);
    if (paddingMode !== "zeros") throw new OptionError(`${layer}: only paddingMode "zeros" is supported, got ${JSON.stringify(paddingMode)}`);
    this.kernelSize = pair(layer, "kernel size", kernelSize, 1, spatial);
    this.stride = pair(layer, "stride", stride, 1, spatial);
    this.dilation = pair(layer, "dilation", dilation, 1, spatial);
    this.outputPadding = pair(layer, "output padding", outputPadding, 0, spatial);
    if (padding === "same" || padding === "valid") {
      if (padding === "same" && this.stride.some((s) => s !== 1)) throw new OptionError(`${layer}: padding='same' is not supported for strided convolutions`);
      this.padding = padding;
    } else {
      this.padding = pair(layer, "padding", padding, 0, spatial);
    }
    const shape = transposed
      ? [inChannels, outChannels / groups, ...this.kernelSize]
      : [outChannels, inChannels / groups, ...this.kernelSize];
    this.weight = new Parameter(zeros(shape, { dtype }));
    this.bias = bias ? new Parameter(zeros([outChannels], { dtype })) : null;
    this.resetParameters();
  }

  /** PyTorch's default: kaiming_uniform(a = √5) for the weight, U(−1/√fanIn, 1/√fanIn) for the bias. */
  resetParameters(): void {
    defaultLayerInit_(this.weight, this.bias);
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${tuple(this.kernelSize)}, stride=${tuple(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${tuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${tuple(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${tuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    return s;
  }
}

// PyTorch's positional order after (inChannels, outChannels, kernelSize)
const SIZES: readonly Slot[] = [["inChannels", NUMBER], ["outChannels", NUMBER], ["kernelSize", NUMBER_OR_NUMBERS]];
const CONV_SLOTS: readonly Slot[] = [["stride", NUMBER_OR_NUMBERS], ["padding", oneOf(NUMBER_OR_NUMBERS, STRING)], ["dilation", NUMBER_OR_NUMBERS], ["groups", NUMBER], ["bias", BOOLEAN], ["paddingMode", STRING]];
const TRANSPOSE_SLOTS: readonly Slot[] = [["stride", NUMBER_OR_NUMBERS], ["padding", NUMBER_OR_NUMBERS], ["outputPadding", NUMBER_OR_NUMBERS], ["groups", NUMBER], ["bias", BOOLEAN], ["dilation", NUMBER_OR_NUMBERS], ["paddingMode", STRING]];

/** After the kernel size: PyTorch's stride, padding, dilation, groups, bias, paddingMode, or options. */
type ConvArgs = WithOptions<[stride: IntOrPair, padding: IntOrPair | "same" | "valid", dilation: IntOrPair, groups: number, bias: boolean, paddingMode: "zeros"], ConvOptions>;

function convOptions<O extends ConvOptions>(layer: string, sizes: readonly unknown[], rest: readonly unknown[], transposed = false): O {
  return readLayerArgs<O>(layer, [...sizes, ...rest], { required: SIZES, positional: transposed ? TRANSPOSE_SLOTS : CONV_SLOTS, keywordOnly: [DTYPE_OPTION] }) as O;
}

/** 2-D convolution: [N, Cin, H, W] (or [Cin, H, W]) → [N, Cout, H', W']; weight [Cout, Cin/groups, kH, kW]. */
export class Conv2d extends ConvNd {
  /** After the kernel size: an options object, or PyTorch's positional stride, padding, dilation, groups, bias. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrPair, ...rest: ConvArgs) {
    const options = convOptions<ConvOptions>("Conv2d", [inChannels, outChannels, kernelSize], rest);
    super("Conv2d", inChannels, outChannels, kernelSize, 2, options.groups ?? 1, false, options);
  }
  forward(input: Tensor): Tensor {
    return conv2dImpl("Conv2d", input, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

/** 1-D convolution: [N, Cin, L] (or [Cin, L]) → [N, Cout, L']; weight [Cout, Cin/groups, k]. */
export class Conv1d extends ConvNd {
  /** After the kernel size: an options object, or PyTorch's positional stride, padding, dilation, groups, bias. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrPair, ...rest: ConvArgs) {
    const options = convOptions<ConvOptions>("Conv1d", [inChannels, outChannels, kernelSize], rest);
    super("Conv1d", inChannels, outChannels, kernelSize, 1, options.groups ?? 1, false, options);
  }
  forward(input: Tensor): Tensor {
    return conv1dImpl("Conv1d", input, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

/** 3-D convolution: [N, Cin, D, H, W] (or [Cin, D, H, W]) → [N, Cout, D', H', W']; weight [Cout, Cin/groups, kD, kH, kW]. */
export class Conv3d extends ConvNd {
  /** After the kernel size: an options object, or PyTorch's positional stride, padding, dilation, groups, bias. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrPair, ...rest: ConvArgs) {
    const options = convOptions<ConvOptions>("Conv3d", [inChannels, outChannels, kernelSize], rest);
    super("Conv3d", inChannels, outChannels, kernelSize, 3, options.groups ?? 1, false, options);
  }
  forward(input: Tensor): Tensor {
    return conv3dImpl("Conv3d", input, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

export interface ConvTransposeOptions extends Omit<ConvOptions, "padding"> {
  padding?: IntOrPair;
  outputPadding?: IntOrPair;
}

type ConvTransposeArgs = WithOptions<[stride: IntOrPair, padding: IntOrPair, outputPadding: IntOrPair, groups: number, bias: boolean, dilation: IntOrPair, paddingMode: "zeros"], ConvTransposeOptions>;

/**
 * Transposed 2-D convolution (the adjoint of Conv2d, for upsampling): weight [Cin, Cout/groups, kH, kW],
 * output size (H − 1)·s − 2p + d·(k − 1) + outputPadding + 1.
 */
export class ConvTranspose2d extends ConvNd {
  /** After the kernel size: PyTorch's stride, padding, outputPadding, groups, bias, dilation, paddingMode, or options. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrPair, ...rest: ConvTransposeArgs) {
    const options = convOptions<ConvTransposeOptions>("ConvTranspose2d", [inChannels, outChannels, kernelSize], rest, true);
    super("ConvTranspose2d", inChannels, outChannels, kernelSize, 2, options.groups ?? 1, true, options);
  }
  forward(input: Tensor): Tensor {
    return convTranspose2dImpl("ConvTranspose2d", input, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding as number[],
      outputPadding: this.outputPadding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}

/**
 * Transposed 1-D convolution (the adjoint of Conv1d): [N, Cin, L] (or [Cin, L]) → [N, Cout, L'];
 * weight [Cin, Cout/groups, k], L' = (L − 1)·s − 2p + d·(k − 1) + outputPadding + 1.
 */
export class ConvTranspose1d extends ConvNd {
  /** After the kernel size: PyTorch's stride, padding, outputPadding, groups, bias, dilation, paddingMode, or options. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrPair, ...rest: ConvTransposeArgs) {
    const options = convOptions<ConvTransposeOptions>("ConvTranspose1d", [inChannels, outChannels, kernelSize], rest, true);
    super("ConvTranspose1d", inChannels, outChannels, kernelSize, 1, options.groups ?? 1, true, options);
  }
  forward(input: Tensor): Tensor {
    return convTranspose1dImpl("ConvTranspose1d", input, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding as number[],
      outputPadding: this.outputPadding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}
