/** Walking views as runs: merging dims that are contiguous together, then visiting each innermost run. */
import { numelOf } from "../../tensor/shape.js";
import { coalesce } from "../js/iterate.js";

export { coalesce };

/**
 * Calls run(outStart, offsets, length) for each innermost run of a coalesced shape, where
 * offsets[t] is view t's element offset; the output is contiguous.
 */
export function forEachRun(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  offsets: number[],
  run: (outStart: number, offsets: readonly number[], length: number) => void,
): void {
  const nd = shape.length;
  if (nd === 0) {
    run(0, offsets, 1);
    return;
  }
  const length = shape[nd - 1]!;
  const total = numelOf(shape);
  const counter = new Array<number>(nd).fill(0);
  for (let start = 0; start < total; start += length) {
    run(start, offsets, length);
    for (let d = nd - 2; d >= 0; d--) {
      counter[d]!++;
      for (let t = 0; t < offsets.length; t++) offsets[t]! += strides[t]![d]!;
      if (counter[d]! < shape[d]!) break;
      for (let t = 0; t < offsets.length; t++) offsets[t]! -= strides[t]![d]! * shape[d]!;
      counter[d] = 0;
    }
  }
}
