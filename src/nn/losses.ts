/** Loss functions as modules: `new nn.CrossEntropyLoss().forward(logits, labels)`. */
import type { Tensor } from "../tensor/tensor.js";
import * as F from "./functional/losses.js";
import { Module } from "./module.js";

abstract class Loss extends Module {
  readonly reduction: F.Reduction;
  constructor(name: string, { reduction = "mean" }: F.LossOptions = {}) {
    super();
    this.reduction = F.checkReduction(name, reduction);
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

export class MSELoss extends Loss {
  constructor(options: F.LossOptions = {}) {
    super("MSELoss", options);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

export class CrossEntropyLoss extends Loss {
  constructor(options: F.LossOptions = {}) {
    super("CrossEntropyLoss", options);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, { reduction: this.reduction });
  }
}
