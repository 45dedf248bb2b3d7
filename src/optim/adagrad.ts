import { NUMBER, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec, type ParamState } from "./optimizer.js";
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
export class Adagrad extends Optimizer<AdagradOptions> {
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

  protected updateParameter(theta: TypedArray, grad: TypedArray, state: ParamState, o: AdagradOptions, p: Tensor): void {
    const { lr, lrDecay, weightDecay: lambda, initialAccumulatorValue, eps, maximize } = o;
    const G = this.buffer(state, "sum", p, initialAccumulatorValue);
    const t = ((state.step as number | undefined) ?? 0) + 1;
    state.step = t;
    const clr = lr / (1 + (t - 1) * lrDecay);
    for (let i = 0; i < theta.length; i++) {
      let g = maximize ? -grad[i]! : grad[i]!;
      if (lambda !== 0) g += lambda * theta[i]!;
      G[i] = G[i]! + g * g;
      theta[i] = theta[i]! - (clr * g) / (Math.sqrt(G[i]!) + eps);
    }
  }
}
