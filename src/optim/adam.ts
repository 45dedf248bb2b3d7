import { OptionError } from "../errors.js";
import type { TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec, type ParamState } from "./optimizer.js";
import { adamUpdate, type AdamLikeOptions } from "./adam-update.js";

/** lr, betas, eps, weightDecay, amsgrad, maximize: the options Adam shares with AdamW. */
export type AdamOptions = AdamLikeOptions;

/**
 * Adam (Kingma & Ba 2015): momentum plus RMSProp's per-parameter scale, bias-corrected; as
 * torch/optim/adam.py computes it:
 *
 *   t ← t + 1
 *   g ← ∇f(θ) (+ λθ with weight decay λ; −∇f(θ) if maximize)
 *   m ← β₁m + (1 − β₁)g
 *   v ← β₂v + (1 − β₂)g²
 *   m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)   (amsgrad: v̂ uses vmax ← max(vmax, v))
 *   θ ← θ − γ·m̂ / (√v̂ + ε)
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<AdamOptions>>, options: Partial<AdamOptions> = {}) {
    super("Adam", params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }, options);
  }

  protected validate({ lr, betas, eps, weightDecay }: AdamOptions): void {
    if (!(lr >= 0)) throw new OptionError(`Adam: invalid learning rate: ${lr} (lr must be >= 0)`);
    if (!(eps >= 0)) throw new OptionError(`Adam: invalid epsilon value: ${eps} (must be >= 0)`);
    if (!Array.isArray(betas) || betas.length !== 2) throw new OptionError(`Adam: betas must be a pair [beta1, beta2], got ${JSON.stringify(betas)}`);
    betas.forEach((beta, i) => {
      if (!(beta >= 0 && beta < 1)) throw new OptionError(`Adam: invalid beta parameter at index ${i}: ${beta} (must be in [0, 1))`);
    });
    if (!(weightDecay >= 0)) throw new OptionError(`Adam: invalid weightDecay value: ${weightDecay} (must be >= 0)`);
  }

  protected updateParameter(theta: TypedArray, grad: TypedArray, state: ParamState, o: AdamOptions, p: Tensor): void {
    adamUpdate((key) => this.buffer(state, key, p), theta, grad, state, o, false);
  }
}
