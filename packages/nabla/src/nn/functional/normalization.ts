/**
 * Normalisation layers as compositions of recorded ops, so that autograd derives their
 * gradients (for batch norm: dx = (w/σ)·(g − mean(g) − x̂·mean(g·x̂)), which the graph reproduces).
 * Batch norm runs the CPU backend's fused kernels where it has them (batch-norm-fused.ts); this
 * composition is the reference every other backend runs.
 *
 *   batchNorm:  y = (x − μ_c) / √(σ²_c + ε) · w_c + b_c, statistics over every dim but the channel (1)
 *   layerNorm:  the same over the trailing `normalizedShape` dims of each sample
 *   groupNorm:  the same over each group of C/G channels (and all positions) of each sample
 *   instanceNorm: the same over the positions of each channel of each sample (dims 2…)
 *   rmsNorm:    y = x / √(mean(x²) + ε) · w over the trailing dims (no centring, no bias)
 *
 * Variances used for normalising are biased (÷N); batch norm's running variance is updated with
 * the unbiased one (÷(N − 1)), as in PyTorch.
 */
import { formatShape, OptionError, ShapeError } from "../../errors.js";
import { add, mul, sqrt, sub, div } from "../../ops/elementwise.js";
import { mean } from "../../ops/reduce.js";
import { reshape } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { checkOptions, optionKeys } from "../../ops/options.js";
import { fusedBatchNorm } from "./batch-norm-fused.js";
import { updateRunningStats } from "./running-stats.js";
import { repeat } from "../../ops/repeat.js";
import { noGrad } from "../../autograd/grad-mode.js";

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Use the batch's statistics (and update the running ones) instead of the running ones. */
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/** (x − mean) / √(var + eps) along `dims`, with the biased variance mean((x − mean)²). */
function normalise(x: Tensor, dims: number[], eps: number): { xhat: Tensor; mu: Tensor; var: Tensor } {
  const mu = mean(x, dims, { keepdim: true });
  const centred = sub(x, mu);
  const v = mean(mul(centred, centred), dims, { keepdim: true });
  return { xhat: div(centred, sqrt(add(v, eps))), mu, var: v };
}

function affine(y: Tensor, weight: Tensor | null | undefined, bias: Tensor | null | undefined, shape: number[]): Tensor {
  let out = y;
  if (weight) out = mul(out, reshape(weight, shape));
  if (bias) out = add(out, reshape(bias, shape));
  return out;
}

/**
 * Batch normalisation of [N, C, …]. In training, normalises with the batch's statistics and
 * moves runningMean/runningVar (if given) towards them: r ← (1 − momentum)·r + momentum·stat.
 */
const BATCH_NORM_KEYS = optionKeys<BatchNormOptions>({ weight: true, bias: true, training: true, momentum: true, eps: true });

export function batchNormImpl(name: string, input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  checkOptions(name, options, BATCH_NORM_KEYS);
  const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 } = options;
  if (input.ndim < 2) throw new ShapeError(`${name}: expected an input of at least 2 dims [N, C, …], got ${formatShape(input.shape)}`);
  const c = input.shape[1]!;
  for (const [what, t] of [["running_mean", runningMean], ["running_var", runningVar], ["weight", weight], ["bias", bias]] as const) {
    if (t !== null && t.numel() !== c) {
      throw new ShapeError(`${name}: ${what} should contain ${c} elements (the channels of input ${formatShape(input.shape)}), not ${t.numel()} (shape ${formatShape(t.shape)})`);
    }
  }
  const dims = input.shape.map((_, i) => i).filter((i) => i !== 1);
  const shape = [c, ...new Array<number>(input.ndim - 2).fill(1)];
  if (!training) {
    if (runningMean === null || runningVar === null) throw new OptionError(`${name}: running_mean and running_var must be defined in evaluation mode`);
    const fused = fusedBatchNorm(name, { input, runningMean, runningVar, weight, bias, training, momentum, eps });
    if (fused !== null) return fused;
    const y = div(sub(input, reshape(runningMean, shape)), sqrt(add(reshape(runningVar, shape), eps)));
    return affine(y, weight, bias, shape);
  }
  const count = input.numel() / c;
  if (count <= 1) throw new ShapeError(`${name}: expected more than 1 value per channel when training, got input size ${formatShape(input.shape)}`);
  const fused = fusedBatchNorm(name, { input, runningMean, runningVar, weight, bias, training, momentum, eps });
  if (fused !== null) return fused;
  const { xhat, mu, var: v } = normalise(input, dims, eps);
  updateRunningStats(runningMean, runningVar, reshape(mu, [c]), reshape(v, [c]), count, momentum);
  return affine(xhat, weight, bias, shape);
}

