// Batch normalisation's fused passes, as PyTorch's CPU batch_norm runs them (batch_norm_cpu and
// batch_norm_backward_cpu): x is contiguous [N, C, S] (S = H·W…, 1 for [N, C]) and channel c's
// M = N·S values are its N rows of S. Written once over T = f32 (f32x4) or f64 (f64x2), lanes.ts.
//
//   forward (training): μ = Σx / M, σ² = Σ(x − μ)² / M (two passes, biased), then
//                       y = x·α + β with α = w / √(σ² + ε), β = b − μ·α (one pass); the running
//                       statistics move towards the batch's (updateRunning);
//   forward (eval):     the same y from the running μ and σ² given;
//   backward:           Σdy and Σdy·(x − μ) in one pass; dbias = Σdy, dweight = Σdy·(x − μ)·σ⁻¹;
//                       dx = (dy − Σdy/M − (x − μ)·k)·σ⁻¹·w with k = Σdy·(x − μ)·σ⁻² / M
//                       (training), dx = dy·σ⁻¹·w (eval: the statistics are constants).
// Each row's sum is taken in vectors of T and added to the channel's sum in f64, so that a long
// channel's sum does not lose the small rows' bits; over [N, C] (S = 1) a vector holds C's
// neighbouring channels, summed down the rows in blocks. A job shares channels among the threads.
import { lanesOf, loadLanes, maddOf, shiftOf, storeLanes } from "./lanes";

