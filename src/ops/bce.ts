/**
 * Binary cross-entropy on probabilities, fused: composing it from log and clamp would give
 * 0·inf = NaN gradients at probabilities of exactly 0 or 1, where PyTorch's are finite.
 */
import { isGradEnabled } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import type { Tensor } from "../tensor/tensor.js";
import { binaryKernel, clamp, div, log, mul, sub } from "./elementwise.js";
import { requireFloating } from "./helpers.js";

/**
 * ℓ(x, y) = −(y·max(log x, −100) + (1 − y)·max(log(1 − x), −100)), elementwise (same shapes).
 * ∂ℓ/∂x = (x − y) / max(x(1 − x), 1e-12);  ∂ℓ/∂y = log(1 − x) − log x.
 */
export function binaryCrossEntropyPointwise(x: Tensor, y: Tensor): Tensor {
  requireFloating("binaryCrossEntropy", x);
  requireFloating("binaryCrossEntropy", y, "target");
  const out = binaryKernel("binaryCrossEntropy", "bce", x, y, x.dtype);
  return recordOp("BinaryCrossEntropyBackward0", out, [x, y], (g) => {
    // a recorded backward (createGraph) needs the derivatives as ops: the kernels' results have no graph
    const recorded = isGradEnabled();
    const byX = () =>
      recorded
        ? div(sub(x, y), clamp(mul(x, sub(1, x)), { min: 1e-12 }))
        : binaryKernel("binaryCrossEntropy", "bceGrad", x, y, x.dtype);
    const byY = () =>
      recorded
        ? sub(log(sub(1, x)), log(x))
        : binaryKernel("binaryCrossEntropy", "bceTargetGrad", x, y, x.dtype);
    return [x.requiresGrad ? mul(g, byX()) : null, y.requiresGrad ? mul(g, byY()) : null];
  }, [x, y]);
}
