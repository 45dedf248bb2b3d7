// Scalar functions the generated kernels call per lane where WebAssembly and AssemblyScript's
// Math lack them: erf, erfc, erf⁻¹ (the same series and continued fractions as the JS reference,
// src/ops/pointwise/scalar-math.ts, in f64), a sigmoid that never overflows, Python's remainder.

const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126;
const INV_SQRT_PI: f64 = 0.5641895835477563;

/** erfc(a) for a ≥ 2.5 from its continued fraction, evaluated from the tail. */
function erfcTail(a: f64): f64 {
  let frac = a;
  for (let k = 120; k >= 1; k--) frac = a + <f64>k / 2 / frac;
  return Math.exp(-a * a) * INV_SQRT_PI / frac;
}

export function erf64(x: f64): f64 {
  if (x != x) return x;
  const a = Math.abs(x);
  const s: f64 = x < 0 ? -1 : 1;
  if (a >= 6) return s;
  if (a < 2.5) {
    const x2 = a * a;
    let term = a;
    let sum = a;
    for (let n = 1; n < 200 && term > sum * 1e-17; n++) {
      term *= (2 * x2) / <f64>(2 * n + 1);
      sum += term;
    }
    return s * TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  return s * (1 - erfcTail(a));
}

export function erfc64(x: f64): f64 {
  if (x != x) return x;
  if (x < 0.5) return 1 - erf64(x);
  if (x < 2.5) {
    // erfc(x) = erfc(2.5) + ∫ₓ^2.5 2/√π e^(−t²) dt, Gauss–Legendre on 8 panels (as the JS reference)
    const h = (2.5 - x) / 8;
    let integral: f64 = 0;
    for (let p = 0; p < 8; p++) {
      const mid = x + (<f64>p + 0.5) * h;
      integral += gl(mid - 0.906179845938664 * h / 2) * 0.2369268850561891;
      integral += gl(mid - 0.5384693101056831 * h / 2) * 0.4786286704993665;
      integral += gl(mid) * 0.5688888888888889;
      integral += gl(mid + 0.5384693101056831 * h / 2) * 0.4786286704993665;
      integral += gl(mid + 0.906179845938664 * h / 2) * 0.2369268850561891;
    }
    return erfcTail(2.5) + TWO_OVER_SQRT_PI * integral * h / 2;
  }
  if (x > 27) return 0;
  return erfcTail(x);
}

// @ts-ignore: decorator
@inline function gl(t: f64): f64 {
  return Math.exp(-t * t);
}

export function erfinv64(y: f64): f64 {
  if (y != y || y < -1 || y > 1) return NaN;
  if (y == 1) return Infinity;
  if (y == -1) return -Infinity;
  if (y == 0) return y;
  let w = -Math.log((1 - y) * (1 + y));
  let p: f64;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-8;
    p = 3.43273939e-7 + p * w;
    p = -3.5233877e-6 + p * w;
    p = -4.39150654e-6 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = Math.sqrt(w) - 3;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  let x = p * y;
  for (let i = 0; i < 2; i++) {
    const err = erf64(x) - y;
    x -= err / (TWO_OVER_SQRT_PI * Math.exp(-x * x));
  }
  return x;
}

/** σ(x), taking e^t only of t ≤ 0. */
export function sigmoid64(x: f64): f64 {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Python's remainder: the result takes the divisor's sign. */
export function remainder64(a: f64, b: f64): f64 {
  const r = a % b;
  return r != 0 && (r < 0) != (b < 0) ? r + b : r;
}

export function remainder32(a: f32, b: f32): f32 {
  const r = a % b;
  return r != 0 && (r < 0) != (b < 0) ? r + b : r;
}
