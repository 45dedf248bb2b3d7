// Row reductions and softmax over contiguous [outer, inner] float32 blocks.
// Sums are accumulated in float64 (as the JS reference does) so the two agree to rounding.
import { expV } from "./simdmath";

// @ts-ignore: decorator
@inline function hsum64(a: v128): f64 {
  return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}

/** Σ of n floats at p, accumulated in float64. */
// @ts-ignore: decorator
@inline function rowSum(p: usize, n: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
  }
  let s = hsum64(f64x2.add(lo, hi));
  for (; i < n; i++) s += <f64>load<f32>(p + (<usize>i << 2));
  return s;
}

/** Largest of n ≥ 1 floats; NaN anywhere gives NaN (f32x4.max propagates it). */
// @ts-ignore: decorator
@inline function rowMax(p: usize, n: i32): f32 {
  let m = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) m = f32x4.max(m, v128.load(p + (<usize>i << 2)));
  for (; i < n; i++) m = f32x4.max(m, v128.load32_splat(p + (<usize>i << 2)));
  const m2 = f32x4.max(m, v128.shuffle<f32>(m, m, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.max(m2, v128.shuffle<f32>(m2, m2, 1, 0, 3, 2)), 0);
}

/** out[o] = Σ x[o, :]. */
export function sumRows(x: usize, outer: i32, inner: i32, out: usize): void {
  for (let o = 0; o < outer; o++) {
    store<f32>(out + (<usize>o << 2), <f32>rowSum(x + <usize>o * <usize>inner * 4, inner));
  }
}

/** out[o] = max x[o, :], inner ≥ 1. */
export function maxRows(x: usize, outer: i32, inner: i32, out: usize): void {
  for (let o = 0; o < outer; o++) {
    store<f32>(out + (<usize>o << 2), rowMax(x + <usize>o * <usize>inner * 4, inner));
  }
}

/** Softmax (log = 0) or log-softmax (log = 1) of each row. */
export function softmax(x: usize, outer: i32, inner: i32, out: usize, log: i32): void {
  for (let o = 0; o < outer; o++) {
    const off = <usize>o * <usize>inner * 4;
    const px = x + off;
    const po = out + off;
    let m = rowMax(px, inner);
    if (m == -Infinity) m = 0; // a row of -inf: avoid inf − inf in the shift only
    const vm = f32x4.splat(m);
    // e^(x − m) into out, summed in float64
    let lo = f64x2.splat(0);
    let hi = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const e = expV(f32x4.sub(v128.load(px + (<usize>i << 2)), vm));
      v128.store(po + (<usize>i << 2), e);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(e));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 0, 1)));
    }
    let s = hsum64(f64x2.add(lo, hi));
    for (; i < inner; i++) {
      const e = f32x4.extract_lane(expV(f32x4.sub(v128.load32_zero(px + (<usize>i << 2)), vm)), 0);
      store<f32>(po + (<usize>i << 2), e);
      s += <f64>e;
    }
    if (log) {
      // x − lse in float64, rounded once: lse is large next to the result when the row is spread out
      const lse = <f64>m + Math.log(s);
      const vl = f64x2.splat(lse);
      i = 0;
      for (; i + 4 <= inner; i += 4) {
        const v = v128.load(px + (<usize>i << 2));
        const lo = f32x4.demote_f64x2_zero(f64x2.sub(f64x2.promote_low_f32x4(v), vl));
        const hi = f32x4.demote_f64x2_zero(f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)), vl));
        v128.store(po + (<usize>i << 2), v128.shuffle<f32>(lo, hi, 0, 1, 4, 5));
      }
      for (; i < inner; i++) store<f32>(po + (<usize>i << 2), <f32>(<f64>load<f32>(px + (<usize>i << 2)) - lse));
    } else {
      const vs = f32x4.splat(<f32>s);
      i = 0;
      for (; i + 4 <= inner; i += 4) v128.store(po + (<usize>i << 2), f32x4.div(v128.load(po + (<usize>i << 2)), vs));
      for (; i < inner; i++) store<f32>(po + (<usize>i << 2), load<f32>(po + (<usize>i << 2)) / <f32>s);
    }
  }
}

/**
 * values[o], indices[o] = the largest (isMax) or smallest element of row o and its first index;
 * a NaN wins at once, as in PyTorch. Scalar: the rows this serves (pooling windows) are short.
 */
export function argRows(x: usize, outer: i32, inner: i32, values: usize, indices: usize, isMax: i32): void {
  for (let o = 0; o < outer; o++) {
    const row = x + <usize>o * <usize>inner * 4;
    let best = load<f32>(row);
    let at = 0;
    for (let i = 1; i < inner && best == best; i++) {
      const v = load<f32>(row + (<usize>i << 2));
      if (v != v || (isMax ? v > best : v < best)) {
        best = v;
        at = i;
      }
    }
    store<f32>(values + (<usize>o << 2), best);
    store<i32>(indices + (<usize>o << 2), at);
  }
}
