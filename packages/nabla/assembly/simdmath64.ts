// Vector versions of exp, expm1, sigmoid, tanh, log, log1p, erf, erfc and GELU for f64x2, within an
// ulp or two of the correctly rounded values (the float32 ones are in simdmath.ts): lane-by-lane
// calls to Math.exp, Math.tanh and Math.log, and the scalar series of scalarmath.ts's erf, were
// most of a float64 LSTM cell's, loss's or GELU's elementwise time.
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
 * e^r − 1 = r + r²·P(r) for |r| ≤ ln2/2, P by e^r's Taylor series to r^13 (the next term is below
 * 2^-60 of the sum): Horner's rule for the terms to r^5 (P's to r³) and Estrin's scheme, in r² and
 * r⁴, for the smaller rest, eight steps deep where Horner's rule is thirteen (the erf kernels wait
 * on this chain, and an exp kernel's loop runs faster with its iterations overlapping more).
 */
// @ts-ignore: decorator
@inline function expm1Reduced64(r: v128): v128 {
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const b0 = f64x2.add(f64x2.splat(1.0 / 720.0), f64x2.mul(r, f64x2.splat(1.0 / 5040.0)));
  const b1 = f64x2.add(f64x2.splat(1.0 / 40320.0), f64x2.mul(r, f64x2.splat(1.0 / 362880.0)));
  const b2 = f64x2.add(f64x2.splat(1.0 / 3628800.0), f64x2.mul(r, f64x2.splat(1.0 / 39916800.0)));
  const b3 = f64x2.add(f64x2.splat(1.0 / 479001600.0), f64x2.mul(r, f64x2.splat(1.0 / 6227020800.0)));
  let p = f64x2.add(f64x2.add(b0, f64x2.mul(b1, r2)), f64x2.mul(f64x2.add(b2, f64x2.mul(b3, r2)), r4));
  p = f64x2.add(f64x2.splat(1.0 / 120.0), f64x2.mul(p, r));
  p = f64x2.add(f64x2.splat(1.0 / 24.0), f64x2.mul(p, r));
  p = f64x2.add(f64x2.splat(1.0 / 6.0), f64x2.mul(p, r));
  p = f64x2.add(f64x2.splat(0.5), f64x2.mul(p, r));
  return f64x2.add(r, f64x2.mul(r2, p));
}

/**
 * e^x per lane: x = n·ln 2 + r with |r| ≤ ln2/2, e^r = 1 + expm1Reduced64(r), scaled by 2^n in two
 * halves so that subnormal results and overflow to +inf come out right. NaN stays NaN, −inf gives 0.
 */
