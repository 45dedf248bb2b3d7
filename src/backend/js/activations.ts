/**
 * Activation and loss kernels of the JS backend: each forward map beside its derivative, written
 * so that no intermediate overflows (e^x is only taken where it cannot be inf, log of 0 is
 * clamped), and with PyTorch's value at every kink. Spread into UNARY / BINARY in elementwise.ts.
 * `alpha`/`beta` carry the function's scalar options (named at each entry).
 */
import type { ActivationBinaryOp, ActivationUnaryOp } from "../backend.js";

type UnaryFn = (x: number, alpha: number, beta: number) => number;
type BinaryFn = (a: number, b: number, alpha: number) => number;

const SQRT1_2 = Math.SQRT1_2;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
/** 1/√(2π), the standard normal density at 0. */
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
/** √(2/π), GELU's tanh-approximation constant (PyTorch's kBeta). */
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_KAPPA = 0.044715;
const ONE_SIXTH_F32 = Math.fround(1 / 6);

/**
 * erf(x) to within a few ulps. For |x| < 2.5 the all-positive series
 * erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)) (no cancellation); beyond, 1 − erfc(x)
 * with erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) evaluated from the tail.
 */
export function erf(x: number): number {
  if (x !== x) return x;
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
  let frac = a;
  for (let k = 120; k >= 1; k--) frac = a + k / 2 / frac;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / frac;
  return s * (1 - erfc);
}

