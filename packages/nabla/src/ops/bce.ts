/**
 * Binary cross-entropy on probabilities, one declared expression (declarations/losses.ts) with its
 * derivatives: composing it from log and clamp would give 0·inf = NaN gradients at probabilities
 * of exactly 0 or 1, where PyTorch's are finite.
 */
import type { Tensor } from "../tensor/tensor.js";
import { requireFloating } from "./helpers.js";
import { callPointwise } from "./pointwise/call.js";
import { binaryCrossEntropy } from "./pointwise/declarations/losses.js";

/** ℓ(x, y) = −(y·max(log x, −100) + (1 − y)·max(log(1 − x), −100)), elementwise (same shapes). */
export function binaryCrossEntropyPointwise(x: Tensor, y: Tensor): Tensor {
  requireFloating("binaryCrossEntropy", x);
  requireFloating("binaryCrossEntropy", y, "target");
  return callPointwise(binaryCrossEntropy, [x, y]);
}
