import { NUMBER, PAIR, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec } from "./optimizer.js";
import { zerosLike } from "../ops/creation.js";
import { buffer, type StateSpec } from "./state-fields.js";
import { checkBetas, checkLr, checkNonNegative } from "./validate.js";

export interface LionOptions {
  lr: number;
  betas: [number, number];
  weightDecay: number;
  maximize: boolean;
}

/** The momentum m. */
export type LionState = {
  exp_avg: Tensor;
};

/**
 * Lion, "EvoLved Sign Momentum" (Chen et al. 2023, "Symbolic Discovery of Optimization
 * Algorithms", Algorithm 2): every coordinate moves by exactly ±γ, in the direction of the sign
 * of an interpolation between the momentum and the gradient:
 *
 *   g ← ∇f(θ)                        (−∇f(θ) if maximize)
 *   c = β₁m + (1 − β₁)g
 *   θ ← θ(1 − γλ) − γ·sign(c)        (decoupled weight decay λ)
 *   m ← β₂m + (1 − β₂)g
 *
 * When to choose it: where AdamW works but memory is short (one state buffer instead of two) —
 * large vision and language models, large batches. Because every step has the same size, use a
 * learning rate 3–10× smaller than AdamW's and a weight decay 3–10× larger. Less suited to small
 * batches, whose noisy gradient signs it follows as firmly as clean ones.
 */
export class Lion extends Optimizer<LionOptions, LionState> {
  /** After params: lion-pytorch's positional `(lr, betas, weightDecay)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<LionOptions>>, ...args: WithOptions<[lr: number, betas: [number, number], weightDecay: number], Partial<LionOptions>>) {
    const options = optimizerArgs<LionOptions>("Lion", params, args, [["lr", NUMBER], ["betas", PAIR], ["weightDecay", NUMBER]]);
    super("Lion", params, { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 0, maximize: false }, options);
  }

  protected validate({ lr, betas, weightDecay }: LionOptions): void {
    checkLr("Lion", lr);
    checkBetas("Lion", betas);
    checkNonNegative("Lion", "weightDecay", weightDecay);
  }

  protected stateSpec(_o: LionOptions, p: Tensor): StateSpec {
    return { exp_avg: buffer(p) };
  }

  protected initState(p: Tensor): LionState {
    return { exp_avg: zerosLike(p) };
  }

  protected updateParameter(theta: Tensor, grad: Tensor, state: LionState, o: LionOptions): void {
    const { lr, betas: [beta1, beta2], weightDecay: lambda, maximize } = o;
    const m = state.exp_avg;
    const g = maximize ? grad.neg() : grad;
    const c = m.mul(beta1).add(g.mul(1 - beta1));
    if (lambda !== 0) theta.mul_(1 - lr * lambda);
    theta.sub_(c.sign().mul(lr));
    m.mul_(beta2).add_(g, { alpha: 1 - beta2 });
  }
}
