import { NUMBER, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import { OptionError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import type { ParamGroupSpec } from "./optimizer.js";
import { ScheduleFreeOptimizer, type ScheduleFreeCommon, type ScheduleFreeState } from "./schedule-free.js";
import { buffer, type StateSpec } from "./state-fields.js";
import { checkLr, checkNonNegative } from "./validate.js";

export interface ScheduleFreeSGDOptions extends ScheduleFreeCommon {
  momentum: number;
}

/**
 * Schedule-Free SGD (Defazio et al. 2024, "The Road Less Scheduled", Algorithm 1): plain gradient
 * steps on z, the average x of the z's, and gradients at y between them — momentum without a
 * momentum buffer, and no learning-rate schedule:
 *
 *   y = (1 − β)z + βx                       (the parameters while training; β = momentum)
 *   z ← z − γₖ(∇f(y) + λy)
 *   x ← (1 − cₖ₊₁)x + cₖ₊₁z,   cₖ₊₁ = wₖ/Σᵢ₌₀ᵏ wᵢ,   wₖ = (k+1)ʳ·max γ^power
 *
 * `optimizer.eval()` before evaluating or saving (parameters become x), `optimizer.train()` before
 * training again.
 *
 * When to choose it: where SGD with momentum and a step or cosine schedule would be used (convex
 * problems, vision models), but the length of training isn't fixed in advance. Its learning rates
 * are larger than SGD's (default 1.0; try 10–50× the SGD rate with warm-up).
 */
export class ScheduleFreeSGD extends ScheduleFreeOptimizer<ScheduleFreeSGDOptions, ScheduleFreeState> {
  /** After params: the schedulefree package's positional `(lr, momentum, weightDecay, warmupSteps, r, weightLrPower)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<ScheduleFreeSGDOptions>>, ...args: WithOptions<[lr: number, momentum: number, weightDecay: number, warmupSteps: number, r: number, weightLrPower: number], Partial<ScheduleFreeSGDOptions>>) {
    const options = optimizerArgs<ScheduleFreeSGDOptions>("ScheduleFreeSGD", params, args, [["lr", NUMBER], ["momentum", NUMBER], ["weightDecay", NUMBER], ["warmupSteps", NUMBER], ["r", NUMBER], ["weightLrPower", NUMBER]]);
    super("ScheduleFreeSGD", params, { lr: 1, momentum: 0.9, weightDecay: 0, warmupSteps: 0, r: 0, weightLrPower: 2 }, options);
  }

  protected validate({ lr, momentum, weightDecay, warmupSteps }: ScheduleFreeSGDOptions): void {
    checkLr("ScheduleFreeSGD", lr);
    if (!(momentum > 0 && momentum < 1)) {
      throw new OptionError(`ScheduleFreeSGD: invalid momentum value: ${momentum} (must be in (0, 1): eval() divides by it)`);
    }
    checkNonNegative("ScheduleFreeSGD", "weightDecay", weightDecay);
    checkNonNegative("ScheduleFreeSGD", "warmupSteps", warmupSteps);
  }

  protected stateSpec(_o: ScheduleFreeSGDOptions, p: Tensor): StateSpec {
    return { z: buffer(p) };
  }

  protected beta(group: ScheduleFreeSGDOptions): number {
    return group.momentum;
  }

  protected initState(p: Tensor): ScheduleFreeState {
    return { z: p.detach().clone() };
  }

  protected updateParameter(y: Tensor, grad: Tensor, { z }: ScheduleFreeState, o: ScheduleFreeSGDOptions): void {
    const { momentum: beta, weightDecay: lambda } = o;
    const { lr, ckp1 } = this.schedule;
    const u = lambda !== 0 ? grad.add(y.mul(lambda)) : grad;
    y.add_(z.sub(y).mul(ckp1));
    y.add_(u.mul(lr * (beta * (1 - ckp1) - 1)));
    z.sub_(u.mul(lr));
  }
}
