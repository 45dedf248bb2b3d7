// The fused Adadelta step over a flat float32 buffer (other buffers run the rule's tensor ops).
// Adam's and SGD's steps, for both float types, are in adam.ts and sgd.ts.
import { loadLanes, storeLanes } from "./lanes";

/**
 * One Adadelta step over n floats in place, the float32 operations of src/optim/adadelta.ts's
 * tensor ops in their order (so the same bits): g = ±grad (+ fl(θ·λ)); E[g²] = fl(ρ·E[g²]) +
 * fl(fl(g·g)·(1 − ρ)); Δ = fl(fl(√(E[Δ²] + ε) / √(E[g²] + ε))·g); E[Δ²] = fl(ρ·E[Δ²]) +
 * fl(fl(Δ·Δ)·(1 − ρ)); θ = θ − fl(Δ·lr). 1 − ρ comes from the caller, rounded from float64.
 */
export function adadeltaStep(
  param: usize, grad: usize, sq: usize, acc: usize, n: i32,
  lr: f32, rho: f32, oneMinusRho: f32, eps: f32, weightDecay: f32, maximize: i32,
): void {
  const vlr = f32x4.splat(lr);
  const vrho = f32x4.splat(rho);
  const vc = f32x4.splat(oneMinusRho);
  const ve = f32x4.splat(eps);
  const vwd = f32x4.splat(weightDecay);
  for (let i = 0; i < n; i += 4) {
    const q = <usize>i << 2;
    const whole = i + 4 <= n;
    const th = loadLanes<f32>(param + q, whole);
    let g = loadLanes<f32>(grad + q, whole);
    if (maximize) g = f32x4.neg(g);
    if (weightDecay != 0) g = f32x4.add(g, f32x4.mul(th, vwd));
    const s = f32x4.add(f32x4.mul(loadLanes<f32>(sq + q, whole), vrho), f32x4.mul(f32x4.mul(g, g), vc));
    const a = loadLanes<f32>(acc + q, whole);
    const delta = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(a, ve)), f32x4.sqrt(f32x4.add(s, ve))), g);
    storeLanes<f32>(sq + q, s, whole);
    storeLanes<f32>(acc + q, f32x4.add(f32x4.mul(a, vrho), f32x4.mul(f32x4.mul(delta, delta), vc)), whole);
    storeLanes<f32>(param + q, f32x4.sub(th, f32x4.mul(delta, vlr)), whole);
    if (!whole) i -= 3; // the tail advances one float at a time
  }
}
