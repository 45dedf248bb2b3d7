// Row reductions and softmax over contiguous [outer, inner] float64 blocks (the float32 ones are
// in reduce.ts). The JS backend (src/backend/js/reduce.ts) is the reference: prod and
// logsumexp's sum run in its order, so they agree with it to the ulp of each exp; sums and
// softmax's denominators run in two f64x2 accumulators, which reorders the additions.

// @ts-ignore: decorator
@inline function hsum(a: v128): f64 {
  return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}

/** Σ of n doubles at p, four at a time in two vector accumulators. */
// @ts-ignore: decorator
@inline function rowSum(p: usize, n: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = p + (<usize>i << 3);
    lo = f64x2.add(lo, v128.load(q));
    hi = f64x2.add(hi, v128.load(q, 16));
  }
  let s = hsum(f64x2.add(lo, hi));
  for (; i < n; i++) s += load<f64>(p + (<usize>i << 3));
  return s;
}

/** The largest (isMax) or smallest of n ≥ 1 doubles; NaN anywhere gives NaN (f64x2.max/min propagate it). */
// @ts-ignore: decorator
@inline function rowExtreme(p: usize, n: i32, isMax: bool): f64 {
  let m = f64x2.splat(isMax ? -Infinity : Infinity);
  let i = 0;
  if (isMax) {
    for (; i + 2 <= n; i += 2) m = f64x2.max(m, v128.load(p + (<usize>i << 3)));
    if (i < n) m = f64x2.max(m, v128.load64_splat(p + (<usize>i << 3)));
  } else {
    for (; i + 2 <= n; i += 2) m = f64x2.min(m, v128.load(p + (<usize>i << 3)));
    if (i < n) m = f64x2.min(m, v128.load64_splat(p + (<usize>i << 3)));
  }
  const a = f64x2.extract_lane(m, 0);
  const b = f64x2.extract_lane(m, 1);
  return isMax ? max(a, b) : min(a, b);
}

/** out[o] = Σ x[o, :]. */
export function sumRows64(x: usize, outer: i32, inner: i32, out: usize): void {
  for (let o = 0; o < outer; o++) store<f64>(out + (<usize>o << 3), rowSum(x + <usize>o * <usize>inner * 8, inner));
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

/** out[o] = max (isMax = 1) or min x[o, :], inner ≥ 1. */
export function extremeRows64(x: usize, outer: i32, inner: i32, out: usize, isMax: i32): void {
  for (let o = 0; o < outer; o++) {
    store<f64>(out + (<usize>o << 3), rowExtreme(x + <usize>o * <usize>inner * 8, inner, isMax != 0));
  }
}

/** out[o] = m + log Σ e^(x − m) with m the row's max; a row whose max is ±inf or NaN gives that max. */
export function logsumexpRows64(x: usize, outer: i32, inner: i32, out: usize): void {
  for (let o = 0; o < outer; o++) {
    const row = x + <usize>o * <usize>inner * 8;
    const m = rowExtreme(row, inner, true);
    let r = m;
    if (isFinite(m)) {
      let s: f64 = 0;
      for (let i = 0; i < inner; i++) s += Math.exp(load<f64>(row + (<usize>i << 3)) - m);
      r = m + Math.log(s);
    }
    store<f64>(out + (<usize>o << 3), r);
  }
}

/**
 * values[o], indices[o] = the largest (isMax) or smallest element of row o and its first index;
 * a NaN wins at once, as in PyTorch.
 */
export function argRows64(x: usize, outer: i32, inner: i32, values: usize, indices: usize, isMax: i32): void {
  for (let o = 0; o < outer; o++) {
    const row = x + <usize>o * <usize>inner * 8;
    let best = load<f64>(row);
    let at = 0;
    for (let i = 1; i < inner && best == best; i++) {
      const v = load<f64>(row + (<usize>i << 3));
      if (v != v || (isMax ? v > best : v < best)) {
        best = v;
        at = i;
      }
    }
    store<f64>(values + (<usize>o << 3), best);
    store<i32>(indices + (<usize>o << 2), at);
  }
}

/**
 * Softmax (log = 0) or log-softmax (log = 1) of each row, as the reference in src/ops/softmax.ts
 * computes it: m = the row max (0 for a row of −inf), e = e^(x − m), then e / Σe or (x − m) − log Σe.
 */
export function softmax64(x: usize, outer: i32, inner: i32, out: usize, log: i32): void {
  for (let o = 0; o < outer; o++) {
    const off = <usize>o * <usize>inner * 8;
    const px = x + off;
    const po = out + off;
    let m = rowExtreme(px, inner, true);
    if (m == -Infinity) m = 0;
    // e^(x − m) lane by lane (no f64 SIMD exp), then summed as sums are
    for (let i = 0; i < inner; i++) store<f64>(po + (<usize>i << 3), Math.exp(load<f64>(px + (<usize>i << 3)) - m));
    const s = rowSum(po, inner);
    let i = 0;
    if (log) {
      const vm = f64x2.splat(m);
      const vl = f64x2.splat(Math.log(s));
      for (; i + 2 <= inner; i += 2) {
        const q = <usize>i << 3;
        v128.store(po + q, f64x2.sub(f64x2.sub(v128.load(px + q), vm), vl));
      }
      if (i < inner) store<f64>(po + (<usize>i << 3), load<f64>(px + (<usize>i << 3)) - m - Math.log(s));
    } else {
      const vs = f64x2.splat(s);
      for (; i + 2 <= inner; i += 2) {
        const q = <usize>i << 3;
        v128.store(po + q, f64x2.div(v128.load(po + q), vs));
      }
      if (i < inner) store<f64>(po + (<usize>i << 3), load<f64>(po + (<usize>i << 3)) / s);
    }
  }
}
