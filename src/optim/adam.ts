import { OptionError } from "../errors.js";
import { backend } from "../backend/backend.js";
import type { TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec, type ParamState } from "./optimizer.js";

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

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
    const { lr, betas: [beta1, beta2], eps, weightDecay, amsgrad, maximize } = o;
    const step = ((state.step as number | undefined) ?? 0) + 1;
    state.step = step;
    // One fused loop over the flat buffers (a SIMD kernel on the wasm backend).
    backend().adamStep({
      param: theta,
      grad,
      expAvg: this.buffer(state, "exp_avg", p),
      expAvgSq: this.buffer(state, "exp_avg_sq", p),
      maxExpAvgSq: amsgrad ? this.buffer(state, "max_exp_avg_sq", p) : null,
      lr,
      beta1,
      beta2,
      eps,
      weightDecay,
      decoupled: false,
      maximize,
      step,
    });
  }
}
