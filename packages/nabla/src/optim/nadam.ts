import { NUMBER, PAIR, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec } from "./optimizer.js";
import { zerosLike } from "../ops/creation.js";
import { buffer, count, inRange, required, type StateSpec } from "./state-fields.js";
import { checkBetas, checkLr, checkNonNegative } from "./validate.js";

export interface NAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  momentumDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
}

/** The step t, the product Π of the momentum schedule, and the moments m and v. */
export type NAdamState = {
  step: number;
  mu_product: number;
  /** m */
  exp_avg: Tensor;
  /** v */
  exp_avg_sq: Tensor;
};

/**
 * NAdam (Dozat 2016): Adam with Nesterov momentum and a momentum schedule, as torch 2.x's
 * torch/optim/nadam.py computes it:
 *
 *   t ← t + 1
 *   g ← ∇f(θ)                              (−∇f(θ) if maximize)
 *   θ ← θ(1 − γλ)  if decoupledWeightDecay,  else g ← g + λθ
 *   μₜ = β₁(1 − ½·0.96^(tψ)),  μₜ₊₁ = β₁(1 − ½·0.96^((t+1)ψ))     (momentum decay ψ)
 *   Π ← Π·μₜ                                (a float32 scalar times float32(μₜ), as torch keeps it)
 *   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,   d = √(v / (1 − β₂ᵗ)) + ε
 *   θ ← θ − γ(1 − μₜ)/(1 − Π) · g/d − γμₜ₊₁/(1 − Πμₜ₊₁) · m/d
 *
 * torch 1.13 used Π·μₜ·μₜ₊₁ in the last denominator (μₜ counted twice), fixed in torch 2.0; nabla
 * follows 2.x.
 */
export class NAdam extends Optimizer<NAdamOptions, NAdamState> {
  /** After params: PyTorch's positional `(lr, betas, eps, weightDecay, momentumDecay)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<NAdamOptions>>, ...args: WithOptions<[lr: number, betas: [number, number], eps: number, weightDecay: number, momentumDecay: number], Partial<NAdamOptions>>) {
    const options = optimizerArgs<NAdamOptions>("NAdam", params, args, [["lr", NUMBER], ["betas", PAIR], ["eps", NUMBER], ["weightDecay", NUMBER], ["momentumDecay", NUMBER]]);
    super(
      "NAdam",
      params,
      { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, decoupledWeightDecay: false, maximize: false },
      options,
    );
  }

  protected validate({ lr, betas, eps, weightDecay, momentumDecay }: NAdamOptions): void {
    checkLr("NAdam", lr);
    checkNonNegative("NAdam", "epsilon", eps);
    checkBetas("NAdam", betas);
    checkNonNegative("NAdam", "weightDecay", weightDecay);
    checkNonNegative("NAdam", "momentumDecay", momentumDecay);
  }

  protected stateSpec(_o: NAdamOptions, p: Tensor): StateSpec {
    return { step: required(count), mu_product: required(inRange(0, 1)), exp_avg: buffer(p), exp_avg_sq: buffer(p) };
  }

  protected initState(p: Tensor): NAdamState {
    return { step: 0, mu_product: 1, exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
  }

  protected updateParameter(theta: Tensor, grad: Tensor, state: NAdamState, o: NAdamOptions): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay: lambda, momentumDecay: psi, decoupledWeightDecay, maximize } = o;
    const t = (state.step += 1);
    const { exp_avg: m, exp_avg_sq: v } = state;
    const mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
    const muProduct = (state.mu_product = Math.fround(state.mu_product * Math.fround(mu)));
    let g = maximize ? grad.neg() : grad;
    if (lambda !== 0) {
      if (decoupledWeightDecay) theta.mul_(1 - lr * lambda);
      else g = g.add(theta.mul(lambda));
    }
    m.mul_(beta1).add_(g, { alpha: 1 - beta1 });
    v.mul_(beta2).add_(g.mul(g), { alpha: 1 - beta2 });
    const d = v.div(1 - beta2 ** t).sqrt().add(eps);
    theta.sub_(g.mul((lr * (1 - mu)) / (1 - muProduct)).div(d));
    theta.sub_(m.mul((lr * muNext) / (1 - muProduct * muNext)).div(d));
  }
}
