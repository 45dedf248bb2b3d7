// Vector versions of exp, expm1, log, log1p, erf, sigmoid and tanh for f32x4, accurate to an ulp or
// two, since WebAssembly SIMD has no transcendental instructions. Written for the baseline build
// (SSE-like: no fused multiply-add, no float-to-int conversion cheaper than trunc_sat's ~8
// instructions): integers come from the "magic number" rounding below, and the polynomials use
// maddOf (lanes.ts), one fused multiply-add in the relaxed build.
import { maddOf } from "./lanes";

// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// ln 2 split in two so that n·ln2 is subtracted without rounding error
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;
/**
 * 1.5·2^23: for |t| < 2^22, t + MAGIC rounds t to the nearest integer n (ties to even, as nearest)
 * and holds it in the low mantissa bits: the sum's bits are 0x4B400000 + n. Subtracting MAGIC
 * again gives n as a float; shifting the bits left by 23 drops 0x4B400000 and leaves n << 23.
 */
// @ts-ignore: decorator
@inline const MAGIC: f32 = 12582912.0;

/**
 * e^r − 1 − r over r² for |r| ≤ ln2/2: a degree-4 polynomial fitted for least maximum relative
 * error of 1 + r + r²·P(r) (3.6e-9 with these float32 coefficients, against Cephes' degree-5
 * P's 1.2e-8 with one step more).
 */
// @ts-ignore: decorator
@inline function expTail(r: v128): v128 {
  let p = f32x4.splat(1.381453825e-3);
  p = maddOf<f32>(p, r, f32x4.splat(8.368745446e-3));
  p = maddOf<f32>(p, r, f32x4.splat(4.166838899e-2));
  p = maddOf<f32>(p, r, f32x4.splat(1.666652113e-1));
  return maddOf<f32>(p, r, f32x4.splat(4.999999404e-1));
}

/** r = x − n·ln 2 in two steps (Cody–Waite), exact for the |n| ≤ 150 of float32. */
// @ts-ignore: decorator
@inline function reduced(x: v128, n: v128): v128 {
  const r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  return f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
}

/** e^x per lane; subnormal results are exact to rounding, overflow gives +inf, NaN stays NaN. */
// @ts-ignore: decorator
@inline export function expV(x: v128): v128 {
  // exp(-104) already rounds to 0 and exp(89) to +inf: clamping keeps 2^n representable. pmin
  // and pmax (one x86 instruction each, where min and max take ~8 to order NaN and ±0) keep a NaN
  // x as it is, and bounds that are not zero leave no ±0 tie: the same values as min and max.
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const j = maddOf<f32>(x, f32x4.splat(LOG2E), f32x4.splat(MAGIC));
  const n = f32x4.sub(j, f32x4.splat(MAGIC));
  const r = reduced(x, n);
  const p = maddOf<f32>(f32x4.mul(r, r), expTail(r), r);
  // 2^n as two factors 2^⌊n/2⌋ and 2^⌈n/2⌉, each a normal float, so that results down to 2^-150
  // come out right: from j's bits b = 0x4B400000 + n, b >> 1 = 0x25A00000 + ⌊n/2⌋ (the magic is
  // even) and b − (b >> 1) = 0x25A00000 + ⌈n/2⌉, whose 0x25A00000 the shift by 23 drops. A NaN x
  // gives any bits here, and NaN·anything is NaN.
  const h = i32x4.shr_u(j, 1);
  const bias = i32x4.splat(127);
  const f1 = i32x4.shl(i32x4.add(h, bias), 23);
  const f2 = i32x4.shl(i32x4.add(i32x4.sub(j, h), bias), 23);
  return f32x4.mul(f32x4.mul(f32x4.add(p, f32x4.splat(1.0)), f1), f2);
}

/**
 * e^x − 1 per lane, to an ulp or two, exact for tiny x (and −0), −1 from x = −17.5 down, +inf
 * where e^x overflows, NaN stays NaN: 2^n·q + (2^n − 1) with q = e^r − 1 = r + r²·P(r), which for
 * n = 0 is q itself.
 */
