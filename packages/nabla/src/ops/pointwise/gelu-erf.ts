/**
 * GELU (exact-erf form) as PyTorch 1.13 computes it on the CPU, for the `geluErf` and
 * `geluErfGrad` primitives.
 *
 * float32: contiguous float32 `F.gelu` and its backward go to oneDNN (ideep eltwise_gelu_erf,
 * at::native mkldnn Gelu.cpp), whose x64 JIT kernel (jit_uni_eltwise_injector.cpp,
 * gelu_erf_compute_vector_fwd/_bwd) takes erf from Abramowitz–Stegun 7.1.26:
 * erf(u) = sign(u)·(1 − t·(p1 + p2·t + … + p5·t⁴)·e^(−u²)), t = 1/(1 + 0.3275911·|u|), u = x/√2,
 * with oneDNN's own e^x (x·log2e + ½ floored to n, r = x − n·ln2, a degree-5 polynomial in r,
 * times 2^n; 0 below ln FLT_MIN), every step rounded to float32 and the multiply-adds fused.
 * Forward: S = x/2, gelu = S + S·erf (one fused multiply-add). Backward (the factor dy multiplies):
 * ½ + u/√π·e^(−u²) + ½·erf(u). Emulated here step by step (a float32 fused multiply-add is the
 * float64 a·b + c rounded to float32: a·b is exact in float64, so only a tie after the float64
 * rounding could differ), these match PyTorch's float32 values bit for bit (test/gelu-pytorch.test.ts).
 *
 * float64 does not go to oneDNN: ATen's kernel x·½·(1 + erf(x/√2)) with an accurate erf, and
 * Φ(x) + x·φ(x) for the derivative: `geluErf64` and `geluErfGrad64`.
 */
import { erf } from "./scalar-math.js";

const f = Math.fround;
/** The float32 constants of oneDNN's table (their bit patterns as written there). */
const bits = (b: number): number => new Float32Array(new Uint32Array([b]).buffer)[0]!;
const LOG2E = bits(0x3fb8aa3b);
const LN2 = bits(0x3f317218);
const LN_FLT_MAX = bits(0x42b17218);
const LN_FLT_MIN = bits(0xc2aeac50);
const EXP_POL = [bits(0x3f7ffffb), bits(0x3efffee3), bits(0x3e2aad40), bits(0x3d2b9d0d), bits(0x3c07cfce)] as const;
const AS_P = bits(0x3ea7ba05); // 0.3275911
const AS_POL = [bits(0x3e827906), bits(0xbe91a98e), bits(0x3fb5f0e3), bits(0xbfba00e3), bits(0x3f87dc22)] as const;
const ONE_OVER_SQRT_TWO = bits(0x3f3504f3);
const ONE_OVER_SQRT_PI = bits(0x3f106eba);

/** A float32 fused multiply-add of float32 operands. */
const fma = (a: number, b: number, c: number): number => f(a * b + c);

/** oneDNN's float32 e^x (exp_compute_vector_fwd). */
export function expOnednn32(x: number): number {
  if (x !== x) return x;
  const underflow = x < LN_FLT_MIN;
  x = Math.min(Math.max(x, LN_FLT_MIN), LN_FLT_MAX);
  const n = Math.floor(f(f(x * LOG2E) + 0.5));
  const r = f(x - n * LN2); // fused: n·ln2 (31 bits) and the difference are exact in float64
  let p = fma(EXP_POL[4], r, EXP_POL[3]);
  p = fma(p, r, EXP_POL[2]);
  p = fma(p, r, EXP_POL[1]);
  p = fma(p, r, EXP_POL[0]);
  p = fma(p, r, 1);
  return underflow ? 0 : f(p * 2 ** n);
}

/** erf(u) of Abramowitz–Stegun 7.1.26 as oneDNN evaluates it, given q = −e^(−u²) as it has it. */
function erfOnednn32(u: number, negExp: number): number {
  const t = f(1 / fma(AS_P, Math.abs(u), 1));
  const qt = f(negExp * t);
  let r = fma(AS_POL[4], t, AS_POL[3]);
  r = fma(r, t, AS_POL[2]);
  r = fma(r, t, AS_POL[1]);
  r = fma(r, t, AS_POL[0]);
  const v = fma(qt, r, 1);
  return u < 0 || Object.is(u, -0) ? -v : v;
}

/** PyTorch's float32 GELU (oneDNN gelu_erf forward). */
export function geluErf32(x: number): number {
  const u = f(x * ONE_OVER_SQRT_TWO);
  const s = f(x * 0.5);
  return fma(erfOnednn32(u, -expOnednn32(-f(u * u))), s, s);
}

/** PyTorch's float32 GELU derivative (oneDNN gelu_erf backward), before the factor dy. */
export function geluErfGrad32(x: number): number {
  const u = f(x * ONE_OVER_SQRT_TWO);
  const q = expOnednn32(-f(u * u));
  const t = f(f(u * ONE_OVER_SQRT_PI) * q);
  const e = erfOnednn32(u, -q);
  return fma(e, 0.5, f(t + 0.5));
}

/** PyTorch's float64 GELU: x·½·(1 + erf(x/√2)). */
export function geluErf64(x: number): number {
  return x * 0.5 * (1 + erf(x * Math.SQRT1_2));
}

/** 2/√π · 1/√2 · ½ = 1/√(2π): PyTorch's kBeta. */
const K_BETA = (2 / Math.sqrt(Math.PI)) * Math.SQRT1_2 * 0.5;

/** PyTorch's float64 GELU derivative: Φ(x) + x·φ(x). */
export function geluErfGrad64(x: number): number {
  const cdf = 0.5 * (1 + erf(x * Math.SQRT1_2));
  const pdf = K_BETA * Math.exp(x * x * -0.5);
  return cdf + x * pdf;
}
