// The fused Adam/AdamW step over a flat buffer, written once over T (lanes.ts) for float32 and
// float64, and its form that threads share: one pass instead of the rule's tensor ops, with the
// operations of the JS loop (src/backend/js/optim-steps.ts) in its order, so float64's results
// are its bits; float32's round each operation to float32.
import { lanesOf, loadLanes, shiftOf, storeLanes } from "./lanes";

/**
 * One Adam (decoupled = 0) or AdamW (decoupled = 1) step over n values in place: g = ±grad
 * (+ λθ unless decoupled; θ ·= 1 − lr·λ if decoupled); m = β1·m + (1 − β1)·g;
 * v = β2·v + (1 − β2)·g·g; v̂ = max(vmax, v) with AMSGrad (vmax ≠ 0), else v;
 * θ −= stepSize·m / (√v̂ / bc2 + eps), stepSize = lr/(1 − β1^t), bc2 = √(1 − β2^t).
 * Whole vectors, then the ragged end one value at a time through lane 0.
 */
// @ts-ignore: decorator
@inline function adamStepOf<T>(
  param: usize, grad: usize, m: usize, v: usize, vmax: usize, n: i32,
  beta1: T, oneMinusBeta1: T, beta2: T, oneMinusBeta2: T, eps: T,
  weightDecay: T, decay: T, decoupled: i32, maximize: i32, stepSize: T, bc2: T,
): void {
  const L = <i32>lanesOf<T>();
  const S = shiftOf<T>();
  // 1 − β and 1 − lr·λ come from the caller rounded from float64: 1 − 0.999 in float32 is 1e-5 off
  const b1 = v128.splat<T>(beta1);
  const b2 = v128.splat<T>(beta2);
  const c1 = v128.splat<T>(oneMinusBeta1);
  const c2 = v128.splat<T>(oneMinusBeta2);
  const wd = v128.splat<T>(weightDecay);
  const vd = v128.splat<T>(decay);
  const vs = v128.splat<T>(stepSize);
  const vb = v128.splat<T>(bc2);
  const ve = v128.splat<T>(eps);
  const coupled = !decoupled && weightDecay != 0;
  const shrink = decoupled && weightDecay != 0;
  for (let i = 0; i < n; i += L) {
    const q = <usize>i << S;
    const whole = i + L <= n;
    let th = loadLanes<T>(param + q, whole);
    let g = loadLanes<T>(grad + q, whole);
    let mm = loadLanes<T>(m + q, whole);
    let vv = loadLanes<T>(v + q, whole);
    if (maximize) g = v128.neg<T>(g);
    if (coupled) g = v128.add<T>(g, v128.mul<T>(wd, th));
    if (shrink) th = v128.mul<T>(th, vd);
    mm = v128.add<T>(v128.mul<T>(b1, mm), v128.mul<T>(c1, g));
    vv = v128.add<T>(v128.mul<T>(b2, vv), v128.mul<T>(v128.mul<T>(c2, g), g));
    let vh = vv;
    if (vmax) {
      // Math.max: NaN wins, as v128.max has it
      vh = v128.max<T>(loadLanes<T>(vmax + q, whole), vv);
      storeLanes<T>(vmax + q, vh, whole);
    }
    const denom = v128.add<T>(v128.div<T>(v128.sqrt<T>(vh), vb), ve);
    th = v128.sub<T>(th, v128.div<T>(v128.mul<T>(vs, mm), denom));
    storeLanes<T>(param + q, th, whole);
    storeLanes<T>(m + q, mm, whole);
    storeLanes<T>(v + q, vv, whole);
    // the ragged end advances one value at a time; float64's is one value, after which the loop ends
    if (L > 2 && !whole) i -= L - 1;
  }
}

export function adamStep(
  param: usize, grad: usize, m: usize, v: usize, vmax: usize, n: i32,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, eps: f32,
  weightDecay: f32, decay: f32, decoupled: i32, maximize: i32, stepSize: f32, bc2: f32,
): void {
  adamStepOf<f32>(param, grad, m, v, vmax, n, beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, weightDecay, decay, decoupled, maximize, stepSize, bc2);
}

export function adamStep64(
  param: usize, grad: usize, m: usize, v: usize, vmax: usize, n: i32,
  beta1: f64, oneMinusBeta1: f64, beta2: f64, oneMinusBeta2: f64, eps: f64,
  weightDecay: f64, decay: f64, decoupled: i32, maximize: i32, stepSize: f64, bc2: f64,
): void {
  adamStepOf<f64>(param, grad, m, v, vmax, n, beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, weightDecay, decay, decoupled, maximize, stepSize, bc2);
}

/**
 * adamStepOf over chunks of a buffer that several threads take from one atomic counter;
 * elementwise, so the result does not depend on how the chunks fall. The job block (written by
 * src/backend/wasm/pool.ts: adamThreaded), in int32s: 1 the chunk count, 2 the chunk size, 4-8
 * the addresses param, grad, m, v, vmax, 9 n, 10 decoupled, 11 maximize; from byte 64 the nine
 * scalars in T, in adamStep's order without the two flags.
 */
// @ts-ignore: decorator
@inline function adamSharedOf<T>(job: usize): void {
  const B = sizeof<T>();
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
    const q = <usize>from << shiftOf<T>();
    adamStepOf<T>(
      param + q, grad + q, m + q, v + q, vmax ? vmax + q : 0, min(size, n - from),
      load<T>(job, 64), load<T>(job, 64 + B), load<T>(job, 64 + 2 * B), load<T>(job, 64 + 3 * B), load<T>(job, 64 + 4 * B),
      load<T>(job, 64 + 5 * B), load<T>(job, 64 + 6 * B), load<i32>(job, 40), load<i32>(job, 44), load<T>(job, 64 + 7 * B), load<T>(job, 64 + 8 * B),
    );
  }
}

/** adamStep shared between threads (assembly/jobs.ts JOB_ADAM). */
export function adamShared(job: usize): void {
  adamSharedOf<f32>(job);
}

/** adamStep64 shared between threads (assembly/jobs.ts JOB_ADAM64). */
export function adamShared64(job: usize): void {
  adamSharedOf<f64>(job);
}
