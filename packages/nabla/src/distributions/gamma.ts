/**
 * Gamma(concentration, rate), as torch.distributions.Gamma: density x^(α−1)·e^(−βx)·β^α/Γ(α).
 * rsample is standardGamma(α)/β, PyTorch's Marsaglia–Tsang draws for the same seed, with the
 * implicit reparameterisation gradient in α (and the plain one in β).
 */
import { add, clamp, div, log, mul, pow, sub } from "../ops/elementwise.js";
import { standardGamma } from "../ops/gamma.js";
import { expand } from "../ops/shape.js";
import { digamma, lgamma } from "../ops/special.js";
import type { Tensor } from "../tensor/tensor.js";
import * as constraints from "./constraints.js";
import { Distribution, broadcastAll, type DistributionOptions, type Param, type SampleShape } from "./distribution.js";
import { finfoTiny, xlogy } from "./utils.js";

export class Gamma extends Distribution {
  /** α, the shape. */
  readonly concentration: Tensor;
  /** β, the inverse scale. */
  readonly rate: Tensor;

  constructor(concentration: Param, rate: Param, options: DistributionOptions = {}) {
    const [c, r] = broadcastAll("Gamma", { concentration, rate });
    super("Gamma", typeof concentration === "number" && typeof rate === "number" ? [] : c!.shape, [], options);
    this.concentration = c!;
    this.rate = r!;
    this.validateParameters();
  }

  get argConstraints() {
    return { concentration: constraints.positive, rate: constraints.positive };
  }
  get support() {
    return constraints.nonnegative;
  }
  override get hasRsample() {
    return true;
  }
  protected params() {
    return { concentration: this.concentration, rate: this.rate };
  }

  override get mean(): Tensor {
    return div(this.concentration, this.rate);
  }
  /** (α − 1)/β, or 0 when α < 1. */
  override get mode(): Tensor {
    return clamp(div(sub(this.concentration, 1), this.rate), { min: 0 });
  }
  override get variance(): Tensor {
    return div(this.concentration, pow(this.rate, 2));
  }

  /** standardGamma(α)/β, kept at least the dtype's smallest normal number. */
  override rsample(sampleShape: SampleShape = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const value = div(standardGamma(expand(this.concentration, shape)), expand(this.rate, shape));
    // PyTorch's value.detach().clamp_(min=tiny): raise underflowed draws, leaving the graph as it is
    const tiny = finfoTiny(value.dtype);
    if (value.storage.device !== "cpu") {
      // on the device through a detached view of the same storage (no node saves `value`)
      value.detach().clamp_({ min: tiny });
      return value;
    }
    const data = value.storage.data;
    for (let i = 0; i < data.length; i++) if (data[i]! < tiny) data[i] = tiny;
    return value;
  }

  /** α ln β + (α − 1) ln x − βx − ln Γ(α). */
  logProb(value: Tensor): Tensor {
    this.validateSample(value);
    const v = value.dtype === this.rate.dtype ? value : value.to(this.rate.dtype);
    return sub(sub(add(xlogy(this.concentration, this.rate), xlogy(sub(this.concentration, 1), v)), mul(this.rate, v)), lgamma(this.concentration));
  }

  /** α − ln β + ln Γ(α) + (1 − α)ψ(α). */
  override entropy(): Tensor {
    const a = this.concentration;
    return add(add(sub(a, log(this.rate)), lgamma(a)), mul(sub(1, a), digamma(a)));
  }
}
