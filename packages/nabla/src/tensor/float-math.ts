/**
 * Bit-exact emulation of the arithmetic PyTorch's CPU samplers do on this machine's build: fused
 * multiply–adds (the AVX2 kernels are compiled with FMA contraction, so `x * (to − from) + from`
 * rounds once), and the float32 Cephes `log256_ps` / `sincos256_ps` of ATen's avx_mathfun.h
 * with the fused steps GCC made of them (read off the disassembly of libtorch_cpu.so 1.13.1).
 * JavaScript has no FMA and no float32 arithmetic, so each step is done in float64 and rounded
 * with `Math.fround`, and the fused ones are emulated exactly.
 */
const fr = Math.fround;

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

function floatBits(x: number): number {
  f32[0] = x;
  return i32[0]!;
}

function floatFromBits(bits: number): number {
  i32[0] = bits;
  return f32[0]!;
}

/** The float64 next to `x` in the direction of the sign of `toward` (x finite). */
function nextFloat64(x: number, towardPositive: boolean): number {
  if (x === 0) return towardPositive ? 5e-324 : -5e-324;
  f64[0] = x;
  i64[0] = i64[0]! + ((x > 0) === towardPositive ? 1n : -1n);
  return f64[0]!;
}

/**
 * fmaf(a, b, c): a·b + c rounded once to float32, for float32 a, b, c. a·b is exact in float64
 * (48 bits); the float64 sum may round, and rounding it again to float32 is wrong only when it
 * lands exactly half-way between two floats, where the sum's exact error decides the side.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = fr(s);
  if (r === s) return r;
  // s is a tie between r and its other neighbour r′ only if r′ = 2s − r is a float (else, s
  // being strictly nearer r, 2s − r lies strictly between r and r′)
  const mirror = 2 * s - r;
  if (fr(mirror) !== mirror || !Number.isFinite(s)) return r;
  const bv = s - p;
  const err = p - (s - bv) + (c - bv); // s + err = p + c exactly (TwoSum)
  if (err === 0) return r;
  return (err > 0) === (mirror > r) ? mirror : r;
}

const SPLIT = 134217729; // 2^27 + 1, Dekker's splitter

/** a·b as hi + lo exactly (Dekker's TwoProduct). */
function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

/**
 * fma(a, b, c) in float64, rounded once (Boldo & Melquiond's emulation: exact product and sum,
 * the low parts added with rounding to odd, then one rounding to nearest). Exact except past
 * 2^996 in magnitude, where the splitting overflows; PyTorch's samplers never get there.
 */
export function fma(a: number, b: number, c: number): number {
  const [uh, ul] = twoProduct(a, b);
  if (!Number.isFinite(uh) || ul === 0 && c === 0) return uh + c;
  const th = c + uh;
  const bv = th - c;
  const tl = c - (th - bv) + (uh - bv); // th + tl = c + uh exactly
  // v = tl + ul rounded to odd: when inexact and the nearest value has an even last bit, step
  // to the neighbour on the side of the exact sum.
  let v = tl + ul;
  const bw = v - tl;
  const verr = tl - (v - bw) + (ul - bw);
  if (verr !== 0) {
    f64[0] = v;
    if ((i64[0]! & 1n) === 0n) v = nextFloat64(v, verr > 0);
  }
  return th + v;
}

// ---- avx_mathfun.h, float32 -----------------------------------------------------------------

const MIN_NORM_POS = 1.1754943508222875e-38;
const SQRTHF = fr(0.707106781186547524);
const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
  2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(fr);
const LOG_Q1 = fr(-2.12194440e-4);
const LOG_Q2 = fr(0.693359375);
const HALF_BITS = floatBits(0.5);

/**
 * log256_ps for one float32 lane (x > 0): x = m·2^e with m in [√½, √2), log(m) by a degree-9
 * polynomial in m − 1, and e·ln 2 added in two parts. Fused steps as GCC compiled them.
 */
export function cephesLogf(x: number): number {
  if (x < MIN_NORM_POS) x = MIN_NORM_POS; // denormals cut off, as the kernel does
  let bits = floatBits(x);
  let e = fr(((bits >>> 23) - 0x7f) + 1);
  bits = (bits & ~0x7f800000) | HALF_BITS; // mantissa in [0.5, 1)
  x = floatFromBits(bits);
  const below = x < SQRTHF;
  const tmp = below ? x : 0;
  x = fr(x - 1);
  if (below) e = fr(e - 1);
  x = fr(x + tmp);
  let y = LOG_P[0]!;
  for (let i = 1; i < 9; i++) y = fmaf(y, x, LOG_P[i]!);
  const z = fr(x * x);
  y = fr(x * y);
  y = fmaf(y, z, fr(e * LOG_Q1));
  y = fmaf(-z, 0.5, y);
  x = fr(x + y);
  return fmaf(e, LOG_Q2, x);
}

const FOPI = fr(1.27323954473516); // 4/π
const DP1 = fr(-0.78515625);
const DP2 = fr(-2.4187564849853515625e-4);
const DP3 = fr(-3.77489497744594108e-8);
const SIN_P = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1].map(fr);
const COS_P = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2].map(fr);

/**
 * sincos256_ps for one float32 lane: reduce by multiples of π/4 (π split in three parts), then
 * the Cephes sine and cosine polynomials; writes sin to out[0] and cos to out[1] (no allocation
 * per call: this runs once per pair of normal draws).
 */
export function cephesSinCosf(x: number, out: Float64Array): void {
  let signSin = x < 0 ? -1 : 1;
  x = Math.abs(x);
  let j = Math.trunc(fr(x * FOPI));
  j = (j + 1) & ~1;
  const y = j;
  if (j & 4) signSin = -signSin;
  const sinFromSinPoly = (j & 2) === 0;
  const signCos = ~(j - 2) & 4 ? -1 : 1;
  x = fmaf(y, DP1, x);
  x = fmaf(y, DP2, x);
  x = fmaf(y, DP3, x);
  const z = fr(x * x);
  let yc = fmaf(COS_P[0]!, z, COS_P[1]!);
  yc = fmaf(yc, z, COS_P[2]!);
  yc = fr(z * yc);
  yc = fmaf(yc, z, -fr(z * 0.5));
  yc = fr(yc + 1);
  let ys = fmaf(SIN_P[0]!, z, SIN_P[1]!);
  ys = fmaf(z, ys, SIN_P[2]!);
  ys = fr(z * ys);
  ys = fmaf(ys, x, x);
  // the kernel blends the two polynomials with masks and an add, which turns −0 into +0
  out[0] = signSin * ((sinFromSinPoly ? ys : yc) + 0);
  out[1] = signCos * ((sinFromSinPoly ? yc : ys) + 0);
}
