/**
 * Activation functions, the articles' first subject: PyTorch's whole catalogue with its options and
 * defaults. Pointwise ones run a fused kernel with its derivative (src/ops/activations.ts) so that
 * they stay finite and exact at ±100; the rest are composed from pieces that cannot overflow.
 * Gated units (GLU, SwiGLU, GeGLU) are in ./gated.ts, PReLU/RReLU in ./rectifiers.ts, PAU in ./rational.ts.
 */
import { DTypeError, OptionError } from "../../errors.js";
import { checkOption, positionalOrOptions } from "./options.js";
import { checkOptions, optionKeys } from "../../ops/options.js";
import * as act from "../../ops/activations.js";
import * as declared from "../../ops/pointwise/declarations/activations.js";
import * as ew from "../../ops/elementwise.js";
import * as sm from "../../ops/softmax.js";
import { normalizeDim } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

const finite = (op: string, name: string, v: number) => checkOption(op, name, v, Number.isFinite(v), "a finite number");

/** σ(x) = 1 / (1 + e^−x): outputs in (0, 1), for binary outputs and gates. */
export function sigmoid(x: Tensor): Tensor {
  return ew.sigmoid(x);
}

/** tanh(x) = (eˣ − e^−x) / (eˣ + e^−x): zero-centred outputs in (−1, 1). */
export function tanh(x: Tensor): Tensor {
  return ew.tanh(x);
}

/** max(0, x): cheap and does not saturate for x > 0; the gradient at 0 is 0. */
export function relu(x: Tensor): Tensor {
  return ew.relu(x);
}

/** max(0, x)²: squared ReLU (Primer); d/dx = 2·max(0, x). */
export function reluSquared(x: Tensor): Tensor {
  return act.activation(declared.reluSquared, x);
}

/** min(max(0, x), 6) = hardtanh(x, 0, 6); the gradient at 0 and at 6 is 0. */
export function relu6(x: Tensor): Tensor {
  return act.hardtanh(x, 0, 6);
}

export interface LeakyReluOptions {
  /** Slope for x < 0 (PyTorch's negative_slope). Default 0.01. */
  negativeSlope?: number;
}

/**
 * x for x > 0, negativeSlope·x otherwise: keeps a gradient for negative inputs (negativeSlope at 0).
 * Also PyTorch's positional `leakyRelu(x, 0.2)`.
 */
export function leakyRelu(x: Tensor, options?: LeakyReluOptions): Tensor;
export function leakyRelu(x: Tensor, negativeSlope?: number): Tensor;
export function leakyRelu(x: Tensor, ...args: unknown[]): Tensor {
  const { negativeSlope = 0.01 } = positionalOrOptions<LeakyReluOptions>("leakyRelu", args, ["negativeSlope"]);
  finite("leakyRelu", "negativeSlope", negativeSlope);
  return ew.leakyRelu(x, negativeSlope);
}

export interface AlphaOptions {
  /** ELU: the value −α that the function tends to as x → −∞. Default 1. */
  alpha?: number;
}

/** ELU: x for x > 0, α(eˣ − 1) otherwise; smooth, negative outputs push mean activations to 0. Also `elu(x, alpha)`. */
export function elu(x: Tensor, options?: AlphaOptions): Tensor;
export function elu(x: Tensor, alpha?: number): Tensor;
export function elu(x: Tensor, ...args: unknown[]): Tensor {
  const { alpha = 1 } = positionalOrOptions<AlphaOptions>("elu", args, ["alpha"]);
  finite("elu", "alpha", alpha);
  return act.elu(x, alpha);
}

/** SELU's constants (Klambauer et al. 2017), as PyTorch's. */
export const SELU_ALPHA = 1.6732632423543772848170429916717;
export const SELU_SCALE = 1.0507009873554804934193349852946;

/** SELU: λ·ELU(x, α) with λ ≈ 1.0507, α ≈ 1.6733: self-normalising networks. */
export function selu(x: Tensor): Tensor {
  return ew.mul(act.elu(x, SELU_ALPHA), SELU_SCALE);
}

/** CELU: max(0, x) + min(0, α(e^(x/α) − 1)); continuously differentiable for every α ≠ 0. Also `celu(x, alpha)`. */
export function celu(x: Tensor, options?: AlphaOptions): Tensor;
export function celu(x: Tensor, alpha?: number): Tensor;
export function celu(x: Tensor, ...args: unknown[]): Tensor {
  const { alpha = 1 } = positionalOrOptions<AlphaOptions>("celu", args, ["alpha"]);
  checkOption("celu", "alpha", alpha, Number.isFinite(alpha) && alpha !== 0, "a finite non-zero number");
  return act.elu(x, alpha, 1 / alpha);
}

export interface GeluOptions {
  /** "none": exact x·Φ(x); "tanh": the tanh approximation. Default "none". */
  approximate?: "none" | "tanh";
}

const GELU_KEYS = optionKeys<GeluOptions>({ approximate: true });

/** GELU: x·Φ(x), Φ the standard normal CDF; the transformers' default. */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  checkOptions("gelu", options, GELU_KEYS);
  const { approximate = "none" } = options;
  if (approximate !== "none" && approximate !== "tanh") {
    throw new OptionError(`gelu: approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`);
  }
  return approximate === "tanh" ? act.geluTanh(x) : act.gelu(x);
}

/** SiLU (Swish): x·σ(x); smooth and non-monotonic. */
export function silu(x: Tensor): Tensor {
  return act.silu(x);
}

