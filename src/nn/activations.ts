/**
 * Activation functions as modules, for Sequential and for model fields. Each one checks its
 * options when it is built and calls its function in nn.functional. PReLU and PAU, which learn,
 * are in ./learnable-activations.ts.
 */
import { OptionError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Generator } from "../tensor/random.js";
import * as F from "./functional/activations.js";
import { checkOption } from "./functional/options.js";
import { Module } from "./module.js";
import { pyFloat } from "./layers/repr.js";

/** σ(x) = 1 / (1 + e^−x) */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

/** tanh(x) */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

/** max(0, x) */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

/** max(0, x)²: squared ReLU (So et al. 2021, "Primer"). */
export class ReLUSquared extends Module {
  forward(x: Tensor): Tensor {
    return F.reluSquared(x);
  }
}

/** min(max(0, x), 6) */
export class ReLU6 extends Module {
  forward(x: Tensor): Tensor {
    return F.relu6(x);
  }
}

/** λ·ELU(x, α), λ ≈ 1.0507, α ≈ 1.6733 */
export class SELU extends Module {
  forward(x: Tensor): Tensor {
    return F.selu(x);
  }
}

/** x·σ(x) (Swish) */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}

/** x·tanh(softplus(x)) */
export class Mish extends Module {
  forward(x: Tensor): Tensor {
    return F.mish(x);
  }
}

/** x / (1 + |x|) */
export class Softsign extends Module {
  forward(x: Tensor): Tensor {
    return F.softsign(x);
  }
}

/** min(max(x + 3, 0), 6)/6 */
export class Hardsigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.hardsigmoid(x);
  }
}

/** x·min(max(x + 3, 0), 6)/6 */
export class Hardswish extends Module {
  forward(x: Tensor): Tensor {
    return F.hardswish(x);
  }
}

/** log σ(x) */
export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.logsigmoid(x);
  }
}

/** x − tanh(x) */
export class Tanhshrink extends Module {
  forward(x: Tensor): Tensor {
    return F.tanhshrink(x);
  }
}

export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  /** `options` may be the slope itself, as PyTorch's positional `nn.LeakyReLU(0.2)`. */
  constructor(options: number | F.LeakyReluOptions = {}) {
    super();
    const { negativeSlope = 0.01 } = typeof options === "number" ? { negativeSlope: options } : options;
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
  constructor({ alpha = 1 }: F.AlphaOptions = {}) {
    super();
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
  constructor({ alpha = 1 }: F.AlphaOptions = {}) {
    super();
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
  constructor({ approximate = "none" }: F.GeluOptions = {}) {
    super();
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
  constructor({ beta = 1, threshold = 20 }: F.SoftplusOptions = {}) {
    super();
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
  constructor({ minVal = -1, maxVal = 1 }: F.HardtanhOptions = {}) {
    super();
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
  constructor(name: string, { lambd = 0.5 }: F.ShrinkOptions = {}) {
    super();
    checkOption(name, "lambd", lambd, lambd >= 0, "≥ 0");
    this.lambd = lambd;
  }
  override extraRepr(): string {
    return String(this.lambd);
  }
}

export class Softshrink extends Shrink {
  constructor(options: F.ShrinkOptions = {}) {
    super("Softshrink", options);
  }
  forward(x: Tensor): Tensor {
    return F.softshrink(x, { lambd: this.lambd });
  }
}

export class Hardshrink extends Shrink {
  constructor(options: F.ShrinkOptions = {}) {
    super("Hardshrink", options);
  }
  forward(x: Tensor): Tensor {
    return F.hardshrink(x, { lambd: this.lambd });
  }
}

/** x for x > threshold, value otherwise: `new nn.Threshold(0.1, 20)`, as PyTorch's positional arguments. */
export class Threshold extends Module {
  constructor(
    readonly threshold: number,
    readonly value: number,
  ) {
    super();
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
  constructor({ lower = 1 / 8, upper = 1 / 3, generator }: RReLUOptions = {}) {
    super();
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

/** A module over one `dim`, given as { dim }. */
abstract class AlongDim extends Module {
  readonly dim: number;
  constructor(dim: number) {
    super();
    this.dim = dim;
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

export class Softmax extends AlongDim {
  constructor({ dim }: DimOptions) {
    super(dim);
  }
  forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }
}

export class LogSoftmax extends AlongDim {
  constructor({ dim }: DimOptions) {
    super(dim);
  }
  forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }
}

export class Softmin extends AlongDim {
  constructor({ dim }: DimOptions) {
    super(dim);
  }
  forward(x: Tensor): Tensor {
    return F.softmin(x, this.dim);
  }
}

/** GLU over `dim` (default −1): a ⊗ σ(b). */
export class GLU extends AlongDim {
  constructor({ dim = -1 }: Partial<DimOptions> = {}) {
    super(dim);
  }
  forward(x: Tensor): Tensor {
    return F.glu(x, this.dim);
  }
}

/** SwiGLU over `dim` (default −1): a ⊗ SiLU(b). Put a Linear to 2·hidden in front of it. */
export class SwiGLU extends AlongDim {
  constructor({ dim = -1 }: Partial<DimOptions> = {}) {
    super(dim);
  }
  forward(x: Tensor): Tensor {
    return F.swiglu(x, this.dim);
  }
}

/** GeGLU over `dim` (default −1): a ⊗ GELU(b). Put a Linear to 2·hidden in front of it. */
export class GeGLU extends AlongDim {
  constructor({ dim = -1 }: Partial<DimOptions> = {}) {
    super(dim);
  }
  forward(x: Tensor): Tensor {
    return F.geglu(x, this.dim);
  }
}
