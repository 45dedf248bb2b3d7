/**
 * Categorical(probs | logits), as torch.distributions.Categorical: one of K classes per batch
 * element, with probabilities along the last dim (normalised: probs / Σ probs, or logits −
 * logsumexp(logits)). sample draws through multinomial with replacement, as PyTorch does, so the
 * same seed gives PyTorch's samples; logProb picks ln pₖ, whose gradient is the one REINFORCE needs.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { ShapeError, formatShape } from "../errors.js";
import { arange, full } from "../ops/creation.js";
import { clamp, div, mul, neg, sub } from "../ops/elementwise.js";
import { gather } from "../ops/indexing.js";
import { multinomial } from "../ops/random.js";
import { argmax, logsumexp, sum } from "../ops/reduce.js";
import { expand, reshape, squeeze, transpose, unsqueeze } from "../ops/shape.js";
import { broadcastShapes } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { probsOrLogits, type ProbsOrLogits } from "./bernoulli.js";
import * as constraints from "./constraints.js";
import { Distribution, type DistributionOptions, type SampleShape } from "./distribution.js";
import { finfoMin, logitsToProbs, probsToLogits } from "./utils.js";

export class Categorical extends Distribution {
  private probsValue: Tensor | null = null;
  private logitsValue: Tensor | null = null;
  private readonly given: "probs" | "logits";
  /** K, the number of classes. */
  readonly numEvents: number;

  constructor(probs: Tensor | ProbsOrLogits, options?: DistributionOptions) {
    const [given, value, opts] = probsOrLogits("Categorical", probs, options);
    if (typeof value === "number" || value.ndim < 1) {
      throw new ShapeError(`Categorical: the ${given} parameter must be at least one-dimensional, got ${typeof value === "number" ? "a number" : formatShape(value.shape)}`);
    }
    super("Categorical", value.ndim > 1 ? value.shape.slice(0, -1) : [], [], opts);
    this.given = given;
    if (given === "probs") this.probsValue = div(value, sum(value, -1, { keepdim: true }));
    else this.logitsValue = sub(value, logsumexp(value, -1, { keepdim: true }));
    this.numEvents = value.shape[value.ndim - 1]!;
    this.validateParameters();
  }

  get argConstraints() {
    return { probs: constraints.simplex, logits: constraints.independent(constraints.real, 1) };
  }
  get support(): constraints.Constraint {
    return constraints.integerInterval(0, this.numEvents - 1);
  }
  override get hasEnumerateSupport() {
    return true;
  }
  protected params(): Record<string, Tensor> {
    return this.given === "probs" ? { probs: this.probs } : { logits: this.logits };
  }

  /** The class probabilities (softmax of the logits when made from logits). */
  get probs(): Tensor {
    return (this.probsValue ??= logitsToProbs(this.logitsValue!));
  }
  /** The normalised log-probabilities (ln of the clamped probs when made from probs). */
  get logits(): Tensor {
    return (this.logitsValue ??= probsToLogits(this.probsValue!));
  }
  get paramShape(): number[] {
    return (this.given === "probs" ? this.probs : this.logits).shape.slice();
  }

  /** NaN: a class index has no mean. */
  override get mean(): Tensor {
    return full(this.extendedShape(), NaN, { dtype: this.probs.dtype });
  }
  override get mode(): Tensor {
    return argmax(this.probs, -1);
  }
  override get variance(): Tensor {
    return full(this.extendedShape(), NaN, { dtype: this.probs.dtype });
  }

  /** Class indices (int32) of shape sampleShape + batchShape, from multinomial(probs, n, replacement). */
  override sample(sampleShape: SampleShape = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const n = shape.slice(0, shape.length - this.batchShape.length).reduce((p, s) => p * s, 1);
    const device = this.probs.device;
    return noGrad(() => {
      // on the webgpu device drawn on the host from the probabilities read back (counted):
      // PyTorch's CPU draws for the seed, as the other distributions' (docs/PARITY.md)
      const probs2d = reshape(device === "cpu" ? this.probs : this.probs.to("cpu"), [-1, this.numEvents]);
      const samples2d = transpose(multinomial(probs2d, n, { replacement: true }), 0, 1);
      const samples = reshape(samples2d, shape);
      return device === "cpu" ? samples : samples.to(device);
    });
  }

  /** ln p_value: the normalised logit of each class index (broadcast against the batch). */
  logProb(value: Tensor): Tensor {
    this.validateSample(value);
    const index = unsqueeze(value.dtype === "int32" ? value : value.to("int32"), -1);
    const shape = broadcastShapes("Categorical.logProb", index.shape, this.logits.shape);
    const logPmf = expand(this.logits, shape);
    return squeeze(gather(logPmf, -1, expand(index, [...shape.slice(0, -1), 1])), -1);
  }

  /** −Σ p ln p, with the logits clamped at the dtype's lowest finite value (so p = 0 adds 0). */
  override entropy(): Tensor {
    const logits = clamp(this.logits, { min: finfoMin(this.logits.dtype) });
    return neg(sum(mul(logits, this.probs), -1));
  }

  /** 0 … K−1 along a new first dim, expanded over the batch. */
  override enumerateSupport(expandIt = true): Tensor {
    const values = reshape(arange(this.numEvents), [-1, ...this.batchShape.map(() => 1)]);
    return expandIt ? expand(values, [this.numEvents, ...this.batchShape]) : values;
  }
}
