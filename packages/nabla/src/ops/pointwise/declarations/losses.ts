/**
 * Pointwise pieces of losses that need a fused form: composing them from log and clamp would give
 * 0·inf = NaN gradients where PyTorch's are finite.
 */
import { binary } from "../declare.js";
import { apply, div, mul, sub } from "../expr.js";

/** PyTorch clamps BCE's logs at −100 so that a probability of exactly 0 or 1 gives a finite loss. */
const LOG_FLOOR = -100;
/** PyTorch's floor on x(1 − x) in BCE's gradient: the float32 constant 1e-12f, in every dtype. */
const BCE_EPS = Math.fround(1e-12);

/**
 * ℓ(x, y) = −(y·max(log x, −100) + (1 − y)·max(log(1 − x), −100)) for a probability x and target y.
 * ∂ℓ/∂x = (x − y) / max(x(1 − x), 1e-12); ∂ℓ/∂y = log(1 − x) − log x (±inf at x = 0 or 1, as PyTorch).
 */
export const binaryCrossEntropy = binary({
  name: "binaryCrossEntropy",
  node: "BinaryCrossEntropyBackward0",
  forward: (x, y) =>
    sub(mul(sub(y, 1), apply("maximum", apply("log1p", apply("neg", x)), LOG_FLOOR)), mul(y, apply("maximum", apply("log", x), LOG_FLOOR))),
  derivatives: (x, y) => [
    div(sub(x, y), apply("maximum", mul(sub(1, x), x), BCE_EPS)),
    sub(apply("log1p", apply("neg", x)), apply("log", x)),
  ],
});
