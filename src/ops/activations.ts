/**
 * Pointwise activations with fused kernels: each op runs one forward kernel, and its gradient is
 * the upstream gradient times one derivative kernel evaluated at the input. No composite of
 * `where` branches is involved, so an unused branch can never overflow into a NaN gradient.
 * Checking options is the caller's job (src/nn/functional/activations.ts).
 */
import type { UnaryOp } from "../backend/backend.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import type { Tensor } from "../tensor/tensor.js";
import { formatShape, OptionError, ShapeError } from "../errors.js";
import { add, clamp, exp, gt, lt, mul, neg, sigmoid, sub, tanh, unaryKernel, where } from "./elementwise.js";
import { requireFloating } from "./helpers.js";
import { reshape } from "./shape.js";

/**
 * The derivative written with differentiable ops, for a backward pass that is itself recorded
 * (createGraph: second derivatives, gradient penalties): the fused derivative kernel's result
 * has no graph of its own. Activations whose derivative is piecewise constant need none — their
 * second derivative is 0 wherever it exists, as in PyTorch.
 */
type DifferentiableDerivative = (x: Tensor) => Tensor;

/** y = forward(x); dy/dx = derivative(x), both with the op's scalar options alpha, beta. */
function pointwise(
  op: string,
  node: string,
  forward: UnaryOp,
  derivative: UnaryOp,
  x: Tensor,
  alpha?: number,
  beta?: number,
  differentiable?: DifferentiableDerivative,
): Tensor {
  requireFloating(op, x);
  const out = unaryKernel(forward, x, x.dtype, alpha, beta);
  return recordOp(node, out, [x], (g) => [
    mul(g, isGradEnabled() && differentiable !== undefined ? differentiable(x) : unaryKernel(derivative, x, x.dtype, alpha, beta)),
  ], [x]);
}

/** e^(min(x, 0)·s): finite everywhere, so the branch `where` discards never turns its gradient into 0·∞. */
const expOfNegativePart = (x: Tensor, s: number): Tensor => exp(mul(clamp(x, { max: 0 }), s));

/** ELU family: x > 0 ? x : α(e^(s·x) − 1); d/dx = x > 0 ? 1 : α·s·e^(s·x). ELU has s = 1, CELU s = 1/α. */
export function elu(x: Tensor, alpha: number, inputScale = 1): Tensor {
  return pointwise("elu", "EluBackward0", "elu", "eluGrad", x, alpha, inputScale, (v) =>
    where(gt(v, 0), 1, mul(expOfNegativePart(v, inputScale), alpha * inputScale)),
  );
}

/** min(max(x, min), max); d/dx = 1 strictly between the bounds, 0 at them (PyTorch's kink rule). */
export function hardtanh(x: Tensor, minVal: number, maxVal: number): Tensor {
  return pointwise("hardtanh", "HardtanhBackward0", "clamp", "hardtanhGrad", x, minVal, maxVal);
}

/** x·Φ(x); d/dx = Φ(x) + x·φ(x). */
export function gelu(x: Tensor): Tensor {
  return pointwise("gelu", "GeluBackward0", "gelu", "geluGrad", x, undefined, undefined, geluDerivative);
}

/**
 * GELU's derivative Φ(x) + x·φ(x) from its kernel (there is no erf op), recorded with its own
 * derivative φ(x)·(2 − x²), φ(x) = e^(−x²/2)/√(2π).
 */
