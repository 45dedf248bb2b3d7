/** Small structural layers: Identity, Flatten, Unflatten, and Bilinear (y = x₁ᵀ·A·x₂ + b). */
import { formatShape, OptionError, ShapeError } from "../../errors.js";
import { BOOLEAN, INTEGER, NUMBER, NUMBERS, type WithOptions } from "../../ops/arguments.js";
import { zeros } from "../../ops/creation.js";
import { add, mul } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { sum } from "../../ops/reduce.js";
import { flatten, permute, reshape, unsqueeze } from "../../ops/shape.js";
import { normalizeDim } from "../../tensor/shape.js";
import type { DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { uniform_ } from "../init.js";
import { DTYPE_OPTION, readLayerArgs } from "../constructor-args.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";

/** Returns its input unchanged (e.g. in place of a removed head). Like PyTorch's, it takes any arguments and ignores them. */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }
  forward(input: Tensor): Tensor {
    return input;
  }
}

/** Flattens dims startDim..endDim into one (default: all but the batch dim). */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  /** PyTorch's `(startDim, endDim)` or options. */
  constructor(...args: WithOptions<[startDim: number, endDim: number], { startDim?: number; endDim?: number }>) {
    super();
    const { startDim = 1, endDim = -1 } = readLayerArgs<{ startDim: number; endDim: number }>("Flatten", args, { positional: [["startDim", INTEGER], ["endDim", INTEGER]] });
    this.startDim = startDim;
    this.endDim = endDim;
  }
  forward(input: Tensor): Tensor {
    return flatten(input, this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/** Splits dim into unflattenedSize (one entry may be -1). */
export class Unflatten extends Module {
  readonly unflattenedSize: number[];
  constructor(readonly dim: number, unflattenedSize: readonly number[], ...rest: []) {
    super();
    readLayerArgs("Unflatten", [dim, unflattenedSize, ...rest], { required: [["dim", INTEGER], ["unflattenedSize", NUMBERS]] });
    this.unflattenedSize = unflattenedSize.slice();
  }
  forward(input: Tensor): Tensor {
    const d = normalizeDim("Unflatten", this.dim, input.ndim);
    const known = this.unflattenedSize.filter((s) => s !== -1).reduce((p, s) => p * s, 1);
    const size = input.shape[d]!;
    const ok = this.unflattenedSize.includes(-1) ? size % known === 0 : size === known;
    if (!ok) throw new ShapeError(`Unflatten: provided sizes ${formatShape(this.unflattenedSize)} don't multiply up to the size of dim ${this.dim} (${size}) in the input ${formatShape(input.shape)}`);
    return reshape(input, [...input.shape.slice(0, d), ...this.unflattenedSize, ...input.shape.slice(d + 1)]);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=(${this.unflattenedSize.join(", ")})`;
  }
}

/**
 * y_k = Σ_ij x1_i · W[k, i, j] · x2_j + b_k for x1 [..., in1], x2 [..., in2], W [out, in1, in2].
 * PyTorch's init: U(−1/√in1, 1/√in1) for weight and bias.
 */
export class Bilinear extends Module<[input1: Tensor, input2: Tensor], Tensor> {
  weight: Parameter;
  bias: Parameter | null;
  /** PyTorch's `(in1Features, in2Features, outFeatures, bias)`, or options after the sizes. */
  constructor(readonly in1Features: number, readonly in2Features: number, readonly outFeatures: number, ...args: WithOptions<[bias: boolean], { bias?: boolean; dtype?: DType }>) {
    super();
    const { bias = true, dtype = "float32" } = readLayerArgs<{ bias: boolean; dtype: DType }>("Bilinear", [in1Features, in2Features, outFeatures, ...args], {
      required: [["in1Features", NUMBER], ["in2Features", NUMBER], ["outFeatures", NUMBER]],
      positional: [["bias", BOOLEAN]],
      keywordOnly: [DTYPE_OPTION],
    });
    for (const v of [in1Features, in2Features, outFeatures]) if (!Number.isInteger(v) || v <= 0) throw new OptionError(`Bilinear: sizes must be positive integers, got ${v}`);
    this.weight = new Parameter(zeros([outFeatures, in1Features, in2Features], { dtype }));
    this.bias = bias ? new Parameter(zeros([outFeatures], { dtype })) : null;
    const bound = 1 / Math.sqrt(in1Features);
    uniform_(this.weight, -bound, bound);
    if (this.bias) uniform_(this.bias, -bound, bound);
  }
  forward(input1: Tensor, input2: Tensor): Tensor {
    return bilinear(input1, input2, this.weight, this.bias, "Bilinear");
  }
  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${this.bias ? "True" : "False"}`;
  }
}

/** The bilinear form: t = x1 · W reshaped to [in1, out·in2], then Σ_j t[k, j]·x2_j. */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null = null, name = "bilinear"): Tensor {
  const [out, in1, in2] = weight.shape as [number, number, number];
  if (input1.shape[input1.ndim - 1] !== in1 || input2.shape[input2.ndim - 1] !== in2 || input1.shape.slice(0, -1).join() !== input2.shape.slice(0, -1).join()) {
    throw new ShapeError(`${name}: input1 ${formatShape(input1.shape)} and input2 ${formatShape(input2.shape)} must be [..., ${in1}] and [..., ${in2}] with equal batch dims (weight ${formatShape(weight.shape)})`);
  }
  const w = reshape(permute(weight, [1, 0, 2]), [in1, out * in2]);
  const t = reshape(matmul(input1, w), [...input1.shape.slice(0, -1), out, in2]);
  const y = sum(mul(t, unsqueeze(input2, -2)), -1);
  return bias === null ? y : add(y, bias);
}
