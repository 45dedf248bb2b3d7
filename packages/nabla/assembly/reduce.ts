// Row reductions over contiguous [outer, inner] blocks of T = f32 or f64, written once over T
// (the shared pieces are in rows.ts); prod and logsumexp are float64's only. The JS backend
// (src/backend/js/reduce.ts) is the reference: prod and logsumexp's sum run in its order, so they
// agree with it to the ulp of each exp. Softmax is in softmax.ts.
import { rowExtremeOf, rowSumOf } from "./rows";
import { shiftOf } from "./lanes";

/** out[o] = Σ x[o, :] (rows.ts rowSumOf), rounded once to T. */
// @ts-ignore: decorator
@inline function sumRowsOf<T>(x: usize, outer: i32, inner: i32, out: usize): void {
  const S = shiftOf<T>();
  for (let o = 0; o < outer; o++) {
    store<T>(out + (<usize>o << S), <T>rowSumOf<T>(x + <usize>o * <usize>inner * sizeof<T>(), inner));
  }
}

/** out[o] = max (isMax) or min x[o, :], inner ≥ 1. */
// @ts-ignore: decorator
@inline function extremeRowsOf<T>(x: usize, outer: i32, inner: i32, out: usize, isMax: bool): void {
  const S = shiftOf<T>();
  for (let o = 0; o < outer; o++) {
    store<T>(out + (<usize>o << S), rowExtremeOf<T>(x + <usize>o * <usize>inner * sizeof<T>(), inner, isMax));
  }
}

/**
 * values[o], indices[o] = the largest (isMax) or smallest element of row o and its first index;
 * a NaN wins at once, as in PyTorch. Scalar: the rows this serves (pooling windows) are short.
 */
// @ts-ignore: decorator
@inline function argRowsOf<T>(x: usize, outer: i32, inner: i32, values: usize, indices: usize, isMax: i32): void {
  const S = shiftOf<T>();
  for (let o = 0; o < outer; o++) {
    const row = x + <usize>o * <usize>inner * sizeof<T>();
    let best = load<T>(row);
    let at = 0;
    for (let i = 1; i < inner && best == best; i++) {
      const v = load<T>(row + (<usize>i << S));
      if (v != v || (isMax ? v > best : v < best)) {
        best = v;
        at = i;
      }
    }
    store<T>(values + (<usize>o << S), best);
    store<i32>(indices + (<usize>o << 2), at);
  }
}

export function sumRows(x: usize, outer: i32, inner: i32, out: usize): void {
  sumRowsOf<f32>(x, outer, inner, out);
}

export function sumRows64(x: usize, outer: i32, inner: i32, out: usize): void {
  sumRowsOf<f64>(x, outer, inner, out);
}

/** float32 rows' max (their min runs in the JS kernels). */
export function maxRows(x: usize, outer: i32, inner: i32, out: usize): void {
  extremeRowsOf<f32>(x, outer, inner, out, true);
}

/** isMax = 1: max, 0: min. */
export function extremeRows64(x: usize, outer: i32, inner: i32, out: usize, isMax: i32): void {
  extremeRowsOf<f64>(x, outer, inner, out, isMax != 0);
}

export function argRows(x: usize, outer: i32, inner: i32, values: usize, indices: usize, isMax: i32): void {
  argRowsOf<f32>(x, outer, inner, values, indices, isMax);
}

export function argRows64(x: usize, outer: i32, inner: i32, values: usize, indices: usize, isMax: i32): void {
  argRowsOf<f64>(x, outer, inner, values, indices, isMax);
}

/** out[o] = Π x[o, :], multiplied in order (reordering could overflow where the reference does not). */
export function prodRows64(x: usize, outer: i32, inner: i32, out: usize): void {
  for (let o = 0; o < outer; o++) {
    const row = x + <usize>o * <usize>inner * 8;
    let p: f64 = 1;
    for (let i = 0; i < inner; i++) p *= load<f64>(row + (<usize>i << 3));
    store<f64>(out + (<usize>o << 3), p);
  }
}

/** out[o] = m + log Σ e^(x − m) with m the row's max; a row whose max is ±inf or NaN gives that max. */
export function logsumexpRows64(x: usize, outer: i32, inner: i32, out: usize): void {
  for (let o = 0; o < outer; o++) {
    const row = x + <usize>o * <usize>inner * 8;
    const m = rowExtremeOf<f64>(row, inner, true);
    let r = m;
    if (isFinite(m)) {
      let s: f64 = 0;
      for (let i = 0; i < inner; i++) s += Math.exp(load<f64>(row + (<usize>i << 3)) - m);
      r = m + Math.log(s);
    }
    store<f64>(out + (<usize>o << 3), r);
  }
}