export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  return batchNormImpl("batchNorm", input, runningMean, runningVar, options);
}

export interface InstanceNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /**
   * Normalise with each instance's own statistics (and move the running ones, if given, towards
   * their mean over the batch); false normalises with the running ones. Default true.
   */
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

const INSTANCE_NORM_KEYS = optionKeys<InstanceNormOptions>({ weight: true, bias: true, useInputStats: true, momentum: true, eps: true });

/**
 * Instance normalisation of [N, C, …] (PyTorch's instance_norm): each channel of each sample
 * normalised over its own positions, y = (x − μ_nc) / √(σ²_nc + ε) · w_c + b_c. With running
 * statistics, they move as batch norm's towards the batch's mean of the instance statistics:
 * r ← mean_n((1 − momentum)·r + momentum·μ_nc) (the variance unbiased). With useInputStats false
 * the running statistics normalise instead, as batch norm in evaluation.
 */
export function instanceNormImpl(name: string, input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: InstanceNormOptions = {}): Tensor {
  checkOptions(name, options, INSTANCE_NORM_KEYS);
  const { weight = null, bias = null, useInputStats = true, momentum = 0.1, eps = 1e-5 } = options;
  if (input.ndim < 2) throw new ShapeError(`${name}: expected an input of at least 2 dims [N, C, …], got ${formatShape(input.shape)}`);
  if (!useInputStats) {
    if (runningMean === null || runningVar === null) throw new OptionError(`${name}: expected running_mean and running_var to be defined when useInputStats is false`);
    return batchNormImpl(name, input, runningMean, runningVar, { weight, bias, training: false, eps });
  }
  const c = input.shape[1]!;
  for (const [what, t] of [["running_mean", runningMean], ["running_var", runningVar], ["weight", weight], ["bias", bias]] as const) {
    if (t !== null && t.numel() !== c) {
      throw new ShapeError(`${name}: ${what} should contain ${c} elements (the channels of input ${formatShape(input.shape)}), not ${t.numel()} (shape ${formatShape(t.shape)})`);
    }
  }
  const n = input.shape[0]!;
  if (input.numel() === n * c) throw new ShapeError(`${name}: expected more than 1 spatial element when training, got input size ${formatShape(input.shape)}`);
  // As ATen: batch norm in training of [1, N·C, …] (each instance a channel: the fused kernels
  // where the backend has them), the parameters repeated N times (their gradients sum back), the
  // running statistics repeated, moved, and averaged over the batch back into place.
  const repeatN = (t: Tensor | null) => (t === null ? null : repeat(t, [n]));
  const instanceMean = noGrad(() => repeatN(runningMean));
  const instanceVar = noGrad(() => repeatN(runningVar));
  const y = batchNormImpl(name, reshape(input, [1, n * c, ...input.shape.slice(2)]), instanceMean, instanceVar, {
    weight: repeatN(weight),
    bias: repeatN(bias),
    training: true,
    momentum,
    eps,
  });
  noGrad(() => {
    if (runningMean !== null) runningMean.copy_(mean(reshape(instanceMean!, [n, c]), 0));
    if (runningVar !== null) runningVar.copy_(mean(reshape(instanceVar!, [n, c]), 0));
  });
  return reshape(y, input.shape);
}

