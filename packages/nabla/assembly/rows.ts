// What the row reductions and the softmaxes (reduce.ts, softmax.ts) share: a row's sum and its
// largest or smallest value, written once over T = f32 or f64 (lanes.ts).
import { lanesOf, shiftOf } from "./lanes";

/** The sum of a v128's two float64 lanes. */
// @ts-ignore: decorator
@inline export function hsum(a: v128): f64 {
  return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}

/**
 * Σ of n values of T at p, accumulated in float64 (float32's as the JS reference does, so the two
 * agree to rounding) four at a time in two f64x2 accumulators, which reorders the additions.
 */
// @ts-ignore: decorator
@inline export function rowSumOf<T>(p: usize, n: i32): f64 {
  const S = shiftOf<T>();
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = p + (<usize>i << S);
    if (sizeof<T>() == 4) {
      // values 0-1 and 2-3 of one f32x4, widened
      const v = v128.load(q);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
    } else {
      lo = f64x2.add(lo, v128.load(q));
      hi = f64x2.add(hi, v128.load(q, 16));
    }
  }
  let s = hsum(f64x2.add(lo, hi));
  for (; i < n; i++) s += <f64>load<T>(p + (<usize>i << S));
  return s;
}

/**
 * The largest (isMax) or smallest of n ≥ 1 values of T at p; NaN anywhere gives NaN (max and min
 * propagate it). The ragged end goes in splatted, one value at a time. Float32's four lanes then
 * fold in two vector steps, float64's two lanes in one scalar max or min: each as its kernel had
 * it, since the vector and the scalar instruction return NaNs of different signs.
 */
// @ts-ignore: decorator
@inline export function rowExtremeOf<T>(p: usize, n: i32, isMax: bool): T {
  const L = <i32>lanesOf<T>();
  const S = shiftOf<T>();
  let m = v128.splat<T>(isMax ? <T>-Infinity : <T>Infinity);
  let i = 0;
  if (isMax) {
    for (; i + L <= n; i += L) m = v128.max<T>(m, v128.load(p + (<usize>i << S)));
    for (; i < n; i++) m = v128.max<T>(m, v128.load_splat<T>(p + (<usize>i << S)));
  } else {
    for (; i + L <= n; i += L) m = v128.min<T>(m, v128.load(p + (<usize>i << S)));
    for (; i < n; i++) m = v128.min<T>(m, v128.load_splat<T>(p + (<usize>i << S)));
  }
  if (L == 4) {
    const halves = v128.shuffle<f32>(m, m, 2, 3, 0, 1);
    const m2 = isMax ? v128.max<T>(m, halves) : v128.min<T>(m, halves);
    const pairs = v128.shuffle<f32>(m2, m2, 1, 0, 3, 2);
    return v128.extract_lane<T>(isMax ? v128.max<T>(m2, pairs) : v128.min<T>(m2, pairs), 0);
  }
  const a = v128.extract_lane<T>(m, 0);
  const b = v128.extract_lane<T>(m, 1);
  return isMax ? max<T>(a, b) : min<T>(a, b);
}
