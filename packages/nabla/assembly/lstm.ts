// An LSTM step's pointwise part and its backward in one pass each, float32 (f32x4) and float64
// (f64x2): the unfused ops' operations in their order, with the gate functions of the generated
// pointwise kernels (simdmath.ts, simdmath64.ts), so the results are theirs. Rows are N of 4H gates
// (i, f, g, o, H each) and H states; each row walks whole vectors, then its ragged end one value at
// a time through lane 0 (H need not be a multiple of the lanes: every gate starts a fresh vector).
// The contract, and the plain loops these are checked against: src/backend/js/lstm-cell.ts.
import { sigmoidV, tanhV } from "./simdmath";
import { sigmoidV64, tanhV64 } from "./simdmath64";

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
      const i = sigmoidV64(pre64(xw, hw, bias, row + 0 * gateBytes + q, 0 * gateBytes + q, whole));
      const f = sigmoidV64(pre64(xw, hw, bias, row + 1 * gateBytes + q, 1 * gateBytes + q, whole));
      const g = tanhV64(pre64(xw, hw, bias, row + 2 * gateBytes + q, 2 * gateBytes + q, whole));
      const o = sigmoidV64(pre64(xw, hw, bias, row + 3 * gateBytes + q, 3 * gateBytes + q, whole));
      const k = gates + row + q;
      store64(k, i, whole);
      store64(k + gateBytes, f, whole);
      store64(k + 2 * gateBytes, g, whole);
      store64(k + 3 * gateBytes, o, whole);
      const c2 = f64x2.add(f64x2.mul(f, load64(c + state + q, whole)), f64x2.mul(i, g));
      store64(cOut + state + q, c2, whole);
      store64(out + state + q, f64x2.mul(o, tanhV64(c2)), whole);
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
      const t = tanhV64(f64x2.add(f64x2.mul(f, cs), f64x2.mul(i, g)));
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
