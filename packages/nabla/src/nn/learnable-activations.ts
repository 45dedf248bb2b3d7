/** Activations with learned parameters: PReLU (PyTorch's) and PAU (a learnable rational function). */
import { OptionError } from "../errors.js";
import { NUMBER, NUMBERS, type WithOptions } from "../ops/arguments.js";
import { full, tensor } from "../ops/creation.js";
import type { DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { prelu } from "./functional/rectifiers.js";
import { rational } from "./functional/rational.js";
import { DTYPE_OPTION, readLayerArgs } from "./constructor-args.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

export interface PReLUOptions {
  /** 1 (one slope shared by all channels) or the number of channels (dim 1 of the input). Default 1. */
  numParameters?: number;
  /** The slopes' initial value. Default 0.25. */
  init?: number;
  dtype?: DType;
}

/** PReLU: x for x > 0, a·x otherwise, with the slope a learned (He et al. 2015). */
export class PReLU extends Module {
  readonly numParameters: number;
  weight: Parameter;
  /** PyTorch's `(numParameters, init)` or options. */
  constructor(...args: WithOptions<[numParameters: number, init: number], PReLUOptions>) {
    super();
    const { numParameters = 1, init = 0.25, dtype = "float32" } = readLayerArgs<PReLUOptions>("PReLU", args, {
      positional: [["numParameters", NUMBER], ["init", NUMBER]],
      keywordOnly: [DTYPE_OPTION],
    });
    if (!Number.isInteger(numParameters) || numParameters < 1) {
      throw new OptionError(`PReLU: numParameters must be a positive integer, got ${numParameters}`);
    }
    if (!Number.isFinite(init)) throw new OptionError(`PReLU: init must be a finite number, got ${init}`);
    this.numParameters = numParameters;
    this.weight = new Parameter(full([numParameters], init, { dtype }));
  }
  forward(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}

/**
 * Coefficients of R(x) fitted by least squares to LeakyReLU(0.01) on [−3, 3] (max error 0.034),
 * the initialisation the PAU paper recommends (a rational that starts as a known activation).
 */
const LEAKY_RELU_NUMERATOR = [0.033572, 0.505, 1.652676, 2.008124, 0.930576, 0.152133];
const LEAKY_RELU_DENOMINATOR = [0, 3.976483, 0, 0.301253];

export interface PAUOptions {
  /** Initial numerator coefficients [a₀ … a_m]; default: the LeakyReLU fit, m = 5. */
  numerator?: readonly number[];
  /** Initial denominator coefficients [b₁ … b_n]; default: the LeakyReLU fit, n = 4. */
  denominator?: readonly number[];
  dtype?: DType;
}

/**
 * PAU, the safe Padé activation unit (Molina et al. 2019): R(x) = P(x) / (1 + |Σₖ bₖxᵏ|) with the
 * numerator's and denominator's coefficients learned with the rest of the network, so that the
 * network finds its own activation. Without a pole for any coefficients.
 */
export class PAU extends Module {
  numerator: Parameter;
  denominator: Parameter;
  /** Options only (PyTorch has no PAU to follow). */
  constructor(...args: WithOptions<[], PAUOptions>) {
    super();
    const { numerator = LEAKY_RELU_NUMERATOR, denominator = LEAKY_RELU_DENOMINATOR, dtype = "float32" } = readLayerArgs<PAUOptions>("PAU", args, {
      keywordOnly: [["numerator", NUMBERS], ["denominator", NUMBERS], DTYPE_OPTION],
    });
    for (const [name, c] of [["numerator", numerator], ["denominator", denominator]] as const) {
      if (c.length === 0 || !c.every(Number.isFinite)) {
        throw new OptionError(`PAU: ${name} must be a non-empty list of finite numbers, got [${c.join(", ")}]`);
      }
    }
    this.numerator = new Parameter(tensor(numerator.slice(), { dtype }));
    this.denominator = new Parameter(tensor(denominator.slice(), { dtype }));
  }
  forward(x: Tensor): Tensor {
    return rational(x, this.numerator, this.denominator);
  }
  override extraRepr(): string {
    return `m=${this.numerator.numel() - 1}, n=${this.denominator.numel()}`;
  }
}
