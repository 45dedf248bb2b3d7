import { NUMBER, PAIR, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import { OptionError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec } from "./optimizer.js";
import { fullLike, onesLike, zerosLike } from "../ops/creation.js";
import { where } from "../ops/elementwise.js";
import { buffer, count, required, type StateSpec } from "./state-fields.js";
import { checkLr } from "./validate.js";

export interface RpropOptions {
  lr: number;
  /** `[η−, η+]`: how much a step shrinks when the gradient changes sign, and grows when it keeps it. */
  etas: [number, number];
  /** `[Δmin, Δmax]`: the bounds of each parameter's step. */
  stepSizes: [number, number];
  maximize: boolean;
}

/** The step, the previous gradient, and each parameter's step size Δ. */
export type RpropState = {
  step: number;
  prev: Tensor;
  step_size: Tensor;
};

/**
 * Rprop (Riedmiller & Braun 1993): each parameter moves by its own step size Δ, in the direction
 * of the gradient's sign only; as torch/optim/rprop.py computes it:
 *
 *   s = sign(g·g_prev)
 *   Δ ← clamp(Δ·η+, Δmin, Δmax) if s > 0;  clamp(Δ·η−, Δmin, Δmax) if s < 0;  Δ if s = 0   (Δ₀ = γ)
 *   g ← 0 where s < 0                     (skip the step after a sign change)
 *   θ ← θ − sign(g)·Δ,   g_prev ← g
 */
export class Rprop extends Optimizer<RpropOptions, RpropState> {
  /** After params: PyTorch's positional `(lr, etas, stepSizes)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<RpropOptions>>, ...args: WithOptions<[lr: number, etas: [number, number], stepSizes: [number, number]], Partial<RpropOptions>>) {
    const options = optimizerArgs<RpropOptions>("Rprop", params, args, [["lr", NUMBER], ["etas", PAIR], ["stepSizes", PAIR]]);
    super("Rprop", params, { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false }, options);
  }

  protected validate({ lr, etas, stepSizes }: RpropOptions): void {
    checkLr("Rprop", lr);
    if (!Array.isArray(etas) || etas.length !== 2 || !(0 < etas[0] && etas[0] < 1 && 1 < etas[1])) {
      throw new OptionError(`Rprop: invalid etas: ${JSON.stringify(etas)} (must be [etaminus, etaplus] with 0 < etaminus < 1 < etaplus)`);
    }
    if (!Array.isArray(stepSizes) || stepSizes.length !== 2 || !(0 <= stepSizes[0] && stepSizes[0] <= stepSizes[1])) {
      throw new OptionError(`Rprop: invalid stepSizes: ${JSON.stringify(stepSizes)} (must be [min, max] with 0 <= min <= max)`);
    }
  }

  protected stateSpec(_o: RpropOptions, p: Tensor): StateSpec {
    return { step: required(count), prev: buffer(p), step_size: buffer(p) };
  }

  protected initState(p: Tensor, o: RpropOptions): RpropState {
    return { step: 0, prev: zerosLike(p), step_size: fullLike(p, o.lr) };
  }

  protected updateParameter(theta: Tensor, grad: Tensor, state: RpropState, o: RpropOptions): void {
    const { etas: [etaMinus, etaPlus], stepSizes: [stepMin, stepMax], maximize } = o;
    state.step += 1;
    const { prev, step_size: delta } = state;
    let g = maximize ? grad.neg() : grad;
    const s = g.mul(prev).sign();
    const factor = where(s.gt(0), etaPlus, where(s.lt(0), etaMinus, onesLike(s)));
    delta.mul_(factor).clamp_({ min: stepMin, max: stepMax });
    g = where(s.lt(0), 0, g); // no step after a change of sign
    theta.sub_(g.sign().mul(delta));
    prev.copy_(g);
  }
}