/** σ(x) = 1 / (1 + e^−x), taking e^t only of t ≤ 0. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + eˣ) = max(x, 0) + log1p(e^−|x|): never overflows, exact at ±100. */
function softplus1(x: number): number {
  return (x > 0 ? x : 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export const ACTIVATION_UNARY: Record<ActivationUnaryOp, UnaryFn> = {
  // ELU family, alpha = α, beta = input scale s: x > 0 ? x : α(e^(s·x) − 1)
  elu: (x, alpha, s) => (x > 0 ? x : alpha * Math.expm1(x * s)),
  // d/dx = x > 0 ? 1 : α·s·e^(s·x)   (the x ≤ 0 branch at 0, as PyTorch: α·s)
  eluGrad: (x, alpha, s) => (x > 0 ? 1 : alpha * s * Math.exp(x * s)),
  // hardtanh's derivative, alpha = min, beta = max: 1 strictly inside (min, max), 0 at and beyond the bounds
  hardtanhGrad: (x, lo, hi) => (x <= lo || x >= hi ? 0 : 1),
  // GELU: x·Φ(x) = x/2·(1 + erf(x/√2)), PyTorch's formula
  gelu: (x) => 0.5 * x * (1 + erf(x * SQRT1_2)),
  // d/dx = Φ(x) + x·φ(x)
  geluGrad: (x) => 0.5 * (1 + erf(x * SQRT1_2)) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI,
  // GELU (tanh): x/2·(1 + tanh(√(2/π)(x + 0.044715x³)))
  geluTanh: (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + GELU_KAPPA * x * x * x))),
  // d/dx = (1 + t)/2 + x/2·(1 − t²)·√(2/π)(1 + 3·0.044715x²), t = tanh(inner)
  geluTanhGrad: (x) => {
    const t = Math.tanh(SQRT_2_OVER_PI * (x + GELU_KAPPA * x * x * x));
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_KAPPA * x * x);
  },
  // SiLU: x·σ(x)
  silu: (x) => x * sigmoid(x),
  // d/dx = σ(x)(1 + x(1 − σ(x)))
  siluGrad: (x) => {
    const s = sigmoid(x);
    return s * (1 + x * (1 - s));
  },
  // Mish: x·tanh(softplus(x))
  mish: (x) => x * Math.tanh(softplus1(x)),
  // d/dx = tanh(sp) + x·σ(x)(1 − tanh²(sp)), sp = softplus(x)
  mishGrad: (x) => {
    const t = Math.tanh(softplus1(x));
    return t + x * sigmoid(x) * (1 - t * t);
  },
  // Softplus, alpha = β, beta = threshold: β·x > threshold ? x : log(1 + e^(β·x))/β
  softplus: (x, b, threshold) => (b * x > threshold ? x : softplus1(b * x) / b),
  // d/dx = β·x > threshold ? 1 : σ(β·x)
  softplusGrad: (x, b, threshold) => (b * x > threshold ? 1 : sigmoid(b * x)),
  // Hardsigmoid: min(max(x + 3, 0), 6)/6
  hardsigmoid: (x) => (x !== x ? x : Math.min(Math.max(x + 3, 0), 6) / 6),
  // d/dx = 1/6 strictly inside (−3, 3), else 0; PyTorch's 1/6 is the float32 constant 1.0f/6.0f, in every dtype
  hardsigmoidGrad: (x) => (x > -3 && x < 3 ? ONE_SIXTH_F32 : 0),
  // Hardswish: x·min(max(x + 3, 0), 6)/6
  hardswish: (x) => (x !== x ? x : (x * Math.min(Math.max(x + 3, 0), 6)) / 6),
  // d/dx = 0 for x < −3, x/3 + 1/2 for −3 ≤ x < 3, 1 from 3 on. PyTorch's vectorised kernel (every
  // element of a tensor but a short tail) gives 1 at x = 3; its scalar tail gives 1.5 there.
  hardswishGrad: (x) => (x < -3 ? 0 : x < 3 ? x / 3 + 0.5 : 1),
  // log σ(x) = min(x, 0) − log1p(e^−|x|)
  logSigmoid: (x) => (x < 0 ? x : 0) - Math.log1p(Math.exp(-Math.abs(x))),
  // d/dx = 1 − σ(x) = σ(−x), as PyTorch: z = e^−|x|, x < 0 ? 1 − z/(1+z) : z/(1+z)
  logSigmoidGrad: (x) => {
    const z = Math.exp(-Math.abs(x));
    return x < 0 ? 1 - z / (1 + z) : z / (1 + z);
  },
  // Softshrink, alpha = λ: x > λ ? x − λ : x < −λ ? x + λ : 0
  softshrink: (x, l) => (x > l ? x - l : x < -l ? x + l : x !== x ? x : 0),
  // Softshrink and Hardshrink: d/dx = 0 on [−λ, λ] (bounds included), 1 outside
  shrinkGrad: (x, l) => (x >= -l && x <= l ? 0 : 1),
  // Hardshrink, alpha = λ: x on |x| > λ, 0 on [−λ, λ]
  hardshrink: (x, l) => (x >= -l && x <= l ? 0 : x),
  // Threshold, alpha = threshold, beta = value: x ≤ threshold ? value : x
  threshold: (x, t, value) => (x <= t ? value : x),
  // d/dx = x ≤ threshold ? 0 : 1
  thresholdGrad: (x, t) => (x <= t ? 0 : 1),
};

/** PyTorch clamps BCE's logs at −100 so that a probability of exactly 0 or 1 gives a finite loss. */
const LOG_FLOOR = -100;
/** PyTorch's floor on x(1 − x) in BCE's gradient: the float32 constant 1e-12f, in every dtype. */
const BCE_EPS = Math.fround(1e-12);

export const ACTIVATION_BINARY: Record<ActivationBinaryOp, BinaryFn> = {
  // BCE, a = probability x, b = target y: −(y·max(log x, −100) + (1 − y)·max(log(1 − x), −100))
  bce: (x, y) => (y - 1) * Math.max(Math.log1p(-x), LOG_FLOOR) - y * Math.max(Math.log(x), LOG_FLOOR),
  // ∂/∂x = (x − y) / max(x(1 − x), 1e-12f)
  bceGrad: (x, y) => (x - y) / Math.max((1 - x) * x, BCE_EPS),
  // ∂/∂y = log(1 − x) − log(x) (unclamped, as PyTorch: ±inf at x = 0 or 1)
  bceTargetGrad: (x) => Math.log1p(-x) - Math.log(x),
};
