/**
 * Pointwise activations: each one declared expression (src/ops/pointwise/declarations/activations.ts)
 * run as one fused kernel, its derivative another, both generated from that declaration. No
 * composite of `where` branches is involved, so an unused branch can never overflow into a NaN
 * gradient. Checking options is the caller's job (src/nn/functional/activations.ts).
 */
import { OptionError, ShapeError, formatShape } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { gt, mul, where } from "./elementwise.js";
import { requireFloating } from "./helpers.js";
import { callPointwise } from "./pointwise/call.js";
import * as Act from "./pointwise/declarations/activations.js";
import type { PointwiseDeclaration } from "./pointwise/declare.js";
import { reshape } from "./shape.js";

/** A declared pointwise activation on a float tensor, with its scalar options. */
export function activation(decl: PointwiseDeclaration, x: Tensor, params: number[] = []): Tensor {
  requireFloating(decl.name, x);
  return callPointwise(decl, [x], params);
}

/** ELU family: x > 0 ? x : α(e^(s·x) − 1). ELU has s = 1, CELU s = 1/α. */
export function elu(x: Tensor, alpha: number, inputScale = 1): Tensor {
  return activation(Act.elu, x, [alpha, inputScale]);
}

/** min(max(x, min), max); d/dx = 1 strictly between the bounds, 0 at them (PyTorch's kink rule). */
export function hardtanh(x: Tensor, minVal: number, maxVal: number): Tensor {
  return activation(Act.hardtanh, x, [minVal, maxVal]);
}

/** x·Φ(x). */
export function gelu(x: Tensor): Tensor {
  return activation(Act.gelu, x);
}

/** x/2·(1 + tanh(√(2/π)(x + 0.044715x³))). */
export function geluTanh(x: Tensor): Tensor {
  return activation(Act.geluTanh, x);
}

/** x·σ(x). */
export function silu(x: Tensor): Tensor {
  return activation(Act.silu, x);
}

/** x·tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  return activation(Act.mish, x);
}

/** β·x > threshold ? x : log(1 + e^(β·x))/β. */
export function softplus(x: Tensor, beta: number, threshold: number): Tensor {
  return activation(Act.softplus, x, [beta, threshold]);
}

/** clamp(x + 3, 0, 6)/6. */
export function hardsigmoid(x: Tensor): Tensor {
  return activation(Act.hardsigmoid, x);
}

/** x·clamp(x + 3, 0, 6)/6. */
export function hardswish(x: Tensor): Tensor {
  return activation(Act.hardswish, x);
}

/** log σ(x). */
export function logsigmoid(x: Tensor): Tensor {
  return activation(Act.logsigmoid, x);
}

/** x − λ (x > λ), x + λ (x < −λ), else 0. */
export function softshrink(x: Tensor, lambd: number): Tensor {
  return activation(Act.softshrink, x, [lambd]);
}

/** x where |x| > λ, else 0. */
export function hardshrink(x: Tensor, lambd: number): Tensor {
  return activation(Act.hardshrink, x, [lambd]);
}

/** x ≤ threshold ? value : x. */
export function threshold(x: Tensor, thresholdValue: number, value: number): Tensor {
  return activation(Act.threshold, x, [thresholdValue, value]);
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
