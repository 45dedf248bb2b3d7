/**
 * Beta(concentration1, concentration0), as torch.distributions.Beta: density
 * x^(α−1)(1 − x)^(β−1)/B(α, β) on [0, 1]. As in PyTorch it is the first coordinate of a
 * Dirichlet([α, β]): rsample draws that Dirichlet (two Gamma draws, PyTorch's for the same seed)
 * with its implicit reparameterisation gradient, and logProb/entropy are the Dirichlet's.
 */
import { add, clamp, div, logicalAnd, lt, mul, pow, sub, where } from "../ops/elementwise.js";
import { sampleDirichlet } from "../ops/gamma.js";
import { stack } from "../ops/join.js";
import { sum } from "../ops/reduce.js";
import { expand, select } from "../ops/shape.js";
import { digamma, lgamma } from "../ops/special.js";
import type { Tensor } from "../tensor/tensor.js";
import * as constraints from "./constraints.js";
import { Distribution, broadcastAll, type DistributionOptions, type Param, type SampleShape } from "./distribution.js";
import { xlogy } from "./utils.js";

export class Beta extends Distribution {
  /** [α, β] along a new last dim: the Dirichlet this Beta is the first coordinate of. */
  readonly concentration: Tensor;

  constructor(concentration1: Param, concentration0: Param, options: DistributionOptions = {}) {
    const [c1, c0] = broadcastAll("Beta", { concentration1, concentration0 });
    const both = stack([c1!, c0!], -1);
    super("Beta", both.shape.slice(0, -1), [], options);
    this.concentration = both;
    this.validateParameters();
  }

  get argConstraints() {
    return { concentration1: constraints.positive, concentration0: constraints.positive };
  }
  get support() {
    return constraints.unitInterval;
  }
  override get hasRsample() {
    return true;
  }
  protected params() {
    return { concentration1: this.concentration1, concentration0: this.concentration0 };
  }

  /** α. */
  get concentration1(): Tensor {
    return select(this.concentration, -1, 0);
  }
  /** β. */
  get concentration0(): Tensor {
    return select(this.concentration, -1, 1);
  }

  override get mean(): Tensor {
    return div(this.concentration1, add(this.concentration1, this.concentration0));
  }
  /** (α − 1)/(α + β − 2) clamped as the Dirichlet's mode is: 1 when both are below 1 (PyTorch's one-hot of argmax). */
  override get mode(): Tensor {
    const m = clamp(sub(this.concentration, 1), { min: 0 });
    const mode = div(select(m, -1, 0), sum(m, -1));
    const bothBelowOne = logicalAnd(lt(this.concentration1, 1), lt(this.concentration0, 1));
    return where(bothBelowOne, 1, mode);
  }
  override get variance(): Tensor {
    const total = add(this.concentration1, this.concentration0);
    return div(mul(this.concentration1, this.concentration0), mul(pow(total, 2), add(total, 1)));
  }

  override rsample(sampleShape: SampleShape = []): Tensor {
    const shape = [...this.extendedShape(sampleShape), 2];
    return select(sampleDirichlet(expand(this.concentration, shape)), -1, 0);
  }

  /** The Dirichlet's log-density of [x, 1 − x]: Σ (cᵢ − 1) ln xᵢ + ln Γ(Σ cᵢ) − Σ ln Γ(cᵢ). */
  logProb(value: Tensor): Tensor {
    this.validateSample(value);
    const v = value.dtype === this.concentration.dtype ? value : value.to(this.concentration.dtype);
    const headsTails = stack([v, sub(1, v)], -1);
    const c = this.concentration;
    return sub(add(sum(xlogy(sub(c, 1), headsTails), -1), lgamma(sum(c, -1))), sum(lgamma(c), -1));
  }

  /** The Dirichlet's entropy with k = 2. */
  override entropy(): Tensor {
    const c = this.concentration;
    const a0 = sum(c, -1);
    return sub(sub(sub(sum(lgamma(c), -1), lgamma(a0)), mul(sub(2, a0), digamma(a0))), sum(mul(sub(c, 1), digamma(c)), -1));
  }
}
