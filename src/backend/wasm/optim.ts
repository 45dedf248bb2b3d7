/** The fused Adam/AdamW step in wasm, for float32 buffers in wasm memory; anything else runs the JS loop. */
import type { AdamStepArgs } from "../backend.js";
import { jsBackend } from "../js/index.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { inHeap } from "./heap.js";
import { kernels } from "./instance.js";

const inWasm = (a: TypedArray | null): boolean => a === null || (a instanceof Float32Array && inHeap(a));

export function adamStep(a: AdamStepArgs): void {
  const { param, grad, expAvg, expAvgSq, maxExpAvgSq } = a;
  if (![param, grad, expAvg, expAvgSq, maxExpAvgSq].every(inWasm)) return jsBackend.adamStep(a);
  kernels.adamStep(
    param.byteOffset, grad.byteOffset, expAvg.byteOffset, expAvgSq.byteOffset, maxExpAvgSq?.byteOffset ?? 0, param.length,
    a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.eps,
    a.weightDecay, 1 - a.lr * a.weightDecay, a.decoupled ? 1 : 0, a.maximize ? 1 : 0,
    a.lr / (1 - a.beta1 ** a.step), Math.sqrt(1 - a.beta2 ** a.step),
  );
}
