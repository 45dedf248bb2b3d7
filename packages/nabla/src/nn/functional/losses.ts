/**
 * Loss functions: how far predictions are from targets, reduced to one number (or not).
 * This file holds the regression losses; classification losses are in ./classification-losses.ts,
 * margin and embedding losses in ./embedding-losses.ts. Every loss takes `reduction`
 * ("mean" | "sum" | "none", default "mean") and gives gradients to the input and the target.
 */
import { recordOp } from "../../autograd/node.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { OptionError, ShapeError, formatShape } from "../../errors.js";
import { abs, add, clamp, div, exp, ge, le, log, lt, mul, neg, sub, where } from "../../ops/elementwise.js";
import { gt } from "../../ops/elementwise.js";
import { min } from "../../ops/reduce.js";
import { unsqueeze } from "../../ops/shape.js";
import { shapesEqual } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import {
  checkFloating,
  checkNonNegative,
  checkReduction,
  checkSameShape,
  reduce,
  type LossOptions,
} from "./loss-reduction.js";
import { checkOptions, optionKeys } from "../../ops/options.js";

export { checkReduction, reduce, type LossOptions, type Reduction } from "./loss-reduction.js";
export * from "./classification-losses.js";
export * from "./embedding-losses.js";

function pointwiseChecks(op: string, input: Tensor, target: Tensor, reduction: unknown): void {
  checkReduction(op, reduction);
  checkSameShape(op, input, target);
  checkFloating(op, ["input", input], ["target", target]);
}

const MSE_LOSS_KEYS = optionKeys<LossOptions>({ reduction: true });

/** MSE: (x − y)², reduced. ∂/∂x = 2(x − y). */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkOptions("mseLoss", options, MSE_LOSS_KEYS);
  const { reduction = "mean" } = options;
  pointwiseChecks("mseLoss", input, target, reduction);
  const diff = sub(input, target);
  return reduce(mul(diff, diff), reduction);
}

const L1_LOSS_KEYS = optionKeys<LossOptions>({ reduction: true });

/** L1: |x − y|, reduced. ∂/∂x = sign(x − y), 0 where x = y (PyTorch's). */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkOptions("l1Loss", options, L1_LOSS_KEYS);
  const { reduction = "mean" } = options;
  pointwiseChecks("l1Loss", input, target, reduction);
  return reduce(abs(sub(input, target)), reduction);
}

export interface SmoothL1Options extends LossOptions {
  /** Where the loss turns from quadratic to linear, ≥ 0. Default 1. */
  beta?: number;
}

const SMOOTH_L1_LOSS_KEYS = optionKeys<SmoothL1Options>({ reduction: true, beta: true });

/**
 * Smooth L1: 0.5d²/β for |d| < β, |d| − 0.5β otherwise (d = x − y); L1 when β = 0.
 * ∂/∂x = d/β inside, sign(d) outside (±1 at |d| = β either way; −1 at d = 0 when β = 0, as PyTorch).
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1Options = {}): Tensor {
  checkOptions("smoothL1Loss", options, SMOOTH_L1_LOSS_KEYS);
  const { reduction = "mean", beta = 1 } = options;
  pointwiseChecks("smoothL1Loss", input, target, reduction);
  checkNonNegative("smoothL1Loss", "beta", beta);
  const d = sub(input, target);
  if (beta === 0) return reduce(absWithPyTorchKink(input, target), reduction);
  const a = abs(d);
  // both branches are finite, so the unused one contributes a gradient of exactly 0
  return reduce(where(lt(a, beta), div(mul(mul(d, d), 0.5), beta), sub(a, 0.5 * beta)), reduction);
}

/**
 * |x − y| as smooth L1 with β = 0 has it in PyTorch: its kernel tests d ≤ −β first, so at d = 0
 * both the input's and the target's gradient are −1 (l1Loss gives 0 there).
 * ∂/∂x = d ≤ 0 ? −1 : 1;  ∂/∂y = d ≥ 0 ? −1 : 1.
 */
function absWithPyTorchKink(input: Tensor, target: Tensor): Tensor {
  const d = sub(input.detach(), target.detach());
  return recordOp("SmoothL1LossBackward0", abs(d), [input, target], (g) => [
    input.requiresGrad ? where(le(d, 0), neg(g), g) : null,
    target.requiresGrad ? where(ge(d, 0), neg(g), g) : null,
  ]);
}

export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear, > 0. Default 1. */
  delta?: number;
}

const HUBER_LOSS_KEYS = optionKeys<HuberOptions>({ reduction: true, delta: true });

