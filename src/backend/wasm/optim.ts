/** The fused Adam/AdamW and SGD steps in wasm, for float32 buffers in wasm memory; anything else runs the JS loop. */
import type { AdamStepArgs, SgdStepArgs } from "../backend.js";
import { adamStep as jsAdamStep, sgdStep as jsSgdStep } from "../js/optim.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { inHeap } from "./heap.js";
import { kernels } from "./instance.js";
import { adamThreaded } from "./pool.js";

const inWasm = (a: TypedArray | null): boolean => a === null || (a instanceof Float32Array && inHeap(a));

export function adamStep(a: AdamStepArgs): boolean {
  const { param, grad, expAvg, expAvgSq, maxExpAvgSq } = a;
  if (![param, grad, expAvg, expAvgSq, maxExpAvgSq].every(inWasm)) return jsAdamStep(a);
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
  });
  return true;
}

export function sgdStep(a: SgdStepArgs): boolean {
  const { param, grad, momentumBuffer } = a;
  if (![param, grad, momentumBuffer].every(inWasm)) return jsSgdStep(a);
  kernels.sgdStep(
    param.byteOffset, grad.byteOffset, momentumBuffer?.byteOffset ?? 0, param.length,
    a.lr, a.momentum, 1 - a.dampening, a.weightDecay, a.nesterov ? 1 : 0, a.maximize ? 1 : 0, a.firstStep ? 1 : 0,
  );
  return true;
}
