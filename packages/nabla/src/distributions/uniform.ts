/**
 * Uniform(low, high), as torch.distributions.Uniform: U[low, high) elementwise; rsample is
 * low + u·(high − low) with u from rand, PyTorch's draws for the same seed.
 */
import { OptionError } from "../errors.js";
import { add, div, gt, le, log, logicalAnd, mul, pow, sub } from "../ops/elementwise.js";
import { full, rand } from "../ops/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import * as constraints from "./constraints.js";
import { Distribution, broadcastAll, type DistributionOptions, type Param, type SampleShape } from "./distribution.js";

export class Uniform extends Distribution {
  readonly low: Tensor;
  readonly high: Tensor;

  constructor(low: Param, high: Param, options: DistributionOptions = {}) {
    const [lo, hi] = broadcastAll("Uniform", { low, high });
    super("Uniform", typeof low === "number" && typeof high === "number" ? [] : lo!.shape, [], options);
    this.low = lo!;
    this.high = hi!;
    if (this.validateArgs) {
      const [l, h] = [this.low.toTypedArray(), this.high.toTypedArray()];
      for (let i = 0; i < l.length; i++) {
        if (!(l[i]! < h[i]!)) throw new OptionError(`Uniform: is not defined when low >= high: got low ${l[i]} and high ${h[i]} at index ${i}`);
      }
    }
  }

  get argConstraints() {
    return { low: constraints.dependent, high: constraints.dependent };
  }
  /** [low, high), which depends on the parameters: values are checked against the bounds elementwise. */
  get support(): constraints.Constraint {
    const [l, h] = [this.low, this.high];
    return {
      name: "Interval(lower_bound=low, upper_bound=high)",
      eventDim: 0,
      isDiscrete: false,
      check: (value: Tensor) => logicalAnd(le(l, value), gt(h, value)),
    };
  }
  override get hasRsample() {
    return true;
  }
  protected params() {
    return { low: this.low, high: this.high };
  }

  override get mean(): Tensor {
    return div(add(this.high, this.low), 2);
  }
  override get mode(): Tensor {
    return full(this.high.shape, NaN, { dtype: this.high.dtype });
  }
  override get stddev(): Tensor {
    return div(sub(this.high, this.low), Math.sqrt(12));
  }
  override get variance(): Tensor {
    return div(pow(sub(this.high, this.low), 2), 12);
  }

  override rsample(sampleShape: SampleShape = []): Tensor {
    const u = rand(this.extendedShape(sampleShape), { dtype: this.low.dtype, device: this.low.device });
    return add(this.low, mul(u, sub(this.high, this.low)));
  }

  /** −ln(high − low) inside [low, high), −∞ outside. */
  logProb(value: Tensor): Tensor {
    this.validateSample(value);
    const lb = le(this.low, value).to(this.low.dtype);
    const ub = gt(this.high, value).to(this.low.dtype);
    return sub(log(mul(lb, ub)), log(sub(this.high, this.low)));
  }

  override entropy(): Tensor {
    return log(sub(this.high, this.low));
  }
}
