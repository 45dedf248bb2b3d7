// Vector versions of exp, sigmoid, tanh, log and log1p for f64x2, within an ulp or two of the JS
// reference's Math functions (the float32 ones are in simdmath.ts): lane-by-lane calls to Math.exp,
// Math.tanh and Math.log were most of a float64 LSTM cell's or loss's elementwise time.
import { sigmoidFromExp } from "./simdmath";

// ln 2 split in two (fdlibm's): n·LN2_HI is exact for |n| < 2^20, so r = x − n·ln 2 keeps its bits
// @ts-ignore: decorator
@inline const LN2_HI: f64 = 6.93147180369123816490e-01;
// @ts-ignore: decorator
@inline const LN2_LO: f64 = 1.90821492927058770002e-10;
// @ts-ignore: decorator
@inline const LOG2E: f64 = 1.44269504088896338700e+00;

/** 2^n per lane for n (as f64x2 integers) in [−1022, 1023]. */
// @ts-ignore: decorator
@inline function pow2(n: v128): v128 {
  const k = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(n));
  return i64x2.shl(i64x2.add(k, i64x2.splat(1023)), 52);
}

/**
 * e^x per lane: x = n·ln 2 + r with |r| ≤ ln2/2, e^r by its Taylor series to r^13 (the next term
 * is below 2^-60 of the sum), scaled by 2^n in two halves so that subnormal results and
 * overflow to +inf come out right. NaN stays NaN, −inf gives 0.
 */
// @ts-ignore: decorator
@inline export function expV64(x: v128): v128 {
  // e^-746 rounds to 0 and e^710 to +inf: clamping keeps n within the two halves' range
  x = f64x2.pmin(f64x2.pmax(x, f64x2.splat(-746.0)), f64x2.splat(710.0)); // as expV's clamp (simdmath.ts)
  const n = f64x2.nearest(f64x2.mul(x, f64x2.splat(LOG2E)));
  let r = f64x2.sub(x, f64x2.mul(n, f64x2.splat(LN2_HI)));
  r = f64x2.sub(r, f64x2.mul(n, f64x2.splat(LN2_LO)));
  let p = f64x2.splat(1.0 / 6227020800.0); // 1/13!
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 479001600.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 39916800.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 3628800.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 362880.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 40320.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 5040.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 720.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 120.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 24.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 6.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  // 2^n as two normal factors: n is in [−1077, 1025]
  const n1 = f64x2.trunc(f64x2.mul(n, f64x2.splat(0.5)));
  const n2 = f64x2.sub(n, n1);
  return f64x2.mul(f64x2.mul(p, pow2(n1)), pow2(n2));
}

/** σ per lane (simdmath.ts sigmoidFromExp). */
// @ts-ignore: decorator
@inline export function sigmoidV64(x: v128): v128 {
  return sigmoidFromExp<f64>(x, expV64(f64x2.neg(f64x2.abs(x))));
}

/**
 * tanh, on |x| with x's sign put back: below 0.3 its Taylor series |x| + |x|·z·P(z), z = x², to
 * x^25 (the next term is below 2^-56 of the sum; tiny inputs exact), elsewhere 1 − 2/(e^2|x| + 1),
 * whose cancellation costs a few ulps at most there.
 */
// @ts-ignore: decorator
@inline export function tanhV64(x: v128): v128 {
  const ax = f64x2.abs(x);
  const z = f64x2.mul(x, x);
  // the coefficients of x^25 … x^3: 2^2n (2^2n − 1) B_2n / (2n)!
  let p = f64x2.splat(1.5918905069328964e-05);
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-3.927832388331683e-05));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(9.691537956929451e-05));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-2.3912911424355248e-04));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(5.90027440945586e-04));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-1.4558343870513183e-03));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(3.592128036572481e-03));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-8.863235529902197e-03));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(2.1869488536155203e-02));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-5.396825396825397e-02));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(1.3333333333333333e-01));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-3.3333333333333333e-01));
  const small = f64x2.add(ax, f64x2.mul(ax, f64x2.mul(z, p)));
  const e = expV64(f64x2.add(ax, ax));
  const big = f64x2.sub(f64x2.splat(1.0), f64x2.div(f64x2.splat(2.0), f64x2.add(e, f64x2.splat(1.0))));
  const t = v128.bitselect(small, big, f64x2.lt(ax, f64x2.splat(0.3)));
  return v128.or(t, v128.and(x, i64x2.splat(0x8000000000000000)));
}

