/**
 * PyTorch's CPU samplers, as kernels over flat typed arrays (no Tensor here): each draws from a
 * Generator exactly what ATen's kernel draws, in the same order, and does the same arithmetic,
 * so that the same seed gives the same numbers. Where ATen calls the C library's log, sin or cos
 * in double precision, JavaScript's Math functions stand in (each within 1 ulp of glibc's);
 * everything else is bit for bit. The ops that call these are in src/ops/creation.ts and
 * src/ops/random.ts.
 */
import { cephesLogf, cephesSinCosf, fma, fmaf } from "./float-math.js";
import type { Generator } from "./random.js";
import { lgamma } from "./special-math.js";

const fr = Math.fround;
type FloatArray = Float32Array | Float64Array;

/** uniform_(from, to): float32 as fmaf(u, fl(to) − fl(from), fl(from)) in float32; float64 likewise in float64. */
export function uniformFill(gen: Generator, out: FloatArray, from: number, to: number): void {
  if (out instanceof Float32Array) {
    const lo = fr(from);
    const width = fr(fr(to) - lo);
    for (let i = 0; i < out.length; i++) out[i] = fmaf(gen.nextFloat(), width, lo);
  } else {
    const width = to - from;
    for (let i = 0; i < out.length; i++) out[i] = fma(gen.nextDouble(), width, from);
  }
}

/**
 * normal_(mean, std) with PyTorch's choice of path: a contiguous float32 tensor of 16 or more
 * elements takes the AVX2 Box–Muller in float32, a contiguous float64 one of 16 or more the
 * scalar `normal_fill` in float64, and anything else (fewer than 16 elements, or not
 * contiguous) draws one cached double-precision normal per element.
 */
export function normalFill(gen: Generator, out: FloatArray, mean: number, std: number, contiguous = true): void {
  if (out.length >= 16 && contiguous) {
    if (out instanceof Float32Array) normalFillAvx2(gen, out, fr(mean), fr(std));
    else normalFillDouble(gen, out, mean, std);
    return;
  }
  for (let i = 0; i < out.length; i++) out[i] = gen.nextNormal(mean, std);
}

/**
 * normal_fill_AVX2: all n uniforms first, then Box–Muller on blocks of 16 (the first 8 give the
 * radii, the next 8 the angles); when n is not a multiple of 16 the last 16 places are drawn
 * again and recomputed.
 */
function normalFillAvx2(gen: Generator, out: Float32Array, mean: number, std: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = gen.nextFloat();
  for (let i = 0; i + 16 <= n; i += 16) boxMuller16f(out, i, mean, std);
  if (n % 16 !== 0) {
    for (let i = n - 16; i < n; i++) out[i] = gen.nextFloat();
    boxMuller16f(out, n - 16, mean, std);
  }
}

const TWO_PI_F = fr(2 * Math.PI);
const sinCos = new Float64Array(2);

function boxMuller16f(d: Float32Array, o: number, mean: number, std: number): void {
  for (let k = 0; k < 8; k++) {
    const u1 = fr(1 - d[o + k]!);
    const radius = fr(Math.sqrt(fr(-2 * cephesLogf(u1))));
    cephesSinCosf(fr(TWO_PI_F * d[o + k + 8]!), sinCos);
    d[o + k] = fmaf(fr(radius * sinCos[1]!), std, mean);
    d[o + k + 8] = fmaf(fr(radius * sinCos[0]!), std, mean);
  }
}

/** normal_fill<double>: the same blocks of 16 in float64 with the C library's log, cos and sin. */
function normalFillDouble(gen: Generator, out: Float64Array, mean: number, std: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = gen.nextDouble();
  for (let i = 0; i + 16 <= n; i += 16) boxMuller16d(out, i, mean, std);
  if (n % 16 !== 0) {
    for (let i = n - 16; i < n; i++) out[i] = gen.nextDouble();
    boxMuller16d(out, n - 16, mean, std);
  }
}

function boxMuller16d(d: Float64Array, o: number, mean: number, std: number): void {
  for (let k = 0; k < 8; k++) {
    const radius = Math.sqrt(-2 * Math.log(1 - d[o + k]!));
    const theta = 2 * Math.PI * d[o + k + 8]!;
    d[o + k] = fma(radius * Math.cos(theta), std, mean);
    d[o + k + 8] = fma(radius * Math.sin(theta), std, mean);
  }
}

/** random_(low, high): low + (random() mod (high − low)) per element (random64 for ranges of 2^32 or more). */
export function randomFromToFill(gen: Generator, out: { length: number; [i: number]: number }, low: number, high: number): void {
  for (let i = 0; i < out.length; i++) out[i] = gen.nextInt(low, high);
}

