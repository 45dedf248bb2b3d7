/**
 * Pieces the distributions share, as torch.distributions.utils: probabilities ↔ logits (clamped
 * to [eps, 1 − eps] as PyTorch does), xlogy, one-hot vectors, standard normal noise (drawn
 * as PyTorch's _standard_normal draws it), and log1p as a differentiable op.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { clamp, div, eq, log, mul, sigmoid, sub, where } from "../ops/elementwise.js";
import { emptyTensor, scalarTensor } from "../ops/helpers.js";
import { callPointwise } from "../ops/pointwise/call.js";
import * as M from "../ops/pointwise/declarations/math.js";
import type { Device } from "../backend/device.js";
import { toDevice } from "../tensor/transfer.js";
import { sumToShape } from "../ops/reduce.js";
import { softmax } from "../ops/softmax.js";
import { oneHot } from "../nn/functional/one-hot.js";
import { finfoEps, type DType } from "../tensor/dtype.js";
import { defaultGenerator } from "../tensor/random.js";
import { normalFill } from "../tensor/sampling.js";
import type { Tensor } from "../tensor/tensor.js";

export { finfoEps, finfoTiny } from "../tensor/dtype.js";

/** The most negative finite number of a dtype (torch.finfo(dtype).min). */
export function finfoMin(dtype: DType): number {
  return dtype === "float64" ? -Number.MAX_VALUE : -3.4028234663852886e38;
}

/** ln(1 + x), accurate for small x; d/dx = 1/(1 + x): the declared pointwise op, so it runs on x's device. */
export function log1p(x: Tensor): Tensor {
  return callPointwise(M.log1p, [x]);
}

/** probs clamped to [eps, 1 − eps] (PyTorch's clamp_probs). */
export function clampProbs(probs: Tensor): Tensor {
  const eps = finfoEps(probs.dtype);
  return clamp(probs, { min: eps, max: 1 - eps });
}

/** Logits of probabilities: ln p (categorical) or ln p − ln(1 − p) (binary), from clamped p. */
export function probsToLogits(probs: Tensor, isBinary = false): Tensor {
  const p = clampProbs(probs);
  return isBinary ? sub(log(p), log1p(mul(p, -1))) : log(p);
}

/** Probabilities of logits: softmax over the last dim (categorical) or the sigmoid (binary). */
export function logitsToProbs(logits: Tensor, isBinary = false): Tensor {
  return isBinary ? sigmoid(logits) : softmax(logits, -1);
}

/**
 * x·ln y, 0 where x = 0 (torch.xlogy). The gradients are PyTorch's: ∂/∂x = ln y (also at
 * x = 0), ∂/∂y = x/y.
 */
export function xlogy(x: Tensor, y: Tensor | number): Tensor {
  const yT = typeof y === "number" ? scalarTensor(y, x.dtype) : y;
  const out = noGrad(() => where(eq(x, 0), 0, mul(x, log(yT))));
  return recordOp("XlogyBackward0", out, [x, yT], (g) => [
    x.requiresGrad ? sumToShape(mul(g, log(yT)), x.shape) : null,
    yT.requiresGrad ? sumToShape(div(mul(g, x), yT), yT.shape) : null,
  ], [x, yT]);
}

/** One-hot vectors of int32 indices along a new last dim, in `dtype` (F.one_hot(…).to(dtype)). */
export function oneHotOf(indices: Tensor, numClasses: number, dtype: DType): Tensor {
  return oneHot(indices, numClasses).to(dtype);
}

/** Standard normal noise of `shape` on `device` (PyTorch's _standard_normal: torch.empty(shape).normal_()). */
export function standardNormal(shape: readonly number[], dtype: DType, device: Device = "cpu"): Tensor {
  const out = emptyTensor(shape, dtype);
  normalFill(defaultGenerator, out.storage.data as Float32Array | Float64Array, 0, 1);
  // drawn by the host generator; moved to the parameters' device (one upload)
  return toDevice(out, device);
}

