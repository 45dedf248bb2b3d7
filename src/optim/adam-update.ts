/** What Adam and AdamW share: their options' checks, their state, and the step, one fused loop over a parameter's flat buffers (SIMD on wasm). */
import { backend } from "../backend/backend.js";
import type { TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import type { ParamState } from "./optimizer.js";
import { buffer, count, required, type StateSpec } from "./state-fields.js";
import { checkBetas, checkLr, checkNonNegative } from "./validate.js";

export interface AdamLikeOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

export function checkAdamOptions(name: string, { lr, betas, eps, weightDecay }: AdamLikeOptions): void {
  checkLr(name, lr);
  checkNonNegative(name, "epsilon", eps);
  checkBetas(name, betas);
  checkNonNegative(name, "weightDecay", weightDecay);
}

/** The step t, the moments m and v, and with amsgrad the running maximum of v. */
export function adamStateSpec({ amsgrad }: AdamLikeOptions, p: Tensor): StateSpec {
  return { step: required(count), exp_avg: buffer(p), exp_avg_sq: buffer(p), max_exp_avg_sq: buffer(p, amsgrad) };
}

/**
 * Advances the step count and applies Adam's update (the formula is in adam.ts and adamw.ts);
 * `decoupled` is AdamW's weight decay θ ← θ(1 − γλ) instead of Adam's g ← g + λθ.
 * `buffer(key)` returns the parameter's state buffer of that name, zero-filled when new.
 */
export function adamUpdate(
  buffer: (key: string) => TypedArray,
  theta: TypedArray,
  grad: TypedArray,
  state: ParamState,
  { lr, betas: [beta1, beta2], eps, weightDecay, amsgrad, maximize }: AdamLikeOptions,
  decoupled: boolean,
): void {
  const step = ((state.step as number | undefined) ?? 0) + 1;
  state.step = step;
  backend().fused!.adamStep!({
    param: theta,
    grad,
    expAvg: buffer("exp_avg"),
    expAvgSq: buffer("exp_avg_sq"),
    maxExpAvgSq: amsgrad ? buffer("max_exp_avg_sq") : null,
    lr,
    beta1,
    beta2,
    eps,
    weightDecay,
    decoupled,
    maximize,
    step,
  });
}
