import { BOOLEAN, NUMBER, PAIR, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec } from "./optimizer.js";
import { adamStateSpec, adamUpdate, checkAdamOptions, initAdamState, type AdamLikeOptions, type AdamState } from "./adam-update.js";
import type { StateSpec } from "./state-fields.js";

/** lr, betas, eps, weightDecay, amsgrad, maximize: the options AdamW shares with Adam. */
export type AdamWOptions = AdamLikeOptions;

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
export class AdamW extends Optimizer<AdamWOptions, AdamState> {
  /** After params: PyTorch's positional `(lr, betas, eps, weightDecay, amsgrad)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<AdamWOptions>>, ...args: WithOptions<[lr: number, betas: [number, number], eps: number, weightDecay: number, amsgrad: boolean], Partial<AdamWOptions>>) {
    const options = optimizerArgs<AdamWOptions>("AdamW", params, args, [["lr", NUMBER], ["betas", PAIR], ["eps", NUMBER], ["weightDecay", NUMBER], ["amsgrad", BOOLEAN]]);
    super("AdamW", params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false }, options);
  }

  protected validate(o: AdamWOptions): void {
    checkAdamOptions("AdamW", o);
  }

  protected stateSpec(o: AdamWOptions, p: Tensor): StateSpec {
    return adamStateSpec(o, p);
  }

  protected initState(p: Tensor): AdamState {
    return initAdamState(p);
  }

  protected updateParameter(theta: Tensor, grad: Tensor, state: AdamState, o: AdamWOptions): void {
    adamUpdate(theta, grad, state, o, true);
  }
}
