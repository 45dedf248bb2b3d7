/**
 * The fused Adam/AdamW and SGD steps for parameters on the webgpu device: the same kernels'
 * contract as the CPU backends' fused steps (src/backend/js/optim-steps.ts), run by the WebGPU
 * kernel layer over the parameter's, gradient's and state's buffers in place. Declines (false)
 * where a kernel cannot take the tensors as they are (not float32, or a parameter that is a view
 * into a larger buffer), and the rule's tensor-op reference then runs on the device instead.
 */
import { sameDevice, webgpuContext } from "../backend/device.js";
import type { GpuArray } from "../backend/webgpu/pool.js";
import type { Tensor } from "../tensor/tensor.js";
import { clone } from "../ops/shape.js";
import type { AdamState } from "./adam-update.js";
import type { AdamLikeOptions } from "./adam-update.js";
import type { SGDOptions } from "./sgd.js";

/** Whether t is float32 and fills its buffer from the start (what the step kernels walk). */
function whole(t: Tensor): boolean {
  return t.dtype === "float32" && t.isContiguous() && t.offset === 0;
}

/** The gradient's buffer from its start, copied first where it is a view elsewhere. */
function gradBuffer(grad: Tensor): GpuArray {
  return (whole(grad) ? grad : clone(grad.detach())).storage.gpu;
}

export function gpuSgdStep(theta: Tensor, grad: Tensor, momentumBuffer: Tensor | null, firstStep: boolean, o: SGDOptions): boolean {
  // state made before the parameters moved stays behind: refused with the device error
  sameDevice("SGD.step", momentumBuffer === null ? [theta, grad] : [theta, grad, momentumBuffer]);
  if (!whole(theta) || (momentumBuffer !== null && !whole(momentumBuffer))) return false;
  theta.storage.version++;
  webgpuContext("SGD.step").sgdStep({
    param: theta.storage.gpu,
    grad: gradBuffer(grad),
    momentumBuffer: momentumBuffer === null ? null : momentumBuffer.storage.gpu,
    firstStep,
    lr: o.lr,
    momentum: o.momentum,
    dampening: o.dampening,
    weightDecay: o.weightDecay,
    nesterov: o.nesterov,
    maximize: o.maximize,
    length: theta.numel(),
  });
  return true;
}

export function gpuAdamStep(theta: Tensor, grad: Tensor, state: AdamState, o: AdamLikeOptions, decoupled: boolean): boolean {
  const vMax = state.max_exp_avg_sq ?? null;
  sameDevice("Adam.step", [theta, grad, state.exp_avg, state.exp_avg_sq, ...(vMax ? [vMax] : [])]);
  if (![theta, state.exp_avg, state.exp_avg_sq, ...(vMax ? [vMax] : [])].every(whole)) return false;
  theta.storage.version++;
  webgpuContext("Adam.step").adamStep({
    param: theta.storage.gpu,
    grad: gradBuffer(grad),
    expAvg: state.exp_avg.storage.gpu,
    expAvgSq: state.exp_avg_sq.storage.gpu,
    maxExpAvgSq: vMax === null ? null : vMax.storage.gpu,
    lr: o.lr,
    beta1: o.betas[0],
    beta2: o.betas[1],
    eps: o.eps,
    weightDecay: o.weightDecay,
    decoupled,
    maximize: o.maximize,
    step: state.step,
    length: theta.numel(),
  });
  return true;
}