// @ts-ignore: decorator
@inline export function expm1V(x: v128): v128 {
  // e^-17.5 is below half an ulp of 1: the result rounds to −1 from there
  const c = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-17.5)), f32x4.splat(89.0));
  const j = maddOf<f32>(c, f32x4.splat(LOG2E), f32x4.splat(MAGIC));
  const n = f32x4.sub(j, f32x4.splat(MAGIC));
  const r = reduced(c, n);
  const q = maddOf<f32>(f32x4.mul(r, r), expTail(r), r);
  // 2^n for n ≤ 127; n = 128 (x in (88.38, 89]) is 2^127 and a doubling after
  const top = i32x4.splat(0x4B400000 + 127);
  const s = i32x4.shl(i32x4.add(i32x4.min_s(j, top), i32x4.splat(127)), 23);
  const m = maddOf<f32>(s, q, f32x4.sub(s, f32x4.splat(1.0)));
  const e = v128.bitselect(f32x4.add(m, m), m, i32x4.gt_s(j, top));
  // e^x − 1 has x's sign: this makes −0 of the +0 that 1·q + 0 gives at x = −0
  return v128.or(e, v128.and(x, i32x4.splat(0x80000000)));
}

/**
 * tanh per lane, within two ulps: e/(e + 2) with e = e^2|x| − 1 (as expm1V; |x| is clamped at
 * 10, where tanh already rounds to 1, so that e stays finite and 2^n normal), x's sign put back.
 * Exact for tiny x (e = 2|x|), ±0 kept, NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function tanhV(x: v128): v128 {
  const a = f32x4.pmin(f32x4.abs(x), f32x4.splat(10.0));
  const t = f32x4.add(a, a);
  const j = maddOf<f32>(t, f32x4.splat(LOG2E), f32x4.splat(MAGIC));
  const n = f32x4.sub(j, f32x4.splat(MAGIC));
  const r = reduced(t, n);
  const q = maddOf<f32>(f32x4.mul(r, r), expTail(r), r);
  const s = i32x4.shl(i32x4.add(j, i32x4.splat(127)), 23); // 2^n, n in [0, 29]
  const e = maddOf<f32>(s, q, f32x4.sub(s, f32x4.splat(1.0)));
  const y = f32x4.div(e, f32x4.add(e, f32x4.splat(2.0)));
  return v128.or(y, v128.and(x, i32x4.splat(0x80000000)));
}

/**
 * log(x) for x in the normal range, per lane (musl's logf, with a shorter fitted series): x = 2^k·m
 * with m in [√½, √2), f = m − 1, s = f/(2 + f), and log m = 2·atanh(s) written as
 * f − f²/2 + s·(f²/2 + R), R = s²·P(s²) with P of degree 2 (fitted: 8e-10 relative error in
 * atanh), so that f, exact, carries the result and the division's rounding only the small rest;
 * k·ln 2 added in two parts. What it gives for x ≤ 0, +inf or NaN is for logV to replace.
 */
// @ts-ignore: decorator
@inline function logCore(x: v128): v128 {
  // subnormal x: scaled into the normal range by 2^23 first, k lowered to match
  const tiny = f32x4.lt(x, f32x4.splat(1.17549435e-38));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608.0)), x, tiny);
  // with the bits of √½ taken off, the exponent field is k and the rest m's mantissa (musl's logf)
  const b = i32x4.sub(xs, i32x4.splat(0x3F3504F3));
  const k = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_s(b, 23), v128.and(tiny, i32x4.splat(23))));
  const m = i32x4.add(v128.and(b, i32x4.splat(0x007FFFFF)), i32x4.splat(0x3F3504F3));
  const f = f32x4.sub(m, f32x4.splat(1.0)); // exact: m is within a factor 2 of 1
  const s = f32x4.div(f, f32x4.add(f, f32x4.splat(2.0)));
  const z = f32x4.mul(s, s);
  let p = f32x4.splat(<f32>(2 * 1.493681520e-01));
  p = maddOf<f32>(p, z, f32x4.splat(<f32>(2 * 1.998874098e-01)));
  p = maddOf<f32>(p, z, f32x4.splat(<f32>(2 * 3.333338797e-01)));
  const hfsq = f32x4.mul(f32x4.mul(f, f), f32x4.splat(0.5));
  let y = maddOf<f32>(s, f32x4.add(hfsq, f32x4.mul(z, p)), f32x4.mul(k, f32x4.splat(LN2_LO)));
  y = f32x4.add(f32x4.sub(y, hfsq), f);
  return maddOf<f32>(k, f32x4.splat(LN2_HI), y);
}

