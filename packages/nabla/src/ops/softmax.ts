/**
 * softmax and log-softmax along a dim. The reference is written in ops, shifted by the row maximum
 * so that it stays exact at ±100 (as PyTorch computes it: (x − m) − log Σ e^(x − m)); a backend
 * may offer the forward as one fused kernel (`fused.softmax`), which the tests hold to the
 * reference. The gradient is written once, in differentiable ops, and serves both:
 * softmax: gx = y·(g − Σ g·y);  log-softmax: gx = g − e^y·Σ g.
 */
import { backend } from "../backend/backend.js";
import { webgpuContext } from "../backend/device.js";
import { recordOp } from "../autograd/node.js";
import { noGrad } from "../autograd/grad-mode.js";
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { div, eq, mul, where } from "./elementwise.js";
import { requireFloating, resultTensor } from "./helpers.js";
import { callPointwise } from "./pointwise/call.js";
import { logSoftmaxBackward, shiftedExp, shiftedLogRatio, softmaxBackward } from "./pointwise/declarations/activations.js";
import { max, sum } from "./reduce.js";
import { clone, contiguous, transpose } from "./shape.js";
import { describe, isPlainObject } from "./options.js";

/** The forward without a graph: the backend's fused kernel where it has one, else the reference. */
function forward(x: Tensor, dim: number, log: boolean): Tensor {
  if (x.storage.device !== "cpu") return gpuForward(x, dim, log);
  const fused = backend().fused?.softmax;
  if (fused !== undefined && x.numel() > 0) {
    const last = x.ndim - 1;
    const moved = dim === last || x.ndim === 0 ? x : transpose(x, dim, last);
    const c = contiguous(moved);
    const inner = x.ndim === 0 ? 1 : x.shape[dim]!;
    const out = resultTensor(c.shape, c.dtype);
    if (fused(c.storage.data.subarray(c.offset), c.numel() / inner, inner, out.storage.data, log)) {
      return dim === last || x.ndim === 0 ? out : transpose(out, dim, last);
    }
  }
  return softmaxReference(x, dim, log);
}

/** The forward on the webgpu device: its fused kernel over the rows of a contiguous copy with `dim` last. */
function gpuForward(x: Tensor, dim: number, log: boolean): Tensor {
  const last = x.ndim - 1;
  const moved = dim === last || x.ndim === 0 ? x : transpose(x, dim, last);
  // the kernel reads its rows from the buffer's start
  const c = moved.isContiguous() && moved.offset === 0 ? moved : clone(moved);
  const inner = x.ndim === 0 ? 1 : x.shape[dim]!;
  const out = resultTensor(c.shape, c.dtype, log ? "logSoftmax" : "softmax", "webgpu");
  if (x.numel() > 0) webgpuContext("softmax").softmax(c.storage.gpu, c.numel() / inner, inner, out.storage.gpu, log);
  return dim === last || x.ndim === 0 ? out : transpose(out, dim, last);
}

/** The reference: m = max along dim (a row of −inf shifted by 0, never inf − inf), e = e^(x − m), then e/Σe or (x − m) − log Σe. */
export function softmaxReference(x: Tensor, dim: number, log: boolean): Tensor {
  return noGrad(() => {
    const top = x.ndim === 0 ? x : max(x, dim, { keepdim: true }).values;
    const m = where(eq(top, -Infinity), 0, top);
    const e = callPointwise(shiftedExp, [x, m]);
    const s = x.ndim === 0 ? e : sum(e, dim, { keepdim: true });
    return log ? callPointwise(shiftedLogRatio, [x, m, s]) : div(e, s);
  });
}

function softmaxOp(op: "softmax" | "logSoftmax", input: Tensor, dim: number): Tensor {
  if (typeof dim !== "number") {
    const hint = isPlainObject(dim) ? ` (pass the dim itself: ${op}(x, 1), x.${op}(1))` : "";
    throw new TypeError(`${op}: expected dim to be an integer, got ${describe(dim)}${hint}`);
  }
  requireFloating(op, input);
  const d = normalizeDim(op, dim, input.ndim);
  const log = op === "logSoftmax";
  const out = forward(input.detach(), d, log);
  const rowSum = (t: Tensor) => (input.ndim === 0 ? t : sum(t, d, { keepdim: true }));
  return recordOp(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", out, [input], (g) => [
    log ? callPointwise(logSoftmaxBackward, [g, out, rowSum(g)]) : callPointwise(softmaxBackward, [g, out, rowSum(mul(g, out))]),
  ], [out]);
}

/** exp(xᵢ) / Σⱼ exp(xⱼ) along `dim`. */
export function softmax(x: Tensor, dim: number): Tensor {
  return softmaxOp("softmax", x, dim);
}

/** xᵢ − log Σⱼ exp(xⱼ) along `dim`, without forming exp(x). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return softmaxOp("logSoftmax", x, dim);
}
