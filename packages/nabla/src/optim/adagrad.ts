import { NUMBER, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec } from "./optimizer.js";
import { fullLike } from "../ops/creation.js";
import { checkLr, checkNonNegative } from "./validate.js";
import { buffer, count, required, type StateSpec } from "./state-fields.js";

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/** The step t and the sum G of squared gradients. */
export type AdagradState = {
  step: number;
  sum: Tensor;
};

/**
 * AdaGrad (Duchi et al. 2011): each parameter's step shrinks with the sum of its squared
 * gradients, as PyTorch computes it:
 *
 *   t ← t + 1
 *   g ← ∇f(θ) (+ λθ; −∇f(θ) if maximize)
 *   γₜ = γ / (1 + (t − 1)·η)           (lr decay η)
 *   G ← G + g²                          (G₀ = initialAccumulatorValue)
 *   θ ← θ − γₜ·g / (√G + ε)
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  /** After params: PyTorch's positional `(lr, lrDecay, weightDecay, initialAccumulatorValue, eps)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<AdagradOptions>>, ...args: WithOptions<[lr: number, lrDecay: number, weightDecay: number, initialAccumulatorValue: number, eps: number], Partial<AdagradOptions>>) {
    const options = optimizerArgs<AdagradOptions>("Adagrad", params, args, [["lr", NUMBER], ["lrDecay", NUMBER], ["weightDecay", NUMBER], ["initialAccumulatorValue", NUMBER], ["eps", NUMBER]]);
    super("Adagrad", params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, options);
  }

  protected validate({ lr, lrDecay, weightDecay, initialAccumulatorValue, eps }: AdagradOptions): void {
    checkLr("Adagrad", lr);
    checkNonNegative("Adagrad", "lrDecay", lrDecay);
    checkNonNegative("Adagrad", "weightDecay", weightDecay);
    checkNonNegative("Adagrad", "initialAccumulatorValue", initialAccumulatorValue);
    checkNonNegative("Adagrad", "epsilon", eps);
  }

  protected stateSpec(_o: AdagradOptions, p: Tensor): StateSpec {
    return { step: required(count), sum: buffer(p) };
  }

  protected initState(p: Tensor, o: AdagradOptions): AdagradState {
    return { step: 0, sum: fullLike(p, o.initialAccumulatorValue) };
  }

  protected updateParameter(theta: Tensor, grad: Tensor, state: AdagradState, o: AdagradOptions): void {
    const { lr, lrDecay, weightDecay: lambda, eps, maximize } = o;
    const t = (state.step += 1);
    const G = state.sum;
    let g = maximize ? grad.neg() : grad;
    if (lambda !== 0) g = g.add(theta.mul(lambda));
    const lrT = lr / (1 + (t - 1) * lrDecay);
    G.add_(g.mul(g));
    theta.sub_(g.mul(lrT).div(G.sqrt().add(eps)));
  }
}
