// The recurrent cells' fused steps: an LSTM step's (and, at the end, a GRU step's) pointwise part and its backward in one pass each,
// written once over T (lanes.ts) for float32 (f32x4) and float64 (f64x2): the unfused ops' operations in their order, with the gate
// functions of the generated pointwise kernels (simdmath.ts; float64's σ and tanh as simdmath64.ts has them, with a cheaper
// e^t and fused multiply-adds), so the results are theirs, to an ulp or two. Rows are N of 4H gates
// (i, f, g, o, H each) and H states; each row walks whole vectors, then its ragged end one value at
// a time through lane 0 (H need not be a multiple of the lanes: every gate starts a fresh vector).
// The contract, and the plain loops these are checked against: src/backend/js/lstm-cell.ts.
import { lanesOf, loadLanes, maddOf, shiftOf, storeLanes } from "./lanes";
import { sigmoidFromExp, sigmoidV, tanhV } from "./simdmath";

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
  let r = maddOf<f64>(n, f64x2.splat(-6.93147180369123816490e-01), t);
  r = maddOf<f64>(n, f64x2.splat(-1.90821492927058770002e-10), r);
  let p = f64x2.splat(1.0 / 6227020800.0);
  p = maddOf<f64>(p, r, f64x2.splat(1.0 / 479001600.0));
  p = maddOf<f64>(p, r, f64x2.splat(1.0 / 39916800.0));
  p = maddOf<f64>(p, r, f64x2.splat(1.0 / 3628800.0));
  p = maddOf<f64>(p, r, f64x2.splat(1.0 / 362880.0));
  p = maddOf<f64>(p, r, f64x2.splat(1.0 / 40320.0));
  p = maddOf<f64>(p, r, f64x2.splat(1.0 / 5040.0));
  p = maddOf<f64>(p, r, f64x2.splat(1.0 / 720.0));
  p = maddOf<f64>(p, r, f64x2.splat(1.0 / 120.0));
  p = maddOf<f64>(p, r, f64x2.splat(1.0 / 24.0));
  p = maddOf<f64>(p, r, f64x2.splat(1.0 / 6.0));
  p = maddOf<f64>(p, r, f64x2.splat(0.5));
  p = maddOf<f64>(p, r, f64x2.splat(1.0));
  p = maddOf<f64>(p, r, f64x2.splat(1.0));
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
  p = maddOf<f64>(p, z, f64x2.splat(-3.927832388331683e-05));
  p = maddOf<f64>(p, z, f64x2.splat(9.691537956929451e-05));
  p = maddOf<f64>(p, z, f64x2.splat(-2.3912911424355248e-04));
  p = maddOf<f64>(p, z, f64x2.splat(5.90027440945586e-04));
  p = maddOf<f64>(p, z, f64x2.splat(-1.4558343870513183e-03));
  p = maddOf<f64>(p, z, f64x2.splat(3.592128036572481e-03));
  p = maddOf<f64>(p, z, f64x2.splat(-8.863235529902197e-03));
  p = maddOf<f64>(p, z, f64x2.splat(2.1869488536155203e-02));
  p = maddOf<f64>(p, z, f64x2.splat(-5.396825396825397e-02));
  p = maddOf<f64>(p, z, f64x2.splat(1.3333333333333333e-01));
  p = maddOf<f64>(p, z, f64x2.splat(-3.3333333333333333e-01));
  const small = maddOf<f64>(ax, f64x2.mul(z, p), ax);
  const e = expNonPositive64(f64x2.neg(f64x2.add(ax, ax)));
  const big = f64x2.div(f64x2.sub(f64x2.splat(1.0), e), f64x2.add(f64x2.splat(1.0), e));
  const t = v128.bitselect(small, big, f64x2.lt(ax, f64x2.splat(0.3)));
  return v128.or(t, v128.and(x, i64x2.splat(0x8000000000000000)));
}

/** σ(x) = 1/(1 + e^−x), e^ taken only of −|x| (simdmath.ts sigmoidFromExp, as sigmoidV64). */
// @ts-ignore: decorator
@inline function sigmoid64(x: v128): v128 {
  return sigmoidFromExp<f64>(x, expNonPositive64(f64x2.neg(f64x2.abs(x))));
}

