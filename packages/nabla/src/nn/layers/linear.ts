/** Linear: y = x·Wᵀ + b, with PyTorch's default initialisation. */
import { OptionError } from "../../errors.js";
import { BOOLEAN, NUMBER, type WithOptions } from "../../ops/arguments.js";
import type { DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { zeros } from "../../ops/creation.js";
import { linear } from "../functional/layers.js";
import { defaultLayerInit_ } from "../init.js";
import { DTYPE_OPTION, readLayerArgs } from "../constructor-args.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";

export interface LinearOptions {
  bias?: boolean;
  dtype?: DType;
}

export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    /** PyTorch's positional `bias`, as `nn.Linear(3, 2, false)`, or the options. */
    ...args: WithOptions<[bias: boolean], LinearOptions>
  ) {
    super();
    const { bias = true, dtype = "float32" } = readLayerArgs<LinearOptions>("Linear", [inFeatures, outFeatures, ...args], {
      required: [["inFeatures", NUMBER], ["outFeatures", NUMBER]],
      positional: [["bias", BOOLEAN]],
      keywordOnly: [DTYPE_OPTION],
    });
    for (const [name, value] of [["inFeatures", inFeatures], ["outFeatures", outFeatures]] as const) {
      if (!Number.isInteger(value) || value < 0) throw new OptionError(`Linear: ${name} must be a non-negative integer, got ${value}`);
    }
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    this.bias = bias ? new Parameter(zeros([outFeatures], { dtype })) : null;
    this.resetParameters();
  }

  /**
   * PyTorch's default: W ~ U(−1/√in, 1/√in) (kaiming_uniform with a = √5), and b likewise.
   */
  resetParameters(): void {
    defaultLayerInit_(this.weight, this.bias);
  }

  forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? "True" : "False"}`;
  }
}
