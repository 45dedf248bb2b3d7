/**
 * The pointwise activations, each declared once: its value and, where the symbolic derivative
 * would be unstable or miss PyTorch's value at a kink, its derivative. Written so that nothing
 * overflows at ±100 (e^t only of t ≤ 0, log1p of e^−|x|) and with PyTorch's formulas, so the
 * float32 kernels round where PyTorch's do.
 */
import { binary, ternary, unary } from "../declare.js";
import { add, and, apply, div, ge, gt, le, lt, mul, neg, select, sub, type Expr } from "../expr.js";

const exp = (x: Expr) => apply("exp", x);
const sigmoidOf = (x: Expr) => apply("sigmoid", x);
const tanhOf = (x: Expr) => apply("tanh", x);
const maximum = (a: Expr, b: Expr | number) => apply("maximum", a, b);
const minimum = (a: Expr, b: Expr | number) => apply("minimum", a, b);
/** log(1 + eˣ) = max(x, 0) + log1p(e^−|x|): never overflows, exact at ±100. */
const softplusOf = (x: Expr) => add(maximum(x, 0), apply("log1p", exp(neg(apply("abs", x)))));

export const sigmoid = unary({
  name: "sigmoid",
  node: "SigmoidBackward0",
  forward: (x) => sigmoidOf(x),
  derivative: (_x, y) => mul(y, sub(1, y)), // σ' = σ(1 − σ), from the output: exact at ±100
});

export const tanh = unary({
  name: "tanh",
  node: "TanhBackward0",
  forward: (x) => tanhOf(x),
  derivative: (_x, y) => mul(sub(1, y), add(1, y)), // 1 − tanh², without cancellation near ±1
});

/**
 * max(x, 0): NaN stays NaN, −0 becomes +0. Its derivative is written out rather than derived:
 * maximum's tie rule would give ½ at 0, where PyTorch's is 0 (and it reads only the output).
 */
export const relu = unary({
  name: "relu",
  node: "ReluBackward0",
  dtypes: "numeric",
  forward: (x) => maximum(x, 0),
  derivative: (_x, y) => select(gt(y, 0), 1, 0),
});

/** max(0, x)² (Primer); d/dx = 2·max(0, x), derived from the expression. */
export const reluSquared = unary({
  name: "reluSquared",
  node: "ReluSquaredBackward0",
  forward: (x) => {
    const r = maximum(x, 0);
    return mul(r, r);
  },
});

/** x for x > 0, slope·x otherwise; the slope at 0 too (PyTorch's). */
export const leakyRelu = unary({
  name: "leakyRelu",
  node: "LeakyReluBackward0",
  params: ["negativeSlope"],
  forward: (x, [slope]) => select(gt(x, 0), x, mul(x, slope!)),
  derivative: (x, _y, [slope]) => select(gt(x, 0), 1, slope!),
});

/** ELU family: x > 0 ? x : α(e^(s·x) − 1), d/dx = α·s·e^(s·x) for x ≤ 0. ELU has s = 1, CELU s = 1/α. */
export const elu = unary({
  name: "elu",
  node: "EluBackward0",
  params: ["alpha", "inputScale"],
  forward: (x, [alpha, s]) => select(gt(x, 0), x, mul(alpha!, apply("expm1", mul(x, s!)))),
  derivative: (x, _y, [alpha, s]) => select(gt(x, 0), 1, mul(mul(alpha!, s!), exp(mul(x, s!)))),
});

/** min(max(x, min), max); d/dx = 1 strictly between the bounds, 0 at them (PyTorch's kink rule). */
export const hardtanh = unary({
  name: "hardtanh",
  node: "HardtanhBackward0",
  params: ["minVal", "maxVal"],
  forward: (x, [lo, hi]) => minimum(maximum(x, lo!), hi!),
  derivative: (x, _y, [lo, hi]) => select(and(gt(x, lo!), lt(x, hi!)), 1, 0),
});

