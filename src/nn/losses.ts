/**
 * Loss functions as modules: `new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(logits, labels)`.
 * Each checks its options when built (so a bad one fails at construction, naming the class) and
 * calls its function in nn.functional. Class weights are registered as buffers, as in PyTorch.
 */
import { OptionError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import * as F from "./functional/losses.js";
import { Module } from "./module.js";

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
  constructor(options: F.LossOptions = {}) {
    super("MSELoss", options);
  }
  protected fn = F.mseLoss;
}

export class L1Loss extends PairLoss<F.LossOptions> {
  constructor(options: F.LossOptions = {}) {
    super("L1Loss", options);
  }
  protected fn = F.l1Loss;
}

export class SmoothL1Loss extends PairLoss<F.SmoothL1Options> {
  constructor(options: F.SmoothL1Options = {}) {
    super("SmoothL1Loss", options);
    checkNumber("SmoothL1Loss", "beta", options.beta, (b) => b >= 0 && Number.isFinite(b), "a finite number ≥ 0");
  }
  protected fn = F.smoothL1Loss;
}

export class HuberLoss extends PairLoss<F.HuberOptions> {
  constructor(options: F.HuberOptions = {}) {
    super("HuberLoss", options);
    checkNumber("HuberLoss", "delta", options.delta, (d) => d > 0 && Number.isFinite(d), "a finite number > 0");
  }
  protected fn = F.huberLoss;
}

export class BCELoss extends PairLoss<F.WeightedLossOptions> {
  constructor(options: F.WeightedLossOptions = {}) {
    super("BCELoss", options);
  }
  protected fn = F.binaryCrossEntropy;
}

export class BCEWithLogitsLoss extends PairLoss<F.BCEWithLogitsOptions> {
  constructor(options: F.BCEWithLogitsOptions = {}) {
    super("BCEWithLogitsLoss", options);
  }
  protected fn = F.binaryCrossEntropyWithLogits;
}

export class CrossEntropyLoss extends PairLoss<F.CrossEntropyOptions> {
  constructor(options: F.CrossEntropyOptions = {}) {
    super("CrossEntropyLoss", options);
    checkNumber("CrossEntropyLoss", "labelSmoothing", options.labelSmoothing, (e) => e >= 0 && e <= 1, "between 0.0 and 1.0");
  }
  protected fn = F.crossEntropy;
}

export class NLLLoss extends PairLoss<F.NllOptions> {
  constructor(options: F.NllOptions = {}) {
    super("NLLLoss", options);
  }
  protected fn = F.nllLoss;
}

export class KLDivLoss extends Loss {
  readonly logTarget: boolean;
  private readonly klReduction: F.Reduction | "batchmean";
  constructor({ reduction = "mean", logTarget = false }: F.KlDivOptions = {}) {
    super("KLDivLoss", reduction === "batchmean" ? "mean" : reduction);
    this.klReduction = reduction;
    this.logTarget = logTarget;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.klReduction, logTarget: this.logTarget });
  }
}

export class SoftMarginLoss extends PairLoss<F.LossOptions> {
  constructor(options: F.LossOptions = {}) {
    super("SoftMarginLoss", options);
  }
  protected fn = F.softMarginLoss;
}

export class MultiLabelSoftMarginLoss extends PairLoss<F.WeightedLossOptions> {
  constructor(options: F.WeightedLossOptions = {}) {
    super("MultiLabelSoftMarginLoss", options);
  }
  protected fn = F.multilabelSoftMarginLoss;
}

export class HingeEmbeddingLoss extends PairLoss<F.MarginOptions> {
  constructor(options: F.MarginOptions = {}) {
    super("HingeEmbeddingLoss", options);
    checkNumber("HingeEmbeddingLoss", "margin", options.margin, Number.isFinite, "a finite number");
  }
  protected fn = F.hingeEmbeddingLoss;
}

export class PoissonNLLLoss extends PairLoss<F.PoissonNllOptions> {
  constructor(options: F.PoissonNllOptions = {}) {
    super("PoissonNLLLoss", options);
    checkNumber("PoissonNLLLoss", "eps", options.eps, (e) => e >= 0 && Number.isFinite(e), "a finite number ≥ 0");
  }
  protected fn = F.poissonNllLoss;
}

/** (input1, input2, target) losses. */
export class MarginRankingLoss extends Loss<[input1: Tensor, input2: Tensor, target: Tensor]> {
  readonly margin: number;
  constructor({ reduction = "mean", margin = 0 }: F.MarginOptions = {}) {
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
  constructor({ reduction = "mean", margin = 0 }: F.MarginOptions = {}) {
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
  constructor(options: F.TripletMarginOptions = {}) {
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
  constructor(options: F.GaussianNllOptions = {}) {
    super("GaussianNLLLoss", options.reduction);
    checkNumber("GaussianNLLLoss", "eps", options.eps, (e) => e >= 0 && Number.isFinite(e), "a finite number ≥ 0");
    this.options = { ...options, reduction: this.reduction };
  }
  forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return F.gaussianNllLoss(input, target, variance, this.options);
  }
}
