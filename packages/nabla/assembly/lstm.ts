// An LSTM step's (and, at the end, a GRU step's) pointwise part and its backward in one pass each,
// float32 (f32x4) and float64 (f64x2): the unfused ops' operations in their order, with the gate
// functions of the generated pointwise kernels (simdmath.ts; float64's σ and tanh as simdmath64.ts has them, with a cheaper
// e^t and fused multiply-adds), so the results are theirs, to an ulp or two. Rows are N of 4H gates
// (i, f, g, o, H each) and H states; each row walks whole vectors, then its ragged end one value at
// a time through lane 0 (H need not be a multiple of the lanes: every gate starts a fresh vector).
// The contract, and the plain loops these are checked against: src/backend/js/lstm-cell.ts.
import { sigmoidV, tanhV } from "./simdmath";

/** c + a·b: one fused multiply-add with relaxed SIMD, else a multiply and an add. */
// @ts-ignore: decorator
@inline function madd64(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

/**
 * e^t for t ≤ 0 (what σ needs: e^−|x|), the method of simdmath64's expV64 with less work: t =
 * n·ln 2 + r, e^r by its Taylor series to r^13 in fused multiply-adds, and 2^n built from n's bits
 * by the 2^52 + 2^51 trick (no float-to-int conversion), scaled as 2^(n+64)·2^−64 so that results
 * down to the subnormals come out right. Within an ulp or two of expV64.
 */
// @ts-ignore: decorator
@inline function expNonPositive64(t: v128): v128 {
  t = f64x2.max(t, f64x2.splat(-746.0));
  const n = f64x2.nearest(f64x2.mul(t, f64x2.splat(1.44269504088896338700e+00)));
  let r = madd64(n, f64x2.splat(-6.93147180369123816490e-01), t);
  r = madd64(n, f64x2.splat(-1.90821492927058770002e-10), r);
  let p = f64x2.splat(1.0 / 6227020800.0);
  p = madd64(p, r, f64x2.splat(1.0 / 479001600.0));
  p = madd64(p, r, f64x2.splat(1.0 / 39916800.0));
  p = madd64(p, r, f64x2.splat(1.0 / 3628800.0));
  p = madd64(p, r, f64x2.splat(1.0 / 362880.0));
  p = madd64(p, r, f64x2.splat(1.0 / 40320.0));
  p = madd64(p, r, f64x2.splat(1.0 / 5040.0));
  p = madd64(p, r, f64x2.splat(1.0 / 720.0));
  p = madd64(p, r, f64x2.splat(1.0 / 120.0));
  p = madd64(p, r, f64x2.splat(1.0 / 24.0));
  p = madd64(p, r, f64x2.splat(1.0 / 6.0));
  p = madd64(p, r, f64x2.splat(0.5));
  p = madd64(p, r, f64x2.splat(1.0));
  p = madd64(p, r, f64x2.splat(1.0));
  // n + 64 ∈ [−1012, 64]: its bits as an integer are those of (n + 64) + 1.5·2^52 less 0x4338000000000000
  const bits = v128.sub<i64>(f64x2.add(f64x2.add(n, f64x2.splat(64.0)), f64x2.splat(6755399441055744.0)), i64x2.splat(0x4338000000000000 - 1023));
  return f64x2.mul(f64x2.mul(p, i64x2.shl(bits, 52)), f64x2.splat(5.421010862427522e-20)); // 2^−64
}

/**
 * tanh as tanhV64 computes it (below |x| = 0.3 its Taylor series to x^25, in fused multiply-adds
 * here), elsewhere (1 − e)/(1 + e) with e = e^−2|x| ≤ 0.55 (no cancellation there) from the
 * cheaper e^t; x's sign put back.
 */
// @ts-ignore: decorator
@inline function tanh64(x: v128): v128 {
  const ax = f64x2.abs(x);
  const z = f64x2.mul(x, x);
  let p = f64x2.splat(1.5918905069328964e-05);
  p = madd64(p, z, f64x2.splat(-3.927832388331683e-05));
  p = madd64(p, z, f64x2.splat(9.691537956929451e-05));
  p = madd64(p, z, f64x2.splat(-2.3912911424355248e-04));
  p = madd64(p, z, f64x2.splat(5.90027440945586e-04));
  p = madd64(p, z, f64x2.splat(-1.4558343870513183e-03));
  p = madd64(p, z, f64x2.splat(3.592128036572481e-03));
  p = madd64(p, z, f64x2.splat(-8.863235529902197e-03));
  p = madd64(p, z, f64x2.splat(2.1869488536155203e-02));
  p = madd64(p, z, f64x2.splat(-5.396825396825397e-02));
  p = madd64(p, z, f64x2.splat(1.3333333333333333e-01));
  p = madd64(p, z, f64x2.splat(-3.3333333333333333e-01));
  const small = madd64(ax, f64x2.mul(z, p), ax);
  const e = expNonPositive64(f64x2.neg(f64x2.add(ax, ax)));
  const big = f64x2.div(f64x2.sub(f64x2.splat(1.0), e), f64x2.add(f64x2.splat(1.0), e));
  const t = v128.bitselect(small, big, f64x2.lt(ax, f64x2.splat(0.3)));
  return v128.or(t, v128.and(x, i64x2.splat(0x8000000000000000)));
}

/** σ(x) = 1/(1 + e^−x), e^ taken only of −|x| (as sigmoidV64). */
// @ts-ignore: decorator
@inline function sigmoid64(x: v128): v128 {
  const e = expNonPositive64(f64x2.neg(f64x2.abs(x)));
  const s = f64x2.div(f64x2.splat(1.0), f64x2.add(f64x2.splat(1.0), e));
  return v128.bitselect(s, f64x2.mul(e, s), f64x2.ge(x, f64x2.splat(0.0)));
}

// @ts-ignore: decorator
@inline function load32(p: usize, whole: bool): v128 {
  return whole ? v128.load(p) : v128.load32_zero(p);
}

// @ts-ignore: decorator
@inline function store32(p: usize, v: v128, whole: bool): void {
  if (whole) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}

// @ts-ignore: decorator
@inline function load64(p: usize, whole: bool): v128 {
  return whole ? v128.load(p) : v128.load64_zero(p);
}

// @ts-ignore: decorator
@inline function store64(p: usize, v: v128, whole: bool): void {
  if (whole) v128.store(p, v);
  else store<f64>(p, f64x2.extract_lane(v, 0));
}

/** A gate's pre-activation: xw + (hw + bias), at byte offset k of the rows and b of the bias (0: none). */
// @ts-ignore: decorator
@inline function pre32(xw: usize, hw: usize, bias: usize, k: usize, b: usize, whole: bool): v128 {
  let h = load32(hw + k, whole);
  if (bias) h = f32x4.add(h, load32(bias + b, whole));
  return f32x4.add(load32(xw + k, whole), h);
}

// @ts-ignore: decorator
@inline function pre64(xw: usize, hw: usize, bias: usize, k: usize, b: usize, whole: bool): v128 {
  let h = load64(hw + k, whole);
  if (bias) h = f64x2.add(h, load64(bias + b, whole));
  return f64x2.add(load64(xw + k, whole), h);
}

/**
 * gates = σ,σ,tanh,σ(xw + (hw + bias)); c' = f·c + i·g; h' = o·tanh(c'). xw, hw, gates: N×4H;
 * bias: 4H or 0 (none); c: N×H; out: h' (N×H) then c' (N×H).
 */
export function lstmCell(xw: usize, hw: usize, bias: usize, c: usize, rows: i32, hidden: i32, out: usize, gates: usize): void {
  const H = <usize>hidden;
  const gateBytes = H << 2;
  const rowBytes = gateBytes << 2;
  const cOut = out + ((<usize>rows * H) << 2);
  for (let n: usize = 0; n < <usize>rows; n++) {
    const row = n * rowBytes;
    const state = (n * H) << 2;
    for (let j: usize = 0; j < H; ) {
      const whole = j + 4 <= H;
      const q = j << 2;
      const i = sigmoidV(pre32(xw, hw, bias, row + 0 * gateBytes + q, 0 * gateBytes + q, whole));
      const f = sigmoidV(pre32(xw, hw, bias, row + 1 * gateBytes + q, 1 * gateBytes + q, whole));
      const g = tanhV(pre32(xw, hw, bias, row + 2 * gateBytes + q, 2 * gateBytes + q, whole));
      const o = sigmoidV(pre32(xw, hw, bias, row + 3 * gateBytes + q, 3 * gateBytes + q, whole));
      const k = gates + row + q;
      store32(k, i, whole);
      store32(k + gateBytes, f, whole);
      store32(k + 2 * gateBytes, g, whole);
      store32(k + 3 * gateBytes, o, whole);
      const c2 = f32x4.add(f32x4.mul(f, load32(c + state + q, whole)), f32x4.mul(i, g));
      store32(cOut + state + q, c2, whole);
      store32(out + state + q, f32x4.mul(o, tanhV(c2)), whole);
      j += whole ? 4 : 1;
    }
  }
}

/**
 * The backward, from the gates the forward wrote and c (c' = f·c + i·g recomputed), and grad = dh' (N×H) then
 * dc' (N×H): with t = tanh(c'), dc'' = dc' + (dh·o)·(1 − t)(1 + t); the gate pre-activations'
 * gradient (N×4H) is dc''·g·i(1 − i), dc''·c·f(1 − f), dc''·i·(1 − g)(1 + g), dh·t·o(1 − o);
 * gradC = dc''·f.
 */
export function lstmCellBackward(gates: usize, c: usize, grad: usize, rows: i32, hidden: i32, gradGates: usize, gradC: usize): void {
  const H = <usize>hidden;
  const gateBytes = H << 2;
  const rowBytes = gateBytes << 2;
  const dcIn = grad + ((<usize>rows * H) << 2);
  const one = f32x4.splat(1.0);
  for (let n: usize = 0; n < <usize>rows; n++) {
    const row = n * rowBytes;
    const state = (n * H) << 2;
    for (let j: usize = 0; j < H; ) {
      const whole = j + 4 <= H;
      const q = j << 2;
      const k = row + q;
      const s = state + q;
      const i = load32(gates + k, whole);
      const f = load32(gates + k + gateBytes, whole);
      const g = load32(gates + k + 2 * gateBytes, whole);
      const o = load32(gates + k + 3 * gateBytes, whole);
      const dh = load32(grad + s, whole);
      const cs = load32(c + s, whole);
      const t = tanhV(f32x4.add(f32x4.mul(f, cs), f32x4.mul(i, g)));
      const dtanh = f32x4.mul(f32x4.sub(one, t), f32x4.add(one, t));
      const dc = f32x4.add(load32(dcIn + s, whole), f32x4.mul(f32x4.mul(dh, o), dtanh));
      store32(gradGates + k, f32x4.mul(f32x4.mul(dc, g), f32x4.mul(i, f32x4.sub(one, i))), whole);
      store32(gradGates + k + gateBytes, f32x4.mul(f32x4.mul(dc, cs), f32x4.mul(f, f32x4.sub(one, f))), whole);
      store32(gradGates + k + 2 * gateBytes, f32x4.mul(f32x4.mul(dc, i), f32x4.mul(f32x4.sub(one, g), f32x4.add(one, g))), whole);
      store32(gradGates + k + 3 * gateBytes, f32x4.mul(f32x4.mul(dh, t), f32x4.mul(o, f32x4.sub(one, o))), whole);
      store32(gradC + s, f32x4.mul(dc, f), whole);
      j += whole ? 4 : 1;
    }
  }
}

/** lstmCell in float64. */
export function lstmCell64(xw: usize, hw: usize, bias: usize, c: usize, rows: i32, hidden: i32, out: usize, gates: usize): void {
  const H = <usize>hidden;
  const gateBytes = H << 3;
  const rowBytes = gateBytes << 2;
  const cOut = out + ((<usize>rows * H) << 3);
  for (let n: usize = 0; n < <usize>rows; n++) {
    const row = n * rowBytes;
    const state = (n * H) << 3;
    for (let j: usize = 0; j < H; ) {
      const whole = j + 2 <= H;
      const q = j << 3;
      const i = sigmoid64(pre64(xw, hw, bias, row + 0 * gateBytes + q, 0 * gateBytes + q, whole));
      const f = sigmoid64(pre64(xw, hw, bias, row + 1 * gateBytes + q, 1 * gateBytes + q, whole));
      const g = tanh64(pre64(xw, hw, bias, row + 2 * gateBytes + q, 2 * gateBytes + q, whole));
      const o = sigmoid64(pre64(xw, hw, bias, row + 3 * gateBytes + q, 3 * gateBytes + q, whole));
      const k = gates + row + q;
      store64(k, i, whole);
      store64(k + gateBytes, f, whole);
      store64(k + 2 * gateBytes, g, whole);
      store64(k + 3 * gateBytes, o, whole);
      const c2 = f64x2.add(f64x2.mul(f, load64(c + state + q, whole)), f64x2.mul(i, g));
      store64(cOut + state + q, c2, whole);
      store64(out + state + q, f64x2.mul(o, tanh64(c2)), whole);
      j += whole ? 2 : 1;
    }
  }
}

/** lstmCellBackward in float64. */
export function lstmCellBackward64(gates: usize, c: usize, grad: usize, rows: i32, hidden: i32, gradGates: usize, gradC: usize): void {
  const H = <usize>hidden;
  const gateBytes = H << 3;
  const rowBytes = gateBytes << 2;
  const dcIn = grad + ((<usize>rows * H) << 3);
  const one = f64x2.splat(1.0);
  for (let n: usize = 0; n < <usize>rows; n++) {
    const row = n * rowBytes;
    const state = (n * H) << 3;
    for (let j: usize = 0; j < H; ) {
      const whole = j + 2 <= H;
      const q = j << 3;
      const k = row + q;
      const s = state + q;
      const i = load64(gates + k, whole);
      const f = load64(gates + k + gateBytes, whole);
      const g = load64(gates + k + 2 * gateBytes, whole);
      const o = load64(gates + k + 3 * gateBytes, whole);
      const dh = load64(grad + s, whole);
      const cs = load64(c + s, whole);
      const t = tanh64(f64x2.add(f64x2.mul(f, cs), f64x2.mul(i, g)));
      const dtanh = f64x2.mul(f64x2.sub(one, t), f64x2.add(one, t));
      const dc = f64x2.add(load64(dcIn + s, whole), f64x2.mul(f64x2.mul(dh, o), dtanh));
      store64(gradGates + k, f64x2.mul(f64x2.mul(dc, g), f64x2.mul(i, f64x2.sub(one, i))), whole);
      store64(gradGates + k + gateBytes, f64x2.mul(f64x2.mul(dc, cs), f64x2.mul(f, f64x2.sub(one, f))), whole);
      store64(gradGates + k + 2 * gateBytes, f64x2.mul(f64x2.mul(dc, i), f64x2.mul(f64x2.sub(one, g), f64x2.add(one, g))), whole);
      store64(gradGates + k + 3 * gateBytes, f64x2.mul(f64x2.mul(dh, t), f64x2.mul(o, f64x2.sub(one, o))), whole);
      store64(gradC + s, f64x2.mul(dc, f), whole);
      j += whole ? 2 : 1;
    }
  }
}

/**
 * A GRU step (the contract and the plain loops: src/backend/js/gru-cell.ts): xw, hw N×3H, bias 3H
 * or 0; hn = hw_n + b_n; r, z = σ(xw + (hw + bias)); n = tanh(xw_n + r·hn); h' = n + z·(h − n);
 * gates N×4H: r, z, n, hn.
 */
export function gruCell(xw: usize, hw: usize, bias: usize, h: usize, rows: i32, hidden: i32, out: usize, gates: usize): void {
  const H = <usize>hidden;
  const gateBytes = H << 2;
  for (let n: usize = 0; n < <usize>rows; n++) {
    const row = n * 3 * gateBytes;
    const grow = gates + n * 4 * gateBytes;
    const state = (n * H) << 2;
    for (let j: usize = 0; j < H; ) {
      const whole = j + 4 <= H;
      const q = j << 2;
      const r = sigmoidV(pre32(xw, hw, bias, row + q, q, whole));
      const z = sigmoidV(pre32(xw, hw, bias, row + gateBytes + q, gateBytes + q, whole));
      let hn = load32(hw + row + 2 * gateBytes + q, whole);
      if (bias) hn = f32x4.add(hn, load32(bias + 2 * gateBytes + q, whole));
      const g = tanhV(f32x4.add(load32(xw + row + 2 * gateBytes + q, whole), f32x4.mul(r, hn)));
      store32(out + state + q, f32x4.add(g, f32x4.mul(z, f32x4.sub(load32(h + state + q, whole), g))), whole);
      store32(grow + q, r, whole);
      store32(grow + gateBytes + q, z, whole);
      store32(grow + 2 * gateBytes + q, g, whole);
      store32(grow + 3 * gateBytes + q, hn, whole);
      j += whole ? 4 : 1;
    }
  }
}

/** The GRU step's backward: gradXw, gradHw N×3H and gradH N×H from the gates, h and grad = dh'. */
export function gruCellBackward(gates: usize, h: usize, grad: usize, rows: i32, hidden: i32, gradXw: usize, gradHw: usize, gradH: usize): void {
  const H = <usize>hidden;
  const gateBytes = H << 2;
  const one = f32x4.splat(1.0);
  for (let n: usize = 0; n < <usize>rows; n++) {
    const row = n * 3 * gateBytes;
    const grow = gates + n * 4 * gateBytes;
    const state = (n * H) << 2;
    for (let j: usize = 0; j < H; ) {
      const whole = j + 4 <= H;
      const q = j << 2;
      const r = load32(grow + q, whole);
      const z = load32(grow + gateBytes + q, whole);
      const g = load32(grow + 2 * gateBytes + q, whole);
      const hn = load32(grow + 3 * gateBytes + q, whole);
      const d = load32(grad + state + q, whole);
      const dz = f32x4.mul(d, z);
      const dn = f32x4.mul(f32x4.sub(d, dz), f32x4.mul(f32x4.sub(one, g), f32x4.add(one, g)));
      const dr = f32x4.mul(f32x4.mul(dn, hn), f32x4.mul(r, f32x4.sub(one, r)));
      const dzPre = f32x4.mul(f32x4.mul(d, f32x4.sub(load32(h + state + q, whole), g)), f32x4.mul(z, f32x4.sub(one, z)));
      store32(gradXw + row + q, dr, whole);
      store32(gradXw + row + gateBytes + q, dzPre, whole);
      store32(gradXw + row + 2 * gateBytes + q, dn, whole);
      store32(gradHw + row + q, dr, whole);
      store32(gradHw + row + gateBytes + q, dzPre, whole);
      store32(gradHw + row + 2 * gateBytes + q, f32x4.mul(dn, r), whole);
      store32(gradH + state + q, dz, whole);
      j += whole ? 4 : 1;
    }
  }
}

/** gruCell in float64. */
export function gruCell64(xw: usize, hw: usize, bias: usize, h: usize, rows: i32, hidden: i32, out: usize, gates: usize): void {
  const H = <usize>hidden;
  const gateBytes = H << 3;
  for (let n: usize = 0; n < <usize>rows; n++) {
    const row = n * 3 * gateBytes;
    const grow = gates + n * 4 * gateBytes;
    const state = (n * H) << 3;
    for (let j: usize = 0; j < H; ) {
      const whole = j + 2 <= H;
      const q = j << 3;
      const r = sigmoid64(pre64(xw, hw, bias, row + q, q, whole));
      const z = sigmoid64(pre64(xw, hw, bias, row + gateBytes + q, gateBytes + q, whole));
      let hn = load64(hw + row + 2 * gateBytes + q, whole);
      if (bias) hn = f64x2.add(hn, load64(bias + 2 * gateBytes + q, whole));
      const g = tanh64(f64x2.add(load64(xw + row + 2 * gateBytes + q, whole), f64x2.mul(r, hn)));
      store64(out + state + q, f64x2.add(g, f64x2.mul(z, f64x2.sub(load64(h + state + q, whole), g))), whole);
      store64(grow + q, r, whole);
      store64(grow + gateBytes + q, z, whole);
      store64(grow + 2 * gateBytes + q, g, whole);
      store64(grow + 3 * gateBytes + q, hn, whole);
      j += whole ? 2 : 1;
    }
  }
}

/** gruCellBackward in float64. */
export function gruCellBackward64(gates: usize, h: usize, grad: usize, rows: i32, hidden: i32, gradXw: usize, gradHw: usize, gradH: usize): void {
  const H = <usize>hidden;
  const gateBytes = H << 3;
  const one = f64x2.splat(1.0);
  for (let n: usize = 0; n < <usize>rows; n++) {
    const row = n * 3 * gateBytes;
    const grow = gates + n * 4 * gateBytes;
    const state = (n * H) << 3;
    for (let j: usize = 0; j < H; ) {
      const whole = j + 2 <= H;
      const q = j << 3;
      const r = load64(grow + q, whole);
      const z = load64(grow + gateBytes + q, whole);
      const g = load64(grow + 2 * gateBytes + q, whole);
      const hn = load64(grow + 3 * gateBytes + q, whole);
      const d = load64(grad + state + q, whole);
      const dz = f64x2.mul(d, z);
      const dn = f64x2.mul(f64x2.sub(d, dz), f64x2.mul(f64x2.sub(one, g), f64x2.add(one, g)));
      const dr = f64x2.mul(f64x2.mul(dn, hn), f64x2.mul(r, f64x2.sub(one, r)));
      const dzPre = f64x2.mul(f64x2.mul(d, f64x2.sub(load64(h + state + q, whole), g)), f64x2.mul(z, f64x2.sub(one, z)));
      store64(gradXw + row + q, dr, whole);
      store64(gradXw + row + gateBytes + q, dzPre, whole);
      store64(gradXw + row + 2 * gateBytes + q, dn, whole);
      store64(gradHw + row + q, dr, whole);
      store64(gradHw + row + gateBytes + q, dzPre, whole);
      store64(gradHw + row + 2 * gateBytes + q, f64x2.mul(dn, r), whole);
      store64(gradH + state + q, dz, whole);
      j += whole ? 2 : 1;
    }
  }
}
