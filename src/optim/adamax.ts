import { NUMBER, PAIR, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec, type ParamState } from "./optimizer.js";
import { buffer, count, required, type StateSpec } from "./state-fields.js";
import { checkBetas, checkLr, checkNonNegative } from "./validate.js";

export interface AdamaxOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

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
export class Adamax extends Optimizer<AdamaxOptions> {
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

  protected updateParameter(theta: TypedArray, grad: TypedArray, state: ParamState, o: AdamaxOptions, p: Tensor): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay: lambda, maximize } = o;
    const t = ((state.step as number | undefined) ?? 0) + 1;
    state.step = t;
    const m = this.buffer(state, "exp_avg", p);
    const u = this.buffer(state, "exp_inf", p);
    const clr = lr / (1 - beta1 ** t);
    for (let i = 0; i < theta.length; i++) {
      let g = maximize ? -grad[i]! : grad[i]!;
      if (lambda !== 0) g += lambda * theta[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      u[i] = Math.max(beta2 * u[i]!, Math.abs(g) + eps);
      theta[i] = theta[i]! - (clr * m[i]!) / u[i]!;
    }
  }
}
