/**
 * Activation functions, the articles' first subject. Each has a fused kernel and gradient in
 * src/ops, so that it is fast and exact at the extremes (±100).
 */
import { OptionError } from "../../errors.js";
import * as ew from "../../ops/elementwise.js";
import * as sm from "../../ops/softmax.js";
import type { Tensor } from "../../tensor/tensor.js";

/** σ(x) = 1 / (1 + e^−x): outputs in (0, 1), for binary outputs and gates. */
export function sigmoid(x: Tensor): Tensor {
  return ew.sigmoid(x);
}

/** tanh(x) = (eˣ − e^−x) / (eˣ + e^−x): zero-centred outputs in (−1, 1). */
export function tanh(x: Tensor): Tensor {
  return ew.tanh(x);
}

/** max(0, x): cheap and does not saturate for x > 0. */
export function relu(x: Tensor): Tensor {
  return ew.relu(x);
}

export interface LeakyReluOptions {
  /** Slope for x < 0 (PyTorch's negative_slope). */
  negativeSlope?: number;
}

/** x for x ≥ 0, negativeSlope·x otherwise: keeps a gradient for negative inputs. */
export function leakyRelu(x: Tensor, { negativeSlope = 0.01 }: LeakyReluOptions = {}): Tensor {
  if (!Number.isFinite(negativeSlope)) throw new OptionError(`leakyRelu: negativeSlope must be a finite number, got ${negativeSlope}`);
  return ew.leakyRelu(x, negativeSlope);
}

/** exp(xᵢ) / Σⱼ exp(xⱼ) along `dim`: a probability distribution over classes. */
export function softmax(x: Tensor, dim: number): Tensor {
  return sm.softmax(x, dim);
}

/** log softmax along `dim`, computed without forming exp(x). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return sm.logSoftmax(x, dim);
}
