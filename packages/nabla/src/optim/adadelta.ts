import { NUMBER, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec } from "./optimizer.js";
import { zerosLike } from "../ops/creation.js";
import { fusedKernels } from "./fused.js";
import { flat } from "./optimizer.js";
import { buffer, count, required, type StateSpec } from "./state-fields.js";
import { checkLr, checkNonNegative, checkRange } from "./validate.js";

export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/** The step, E[g²] and E[Δ²]. */
export type AdadeltaState = {
  step: number;
  square_avg: Tensor;
  acc_delta: Tensor;
};

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
export class Adadelta extends Optimizer<AdadeltaOptions, AdadeltaState> {
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

  protected initState(p: Tensor): AdadeltaState {
    return { step: 0, square_avg: zerosLike(p), acc_delta: zerosLike(p) };
  }

  protected updateParameter(theta: Tensor, grad: Tensor, state: AdadeltaState, o: AdadeltaOptions): void {
    state.step += 1;
    if (!this.fused(theta, grad, state, o)) this.reference(theta, grad, state, o);
  }

  /** The backend's one-pass step (the same float operations as the reference, in its order), where it takes these buffers. */
  private fused(theta: Tensor, grad: Tensor, state: AdadeltaState, o: AdadeltaOptions): boolean {
    const step = fusedKernels()?.adadeltaStep;
    if (step === undefined || theta.storage.device !== "cpu" || !theta.isContiguous()) return false;
    const done = step({
      param: flat(theta),
      grad: flat(grad.contiguous()),
      squareAvg: flat(state.square_avg),
      accDelta: flat(state.acc_delta),
      lr: o.lr,
      rho: o.rho,
      eps: o.eps,
      weightDecay: o.weightDecay,
      maximize: o.maximize,
    });
    // changed in place: a graph that saved the old values must refuse to backward through them
    if (done) theta.storage.version++;
    return done;
  }

  private reference(theta: Tensor, grad: Tensor, state: AdadeltaState, o: AdadeltaOptions): void {
    const { lr, rho, eps, weightDecay: lambda, maximize } = o;
    const { square_avg: sq, acc_delta: acc } = state;
    let g = maximize ? grad.neg() : grad;
    if (lambda !== 0) g = g.add(theta.mul(lambda));
    sq.mul_(rho).add_(g.mul(g), { alpha: 1 - rho });
    const delta = acc.add(eps).sqrt().div(sq.add(eps).sqrt()).mul(g);
    acc.mul_(rho).add_(delta.mul(delta), { alpha: 1 - rho });
    theta.sub_(delta.mul(lr));
  }
}
