import { BOOLEAN, NUMBER, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import { backend } from "../backend/backend.js";
import { OptionError } from "../errors.js";
import type { TypedArray } from "../tensor/dtype.js";
import { Optimizer, type ParamGroupSpec, type ParamState } from "./optimizer.js";
import { buffer, type StateSpec } from "./state-fields.js";
import { checkLr, checkNonNegative } from "./validate.js";
import type { Tensor } from "../tensor/tensor.js";

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/**
 * Stochastic gradient descent, with optional momentum (the articles' "动量法"), as PyTorch computes it:
 *
 *   g ← ∇f(θ)                       (−∇f(θ) if maximize)
 *   g ← g + λθ                      (weight decay λ)
 *   b ← μb + (1 − τ)g               (momentum μ, dampening τ; b₁ = g)
 *   g ← g + μb  if nesterov, else g ← b
 *   θ ← θ − γg                      (learning rate γ)
 *
 * With μ = 0 this is plain gradient descent, θ ← θ − γ∇f(θ).
 */
export class SGD extends Optimizer<SGDOptions> {
  /** After params: PyTorch's positional `(lr, momentum, dampening, weightDecay, nesterov)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<SGDOptions>>, ...args: WithOptions<[lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean], Partial<SGDOptions>>) {
    const options = optimizerArgs<SGDOptions>("SGD", params, args, [["lr", NUMBER], ["momentum", NUMBER], ["dampening", NUMBER], ["weightDecay", NUMBER], ["nesterov", BOOLEAN]]);
    super("SGD", params, { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, options);
  }

  protected validate({ lr, momentum, dampening, weightDecay, nesterov }: SGDOptions): void {
    checkLr("SGD", lr);
    checkNonNegative("SGD", "momentum", momentum);
    checkNonNegative("SGD", "weightDecay", weightDecay);
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new OptionError(`SGD: nesterov momentum requires a momentum > 0 and zero dampening (got momentum ${momentum}, dampening ${dampening})`);
    }
  }

  protected stateSpec(o: SGDOptions, p: Tensor): StateSpec {
    return { momentum_buffer: buffer(p, o.momentum !== 0) };
  }

  protected updateParameter(theta: TypedArray, grad: TypedArray, state: ParamState, o: SGDOptions, p: Tensor): void {
    const firstStep = !("momentum_buffer" in state);
    backend().fused!.sgdStep!({
      param: theta,
      grad,
      momentumBuffer: o.momentum !== 0 ? this.buffer(state, "momentum_buffer", p) : null,
      firstStep,
      lr: o.lr,
      momentum: o.momentum,
      dampening: o.dampening,
      weightDecay: o.weightDecay,
      nesterov: o.nesterov,
      maximize: o.maximize,
    });
  }
}
