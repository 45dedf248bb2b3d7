/**
 * Batch normalisation through the CPU backend's fused kernels (`fused.batchNorm` and
 * `fused.batchNormBackward`), PyTorch's CPU batch_norm: one graph node (NativeBatchNormBackward0)
 * whose forward is a statistics pass and an output pass instead of ~9 tensor ops, and whose
 * backward is a pass for Σdy and Σdy·(x − μ) per channel and one writing dx:
 *
 *   training:  dx = (w/σ)·(dy − mean(dy) − x̂·mean(dy·x̂)),  eval: dx = (w/σ)·dy,
 *   dweight = Σ dy·x̂,  dbias = Σ dy   (sums and means over every dim but the channel).
 *
 * In training the forward kernel also moves the running statistics (running-stats.ts's formulas,
 * its float operations in its order). Under createGraph the backward is those formulas in
 * differentiable ops, with μ and σ recomputed from x (in training they depend on it), as the fused
 * recurrent cells do (gru-cell.ts). Returns null where the kernels do not take the operands
 * (webgpu, other dtypes, mixed ones, strided running statistics in training): the composed
 * reference in normalization.ts runs.
 */
import { backend } from "../../backend/backend.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { recordOp } from "../../autograd/node.js";
import { add, mul, sqrt, sub, div } from "../../ops/elementwise.js";
import { resultTensor } from "../../ops/helpers.js";
import { mean, sum } from "../../ops/reduce.js";
import { contiguous, reshape, select } from "../../ops/shape.js";
import type { TypedArray } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";

export interface FusedBatchNormOperands {
  input: Tensor;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  weight: Tensor | null;
  bias: Tensor | null;
  training: boolean;
  momentum: number;
  eps: number;
}

/** Whether every tensor given (null: absent) is a CPU tensor of `dtype`. */
function cpuOf(dtype: string, ...tensors: (Tensor | null)[]): boolean {
  for (const t of tensors) if (t !== null && (t.dtype !== dtype || t.storage.device !== "cpu")) return false;
  return true;
}

/** y, or null where the fused kernels do not take these operands. */
export function fusedBatchNorm(name: string, o: FusedBatchNormOperands): Tensor | null {
  const { input, runningMean, runningVar, weight, bias, training, momentum, eps } = o;
  const fused = backend().fused;
  if (fused?.batchNorm === undefined || fused.batchNormBackward === undefined) return null;
  const { dtype } = input;
  if (dtype !== "float32" && dtype !== "float64") return null;
  if (!cpuOf(dtype, input, runningMean, runningVar, weight, bias)) return null;
  // running statistics that require grad are differentiated through by the reference (eval)
  if (!training && (runningMean!.requiresGrad || runningVar!.requiresGrad)) return null;
  // the kernel moves the running statistics in place: a strided buffer goes through the ops
  if (training && ((runningMean !== null && !runningMean.isContiguous()) || (runningVar !== null && !runningVar.isContiguous()))) return null;

  if (input.numel() === 0) return null;
  const x = contiguous(input);
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const inner = x.numel() / (n * c);
  const [w, b] = [weight === null ? null : contiguous(weight), bias === null ? null : contiguous(bias)];
  const out = resultTensor(x.shape, dtype, name);
  const inputs = w === null ? (b === null ? [x] : [x, b]) : b === null ? [x, w] : [x, w, b];
  const recording = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  // what the backward reads, the rows of one tensor: the μ and σ² normalised with (the batch's,
  // or copies of the running ones) and 1/√(σ² + ε); nothing where no graph is recorded
  const saved = recording ? resultTensor([3, c], dtype, name) : null;
  const rows = saved === null ? null : [0, 1, 2].map((k) => saved.storage.data.subarray(k * c, (k + 1) * c));
  let [mean, variance] = [rows?.[0] ?? null, rows?.[1] ?? null];
  if (!training) {
    const [runningMu, runningSigma2] = [data(contiguous(runningMean!)), data(contiguous(runningVar!))];
    if (mean === null || variance === null) [mean, variance] = [runningMu, runningSigma2];
    else {
      mean.set(runningMu);
      variance.set(runningSigma2);
    }
  }
  const ran = fused.batchNorm({
    x: data(x), n, channels: c, inner, weight: w === null ? null : data(w), bias: b === null ? null : data(b),
    training, mean, variance, invstd: rows?.[2] ?? null,
    runningMean: training && runningMean !== null ? data(runningMean) : null,
    runningVar: training && runningVar !== null ? data(runningVar) : null,
    momentum, eps, out: out.storage.data,
  });
  if (!ran) return null;
  if (training) {
    // moved in place, as mul_ and add_ would have
    if (runningMean !== null) runningMean.storage.version++;
    if (runningVar !== null) runningVar.storage.version++;
  }
  if (saved === null) return out;

  return recordOp("NativeBatchNormBackward0", out, inputs, (grad) => {
    const [gx = null, gw = null, gb = null]: (Tensor | null)[] = isGradEnabled()
      ? differentiableBackward(x, w, saved, eps, training, grad)
      : kernelBackward(x, w, b, rows![0]!, rows![2]!, training, contiguous(grad));
    return w === null ? (b === null ? [gx] : [gx, gb]) : b === null ? [gx, gw] : [gx, gw, gb];
  }, inputs);
}

