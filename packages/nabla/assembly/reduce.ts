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

/** The row kernels a rows job (rowsShared) runs, by the code at its byte 12. */
const ROWS_SUM = 0;
const ROWS_MAX = 1;
const ROWS_SUM64 = 2;
const ROWS_PROD64 = 3;
const ROWS_LOGSUMEXP64 = 4;
const ROWS_MAX64 = 5;
const ROWS_MIN64 = 6;

/**
 * A thread's share of a row-reduction job (written by src/backend/wasm/pool.ts: rowsThreaded):
 * chunks of whole rows, each reduced as the one-thread kernel reduces it, so the results do not
 * depend on how the rows were split. Job ints (byte offset): 0 counter, 4 chunks, 8 rows a chunk,
 * 12 the kernel (ROWS_*), 16 x, 20 outer, 24 inner, 28 out, (60 the job's kind).
 */
export function rowsShared(job: usize): void {
  const chunks = load<i32>(job, 4), size = load<i32>(job, 8);
  const which = load<i32>(job, 12);
  const x = <usize>load<u32>(job, 16);
  const outer = load<i32>(job, 20), inner = load<i32>(job, 24);
  const out = <usize>load<u32>(job, 28);
  const wide = which >= ROWS_SUM64;
  const shift: usize = wide ? 3 : 2;
  for (;;) {
    const i = atomic.add<i32>(job, 1);
    if (i >= chunks) return;
    const o0 = i * size;
    const rows = min(size, outer - o0);
    const from = x + ((<usize>o0 * <usize>inner) << shift);
    const to = out + (<usize>o0 << shift);
    if (which == ROWS_SUM) sumRows(from, rows, inner, to);
    else if (which == ROWS_MAX) maxRows(from, rows, inner, to);
    else if (which == ROWS_SUM64) sumRows64(from, rows, inner, to);
    else if (which == ROWS_PROD64) prodRows64(from, rows, inner, to);
    else if (which == ROWS_LOGSUMEXP64) logsumexpRows64(from, rows, inner, to);
    else extremeRows64(from, rows, inner, to, which == ROWS_MAX64 ? 1 : 0);
  }
}
