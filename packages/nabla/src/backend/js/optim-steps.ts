/**
 * The fused Adam/AdamW and SGD steps as plain loops: the JS backend's, and the wasm backend's for
 * buffers its kernels do not take (tensors under 1,024 elements are plain typed arrays, outside
 * wasm memory). One pass each, where the tensor-op reference (src/optim) makes a dozen. The float64
 * kernels do this loop's operations in its order, so the kernel tests hold them to its bits.
 */
import type { AdamStepArgs, SgdStepArgs } from "../backend.js";

/** PyTorch's Adam/AdamW: m, v running moments; θ −= lr/(1 − β1^t) · m / (√v̂/√(1 − β2^t) + eps). */
export function adamStep(a: AdamStepArgs): boolean {
  const { param: theta, grad, expAvg: m, expAvgSq: v, maxExpAvgSq: vMax, lr, beta1, beta2, eps, weightDecay, decoupled, maximize, step } = a;
  const stepSize = lr / (1 - beta1 ** step);
  const bc2 = Math.sqrt(1 - beta2 ** step);
  const decay = 1 - lr * weightDecay;
  for (let i = 0; i < theta.length; i++) {
    let g = maximize ? -grad[i]! : grad[i]!;
    if (!decoupled && weightDecay !== 0) g += weightDecay * theta[i]!;
    if (decoupled && weightDecay !== 0) theta[i] = theta[i]! * decay;
    m[i] = beta1 * m[i]! + (1 - beta1) * g;
    v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
    let vHat = v[i]!;
    if (vMax !== null) vHat = vMax[i] = Math.max(vMax[i]!, v[i]!);
    theta[i] = theta[i]! - (stepSize * m[i]!) / (Math.sqrt(vHat) / bc2 + eps);
  }
  return true;
}

/** PyTorch's SGD: g += λθ; b = μb + (1 − τ)g (b = g at first); g = nesterov ? g + μb : b; θ −= lr·g. */
export function sgdStep(a: SgdStepArgs): boolean {
  const { param: theta, grad, momentumBuffer: b, firstStep, lr, momentum: mu, dampening: tau, weightDecay: lambda, nesterov, maximize } = a;
  for (let i = 0; i < theta.length; i++) {
    let g = maximize ? -grad[i]! : grad[i]!;
    if (lambda !== 0) g += lambda * theta[i]!;
    if (b !== null) {
      b[i] = firstStep ? g : mu * b[i]! + (1 - tau) * g;
      g = nesterov ? g + mu * b[i]! : b[i]!;
    }
    theta[i] = theta[i]! - lr * g;
  }
  return true;
}
