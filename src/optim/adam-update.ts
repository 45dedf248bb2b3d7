/** The step Adam and AdamW share: one fused loop over a parameter's flat buffers (SIMD on wasm). */
import { backend } from "../backend/backend.js";
import type { TypedArray } from "../tensor/dtype.js";
import type { ParamState } from "./optimizer.js";

export interface AdamLikeOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
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
