// Softmax and log-softmax of each row of contiguous [outer, inner] blocks, one kernel per float
// type, as their roundings differ: float32's takes a vector exp (simdmath.ts) and sums in float64;
// float64's takes Math.exp lane by lane, in the order of src/ops/softmax.ts. The row max and sum
// are rows.ts's.
import { expV } from "./simdmath";
import { hsum, rowExtremeOf, rowSumOf } from "./rows";

/** Softmax (log = 0) or log-softmax (log = 1) of each row. */
export function softmax(x: usize, outer: i32, inner: i32, out: usize, log: i32): void {
  for (let o = 0; o < outer; o++) {
    const off = <usize>o * <usize>inner * 4;
    const px = x + off;
    const po = out + off;
    let m = rowExtremeOf<f32>(px, inner, true);
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
    let s = hsum(f64x2.add(lo, hi));
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
 * Softmax (log = 0) or log-softmax (log = 1) of each row, as the reference in src/ops/softmax.ts
 * computes it: m = the row max (0 for a row of −inf), e = e^(x − m), then e / Σe or (x − m) − log Σe.
 */
export function softmax64(x: usize, outer: i32, inner: i32, out: usize, log: i32): void {
  for (let o = 0; o < outer; o++) {
    const off = <usize>o * <usize>inner * 8;
    const px = x + off;
    const po = out + off;
    let m = rowExtremeOf<f64>(px, inner, true);
    if (m == -Infinity) m = 0;
    // e^(x − m) lane by lane (no f64 SIMD exp), then summed as sums are
    for (let i = 0; i < inner; i++) store<f64>(po + (<usize>i << 3), Math.exp(load<f64>(px + (<usize>i << 3)) - m));
    const s = rowSumOf<f64>(po, inner);
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
