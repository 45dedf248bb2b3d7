// Fused optimizer updates over flat float64 buffers (the float32 ones are in optim.ts, SGD's for
// both in sgd.ts): the JS reference's operations in its order, two lanes at a time, so the results
// are the same bits.

/** The vector at p, or (at the odd end) the one double at p in lane 0. */
// @ts-ignore: decorator
@inline function loadLanes(p: usize, whole: bool): v128 {
  return whole ? v128.load(p) : v128.load64_zero(p);
}

/** Stores v at p, or (at the odd end) only its lane 0. */
// @ts-ignore: decorator
@inline function storeLanes(p: usize, v: v128, whole: bool): void {
  if (whole) v128.store(p, v);
  else store<f64>(p, f64x2.extract_lane(v, 0));
}

/**
 * One Adam (decoupled = 0) or AdamW (decoupled = 1) step over n doubles in place: g = ±grad
 * (+ λθ unless decoupled; θ ·= 1 − lr·λ if decoupled); m = β1·m + (1 − β1)·g;
 * v = β2·v + (1 − β2)·g·g; v̂ = max(vmax, v) with AMSGrad (vmax ≠ 0), else v;
 * θ −= stepSize·m / (√v̂ / bc2 + eps), stepSize = lr/(1 − β1^t), bc2 = √(1 − β2^t).
 */
export function adamStep64(
  param: usize, grad: usize, m: usize, v: usize, vmax: usize, n: i32,
  beta1: f64, oneMinusBeta1: f64, beta2: f64, oneMinusBeta2: f64, eps: f64,
  weightDecay: f64, decay: f64, decoupled: i32, maximize: i32, stepSize: f64, bc2: f64,
): void {
  const b1 = f64x2.splat(beta1);
  const b2 = f64x2.splat(beta2);
  const c1 = f64x2.splat(oneMinusBeta1);
  const c2 = f64x2.splat(oneMinusBeta2);
  const wd = f64x2.splat(weightDecay);
  const vd = f64x2.splat(decay);
  const vs = f64x2.splat(stepSize);
  const vb = f64x2.splat(bc2);
  const ve = f64x2.splat(eps);
  const coupled = !decoupled && weightDecay != 0;
  const shrink = decoupled && weightDecay != 0;
  for (let i = 0; i < n; i += 2) {
    const q = <usize>i << 3;
    const whole = i + 2 <= n;
    let th = loadLanes(param + q, whole);
    let g = loadLanes(grad + q, whole);
    let mm = loadLanes(m + q, whole);
    let vv = loadLanes(v + q, whole);
    if (maximize) g = f64x2.neg(g);
    if (coupled) g = f64x2.add(g, f64x2.mul(wd, th));
    if (shrink) th = f64x2.mul(th, vd);
    mm = f64x2.add(f64x2.mul(b1, mm), f64x2.mul(c1, g));
    vv = f64x2.add(f64x2.mul(b2, vv), f64x2.mul(f64x2.mul(c2, g), g));
    let vh = vv;
    if (vmax) {
      // Math.max: NaN wins, as f64x2.max has it
      vh = f64x2.max(loadLanes(vmax + q, whole), vv);
      storeLanes(vmax + q, vh, whole);
    }
    const denom = f64x2.add(f64x2.div(f64x2.sqrt(vh), vb), ve);
    th = f64x2.sub(th, f64x2.div(f64x2.mul(vs, mm), denom));
    storeLanes(param + q, th, whole);
    storeLanes(m + q, mm, whole);
    storeLanes(v + q, vv, whole);
  }
}

/**
 * adamStep64 over chunks that several threads take from one atomic counter. The job block
 * (src/backend/wasm/pool.ts: adamThreaded) holds the int fields of adamShared's, decoupled and
 * maximize at bytes 40 and 44, and the nine float64 scalars from byte 64.
 */
export function adamShared64(job: usize): void {
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
    const q = <usize>from << 3;
    adamStep64(
      param + q, grad + q, m + q, v + q, vmax ? vmax + q : 0, min(size, n - from),
      load<f64>(job, 64), load<f64>(job, 72), load<f64>(job, 80), load<f64>(job, 88), load<f64>(job, 96),
      load<f64>(job, 104), load<f64>(job, 112), load<i32>(job, 40), load<i32>(job, 44), load<f64>(job, 120), load<f64>(job, 128),
    );
  }
}
