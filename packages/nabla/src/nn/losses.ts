/**
 * Loss functions as modules: `new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(logits, labels)`.
 * Each checks its options when built (so a bad one fails at construction, naming the class) and
 * calls its function in nn.functional. Class weights are registered as buffers, as in PyTorch.
 */
import { OptionError } from "../errors.js";
import { BOOLEAN, DEPRECATED_NONE, NUMBER, readCtorArgs, STRING, TENSOR, type Slot, type WithOptions } from "../ops/arguments.js";
import type { Tensor } from "../tensor/tensor.js";
import * as F from "./functional/losses.js";
import { Module } from "./module.js";

// PyTorch's positional slots: size_average and reduce (deprecated: only null keeps the order), reduction, weight
const SIZE_AVERAGE: Slot = ["sizeAverage", DEPRECATED_NONE];
const REDUCE: Slot = ["reduce", DEPRECATED_NONE];
const REDUCTION: Slot = ["reduction", STRING];
const WEIGHT: Slot = ["weight", TENSOR];
const MARGIN: Slot = ["margin", NUMBER];

/** The loss's options from PyTorch's positional order (`slots`) or an options object. */
function lossArgs<O extends F.LossOptions | F.KlDivOptions>(cls: string, args: readonly unknown[], positional: readonly Slot[], keywordOnly: readonly Slot[] = []): O {
  return readCtorArgs<O>(cls, args, { positional, keywordOnly }) as O;
}

/** PyTorch's `(size_average, reduce, reduction)`: only null for the first two. */
type Legacy = [sizeAverage: null, reduce: null, reduction: F.Reduction];

abstract class Loss<In extends unknown[] = [input: Tensor, target: Tensor]> extends Module<In, Tensor> {
  readonly reduction: F.Reduction;
  constructor(name: string, reduction: unknown = "mean") {
    super();
    this.reduction = F.checkReduction(name, reduction);
  }
  override extraRepr(): string {
    return "";
  }
}

/** A loss of (input, target) whose options are passed through to its function. */
abstract class PairLoss<O extends F.LossOptions> extends Loss {
  protected readonly options: O;
  constructor(name: string, options: O) {
    super(name, options.reduction);
    this.options = { ...options, reduction: this.reduction };
    for (const key of ["weight", "posWeight"] as const) {
      const t = (options as { weight?: Tensor | null; posWeight?: Tensor | null })[key];
      if (t) this.registerBuffer(key === "weight" ? "weight" : "pos_weight", t);
    }
  }
  protected abstract fn(input: Tensor, target: Tensor, options: O): Tensor;
  forward(input: Tensor, target: Tensor): Tensor {
    return this.fn(input, target, this.options);
  }
}

function checkNumber(name: string, option: string, v: number | undefined, ok: (v: number) => boolean, must: string): void {
  if (v !== undefined && (typeof v !== "number" || Number.isNaN(v) || !ok(v))) {
    throw new OptionError(`${name}: ${option} must be ${must}, got ${String(v)}`);
  }
}

export class MSELoss extends PairLoss<F.LossOptions> {
  /** PyTorch's `(size_average, reduce, reduction)` or options. */
  constructor(...args: WithOptions<Legacy, F.LossOptions>) {
    const options = lossArgs<F.LossOptions>("MSELoss", args, [SIZE_AVERAGE, REDUCE, REDUCTION]);
    super("MSELoss", options);
  }
  protected fn = F.mseLoss;
}

export class L1Loss extends PairLoss<F.LossOptions> {
  /** PyTorch's `(size_average, reduce, reduction)` or options. */
  constructor(...args: WithOptions<Legacy, F.LossOptions>) {
    const options = lossArgs<F.LossOptions>("L1Loss", args, [SIZE_AVERAGE, REDUCE, REDUCTION]);
    super("L1Loss", options);
  }
  protected fn = F.l1Loss;
}

export class SmoothL1Loss extends PairLoss<F.SmoothL1Options> {
  /** PyTorch's `(size_average, reduce, reduction, beta)` or options. */
  constructor(...args: WithOptions<[...Legacy, beta: number], F.SmoothL1Options>) {
    const options = lossArgs<F.SmoothL1Options>("SmoothL1Loss", args, [SIZE_AVERAGE, REDUCE, REDUCTION, ["beta", NUMBER]]);
    super("SmoothL1Loss", options);
    checkNumber("SmoothL1Loss", "beta", options.beta, (b) => b >= 0 && Number.isFinite(b), "a finite number ≥ 0");
  }
  protected fn = F.smoothL1Loss;
}

export class HuberLoss extends PairLoss<F.HuberOptions> {
  /** PyTorch's `(reduction, delta)` or options. */
  constructor(...args: WithOptions<[reduction: F.Reduction, delta: number], F.HuberOptions>) {
    const options = lossArgs<F.HuberOptions>("HuberLoss", args, [REDUCTION, ["delta", NUMBER]]);
    super("HuberLoss", options);
    checkNumber("HuberLoss", "delta", options.delta, (d) => d > 0 && Number.isFinite(d), "a finite number > 0");
  }
  protected fn = F.huberLoss;
}

