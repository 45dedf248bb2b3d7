/**
 * Normalisation layers: BatchNorm1d/2d/3d and InstanceNorm1d/2d/3d (running statistics as
 * buffers, momentum, eval mode), LayerNorm, GroupNorm, RMSNorm. Weights start at 1 and biases at 0, as in PyTorch.
 */
import { formatShape, OptionError, ShapeError } from "../../errors.js";
import { ones, zeros } from "../../ops/creation.js";
import { scalarTensor } from "../../ops/helpers.js";
import { BOOLEAN, NUMBER, NUMBER_OR_NUMBERS, orNull, type Slot, type WithOptions } from "../../ops/arguments.js";
import { DTYPE_OPTION, readLayerArgs } from "../constructor-args.js";
import type { DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as N from "../functional/normalization.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { pyFloat } from "./repr.js";

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch statistics in the running ones; null for a cumulative average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
  dtype?: DType;
}

const bool = (b: boolean) => (b ? "True" : "False");

const NORMALIZED_SHAPE: Slot = ["normalizedShape", NUMBER_OR_NUMBERS];
// PyTorch's positional order after num_features; momentum=None (null) means a cumulative average
const BATCH_NORM_SLOTS: readonly Slot[] = [["eps", NUMBER], ["momentum", orNull(NUMBER)], ["affine", BOOLEAN], ["trackRunningStats", BOOLEAN]];
type BatchNormArgs = WithOptions<[eps: number, momentum: number | null, affine: boolean, trackRunningStats: boolean], BatchNormOptions>;

