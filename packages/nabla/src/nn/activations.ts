/**
 * Activation functions as modules, for Sequential and for model fields. Each one checks its
 * options when it is built and calls its function in nn.functional. Their arguments come in
 * PyTorch's positional order (`new nn.ELU(0.5)`, `new nn.Hardtanh(-2, 2)`) or as an options
 * object. PReLU and PAU, which learn, are in ./learnable-activations.ts.
 */
import { OptionError } from "../errors.js";
import { GENERATOR, INTEGER, NUMBER, STRING, type WithOptions } from "../ops/arguments.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Generator } from "../tensor/random.js";
import * as F from "./functional/activations.js";
import { checkOption } from "./functional/options.js";
import { Module } from "./module.js";
import { pyFloat } from "./layers/repr.js";
import { INPLACE, noArgs, readLayerArgs, type InplaceOption } from "./constructor-args.js";

/** σ(x) = 1 / (1 + e^−x) */
export class Sigmoid extends Module {
  constructor(...args: []) {
    super();
    noArgs("Sigmoid", args);
  }
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

/** tanh(x) */
export class Tanh extends Module {
  constructor(...args: []) {
    super();
    noArgs("Tanh", args);
  }
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

/** max(0, x) */
export class ReLU extends Module {
  /** PyTorch's `(inplace)`; only false. */
  constructor(...args: WithOptions<[inplace: boolean], InplaceOption>) {
    super();
    readLayerArgs("ReLU", args, { positional: [INPLACE] });
  }
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

/** max(0, x)²: squared ReLU (So et al. 2021, "Primer"). */
export class ReLUSquared extends Module {
  constructor(...args: []) {
    super();
    noArgs("ReLUSquared", args);
  }
  forward(x: Tensor): Tensor {
    return F.reluSquared(x);
  }
}

/** min(max(0, x), 6) */
export class ReLU6 extends Module {
  /** PyTorch's `(inplace)`; only false. */
  constructor(...args: WithOptions<[inplace: boolean], InplaceOption>) {
    super();
    readLayerArgs("ReLU6", args, { positional: [INPLACE] });
  }
  forward(x: Tensor): Tensor {
    return F.relu6(x);
  }
}

/** λ·ELU(x, α), λ ≈ 1.0507, α ≈ 1.6733 */
export class SELU extends Module {
  /** PyTorch's `(inplace)`; only false. */
  constructor(...args: WithOptions<[inplace: boolean], InplaceOption>) {
    super();
    readLayerArgs("SELU", args, { positional: [INPLACE] });
  }
  forward(x: Tensor): Tensor {
    return F.selu(x);
  }
}

/** x·σ(x) (Swish) */
export class SiLU extends Module {
  /** PyTorch's `(inplace)`; only false. */
  constructor(...args: WithOptions<[inplace: boolean], InplaceOption>) {
    super();
    readLayerArgs("SiLU", args, { positional: [INPLACE] });
  }
  forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}

/** x·tanh(softplus(x)) */
export class Mish extends Module {
  /** PyTorch's `(inplace)`; only false. */
  constructor(...args: WithOptions<[inplace: boolean], InplaceOption>) {
    super();
    readLayerArgs("Mish", args, { positional: [INPLACE] });
  }
  forward(x: Tensor): Tensor {
    return F.mish(x);
  }
}

/** x / (1 + |x|) */
export class Softsign extends Module {
  constructor(...args: []) {
    super();
    noArgs("Softsign", args);
  }
  forward(x: Tensor): Tensor {
    return F.softsign(x);
  }
}

/** min(max(x + 3, 0), 6)/6 */
export class Hardsigmoid extends Module {
  /** PyTorch's `(inplace)`; only false. */
  constructor(...args: WithOptions<[inplace: boolean], InplaceOption>) {
    super();
    readLayerArgs("Hardsigmoid", args, { positional: [INPLACE] });
  }
  forward(x: Tensor): Tensor {
    return F.hardsigmoid(x);
  }
}

/** x·min(max(x + 3, 0), 6)/6 */
export class Hardswish extends Module {
  /** PyTorch's `(inplace)`; only false. */
  constructor(...args: WithOptions<[inplace: boolean], InplaceOption>) {
    super();
    readLayerArgs("Hardswish", args, { positional: [INPLACE] });
  }
  forward(x: Tensor): Tensor {
    return F.hardswish(x);
  }
}

/** log σ(x) */
export class LogSigmoid extends Module {
  constructor(...args: []) {
    super();
    noArgs("LogSigmoid", args);
  }
  forward(x: Tensor): Tensor {
    return F.logsigmoid(x);
  }
}

/** x − tanh(x) */
export class Tanhshrink extends Module {
  constructor(...args: []) {
    super();
    noArgs("Tanhshrink", args);
  }
  forward(x: Tensor): Tensor {
    return F.tanhshrink(x);
  }
}

export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  /** PyTorch's `(negativeSlope, inplace)`, as `nn.LeakyReLU(0.2)`, or options. */
  constructor(...args: WithOptions<[negativeSlope: number, inplace: boolean], F.LeakyReluOptions & InplaceOption>) {
    super();
    const { negativeSlope = 0.01 } = readLayerArgs<F.LeakyReluOptions>("LeakyReLU", args, { positional: [["negativeSlope", NUMBER], INPLACE] });
    checkOption("LeakyReLU", "negativeSlope", negativeSlope, Number.isFinite(negativeSlope), "a finite number");
    this.negativeSlope = negativeSlope;
  }
  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, { negativeSlope: this.negativeSlope });
  }
  override extraRepr(): string {
    return `negative_slope=${this.negativeSlope}`;
  }
}

