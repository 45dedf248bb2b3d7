/**
 * The fused GRU step and its backward in wasm (assembly/rnn-cell.ts), as wasm/lstm-cell.ts runs the
 * LSTM's: float32 or float64 arrays all of one type, staged where they lie outside wasm memory;
 * mixed types run the plain loops of js/gru-cell.ts.
 */
import type { GruCellArgs, GruCellBackwardArgs } from "../backend.js";
import { gruCell as loopGruCell, gruCellBackward as loopGruCellBackward } from "../js/gru-cell.js";
import { kernels } from "./instance.js";
import { runStaged, widthOf } from "./staged.js";

export function gruCell(a: GruCellArgs): boolean {
  const width = widthOf(a.xw, a.hw, a.bias, a.h, a.out, a.gates);
  if (width === 0) return loopGruCell(a);
  runStaged([a.xw, a.hw, a.bias, a.h], [a.out, a.gates], ([xw, hw, bias, h], [out, gates]) =>
    (width === 8 ? kernels.gruCell64 : kernels.gruCell)(xw!, hw!, bias!, h!, a.rows, a.hidden, out!, gates!),
  );
  return true;
}

export function gruCellBackward(a: GruCellBackwardArgs): boolean {
  const width = widthOf(a.gates, a.h, a.grad, a.gradXw, a.gradHw, a.gradH);
  if (width === 0) return loopGruCellBackward(a);
  runStaged([a.gates, a.h, a.grad], [a.gradXw, a.gradHw, a.gradH], ([gates, h, grad], [gx, gh, gH]) =>
    (width === 8 ? kernels.gruCellBackward64 : kernels.gruCellBackward)(gates!, h!, grad!, a.rows, a.hidden, gx!, gh!, gH!),
  );
  return true;
}
