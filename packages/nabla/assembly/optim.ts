// Fused optimizer updates over flat float32 buffers: one pass instead of a JS loop. Each walks
// whole vectors, then the ragged end one float at a time through lane 0. SGD's, for both float
// types, is in sgd.ts.

/** The vector at p, or (at the ragged end) the one float at p in lane 0. */
// @ts-ignore: decorator
@inline function loadLanes(p: usize, whole: bool): v128 {
  return whole ? v128.load(p) : v128.load32_zero(p);
}

/** Stores v at p, or (at the ragged end) only its lane 0. */
// @ts-ignore: decorator
@inline function storeLanes(p: usize, v: v128, whole: bool): void {
  if (whole) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}

/**
 * One Adam (decoupled = 0) or AdamW (decoupled = 1) step over n floats in place. vmax is
 * AMSGrad's running maximum (0 when unused); decay = 1 − lr·λ, stepSize = lr/(1 − β1^t),
 * bc2 = √(1 − β2^t).
 */
export function adamStep(
  param: usize, grad: usize, m: usize, v: usize, vmax: usize, n: i32,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, eps: f32,
  weightDecay: f32, decay: f32, decoupled: i32, maximize: i32, stepSize: f32, bc2: f32,
): void {
  // 1 − β and 1 − lr·λ come from the caller in float64: 1 − 0.999 in float32 is 1e-5 off
  const b1 = f32x4.splat(beta1);
  const b2 = f32x4.splat(beta2);
  const c1 = f32x4.splat(oneMinusBeta1);
  const c2 = f32x4.splat(oneMinusBeta2);
  const wd = f32x4.splat(weightDecay);
  const vd = f32x4.splat(decay);
  const vs = f32x4.splat(stepSize);
  const vb = f32x4.splat(bc2);
  const ve = f32x4.splat(eps);
  const coupled = !decoupled && weightDecay != 0;
  const shrink = decoupled && weightDecay != 0;
  for (let i = 0; i < n; i += 4) {
    const q = <usize>i << 2;
    const whole = i + 4 <= n;
    let th = loadLanes(param + q, whole);
    let g = loadLanes(grad + q, whole);
    let mm = loadLanes(m + q, whole);
    let vv = loadLanes(v + q, whole);
    if (maximize) g = f32x4.neg(g);
    if (coupled) g = f32x4.add(g, f32x4.mul(wd, th));
    if (shrink) th = f32x4.mul(th, vd);
    mm = f32x4.add(f32x4.mul(b1, mm), f32x4.mul(c1, g));
    vv = f32x4.add(f32x4.mul(b2, vv), f32x4.mul(f32x4.mul(c2, g), g));
    let vh = vv;
    if (vmax) {
      vh = f32x4.max(loadLanes(vmax + q, whole), vv);
      storeLanes(vmax + q, vh, whole);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vh), vb), ve);
    th = f32x4.sub(th, f32x4.div(f32x4.mul(vs, mm), denom));
    storeLanes(param + q, th, whole);
    storeLanes(m + q, mm, whole);
    storeLanes(v + q, vv, whole);
    if (!whole) i -= 3; // the tail advances one float at a time
  }
}

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
    const th = loadLanes(param + q, whole);
    let g = loadLanes(grad + q, whole);
    if (maximize) g = f32x4.neg(g);
    if (weightDecay != 0) g = f32x4.add(g, f32x4.mul(th, vwd));
    const s = f32x4.add(f32x4.mul(loadLanes(sq + q, whole), vrho), f32x4.mul(f32x4.mul(g, g), vc));
    const a = loadLanes(acc + q, whole);
    const delta = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(a, ve)), f32x4.sqrt(f32x4.add(s, ve))), g);
    storeLanes(sq + q, s, whole);
    storeLanes(acc + q, f32x4.add(f32x4.mul(a, vrho), f32x4.mul(f32x4.mul(delta, delta), vc)), whole);
    storeLanes(param + q, f32x4.sub(th, f32x4.mul(delta, vlr)), whole);
    if (!whole) i -= 3; // the tail advances one float at a time
  }
}

/**
 * adamStep over chunks of a buffer that several threads take from one atomic counter (the job
 * block's layout is written by src/backend/wasm/pool.ts: adamThreaded). Elementwise, so the
 * result does not depend on how the chunks fall.
 */
export function adamShared(job: usize): void {
  const chunks = load<i32>(job, 4);
  const size = load<i32>(job, 8);
  const param = <usize>load<u32>(job, 16);
  const grad = <usize>load<u32>(job, 20);
  const m = <usize>load<u32>(job, 24);
  const v = <usize>load<u32>(job, 28);
  const vmax = <usize>load<u32>(job, 32);
  const n = load<i32>(job, 36);
  for (;;) {
    const i = atomic.add<i32>(job, 1);
    if (i >= chunks) return;
    const from = i * size;
    const q = <usize>from << 2;
    adamStep(
      param + q, grad + q, m + q, v + q, vmax ? vmax + q : 0, min(size, n - from),
      load<f32>(job, 64), load<f32>(job, 68), load<f32>(job, 72), load<f32>(job, 76), load<f32>(job, 80),
      load<f32>(job, 84), load<f32>(job, 88), load<i32>(job, 92), load<i32>(job, 96), load<f32>(job, 100), load<f32>(job, 104),
    );
  }
}