export class BCELoss extends PairLoss<F.WeightedLossOptions> {
  /** PyTorch's `(weight, size_average, reduce, reduction)` or options. */
  constructor(...args: WithOptions<[weight: Tensor, ...Legacy], F.WeightedLossOptions>) {
    const options = lossArgs<F.WeightedLossOptions>("BCELoss", args, [WEIGHT, SIZE_AVERAGE, REDUCE, REDUCTION]);
    super("BCELoss", options);
  }
  protected fn = F.binaryCrossEntropy;
}

export class BCEWithLogitsLoss extends PairLoss<F.BCEWithLogitsOptions> {
  /** PyTorch's `(weight, size_average, reduce, reduction, posWeight)` or options. */
  constructor(...args: WithOptions<[weight: Tensor, ...Legacy, posWeight: Tensor], F.BCEWithLogitsOptions>) {
    const options = lossArgs<F.BCEWithLogitsOptions>("BCEWithLogitsLoss", args, [WEIGHT, SIZE_AVERAGE, REDUCE, REDUCTION, ["posWeight", TENSOR]]);
    super("BCEWithLogitsLoss", options);
  }
  protected fn = F.binaryCrossEntropyWithLogits;
}

export class CrossEntropyLoss extends PairLoss<F.CrossEntropyOptions> {
  /** PyTorch's `(weight, size_average, ignoreIndex, reduce, reduction, labelSmoothing)` or options. */
  constructor(...args: WithOptions<[weight: Tensor, sizeAverage: null, ignoreIndex: number, reduce: null, reduction: F.Reduction, labelSmoothing: number], F.CrossEntropyOptions>) {
    const options = lossArgs<F.CrossEntropyOptions>("CrossEntropyLoss", args, [WEIGHT, SIZE_AVERAGE, ["ignoreIndex", NUMBER], REDUCE, REDUCTION, ["labelSmoothing", NUMBER]]);
    super("CrossEntropyLoss", options);
    checkNumber("CrossEntropyLoss", "labelSmoothing", options.labelSmoothing, (e) => e >= 0 && e <= 1, "between 0.0 and 1.0");
  }
  protected fn = F.crossEntropy;
}

export class NLLLoss extends PairLoss<F.NllOptions> {
  /** PyTorch's `(weight, size_average, ignoreIndex, reduce, reduction)` or options. */
  constructor(...args: WithOptions<[weight: Tensor, sizeAverage: null, ignoreIndex: number, reduce: null, reduction: F.Reduction], F.NllOptions>) {
    const options = lossArgs<F.NllOptions>("NLLLoss", args, [WEIGHT, SIZE_AVERAGE, ["ignoreIndex", NUMBER], REDUCE, REDUCTION]);
    super("NLLLoss", options);
  }
  protected fn = F.nllLoss;
}

export class KLDivLoss extends Loss {
  readonly logTarget: boolean;
  private readonly klReduction: F.Reduction | "batchmean";
  /** PyTorch's `(size_average, reduce, reduction, logTarget)` or options. */
  constructor(...args: WithOptions<[sizeAverage: null, reduce: null, reduction: F.Reduction | "batchmean", logTarget: boolean], F.KlDivOptions>) {
    const { reduction = "mean", logTarget = false } = lossArgs<F.KlDivOptions>("KLDivLoss", args, [SIZE_AVERAGE, REDUCE, REDUCTION, ["logTarget", BOOLEAN]]);
    super("KLDivLoss", reduction === "batchmean" ? "mean" : reduction);
    this.klReduction = reduction;
    this.logTarget = logTarget;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.klReduction, logTarget: this.logTarget });
  }
}

export class SoftMarginLoss extends PairLoss<F.LossOptions> {
  /** PyTorch's `(size_average, reduce, reduction)` or options. */
  constructor(...args: WithOptions<Legacy, F.LossOptions>) {
    const options = lossArgs<F.LossOptions>("SoftMarginLoss", args, [SIZE_AVERAGE, REDUCE, REDUCTION]);
    super("SoftMarginLoss", options);
  }
  protected fn = F.softMarginLoss;
}

export class MultiLabelSoftMarginLoss extends PairLoss<F.WeightedLossOptions> {
  /** PyTorch's `(weight, size_average, reduce, reduction)` or options. */
  constructor(...args: WithOptions<[weight: Tensor, ...Legacy], F.WeightedLossOptions>) {
    const options = lossArgs<F.WeightedLossOptions>("MultiLabelSoftMarginLoss", args, [WEIGHT, SIZE_AVERAGE, REDUCE, REDUCTION]);
    super("MultiLabelSoftMarginLoss", options);
  }
  protected fn = F.multilabelSoftMarginLoss;
}

