import { NUMBER, PAIR, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec } from "./optimizer.js";
import { zerosLike } from "../ops/creation.js";
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

/** The step t and the moments m and v. */
export type RAdamState = {
  step: number;
  /** m */
  exp_avg: Tensor;
  /** v */
  exp_avg_sq: Tensor;
};

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
export class RAdam extends Optimizer<RAdamOptions, RAdamState> {
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

  protected initState(p: Tensor): RAdamState {
    return { step: 0, exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
  }

  protected updateParameter(theta: Tensor, grad: Tensor, state: RAdamState, o: RAdamOptions): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay: lambda, decoupledWeightDecay, maximize } = o;
    const t = (state.step += 1);
    const { exp_avg: m, exp_avg_sq: v } = state;
    let g = maximize ? grad.neg() : grad;
    if (lambda !== 0) {
      if (decoupledWeightDecay) theta.mul_(1 - lr * lambda);
      else g = g.add(theta.mul(lambda));
    }
    m.mul_(beta1).add_(g, { alpha: 1 - beta1 });
    v.mul_(beta2).add_(g.mul(g), { alpha: 1 - beta2 });
    const mHat = m.div(1 - beta1 ** t);
    const biasCorrection2 = 1 - beta2 ** t;
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * t * beta2 ** t) / biasCorrection2;
    if (rhoT > 5) {
      const r = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      theta.sub_(mHat.mul(lr * r * Math.sqrt(biasCorrection2)).div(v.sqrt().add(eps)));
    } else {
      theta.sub_(mHat.mul(lr));
    }
  }
}