function data(t: Tensor): TypedArray {
  return t.storage.data.subarray(t.offset, t.offset + t.numel());
}

/** The gradients wanted (null: not), from the fused backward. */
function kernelBackward(x: Tensor, w: Tensor | null, b: Tensor | null, mu: TypedArray, invstd: TypedArray, training: boolean, grad: Tensor): (Tensor | null)[] {
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const gx = x.requiresGrad ? resultTensor(x.shape, x.dtype, "batchNorm backward") : null;
  const gw = w !== null && w.requiresGrad ? resultTensor([c], x.dtype, "batchNorm backward") : null;
  const gb = b !== null && b.requiresGrad ? resultTensor([c], x.dtype, "batchNorm backward") : null;
  const ran = backend().fused!.batchNormBackward!({
    x: data(x), grad: data(grad), n, channels: c, inner: x.numel() / (n * c), weight: w === null ? null : data(w),
    mean: mu, invstd, training,
    gradInput: gx?.storage.data ?? null, gradWeight: gw?.storage.data ?? null, gradBias: gb?.storage.data ?? null,
  });
  if (!ran) throw new Error(`batchNorm: the backend's fused backward declined the operands its forward took (${x.dtype})`);
  return [gx, gw, gb];
}

/**
 * The same gradients in ops, differentiable in x, w and grad: μ and σ recomputed from x in
 * training, the copies of the running ones in `saved` (rows μ, σ²) otherwise.
 */
function differentiableBackward(x: Tensor, w: Tensor | null, saved: Tensor, eps: number, training: boolean, grad: Tensor): Tensor[] {
  const c = x.shape[1]!;
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const shape = [c, ...new Array<number>(x.ndim - 2).fill(1)];
  let mu: Tensor, invstd: Tensor;
  if (training) {
    mu = mean(x, dims, { keepdim: true });
    const centred = sub(x, mu);
    invstd = div(1, sqrt(add(mean(mul(centred, centred), dims, { keepdim: true }), eps)));
  } else {
    mu = reshape(select(saved, 0, 0), shape);
    invstd = div(1, sqrt(add(reshape(select(saved, 0, 1), shape), eps)));
  }
  const xhat = mul(sub(x, mu), invstd);
  const g = w === null ? grad : mul(grad, reshape(w, shape));
  const gx = training
    ? mul(invstd, sub(sub(g, mean(g, dims, { keepdim: true })), mul(xhat, mean(mul(g, xhat), dims, { keepdim: true }))))
    : mul(g, invstd);
  return [gx, sum(mul(grad, xhat), dims), sum(grad, dims)];
}
