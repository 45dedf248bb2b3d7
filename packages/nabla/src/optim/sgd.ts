import { BOOLEAN, NUMBER, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import { OptionError } from "../errors.js";
import { zerosLike } from "../ops/creation.js";
import { fusedKernels, fusedStepsEnabled } from "./fused.js";
import { gpuSgdStep } from "./gpu-steps.js";
import { flat, flatForUpdate, Optimizer, type ParamGroupSpec } from "./optimizer.js";
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

/** With momentum, the buffer b, made from the first step's gradient. */
export type SGDState = {
  momentum_buffer?: Tensor;
};

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
export class SGD extends Optimizer<SGDOptions, SGDState> {
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

  protected initState(): SGDState {
    return {};
  }

  protected updateParameter(theta: Tensor, grad: Tensor, state: SGDState, o: SGDOptions): void {
    if (!this.fusedStep(theta, grad, state, o)) this.referenceStep(theta, grad, state, o);
  }

  /** The reference, as torch/optim/sgd.py's single-tensor path. */
  private referenceStep(theta: Tensor, grad: Tensor, state: SGDState, { lr, momentum: mu, dampening: tau, weightDecay: lambda, nesterov, maximize }: SGDOptions): void {
    let g = maximize ? grad.neg() : grad;
    if (lambda !== 0) g = g.add(theta.mul(lambda));
    if (mu !== 0) {
      let b = state.momentum_buffer;
      if (b === undefined) b = state.momentum_buffer = g.clone();
      else b.mul_(mu).add_(g, { alpha: 1 - tau });
      g = nesterov ? g.add(b.mul(mu)) : b;
    }
    theta.sub_(g.mul(lr));
  }

  /** The backend's fused SGD step, if it offers one and takes these buffers; false when the reference must run. */
  private fusedStep(theta: Tensor, grad: Tensor, state: SGDState, o: SGDOptions): boolean {
    if (theta.storage.device !== "cpu") {
      if (!fusedStepsEnabled()) return false;
      const firstStep = state.momentum_buffer === undefined;
      const b = o.momentum !== 0 ? (state.momentum_buffer ?? zerosLike(theta)) : null;
      const ran = gpuSgdStep(theta, grad, b, firstStep, o);
      if (ran && b !== null) state.momentum_buffer = b;
      return ran;
    }
    const sgdStep = fusedKernels()?.sgdStep;
    if (sgdStep === undefined || !theta.isContiguous()) return false;
    const firstStep = state.momentum_buffer === undefined;
    // a new buffer is kept only if the kernel ran (it writes the gradient into it)
    const b = o.momentum !== 0 ? (state.momentum_buffer ?? zerosLike(theta)) : null;
    const ran = sgdStep({
      param: flatForUpdate(theta),
      grad: flat(grad.contiguous()),
      momentumBuffer: b === null ? null : flat(b),
      firstStep,
      lr: o.lr,
      momentum: o.momentum,
      dampening: o.dampening,
      weightDecay: o.weightDecay,
      nesterov: o.nesterov,
      maximize: o.maximize,
    });
    if (ran && b !== null) state.momentum_buffer = b;
    return ran;
  }
}