/** bernoulli_(p) with a number p: one double per element, 1 where it is below p. */
export function bernoulliScalarFill(gen: Generator, out: { length: number; [i: number]: number }, p: number): void {
  for (let i = 0; i < out.length; i++) out[i] = gen.nextDouble() < p ? 1 : 0;
}

/**
 * bernoulli_(p) with a tensor p (read in the output's order): float32 probabilities are compared
 * with a float32 uniform (24 bits), float64 ones with a float64 uniform (53 bits).
 */
export function bernoulliTensorFill(gen: Generator, out: { length: number; [i: number]: number }, p: FloatArray): void {
  const double = p instanceof Float64Array;
  for (let i = 0; i < out.length; i++) out[i] = (double ? gen.nextDouble() : gen.nextFloat()) < p[i]! ? 1 : 0;
}

/** exponential_(λ): −1/λ · ln(1 − u) from a double u, rounded to the output's dtype. */
export function exponentialFill(gen: Generator, out: FloatArray, lambda: number): void {
  const scale = -1 / lambda;
  for (let i = 0; i < out.length; i++) out[i] = scale * Math.log(1 - gen.nextDouble());
}

/**
 * randperm(n): PyTorch's CPU shuffle for n below 2^32/20, which swaps place i with place
 * i + (random() mod (n − i)) going forward (not the textbook backward Fisher–Yates).
 */
export function randpermFill(gen: Generator, out: Int32Array | Float32Array | Float64Array): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = gen.nextUint32() % (n - i);
    const saved = out[i]!;
    out[i] = out[z + i]!;
    out[z + i] = saved;
  }
}

/**
 * multinomial with replacement, one row: the cumulative sums in the row's dtype divided by the
 * total, the last set to 1, then for each sample a double u and the first bucket whose
 * cumulative probability is not below u (binary search).
 */
export function multinomialRowWithReplacement(gen: Generator, row: FloatArray, nSample: number, out: Int32Array, outOffset: number): void {
  const n = row.length;
  const cum = row instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  let sum = 0;
  for (let j = 0; j < n; j++) {
    sum = row instanceof Float32Array ? fr(sum + row[j]!) : sum + row[j]!;
    cum[j] = sum;
  }
  for (let j = 0; j < n; j++) cum[j] = cum[j]! / sum;
  cum[n - 1] = 1;
  for (let s = 0; s < nSample; s++) {
    const u = gen.nextDouble();
    let left = 0;
    let right = n;
    while (right - left > 0) {
      const mid = left + ((right - left) >> 1);
      if (cum[mid]! < u) left = mid + 1;
      else right = mid;
    }
    out[outOffset + s] = left;
  }
}

/**
 * A Poisson draw (PyTorch's sample_poisson, after NumPy): for λ ≥ 10 Hörmann's transformed
 * rejection (PTRS), below that the product of uniforms until it falls under e^−λ.
 */
export function samplePoisson(gen: Generator, lambda: number): number {
  if (lambda >= 10) {
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const U = gen.nextDouble() - 0.5;
      const V = gen.nextDouble();
      const us = 0.5 - Math.abs(U);
      const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
      if (us >= 0.07 && V <= vr) return k;
      if (k < 0 || (us < 0.013 && V > us)) continue;
      if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - lgamma(k + 1)) return k;
    }
  }
  if (lambda === 0) return 0;
  const enlam = Math.exp(-lambda);
  let x = 0;
  let prod = 1;
  for (;;) {
    prod *= gen.nextDouble();
    if (prod > enlam) x += 1;
    else return x;
  }
}

/** The float32 constants of sample_gamma: 1.0f/3.0f and 0.0331f. */
const THIRD_F = fr(1 / 3);
const C_0331 = fr(0.0331);

/**
 * A standard Gamma(α) draw (PyTorch's sample_gamma, Marsaglia & Tsang 2000, after NumPy): for
 * α < 1 a draw for α + 1 scaled by u^(1/α). `float32` follows the float32 instantiation, where
 * α, 1/α and α − 1/3 are float32 numbers and the rest is double.
 */
export function sampleGamma(gen: Generator, alphaIn: number, float32: boolean): number {
  const round = float32 ? fr : (x: number) => x;
  let alpha = alphaIn;
  let scale = 1;
  if (alpha < 1) {
    if (alpha === 0) return 0;
    scale *= Math.pow(1 - gen.nextDouble(), round(1 / alpha));
    alpha = round(alpha + 1);
  }
  const d = round(alpha - THIRD_F);
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let y: number;
    do {
      x = gen.nextNormal();
      y = 1 + c * x;
    } while (y <= 0);
    const v = y * y * y;
    const u = 1 - gen.nextDouble();
    const xx = x * x;
    if (u < 1 - C_0331 * xx * xx) return scale * d * v;
    if (Math.log(u) < 0.5 * xx + d * (1 - v + Math.log(v))) return scale * d * v;
  }
}
