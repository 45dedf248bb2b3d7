import { BOOLEAN, NUMBER, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec, type ParamState } from "./optimizer.js";
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
export class RMSprop extends Optimizer<RMSpropOptions> {
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

  protected updateParameter(theta: TypedArray, grad: TypedArray, state: ParamState, o: RMSpropOptions, p: Tensor): void {
    const { lr, alpha, eps, weightDecay: lambda, momentum: mu, centered, maximize } = o;
    state.step = ((state.step as number | undefined) ?? 0) + 1;
    const sq = this.buffer(state, "square_avg", p);
    const gAvg = centered ? this.buffer(state, "grad_avg", p) : null;
    const b = mu > 0 ? this.buffer(state, "momentum_buffer", p) : null;
    for (let i = 0; i < theta.length; i++) {
      let g = maximize ? -grad[i]! : grad[i]!;
      if (lambda !== 0) g += lambda * theta[i]!;
      sq[i] = alpha * sq[i]! + (1 - alpha) * g * g;
      let d: number;
      if (gAvg !== null) {
        gAvg[i] = alpha * gAvg[i]! + (1 - alpha) * g;
        d = Math.sqrt(sq[i]! - gAvg[i]! * gAvg[i]!) + eps;
      } else {
        d = Math.sqrt(sq[i]!) + eps;
      }
      if (b !== null) {
        b[i] = mu * b[i]! + g / d;
        theta[i] = theta[i]! - lr * b[i]!;
      } else {
        theta[i] = theta[i]! - (lr * g) / d;
      }
    }
  }
}
