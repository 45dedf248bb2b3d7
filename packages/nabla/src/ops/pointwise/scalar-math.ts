/**
 * The scalar functions behind the pointwise primitives that JavaScript's Math lacks or gets
 * differently from PyTorch: a sigmoid that never overflows, erf/erfc/erfinv to a few ulps of
 * float64, round half to even. The JS kernels call these; so does constant folding.
 */

/** σ(x) = 1 / (1 + e^−x), taking e^t only of t ≤ 0. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erfc(|x|) for |x| ≥ 2.5 from its continued fraction
 * erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from the tail.
 */
function erfcTail(a: number): number {
  let frac = a;
  for (let k = 120; k >= 1; k--) frac = a + k / 2 / frac;
  return Math.exp(-a * a) / Math.sqrt(Math.PI) / frac;
}

/**
 * erf(x) to within a few ulps. For |x| < 2.5 the all-positive series
 * erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)) (no cancellation); beyond, 1 − erfc(x).
 */
export function erf(x: number): number {
  if (x !== x || x === 0) return x; // NaN, and erf(±0) = ±0 as PyTorch's
  const a = Math.abs(x);
  const s = x < 0 ? -1 : 1;
  if (a >= 6) return s; // erfc(6) ≈ 2e-17 is below half an ulp of 1
  if (a < 2.5) {
    const x2 = a * a;
    let term = a;
    let sum = a;
    for (let n = 1; n < 200 && term > sum * 1e-17; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
    }
    return s * TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  return s * (1 - erfcTail(a));
}

/** erfc(x) = 1 − erf(x), without the cancellation for large x (where it is tiny). */
export function erfc(x: number): number {
  if (x !== x) return x;
  if (x < 0.5) return 1 - erf(x);
  if (x < 2.5) return erfcTail2(x);
  if (x > 27) return 0;
  return erfcTail(x);
}

/** erfc on [0.5, 2.5): 1 − erf loses a few digits there, so integrate from the tail instead. */
function erfcTail2(x: number): number {
  // erfc(x) = erfc(2.5) + ∫ₓ^2.5 2/√π e^(−t²) dt, by Gauss–Legendre on 8 panels (exact to ~1e-16 here)
  const nodes = [-0.906179845938664, -0.5384693101056831, 0, 0.5384693101056831, 0.906179845938664];
  const weights = [0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665, 0.2369268850561891];
  const panels = 8;
  const h = (2.5 - x) / panels;
  let integral = 0;
  for (let p = 0; p < panels; p++) {
    const mid = x + (p + 0.5) * h;
    for (let i = 0; i < nodes.length; i++) {
      const t = mid + (nodes[i]! * h) / 2;
      integral += (weights[i]! * h * Math.exp(-t * t)) / 2;
    }
  }
  return erfcTail(2.5) + TWO_OVER_SQRT_PI * integral;
}

/**
 * erf⁻¹(y) for y in [−1, 1]: Giles' single-precision approximation (2010) polished by two
 * Newton steps on erf, which take it to float64 accuracy. ±1 give ±inf, outside gives NaN.
 */
export function erfinv(y: number): number {
  if (y !== y || y < -1 || y > 1) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  if (y === 0) return y;
  let w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 5) {
    w -= 2.5;
    let p = 2.81022636e-8;
    for (const c of [3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]) p = c + p * w;
    x = p * y;
  } else {
    w = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    for (const c of [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]) p = c + p * w;
    x = p * y;
  }
  for (let i = 0; i < 2; i++) {
    const err = erf(x) - y;
    x -= err / (TWO_OVER_SQRT_PI * Math.exp(-x * x));
  }
  return x;
}

/** Round half to even (PyTorch's and NumPy's `round`), keeping −0 and NaN. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds halves up: a tie that landed on an odd number goes back down
  const tie = r - x === 0.5 && r % 2 !== 0;
  const rounded = tie ? r - 1 : r;
  return rounded === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : rounded;
}

/** sign(x): −1, 0 or 1; +0 for ±0 and NaN, as PyTorch's (0 < x) − (x < 0). */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** Python's (and PyTorch's) remainder: the result takes the divisor's sign. */
export function remainder(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/** PyTorch's maximum/minimum: NaN in either operand gives NaN. */
export function maximum(a: number, b: number): number {
  return a !== a || b !== b ? NaN : a > b ? a : b;
}

export function minimum(a: number, b: number): number {
  return a !== a || b !== b ? NaN : a < b ? a : b;
}
