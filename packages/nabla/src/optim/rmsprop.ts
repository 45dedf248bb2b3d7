import { BOOLEAN, NUMBER, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec } from "./optimizer.js";
import { zerosLike } from "../ops/creation.js";
import { checkLr, checkNonNegative } from "./validate.js";
import { buffer, count, required, type StateSpec } from "./state-fields.js";

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/** The step, E[g²], and ḡ (centered) and the momentum buffer b (momentum > 0) where the options use them. */
export type RMSpropState = {
  step: number;
  square_avg: Tensor;
  grad_avg?: Tensor;
  momentum_buffer?: Tensor;
};

/**
 * RMSProp (Hinton 2012): divide the step by a running average of squared gradients, as
 * PyTorch computes it:
 *
 *   g ← ∇f(θ) (+ λθ; −∇f(θ) if maximize)
 *   E[g²] ← αE[g²] + (1 − α)g²
 *   ḡ ← αḡ + (1 − α)g,  d = √(E[g²] − ḡ²) + ε     if centered
 *   d = √E[g²] + ε                                 otherwise
 *   b ← μb + g/d,  θ ← θ − γb                      with momentum μ > 0
 *   θ ← θ − γg/d                                   otherwise
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  /** After params: PyTorch's positional `(lr, alpha, eps, weightDecay, momentum, centered)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<RMSpropOptions>>, ...args: WithOptions<[lr: number, alpha: number, eps: number, weightDecay: number, momentum: number, centered: boolean], Partial<RMSpropOptions>>) {
    const options = optimizerArgs<RMSpropOptions>("RMSprop", params, args, [["lr", NUMBER], ["alpha", NUMBER], ["eps", NUMBER], ["weightDecay", NUMBER], ["momentum", NUMBER], ["centered", BOOLEAN]]);
    super("RMSprop", params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, options);
  }

  protected validate({ lr, alpha, eps, weightDecay, momentum }: RMSpropOptions): void {
    checkLr("RMSprop", lr);
    checkNonNegative("RMSprop", "epsilon", eps);
    checkNonNegative("RMSprop", "momentum", momentum);
    checkNonNegative("RMSprop", "weightDecay", weightDecay);
    checkNonNegative("RMSprop", "alpha", alpha);
  }

  protected stateSpec(o: RMSpropOptions, p: Tensor): StateSpec {
    return { step: required(count), square_avg: buffer(p), grad_avg: buffer(p, o.centered), momentum_buffer: buffer(p, o.momentum > 0) };
  }

  protected initState(p: Tensor): RMSpropState {
    return { step: 0, square_avg: zerosLike(p) };
  }

  protected updateParameter(theta: Tensor, grad: Tensor, state: RMSpropState, o: RMSpropOptions): void {
    const { lr, alpha, eps, weightDecay: lambda, momentum: mu, centered, maximize } = o;
    state.step += 1;
    const sq = state.square_avg;
    let g = maximize ? grad.neg() : grad;
    if (lambda !== 0) g = g.add(theta.mul(lambda));
    sq.mul_(alpha).add_(g.mul(g), { alpha: 1 - alpha });
    let d: Tensor;
    if (centered) {
      const gAvg = (state.grad_avg ??= zerosLike(theta));
      gAvg.mul_(alpha).add_(g, { alpha: 1 - alpha });
      d = sq.sub(gAvg.mul(gAvg)).sqrt().add(eps);
    } else {
      d = sq.sqrt().add(eps);
    }
    if (mu > 0) {
      const b = (state.momentum_buffer ??= zerosLike(theta));
      b.mul_(mu).add_(g.div(d));
      theta.sub_(b.mul(lr));
    } else {
      theta.sub_(g.mul(lr).div(d));
    }
  }
}
