import { NUMBER, PAIR, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec, type ParamState } from "./optimizer.js";
import { buffer, count, required, type StateSpec } from "./state-fields.js";
import { checkBetas, checkLr, checkNonNegative } from "./validate.js";

export interface RAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
}

/**
 * RAdam (Liu et al. 2020): Adam whose adaptive step is switched on only once the variance of
 * its estimate is tractable, and rectified until then; as torch/optim/radam.py (2.x) computes it:
 *
 *   t ← t + 1
 *   g ← ∇f(θ)                               (−∇f(θ) if maximize)
 *   θ ← θ(1 − γλ)  if decoupledWeightDecay,  else g ← g + λθ
 *   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,   m̂ = m / (1 − β₁ᵗ)
 *   ρ∞ = 2/(1 − β₂) − 1,   ρₜ = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)
 *   if ρₜ > 5:  r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ)),  θ ← θ − γ·m̂·r·√(1 − β₂ᵗ)/(√v + ε)
 *   else:       θ ← θ − γ·m̂
 */
export class RAdam extends Optimizer<RAdamOptions> {
  /** After params: PyTorch's positional `(lr, betas, eps, weightDecay)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<RAdamOptions>>, ...args: WithOptions<[lr: number, betas: [number, number], eps: number, weightDecay: number], Partial<RAdamOptions>>) {
    const options = optimizerArgs<RAdamOptions>("RAdam", params, args, [["lr", NUMBER], ["betas", PAIR], ["eps", NUMBER], ["weightDecay", NUMBER]]);
    super("RAdam", params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, maximize: false }, options);
  }

  protected validate({ lr, betas, eps, weightDecay }: RAdamOptions): void {
    checkLr("RAdam", lr);
    checkNonNegative("RAdam", "epsilon", eps);
    checkBetas("RAdam", betas);
    checkNonNegative("RAdam", "weightDecay", weightDecay);
  }

  protected stateSpec(_o: RAdamOptions, p: Tensor): StateSpec {
    return { step: required(count), exp_avg: buffer(p), exp_avg_sq: buffer(p) };
  }

  protected updateParameter(theta: TypedArray, grad: TypedArray, state: ParamState, o: RAdamOptions, p: Tensor): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay: lambda, decoupledWeightDecay, maximize } = o;
    const t = ((state.step as number | undefined) ?? 0) + 1;
    state.step = t;
    const m = this.buffer(state, "exp_avg", p);
    const v = this.buffer(state, "exp_avg_sq", p);
    const biasCorrection1 = 1 - beta1 ** t;
    const biasCorrection2 = 1 - beta2 ** t;
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * t * beta2 ** t) / biasCorrection2;
    const rect = rhoT > 5 ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
    const decay = decoupledWeightDecay ? 1 - lr * lambda : 1;
    for (let i = 0; i < theta.length; i++) {
      let g = maximize ? -grad[i]! : grad[i]!;
      if (lambda !== 0) {
        if (decoupledWeightDecay) theta[i] = theta[i]! * decay;
        else g += lambda * theta[i]!;
      }
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
      const mHat = m[i]! / biasCorrection1;
      if (rhoT > 5) {
        const adaptiveLr = Math.sqrt(biasCorrection2) / (Math.sqrt(v[i]!) + eps);
        theta[i] = theta[i]! - mHat * lr * adaptiveLr * rect;
      } else {
        theta[i] = theta[i]! - mHat * lr;
      }
    }
  }
}