function geluDerivative(x: Tensor): Tensor {
  const value = unaryKernel("geluGrad", x);
  return recordOp("GeluBackwardBackward0", value, [x], (g) => {
    const phi = mul(exp(mul(mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    return [mul(g, mul(phi, sub(2, mul(x, x))))];
  });
}

/** x/2·(1 + tanh(√(2/π)(x + 0.044715x³))); derivative in the kernel file. */
export function geluTanh(x: Tensor): Tensor {
  return pointwise("gelu", "GeluBackward0", "geluTanh", "geluTanhGrad", x, undefined, undefined, (v) => {
    // u = k(x + 0.044715x³), t = tanh(u): d/dx = ½(1 + t) + ½x(1 − t²)·k(1 + 3·0.044715x²)
    const k = Math.sqrt(2 / Math.PI);
    const v2 = mul(v, v);
    const t = tanh(mul(add(v, mul(mul(v2, v), 0.044715)), k));
    const du = mul(add(mul(v2, 3 * 0.044715), 1), k);
    return add(mul(add(t, 1), 0.5), mul(mul(mul(v, 0.5), sub(1, mul(t, t))), du));
  });
}

/** x·σ(x); d/dx = σ(x)(1 + x(1 − σ(x))). */
export function silu(x: Tensor): Tensor {
  return pointwise("silu", "SiluBackward0", "silu", "siluGrad", x, undefined, undefined, (v) => {
    const s = sigmoid(v);
    return mul(s, add(mul(v, sub(1, s)), 1));
  });
}

/** x·tanh(softplus(x)); d/dx = tanh(sp) + x·σ(x)(1 − tanh²(sp)). */
export function mish(x: Tensor): Tensor {
  return pointwise("mish", "MishBackward0", "mish", "mishGrad", x, undefined, undefined, (v) => {
    const t = tanh(softplus(v, 1, 20));
    return add(t, mul(mul(v, sigmoid(v)), sub(1, mul(t, t))));
  });
}

/** β·x > threshold ? x : log(1 + e^(β·x))/β; d/dx = β·x > threshold ? 1 : σ(β·x). */
export function softplus(x: Tensor, beta: number, threshold: number): Tensor {
  return pointwise("softplus", "SoftplusBackward0", "softplus", "softplusGrad", x, beta, threshold, (v) => {
    const bx = mul(v, beta);
    return where(gt(bx, threshold), 1, sigmoid(bx));
  });
}

/** clamp(x + 3, 0, 6)/6; d/dx = 1/6 strictly inside (−3, 3), else 0. */
export function hardsigmoid(x: Tensor): Tensor {
  return pointwise("hardsigmoid", "HardsigmoidBackward0", "hardsigmoid", "hardsigmoidGrad", x);
}

/** x·clamp(x + 3, 0, 6)/6; d/dx = 0 (x < −3), x/3 + 1/2 (−3 ≤ x < 3), 1 (x ≥ 3, as PyTorch's vectorised kernel). */
export function hardswish(x: Tensor): Tensor {
  return pointwise("hardswish", "HardswishBackward0", "hardswish", "hardswishGrad", x, undefined, undefined, (v) =>
    where(lt(v, -3), 0, where(lt(v, 3), add(mul(v, 1 / 3), 0.5), 1)),
  );
}

/** log σ(x) = min(x, 0) − log1p(e^−|x|); d/dx = σ(−x). */
export function logsigmoid(x: Tensor): Tensor {
  return pointwise("logsigmoid", "LogSigmoidBackward0", "logSigmoid", "logSigmoidGrad", x, undefined, undefined, (v) =>
    sigmoid(neg(v)),
  );
}

/** x − λ (x > λ), x + λ (x < −λ), else 0; d/dx = 0 on [−λ, λ], else 1. */
export function softshrink(x: Tensor, lambd: number): Tensor {
  return pointwise("softshrink", "SoftshrinkBackward0", "softshrink", "shrinkGrad", x, lambd);
}

/** x where |x| > λ, else 0; d/dx = 0 on [−λ, λ], else 1. */
export function hardshrink(x: Tensor, lambd: number): Tensor {
  return pointwise("hardshrink", "HardshrinkBackward0", "hardshrink", "shrinkGrad", x, lambd);
}

/** x ≤ threshold ? value : x; d/dx = x ≤ threshold ? 0 : 1. */
export function threshold(x: Tensor, thresholdValue: number, value: number): Tensor {
  return pointwise("threshold", "ThresholdBackward0", "threshold", "thresholdGrad", x, thresholdValue, value);
}

/** hardshrink with its option checked, for the tensor method `x.hardshrink({ lambd })`. */
export function hardshrinkChecked(x: Tensor, lambd = 0.5): Tensor {
  if (typeof lambd !== "number" || !(lambd >= 0)) throw new OptionError(`hardshrink: lambd must be ≥ 0, got ${String(lambd)}`);
  return hardshrink(x, lambd);
}

/**
 * PReLU: x for x > 0, a·x otherwise, with a learned slope `weight` of one element or one per
 * channel (dim 1 of the input). ∂/∂x = x > 0 ? 1 : a, ∂/∂a = x > 0 ? 0 : x (so a at x = 0).
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  requireFloating("prelu", x);
  const n = weight.numel();
  const channels = x.ndim >= 2 ? x.shape[1]! : 1;
  if (weight.ndim > 1 || (n !== 1 && n !== channels)) {
    throw new ShapeError(
      `prelu: weight ${formatShape(weight.shape)} must have 1 element or one per channel (${channels} for input ${formatShape(x.shape)})`,
    );
  }
  // a broadcast over dim 1: [C, 1, …, 1] (ndim − 2 ones), or one slope for everything
  const a = n === 1 ? reshape(weight, []) : reshape(weight, [n, ...Array<number>(x.ndim - 2).fill(1)]);
  // Both branches are finite products, so the gradient of `where` cannot meet 0·inf.
  return where(gt(x, 0), x, mul(a, x));
}
