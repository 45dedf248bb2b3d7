/**
 * torch.distributions: probability distributions with sampling (PyTorch's draws for the same
 * seed where PyTorch's sampler is reproducible), reparameterised sampling, log-densities,
 * entropies, moments, argument validation, and KL divergences between them.
 */
export { Distribution, type DistributionOptions, type Param, type SampleShape } from "./distribution.js";
export * as constraints from "./constraints.js";
export { Normal } from "./normal.js";
export { Uniform } from "./uniform.js";
export { Bernoulli, type ProbsOrLogits } from "./bernoulli.js";
export { Categorical } from "./categorical.js";
export { OneHotCategorical } from "./one-hot-categorical.js";
export { Gamma } from "./gamma.js";
export { Beta } from "./beta.js";
export { MultivariateNormal, type MultivariateNormalOptions } from "./multivariate-normal.js";
export { klDivergence, registerKl } from "./kl.js";
