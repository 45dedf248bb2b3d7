import { NUMBER, PAIR, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import { OptionError } from "../errors.js";
import { zerosLike } from "../ops/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import type { ParamGroupSpec } from "./optimizer.js";
import { ScheduleFreeOptimizer, type ScheduleFreeCommon, type ScheduleFreeState } from "./schedule-free.js";
import { buffer, type StateSpec } from "./state-fields.js";
import { checkBetas, checkLr, checkNonNegative } from "./validate.js";

export interface ScheduleFreeAdamWOptions extends ScheduleFreeCommon {
  betas: [number, number];
  eps: number;
}

/** z (starting at the parameter) and the second moment v. */
export type ScheduleFreeAdamWState = ScheduleFreeState & {
  /** v */
  exp_avg_sq: Tensor;
};

/**
 * Schedule-Free AdamW (Defazio et al. 2024, "The Road Less Scheduled"): no learning-rate schedule
 * and no stopping time to choose; averaging of the iterates replaces the decay. Three sequences:
 * z takes AdamW-scaled gradient steps, x is a weighted average of the z's, and the gradient is
 * taken at y, between them:
 *
 *   y = (1 − β₁)z + β₁x                               (the parameters while training)
 *   v ← β₂v + (1 − β₂)g²,   u = g/(√(v/(1 − β₂ᵏ⁺¹)) + ε) + λy      (g = ∇f(y))
 *   z ← z − γₖu                                       (γₖ: γ with linear warm-up)
 *   x ← (1 − cₖ₊₁)x + cₖ₊₁z,   cₖ₊₁ = wₖ/Σᵢ₌₀ᵏ wᵢ,   wₖ = (k+1)ʳ·max γ^power
 *
 * Call `optimizer.eval()` before evaluating or saving the model (the parameters become x) and
 * `optimizer.train()` before training again (they become y).
 *
 * When to choose it: when you don't know how long you will train, or want to stop any time with a
 * good model — it matches tuned cosine schedules without a schedule. Use a larger lr than AdamW
 * (default 0.0025) and some warm-up; don't combine it with a scheduler. The train/eval switch must
 * be called; BatchNorm statistics need a recompute pass at x.
 */
export class ScheduleFreeAdamW extends ScheduleFreeOptimizer<ScheduleFreeAdamWOptions, ScheduleFreeAdamWState> {
  /** After params: the schedulefree package's positional `(lr, betas, eps, weightDecay, warmupSteps, r, weightLrPower)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<ScheduleFreeAdamWOptions>>, ...args: WithOptions<[lr: number, betas: [number, number], eps: number, weightDecay: number, warmupSteps: number, r: number, weightLrPower: number], Partial<ScheduleFreeAdamWOptions>>) {
    const options = optimizerArgs<ScheduleFreeAdamWOptions>("ScheduleFreeAdamW", params, args, [["lr", NUMBER], ["betas", PAIR], ["eps", NUMBER], ["weightDecay", NUMBER], ["warmupSteps", NUMBER], ["r", NUMBER], ["weightLrPower", NUMBER]]);
    super(
      "ScheduleFreeAdamW",
      params,
      { lr: 0.0025, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, warmupSteps: 0, r: 0, weightLrPower: 2 },
      options,
    );
  }

  protected validate({ lr, betas, eps, weightDecay, warmupSteps }: ScheduleFreeAdamWOptions): void {
    checkLr("ScheduleFreeAdamW", lr);
    checkBetas("ScheduleFreeAdamW", betas);
    if (betas[0] === 0) {
      throw new OptionError("ScheduleFreeAdamW: invalid beta parameter at index 0: 0 (must be > 0: eval() recovers x as (y − (1 − β₁)z)/β₁)");
    }
    checkNonNegative("ScheduleFreeAdamW", "epsilon", eps);
    checkNonNegative("ScheduleFreeAdamW", "weightDecay", weightDecay);
    checkNonNegative("ScheduleFreeAdamW", "warmupSteps", warmupSteps);
  }

  protected stateSpec(_o: ScheduleFreeAdamWOptions, p: Tensor): StateSpec {
    return { z: buffer(p), exp_avg_sq: buffer(p) };
  }

  protected beta(group: ScheduleFreeAdamWOptions): number {
    return group.betas[0];
  }

  protected initState(p: Tensor): ScheduleFreeAdamWState {
    return { z: p.detach().clone(), exp_avg_sq: zerosLike(p) };
  }

  protected updateParameter(y: Tensor, g: Tensor, state: ScheduleFreeAdamWState, o: ScheduleFreeAdamWOptions): void {
    const { betas: [beta1, beta2], eps, weightDecay: lambda } = o;
    const { lr, ckp1, k } = this.schedule;
    const { z, exp_avg_sq: v } = state;
    v.mul_(beta2).add_(g.mul(g), { alpha: 1 - beta2 });
    let u = g.div(v.div(1 - beta2 ** (k + 1)).sqrt().add(eps));
    if (lambda !== 0) u = u.add(y.mul(lambda));
    // y_{k+1} = (1 − c)y + cz − γ(1 − β₁(1 − c))u   (the x and z updates, folded into y)
    y.add_(z.sub(y).mul(ckp1));
    y.add_(u.mul(lr * (beta1 * (1 - ckp1) - 1)));
    z.sub_(u.mul(lr));
  }
}