/**
 * GELU: x·Φ(x) = x/2·(1 + erf(x/√2)); d/dx = Φ(x) + x·φ(x). Both are primitives, computed as
 * PyTorch does (gelu-erf.ts): in float32 by oneDNN's algorithm, whose erf is Abramowitz–Stegun's
 * (within 1.5e-7) and not torch.erf's, so that nabla's float32 GELU is PyTorch's bit for bit.
 */
export const gelu = unary({
  name: "gelu",
  node: "GeluBackward0",
  forward: (x) => apply("geluErf", x),
  derivative: (x) => apply("geluErfGrad", x),
});

/** √(2/π) and 0.044715: GELU's tanh approximation (PyTorch's kBeta, kKappa). */
const K = Math.sqrt(2 / Math.PI);
const KAPPA = 0.044715;

/** GELU (tanh): x/2·(1 + tanh(u)), u = √(2/π)(x + 0.044715x³). */
export const geluTanh = unary({
  name: "gelu",
  node: "GeluBackward0",
  forward: (x) => mul(mul(0.5, x), add(1, tanhOf(mul(K, add(x, mul(KAPPA, mul(x, mul(x, x)))))))),
  // d/dx = (1 + t)/2 + x/2·(1 − t²)·√(2/π)(1 + 3·0.044715x²), t = tanh(u)
  derivative: (x) => {
    const t = tanhOf(mul(K, add(x, mul(KAPPA, mul(x, mul(x, x))))));
    const du = mul(K, add(1, mul(3 * KAPPA, mul(x, x))));
    return add(mul(0.5, add(1, t)), mul(mul(mul(0.5, x), mul(sub(1, t), add(1, t))), du));
  },
});

/** SiLU (Swish): x·σ(x); d/dx = σ(x)(1 + x(1 − σ(x))). */
export const silu = unary({
  name: "silu",
  node: "SiluBackward0",
  forward: (x) => mul(x, sigmoidOf(x)),
  derivative: (x) => {
    const s = sigmoidOf(x);
    return mul(s, add(1, mul(x, sub(1, s))));
  },
});

/** Mish: x·tanh(softplus(x)); d/dx = tanh(sp) + x·σ(x)(1 − tanh²(sp)). */
export const mish = unary({
  name: "mish",
  node: "MishBackward0",
  forward: (x) => mul(x, tanhOf(softplusOf(x))),
  derivative: (x) => {
    const t = tanhOf(softplusOf(x));
    return add(t, mul(mul(x, sigmoidOf(x)), mul(sub(1, t), add(1, t))));
  },
});

/** β·x > threshold ? x : log(1 + e^(β·x))/β; d/dx = β·x > threshold ? 1 : σ(β·x). */
export const softplus = unary({
  name: "softplus",
  node: "SoftplusBackward0",
  params: ["beta", "threshold"],
  forward: (x, [beta, threshold]) => select(gt(mul(x, beta!), threshold!), x, div(softplusOf(mul(x, beta!)), beta!)),
  derivative: (x, _y, [beta, threshold]) => select(gt(mul(x, beta!), threshold!), 1, sigmoidOf(mul(x, beta!))),
});

/** PyTorch's 1/6 in hardsigmoid's derivative: the float32 constant 1.0f/6.0f, in every dtype. */
const ONE_SIXTH_F32 = Math.fround(1 / 6);

/** min(max(x + 3, 0), 6)/6; d/dx = 1/6 strictly inside (−3, 3), else 0. */
export const hardsigmoid = unary({
  name: "hardsigmoid",
  node: "HardsigmoidBackward0",
  forward: (x) => div(minimum(maximum(add(x, 3), 0), 6), 6),
  derivative: (x) => select(and(gt(x, -3), lt(x, 3)), ONE_SIXTH_F32, 0),
});