/** The logarithm's value where logCore's does not hold: −inf at ±0, NaN below 0 and at NaN, +inf at +inf. */
// @ts-ignore: decorator
@inline function logSpecial(x: v128, y: v128): v128 {
  // √x is NaN below 0 and at NaN and +inf at +inf: log's values there (a √ measured faster than
  // or-ing NaN bits into the negative lanes and a second select)
  const edge = v128.bitselect(f32x4.splat(-Infinity), f32x4.sqrt(x), f32x4.eq(x, f32x4.splat(0.0)));
  return v128.bitselect(y, edge, v128.and(f32x4.gt(x, f32x4.splat(0.0)), f32x4.lt(x, f32x4.splat(Infinity))));
}

/** log(x) per lane, within an ulp. */
// @ts-ignore: decorator
@inline export function logV(x: v128): v128 {
  return logSpecial(x, logCore(x));
}

/**
 * log(1 + x) per lane, within an ulp or two: log u of u = 1 + x rounded, plus the rounding's
 * share (x − (u − 1))/u; exact for tiny x (log 1 = 0 plus x/1) and ±0, −inf at −1.
 */
// @ts-ignore: decorator
@inline export function log1pV(x: v128): v128 {
  const u = f32x4.add(x, f32x4.splat(1.0));
  const c = f32x4.div(f32x4.sub(x, f32x4.sub(u, f32x4.splat(1.0))), u);
  // u + c is log1p's value only where u is finite and above 0 (u = 0 or +inf make c NaN)
  const y = logSpecial(u, f32x4.add(logCore(u), c));
  // log1p(x) has x's sign: this keeps −0 at x = −0 (log 1 + c is +0 there)
  return v128.or(y, v128.and(x, i32x4.splat(0x80000000)));
}

/**
 * log(1 + e) for e in [0, 1] (the e^−|t| of softplus, mish and log-sigmoid: codegen.mjs picks it
 * for log1p of such an e), within two ulps: 2·atanh(s) with s = e/(2 + e) in [0, 1/3], as
 * t + t·w·Q(w), t = 2s = 2e/(2 + e), w = t², Q of degree 3 (fitted for 4.5e-9 relative error in
 * s² and rescaled by powers of 2 for t: the same roundings). Exact for tiny e (t = 2e/2, also
 * where e is subnormal), NaN stays NaN; no range reduction nor special values, a third of
 * log1pV's work.
 */
// @ts-ignore: decorator
@inline export function log1pUnitV(e: v128): v128 {
  const t = f32x4.div(f32x4.add(e, e), f32x4.add(e, f32x4.splat(2.0)));
  const w = f32x4.mul(t, t);
  let q = f32x4.splat(<f32>(1.400599927e-01 / 256));
  q = maddOf<f32>(q, w, f32x4.splat(<f32>(1.400090158e-01 / 64)));
  q = maddOf<f32>(q, w, f32x4.splat(<f32>(2.001076341e-01 / 16)));
  q = maddOf<f32>(q, w, f32x4.splat(<f32>(3.333320916e-01 / 4)));
  return maddOf<f32>(t, f32x4.mul(w, q), t);
}