/** σ per lane: simdmath.ts's for float32, sigmoid64 above for float64. */
// @ts-ignore: decorator
@inline function sigmoidOf<T>(x: v128): v128 {
  if (sizeof<T>() == 4) return sigmoidV(x);
  return sigmoid64(x);
}

/** tanh per lane: simdmath.ts's for float32, tanh64 above for float64. */
// @ts-ignore: decorator
@inline function tanhOf<T>(x: v128): v128 {
  if (sizeof<T>() == 4) return tanhV(x);
  return tanh64(x);
}

/** A gate's pre-activation: xw + (hw + bias), at byte offset k of the rows and b of the bias (0: none). */
// @ts-ignore: decorator
@inline function pre<T>(xw: usize, hw: usize, bias: usize, k: usize, b: usize, whole: bool): v128 {
  let h = loadLanes<T>(hw + k, whole);
  if (bias) h = v128.add<T>(h, loadLanes<T>(bias + b, whole));
  return v128.add<T>(loadLanes<T>(xw + k, whole), h);
}

/**
 * gates = σ,σ,tanh,σ(xw + (hw + bias)); c' = f·c + i·g; h' = o·tanh(c'). xw, hw, gates: N×4H;
 * bias: 4H or 0 (none); c: N×H; out: h' (N×H) then c' (N×H).
 */
// @ts-ignore: decorator
@inline function lstmCellOf<T>(xw: usize, hw: usize, bias: usize, c: usize, rows: i32, hidden: i32, out: usize, gates: usize): void {
  const L = lanesOf<T>();
  const S = shiftOf<T>();
  const H = <usize>hidden;
  const gateBytes = H << S;
  const rowBytes = gateBytes << 2;
  const cOut = out + ((<usize>rows * H) << S);
  for (let n: usize = 0; n < <usize>rows; n++) {
    const row = n * rowBytes;
    const state = (n * H) << S;
    for (let j: usize = 0; j < H; ) {
      const whole = j + L <= H;
      const q = j << S;
      const i = sigmoidOf<T>(pre<T>(xw, hw, bias, row + 0 * gateBytes + q, 0 * gateBytes + q, whole));
      const f = sigmoidOf<T>(pre<T>(xw, hw, bias, row + 1 * gateBytes + q, 1 * gateBytes + q, whole));
      const g = tanhOf<T>(pre<T>(xw, hw, bias, row + 2 * gateBytes + q, 2 * gateBytes + q, whole));
      const o = sigmoidOf<T>(pre<T>(xw, hw, bias, row + 3 * gateBytes + q, 3 * gateBytes + q, whole));
      const k = gates + row + q;
      storeLanes<T>(k, i, whole);
      storeLanes<T>(k + gateBytes, f, whole);
      storeLanes<T>(k + 2 * gateBytes, g, whole);
      storeLanes<T>(k + 3 * gateBytes, o, whole);
      const c2 = v128.add<T>(v128.mul<T>(f, loadLanes<T>(c + state + q, whole)), v128.mul<T>(i, g));
      storeLanes<T>(cOut + state + q, c2, whole);
      storeLanes<T>(out + state + q, v128.mul<T>(o, tanhOf<T>(c2)), whole);
      j += whole ? L : 1;
    }
  }
}

/**
 * The backward, from the gates the forward wrote and c (c' = f·c + i·g recomputed), and grad = dh' (N×H) then
 * dc' (N×H): with t = tanh(c'), dc'' = dc' + (dh·o)·(1 − t)(1 + t); the gate pre-activations'
 * gradient (N×4H) is dc''·g·i(1 − i), dc''·c·f(1 − f), dc''·i·(1 − g)(1 + g), dh·t·o(1 − o);
 * gradC = dc''·f.
 */
