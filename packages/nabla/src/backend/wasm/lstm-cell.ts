/**
 * The fused LSTM step and its backward in wasm (assembly/rnn-cell.ts), for float32 or float64 arrays
 * all of one type; arrays outside wasm memory (a small bias stays on the JS heap) are staged in
 * scratch. Mixed types run the plain loops of js/lstm-cell.ts. The step is a few thousand values at
 * a recurrent net's sizes: one thread.
 */
import type { LstmCellArgs, LstmCellBackwardArgs } from "../backend.js";
import { lstmCell as loopLstmCell, lstmCellBackward as loopLstmCellBackward } from "../js/lstm-cell.js";
import { kernels } from "./instance.js";
import { runStaged, widthOf } from "./staged.js";

export function lstmCell(a: LstmCellArgs): boolean {
  const width = widthOf(a.xw, a.hw, a.bias, a.c, a.out, a.gates);
  if (width === 0) return loopLstmCell(a);
  runStaged([a.xw, a.hw, a.bias, a.c], [a.out, a.gates], ([xw, hw, bias, c], [out, gates]) =>
    (width === 8 ? kernels.lstmCell64 : kernels.lstmCell)(xw!, hw!, bias!, c!, a.rows, a.hidden, out!, gates!),
  );
  return true;
}

export function lstmCellBackward(a: LstmCellBackwardArgs): boolean {
  const width = widthOf(a.gates, a.c, a.grad, a.gradGates, a.gradC);
  if (width === 0) return loopLstmCellBackward(a);
  runStaged([a.gates, a.c, a.grad], [a.gradGates, a.gradC], ([gates, c, grad], [gradGates, gradC]) =>
    (width === 8 ? kernels.lstmCellBackward64 : kernels.lstmCellBackward)(gates!, c!, grad!, a.rows, a.hidden, gradGates!, gradC!),
  );
  return true;
}