/** The lanes of v added, in f64. */
// @ts-ignore: decorator
@inline function laneSum<T>(v: v128): f64 {
  if (sizeof<T>() == 4) {
    return <f64>(f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + <f64>(f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
  }
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Σ of the `s` values at p. */
// @ts-ignore: decorator
@inline function rowSum<T>(p: usize, s: i32): f64 {
  const lanes = <i32>lanesOf<T>();
  let a = v128.splat<T>(0), b = v128.splat<T>(0);
  let i = 0;
  for (; i + 2 * lanes <= s; i += 2 * lanes) {
    const at = p + (<usize>i << shiftOf<T>());
    a = v128.add<T>(a, v128.load(at));
    b = v128.add<T>(b, v128.load(at, 16));
  }
  let sum = laneSum<T>(v128.add<T>(a, b));
  for (; i < s; i++) sum += <f64>load<T>(p + (<usize>i << shiftOf<T>()));
  return sum;
}

/** Σ(x − μ)² of the `s` values at p. */
// @ts-ignore: decorator
@inline function rowSquares<T>(p: usize, s: i32, mu: T): f64 {
  const lanes = <i32>lanesOf<T>();
  const m = v128.splat<T>(mu);
  let a = v128.splat<T>(0), b = v128.splat<T>(0);
  let i = 0;
  for (; i + 2 * lanes <= s; i += 2 * lanes) {
    const at = p + (<usize>i << shiftOf<T>());
    const d0 = v128.sub<T>(v128.load(at), m), d1 = v128.sub<T>(v128.load(at, 16), m);
    a = maddOf<T>(d0, d0, a);
    b = maddOf<T>(d1, d1, b);
  }
  let sum = laneSum<T>(v128.add<T>(a, b));
  for (; i < s; i++) {
    const d = load<T>(p + (<usize>i << shiftOf<T>())) - mu;
    sum += <f64>(d * d);
  }
  return sum;
}

/** out = x·α + β over the `s` values at p (to q). */
// @ts-ignore: decorator
@inline function rowAffine<T>(p: usize, q: usize, s: i32, alpha: T, beta: T): void {
  const lanes = <i32>lanesOf<T>();
  const va = v128.splat<T>(alpha), vb = v128.splat<T>(beta);
  for (let i = 0; i < s; i += lanes) {
    const whole = i + lanes <= s;
    const off = <usize>i << shiftOf<T>();
    storeLanes<T>(q + off, maddOf<T>(loadLanes<T>(p + off, whole), va, vb), whole);
    if (!whole) for (let j = i + 1; j < s; j++) {
      const o = <usize>j << shiftOf<T>();
      store<T>(q + o, load<T>(p + o) * alpha + beta);
    }
  }
}

/**
 * Channels [c0, c1) of the forward: `training` computes μ and σ² into mean and var, else reads
 * them; 1/√(σ² + ε) goes to invstd where it is not 0.
 */
// @ts-ignore: decorator
@inline function forwardChannels<T>(
  x: usize, n: i32, c: i32, s: i32, weight: usize, bias: usize, mean: usize, variance: usize, invstd: usize, eps: f64, y: usize, training: bool, c0: i32, c1: i32,
): void {
  const shift = shiftOf<T>();
  const count = <f64>n * <f64>s;
  const plane = <usize>s << shift;
  const step = <usize>c * plane;
  for (let ch = c0; ch < c1; ch++) {
    const first = x + <usize>ch * plane;
    let mu: T, v: T;
    if (training) {
      let sum: f64 = 0;
      for (let b = 0; b < n; b++) sum += rowSum<T>(first + <usize>b * step, s);
      mu = <T>(sum / count);
      let squares: f64 = 0;
      for (let b = 0; b < n; b++) squares += rowSquares<T>(first + <usize>b * step, s, mu);
      v = <T>(squares / count);
      store<T>(mean + (<usize>ch << shift), mu);
      store<T>(variance + (<usize>ch << shift), v);
    } else {
      mu = load<T>(mean + (<usize>ch << shift));
      v = load<T>(variance + (<usize>ch << shift));
    }
    const is = <T>(1.0 / Math.sqrt(<f64>v + eps));
    if (invstd != 0) store<T>(invstd + (<usize>ch << shift), is);
    const w: T = weight == 0 ? <T>1 : load<T>(weight + (<usize>ch << shift));
    const bb: T = bias == 0 ? <T>0 : load<T>(bias + (<usize>ch << shift));
    const alpha: T = is * w;
    const beta: T = bb - mu * alpha;
    const out = y + <usize>ch * plane;
    for (let b = 0; b < n; b++) rowAffine<T>(first + <usize>b * step, out + <usize>b * step, s, alpha, beta);
  }
}

/** Σdy·(x − μ) of the last row rowGradSums read (a global: each thread's instance has its own). */
let rowDot: f64 = 0;

/** Σdy of a row, and its Σdy·(x − μ) into rowDot. */
// @ts-ignore: decorator
@inline function rowGradSums<T>(p: usize, g: usize, s: i32, mu: T): f64 {
  const lanes = <i32>lanesOf<T>();
  const m = v128.splat<T>(mu);
  let a = v128.splat<T>(0), d = v128.splat<T>(0);
  let i = 0;
  for (; i + lanes <= s; i += lanes) {
    const off = <usize>i << shiftOf<T>();
    const dy = v128.load(g + off);
    a = v128.add<T>(a, dy);
    d = maddOf<T>(dy, v128.sub<T>(v128.load(p + off), m), d);
  }
  let sa = laneSum<T>(a), sd = laneSum<T>(d);
  for (; i < s; i++) {
    const off = <usize>i << shiftOf<T>();
    const dy = load<T>(g + off);
    sa += <f64>dy;
    sd += <f64>(dy * (load<T>(p + off) - mu));
  }
  rowDot = sd;
  return sa;
}

/** dx = (dy − gm − (x − μ)·k)·a over a row (k = 0, gm = 0 in eval). */
// @ts-ignore: decorator
@inline function rowInputGrad<T>(p: usize, g: usize, q: usize, s: i32, mu: T, gm: T, k: T, a: T): void {
  const lanes = <i32>lanesOf<T>();
  const vm = v128.splat<T>(mu), vg = v128.splat<T>(gm), vk = v128.splat<T>(k), va = v128.splat<T>(a);
  for (let i = 0; i < s; i += lanes) {
    const whole = i + lanes <= s;
    const off = <usize>i << shiftOf<T>();
    const centred = v128.sub<T>(loadLanes<T>(p + off, whole), vm);
    const inner = v128.sub<T>(v128.sub<T>(loadLanes<T>(g + off, whole), vg), v128.mul<T>(centred, vk));
    storeLanes<T>(q + off, v128.mul<T>(inner, va), whole);
    if (!whole) for (let j = i + 1; j < s; j++) {
      const o = <usize>j << shiftOf<T>();
      store<T>(q + o, (load<T>(g + o) - gm - (load<T>(p + o) - mu) * k) * a);
    }
  }
}

/** Channels [c0, c1) of the backward; dx, dweight or dbias 0 is not wanted. */
// @ts-ignore: decorator
@inline function backwardChannels<T>(
  x: usize, dy: usize, n: i32, c: i32, s: i32, weight: usize, mean: usize, invstd: usize, training: bool,
  dx: usize, dweight: usize, dbias: usize, c0: i32, c1: i32,
): void {
  const shift = shiftOf<T>();
  const count = <f64>n * <f64>s;
  const plane = <usize>s << shift;
  const step = <usize>c * plane;
  for (let ch = c0; ch < c1; ch++) {
    const at = <usize>ch * plane;
    const mu = load<T>(mean + (<usize>ch << shift));
    const is = load<T>(invstd + (<usize>ch << shift));
    const w: T = weight == 0 ? <T>1 : load<T>(weight + (<usize>ch << shift));
    let sumDy: f64 = 0, dot: f64 = 0;
    if (training || dweight != 0 || dbias != 0) {
      for (let b = 0; b < n; b++) {
        sumDy += rowGradSums<T>(x + at + <usize>b * step, dy + at + <usize>b * step, s, mu);
        dot += rowDot;
      }
    }
    if (dbias != 0) store<T>(dbias + (<usize>ch << shift), <T>sumDy);
    if (dweight != 0) store<T>(dweight + (<usize>ch << shift), <T>(dot * <f64>is));
    if (dx == 0) continue;
    const gm: T = training ? <T>(sumDy / count) : <T>0;
    const k: T = training ? <T>(dot * <f64>is * <f64>is / count) : <T>0;
    const a: T = is * w;
    for (let b = 0; b < n; b++) {
      const o = at + <usize>b * step;
      rowInputGrad<T>(x + o, dy + o, dx + o, s, mu, gm, k, a);
    }
  }
}

/**
 * Rows of [N, C] summed into a block's sums before those join the totals (a two-level sum: a
 * long column's error grows with 64 + N/64 additions, not N).
 */
const COLUMN_BLOCK = 64;

/** Zeroes len values of T at p. */
// @ts-ignore: decorator
@inline function zeroRow<T>(p: usize, len: i32): void {
  memory.fill(p, 0, <usize>len << shiftOf<T>());
}

/** acc[i] += x[i] (squares: (x[i] − mu[i])²) over len values. */
// @ts-ignore: decorator
@inline function accumulateRow<T>(acc: usize, x: usize, mu: usize, len: i32, squares: bool): void {
  const lanes = <i32>lanesOf<T>();
  let i = 0;
  for (; i + lanes <= len; i += lanes) {
    const o = <usize>i << shiftOf<T>();
    const v = v128.load(x + o);
    if (squares) {
      const d = v128.sub<T>(v, v128.load(mu + o));
      v128.store(acc + o, maddOf<T>(d, d, v128.load(acc + o)));
    } else {
      v128.store(acc + o, v128.add<T>(v128.load(acc + o), v));
    }
  }
  for (; i < len; i++) {
    const o = <usize>i << shiftOf<T>();
    const v = load<T>(x + o);
    if (squares) {
      const d = v - load<T>(mu + o);
      store<T>(acc + o, load<T>(acc + o) + d * d);
    } else {
      store<T>(acc + o, load<T>(acc + o) + v);
    }
  }
}

/** x[i], or (x[i] − mu[i])² where `squares`, as accumulateRow adds it (a vector of T). */
// @ts-ignore: decorator
@inline function addTerm<T>(acc: v128, x: usize, m: v128, squares: bool): v128 {
  const v = v128.load(x);
  if (!squares) return v128.add<T>(acc, v);
  const d = v128.sub<T>(v, m);
  return maddOf<T>(d, d, acc);
}

/** The same for one value of T. */
// @ts-ignore: decorator
@inline function addTermScalar<T>(acc: T, x: usize, m: T, squares: bool): T {
  const v = load<T>(x);
  if (!squares) return acc + v;
  const d = v - m;
  return acc + d * d;
}

/**
 * accumulateRow over `rows` rows `step` bytes apart, four at a time: each accumulator is loaded
 * and stored once for four rows (its load and store, not the adds, bounded the one-row loop), and
 * the rows are still added one after another, so that the sums are accumulateRow's bit for bit.
 * The training forward of [128, 512] float32 went from ~33 to ~23 µs. (The backward's sums, two
 * accumulators a value, gained nothing so: its one-row loop stays.)
 */
// @ts-ignore: decorator
@inline function accumulateRows<T>(acc: usize, x: usize, step: usize, rows: i32, mu: usize, len: i32, squares: bool): void {
  const lanes = <i32>lanesOf<T>();
  let b = 0;
  for (; b + 4 <= rows; b += 4) {
    const x0 = x + <usize>b * step;
    const x1 = x0 + step, x2 = x1 + step, x3 = x2 + step;
    let i = 0;
    for (; i + lanes <= len; i += lanes) {
      const o = <usize>i << shiftOf<T>();
      const m = squares ? v128.load(mu + o) : v128.splat<T>(0);
      let a = v128.load(acc + o);
      a = addTerm<T>(a, x0 + o, m, squares);
      a = addTerm<T>(a, x1 + o, m, squares);
      a = addTerm<T>(a, x2 + o, m, squares);
      a = addTerm<T>(a, x3 + o, m, squares);
      v128.store(acc + o, a);
    }
    for (; i < len; i++) {
      const o = <usize>i << shiftOf<T>();
      const m: T = squares ? load<T>(mu + o) : <T>0;
      let a = load<T>(acc + o);
      a = addTermScalar<T>(a, x0 + o, m, squares);
      a = addTermScalar<T>(a, x1 + o, m, squares);
      a = addTermScalar<T>(a, x2 + o, m, squares);
      a = addTermScalar<T>(a, x3 + o, m, squares);
      store<T>(acc + o, a);
    }
  }
  for (; b < rows; b++) accumulateRow<T>(acc, x + <usize>b * step, mu, len, squares);
}

/** sums[i] += dy[i], dots[i] += dy[i]·(x[i] − mu[i]) over len values. */
// @ts-ignore: decorator
@inline function accumulateGradRow<T>(sums: usize, dots: usize, x: usize, dy: usize, mu: usize, len: i32): void {
  const lanes = <i32>lanesOf<T>();
  let i = 0;
  for (; i + lanes <= len; i += lanes) {
    const o = <usize>i << shiftOf<T>();
    const g = v128.load(dy + o);
    v128.store(sums + o, v128.add<T>(v128.load(sums + o), g));
    v128.store(dots + o, maddOf<T>(g, v128.sub<T>(v128.load(x + o), v128.load(mu + o)), v128.load(dots + o)));
  }
  for (; i < len; i++) {
    const o = <usize>i << shiftOf<T>();
    const g = load<T>(dy + o);
    store<T>(sums + o, load<T>(sums + o) + g);
    store<T>(dots + o, load<T>(dots + o) + g * (load<T>(x + o) - load<T>(mu + o)));
  }
}

/** Σ over the n rows (`step` bytes apart) of [N, C]'s channels at x (len of them) into total, in blocks through block. */
// @ts-ignore: decorator
@inline function sumColumns<T>(total: usize, block: usize, x: usize, mu: usize, n: i32, step: usize, len: i32, squares: bool): void {
  zeroRow<T>(total, len);
  for (let b0 = 0; b0 < n; b0 += COLUMN_BLOCK) {
    zeroRow<T>(block, len);
    const b1 = min(n, b0 + COLUMN_BLOCK);
    accumulateRows<T>(block, x + <usize>b0 * step, step, b1 - b0, mu, len, squares);
    accumulateRow<T>(total, block, 0, len, false);
  }
}

/**
 * The forward over [N, C] (S = 1), where a channel's values are a column: row by row over the
 * channels [c0, c1), the columns' sums kept in vectors of neighbouring channels (walking down a
 * column instead misses the cache at every row). work: 2C values of T, α and β.
 */
// @ts-ignore: decorator
@inline function forwardColumns<T>(
  x: usize, n: i32, c: i32, weight: usize, bias: usize, mean: usize, variance: usize, invstd: usize, eps: f64, y: usize, training: bool, work: usize, c0: i32, c1: i32,
): void {
  const shift = shiftOf<T>();
  const step = <usize>c << shift;
  const len = c1 - c0;
  const off = <usize>c0 << shift;
  const alpha = work + off, beta = work + step + off;
  if (training) {
    // the block sums go where α and β will be
    sumColumns<T>(mean + off, alpha, x + off, 0, n, step, len, false);
    for (let i = 0; i < len; i++) store<T>(mean + off + (<usize>i << shift), load<T>(mean + off + (<usize>i << shift)) / <T>n);
    sumColumns<T>(variance + off, alpha, x + off, mean + off, n, step, len, true);
    for (let i = 0; i < len; i++) store<T>(variance + off + (<usize>i << shift), load<T>(variance + off + (<usize>i << shift)) / <T>n);
  }
  for (let ch = c0; ch < c1; ch++) {
    const at = <usize>ch << shift;
    const is = <T>(1.0 / Math.sqrt(<f64>load<T>(variance + at) + eps));
    if (invstd != 0) store<T>(invstd + at, is);
    const w: T = weight == 0 ? <T>1 : load<T>(weight + at);
    const bb: T = bias == 0 ? <T>0 : load<T>(bias + at);
    const a: T = is * w;
    store<T>(work + at, a);
    store<T>(work + step + at, bb - load<T>(mean + at) * a);
  }
  const lanes = <i32>lanesOf<T>();
  for (let b = 0; b < n; b++) {
    const row = <usize>b * step + off;
    let i = 0;
    for (; i + lanes <= len; i += lanes) {
      const o = <usize>i << shift;
      v128.store(y + row + o, maddOf<T>(v128.load(x + row + o), v128.load(alpha + o), v128.load(beta + o)));
    }
    for (; i < len; i++) {
      const o = <usize>i << shift;
      store<T>(y + row + o, load<T>(x + row + o) * load<T>(alpha + o) + load<T>(beta + o));
    }
  }
}

/**
 * The backward over [N, C] (S = 1), row by row as forwardColumns. work: 4C values of T (the
 * sums and their blocks, then the per-channel factors of dx).
 */
// @ts-ignore: decorator
@inline function backwardColumns<T>(
  x: usize, dy: usize, n: i32, c: i32, weight: usize, mean: usize, invstd: usize, training: bool,
  dx: usize, dweight: usize, dbias: usize, work: usize, c0: i32, c1: i32,
): void {
  const shift = shiftOf<T>();
  const step = <usize>c << shift;
  const len = c1 - c0;
  const off = <usize>c0 << shift;
  const sums = work + off, dots = work + step + off, blockSums = work + 2 * step + off, blockDots = work + 3 * step + off;
  zeroRow<T>(sums, len);
  zeroRow<T>(dots, len);
  for (let b0 = 0; b0 < n; b0 += COLUMN_BLOCK) {
    zeroRow<T>(blockSums, len);
    zeroRow<T>(blockDots, len);
    const b1 = min(n, b0 + COLUMN_BLOCK);
    for (let b = b0; b < b1; b++) accumulateGradRow<T>(blockSums, blockDots, x + <usize>b * step + off, dy + <usize>b * step + off, mean + off, len);
    accumulateRow<T>(sums, blockSums, 0, len, false);
    accumulateRow<T>(dots, blockDots, 0, len, false);
  }
  const count = <f64>n;
  for (let ch = c0; ch < c1; ch++) {
    const at = <usize>ch << shift;
    const sumDy = <f64>load<T>(work + at), dot = <f64>load<T>(work + step + at);
    const is = load<T>(invstd + at);
    if (dbias != 0) store<T>(dbias + at, <T>sumDy);
    if (dweight != 0) store<T>(dweight + at, <T>(dot * <f64>is));
    const w: T = weight == 0 ? <T>1 : load<T>(weight + at);
    // dx's factors: a, k, gm in the places of the sums
    store<T>(work + at, is * w);
    store<T>(work + step + at, training ? <T>(dot * <f64>is * <f64>is / count) : <T>0);
    store<T>(work + 2 * step + at, training ? <T>(sumDy / count) : <T>0);
  }
  if (dx == 0) return;
  const a = sums, k = dots, gm = blockSums, mu = mean + off;
  const lanes = <i32>lanesOf<T>();
  for (let b = 0; b < n; b++) {
    const row = <usize>b * step + off;
    let i = 0;
    for (; i + lanes <= len; i += lanes) {
      const o = <usize>i << shift;
      const centred = v128.sub<T>(v128.load(x + row + o), v128.load(mu + o));
      const inner = v128.sub<T>(v128.sub<T>(v128.load(dy + row + o), v128.load(gm + o)), v128.mul<T>(centred, v128.load(k + o)));
      v128.store(dx + row + o, v128.mul<T>(inner, v128.load(a + o)));
    }
    for (; i < len; i++) {
      const o = <usize>i << shift;
      store<T>(dx + row + o, (load<T>(dy + row + o) - load<T>(gm + o) - (load<T>(x + row + o) - load<T>(mu + o)) * load<T>(k + o)) * load<T>(a + o));
    }
  }
}

/**
 * The running statistics of channels [c0, c1) moved towards the batch's μ and σ² (over `count`
 * values each) in place, where their addresses are not 0, with the float operations of
 * src/nn/functional/running-stats.ts in its order, each rounded to T:
 *   running_mean ← running_mean·(1 − m) + μ·m,
 *   running_var  ← running_var·(1 − m) + (σ²·count/(count − 1))·m   (the unbiased variance).
 */
// @ts-ignore: decorator
@inline function updateRunning<T>(runningMean: usize, runningVar: usize, mean: usize, variance: usize, count: f64, momentum: f64, c0: i32, c1: i32): void {
  const shift = shiftOf<T>();
  const keep = <T>(1.0 - momentum), take = <T>momentum, unbias = <T>(count / (count - 1));
  for (let ch = c0; ch < c1; ch++) {
    const at = <usize>ch << shift;
    if (runningMean != 0) store<T>(runningMean + at, load<T>(runningMean + at) * keep + load<T>(mean + at) * take);
    if (runningVar != 0) store<T>(runningVar + at, load<T>(runningVar + at) * keep + (load<T>(variance + at) * unbias) * take);
  }
}

/** Channels [c0, c1) of the forward, by columns where S = 1, and in training their running statistics. */
// @ts-ignore: decorator
@inline function forward<T>(
  x: usize, n: i32, c: i32, s: i32, weight: usize, bias: usize, mean: usize, variance: usize, invstd: usize, eps: f64, y: usize, training: bool,
  runningMean: usize, runningVar: usize, momentum: f64, work: usize, c0: i32, c1: i32,
): void {
  if (s == 1) forwardColumns<T>(x, n, c, weight, bias, mean, variance, invstd, eps, y, training, work, c0, c1);
  else forwardChannels<T>(x, n, c, s, weight, bias, mean, variance, invstd, eps, y, training, c0, c1);
  if (training) updateRunning<T>(runningMean, runningVar, mean, variance, <f64>n * <f64>s, momentum, c0, c1);
}

/** Channels [c0, c1) of the backward, by columns where S = 1. */
// @ts-ignore: decorator
@inline function backward<T>(
  x: usize, dy: usize, n: i32, c: i32, s: i32, weight: usize, mean: usize, invstd: usize, training: bool,
  dx: usize, dweight: usize, dbias: usize, work: usize, c0: i32, c1: i32,
): void {
  if (s == 1) backwardColumns<T>(x, dy, n, c, weight, mean, invstd, training, dx, dweight, dbias, work, c0, c1);
  else backwardChannels<T>(x, dy, n, c, s, weight, mean, invstd, training, dx, dweight, dbias, c0, c1);
}

export function batchNorm(
  x: usize, n: i32, c: i32, s: i32, weight: usize, bias: usize, mean: usize, variance: usize, invstd: usize, eps: f64, y: usize, training: i32,
  runningMean: usize, runningVar: usize, momentum: f64, work: usize,
): void {
  forward<f32>(x, n, c, s, weight, bias, mean, variance, invstd, eps, y, training != 0, runningMean, runningVar, momentum, work, 0, c);
}

export function batchNorm64(
  x: usize, n: i32, c: i32, s: i32, weight: usize, bias: usize, mean: usize, variance: usize, invstd: usize, eps: f64, y: usize, training: i32,
  runningMean: usize, runningVar: usize, momentum: f64, work: usize,
): void {
  forward<f64>(x, n, c, s, weight, bias, mean, variance, invstd, eps, y, training != 0, runningMean, runningVar, momentum, work, 0, c);
}

export function batchNormBackward(x: usize, dy: usize, n: i32, c: i32, s: i32, weight: usize, mean: usize, invstd: usize, training: i32, dx: usize, dweight: usize, dbias: usize, work: usize): void {
  backward<f32>(x, dy, n, c, s, weight, mean, invstd, training != 0, dx, dweight, dbias, work, 0, c);
}

export function batchNormBackward64(x: usize, dy: usize, n: i32, c: i32, s: i32, weight: usize, mean: usize, invstd: usize, training: i32, dx: usize, dweight: usize, dbias: usize, work: usize): void {
  backward<f64>(x, dy, n, c, s, weight, mean, invstd, training != 0, dx, dweight, dbias, work, 0, c);
}

/** The modes of a batch-norm job (int 3). */
const FORWARD = 0;
const FORWARD64 = 1;
const BACKWARD = 2;

/**
 * A thread's share of a batch-norm job (written by src/backend/wasm/pool.ts: batchNormThreaded):
 * chunks of whole channels, each computed as the one-thread kernel computes it. Job ints (byte
 * offset): 0 counter, 4 chunks, 8 channels a chunk, 12 mode, 16 x, 20 n, 24 c, 28 s, 32 weight,
 * 36 bias (forward) or dy (backward), 40 mean, 44 var (forward) or invstd (backward), 48 y or dx,
 * 52 training, 56 dweight, (60 the job's kind), 64 dbias, 68 work ([N, C]: 4C values), 72 eps (f64);
 * the forward's 80 invstd, 84 running mean, 88 running var (0: none), 96 momentum (f64).
 */
export function batchNormShared(job: usize): void {
  const chunks = load<i32>(job, 4), size = load<i32>(job, 8), mode = load<i32>(job, 12);
  const x = <usize>load<u32>(job, 16);
  const n = load<i32>(job, 20), c = load<i32>(job, 24), s = load<i32>(job, 28);
  const weight = <usize>load<u32>(job, 32), other = <usize>load<u32>(job, 36);
  const mean = <usize>load<u32>(job, 40), spread = <usize>load<u32>(job, 44), out = <usize>load<u32>(job, 48);
  const training = load<i32>(job, 52) != 0;
  const dweight = <usize>load<u32>(job, 56), dbias = <usize>load<u32>(job, 64);
  const eps = load<f64>(job, 72);
  const work = <usize>load<u32>(job, 68);
  const invstd = <usize>load<u32>(job, 80), runningMean = <usize>load<u32>(job, 84), runningVar = <usize>load<u32>(job, 88);
  const momentum = load<f64>(job, 96);
  for (;;) {
    const i = atomic.add<i32>(job, 1);
    if (i >= chunks) return;
    const c0 = i * size, c1 = min(c, c0 + size);
    if (mode == FORWARD) forward<f32>(x, n, c, s, weight, other, mean, spread, invstd, eps, out, training, runningMean, runningVar, momentum, work, c0, c1);
    else if (mode == FORWARD64) forward<f64>(x, n, c, s, weight, other, mean, spread, invstd, eps, out, training, runningMean, runningVar, momentum, work, c0, c1);
    else if (mode == BACKWARD) backward<f32>(x, other, n, c, s, weight, mean, spread, training, out, dweight, dbias, work, c0, c1);
    else backward<f64>(x, other, n, c, s, weight, mean, spread, training, out, dweight, dbias, work, c0, c1);
  }
}