// @ts-ignore: decorator
@inline function lstmCellBackwardOf<T>(gates: usize, c: usize, grad: usize, rows: i32, hidden: i32, gradGates: usize, gradC: usize): void {
  const L = lanesOf<T>();
  const S = shiftOf<T>();
  const H = <usize>hidden;
  const gateBytes = H << S;
  const rowBytes = gateBytes << 2;
  const dcIn = grad + ((<usize>rows * H) << S);
  const one = v128.splat<T>(<T>1.0);
  for (let n: usize = 0; n < <usize>rows; n++) {
    const row = n * rowBytes;
    const state = (n * H) << S;
    for (let j: usize = 0; j < H; ) {
      const whole = j + L <= H;
      const q = j << S;
      const k = row + q;
      const s = state + q;
      const i = loadLanes<T>(gates + k, whole);
      const f = loadLanes<T>(gates + k + gateBytes, whole);
      const g = loadLanes<T>(gates + k + 2 * gateBytes, whole);
      const o = loadLanes<T>(gates + k + 3 * gateBytes, whole);
      const dh = loadLanes<T>(grad + s, whole);
      const cs = loadLanes<T>(c + s, whole);
      const t = tanhOf<T>(v128.add<T>(v128.mul<T>(f, cs), v128.mul<T>(i, g)));
      const dtanh = v128.mul<T>(v128.sub<T>(one, t), v128.add<T>(one, t));
      const dc = v128.add<T>(loadLanes<T>(dcIn + s, whole), v128.mul<T>(v128.mul<T>(dh, o), dtanh));
      storeLanes<T>(gradGates + k, v128.mul<T>(v128.mul<T>(dc, g), v128.mul<T>(i, v128.sub<T>(one, i))), whole);
      storeLanes<T>(gradGates + k + gateBytes, v128.mul<T>(v128.mul<T>(dc, cs), v128.mul<T>(f, v128.sub<T>(one, f))), whole);
      storeLanes<T>(gradGates + k + 2 * gateBytes, v128.mul<T>(v128.mul<T>(dc, i), v128.mul<T>(v128.sub<T>(one, g), v128.add<T>(one, g))), whole);
      storeLanes<T>(gradGates + k + 3 * gateBytes, v128.mul<T>(v128.mul<T>(dh, t), v128.mul<T>(o, v128.sub<T>(one, o))), whole);
      storeLanes<T>(gradC + s, v128.mul<T>(dc, f), whole);
      j += whole ? L : 1;
    }
  }
}

/**
 * A GRU step (the contract and the plain loops: src/backend/js/gru-cell.ts): xw, hw N×3H, bias 3H
 * or 0; hn = hw_n + b_n; r, z = σ(xw + (hw + bias)); n = tanh(xw_n + r·hn); h' = n + z·(h − n);
 * gates N×4H: r, z, n, hn.
 */
// @ts-ignore: decorator
@inline function gruCellOf<T>(xw: usize, hw: usize, bias: usize, h: usize, rows: i32, hidden: i32, out: usize, gates: usize): void {
  const L = lanesOf<T>();
  const S = shiftOf<T>();
  const H = <usize>hidden;
  const gateBytes = H << S;
  for (let n: usize = 0; n < <usize>rows; n++) {
    const row = n * 3 * gateBytes;
    const grow = gates + n * 4 * gateBytes;
    const state = (n * H) << S;
    for (let j: usize = 0; j < H; ) {
      const whole = j + L <= H;
      const q = j << S;
      const r = sigmoidOf<T>(pre<T>(xw, hw, bias, row + q, q, whole));
      const z = sigmoidOf<T>(pre<T>(xw, hw, bias, row + gateBytes + q, gateBytes + q, whole));
      let hn = loadLanes<T>(hw + row + 2 * gateBytes + q, whole);
      if (bias) hn = v128.add<T>(hn, loadLanes<T>(bias + 2 * gateBytes + q, whole));
      const g = tanhOf<T>(v128.add<T>(loadLanes<T>(xw + row + 2 * gateBytes + q, whole), v128.mul<T>(r, hn)));
      storeLanes<T>(out + state + q, v128.add<T>(g, v128.mul<T>(z, v128.sub<T>(loadLanes<T>(h + state + q, whole), g))), whole);
      storeLanes<T>(grow + q, r, whole);
      storeLanes<T>(grow + gateBytes + q, z, whole);
      storeLanes<T>(grow + 2 * gateBytes + q, g, whole);
      storeLanes<T>(grow + 3 * gateBytes + q, hn, whole);
      j += whole ? L : 1;
    }
  }
}

