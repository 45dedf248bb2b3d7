/**
 * Tensor methods: in-place random fills and sampling: bernoulli_, exponential_, bernoulli,
 * multinomial (uniform_ and normal_ are in tensor.ts). Each draws PyTorch's numbers for the same
 * seed (src/ops/random.ts).
 */
import { Tensor } from "../tensor.js";
import { defaultGenerator } from "../random.js";
import { bernoulli, bernoulliValues, exponentialValues, GENERATOR_KEYS, multinomial, type GeneratorOption, type MultinomialOptions } from "../../ops/random.js";
import { checkOptions } from "../../ops/options.js";

declare module "../tensor.js" {
  interface Tensor {
    /** Fills with 0/1 draws: 1 with probability p (a number, or a tensor broadcast to this shape), as torch.Tensor.bernoulli_. */
    bernoulli_(p?: number | Tensor, options?: GeneratorOption): this;
    /** Fills with Exp(λ) draws, as torch.Tensor.exponential_. */
    exponential_(lambda?: number, options?: GeneratorOption): this;
    /** 0/1 draws with this tensor's probabilities (or one probability p), as torch.Tensor.bernoulli. */
    bernoulli(p?: number | GeneratorOption, options?: GeneratorOption): Tensor;
    /** Category indices drawn from the rows of this tensor, as torch.Tensor.multinomial. */
    multinomial(numSamples: number, options?: MultinomialOptions | boolean): Tensor;
  }
}

Tensor.prototype.bernoulli_ = function (this: Tensor, p: number | Tensor = 0.5, options: GeneratorOption = {}) {
  checkOptions("bernoulli_", options, GENERATOR_KEYS);
  const { generator = defaultGenerator } = options;
  return this.assign("bernoulli_", () => bernoulliValues(this, p, generator));
};

Tensor.prototype.exponential_ = function (this: Tensor, lambda = 1, options: GeneratorOption = {}) {
  checkOptions("exponential_", options, GENERATOR_KEYS);
  const { generator = defaultGenerator } = options;
  return this.assign("exponential_", () => exponentialValues(this, lambda, generator));
};

Tensor.prototype.bernoulli = function (this: Tensor, p?: number | GeneratorOption, options?: GeneratorOption) {
  return bernoulli(this, p, options);
};

Tensor.prototype.multinomial = function (this: Tensor, numSamples: number, options?: MultinomialOptions | boolean) {
  return multinomial(this, numSamples, options);
};