/** Mish: x·tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  return act.mish(x);
}

export interface SoftplusOptions {
  /** Sharpness β > 0. Default 1. */
  beta?: number;
  /** Above β·x > threshold the function is taken as linear. Default 20. */
  threshold?: number;
}

/** Softplus: log(1 + e^(β·x))/β, a smooth ReLU; x itself once β·x > threshold. Also `softplus(x, beta, threshold)`. */
export function softplus(x: Tensor, options?: SoftplusOptions): Tensor;
export function softplus(x: Tensor, beta?: number, threshold?: number): Tensor;
export function softplus(x: Tensor, ...args: unknown[]): Tensor {
  const { beta = 1, threshold = 20 } = positionalOrOptions<SoftplusOptions>("softplus", args, ["beta", "threshold"]);
  checkOption("softplus", "beta", beta, beta > 0 && Number.isFinite(beta), "a finite number > 0");
  checkOption("softplus", "threshold", threshold, true, "a number");
  return act.softplus(x, beta, threshold);
}

/** Softsign: x / (1 + |x|); like tanh with polynomial tails. d/dx = 1/(1 + |x|)². */
export function softsign(x: Tensor): Tensor {
  requireFloat("softsign", x);
  return ew.div(x, ew.add(ew.abs(x), 1));
}

export interface HardtanhOptions {
  /** Default −1. */
  minVal?: number;
  /** Default 1. */
  maxVal?: number;
}

/** Hardtanh: min(max(x, minVal), maxVal); the gradient is 0 at the bounds, as in PyTorch. Also `hardtanh(x, minVal, maxVal)`. */
export function hardtanh(x: Tensor, options?: HardtanhOptions): Tensor;
export function hardtanh(x: Tensor, minVal?: number, maxVal?: number): Tensor;
export function hardtanh(x: Tensor, ...args: unknown[]): Tensor {
  const { minVal = -1, maxVal = 1 } = positionalOrOptions<HardtanhOptions>("hardtanh", args, ["minVal", "maxVal"]);
  checkOption("hardtanh", "minVal", minVal, true, "a number");
  checkOption("hardtanh", "maxVal", maxVal, maxVal > minVal, `greater than minVal (${minVal})`);
  return act.hardtanh(x, minVal, maxVal);
}

/** Hardsigmoid: min(max(x + 3, 0), 6)/6, a piecewise-linear sigmoid. */
export function hardsigmoid(x: Tensor): Tensor {
  return act.hardsigmoid(x);
}

/** Hardswish: x·hardsigmoid(x) (MobileNetV3). */
export function hardswish(x: Tensor): Tensor {
  return act.hardswish(x);
}

/** LogSigmoid: log σ(x) = −softplus(−x), finite for every x. */
export function logsigmoid(x: Tensor): Tensor {
  return act.logsigmoid(x);
}

/** Tanhshrink: x − tanh(x). d/dx = tanh²(x). */
export function tanhshrink(x: Tensor): Tensor {
  requireFloat("tanhshrink", x);
  return ew.sub(x, ew.tanh(x));
}

export interface ShrinkOptions {
  /** λ ≥ 0. Default 0.5. */
  lambd?: number;
}

/** Softshrink: x − λ for x > λ, x + λ for x < −λ, 0 between. Also `softshrink(x, lambd)`. */
export function softshrink(x: Tensor, options?: ShrinkOptions): Tensor;
export function softshrink(x: Tensor, lambd?: number): Tensor;
export function softshrink(x: Tensor, ...args: unknown[]): Tensor {
  const { lambd = 0.5 } = positionalOrOptions<ShrinkOptions>("softshrink", args, ["lambd"]);
  checkOption("softshrink", "lambd", lambd, lambd >= 0, "≥ 0");
  return act.softshrink(x, lambd);
}

/** Hardshrink: x for |x| > λ, 0 otherwise. Also `hardshrink(x, lambd)`. */
export function hardshrink(x: Tensor, options?: ShrinkOptions): Tensor;
export function hardshrink(x: Tensor, lambd?: number): Tensor;
export function hardshrink(x: Tensor, ...args: unknown[]): Tensor {
  const { lambd = 0.5 } = positionalOrOptions<ShrinkOptions>("hardshrink", args, ["lambd"]);
  return act.hardshrinkChecked(x, lambd);
}

/** Threshold: x for x > threshold, value otherwise (both required, as in PyTorch). */
export function threshold(x: Tensor, thresholdValue: number, value: number): Tensor {
  checkOption("threshold", "threshold", thresholdValue, true, "a number");
  checkOption("threshold", "value", value, true, "a number");
  return act.threshold(x, thresholdValue, value);
}

/** exp(xᵢ) / Σⱼ exp(xⱼ) along `dim`: a probability distribution over classes. */
export function softmax(x: Tensor, dim: number): Tensor {
  return sm.softmax(x, dim);
}

/** log softmax along `dim`, computed without forming exp(x). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return sm.logSoftmax(x, dim);
}

/** Softmin: softmax(−x) along `dim`; weights the smallest entries most. */
export function softmin(x: Tensor, dim: number): Tensor {
  requireFloat("softmin", x);
  return sm.softmax(ew.neg(x), normalizeDim("softmin", dim, x.ndim));
}

function requireFloat(op: string, x: Tensor): void {
  if (x.dtype !== "float32" && x.dtype !== "float64") {
    throw new DTypeError(`${op}: expected input to have a floating point dtype (float32 or float64), got ${x.dtype}`);
  }
}

export * from "./gated.js";
export * from "./rectifiers.js";
export * from "./rational.js";