/**
 * erf per lane, within 1.5 ulps (fitted for this file: least maximum relative error, then absolute
 * error of erfc, float32 coefficients): below |x| = 1 the odd series x + x·Q(x²), Q of degree 6
 * (erf(x)/x − 1, so the rounding of Q costs little); from 1 on 1 − e^(g(|x|) − x²) with g = log
 * erfc + x² of degree 6 on |x| clamped to [1, 4] (erf rounds to ±1 past 3.92), x's sign put back.
 * ±0 kept, NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function erfV(x: v128): v128 {
  const z = f32x4.mul(x, x);
  let q = f32x4.splat(7.853849820e-05);
  q = maddOf<f32>(q, z, f32x4.splat(-8.010190213e-04));
  q = maddOf<f32>(q, z, f32x4.splat(5.188327283e-03));
  q = maddOf<f32>(q, z, f32x4.splat(-2.685381100e-02));
  q = maddOf<f32>(q, z, f32x4.splat(1.128358543e-01));
  q = maddOf<f32>(q, z, f32x4.splat(-3.761262596e-01));
  q = maddOf<f32>(q, z, f32x4.splat(1.283791661e-01));
  const small = maddOf<f32>(x, q, x);
  const ax = f32x4.abs(x);
  const a = f32x4.pmin(f32x4.pmax(ax, f32x4.splat(1.0)), f32x4.splat(4.0));
  let g = f32x4.splat(1.855745359e-04);
  g = maddOf<f32>(g, a, f32x4.splat(-2.939612372e-03));
  g = maddOf<f32>(g, a, f32x4.splat(2.180533856e-02));
  g = maddOf<f32>(g, a, f32x4.splat(-1.030374095e-01));
  g = maddOf<f32>(g, a, f32x4.splat(3.617743850e-01));
  g = maddOf<f32>(g, a, f32x4.splat(-1.127040029e+00));
  g = maddOf<f32>(g, a, f32x4.splat(-3.537120065e-04));
  // erfc = e^t, t = g − a² in [−16.1, −1]: 2^n of n in [−24, −1] is one normal factor
  const t = f32x4.sub(g, f32x4.mul(a, a));
  const j = maddOf<f32>(t, f32x4.splat(LOG2E), f32x4.splat(MAGIC));
  const n = f32x4.sub(j, f32x4.splat(MAGIC));
  const r = reduced(t, n);
  const e = f32x4.add(maddOf<f32>(f32x4.mul(r, r), expTail(r), r), f32x4.splat(1.0));
  const erfc = f32x4.mul(e, i32x4.shl(i32x4.add(j, i32x4.splat(127)), 23));
  const big = v128.or(f32x4.sub(f32x4.splat(1.0), erfc), v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, big, f32x4.lt(ax, f32x4.splat(1.0)));
}

/**
 * σ(x) = 1 / (1 + e^-x) per lane of T (f32 or f64) from e = e^-|x|, so that nothing overflows (as
 * the JS reference): 1 / (1 + e) where x ≥ 0, e / (1 + e) below. The float64 σs (simdmath64.ts,
 * rnn-cell.ts) use it too, each with its own exp.
 */
// @ts-ignore: decorator
@inline export function sigmoidFromExp<T>(x: v128, e: v128): v128 {
  const s = v128.div<T>(v128.splat<T>(1.0), v128.add<T>(v128.splat<T>(1.0), e));
  return v128.bitselect(s, v128.mul<T>(e, s), v128.ge<T>(x, v128.splat<T>(0.0)));
}

/**
 * σ(x) = 1/(1 + e^−x) per lane, as PyTorch's float32 kernel computes it: where x < −88.7 e^−x
 * overflows and σ is 0, as PyTorch's (the true σ is below 2^−128 there). A quarter faster than
 * sigmoidFromExp's e^−|x| and select, which the float64 σs keep.
 */
// @ts-ignore: decorator
@inline export function sigmoidV(x: v128): v128 {
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), expV(f32x4.neg(x))));
}

// ---- GELU as PyTorch computes it in float32 (oneDNN's gelu_erf; src/ops/pointwise/gelu-erf.ts) ----

/** c + a·b rounded once, per f32 lane: relaxed SIMD's fused form, else exactly through float64. */
// @ts-ignore: decorator
@inline function fusedV(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<f32>(a, b, c);
  // a·b of two floats is exact in float64, so only a tie after the float64 sum could round apart
  const lo = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(a), f64x2.promote_low_f32x4(b)), f64x2.promote_low_f32x4(c));
  const ah = v128.shuffle<f32>(a, a, 2, 3, 2, 3);
  const bh = v128.shuffle<f32>(b, b, 2, 3, 2, 3);
  const ch = v128.shuffle<f32>(c, c, 2, 3, 2, 3);
  const hi = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(ah), f64x2.promote_low_f32x4(bh)), f64x2.promote_low_f32x4(ch));
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/**
 * oneDNN's float32 e^x for x ≤ 0 (NaN stays NaN): n = ⌊x·log2e + ½⌋, r = x − n·ln2 rounded once
 * (n·A and n·B of ln2 = A + B, A of 10 bits and B of 12, are exact, and x − n·A is by Sterbenz),
 * a degree-5 polynomial in r (its multiply-adds fused where relaxed SIMD fuses them), times 2^n;
 * 0 below ln FLT_MIN (n ≥ −126 keeps 2^n normal).
 */
