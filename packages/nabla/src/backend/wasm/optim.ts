/**
 * The fused Adam/AdamW, SGD and Adadelta steps the wasm backend offers (src/optim uses them where it may):
 * in wasm for float32 or float64 buffers in wasm memory (all of one type); anything else runs the
 * plain loop of js/optim-steps.ts. The float64 kernels do the loop's operations in its order, so they
 * give the same bits.
 */
import type { AdadeltaStepArgs, AdamStepArgs, SgdStepArgs } from "../backend.js";
import { adamStep as loopAdamStep, sgdStep as loopSgdStep } from "../js/optim-steps.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { inHeap } from "./heap.js";
import { kernels } from "./instance.js";
import { adamThreaded } from "./pool.js";

/** 4 or 8 where every buffer (null: absent) is float32 or float64 alike and in wasm memory, else 0. */
function wasmWidth(...arrays: (TypedArray | null)[]): 0 | 4 | 8 {
  const present = arrays.filter((a): a is TypedArray => a !== null);
  if (!present.every(inHeap)) return 0;
  if (present.every((a) => a instanceof Float32Array)) return 4;
  if (present.every((a) => a instanceof Float64Array)) return 8;
  return 0;
}

export function adamStep(a: AdamStepArgs): boolean {
  const { param, grad, expAvg, expAvgSq, maxExpAvgSq } = a;
  const width = wasmWidth(param, grad, expAvg, expAvgSq, maxExpAvgSq);
  if (width === 0) return loopAdamStep(a);
  adamThreaded(param.byteOffset, grad.byteOffset, expAvg.byteOffset, expAvgSq.byteOffset, maxExpAvgSq?.byteOffset ?? 0, param.length, {
    beta1: a.beta1,
    oneMinusBeta1: 1 - a.beta1,
    beta2: a.beta2,
    oneMinusBeta2: 1 - a.beta2,
    eps: a.eps,
    weightDecay: a.weightDecay,
    decay: 1 - a.lr * a.weightDecay,
    decoupled: a.decoupled ? 1 : 0,
    maximize: a.maximize ? 1 : 0,
    stepSize: a.lr / (1 - a.beta1 ** a.step),
    bc2: Math.sqrt(1 - a.beta2 ** a.step),
  }, width === 8);
  return true;
}

export function sgdStep(a: SgdStepArgs): boolean {
  const { param, grad, momentumBuffer } = a;
  const width = wasmWidth(param, grad, momentumBuffer);
  if (width === 0) return loopSgdStep(a);
  (width === 8 ? kernels.sgdStep64 : kernels.sgdStep)(
    param.byteOffset, grad.byteOffset, momentumBuffer?.byteOffset ?? 0, param.length,
    a.lr, a.momentum, 1 - a.dampening, a.weightDecay, a.nesterov ? 1 : 0, a.maximize ? 1 : 0, a.firstStep ? 1 : 0,
  );
  return true;
}

/** float32 buffers in wasm memory only: the kernel repeats the reference's float32 operations (no loop of its own elsewhere). */
export function adadeltaStep(a: AdadeltaStepArgs): boolean {
  const { param, grad, squareAvg, accDelta } = a;
  if (wasmWidth(param, grad, squareAvg, accDelta) !== 4) return false;
  kernels.adadeltaStep(
    param.byteOffset, grad.byteOffset, squareAvg.byteOffset, accDelta.byteOffset, param.length,
    a.lr, a.rho, 1 - a.rho, a.eps, a.weightDecay, a.maximize ? 1 : 0,
  );
  return true;
}
