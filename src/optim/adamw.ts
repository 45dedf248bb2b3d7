import type { TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec, type ParamState } from "./optimizer.js";
import { checkBetas, checkLr, checkNonNegative } from "./validate.js";

export interface AdamWOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/**
 * AdamW (Loshchilov & Hutter 2019): Adam with the weight decay taken out of the gradient and
 * applied to the weights directly ("decoupled"), as torch/optim/adamw.py computes it:
 *
 *   t ← t + 1
 *   g ← ∇f(θ)                           (−∇f(θ) if maximize)
 *   θ ← θ(1 − γλ)                        (decoupled weight decay λ, default 0.01)
 *   m ← β₁m + (1 − β₁)g
 *   v ← β₂v + (1 − β₂)g²                 (amsgrad: v̂ uses vmax ← max(vmax, v))
 *   θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 */
export class AdamW extends Optimizer<AdamWOptions> {
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<AdamWOptions>>, options: Partial<AdamWOptions> = {}) {
    super("AdamW", params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false }, options);
  }

  protected validate({ lr, betas, eps, weightDecay }: AdamWOptions): void {
    checkLr("AdamW", lr);
    checkNonNegative("AdamW", "epsilon", eps);
    checkBetas("AdamW", betas);
    checkNonNegative("AdamW", "weightDecay", weightDecay);
  }

  protected updateParameter(theta: TypedArray, grad: TypedArray, state: ParamState, o: AdamWOptions, p: Tensor): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay: lambda, amsgrad, maximize } = o;
    const t = ((state.step as number | undefined) ?? 0) + 1;
    state.step = t;
    const m = this.buffer(state, "exp_avg", p);
    const v = this.buffer(state, "exp_avg_sq", p);
    const vMax = amsgrad ? this.buffer(state, "max_exp_avg_sq", p) : null;
    const stepSize = lr / (1 - beta1 ** t);
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** t);
    const decay = 1 - lr * lambda;
    for (let i = 0; i < theta.length; i++) {
      const g = maximize ? -grad[i]! : grad[i]!;
      theta[i] = theta[i]! * decay;
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
      let vHat = v[i]!;
      if (vMax !== null) vHat = vMax[i] = Math.max(vMax[i]!, v[i]!);
      theta[i] = theta[i]! - (stepSize * m[i]!) / (Math.sqrt(vHat) / biasCorrection2Sqrt + eps);
    }
  }
}
