/** softmax and log-softmax along a dim, fused so that they stay exact at ±100. */
import { backend } from "../backend/backend.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { exp, mul, sub } from "./elementwise.js";
import { requireFloating } from "./helpers.js";
import { sum } from "./reduce.js";
import { contiguous, transpose } from "./shape.js";
import { resultTensor } from "./helpers.js";

/** Runs a last-axis kernel on `dim` by swapping it to the end and back. */
function alongDim(x: Tensor, dim: number, kernel: (data: Tensor, outer: number, inner: number) => Tensor): Tensor {
  const last = x.ndim - 1;
  const moved = dim === last || x.ndim === 0 ? x : transpose(x, dim, last);
  const c = contiguous(moved);
  const inner = x.ndim === 0 ? 1 : x.shape[dim]!;
  const out = kernel(c, inner === 0 ? 0 : c.numel() / inner, inner);
  return dim === last || x.ndim === 0 ? out : transpose(out, dim, last);
}

function softmaxImpl(op: "softmax" | "logSoftmax", input: Tensor, dim: number): Tensor {
  requireFloating(op, input);
  const d = normalizeDim(op, dim, input.ndim);
  const log = op === "logSoftmax";
  const raw = (x: Tensor) =>
    alongDim(x, d, (c, outer, inner) => {
      const out = resultTensor(c.shape, c.dtype);
      backend().softmax(c.storage.data.subarray(c.offset), outer, inner, out.storage.data, log);
      return out;
    });
  const grad = (y: Tensor, g: Tensor) =>
    alongDim(y, d, (yc, outer, inner) => {
      const gc = contiguous(d === y.ndim - 1 || y.ndim === 0 ? g : transpose(g, d, y.ndim - 1));
      const out = resultTensor(yc.shape, yc.dtype);
      backend().softmaxBackward(
        yc.storage.data.subarray(yc.offset),
        gc.storage.data.subarray(gc.offset),
        outer,
        inner,
        out.storage.data,
        log,
      );
      return out;
    });
  // Computed on a detached view so that the fused kernel's result is one node, not many.
  const out = raw(input.detach());
  // softmax: gx = y(gy − Σ gy·y);  log_softmax: gx = gy − softmax(x)·Σ gy. A recorded backward
  // (createGraph) writes the same with ops, whose gradient reaches the input through `out`.
  const differentiableGrad = (g: Tensor) =>
    log ? sub(g, mul(exp(out), sum(g, d, { keepdim: true }))) : mul(out, sub(g, sum(mul(g, out), d, { keepdim: true })));
  return recordOp(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", out, [input], (g) => [
    isGradEnabled() ? differentiableGrad(g) : grad(out, g),
  ], [out]);
}

/** exp(xᵢ) / Σⱼ exp(xⱼ) along `dim`. */
export function softmax(x: Tensor, dim: number): Tensor {
  return softmaxImpl("softmax", x, dim);
}

/** xᵢ − log Σⱼ exp(xⱼ) along `dim`, without forming exp(x). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return softmaxImpl("logSoftmax", x, dim);
}
