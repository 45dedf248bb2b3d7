/** Dropout layers: active in training mode, the identity in evaluation mode (module.eval()). */
import { OptionError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout, dropout2d } from "../functional/dropout.js";
import { Module } from "../module.js";
import { pyFloat } from "./repr.js";

abstract class DropoutBase extends Module {
  readonly p: number;
  /** `options` may be the probability itself, as PyTorch's positional `nn.Dropout(0.25)`. */
  constructor(layer: string, options: number | { p?: number } = {}) {
    super();
    const { p = 0.5 } = typeof options === "number" ? { p: options } : options;
    if (!(p >= 0 && p <= 1)) throw new OptionError(`${layer}: dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/** Zeroes each element with probability p in training, scaling the rest by 1/(1 − p). */
export class Dropout extends DropoutBase {
  constructor(options: number | { p?: number } = {}) {
    super("Dropout", options);
  }
  forward(input: Tensor): Tensor {
    return dropout(input, { p: this.p, training: this.training });
  }
}

/** Zeroes whole channels of [N, C, H, W] with probability p in training. */
export class Dropout2d extends DropoutBase {
  constructor(options: number | { p?: number } = {}) {
    super("Dropout2d", options);
  }
  forward(input: Tensor): Tensor {
    return dropout2d(input, { p: this.p, training: this.training });
  }
}