// @ts-ignore: decorator
@inline export function expV64(x: v128): v128 {
  // e^-746 rounds to 0 and e^710 to +inf: clamping keeps n within the two halves' range
  x = f64x2.pmin(f64x2.pmax(x, f64x2.splat(-746.0)), f64x2.splat(710.0)); // as expV's clamp (simdmath.ts)
  const n = f64x2.nearest(f64x2.mul(x, f64x2.splat(LOG2E)));
  let r = f64x2.sub(x, f64x2.mul(n, f64x2.splat(LN2_HI)));
  r = f64x2.sub(r, f64x2.mul(n, f64x2.splat(LN2_LO)));
  const p = f64x2.add(f64x2.splat(1.0), expm1Reduced64(r));
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

/**
 * e^x − 1 per lane, within two ulps (one but for a few x near ±ln2/2): 2^n·q + (2^n − 1) with
 * x = n·ln 2 + r, |r| ≤ ln2/2, and q = e^r − 1 (expm1Reduced64), which for n = 0 is q itself:
 * exact for tiny x, −1 from x = −40 down (e^−40 is below half an ulp of 1), +inf where e^x
 * overflows, NaN stays NaN, −0 kept.
 */
// @ts-ignore: decorator
@inline export function expm1V64(x: v128): v128 {
  const c = f64x2.pmin(f64x2.pmax(x, f64x2.splat(-40.0)), f64x2.splat(710.0));
  const n = f64x2.nearest(f64x2.mul(c, f64x2.splat(LOG2E)));
  let r = f64x2.sub(c, f64x2.mul(n, f64x2.splat(LN2_HI)));
  r = f64x2.sub(r, f64x2.mul(n, f64x2.splat(LN2_LO)));
  const q = expm1Reduced64(r);
  // 2^n for n ≤ 1023 (n ≥ −58 here); n = 1024 (x in (709.4, 710]) is 2^1023 and a doubling after
  const s = pow2(f64x2.pmin(n, f64x2.splat(1023.0)));
  const m = f64x2.add(f64x2.mul(s, q), f64x2.sub(s, f64x2.splat(1.0)));
  const e = v128.bitselect(f64x2.add(m, m), m, f64x2.gt(n, f64x2.splat(1023.0)));
  // e^x − 1 has x's sign: this makes −0 of the +0 that 1·q + 0 gives at x = −0
  return v128.or(e, v128.and(x, i64x2.splat(0x8000000000000000)));
}

// ---- erf and erfc: the polynomials fitted by scripts/fit_erf64.py (highest degree first) ----

// ERF_Q: degree 12, max relative error 2^-59.77; five zeros first, as estrin64 reads 18
const ERF_Q: StaticArray<f64> = [0.0, 0.0, 0.0, 0.0, 0.0, 5.957176147748911e-11, -1.1372848856791674e-09, 1.4659775274047436e-08, -1.6350312701054695e-07, 1.6461000484121368e-06, -1.4925595266831182e-05, 0.0001205533111164271, -0.000854832698083379, 0.0052239776248180145, -0.026866170645076792, 0.11283791670954879, -0.3761263890318375, 0.1283791670955126];
// ERFCX: the polynomials T0…T3 of degree 17 one after another, max relative errors
// T0 2^-69.93, T1 2^-59.39, T2 2^-66.41, T3 2^-67.8
const ERFCX: StaticArray<f64> = [
  -5.378777504284134e-16, 4.809760307914528e-15, -3.383480345356978e-14, 2.1950800596529674e-13, -1.2575475886033954e-12, 5.987593026355753e-12, -1.8712926086103316e-11, -3.7408815538009416e-11, 1.350933001866228e-09, -1.5551808112814228e-08, 1.3495160766378982e-07, -9.745280755605205e-07, 5.7437966800434085e-06, -2.2443928041546916e-05, -4.483728655265671e-05, 0.0022962200487339156, -0.03399136156036664, 0.39128047137849176,
  4.947897561712426e-13, -2.4579470920665083e-12, 7.575804874862482e-12, -1.877813101665173e-11, 5.572263495365052e-12, 3.3553168901791334e-10, -2.7628490704637522e-09, 1.504147608385912e-08, -6.19028298036171e-08, 1.6981364124490542e-07, 3.422918934635712e-08, -4.4230805061953e-06, 3.680539063606941e-05, -0.00019713177833111703, 0.00062958124597706, 0.0012092420392932266, -0.042270244446368704, 0.46817959203854037,
  2.716581591918321e-16, 1.1726269952640111e-14, -1.0508923470891028e-13, 4.677975846087733e-13, -7.755738039846657e-13, -7.787828322370639e-12, 9.092734051824174e-11, -5.169568424995827e-10, 1.2687200180980293e-09, 8.113133332104952e-09, -1.2191986852824815e-07, 7.486050922376107e-07, -1.1538108983939898e-06, -2.8389142313342418e-05, 0.00034622662915240594, -0.0014381248079935996, -0.018948191196769486, 0.530860349316975,
  -39879446173.127304, 26198677660.27497, -8229151996.721269, 1666957951.0115032, -249891057.40307462, 30522410.42665295, -3311203.865479776, 346660.1772156173, -37641.67490012241, 4461.22647637828, -595.5531520849028, 91.63582096179935, -16.66121657460453, 3.702494103345461, -1.0578554690104278, 0.4231421876604969, -0.28209479177387775, 0.5641895835477563,
];

// @ts-ignore: decorator
@inline const TERMS: usize = 18;

/** Coefficient k (of v^k) of the 18 at p0 (lane 0) and p1 (lane 1), highest degree first. */
// @ts-ignore: decorator
@inline function coefficient(p0: usize, p1: usize, k: usize): v128 {
  const at = (TERMS - 1 - k) * 8;
  return v128.load64_lane(p1 + at, v128.load64_zero(p0 + at), 1);
}

/**
 * The polynomial of degree 17 whose coefficients each lane reads at its own pointer (coefficient),
 * at v per lane: Horner's rule for the terms to v³, whose roundings are the result's, and Estrin's
 * scheme for the rest (pairs a + b·v, then pairs of those in v², v⁴, v⁸), whose roundings are
 * scaled down by v⁴. Eight multiply-add steps deep where Horner's rule is 17: the erf kernels, a
 * hundred operations per lane in one chain, waited on their latency. (Estrin's all the way down
 * cost erfc 4 ulps: its top-level sums rounded four times.)
 */
// @ts-ignore: decorator
@inline function estrin64(p0: usize, p1: usize, v: v128): v128 {
  const v2 = f64x2.mul(v, v);
  const v4 = f64x2.mul(v2, v2);
  const v8 = f64x2.mul(v4, v4);
  const b0 = f64x2.add(coefficient(p0, p1, 4), f64x2.mul(coefficient(p0, p1, 5), v));
  const b1 = f64x2.add(coefficient(p0, p1, 6), f64x2.mul(coefficient(p0, p1, 7), v));
  const b2 = f64x2.add(coefficient(p0, p1, 8), f64x2.mul(coefficient(p0, p1, 9), v));
  const b3 = f64x2.add(coefficient(p0, p1, 10), f64x2.mul(coefficient(p0, p1, 11), v));
  const b4 = f64x2.add(coefficient(p0, p1, 12), f64x2.mul(coefficient(p0, p1, 13), v));
  const b5 = f64x2.add(coefficient(p0, p1, 14), f64x2.mul(coefficient(p0, p1, 15), v));
  const b6 = f64x2.add(coefficient(p0, p1, 16), f64x2.mul(coefficient(p0, p1, 17), v));
  const c0 = f64x2.add(b0, f64x2.mul(b1, v2));
  const c1 = f64x2.add(b2, f64x2.mul(b3, v2));
  const c2 = f64x2.add(b4, f64x2.mul(b5, v2));
  const d0 = f64x2.add(c0, f64x2.mul(c1, v4));
  const d1 = f64x2.add(c2, f64x2.mul(b6, v4));
  let p = f64x2.add(d0, f64x2.mul(d1, v8));
  p = f64x2.add(coefficient(p0, p1, 3), f64x2.mul(p, v));
  p = f64x2.add(coefficient(p0, p1, 2), f64x2.mul(p, v));
  p = f64x2.add(coefficient(p0, p1, 1), f64x2.mul(p, v));
  return f64x2.add(coefficient(p0, p1, 0), f64x2.mul(p, v));
}

/** ERF_Q at z per lane. */
// @ts-ignore: decorator
@inline function erfQ(z: v128): v128 {
  const p = changetype<usize>(ERF_Q);
  return estrin64(p, p, z);
}

/**
 * erfc(a) per lane for a from 1 on (from 0.6875 where wide; +inf and NaN included) as
 * e^(−a²)·g/a, g = a·erfcx(a) (1/√π at a = ∞) by one of the fitted polynomials of ERFCX (each
 * to 2^−59 or less) picked per lane. e^(−a²) comes without the rounding of a² (36 ulps of e^(−a²)
 * at a = 6): a = h + l with h of 26 bits (Veltkamp's split), so h² is exact, and d = a² − h² =
 * (a − h)(a + h) is below 2^−16, e^(−d) − 1 = −d(1 − d(½ − d/6)) to 2^−70. −h² = n·ln 2 + r as in
 * expV64, and the product k·e^r·e^(−d), k = g/a, is taken as k + k·(q + ed + q·ed) with q = e^r − 1,
 * ed = e^(−d) − 1: one rounding where a product of exps would take three. Past a = 27.3 it
 * underflows to 0.
 */
// @ts-ignore: decorator
@inline function erfcTail64(ax: v128, wide: bool): v128 {
  const a = f64x2.pmin(f64x2.pmax(ax, f64x2.splat(wide ? 0.6875 : 1.0)), f64x2.splat(28.0));
  const t = f64x2.div(f64x2.splat(1.0), a);
  // t in (1, 3/2]: T0 in (t − 5/4)·4; [1/2, 1]: T1 in (t − 3/4)·4; [1/4, 1/2): T2 in (t − 3/8)·8;
  // below: T3 in t². Each lane's index (the comparisons' masks are −1 where true) picks its
  // polynomial's row of ERFCX, read a coefficient per lane: two loads where selecting among four
  // splatted constants per lane took three selects and four splats.
  const in0 = f64x2.gt(t, f64x2.splat(1.0));
  const in1 = f64x2.ge(t, f64x2.splat(0.5));
  const in2 = f64x2.ge(t, f64x2.splat(0.25));
  const mid = v128.bitselect(f64x2.splat(1.25), v128.bitselect(f64x2.splat(0.75), f64x2.splat(0.375), in1), in0);
  const scale = v128.bitselect(f64x2.splat(4.0), f64x2.splat(8.0), in1);
  const v = v128.bitselect(f64x2.mul(f64x2.sub(t, mid), scale), f64x2.mul(t, t), in2);
  const row = i64x2.add(i64x2.add(i64x2.add(in0, in1), in2), i64x2.splat(3));
  const p0 = changetype<usize>(ERFCX) + <usize>(i64x2.extract_lane(row, 0) * (TERMS * 8));
  const p1 = changetype<usize>(ERFCX) + <usize>(i64x2.extract_lane(row, 1) * (TERMS * 8));
  const g = estrin64(p0, p1, v);
  const split = f64x2.mul(a, f64x2.splat(134217729.0)); // 2^27 + 1
  const h = f64x2.sub(split, f64x2.sub(split, a));
  const d = f64x2.mul(f64x2.sub(a, h), f64x2.add(a, h));
  const ed = f64x2.mul(f64x2.neg(d), f64x2.sub(f64x2.splat(1.0), f64x2.mul(d, f64x2.sub(f64x2.splat(0.5), f64x2.mul(d, f64x2.splat(1.0 / 6.0))))));
  const x = f64x2.neg(f64x2.mul(h, h));
  const n = f64x2.nearest(f64x2.mul(x, f64x2.splat(LOG2E)));
  let r = f64x2.sub(x, f64x2.mul(n, f64x2.splat(LN2_HI)));
  r = f64x2.sub(r, f64x2.mul(n, f64x2.splat(LN2_LO)));
  const q = expm1Reduced64(r);
  const k = f64x2.div(g, a);
  const y = f64x2.add(k, f64x2.mul(k, f64x2.add(f64x2.add(q, ed), f64x2.mul(q, ed))));
  // 2^n, n in [−1131, 0], as two normal factors (expV64's), the last rounding once into subnormals
  const n1 = f64x2.trunc(f64x2.mul(n, f64x2.splat(0.5)));
  return f64x2.mul(f64x2.mul(y, pow2(n1)), pow2(f64x2.sub(n, n1)));
}

/**
 * erf per lane, within an ulp: below |x| = 1 x + x·Q(x²) (ERF_Q), computed on 8x and scaled back
 * so that subnormal x round once; from 1 on ±(1 − erfc|x|) (erfcTail64). ±0 kept, ±1 at ±inf,
 * NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function erfV64(x: v128): v128 {
  const ax = f64x2.abs(x);
  const q = erfQ(f64x2.mul(x, x));
  const s = f64x2.mul(x, f64x2.splat(8.0));
  const small = f64x2.mul(f64x2.add(s, f64x2.mul(s, q)), f64x2.splat(0.125));
  const big = v128.or(f64x2.sub(f64x2.splat(1.0), erfcTail64(ax, false)), v128.and(x, i64x2.splat(0x8000000000000000)));
  return v128.bitselect(small, big, f64x2.lt(ax, f64x2.splat(1.0)));
}

/**
 * erfc per lane, within two ulps: below |x| = 0.6875 one minus erf's x + x·Q, as
 * ½ − ((x − ½) + x·Q) from x = ¼ on (x − ½ is exact there, the cancellation with 1 is not; nearer
 * 1 it costs ulps, so the tail starts at 0.6875); erfcTail64 above and 2 − erfcTail64 below. 1 at ±0, 0 at +inf, 2 at −inf, NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function erfcV64(x: v128): v128 {
  const ax = f64x2.abs(x);
  const y = f64x2.mul(x, erfQ(f64x2.mul(x, x)));
  const below = f64x2.sub(f64x2.splat(1.0), f64x2.add(x, y));
  const above = f64x2.sub(f64x2.splat(0.5), f64x2.add(f64x2.sub(x, f64x2.splat(0.5)), y));
  const small = v128.bitselect(below, above, f64x2.lt(x, f64x2.splat(0.25)));
  const e = erfcTail64(ax, true);
  const big = v128.bitselect(e, f64x2.sub(f64x2.splat(2.0), e), f64x2.gt(x, f64x2.splat(0.0)));
  return v128.bitselect(small, big, f64x2.lt(ax, f64x2.splat(0.6875)));
}

// M_SQRT1_2 and ATen's float64 GELU constants
// @ts-ignore: decorator
@inline const SQRT1_2: f64 = 0.7071067811865476;

/** PyTorch's float64 GELU per lane, in ATen's order: x·½·(1 + erf(x·√½)). */
// @ts-ignore: decorator
@inline export function geluErfV64(x: v128): v128 {
  const cdf2 = f64x2.add(f64x2.splat(1.0), erfV64(f64x2.mul(x, f64x2.splat(SQRT1_2))));
  return f64x2.mul(f64x2.mul(x, f64x2.splat(0.5)), cdf2);
}

/** PyTorch's float64 GELU derivative per lane, in ATen's order: ½(1 + erf(x·√½)) + x·kBeta·e^(−x²/2). */
// @ts-ignore: decorator
@inline export function geluErfGradV64(x: v128): v128 {
  const cdf = f64x2.mul(f64x2.splat(0.5), f64x2.add(f64x2.splat(1.0), erfV64(f64x2.mul(x, f64x2.splat(SQRT1_2)))));
  const pdf = f64x2.mul(f64x2.splat(1.1283791670955126 * SQRT1_2 * 0.5), expV64(f64x2.mul(f64x2.mul(x, x), f64x2.splat(-0.5))));
  return f64x2.add(cdf, f64x2.mul(x, pdf));
}
