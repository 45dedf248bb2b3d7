/**
 * Batch normalisation through the CPU backend's fused kernels (`fused.batchNorm` and
 * `fused.batchNormBackward`), PyTorch's CPU batch_norm: one graph node (NativeBatchNormBackward0)
 * whose forward is a statistics pass and an output pass instead of ~9 tensor ops, and whose
 * backward is a pass for Σdy and Σdy·(x − μ) per channel and one writing dx:
 *
 *   training:  dx = (w/σ)·(dy − mean(dy) − x̂·mean(dy·x̂)),  eval: dx = (w/σ)·dy,
 *   dweight = Σ dy·x̂,  dbias = Σ dy   (sums and means over every dim but the channel).
 *
 * Under createGraph the backward is those formulas in differentiable ops, with μ and σ recomputed
 * from x (in training they depend on it), as the fused recurrent cells do (gru-cell.ts). Returns
 * null where the kernels do not take the operands (webgpu, other dtypes, mixed ones): the
 * composed reference in normalization.ts runs.
 */
import { backend } from "../../backend/backend.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { recordOp } from "../../autograd/node.js";
import { add, mul, sqrt, sub, div } from "../../ops/elementwise.js";
import { resultTensor } from "../../ops/helpers.js";
import { mean, sum } from "../../ops/reduce.js";
import { contiguous, reshape } from "../../ops/shape.js";
import { updateRunningStats } from "./running-stats.js";
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

/** y, or null where the fused kernels do not take these operands. */
export function fusedBatchNorm(name: string, o: FusedBatchNormOperands): Tensor | null {
  const { input, runningMean, runningVar, weight, bias, training, momentum, eps } = o;
  const fused = backend().fused;
  if (fused?.batchNorm === undefined || fused.batchNormBackward === undefined) return null;
  const { dtype } = input;
  if (dtype !== "float32" && dtype !== "float64") return null;
  const operands = [input, runningMean, runningVar, weight, bias].filter((t): t is Tensor => t !== null);
  if (operands.some((t) => t.dtype !== dtype || t.storage.device !== "cpu")) return null;
  // running statistics that require grad are differentiated through by the reference (eval)
  if (!training && (runningMean!.requiresGrad || runningVar!.requiresGrad)) return null;

  if (input.numel() === 0) return null;
  const x = contiguous(input);
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const inner = x.numel() / (n * c);
  const [w, b] = [weight === null ? null : contiguous(weight), bias === null ? null : contiguous(bias)];
  const out = resultTensor(x.shape, dtype, name);
  // the μ and σ² normalised with: the batch's (written by the kernel) or copies of the running ones
  const mu = resultTensor([c], dtype, name);
  const variance = resultTensor([c], dtype, name);
  if (!training) {
    mu.storage.data.set(data(contiguous(runningMean!)));
    variance.storage.data.set(data(contiguous(runningVar!)));
  }
  const ran = fused.batchNorm({
    x: data(x), n, channels: c, inner, weight: w === null ? null : data(w), bias: b === null ? null : data(b),
    training, mean: mu.storage.data, variance: variance.storage.data, eps, out: out.storage.data,
  });
  if (!ran) return null;
  if (training) updateRunningStats(runningMean, runningVar, mu, variance, n * inner, momentum);
  const invstd = resultTensor([c], dtype, name);
  const v = variance.storage.data, is = invstd.storage.data;
  for (let k = 0; k < c; k++) is[k] = 1 / Math.sqrt(v[k]! + eps);

  const inputs = [x, ...(w === null ? [] : [w]), ...(b === null ? [] : [b])];
  return recordOp("NativeBatchNormBackward0", out, inputs, (grad) => {
    const [gx = null, gw = null, gb = null]: (Tensor | null)[] = isGradEnabled()
      ? differentiableBackward(x, w, mu, variance, eps, training, grad)
      : kernelBackward(x, w, b, mu, invstd, training, contiguous(grad));
    return w === null ? (b === null ? [gx] : [gx, gb]) : b === null ? [gx, gw] : [gx, gw, gb];
  }, inputs);
}

function data(t: Tensor): TypedArray {
  return t.storage.data.subarray(t.offset, t.offset + t.numel());
}

/** The gradients wanted (null: not), from the fused backward. */
function kernelBackward(x: Tensor, w: Tensor | null, b: Tensor | null, mu: Tensor, invstd: Tensor, training: boolean, grad: Tensor): (Tensor | null)[] {
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const gx = x.requiresGrad ? resultTensor(x.shape, x.dtype, "batchNorm backward") : null;
  const gw = w !== null && w.requiresGrad ? resultTensor([c], x.dtype, "batchNorm backward") : null;
  const gb = b !== null && b.requiresGrad ? resultTensor([c], x.dtype, "batchNorm backward") : null;
  const ran = backend().fused!.batchNormBackward!({
    x: data(x), grad: data(grad), n, channels: c, inner: x.numel() / (n * c), weight: w === null ? null : data(w),
    mean: mu.storage.data, invstd: invstd.storage.data, training,
    gradInput: gx?.storage.data ?? null, gradWeight: gw?.storage.data ?? null, gradBias: gb?.storage.data ?? null,
  });
  if (!ran) throw new Error(`batchNorm: the backend's fused backward declined the operands its forward took (${x.dtype})`);
  return [gx, gw, gb];
}

/** The same gradients in ops, differentiable in x, w and grad (μ and σ recomputed from x in training). */
function differentiableBackward(x: Tensor, w: Tensor | null, runningMu: Tensor, runningVar: Tensor, eps: number, training: boolean, grad: Tensor): Tensor[] {
  const c = x.shape[1]!;
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const shape = [c, ...new Array<number>(x.ndim - 2).fill(1)];
  let mu: Tensor, invstd: Tensor;
  if (training) {
    mu = mean(x, dims, { keepdim: true });
    const centred = sub(x, mu);
    invstd = div(1, sqrt(add(mean(mul(centred, centred), dims, { keepdim: true }), eps)));
  } else {
    mu = reshape(runningMu, shape);
    invstd = div(1, sqrt(add(reshape(runningVar, shape), eps)));
  }
  const xhat = mul(sub(x, mu), invstd);
  const g = w === null ? grad : mul(grad, reshape(w, shape));
  const gx = training
    ? mul(invstd, sub(sub(g, mean(g, dims, { keepdim: true })), mul(xhat, mean(mul(g, xhat), dims, { keepdim: true }))))
    : mul(g, invstd);
  return [gx, sum(mul(grad, xhat), dims), sum(grad, dims)];
}