/** The GRU step's backward: gradXw, gradHw N×3H and gradH N×H from the gates, h and grad = dh'. */
// @ts-ignore: decorator
@inline function gruCellBackwardOf<T>(gates: usize, h: usize, grad: usize, rows: i32, hidden: i32, gradXw: usize, gradHw: usize, gradH: usize): void {
  const L = lanesOf<T>();
  const S = shiftOf<T>();
  const H = <usize>hidden;
  const gateBytes = H << S;
  const one = v128.splat<T>(<T>1.0);
  for (let n: usize = 0; n < <usize>rows; n++) {
    const row = n * 3 * gateBytes;
    const grow = gates + n * 4 * gateBytes;
    const state = (n * H) << S;
    for (let j: usize = 0; j < H; ) {
      const whole = j + L <= H;
      const q = j << S;
      const r = loadLanes<T>(grow + q, whole);
      const z = loadLanes<T>(grow + gateBytes + q, whole);
      const g = loadLanes<T>(grow + 2 * gateBytes + q, whole);
      const hn = loadLanes<T>(grow + 3 * gateBytes + q, whole);
      const d = loadLanes<T>(grad + state + q, whole);
      const dz = v128.mul<T>(d, z);
      const dn = v128.mul<T>(v128.sub<T>(d, dz), v128.mul<T>(v128.sub<T>(one, g), v128.add<T>(one, g)));
      const dr = v128.mul<T>(v128.mul<T>(dn, hn), v128.mul<T>(r, v128.sub<T>(one, r)));
      const dzPre = v128.mul<T>(v128.mul<T>(d, v128.sub<T>(loadLanes<T>(h + state + q, whole), g)), v128.mul<T>(z, v128.sub<T>(one, z)));
      storeLanes<T>(gradXw + row + q, dr, whole);
      storeLanes<T>(gradXw + row + gateBytes + q, dzPre, whole);
      storeLanes<T>(gradXw + row + 2 * gateBytes + q, dn, whole);
      storeLanes<T>(gradHw + row + q, dr, whole);
      storeLanes<T>(gradHw + row + gateBytes + q, dzPre, whole);
      storeLanes<T>(gradHw + row + 2 * gateBytes + q, v128.mul<T>(dn, r), whole);
      storeLanes<T>(gradH + state + q, dz, whole);
      j += whole ? L : 1;
    }
  }
}

// The exported kernels, one per float type (the pointers and sizes as the functions above describe).

export function lstmCell(xw: usize, hw: usize, bias: usize, c: usize, rows: i32, hidden: i32, out: usize, gates: usize): void {
  lstmCellOf<f32>(xw, hw, bias, c, rows, hidden, out, gates);
}

export function lstmCellBackward(gates: usize, c: usize, grad: usize, rows: i32, hidden: i32, gradGates: usize, gradC: usize): void {
  lstmCellBackwardOf<f32>(gates, c, grad, rows, hidden, gradGates, gradC);
}

export function lstmCell64(xw: usize, hw: usize, bias: usize, c: usize, rows: i32, hidden: i32, out: usize, gates: usize): void {
  lstmCellOf<f64>(xw, hw, bias, c, rows, hidden, out, gates);
}

export function lstmCellBackward64(gates: usize, c: usize, grad: usize, rows: i32, hidden: i32, gradGates: usize, gradC: usize): void {
  lstmCellBackwardOf<f64>(gates, c, grad, rows, hidden, gradGates, gradC);
}

export function gruCell(xw: usize, hw: usize, bias: usize, h: usize, rows: i32, hidden: i32, out: usize, gates: usize): void {
  gruCellOf<f32>(xw, hw, bias, h, rows, hidden, out, gates);
}

export function gruCellBackward(gates: usize, h: usize, grad: usize, rows: i32, hidden: i32, gradXw: usize, gradHw: usize, gradH: usize): void {
  gruCellBackwardOf<f32>(gates, h, grad, rows, hidden, gradXw, gradHw, gradH);
}

export function gruCell64(xw: usize, hw: usize, bias: usize, h: usize, rows: i32, hidden: i32, out: usize, gates: usize): void {
  gruCellOf<f64>(xw, hw, bias, h, rows, hidden, out, gates);
}

export function gruCellBackward64(gates: usize, h: usize, grad: usize, rows: i32, hidden: i32, gradXw: usize, gradHw: usize, gradH: usize): void {
  gruCellBackwardOf<f64>(gates, h, grad, rows, hidden, gradXw, gradHw, gradH);
}
