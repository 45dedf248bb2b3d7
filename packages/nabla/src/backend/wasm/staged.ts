/**
 * Running a wasm kernel over whole arrays that may lie outside wasm memory (a small bias stays on
 * the JS heap): inputs are staged into scratch, outputs written there and copied back. The fused
 * recurrent cells (lstm-cell.ts, gru-cell.ts) take their arrays this way.
 */
import type { TypedArray } from "../../tensor/dtype.js";
import { Scratch } from "./operands.js";

/** 4 or 8 where every array (null: absent) is float32 or float64 alike, else 0. */
export function widthOf(...arrays: (TypedArray | null)[]): 0 | 4 | 8 {
  const present = arrays.filter((a): a is TypedArray => a !== null);
  if (present.every((a) => a instanceof Float32Array)) return 4;
  if (present.every((a) => a instanceof Float64Array)) return 8;
  return 0;
}

/**
 * Calls `kernel` with the addresses of `inputs` (0 for an absent one) and then of `outputs`,
 * staging what lies outside wasm memory; the outputs are copied back once it returns.
 */
export function runStaged(inputs: readonly (TypedArray | null)[], outputs: readonly TypedArray[], kernel: (inputs: number[], outputs: number[]) => void): void {
  const scratch = new Scratch();
  try {
    const staged = outputs.map((o) => scratch.output(o as Float32Array | Float64Array));
    const at = inputs.map((a) => (a === null ? 0 : scratch.input({ data: a, shape: [a.length], strides: [1], offset: 0 }).ptr));
    kernel(at, staged.map((o) => o.ptr));
    for (const o of staged) o.done();
  } finally {
    scratch.release();
  }
}