/**
 * x·min(max(x + 3, 0), 6)/6; d/dx = 0 for x < −3, x/3 + 1/2 for −3 ≤ x < 3, 1 from 3 on: PyTorch's
 * vectorised kernel (every element of a tensor but a short tail) gives 1 at x = 3.
 */
export const hardswish = unary({
  name: "hardswish",
  node: "HardswishBackward0",
  forward: (x) => div(mul(x, minimum(maximum(add(x, 3), 0), 6)), 6),
  derivative: (x) => select(lt(x, -3), 0, select(lt(x, 3), add(div(x, 3), 0.5), 1)),
});

/** log σ(x) = min(x, 0) − log1p(e^−|x|); d/dx = σ(−x), as PyTorch: z = e^−|x|, x < 0 ? 1 − z/(1+z) : z/(1+z). */
export const logsigmoid = unary({
  name: "logsigmoid",
  node: "LogSigmoidBackward0",
  forward: (x) => sub(minimum(x, 0), apply("log1p", exp(neg(apply("abs", x))))),
  derivative: (x) => {
    const z = exp(neg(apply("abs", x)));
    const q = div(z, add(1, z));
    return select(lt(x, 0), sub(1, q), q);
  },
});

/** 0 on [−λ, λ] (the bounds included), 1 outside: Softshrink's and Hardshrink's derivative. */
const outsideBand = (x: Expr, lambd: Expr): Expr => select(and(ge(x, neg(lambd)), le(x, lambd)), 0, 1);

/** x − λ (x > λ), x + λ (x < −λ), else 0 (NaN stays NaN). */
export const softshrink = unary({
  name: "softshrink",
  node: "SoftshrinkBackward0",
  params: ["lambd"],
  forward: (x, [l]) => select(gt(x, l!), sub(x, l!), select(lt(x, neg(l!)), add(x, l!), select(apply("isnan", x), x, 0))),
  derivative: (x, _y, [l]) => outsideBand(x, l!),
});

/** x where |x| > λ, else 0. */
export const hardshrink = unary({
  name: "hardshrink",
  node: "HardshrinkBackward0",
  params: ["lambd"],
  forward: (x, [l]) => select(and(ge(x, neg(l!)), le(x, l!)), 0, x),
  derivative: (x, _y, [l]) => outsideBand(x, l!),
});

/** x ≤ threshold ? value : x; d/dx = 0 there, 1 elsewhere. */
export const threshold = unary({
  name: "threshold",
  node: "ThresholdBackward0",
  params: ["threshold", "value"],
  forward: (x, [t, value]) => select(le(x, t!), value!, x),
  derivative: (x, _y, [t]) => select(le(x, t!), 0, 1),
});

/**
 * The backward of softmax along a dim, given the upstream gradient g, the output y and
 * s = Σ g·y along the dim: y·(g − s). Declared so that it runs as one kernel, and differentiable
 * like every declaration (second derivatives of softmax go through it).
 */
export const softmaxBackward = ternary({
  name: "softmax",
  node: "SoftmaxBackwardBackward0",
  forward: (g, y, s) => mul(y, sub(g, s)),
});

/** The backward of log-softmax: g − e^y·s, s = Σ g along the dim. */
export const logSoftmaxBackward = ternary({
  name: "logSoftmax",
  node: "LogSoftmaxBackwardBackward0",
  forward: (g, y, s) => sub(g, mul(exp(y), s)),
});

/** The reference log-softmax's last step: (x − m) − log s, m the row maximum and s = Σ e^(x − m). */
export const shiftedLogRatio = ternary({
  name: "logSoftmax",
  node: "LogSoftmaxBackward0",
  forward: (x, m, s) => sub(sub(x, m), apply("log", s)),
});

/** e^(x − m): the reference softmax's numerators, shifted by the row maximum m. */
export const shiftedExp = binary({
  name: "softmax",
  node: "SoftmaxBackward0",
  forward: (x, m) => exp(sub(x, m)),
});
