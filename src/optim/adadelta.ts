import { NUMBER, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec, type ParamState } from "./optimizer.js";
import { buffer, count, required, type StateSpec } from "./state-fields.js";
import { checkLr, checkNonNegative, checkRange } from "./validate.js";

export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/**
 * Adadelta (Zeiler 2012): steps sized by the ratio of running RMS of past updates to running RMS
 * of gradients, so units match and no global rate is needed; as torch/optim/adadelta.py computes it:
 *
 *   g ← ∇f(θ) (+ λθ; −∇f(θ) if maximize)
 *   E[g²] ← ρE[g²] + (1 − ρ)g²
 *   Δ = √(E[Δ²] + ε) / √(E[g²] + ε) · g
 *   E[Δ²] ← ρE[Δ²] + (1 − ρ)Δ²
 *   θ ← θ − γΔ                             (γ = 1 by default)
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  /** After params: PyTorch's positional `(lr, rho, eps, weightDecay)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<AdadeltaOptions>>, ...args: WithOptions<[lr: number, rho: number, eps: number, weightDecay: number], Partial<AdadeltaOptions>>) {
    const options = optimizerArgs<AdadeltaOptions>("Adadelta", params, args, [["lr", NUMBER], ["rho", NUMBER], ["eps", NUMBER], ["weightDecay", NUMBER]]);
    super("Adadelta", params, { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false }, options);
  }

  protected validate({ lr, rho, eps, weightDecay }: AdadeltaOptions): void {
    checkLr("Adadelta", lr);
    checkRange("Adadelta", "rho", rho, 0, 1);
    checkNonNegative("Adadelta", "epsilon", eps);
    checkNonNegative("Adadelta", "weightDecay", weightDecay);
  }

  protected stateSpec(_o: AdadeltaOptions, p: Tensor): StateSpec {
    return { step: required(count), square_avg: buffer(p), acc_delta: buffer(p) };
  }

  protected updateParameter(theta: TypedArray, grad: TypedArray, state: ParamState, o: AdadeltaOptions, p: Tensor): void {
    const { lr, rho, eps, weightDecay: lambda, maximize } = o;
    state.step = ((state.step as number | undefined) ?? 0) + 1;
    const sq = this.buffer(state, "square_avg", p);
    const acc = this.buffer(state, "acc_delta", p);
    for (let i = 0; i < theta.length; i++) {
      let g = maximize ? -grad[i]! : grad[i]!;
      if (lambda !== 0) g += lambda * theta[i]!;
      sq[i] = rho * sq[i]! + (1 - rho) * g * g;
      const delta = (Math.sqrt(acc[i]! + eps) / Math.sqrt(sq[i]! + eps)) * g;
      acc[i] = rho * acc[i]! + (1 - rho) * delta * delta;
      theta[i] = theta[i]! - lr * delta;
    }
  }
}
