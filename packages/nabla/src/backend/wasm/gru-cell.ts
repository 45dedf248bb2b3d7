/**
 * The fused GRU step and its backward in wasm (assembly/lstm.ts), as wasm/lstm-cell.ts runs the
 * LSTM's: float32 or float64 arrays all of one type, staged where they lie outside wasm memory;
 * mixed types run the plain loops of js/gru-cell.ts.
 */
import type { GruCellArgs, GruCellBackwardArgs } from "../backend.js";
import { gruCell as loopGruCell, gruCellBackward as loopGruCellBackward } from "../js/gru-cell.js";
import { kernels } from "./instance.js";
import { Scratch } from "./operands.js";
import { address, widthOf } from "./lstm-cell.js";

export function gruCell(a: GruCellArgs): boolean {
  const width = widthOf(a.xw, a.hw, a.bias, a.h, a.out, a.gates);
  if (width === 0) return loopGruCell(a);
  const scratch = new Scratch();
  try {
    const out = scratch.output(a.out as Float32Array | Float64Array);
    const gates = scratch.output(a.gates as Float32Array | Float64Array);
    (width === 8 ? kernels.gruCell64 : kernels.gruCell)(
      address(scratch, a.xw), address(scratch, a.hw), a.bias === null ? 0 : address(scratch, a.bias), address(scratch, a.h),
      a.rows, a.hidden, out.ptr, gates.ptr,
    );
    out.done();
    gates.done();
  } finally {
    scratch.release();
  }
  return true;
}

export function gruCellBackward(a: GruCellBackwardArgs): boolean {
  const width = widthOf(a.gates, a.h, a.grad, a.gradXw, a.gradHw, a.gradH);
  if (width === 0) return loopGruCellBackward(a);
  const scratch = new Scratch();
  try {
    const [gx, gh, gH] = [a.gradXw, a.gradHw, a.gradH].map((o) => scratch.output(o as Float32Array | Float64Array)) as [ReturnType<Scratch["output"]>, ReturnType<Scratch["output"]>, ReturnType<Scratch["output"]>];
    (width === 8 ? kernels.gruCellBackward64 : kernels.gruCellBackward)(
      address(scratch, a.gates), address(scratch, a.h), address(scratch, a.grad), a.rows, a.hidden, gx.ptr, gh.ptr, gH.ptr,
    );
    gx.done();
    gh.done();
    gH.done();
  } finally {
    scratch.release();
  }
  return true;
}
