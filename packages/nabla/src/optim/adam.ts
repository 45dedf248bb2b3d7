import { BOOLEAN, NUMBER, PAIR, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec } from "./optimizer.js";
import { adamStateSpec, adamUpdate, checkAdamOptions, initAdamState, type AdamLikeOptions, type AdamState } from "./adam-update.js";
import type { StateSpec } from "./state-fields.js";

/** lr, betas, eps, weightDecay, amsgrad, maximize: the options Adam shares with AdamW. */
export type AdamOptions = AdamLikeOptions;

/**
 * Adam (Kingma & Ba 2015): momentum plus RMSProp's per-parameter scale, bias-corrected; as
 * torch/optim/adam.py computes it:
 *
 *   t ← t + 1
 *   g ← ∇f(θ) (+ λθ with weight decay λ; −∇f(θ) if maximize)
 *   m ← β₁m + (1 − β₁)g
 *   v ← β₂v + (1 − β₂)g²
 *   m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)   (amsgrad: v̂ uses vmax ← max(vmax, v))
 *   θ ← θ − γ·m̂ / (√v̂ + ε)
 */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  /** After params: PyTorch's positional `(lr, betas, eps, weightDecay, amsgrad)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<AdamOptions>>, ...args: WithOptions<[lr: number, betas: [number, number], eps: number, weightDecay: number, amsgrad: boolean], Partial<AdamOptions>>) {
    const options = optimizerArgs<AdamOptions>("Adam", params, args, [["lr", NUMBER], ["betas", PAIR], ["eps", NUMBER], ["weightDecay", NUMBER], ["amsgrad", BOOLEAN]]);
    super("Adam", params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }, options);
  }

  protected validate(o: AdamOptions): void {
    checkAdamOptions("Adam", o);
  }

  protected stateSpec(o: AdamOptions, p: Tensor): StateSpec {
    return adamStateSpec(o, p);
  }

  protected initState(p: Tensor): AdamState {
    return initAdamState(p);
  }

  protected updateParameter(theta: Tensor, grad: Tensor, state: AdamState, o: AdamOptions): void {
    adamUpdate(theta, grad, state, o, false);
  }
}