export function instanceNorm(input: Tensor, runningMean: Tensor | null = null, runningVar: Tensor | null = null, options: InstanceNormOptions = {}): Tensor {
  return instanceNormImpl("instanceNorm", input, runningMean, runningVar, options);
}

export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

function trailing(name: string, input: Tensor, normalizedShape: readonly number[]): number[] {
  const k = normalizedShape.length;
  if (k === 0 || input.ndim < k || normalizedShape.some((s, i) => input.shape[input.ndim - k + i] !== s)) {
    throw new ShapeError(
      `${name}: given normalized_shape=${formatShape(normalizedShape)}, expected input with shape [*, ${normalizedShape.join(", ")}], but got input of size ${formatShape(input.shape)}`,
    );
  }
  return normalizedShape.map((_, i) => input.ndim - k + i);
}

/** Normalises each sample over its trailing `normalizedShape` dims. */
const LAYER_NORM_KEYS = optionKeys<LayerNormOptions>({ weight: true, bias: true, eps: true });

export function layerNormImpl(name: string, input: Tensor, normalizedShape: readonly number[], options: LayerNormOptions = {}): Tensor {
  checkOptions(name, options, LAYER_NORM_KEYS);
  const { weight = null, bias = null, eps = 1e-5 } = options;
  const dims = trailing(name, input, normalizedShape);
  return affine(normalise(input, dims, eps).xhat, weight, bias, normalizedShape.slice());
}

export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], options: LayerNormOptions = {}): Tensor {
  return layerNormImpl("layerNorm", input, typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape, options);
}

/** Splits the C channels of [N, C, …] into `numGroups` groups and normalises each group of each sample. */
export function groupNormImpl(name: string, input: Tensor, numGroups: number, options: LayerNormOptions = {}): Tensor {
  checkOptions(name, options, LAYER_NORM_KEYS);
  const { weight = null, bias = null, eps = 1e-5 } = options;
  if (input.ndim < 2) throw new ShapeError(`${name}: expected an input of at least 2 dims [N, C, …], got ${formatShape(input.shape)}`);
  const [n, c] = input.shape as [number, number];
  if (c % numGroups !== 0) {
    throw new ShapeError(`${name}: expected number of channels in input ${formatShape(input.shape)} to be divisible by num_groups=${numGroups}`);
  }
  for (const [what, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t !== null && t.numel() !== c) throw new ShapeError(`${name}: ${what} should contain ${c} elements, got shape ${formatShape(t.shape)}`);
  }
  const grouped = reshape(input, [n, numGroups, -1]);
  const y = reshape(normalise(grouped, [2], eps).xhat, input.shape);
  return affine(y, weight, bias, [c, ...new Array<number>(input.ndim - 2).fill(1)]);
}

export function groupNorm(input: Tensor, numGroups: number, options: LayerNormOptions = {}): Tensor {
  return groupNormImpl("groupNorm", input, numGroups, options);
}

export interface RMSNormOptions {
  weight?: Tensor | null;
  /** Defaults to the dtype's machine epsilon (torch.finfo(dtype).eps), as PyTorch's RMSNorm. */
  eps?: number | null;
}

/** y = x / √(mean(x²) + ε) · w over the trailing dims (PyTorch 2.4's RMSNorm). */
const RMS_NORM_KEYS = optionKeys<RMSNormOptions>({ weight: true, eps: true });

export function rmsNormImpl(name: string, input: Tensor, normalizedShape: readonly number[], options: RMSNormOptions = {}): Tensor {
  checkOptions(name, options, RMS_NORM_KEYS);
  const dims = trailing(name, input, normalizedShape);
  const eps = options.eps ?? (input.dtype === "float64" ? 2.220446049250313e-16 : 1.1920928955078125e-7);
  const y = div(input, sqrt(add(mean(mul(input, input), dims, { keepdim: true }), eps)));
  return affine(y, options.weight ?? null, null, normalizedShape.slice());
}

export function rmsNorm(input: Tensor, normalizedShape: number | readonly number[], options: RMSNormOptions = {}): Tensor {
  return rmsNormImpl("rmsNorm", input, typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape, options);
}
