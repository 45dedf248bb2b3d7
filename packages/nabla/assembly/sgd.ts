// The fused SGD step over a flat buffer, written once over T (lanes.ts) for float32 and float64:
// one pass instead of the rule's tensor ops (src/optim/sgd.ts), in their order, so the results
// are the same bits. Adam's step is in adam.ts, Adadelta's in adadelta.ts.
import { lanesOf, loadLanes, shiftOf, storeLanes } from "./lanes";

/**
 * One SGD step over n values in place (the rule is in src/optim/sgd.ts): g = ±grad + λθ;
 * with momentum (buf ≠ 0) b = μb + (1 − τ)g, or b = g on the first step; then
 * g = nesterov ? g + μb : b; θ −= lr·g. Whole vectors, then the ragged end one value at a time
 * through lane 0.
 */
// @ts-ignore: decorator
@inline function sgdStepOf<T>(
  param: usize, grad: usize, buf: usize, n: i32,
  lr: T, mu: T, oneMinusTau: T, weightDecay: T, nesterov: i32, maximize: i32, firstStep: i32,
): void {
  const L = <i32>lanesOf<T>();
  const S = shiftOf<T>();
  const vlr = v128.splat<T>(lr);
  const vmu = v128.splat<T>(mu);
  const vtau = v128.splat<T>(oneMinusTau);
  const vwd = v128.splat<T>(weightDecay);
  for (let i = 0; i < n; i += L) {
    const q = <usize>i << S;
    const whole = i + L <= n;
    const th = loadLanes<T>(param + q, whole);
    let g = loadLanes<T>(grad + q, whole);
    if (maximize) g = v128.neg<T>(g);
    if (weightDecay != 0) g = v128.add<T>(g, v128.mul<T>(vwd, th));
    if (buf) {
      let b = g;
      if (!firstStep) {
        const old = loadLanes<T>(buf + q, whole);
        b = v128.add<T>(v128.mul<T>(vmu, old), v128.mul<T>(vtau, g));
      }
      storeLanes<T>(buf + q, b, whole);
      g = nesterov ? v128.add<T>(g, v128.mul<T>(vmu, b)) : b;
    }
    storeLanes<T>(param + q, v128.sub<T>(th, v128.mul<T>(vlr, g)), whole);
    // the ragged end advances one value at a time; float64's is one value, after which the loop ends
    if (L > 2 && !whole) i -= L - 1;
  }
}

export function sgdStep(
  param: usize, grad: usize, buf: usize, n: i32,
  lr: f32, mu: f32, oneMinusTau: f32, weightDecay: f32, nesterov: i32, maximize: i32, firstStep: i32,
): void {
  sgdStepOf<f32>(param, grad, buf, n, lr, mu, oneMinusTau, weightDecay, nesterov, maximize, firstStep);
}

export function sgdStep64(
  param: usize, grad: usize, buf: usize, n: i32,
  lr: f64, mu: f64, oneMinusTau: f64, weightDecay: f64, nesterov: i32, maximize: i32, firstStep: i32,
): void {
  sgdStepOf<f64>(param, grad, buf, n, lr, mu, oneMinusTau, weightDecay, nesterov, maximize, firstStep);
}