export class HingeEmbeddingLoss extends PairLoss<F.MarginOptions> {
  /** PyTorch's `(margin, size_average, reduce, reduction)` or options. */
  constructor(...args: WithOptions<[margin: number, ...Legacy], F.MarginOptions>) {
    const options = lossArgs<F.MarginOptions>("HingeEmbeddingLoss", args, [MARGIN, SIZE_AVERAGE, REDUCE, REDUCTION]);
    super("HingeEmbeddingLoss", options);
    checkNumber("HingeEmbeddingLoss", "margin", options.margin, Number.isFinite, "a finite number");
  }
  protected fn = F.hingeEmbeddingLoss;
}

export class PoissonNLLLoss extends PairLoss<F.PoissonNllOptions> {
  /** PyTorch's `(logInput, full, size_average, eps, reduce, reduction)` or options. */
  constructor(...args: WithOptions<[logInput: boolean, full: boolean, sizeAverage: null, eps: number, reduce: null, reduction: F.Reduction], F.PoissonNllOptions>) {
    const options = lossArgs<F.PoissonNllOptions>("PoissonNLLLoss", args, [["logInput", BOOLEAN], ["full", BOOLEAN], SIZE_AVERAGE, ["eps", NUMBER], REDUCE, REDUCTION]);
    super("PoissonNLLLoss", options);
    checkNumber("PoissonNLLLoss", "eps", options.eps, (e) => e >= 0 && Number.isFinite(e), "a finite number ≥ 0");
  }
  protected fn = F.poissonNllLoss;
}

/** (input1, input2, target) losses. */
export class MarginRankingLoss extends Loss<[input1: Tensor, input2: Tensor, target: Tensor]> {
  readonly margin: number;
  /** PyTorch's `(margin, size_average, reduce, reduction)` or options. */
  constructor(...args: WithOptions<[margin: number, ...Legacy], F.MarginOptions>) {
    const { reduction = "mean", margin = 0 } = lossArgs<F.MarginOptions>("MarginRankingLoss", args, [MARGIN, SIZE_AVERAGE, REDUCE, REDUCTION]);
    super("MarginRankingLoss", reduction);
    checkNumber("MarginRankingLoss", "margin", margin, Number.isFinite, "a finite number");
    this.margin = margin;
  }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.marginRankingLoss(input1, input2, target, { reduction: this.reduction, margin: this.margin });
  }
}

export class CosineEmbeddingLoss extends Loss<[input1: Tensor, input2: Tensor, target: Tensor]> {
  readonly margin: number;
  /** PyTorch's `(margin, size_average, reduce, reduction)` or options. */
  constructor(...args: WithOptions<[margin: number, ...Legacy], F.MarginOptions>) {
    const { reduction = "mean", margin = 0 } = lossArgs<F.MarginOptions>("CosineEmbeddingLoss", args, [MARGIN, SIZE_AVERAGE, REDUCE, REDUCTION]);
    super("CosineEmbeddingLoss", reduction);
    checkNumber("CosineEmbeddingLoss", "margin", margin, Number.isFinite, "a finite number");
    this.margin = margin;
  }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.cosineEmbeddingLoss(input1, input2, target, { reduction: this.reduction, margin: this.margin });
  }
}

export class TripletMarginLoss extends Loss<[anchor: Tensor, positive: Tensor, negative: Tensor]> {
  private readonly options: F.TripletMarginOptions;
  /** PyTorch's `(margin, p, eps, swap, size_average, reduce, reduction)` or options. */
  constructor(...args: WithOptions<[margin: number, p: number, eps: number, swap: boolean, ...Legacy], F.TripletMarginOptions>) {
    const options = lossArgs<F.TripletMarginOptions>("TripletMarginLoss", args, [MARGIN, ["p", NUMBER], ["eps", NUMBER], ["swap", BOOLEAN], SIZE_AVERAGE, REDUCE, REDUCTION]);
    super("TripletMarginLoss", options.reduction);
    checkNumber("TripletMarginLoss", "margin", options.margin, Number.isFinite, "a finite number");
    checkNumber("TripletMarginLoss", "p", options.p, (p) => p > 0 && Number.isFinite(p), "a finite number > 0");
    this.options = { ...options, reduction: this.reduction };
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.tripletMarginLoss(anchor, positive, negative, this.options);
  }
}

export class GaussianNLLLoss extends Loss<[input: Tensor, target: Tensor, variance: Tensor]> {
  private readonly options: F.GaussianNllOptions;
  /** Options only: PyTorch's are keyword-only (`*, full, eps, reduction`). */
  constructor(...args: WithOptions<[], F.GaussianNllOptions>) {
    const options = lossArgs<F.GaussianNllOptions>("GaussianNLLLoss", args, [], [["full", BOOLEAN], ["eps", NUMBER], REDUCTION]);
    super("GaussianNLLLoss", options.reduction);
    checkNumber("GaussianNLLLoss", "eps", options.eps, (e) => e >= 0 && Number.isFinite(e), "a finite number ≥ 0");
    this.options = { ...options, reduction: this.reduction };
  }
  forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return F.gaussianNllLoss(input, target, variance, this.options);
  }
}
