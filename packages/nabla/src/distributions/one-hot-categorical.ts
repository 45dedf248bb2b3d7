/**
 * OneHotCategorical(probs | logits), as torch.distributions.OneHotCategorical: a Categorical
 * whose values are one-hot vectors of length K (event shape [K]). Samples are one-hot vectors of
 * the Categorical's samples (the same draws, so PyTorch's for a seed).
 */
import { noGrad } from "../autograd/grad-mode.js";
import { eye } from "../ops/creation.js";
import { mul, sub } from "../ops/elementwise.js";
import { argmax } from "../ops/reduce.js";
import { expand, reshape } from "../ops/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { probsOrLogits, type ProbsOrLogits } from "./bernoulli.js";
import { Categorical } from "./categorical.js";
import * as constraints from "./constraints.js";
import { Distribution, type DistributionOptions, type SampleShape } from "./distribution.js";
import { oneHotOf } from "./utils.js";

export class OneHotCategorical extends Distribution {
  /** The Categorical over class indices that this distribution one-hot encodes. */
  readonly categorical: Categorical;

  private readonly given: "probs" | "logits";

  constructor(probs: Tensor | ProbsOrLogits, options?: DistributionOptions) {
    const [given, value, opts] = probsOrLogits("OneHotCategorical", probs, options);
    const categorical = new Categorical({ [given]: value, ...opts });
    super("OneHotCategorical", categorical.batchShape, [categorical.numEvents], opts);
    this.categorical = categorical;
    this.given = given;
    this.validateParameters();
  }

  get argConstraints() {
    return { probs: constraints.simplex, logits: constraints.independent(constraints.real, 1) };
  }
  get support() {
    return constraints.oneHot;
  }
  override get hasEnumerateSupport() {
    return true;
  }
  protected params(): Record<string, Tensor> {
    return this.given === "probs" ? { probs: this.probs } : { logits: this.logits };
  }

  get probs(): Tensor {
    return this.categorical.probs;
  }
  get logits(): Tensor {
    return this.categorical.logits;
  }
  get paramShape(): number[] {
    return this.categorical.paramShape;
  }

  override get mean(): Tensor {
    return this.probs;
  }
  /** The one-hot vector of the most probable class. */
  override get mode(): Tensor {
    return oneHotOf(argmax(this.probs, -1), this.categorical.numEvents, this.probs.dtype);
  }
  override get variance(): Tensor {
    return mul(this.probs, sub(1, this.probs));
  }

  override sample(sampleShape: SampleShape = []): Tensor {
    return noGrad(() => oneHotOf(this.categorical.sample(sampleShape), this.categorical.numEvents, this.probs.dtype));
  }

  /** The Categorical's log-probability of the class each one-hot vector marks. */
  logProb(value: Tensor): Tensor {
    this.validateSample(value);
    return this.categorical.logProb(argmax(value, -1));
  }

  override entropy(): Tensor {
    return this.categorical.entropy();
  }

  /** The K one-hot vectors along a new first dim, expanded over the batch. */
  override enumerateSupport(expandIt = true): Tensor {
    const n = this.categorical.numEvents;
    const values = reshape(eye(n, n, { dtype: this.probs.dtype }), [n, ...this.batchShape.map(() => 1), n]);
    return expandIt ? expand(values, [n, ...this.batchShape, n]) : values;
  }
}