/** Batch and instance norm's parameters and buffers (PyTorch's _NormBase). */
abstract class NormBase extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(protected readonly layer: string, readonly numFeatures: number, args: readonly unknown[], defaults: { affine: boolean; trackRunningStats: boolean }) {
    super();
    const options = readLayerArgs<BatchNormOptions>(layer, [numFeatures, ...args], { required: [["numFeatures", NUMBER]], positional: BATCH_NORM_SLOTS, keywordOnly: [DTYPE_OPTION] });
    const { eps = 1e-5, momentum = 0.1, affine = defaults.affine, trackRunningStats = defaults.trackRunningStats, dtype = "float32" } = options;
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new OptionError(`${layer}: num_features must be a positive integer, got ${numFeatures}`);
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    // PyTorch's buffer names, so that state dicts move between the two unchanged.
    this.registerBuffer("running_mean", trackRunningStats ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer("running_var", trackRunningStats ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer("num_batches_tracked", trackRunningStats ? scalarTensor(0, "int32") : null);
  }

  /** Running statistics back to mean 0, variance 1, no batches seen. */
  resetRunningStats(): void {
    this.running_mean?.zero_();
    this.running_var?.fill_(1);
    this.num_batches_tracked?.zero_();
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? "None" : pyFloat(this.momentum)}, affine=${bool(this.affine)}, track_running_stats=${bool(this.trackRunningStats)}`;
  }
}

const BATCH_NORM_DEFAULTS = { affine: true, trackRunningStats: true };

abstract class BatchNormBase extends NormBase {
  protected abstract checkInput(input: Tensor): void;

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    if (input.shape[1] !== this.numFeatures) {
      throw new ShapeError(`${this.layer}: expected input with ${this.numFeatures} channels (num_features) at dim 1, got input of shape ${formatShape(input.shape)}`);
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked) {
      this.num_batches_tracked.add_(1);
      // momentum null: a cumulative moving average, each batch weighted 1/(batches seen)
      factor = this.momentum === null ? 1 / this.num_batches_tracked.item() : this.momentum;
    }
    const useBatchStats = this.training || this.running_mean === null;
    return N.batchNormImpl(this.layer, input, useBatchStats && !this.training ? null : this.running_mean, useBatchStats && !this.training ? null : this.running_var, {
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum: factor,
      eps: this.eps,
    });
  }
}

/** Batch norm over [N, C] or [N, C, L]: statistics per channel over the batch (and length). */
export class BatchNorm1d extends BatchNormBase {
  /** PyTorch's `(numFeatures, eps, momentum, affine, trackRunningStats)`, or options after the size. */
  constructor(numFeatures: number, ...args: BatchNormArgs) {
    super("BatchNorm1d", numFeatures, args, BATCH_NORM_DEFAULTS);
  }
  protected checkInput(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) throw new ShapeError(`BatchNorm1d: expected 2D or 3D input (got ${input.ndim}D input of shape ${formatShape(input.shape)})`);
  }
}

/** Batch norm over [N, C, H, W]: statistics per channel over the batch and the plane. */
export class BatchNorm2d extends BatchNormBase {
  /** PyTorch's `(numFeatures, eps, momentum, affine, trackRunningStats)`, or options after the size. */
  constructor(numFeatures: number, ...args: BatchNormArgs) {
    super("BatchNorm2d", numFeatures, args, BATCH_NORM_DEFAULTS);
  }
  protected checkInput(input: Tensor): void {
    if (input.ndim !== 4) throw new ShapeError(`BatchNorm2d: expected 4D input (got ${input.ndim}D input of shape ${formatShape(input.shape)})`);
  }
}

/** Batch norm over [N, C, D, H, W]: statistics per channel over the batch and the volume. */
export class BatchNorm3d extends BatchNormBase {
  /** PyTorch's `(numFeatures, eps, momentum, affine, trackRunningStats)`, or options after the size. */
  constructor(numFeatures: number, ...args: BatchNormArgs) {
    super("BatchNorm3d", numFeatures, args, BATCH_NORM_DEFAULTS);
  }
  protected checkInput(input: Tensor): void {
    if (input.ndim !== 5) throw new ShapeError(`BatchNorm3d: expected 5D input (got ${input.ndim}D input of shape ${formatShape(input.shape)})`);
  }
}

/**
 * Instance norm (PyTorch's _InstanceNorm): each channel of each sample normalised over its own
 * positions. Defaults differ from batch norm's: no affine, no running statistics. With running
 * statistics, training moves them (num_batches_tracked stays 0, as in PyTorch 1.13) and eval
 * normalises with them; without, eval normalises with each instance's statistics too. An input
 * one dim short of the batched rank is one unbatched sample.
 */
abstract class InstanceNormBase extends NormBase {
  constructor(layer: string, numFeatures: number, args: readonly unknown[], private readonly spatialDims: number) {
    super(layer, numFeatures, args, { affine: false, trackRunningStats: false });
    if (this.momentum === null) throw new OptionError(`${layer}: momentum must be a number (instance_norm takes no cumulative average), got null`);
  }

  forward(input: Tensor): Tensor {
    const batched = this.spatialDims + 2;
    if (input.ndim !== batched && input.ndim !== batched - 1) {
      throw new ShapeError(`${this.layer}: expected ${batched - 1}D or ${batched}D input (got ${input.ndim}D input of shape ${formatShape(input.shape)})`);
    }
    const unbatched = input.ndim === batched - 1;
    const x = unbatched ? input.unsqueeze(0) : input;
    const y = N.instanceNormImpl(this.layer, x, this.running_mean, this.running_var, {
      weight: this.weight,
      bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats,
      momentum: this.momentum!,
      eps: this.eps,
    });
    return unbatched ? y.squeeze(0) : y;
  }
}

type InstanceNormArgs = BatchNormArgs;

/** Instance norm over [N, C, L] (or unbatched [C, L]). */
export class InstanceNorm1d extends InstanceNormBase {
  /** PyTorch's `(numFeatures, eps, momentum, affine, trackRunningStats)`, or options after the size. */
  constructor(numFeatures: number, ...args: InstanceNormArgs) {
    super("InstanceNorm1d", numFeatures, args, 1);
  }
}

/** Instance norm over [N, C, H, W] (or unbatched [C, H, W]). */
export class InstanceNorm2d extends InstanceNormBase {
  /** PyTorch's `(numFeatures, eps, momentum, affine, trackRunningStats)`, or options after the size. */
  constructor(numFeatures: number, ...args: InstanceNormArgs) {
    super("InstanceNorm2d", numFeatures, args, 2);
  }
}

/** Instance norm over [N, C, D, H, W] (or unbatched [C, D, H, W]). */
export class InstanceNorm3d extends InstanceNormBase {
  /** PyTorch's `(numFeatures, eps, momentum, affine, trackRunningStats)`, or options after the size. */
  constructor(numFeatures: number, ...args: InstanceNormArgs) {
    super("InstanceNorm3d", numFeatures, args, 3);
  }
}

export interface LayerNormOptions {
  eps?: number;
  elementwiseAffine?: boolean;
  /** PyTorch 2.1's bias option; default true. */
  bias?: boolean;
  dtype?: DType;
}

/** Normalises each sample over its trailing normalizedShape dims, then scales and shifts per element. */
export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  /** PyTorch's `(normalizedShape, eps, elementwiseAffine, bias)`, or options after the shape. */
  constructor(normalizedShape: number | readonly number[], ...args: WithOptions<[eps: number, elementwiseAffine: boolean, bias: boolean], LayerNormOptions>) {
    super();
    const { eps = 1e-5, elementwiseAffine = true, bias = true, dtype = "float32" } = readLayerArgs<LayerNormOptions>("LayerNorm", [normalizedShape, ...args], {
      required: [NORMALIZED_SHAPE],
      positional: [["eps", NUMBER], ["elementwiseAffine", BOOLEAN], ["bias", BOOLEAN]],
      keywordOnly: [DTYPE_OPTION],
    });
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape.slice();
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
    this.bias = elementwiseAffine && bias ? new Parameter(zeros(this.normalizedShape, { dtype })) : null;
  }
  forward(input: Tensor): Tensor {
    return N.layerNormImpl("LayerNorm", input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  override extraRepr(): string {
    return `(${this.normalizedShape.join(", ")}${this.normalizedShape.length === 1 ? "," : ""}), eps=${pyFloat(this.eps)}, elementwise_affine=${bool(this.elementwiseAffine)}`;
  }
}

/** Normalises groups of numChannels/numGroups channels of each sample, then a per-channel affine. */
export class GroupNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;
  readonly affine: boolean;
  /** PyTorch's `(numGroups, numChannels, eps, affine)`, or options after the sizes. */
  constructor(readonly numGroups: number, readonly numChannels: number, ...args: WithOptions<[eps: number, affine: boolean], { eps?: number; affine?: boolean; dtype?: DType }>) {
    super();
    const { eps = 1e-5, affine = true, dtype = "float32" } = readLayerArgs<{ eps: number; affine: boolean; dtype: DType }>("GroupNorm", [numGroups, numChannels, ...args], {
      required: [["numGroups", NUMBER], ["numChannels", NUMBER]],
      positional: [["eps", NUMBER], ["affine", BOOLEAN]],
      keywordOnly: [DTYPE_OPTION],
    });
    if (!Number.isInteger(numGroups) || numGroups <= 0 || numChannels % numGroups !== 0) {
      throw new OptionError(`GroupNorm: num_channels (${numChannels}) must be divisible by num_groups (${numGroups})`);
    }
    this.eps = eps;
    this.affine = affine;
    this.weight = affine ? new Parameter(ones([numChannels], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numChannels], { dtype })) : null;
  }
  forward(input: Tensor): Tensor {
    if (input.ndim < 2 || input.shape[1] !== this.numChannels) {
      throw new ShapeError(`GroupNorm: expected input with ${this.numChannels} channels at dim 1, got input of shape ${formatShape(input.shape)}`);
    }
    return N.groupNormImpl("GroupNorm", input, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${bool(this.affine)}`;
  }
}

