/**
 * The fused LSTM step and its backward in wasm (assembly/lstm.ts), for float32 or float64 arrays
 * all of one type; arrays outside wasm memory (a small bias stays on the JS heap) are staged in
 * scratch. Mixed types run the plain loops of js/lstm-cell.ts. The step is a few thousand values at
 * a recurrent net's sizes: one thread.
 */
import type { LstmCellArgs, LstmCellBackwardArgs } from "../backend.js";
import { lstmCell as loopLstmCell, lstmCellBackward as loopLstmCellBackward } from "../js/lstm-cell.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { kernels } from "./instance.js";
import { Scratch } from "./operands.js";

/** 4 or 8 where every array (null: absent) is float32 or float64 alike, else 0. */
export function widthOf(...arrays: (TypedArray | null)[]): 0 | 4 | 8 {
  const present = arrays.filter((a): a is TypedArray => a !== null);
  if (present.every((a) => a instanceof Float32Array)) return 4;
  if (present.every((a) => a instanceof Float64Array)) return 8;
  return 0;
}

/** The address of a whole array in wasm memory (staged into `scratch` when it is elsewhere). */
export function address(scratch: Scratch, a: TypedArray): number {
  return scratch.input({ data: a, shape: [a.length], strides: [1], offset: 0 }).ptr;
}

export function lstmCell(a: LstmCellArgs): boolean {
  const width = widthOf(a.xw, a.hw, a.bias, a.c, a.out, a.gates);
  if (width === 0) return loopLstmCell(a);
  const scratch = new Scratch();
  try {
    const out = scratch.output(a.out as Float32Array | Float64Array);
    const gates = scratch.output(a.gates as Float32Array | Float64Array);
    (width === 8 ? kernels.lstmCell64 : kernels.lstmCell)(
      address(scratch, a.xw), address(scratch, a.hw), a.bias === null ? 0 : address(scratch, a.bias), address(scratch, a.c),
      a.rows, a.hidden, out.ptr, gates.ptr,
    );
    out.done();
    gates.done();
  } finally {
    scratch.release();
  }
  return true;
}

export function lstmCellBackward(a: LstmCellBackwardArgs): boolean {
  const width = widthOf(a.gates, a.c, a.grad, a.gradGates, a.gradC);
  if (width === 0) return loopLstmCellBackward(a);
  const scratch = new Scratch();
  try {
    const gradGates = scratch.output(a.gradGates as Float32Array | Float64Array);
    const gradC = scratch.output(a.gradC as Float32Array | Float64Array);
    (width === 8 ? kernels.lstmCellBackward64 : kernels.lstmCellBackward)(
      address(scratch, a.gates), address(scratch, a.c), address(scratch, a.grad), a.rows, a.hidden, gradGates.ptr, gradC.ptr,
    );
    gradGates.done();
    gradC.done();
  } finally {
    scratch.release();
  }
  return true;
}
