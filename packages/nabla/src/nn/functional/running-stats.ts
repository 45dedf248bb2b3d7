/**
 * Batch norm's running statistics after a training step, as PyTorch updates them (without
 * gradient): running ← (1 − momentum)·running + momentum·batch, the variance unbiased
 * (σ²·count/(count − 1)) while the batch is normalised with the biased one. The composed batch
 * norm (normalization.ts) runs it; the fused wasm kernel (assembly/batch-norm.ts: updateRunning)
 * computes the same float operations in the same order, each rounded to the dtype:
 *   r_mean ← r_mean·(1 − momentum) + mean·momentum,  r_var ← r_var·(1 − momentum) + (σ²·u)·momentum,
 * u = count/(count − 1), and (1 − momentum), momentum and u rounded to the dtype first.
 */
import { noGrad } from "../../autograd/grad-mode.js";
import { mul } from "../../ops/elementwise.js";
import type { Tensor } from "../../tensor/tensor.js";

/** `mean` and `biasedVar` are the batch's per-channel statistics ([C]) over `count` values each. */
export function updateRunningStats(runningMean: Tensor | null, runningVar: Tensor | null, mean: Tensor, biasedVar: Tensor, count: number, momentum: number): void {
  noGrad(() => {
    if (runningMean !== null) runningMean.mul_(1 - momentum).add_(mean.detach(), { alpha: momentum });
    if (runningVar !== null) runningVar.mul_(1 - momentum).add_(mul(biasedVar.detach(), count / (count - 1)), { alpha: momentum });
  });
}
