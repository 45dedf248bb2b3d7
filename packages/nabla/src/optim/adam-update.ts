/**
 * What Adam and AdamW share: their options' checks, their state, and the step: the reference in
 * tensor ops (torch/optim/adam.py's single-tensor path), or the backend's fused kernel (one pass
 * over the flat buffers, SIMD and threads on wasm) where it offers one.
 */
import { zerosLike } from "../ops/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import { fusedKernels, fusedStepsEnabled } from "./fused.js";
import { gpuAdamStep } from "./gpu-steps.js";
import { flat, flatForUpdate } from "./optimizer.js";
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

/** Per parameter: the step t, the moments m and v, and with amsgrad the running maximum of v. */
export type AdamState = {
  step: number;
  /** m */
  exp_avg: Tensor;
  /** v */
  exp_avg_sq: Tensor;
  /** max(v) so far, with amsgrad */
  max_exp_avg_sq?: Tensor;
};

export function checkAdamOptions(name: string, { lr, betas, eps, weightDecay }: AdamLikeOptions): void {
  checkLr(name, lr);
  checkNonNegative(name, "epsilon", eps);
  checkBetas(name, betas);
  checkNonNegative(name, "weightDecay", weightDecay);
}

export function adamStateSpec({ amsgrad }: AdamLikeOptions, p: Tensor): StateSpec {
  return { step: required(count), exp_avg: buffer(p), exp_avg_sq: buffer(p), max_exp_avg_sq: buffer(p, amsgrad) };
}

export function initAdamState(p: Tensor): AdamState {
  return { step: 0, exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
}

/**
 * One Adam step of θ (the formula is in adam.ts and adamw.ts); `decoupled` is AdamW's weight
 * decay θ ← θ(1 − γλ) instead of Adam's g ← g + λθ.
 */
export function adamUpdate(theta: Tensor, grad: Tensor, state: AdamState, options: AdamLikeOptions, decoupled: boolean): void {
  state.step += 1;
  if (options.amsgrad) state.max_exp_avg_sq ??= zerosLike(theta);
  if (!adamFused(theta, grad, state, options, decoupled)) adamReference(theta, grad, state, options, decoupled);
}

/** The reference: Adam in tensor ops, the state updated in place. */
function adamReference(
  theta: Tensor,
  grad: Tensor,
  { step: t, exp_avg: m, exp_avg_sq: v, max_exp_avg_sq: vMax }: AdamState,
  { lr, betas: [beta1, beta2], eps, weightDecay: lambda, maximize }: AdamLikeOptions,
  decoupled: boolean,
): void {
  let g = maximize ? grad.neg() : grad;
  if (lambda !== 0) {
    if (decoupled) theta.mul_(1 - lr * lambda);
    else g = g.add(theta.mul(lambda));
  }
  m.mul_(beta1).add_(g, { alpha: 1 - beta1 });
  v.mul_(beta2).add_(g.mul(g), { alpha: 1 - beta2 });
  if (vMax !== undefined) vMax.copy_(vMax.maximum(v));
  const mHat = m.div(1 - beta1 ** t);
  const vHat = (vMax ?? v).div(1 - beta2 ** t);
  theta.sub_(mHat.mul(lr).div(vHat.sqrt().add(eps)));
}

/** The backend's fused Adam step, if it offers one and takes these buffers; false when the reference must run. */
function adamFused(theta: Tensor, grad: Tensor, state: AdamState, o: AdamLikeOptions, decoupled: boolean): boolean {
  if (theta.storage.device !== "cpu") return fusedStepsEnabled() && gpuAdamStep(theta, grad, state, o, decoupled);
  const adamStep = fusedKernels()?.adamStep;
  if (adamStep === undefined || !theta.isContiguous()) return false;
  return adamStep({
    param: flatForUpdate(theta),
    grad: flat(grad.contiguous()),
    expAvg: flat(state.exp_avg),
    expAvgSq: flat(state.exp_avg_sq),
    maxExpAvgSq: state.max_exp_avg_sq === undefined ? null : flat(state.max_exp_avg_sq),
    lr: o.lr,
    beta1: o.betas[0],
    beta2: o.betas[1],
    eps: o.eps,
    weightDecay: o.weightDecay,
    decoupled,
    maximize: o.maximize,
    step: state.step,
  });
}
