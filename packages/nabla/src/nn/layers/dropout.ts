/** Dropout layers: active in training mode, the identity in evaluation mode (module.eval()). */
import { OptionError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout, dropout2d } from "../functional/dropout.js";
import { NUMBER, type WithOptions } from "../../ops/arguments.js";
import { INPLACE, readLayerArgs, type InplaceOption } from "../constructor-args.js";
import { Module } from "../module.js";

type DropoutArgs = WithOptions<[p: number, inplace: boolean], { p?: number } & InplaceOption>;
import { pyFloat } from "./repr.js";

abstract class DropoutBase extends Module {
  readonly p: number;
  constructor(layer: string, args: readonly unknown[]) {
    super();
    const { p = 0.5 } = readLayerArgs<{ p: number }>(layer, args, { positional: [["p", NUMBER], INPLACE] });
    if (!(p >= 0 && p <= 1)) throw new OptionError(`${layer}: dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/** Zeroes each element with probability p in training, scaling the rest by 1/(1 − p). */
export class Dropout extends DropoutBase {
  /** PyTorch's `(p, inplace)`, as `nn.Dropout(0.25)`, or options. */
  constructor(...args: DropoutArgs) {
    super("Dropout", args);
  }
  forward(input: Tensor): Tensor {
    return dropout(input, { p: this.p, training: this.training });
  }
}

/** Zeroes whole channels of [N, C, H, W] with probability p in training. */
export class Dropout2d extends DropoutBase {
  /** PyTorch's `(p, inplace)`, or options. */
  constructor(...args: DropoutArgs) {
    super("Dropout2d", args);
  }
  forward(input: Tensor): Tensor {
    return dropout2d(input, { p: this.p, training: this.training });
  }
}
