/**
 * Normal(loc, scale), as torch.distributions.Normal: N(μ, σ²) elementwise over the batch.
 * sample draws as torch.normal(loc, scale) does (standard normals first, then ·σ + μ), rsample
 * as μ + ε·σ with ε ~ N(0, 1), so both give PyTorch's samples for the same seed.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { add, div, log, mul, neg, pow, sub } from "../ops/elementwise.js";
import { normal } from "../ops/random.js";
import { expand } from "../ops/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import * as constraints from "./constraints.js";
import { Distribution, broadcastAll, type DistributionOptions, type Param, type SampleShape } from "./distribution.js";
import { standardNormal } from "./utils.js";

const HALF_LOG_2PI = Math.log(Math.sqrt(2 * Math.PI));

export class Normal extends Distribution {
  readonly loc: Tensor;
  readonly scale: Tensor;

  constructor(loc: Param, scale: Param, options: DistributionOptions = {}) {
    const [l, s] = broadcastAll("Normal", { loc, scale });
    super("Normal", typeof loc === "number" && typeof scale === "number" ? [] : l!.shape, [], options);
    this.loc = l!;
    this.scale = s!;
    this.validateParameters();
  }

  get argConstraints() {
    return { loc: constraints.real, scale: constraints.positive };
  }
  get support() {
    return constraints.real;
  }
  override get hasRsample() {
    return true;
  }
  protected params() {
    return { loc: this.loc, scale: this.scale };
  }

  override get mean(): Tensor {
    return this.loc;
  }
  override get mode(): Tensor {
    return this.loc;
  }
  override get stddev(): Tensor {
    return this.scale;
  }
  override get variance(): Tensor {
    return pow(this.stddev, 2);
  }

  override sample(sampleShape: SampleShape = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => normal(expand(this.loc, shape), expand(this.scale, shape)));
  }

  override rsample(sampleShape: SampleShape = []): Tensor {
    const eps = standardNormal(this.extendedShape(sampleShape), this.loc.dtype, this.loc.device);
    return add(this.loc, mul(eps, this.scale));
  }

  /** −(x − μ)²/(2σ²) − ln σ − ln √(2π). */
  logProb(value: Tensor): Tensor {
    this.validateSample(value);
    const variance = pow(this.scale, 2);
    return sub(sub(div(neg(pow(sub(value, this.loc), 2)), mul(variance, 2)), log(this.scale)), HALF_LOG_2PI);
  }

  /** ½ + ½ ln(2π) + ln σ. */
  override entropy(): Tensor {
    return add(log(this.scale), 0.5 + 0.5 * Math.log(2 * Math.PI));
  }
}