/** Root-mean-square normalisation (PyTorch 2.4's RMSNorm): x / √(mean(x²) + ε) · w. */
export class RMSNorm extends Module {
  weight: Parameter | null;
  readonly normalizedShape: number[];
  readonly eps: number | null;
  /** PyTorch's `(normalizedShape, eps, elementwiseAffine)`, or options after the shape. */
  constructor(normalizedShape: number | readonly number[], ...args: WithOptions<[eps: number | null, elementwiseAffine: boolean], { eps?: number | null; elementwiseAffine?: boolean; dtype?: DType }>) {
    super();
    const { eps = null, elementwiseAffine = true, dtype = "float32" } = readLayerArgs<{ eps: number | null; elementwiseAffine: boolean; dtype: DType }>("RMSNorm", [normalizedShape, ...args], {
      required: [NORMALIZED_SHAPE],
      positional: [["eps", orNull(NUMBER)], ["elementwiseAffine", BOOLEAN]],
      keywordOnly: [DTYPE_OPTION],
    });
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape.slice();
    this.eps = eps;
    this.weight = elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
  }
  forward(input: Tensor): Tensor {
    return N.rmsNormImpl("RMSNorm", input, this.normalizedShape, { weight: this.weight, eps: this.eps });
  }
  override extraRepr(): string {
    return `(${this.normalizedShape.join(", ")}${this.normalizedShape.length === 1 ? "," : ""}), eps=${this.eps === null ? "None" : pyFloat(this.eps)}, elementwise_affine=${bool(this.weight !== null)}`;
  }
}