export class ELU extends Module {
  readonly alpha: number;
  /** PyTorch's `(alpha, inplace)` or options. */
  constructor(...args: WithOptions<[alpha: number, inplace: boolean], F.AlphaOptions & InplaceOption>) {
    super();
    const { alpha = 1 } = readLayerArgs<F.AlphaOptions>("ELU", args, { positional: [["alpha", NUMBER], INPLACE] });
    checkOption("ELU", "alpha", alpha, Number.isFinite(alpha), "a finite number");
    this.alpha = alpha;
  }
  forward(x: Tensor): Tensor {
    return F.elu(x, { alpha: this.alpha });
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

export class CELU extends Module {
  readonly alpha: number;
  /** PyTorch's `(alpha, inplace)` or options. */
  constructor(...args: WithOptions<[alpha: number, inplace: boolean], F.AlphaOptions & InplaceOption>) {
    super();
    const { alpha = 1 } = readLayerArgs<F.AlphaOptions>("CELU", args, { positional: [["alpha", NUMBER], INPLACE] });
    checkOption("CELU", "alpha", alpha, Number.isFinite(alpha) && alpha !== 0, "a finite non-zero number");
    this.alpha = alpha;
  }
  forward(x: Tensor): Tensor {
    return F.celu(x, { alpha: this.alpha });
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

export class GELU extends Module {
  readonly approximate: "none" | "tanh";
  /** PyTorch's `(approximate)` or options. */
  constructor(...args: WithOptions<[approximate: "none" | "tanh"], F.GeluOptions>) {
    super();
    const { approximate = "none" } = readLayerArgs<F.GeluOptions>("GELU", args, { positional: [["approximate", STRING]] });
    if (approximate !== "none" && approximate !== "tanh") {
      throw new OptionError(`GELU: approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`);
    }
    this.approximate = approximate;
  }
  forward(x: Tensor): Tensor {
    return F.gelu(x, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  /** PyTorch's `(beta, threshold)` or options. */
  constructor(...args: WithOptions<[beta: number, threshold: number], F.SoftplusOptions>) {
    super();
    const { beta = 1, threshold = 20 } = readLayerArgs<F.SoftplusOptions>("Softplus", args, { positional: [["beta", NUMBER], ["threshold", NUMBER]] });
    checkOption("Softplus", "beta", beta, beta > 0 && Number.isFinite(beta), "a finite number > 0");
    checkOption("Softplus", "threshold", threshold, true, "a number");
    this.beta = beta;
    this.threshold = threshold;
  }
  forward(x: Tensor): Tensor {
    return F.softplus(x, { beta: this.beta, threshold: this.threshold });
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  /** PyTorch's `(minVal, maxVal, inplace)` or options. */
  constructor(...args: WithOptions<[minVal: number, maxVal: number, inplace: boolean], F.HardtanhOptions & InplaceOption>) {
    super();
    const { minVal = -1, maxVal = 1 } = readLayerArgs<F.HardtanhOptions>("Hardtanh", args, { positional: [["minVal", NUMBER], ["maxVal", NUMBER], INPLACE] });
    checkOption("Hardtanh", "maxVal", maxVal, maxVal > minVal, `greater than minVal (${minVal})`);
    this.minVal = minVal;
    this.maxVal = maxVal;
  }
  forward(x: Tensor): Tensor {
    return F.hardtanh(x, { minVal: this.minVal, maxVal: this.maxVal });
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`;
  }
}

abstract class Shrink extends Module {
  readonly lambd: number;
  constructor(name: string, args: readonly unknown[]) {
    super();
    const { lambd = 0.5 } = readLayerArgs<F.ShrinkOptions>(name, args, { positional: [["lambd", NUMBER]] });
    checkOption(name, "lambd", lambd, lambd >= 0, "≥ 0");
    this.lambd = lambd;
  }
  override extraRepr(): string {
    return String(this.lambd);
  }
}

export class Softshrink extends Shrink {
  /** PyTorch's `(lambd)` or options. */
  constructor(...args: WithOptions<[lambd: number], F.ShrinkOptions>) {
    super("Softshrink", args);
  }
  forward(x: Tensor): Tensor {
    return F.softshrink(x, { lambd: this.lambd });
  }
}

export class Hardshrink extends Shrink {
  /** PyTorch's `(lambd)` or options. */
  constructor(...args: WithOptions<[lambd: number], F.ShrinkOptions>) {
    super("Hardshrink", args);
  }
  forward(x: Tensor): Tensor {
    return F.hardshrink(x, { lambd: this.lambd });
  }
}

/** x for x > threshold, value otherwise: `new nn.Threshold(0.1, 20)`, as PyTorch's positional arguments. */
export class Threshold extends Module {
  /** PyTorch's `(threshold, value, inplace)`. */
  constructor(
    readonly threshold: number,
    readonly value: number,
    ...args: WithOptions<[inplace: boolean], InplaceOption>
  ) {
    super();
    readLayerArgs("Threshold", [threshold, value, ...args], { required: [["threshold", NUMBER], ["value", NUMBER]], positional: [INPLACE] });
    checkOption("Threshold", "threshold", threshold, true, "a number");
    checkOption("Threshold", "value", value, true, "a number");
  }
  forward(x: Tensor): Tensor {
    return F.threshold(x, this.threshold, this.value);
  }
  override extraRepr(): string {
    return `threshold=${pyFloat(this.threshold)}, value=${pyFloat(this.value)}`;
  }
}

export interface RReLUOptions {
  lower?: number;
  upper?: number;
  generator?: Generator;
}

/** Random negative slope in U(lower, upper) while training, (lower + upper)/2 in eval mode. */
export class RReLU extends Module {
  readonly lower: number;
  readonly upper: number;
  private readonly generator: Generator | undefined;
  /** PyTorch's `(lower, upper, inplace)` or options (with nabla's generator). */
  constructor(...args: WithOptions<[lower: number, upper: number, inplace: boolean], RReLUOptions & InplaceOption>) {
    super();
    const { lower = 1 / 8, upper = 1 / 3, generator } = readLayerArgs<RReLUOptions>("RReLU", args, {
      positional: [["lower", NUMBER], ["upper", NUMBER], INPLACE],
      keywordOnly: [["generator", GENERATOR]],
    });
    checkOption("RReLU", "upper", upper, Number.isFinite(lower) && Number.isFinite(upper) && lower <= upper, `≥ lower (${lower})`);
    this.lower = lower;
    this.upper = upper;
    this.generator = generator;
  }
  forward(x: Tensor): Tensor {
    return F.rrelu(x, { lower: this.lower, upper: this.upper, training: this.training, generator: this.generator });
  }
  override extraRepr(): string {
    return `lower=${this.lower}, upper=${this.upper}`;
  }
}

export interface DimOptions {
  dim: number;
}

/** A module over one `dim`: PyTorch's `(dim)`, or `{ dim }`. */
abstract class AlongDim extends Module {
  readonly dim: number;
  constructor(cls: string, args: readonly unknown[], defaultDim?: number) {
    super();
    const { dim = defaultDim } = readLayerArgs<DimOptions>(cls, args, { positional: [["dim", INTEGER]] });
    // PyTorch's dim=None picks a dim from the input's rank, a deprecated guess; nabla asks for it
    if (dim === undefined) throw new OptionError(`${cls}: dim is required (PyTorch's implicit choice of dim is deprecated): new nn.${cls}(1)`);
    this.dim = dim;
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

export class Softmax extends AlongDim {
  /** PyTorch's `(dim)`, as `nn.Softmax(1)`, or `{ dim }`. */
  constructor(...args: WithOptions<[dim: number], DimOptions>) {
    super("Softmax", args);
  }
  forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }
}

export class LogSoftmax extends AlongDim {
  /** PyTorch's `(dim)`, as `nn.LogSoftmax(1)`, or `{ dim }`. */
  constructor(...args: WithOptions<[dim: number], DimOptions>) {
    super("LogSoftmax", args);
  }
  forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }
}

export class Softmin extends AlongDim {
  /** PyTorch's `(dim)`, as `nn.Softmin(1)`, or `{ dim }`. */
  constructor(...args: WithOptions<[dim: number], DimOptions>) {
    super("Softmin", args);
  }
  forward(x: Tensor): Tensor {
    return F.softmin(x, this.dim);
  }
}

/** GLU over `dim` (default −1): a ⊗ σ(b). */
export class GLU extends AlongDim {
  /** `(dim)` or `{ dim }`; default −1. */
  constructor(...args: WithOptions<[dim: number], Partial<DimOptions>>) {
    super("GLU", args, -1);
  }
  forward(x: Tensor): Tensor {
    return F.glu(x, this.dim);
  }
}

/** SwiGLU over `dim` (default −1): a ⊗ SiLU(b). Put a Linear to 2·hidden in front of it. */
export class SwiGLU extends AlongDim {
  /** `(dim)` or `{ dim }`; default −1. */
  constructor(...args: WithOptions<[dim: number], Partial<DimOptions>>) {
    super("SwiGLU", args, -1);
  }
  forward(x: Tensor): Tensor {
    return F.swiglu(x, this.dim);
  }
}

/** GeGLU over `dim` (default −1): a ⊗ GELU(b). Put a Linear to 2·hidden in front of it. */
export class GeGLU extends AlongDim {
  /** `(dim)` or `{ dim }`; default −1. */
  constructor(...args: WithOptions<[dim: number], Partial<DimOptions>>) {
    super("GeGLU", args, -1);
  }
  forward(x: Tensor): Tensor {
    return F.geglu(x, this.dim);
  }
}
