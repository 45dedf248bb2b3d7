/**
 * Layers over nn/functional/extras.ts and softmax: Softmax2d, ChannelShuffle, LocalResponseNorm,
 * AlphaDropout and MultiMarginLoss, with PyTorch's constructor arguments and reprs.
 */
import { OptionError, ShapeError } from "../../errors.js";
import { INTEGER, NUMBER, TENSOR, DEPRECATED_NONE, STRING, type WithOptions } from "../../ops/arguments.js";
import { softmax } from "../../ops/softmax.js";
import type { Tensor } from "../../tensor/tensor.js";
import { INPLACE, readLayerArgs, type InplaceOption } from "../constructor-args.js";
import { alphaDropout, channelShuffle, localResponseNorm, multiMarginLoss, type MultiMarginLossOptions } from "../functional/extras.js";
import { checkReduction, type Reduction } from "../functional/loss-reduction.js";
import { Module } from "../module.js";
import { pyFloat } from "./repr.js";

/** Softmax over the channels of [N, C, H, W] or [C, H, W] (dim −3) at each position. */
export class Softmax2d extends Module {
  constructor(...rest: []) {
    super();
    readLayerArgs("Softmax2d", rest, {});
  }
  forward(input: Tensor): Tensor {
    if (input.ndim !== 3 && input.ndim !== 4) throw new ShapeError(`Softmax2d: expected input to be 3D or 4D, got ${input.ndim}D instead`);
    return softmax(input, -3);
  }
}

/** Interleaves the channels of `groups` groups (ShuffleNet): [N, g·k, …] as [N, g, k, …] → [N, k, g, …]. */
export class ChannelShuffle extends Module {
  readonly groups: number;
  /** PyTorch's `(groups)`. */
  constructor(groups: number, ...rest: []) {
    super();
    readLayerArgs("ChannelShuffle", [groups, ...rest], { required: [["groups", INTEGER]] });
    this.groups = groups;
  }
  forward(input: Tensor): Tensor {
    return channelShuffle(input, this.groups);
  }
  override extraRepr(): string {
    return `groups=${this.groups}`;
  }
}

interface LocalResponseNormArgs {
  alpha?: number;
  beta?: number;
  k?: number;
}

/** Normalises each channel by the squares of its `size` neighbouring channels (AlexNet). */
export class LocalResponseNorm extends Module {
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  /** PyTorch's `(size, alpha=1e-4, beta=0.75, k=1)`, or options after the size. */
  constructor(readonly size: number, ...args: WithOptions<[alpha: number, beta: number, k: number], LocalResponseNormArgs>) {
    super();
    const { alpha = 1e-4, beta = 0.75, k = 1 } = readLayerArgs<LocalResponseNormArgs>("LocalResponseNorm", [size, ...args], {
      required: [["size", INTEGER]],
      positional: [["alpha", NUMBER], ["beta", NUMBER], ["k", NUMBER]],
    });
    if (size < 1) throw new OptionError(`LocalResponseNorm: size must be a positive integer, got ${size}`);
    this.alpha = alpha;
    this.beta = beta;
    this.k = k;
  }
  forward(input: Tensor): Tensor {
    return localResponseNorm(input, this.size, this.alpha, this.beta, this.k);
  }
  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}

/** Dropout for SELU networks: keeps mean 0 and variance 1 (training only). */
export class AlphaDropout extends Module {
  readonly p: number;
  /** PyTorch's `(p, inplace)`, or options. */
  constructor(...args: WithOptions<[p: number, inplace: boolean], { p?: number } & InplaceOption>) {
    super();
    const { p = 0.5 } = readLayerArgs<{ p: number }>("AlphaDropout", args, { positional: [["p", NUMBER], INPLACE] });
    if (!(p >= 0 && p <= 1)) throw new OptionError(`AlphaDropout: dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
  }
  forward(input: Tensor): Tensor {
    return alphaDropout(input, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/** The multi-class hinge loss (F.multiMarginLoss); the class weights are a buffer, as in PyTorch. */
export class MultiMarginLoss extends Module<[input: Tensor, target: Tensor], Tensor> {
  readonly p: 1 | 2;
  readonly margin: number;
  readonly reduction: Reduction;
  declare weight: Tensor | null;
  /** PyTorch's `(p, margin, weight, size_average, reduce, reduction)`, or options. */
  constructor(...args: WithOptions<[p: 1 | 2, margin: number, weight: Tensor | null, sizeAverage: null, reduce: null, reduction: Reduction], MultiMarginLossOptions>) {
    super();
    const { p = 1, margin = 1, weight = null, reduction = "mean" } = readLayerArgs<MultiMarginLossOptions>("MultiMarginLoss", args, {
      positional: [["p", INTEGER], ["margin", NUMBER], ["weight", TENSOR], ["sizeAverage", DEPRECATED_NONE], ["reduce", DEPRECATED_NONE], ["reduction", STRING]],
    });
    if (p !== 1 && p !== 2) throw new OptionError(`MultiMarginLoss: only p == 1 and p == 2 supported, got ${p}`);
    this.p = p;
    this.margin = margin;
    this.reduction = checkReduction("MultiMarginLoss", reduction);
    this.registerBuffer("weight", weight);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return multiMarginLoss(input, target, { p: this.p, margin: this.margin, weight: this.weight, reduction: this.reduction });
  }
}
