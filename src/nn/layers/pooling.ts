/** Pooling layers: MaxPool1d/2d (optionally with indices), AvgPool1d/2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d. */
import type { Tensor } from "../../tensor/tensor.js";
import type { IntOrPair } from "../functional/conv.js";
import * as P from "../functional/pooling.js";
import { Module } from "../module.js";

const show = (v: IntOrPair | null | undefined | readonly (number | null)[]) =>
  v === null || v === undefined ? "None" : typeof v === "number" ? String(v) : `(${v.map((x) => (x === null ? "None" : x)).join(", ")})`;

export interface MaxPoolOptions<R extends boolean = boolean> extends P.MaxPool2dOptions {
  /** Return { values, indices } from forward (PyTorch's return_indices). */
  returnIndices?: R;
}

/** What forward returns: the pooled values, or with returnIndices: true also the flat input indices. */
export type PoolOutput<R extends boolean> = R extends true ? { values: Tensor; indices: Tensor } : Tensor;

abstract class MaxPoolNd<R extends boolean> extends Module<[input: Tensor], PoolOutput<R>> {
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly dilation: IntOrPair;
  readonly ceilMode: boolean;
  readonly returnIndices: boolean;
  constructor(readonly kernelSize: IntOrPair, { stride, padding = 0, dilation = 1, ceilMode = false, returnIndices }: MaxPoolOptions<R> = {}) {
    super();
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
  forward(input: Tensor): PoolOutput<R> {
    if (!this.returnIndices) return P.maxPool2d(input, this.kernelSize, this.options, "MaxPool2d") as PoolOutput<R>;
    return P.maxPool2dWithIndices(input, this.kernelSize, this.options, "MaxPool2d") as PoolOutput<R>;
  }
  /** Both the values and the flat input indices, whatever returnIndices says. */
  forwardWithIndices(input: Tensor): { values: Tensor; indices: Tensor } {
    return P.maxPool2dWithIndices(input, this.kernelSize, this.options, "MaxPool2d");
  }
}

/** Max over windows of [N, C, L] (or [C, L]). */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  forward(input: Tensor): PoolOutput<R> {
    if (!this.returnIndices) return P.maxPool1d(input, this.kernelSize, this.options, "MaxPool1d") as PoolOutput<R>;
    return P.maxPool1dWithIndices(input, this.kernelSize, this.options, "MaxPool1d") as PoolOutput<R>;
  }
  forwardWithIndices(input: Tensor): { values: Tensor; indices: Tensor } {
    return P.maxPool1dWithIndices(input, this.kernelSize, this.options, "MaxPool1d");
  }
}

abstract class AvgPoolNd extends Module {
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(readonly kernelSize: IntOrPair, { stride, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null }: P.AvgPool2dOptions = {}) {
    super();
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
  forward(input: Tensor): Tensor {
    return P.avgPool2d(input, this.kernelSize, this.options, "AvgPool2d");
  }
}

/** Mean over windows of [N, C, L] (or [C, L]). */
export class AvgPool1d extends AvgPoolNd {
  forward(input: Tensor): Tensor {
    const { divisorOverride: _unused, ...options } = this.options;
    return P.avgPool1d(input, this.kernelSize, options, "AvgPool1d");
  }
}

type OutputSize = IntOrPair | readonly (number | null)[];

/** Mean over adaptive windows: output [N, C, oH, oW] for any input size. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: OutputSize) {
    super();
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
  constructor(readonly outputSize: OutputSize, { returnIndices }: { returnIndices?: R } = {}) {
    super();
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
