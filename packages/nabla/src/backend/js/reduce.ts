/** Reductions and gather/scatter of the JS backend, over contiguous [outer, inner] blocks. */
import type { ArgReduceOp, ReduceOp } from "../backend.js";
import type { TypedArray } from "../../tensor/dtype.js";

export function reduce(op: ReduceOp, x: TypedArray, outer: number, inner: number, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    const base = o * inner;
    let acc: number;
    switch (op) {
      case "sum":
        acc = 0; // accumulated in float64, then rounded once into out
        for (let i = 0; i < inner; i++) acc += x[base + i]!;
        break;
      case "prod":
        acc = 1;
        for (let i = 0; i < inner; i++) acc *= x[base + i]!;
        break;
      case "max":
      case "min": {
        acc = op === "max" ? -Infinity : Infinity;
        for (let i = 0; i < inner; i++) {
          const v = x[base + i]!;
          if (v !== v) {
            acc = NaN;
            break;
          }
          if (op === "max" ? v > acc : v < acc) acc = v;
        }
        break;
      }
      case "logsumexp": {
        let m = -Infinity;
        for (let i = 0; i < inner; i++) m = Math.max(m, x[base + i]!);
        if (!Number.isFinite(m)) {
          acc = m; // all -inf gives -inf, any +inf gives +inf, NaN stays NaN
          break;
        }
        let s = 0;
        for (let i = 0; i < inner; i++) s += Math.exp(x[base + i]! - m);
        acc = m + Math.log(s);
        break;
      }
    }
    out[o] = acc;
  }
}

export function argReduce(
  op: ArgReduceOp,
  x: TypedArray,
  outer: number,
  inner: number,
  values: TypedArray,
  indices: Int32Array,
): void {
  const isMax = op === "max";
  for (let o = 0; o < outer; o++) {
    const base = o * inner;
    let best = x[base]!;
    let at = 0;
    for (let i = 1; i < inner && best === best; i++) {
      const v = x[base + i]!;
      if (v !== v || (isMax ? v > best : v < best)) {
        best = v;
        at = i;
      }
    }
    values[o] = best;
    indices[o] = at;
  }
}

export function gather(
  x: TypedArray,
  index: Int32Array,
  outer: number,
  inner: number,
  k: number,
  out: TypedArray,
): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) out[o * k + j] = x[o * inner + index[o * k + j]!]!;
  }
}

export function scatterAdd(
  src: TypedArray,
  index: Int32Array,
  outer: number,
  inner: number,
  k: number,
  out: TypedArray,
  zeroFirst = false,
): void {
  if (zeroFirst) out.fill(0, 0, outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) out[o * inner + index[o * k + j]!]! += src[o * k + j]!;
  }
}