// @ts-ignore: decorator
@inline function expOnednnV(x: v128): v128 {
  const lnMin = i32x4.splat(0xc2aeac50);
  const under = f32x4.lt(x, lnMin);
  x = f32x4.pmax(x, lnMin);
  const n = f32x4.floor(f32x4.add(f32x4.mul(x, i32x4.splat(0x3fb8aa3b)), f32x4.splat(0.5)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, i32x4.splat(0x3f318000))), f32x4.mul(n, f32x4.splat(-2.12192535400390625e-4)));
  let p = maddOf<f32>(i32x4.splat(0x3c07cfce), r, i32x4.splat(0x3d2b9d0d));
  p = maddOf<f32>(p, r, i32x4.splat(0x3e2aad40));
  p = maddOf<f32>(p, r, i32x4.splat(0x3efffee3));
  p = maddOf<f32>(p, r, i32x4.splat(0x3f7ffffb));
  p = maddOf<f32>(p, r, f32x4.splat(1.0));
  // 2^n from n + MAGIC's bits 0x4B400000 + n, whose shift by 23 drops the 0x4B400000
  const scale = i32x4.shl(i32x4.add(f32x4.add(n, f32x4.splat(MAGIC)), i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(p, scale), under);
}

/**
 * sign(u)·(1 + q·t·R(t)) of Abramowitz–Stegun 7.1.26, t = 1/(1 + 0.3275911·|u|), given
 * q = −e^(−u²): erf(u) as oneDNN has it. The last multiply-add is fused exactly (near u = 0 it
 * cancels to erf's few bits); R's may round twice where relaxed SIMD does not fuse.
 */
// @ts-ignore: decorator
@inline function erfOnednnV(u: v128, q: v128): v128 {
  const t = f32x4.div(f32x4.splat(1.0), maddOf<f32>(i32x4.splat(0x3ea7ba05), f32x4.abs(u), f32x4.splat(1.0)));
  let r = maddOf<f32>(i32x4.splat(0x3f87dc22), t, i32x4.splat(0xbfba00e3));
  r = maddOf<f32>(r, t, i32x4.splat(0x3fb5f0e3));
  r = maddOf<f32>(r, t, i32x4.splat(0xbe91a98e));
  r = maddOf<f32>(r, t, i32x4.splat(0x3e827906));
  const v = fusedV(f32x4.mul(q, t), r, f32x4.splat(1.0));
  return v128.xor(v, v128.and(u, i32x4.splat(0x80000000)));
}

/** PyTorch's float32 GELU per lane: S + S·erf(x/√2), S = x/2, the last step fused. */
// @ts-ignore: decorator
@inline export function geluErfV(x: v128): v128 {
  const u = f32x4.mul(x, i32x4.splat(0x3f3504f3));
  const s = f32x4.mul(x, f32x4.splat(0.5));
  const q = v128.xor(expOnednnV(v128.xor(f32x4.mul(u, u), i32x4.splat(0x80000000))), i32x4.splat(0x80000000));
  return fusedV(erfOnednnV(u, q), s, s);
}

/** PyTorch's float32 GELU derivative per lane: ½ + u/√π·e^(−u²) + ½·erf(u), u = x/√2. */
// @ts-ignore: decorator
@inline export function geluErfGradV(x: v128): v128 {
  const u = f32x4.mul(x, i32x4.splat(0x3f3504f3));
  const e = expOnednnV(v128.xor(f32x4.mul(u, u), i32x4.splat(0x80000000)));
  const t = f32x4.mul(f32x4.mul(u, i32x4.splat(0x3f106eba)), e);
  const erf = erfOnednnV(u, v128.xor(e, i32x4.splat(0x80000000)));
  // ½·erf is exact, so the fused ½·erf + (t + ½) is one rounding of an exact sum either way
  return f32x4.add(f32x4.mul(erf, f32x4.splat(0.5)), f32x4.add(t, f32x4.splat(0.5)));
}