/** Huber: 0.5d² for |d| < δ, δ(|d| − 0.5δ) otherwise. ∂/∂x = d inside, δ·sign(d) outside. */
export function huberLoss(input: Tensor, target: Tensor, options: HuberOptions = {}): Tensor {
  checkOptions("huberLoss", options, HUBER_LOSS_KEYS);
  const { reduction = "mean", delta = 1 } = options;
  pointwiseChecks("huberLoss", input, target, reduction);
  checkNonNegative("huberLoss", "delta", delta, true);
  const d = sub(input, target);
  const a = abs(d);
  return reduce(where(lt(a, delta), mul(mul(d, d), 0.5), mul(sub(a, 0.5 * delta), delta)), reduction);
}

export interface PoissonNllOptions extends LossOptions {
  /** The input is log λ (default true) or λ itself. */
  logInput?: boolean;
  /** Add Stirling's approximation of log(y!) for y > 1. Default false. */
  full?: boolean;
  /** Added to λ before its log when logInput is false. Default 1e-8. */
  eps?: number;
}

const POISSON_NLL_LOSS_KEYS = optionKeys<PoissonNllOptions>({ reduction: true, logInput: true, full: true, eps: true });

/**
 * Poisson negative log-likelihood of targets y under rate λ:
 * logInput: e^x − y·x;  otherwise: x − y·log(x + eps);  full adds y·log y − y + ½log(2πy) where y > 1.
 */
export function poissonNllLoss(
  input: Tensor,
  target: Tensor,
  options: PoissonNllOptions = {},
): Tensor {
  checkOptions("poissonNllLoss", options, POISSON_NLL_LOSS_KEYS);
  const { reduction = "mean", logInput = true, full = false, eps = 1e-8 } = options;
  pointwiseChecks("poissonNllLoss", input, target, reduction);
  checkNonNegative("poissonNllLoss", "eps", eps);
  let loss = logInput ? sub(exp(input), mul(target, input)) : sub(input, mul(target, log(add(input, eps))));
  if (full) {
    const big = gt(target, 1);
    const y = where(big, target, 2); // a safe stand-in where the term is masked, so log never sees 0
    const stirling = add(sub(mul(y, log(y)), y), mul(log(mul(y, 2 * Math.PI)), 0.5));
    loss = add(loss, where(big, stirling, 0));
  }
  return reduce(loss, reduction);
}

export interface GaussianNllOptions extends LossOptions {
  /** Add the constant ½log(2π). Default false. */
  full?: boolean;
  /** var is clamped to ≥ eps (for the value only; the gradient passes as if unclamped). Default 1e-6. */
  eps?: number;
}

/** var clamped to ≥ eps in value, with the identity as its gradient (PyTorch clamps under no_grad). */
function clampValueOnly(v: Tensor, eps: number): Tensor {
  const out = noGrad(() => clamp(v, { min: eps }));
  return recordOp("CloneBackward0", out, [v], (g) => [g]); // d/dv = 1
}

const GAUSSIAN_NLL_LOSS_KEYS = optionKeys<GaussianNllOptions>({ reduction: true, full: true, eps: true });

/**
 * Gaussian negative log-likelihood of targets y under N(x, var):
 * ½(log max(var, eps) + (x − y)² / max(var, eps)) (+ ½log 2π when full).
 * var has the input's shape, or lacks its last dim, or has 1 there (one variance per sample).
 */
export function gaussianNllLoss(
  input: Tensor,
  target: Tensor,
  variance: Tensor,
  options: GaussianNllOptions = {},
): Tensor {
  checkOptions("gaussianNllLoss", options, GAUSSIAN_NLL_LOSS_KEYS);
  const { reduction = "mean", full = false, eps = 1e-6 } = options;
  pointwiseChecks("gaussianNllLoss", input, target, reduction);
  checkFloating("gaussianNllLoss", ["var", variance]);
  checkNonNegative("gaussianNllLoss", "eps", eps);
  let v = variance;
  if (!shapesEqual(v.shape, input.shape)) {
    const lead = input.shape.slice(0, -1);
    if (input.ndim > 0 && shapesEqual(v.shape, lead)) v = unsqueeze(v, -1);
    else if (!(input.ndim > 0 && v.ndim === input.ndim && shapesEqual(v.shape.slice(0, -1), lead) && v.shape[v.ndim - 1] === 1)) {
      throw new ShapeError(`gaussianNllLoss: var is of incorrect size ${formatShape(v.shape)} for input ${formatShape(input.shape)}`);
    }
  }
  // one scalar read, as PyTorch's any(var < 0): the most negative entry, else 0 (NaN is not negative)
  const least = v.numel() === 0 ? 0 : noGrad(() => min(where(lt(v, 0), v, 0))).item();
  if (least < 0) throw new OptionError(`gaussianNllLoss: var has negative entry/entries, e.g. ${least}`);
  const vc = clampValueOnly(v, eps);
  const d = sub(input, target);
  let loss = mul(add(log(vc), div(mul(d, d), vc)), 0.5);
  if (full) loss = add(loss, 0.5 * Math.log(2 * Math.PI));
  return reduce(loss, reduction);
}
