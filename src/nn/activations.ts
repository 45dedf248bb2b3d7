/** Activation functions as modules, for Sequential and for model fields. */
import type { Tensor } from "../tensor/tensor.js";
import * as F from "./functional/activations.js";
import { Module } from "./module.js";

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  constructor({ negativeSlope = 0.01 }: F.LeakyReluOptions = {}) {
    super();
    if (!Number.isFinite(negativeSlope)) throw new RangeError(`LeakyReLU: negativeSlope must be a finite number, got ${negativeSlope}`);
    this.negativeSlope = negativeSlope;
  }
  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, { negativeSlope: this.negativeSlope });
  }
  override extraRepr(): string {
    return `negative_slope=${this.negativeSlope}`;
  }
}

export interface DimOptions {
  dim: number;
}

export class Softmax extends Module {
  readonly dim: number;
  constructor({ dim }: DimOptions) {
    super();
    this.dim = dim;
  }
  forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

export class LogSoftmax extends Module {
  readonly dim: number;
  constructor({ dim }: DimOptions) {
    super();
    this.dim = dim;
  }
  forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
