/** Pooling layers: MaxPool1d/2d (optionally with indices), AvgPool1d/2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d. */
import type { Tensor } from "../../tensor/tensor.js";
import type { ValuesIndices } from "../../ops/values-indices.js";
import type { IntOrPair } from "../functional/conv.js";
import * as P from "../functional/pooling.js";
import { BOOLEAN, kind, NUMBER, NUMBER_OR_NUMBERS, type Slot, type WithOptions } from "../../ops/arguments.js";
import { readLayerArgs } from "../constructor-args.js";
import { Module } from "../module.js";

const KERNEL: Slot = ["kernelSize", NUMBER_OR_NUMBERS];
// PyTorch's positional order after the kernel size (return_indices before ceil_mode for max pooling)
const MAX_POOL_SLOTS: readonly Slot[] = [["stride", NUMBER_OR_NUMBERS], ["padding", NUMBER_OR_NUMBERS], ["dilation", NUMBER_OR_NUMBERS], ["returnIndices", BOOLEAN], ["ceilMode", BOOLEAN]];
const AVG_POOL_SLOTS: readonly Slot[] = [["stride", NUMBER_OR_NUMBERS], ["padding", NUMBER_OR_NUMBERS], ["ceilMode", BOOLEAN], ["countIncludePad", BOOLEAN], ["divisorOverride", NUMBER]];
const OUTPUT_SIZE: Slot = ["outputSize", kind("a number or an array of numbers and nulls", (v) => typeof v === "number" || (Array.isArray(v) && v.every((x) => x === null || typeof x === "number")))];

type MaxPoolArgs<R extends boolean> = WithOptions<[stride: IntOrPair | null, padding: IntOrPair, dilation: IntOrPair, returnIndices: R, ceilMode: boolean], MaxPoolOptions<R>>;
type AvgPoolArgs = WithOptions<[stride: IntOrPair | null, padding: IntOrPair, ceilMode: boolean, countIncludePad: boolean, divisorOverride: number | null], P.AvgPool2dOptions>;

const show = (v: IntOrPair | null | undefined | readonly (number | null)[]) =>
  v === null || v === undefined ? "None" : typeof v === "number" ? String(v) : `(${v.map((x) => (x === null ? "None" : x)).join(", ")})`;

export interface MaxPoolOptions<R extends boolean = boolean> extends P.MaxPool2dOptions {
  /** Return { values, indices } from forward (PyTorch's return_indices). */
  returnIndices?: R;
}

/** What forward returns: the pooled values, or with returnIndices: true also the flat input indices. */
export type PoolOutput<R extends boolean> = R extends true ? ValuesIndices : Tensor;

abstract class MaxPoolNd<R extends boolean> extends Module<[input: Tensor], PoolOutput<R>> {
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly dilation: IntOrPair;
  readonly ceilMode: boolean;
  readonly returnIndices: boolean;
  constructor(layer: string, readonly kernelSize: IntOrPair, args: readonly unknown[]) {
    super();
    const { stride, padding = 0, dilation = 1, ceilMode = false, returnIndices } = readLayerArgs<MaxPoolOptions<R>>(layer, [kernelSize, ...args], { required: [KERNEL], positional: MAX_POOL_SLOTS });
    this.stride = stride ?? kernelSize;
    this.padding = padding;
    this.dilation = dilation;
    this.ceilMode = ceilMode;
    this.returnIndices = returnIndices ?? false;
  }
  protected get options(): P.MaxPool2dOptions {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
  }
  override extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}, dilation=${show(this.dilation)}, ceil_mode=${this.ceilMode ? "True" : "False"}`;
  }
}

/** Max over k×k windows of [N, C, H, W] (or [C, H, W]); with returnIndices, `{ values, indices }`. */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> {
  /** PyTorch's `(kernelSize, stride, padding, dilation, returnIndices, ceilMode)`, or options after the kernel size. */
  constructor(kernelSize: IntOrPair, ...args: MaxPoolArgs<R>) {
    super("MaxPool2d", kernelSize, args);
  }
  forward(input: Tensor): PoolOutput<R> {
    if (!this.returnIndices) return P.maxPool2d(input, this.kernelSize, this.options, "MaxPool2d") as PoolOutput<R>;
    return P.maxPool2dWithIndices(input, this.kernelSize, this.options, "MaxPool2d") as PoolOutput<R>;
  }
  /** Both the values and the flat input indices, whatever returnIndices says. */
  forwardWithIndices(input: Tensor): ValuesIndices {
    return P.maxPool2dWithIndices(input, this.kernelSize, this.options, "MaxPool2d");
  }
}

/** Max over windows of [N, C, L] (or [C, L]). */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  /** PyTorch's `(kernelSize, stride, padding, dilation, returnIndices, ceilMode)`, or options after the kernel size. */
  constructor(kernelSize: IntOrPair, ...args: MaxPoolArgs<R>) {
    super("MaxPool1d", kernelSize, args);
  }
  forward(input: Tensor): PoolOutput<R> {
    if (!this.returnIndices) return P.maxPool1d(input, this.kernelSize, this.options, "MaxPool1d") as PoolOutput<R>;
    return P.maxPool1dWithIndices(input, this.kernelSize, this.options, "MaxPool1d") as PoolOutput<R>;
  }
  forwardWithIndices(input: Tensor): ValuesIndices {
    return P.maxPool1dWithIndices(input, this.kernelSize, this.options, "MaxPool1d");
  }
}

abstract class AvgPoolNd extends Module {
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(layer: string, readonly kernelSize: IntOrPair, args: readonly unknown[], slots: readonly Slot[]) {
    super();
    const { stride, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null } = readLayerArgs<P.AvgPool2dOptions>(layer, [kernelSize, ...args], { required: [KERNEL], positional: slots });
    this.stride = stride ?? kernelSize;
    this.padding = padding;
    this.ceilMode = ceilMode;
    this.countIncludePad = countIncludePad;
    this.divisorOverride = divisorOverride;
  }
  protected get options(): P.AvgPool2dOptions {
    return { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride };
  }
  override extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}`;
  }
}