/**
 * log(x) for positive normal and subnormal x, per lane: musl's (fdlibm's) log. x = 2^k·m with m
 * in [√½, √2), f = m − 1 (exact), s = f/(2 + f), log m = f − f²/2 + s·(f²/2 + R), R = s²·P(s²)
 * with fdlibm's Lg1…Lg7 (|error| < 2^-58.45), k·ln 2 added in two parts. What it gives for x ≤ 0,
 * +inf or NaN is for logSpecial64 to replace.
 */
// @ts-ignore: decorator
@inline function logCore64(x: v128): v128 {
  // subnormal x: scaled into the normal range by 2^54 first, k lowered to match
  const tiny = f64x2.lt(x, f64x2.splat(2.2250738585072014e-308));
  const xs = v128.bitselect(f64x2.mul(x, f64x2.splat(18014398509481984.0)), x, tiny);
  // with the bits of √½ (high word 0x3fe6a09e) taken off, the exponent field is k and the rest
  // m's mantissa (fdlibm's hx += 0x3ff00000 − 0x3fe6a09e on the high word; the low word is kept)
  const b = i64x2.sub(xs, i64x2.splat(0x3fe6a09e00000000));
  const kw = i64x2.sub(i64x2.shr_s(b, 52), v128.and(tiny, i64x2.splat(54)));
  // k fits in an i32: gather the low words of both lanes to convert them
  const k = f64x2.convert_low_i32x4_s(i32x4.shuffle(kw, kw, 0, 2, 0, 2));
  const m = i64x2.add(v128.and(b, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3fe6a09e00000000));
  const f = f64x2.sub(m, f64x2.splat(1.0));
  const hfsq = f64x2.mul(f64x2.splat(0.5), f64x2.mul(f, f));
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2.0), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  let t1 = f64x2.add(f64x2.splat(2.222219843214978396e-01), f64x2.mul(w, f64x2.splat(1.531383769920937332e-01)));
  t1 = f64x2.mul(w, f64x2.add(f64x2.splat(3.999999999940941908e-01), f64x2.mul(w, t1)));
  let t2 = f64x2.add(f64x2.splat(1.818357216161805012e-01), f64x2.mul(w, f64x2.splat(1.479819860511658591e-01)));
  t2 = f64x2.add(f64x2.splat(2.857142874366239149e-01), f64x2.mul(w, t2));
  t2 = f64x2.mul(z, f64x2.add(f64x2.splat(6.666666666666735130e-01), f64x2.mul(w, t2)));
  const r = f64x2.add(t2, t1);
  // s·(hfsq + R) + k·ln2_lo − hfsq + f + k·ln2_hi, in fdlibm's order
  let y = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, r)), f64x2.mul(k, f64x2.splat(LN2_LO)));
  y = f64x2.add(f64x2.sub(y, hfsq), f);
  return f64x2.add(y, f64x2.mul(k, f64x2.splat(LN2_HI)));
}

/** The logarithm's value where logCore64's does not hold: −inf at ±0, NaN below 0 and at NaN, +inf at +inf (as simdmath.ts logSpecial). */
// @ts-ignore: decorator
@inline function logSpecial64(x: v128, y: v128): v128 {
  const edge = v128.bitselect(f64x2.splat(-Infinity), f64x2.sqrt(x), f64x2.eq(x, f64x2.splat(0.0)));
  return v128.bitselect(y, edge, v128.and(f64x2.gt(x, f64x2.splat(0.0)), f64x2.lt(x, f64x2.splat(Infinity))));
}

/** log(x) per lane, within an ulp (musl's log). */
// @ts-ignore: decorator
@inline export function logV64(x: v128): v128 {
  return logSpecial64(x, logCore64(x));
}

/**
 * log(1 + x) per lane: log u of u = 1 + x rounded, plus the rounding's share (x − (u − 1))/u (as
 * musl's log1p corrects its reduced argument); exact for tiny x and ±0, −inf at −1, NaN below.
 * u − 1 is exact wherever the share matters (u < 2^53).
 */
// @ts-ignore: decorator
@inline export function log1pV64(x: v128): v128 {
  const u = f64x2.add(x, f64x2.splat(1.0));
  const c = f64x2.div(f64x2.sub(x, f64x2.sub(u, f64x2.splat(1.0))), u);
  const y = logSpecial64(u, f64x2.add(logCore64(u), c));
  // log1p(x) has x's sign: this keeps −0 at x = −0
  return v128.or(y, v128.and(x, i64x2.splat(0x8000000000000000)));
}
