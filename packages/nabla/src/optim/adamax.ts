import { NUMBER, PAIR, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec } from "./optimizer.js";
import { zerosLike } from "../ops/creation.js";
import { buffer, count, required, type StateSpec } from "./state-fields.js";
import { checkBetas, checkLr, checkNonNegative } from "./validate.js";

export interface AdamaxOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/** The step t, the moment m and the infinity norm u. */
export type AdamaxState = {
  step: number;
  /** m */
  exp_avg: Tensor;
  /** u */
  exp_inf: Tensor;
};

/**
 * Adamax (Kingma & Ba 2015, §7.1): Adam with the infinity norm in place of the squared average,
 * as torch/optim/adamax.py computes it:
 *
 *   t ← t + 1
 *   g ← ∇f(θ) (+ λθ; −∇f(θ) if maximize)
 *   m ← β₁m + (1 − β₁)g
 *   u ← max(β₂u, |g| + ε)
 *   θ ← θ − γ/(1 − β₁ᵗ) · m / u
 */
export class Adamax extends Optimizer<AdamaxOptions, AdamaxState> {
  /** After params: PyTorch's positional `(lr, betas, eps, weightDecay)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<AdamaxOptions>>, ...args: WithOptions<[lr: number, betas: [number, number], eps: number, weightDecay: number], Partial<AdamaxOptions>>) {
    const options = optimizerArgs<AdamaxOptions>("Adamax", params, args, [["lr", NUMBER], ["betas", PAIR], ["eps", NUMBER], ["weightDecay", NUMBER]]);
    super("Adamax", params, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false }, options);
  }

  protected validate({ lr, betas, eps, weightDecay }: AdamaxOptions): void {
    checkLr("Adamax", lr);
    checkNonNegative("Adamax", "epsilon", eps);
    checkBetas("Adamax", betas);
    checkNonNegative("Adamax", "weightDecay", weightDecay);
  }

  protected stateSpec(_o: AdamaxOptions, p: Tensor): StateSpec {
    return { step: required(count), exp_avg: buffer(p), exp_inf: buffer(p) };
  }

  protected initState(p: Tensor): AdamaxState {
    return { step: 0, exp_avg: zerosLike(p), exp_inf: zerosLike(p) };
  }

  protected updateParameter(theta: Tensor, grad: Tensor, state: AdamaxState, o: AdamaxOptions): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay: lambda, maximize } = o;
    const t = (state.step += 1);
    const { exp_avg: m, exp_inf: u } = state;
    let g = maximize ? grad.neg() : grad;
    if (lambda !== 0) g = g.add(theta.mul(lambda));
    m.mul_(beta1).add_(g, { alpha: 1 - beta1 });
    u.copy_(u.mul(beta2).maximum(g.abs().add(eps)));
    const lrT = lr / (1 - beta1 ** t);
    theta.sub_(m.mul(lrT).div(u));
  }
}