/** Mean over windows of [N, C, H, W] (or [C, H, W]). */
export class AvgPool2d extends AvgPoolNd {
  /** PyTorch's `(kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride)`, or options after the kernel size. */
  constructor(kernelSize: IntOrPair, ...args: AvgPoolArgs) {
    super("AvgPool2d", kernelSize, args, AVG_POOL_SLOTS);
  }
  forward(input: Tensor): Tensor {
    return P.avgPool2d(input, this.kernelSize, this.options, "AvgPool2d");
  }
}

/** Mean over windows of [N, C, L] (or [C, L]). */
export class AvgPool1d extends AvgPoolNd {
  /** PyTorch's `(kernelSize, stride, padding, ceilMode, countIncludePad)`, or options after the kernel size. */
  constructor(kernelSize: IntOrPair, ...args: WithOptions<[stride: IntOrPair | null, padding: IntOrPair, ceilMode: boolean, countIncludePad: boolean], Omit<P.AvgPool2dOptions, "divisorOverride">>) {
    super("AvgPool1d", kernelSize, args, AVG_POOL_SLOTS.slice(0, 4));
  }
  forward(input: Tensor): Tensor {
    const { divisorOverride: _unused, ...options } = this.options;
    return P.avgPool1d(input, this.kernelSize, options, "AvgPool1d");
  }
}

type OutputSize = IntOrPair | readonly (number | null)[];

/** Mean over adaptive windows: output [N, C, oH, oW] for any input size. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: OutputSize, ...rest: []) {
    super();
    readLayerArgs("AdaptiveAvgPool2d", [outputSize, ...rest], { required: [OUTPUT_SIZE] });
  }
  forward(input: Tensor): Tensor {
    return P.adaptiveAvgPool2d(input, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${show(this.outputSize)}`;
  }
}

/** Max over adaptive windows: output [N, C, oH, oW] for any input size. */
export class AdaptiveMaxPool2d<R extends boolean = false> extends Module<[input: Tensor], PoolOutput<R>> {
  readonly returnIndices: boolean;
  /** PyTorch's `(outputSize, returnIndices)`, or options after the size. */
  constructor(readonly outputSize: OutputSize, ...args: WithOptions<[returnIndices: R], { returnIndices?: R }>) {
    super();
    const { returnIndices } = readLayerArgs<{ returnIndices: R }>("AdaptiveMaxPool2d", [outputSize, ...args], { required: [OUTPUT_SIZE], positional: [["returnIndices", BOOLEAN]] });
    this.returnIndices = returnIndices ?? false;
  }
  forward(input: Tensor): PoolOutput<R> {
    const r = P.adaptiveMaxPool2dWithIndices(input, this.outputSize);
    return (this.returnIndices ? r : r.values) as PoolOutput<R>;
  }
  override extraRepr(): string {
    return `output_size=${show(this.outputSize)}`;
  }
}
