import { NUMBER, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec } from "./optimizer.js";
import { zerosLike } from "../ops/creation.js";
import { buffer, count, inRange, nonNegative, required, type StateSpec } from "./state-fields.js";
import { checkLr, checkNonNegative } from "./validate.js";

export interface ASGDOptions {
  lr: number;
  /** λ: the decay term. */
  lambd: number;
  /** α: the power of the step-size decay. */
  alpha: number;
  /** t₀: the step at which averaging starts. */
  t0: number;
  weightDecay: number;
  maximize: boolean;
}

/** The step t, the step size η and averaging rate μ for the next step, and the average ax. */
export type ASGDState = {
  step: number;
  eta: number;
  mu: number;
  ax: Tensor;
};

/**
 * Averaged SGD (Polyak & Juditsky 1992; Bottou 2012's schedule): SGD with a decaying step, plus a
 * running average ax of the iterates from step t₀ on; as torch/optim/asgd.py computes it:
 *
 *   t ← t + 1
 *   g ← ∇f(θ) (+ λ_wd·θ; −∇f(θ) if maximize)
 *   θ ← θ(1 − λη) − ηg                    (η₀ = γ)
 *   ax ← ax + μ(θ − ax)   (ax ← θ while μ = 1)
 *   η ← γ / (1 + λγt)^α,   μ ← 1 / max(1, t − t₀)
 *
 * η and μ are float32 scalars, as torch stores them (`torch.tensor(...)`), also for float64 weights.
 * The average is in `optimizer.state.get(p).ax`.
 */
export class ASGD extends Optimizer<ASGDOptions, ASGDState> {
  /** After params: PyTorch's positional `(lr, lambd, alpha, t0, weightDecay)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<ASGDOptions>>, ...args: WithOptions<[lr: number, lambd: number, alpha: number, t0: number, weightDecay: number], Partial<ASGDOptions>>) {
    const options = optimizerArgs<ASGDOptions>("ASGD", params, args, [["lr", NUMBER], ["lambd", NUMBER], ["alpha", NUMBER], ["t0", NUMBER], ["weightDecay", NUMBER]]);
    super("ASGD", params, { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false }, options);
  }

  protected validate({ lr, weightDecay, lambd }: ASGDOptions): void {
    checkLr("ASGD", lr);
    checkNonNegative("ASGD", "weightDecay", weightDecay);
    checkNonNegative("ASGD", "lambd", lambd);
  }

  protected stateSpec(_o: ASGDOptions, p: Tensor): StateSpec {
    return { step: required(count), eta: required(nonNegative), mu: required(inRange(0, 1, true)), ax: buffer(p) };
  }

  protected initState(p: Tensor, o: ASGDOptions): ASGDState {
    return { step: 0, eta: Math.fround(o.lr), mu: 1, ax: zerosLike(p) };
  }

  protected updateParameter(theta: Tensor, grad: Tensor, state: ASGDState, o: ASGDOptions): void {
    const { lr, lambd, alpha, t0, weightDecay: lambda, maximize } = o;
    const t = (state.step += 1);
    const { eta, mu, ax } = state;
    let g = maximize ? grad.neg() : grad;
    if (lambda !== 0) g = g.add(theta.mul(lambda));
    theta.mul_(1 - lambd * eta);
    theta.sub_(g.mul(eta));
    if (mu !== 1) ax.add_(theta.sub(ax).mul(mu));
    else ax.copy_(theta);
    state.eta = Math.fround(lr / (1 + lambd * lr * t) ** alpha);
    state.mu = Math.fround(1 / Math.max(1, t - t0));
  }
}
