/** Pointwise kernels in wasm (temporarily the JS ones while the generated kernels land). */
import type { StridedView } from "../backend.js";
import { jsBackend } from "../js/index.js";
import type { TypedArray } from "../../tensor/dtype.js";
import type { Kernel } from "../../ops/pointwise/plan.js";

/** Below this many elements the JS loop wins: a wasm call and its set-up cost more than the work. */
export const MIN_ELEMENTS = 64;

export function pointwise(kernel: Kernel, inputs: readonly StridedView[], out: TypedArray, params: readonly number[]): void {
  jsBackend.pointwise(kernel, inputs, out, params);
}
