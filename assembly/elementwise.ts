// Elementwise float32 maps over contiguous runs. Pointers are byte addresses, n counts elements.
// Each op's loop is specialised by inlining `applyUnary`/`applyBinary` with a constant op code,
// so the switch inside them folds away at compile time.
import { expV, sigmoidV, tanhV } from "./simdmath";

// 32 bytes of static scratch (below the JS heap's start at 64 KiB) for helpers that produce two vectors.
const SCRATCH: usize = 512;

// Op codes: keep in step with src/backend/wasm/opcodes.ts.
export const NEG = 0, EXP = 1, ABS = 2, SQRT = 3, SIGMOID = 4, TANH = 5, RELU = 6, LEAKY_RELU = 7;
export const GELU_TANH = 8, GELU_TANH_GRAD = 9, SILU = 10, SILU_GRAD = 11;

// GELU's tanh form as a sigmoid: (1 + tanh(u))/2 = σ(2u), which keeps the far negative side
// exact where 1 + tanh(u) would cancel. 2u = C1·x + C3·x³.
// @ts-ignore: decorator
@inline const GELU_C1: f32 = 1.5957691216057308; // 2·√(2/π)
// @ts-ignore: decorator
@inline const GELU_C3: f32 = 0.07135481627159428; // 2·√(2/π)·0.044715

/** σ(z) and 1 − σ(z), each without cancellation, from one exp. */
// @ts-ignore: decorator
@inline function sigmoidAndComplement(z: v128, s: usize): void {
  const e = expV(f32x4.neg(f32x4.abs(z)));
  const r = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  const er = f32x4.mul(e, r);
  const pos = f32x4.ge(z, f32x4.splat(0));
  v128.store(s, v128.bitselect(r, er, pos));
  v128.store(s, v128.bitselect(er, r, pos), 16);
}
export const ADD = 0, SUB = 1, MUL = 2, DIV = 3, RELU_BW = 4, LEAKY_RELU_BW = 5, SIGMOID_BW = 6, TANH_BW = 7;

// @ts-ignore: decorator
@inline function applyUnary(op: i32, x: v128, alpha: v128): v128 {
  switch (op) {
    case NEG: return f32x4.neg(x);
    case EXP: return expV(x);
    case ABS: return f32x4.abs(x);
    case SQRT: return f32x4.sqrt(x);
    case SIGMOID: return sigmoidV(x);
    case TANH: return tanhV(x);
    case RELU: {
      // x > 0 or NaN keeps x; everything else (including -0) becomes +0
      const keep = v128.or(f32x4.gt(x, f32x4.splat(0)), f32x4.ne(x, x));
      return v128.and(x, keep);
    }
    case LEAKY_RELU: return v128.bitselect(x, f32x4.mul(x, alpha), f32x4.gt(x, f32x4.splat(0)));
    case GELU_TANH: {
      const z = f32x4.mul(x, f32x4.add(f32x4.splat(GELU_C1), f32x4.mul(f32x4.splat(GELU_C3), f32x4.mul(x, x))));
      return f32x4.mul(x, sigmoidV(z));
    }
    case GELU_TANH_GRAD: {
      // s + x·s(1 − s)·d(2u)/dx, d(2u)/dx = C1 + 3·C3·x²
      const x2 = f32x4.mul(x, x);
      const z = f32x4.mul(x, f32x4.add(f32x4.splat(GELU_C1), f32x4.mul(f32x4.splat(GELU_C3), x2)));
      sigmoidAndComplement(z, SCRATCH);
      const s = v128.load(SCRATCH);
      const c = v128.load(SCRATCH, 16);
      const dz = f32x4.add(f32x4.splat(GELU_C1), f32x4.mul(f32x4.splat(3 * GELU_C3), x2));
      return f32x4.add(s, f32x4.mul(f32x4.mul(x, f32x4.mul(s, c)), dz));
    }
    case SILU: return f32x4.mul(x, sigmoidV(x));
    case SILU_GRAD: {
      // σ(1 + x(1 − σ))
      sigmoidAndComplement(x, SCRATCH);
      const s = v128.load(SCRATCH);
      const c = v128.load(SCRATCH, 16);
      return f32x4.mul(s, f32x4.add(f32x4.splat(1), f32x4.mul(x, c)));
    }
  }
  return x;
}

// @ts-ignore: decorator
@inline function applyBinary(op: i32, a: v128, b: v128, alpha: v128): v128 {
  const one = f32x4.splat(1);
  switch (op) {
    case ADD: return f32x4.add(a, b);
    case SUB: return f32x4.sub(a, b);
    case MUL: return f32x4.mul(a, b);
    case DIV: return f32x4.div(a, b);
    case RELU_BW: return v128.and(a, f32x4.gt(b, f32x4.splat(0)));
    case LEAKY_RELU_BW: return v128.bitselect(a, f32x4.mul(a, alpha), f32x4.gt(b, f32x4.splat(0)));
    case SIGMOID_BW: return f32x4.mul(f32x4.mul(a, b), f32x4.sub(one, b));
    // (1 − b)(1 + b) rather than 1 − b²: no cancellation when b is near ±1
    case TANH_BW: return f32x4.mul(a, f32x4.mul(f32x4.sub(one, b), f32x4.add(one, b)));
  }
  return a;
}

// @ts-ignore: decorator
@inline function unaryLoop(op: i32, x: usize, out: usize, n: i32, alpha: f32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    const q = out + (<usize>i << 2);
    const r0 = applyUnary(op, v128.load(p), va);
    const r1 = applyUnary(op, v128.load(p, 16), va);
    const r2 = applyUnary(op, v128.load(p, 32), va);
    const r3 = applyUnary(op, v128.load(p, 48), va);
    v128.store(q, r0);
    v128.store(q, r1, 16);
    v128.store(q, r2, 32);
    v128.store(q, r3, 48);
  }
  for (; i + 4 <= n; i += 4) {
    v128.store(out + (<usize>i << 2), applyUnary(op, v128.load(x + (<usize>i << 2)), va));
  }
  for (; i < n; i++) {
    const r = applyUnary(op, v128.load32_zero(x + (<usize>i << 2)), va);
    store<f32>(out + (<usize>i << 2), f32x4.extract_lane(r, 0));
  }
}

/** out[i] = op(x[i]) for n contiguous floats. */
export function unary(op: i32, x: usize, out: usize, n: i32, alpha: f32): void {
  switch (op) {
    case NEG: unaryLoop(NEG, x, out, n, alpha); break;
    case EXP: unaryLoop(EXP, x, out, n, alpha); break;
    case ABS: unaryLoop(ABS, x, out, n, alpha); break;
    case SQRT: unaryLoop(SQRT, x, out, n, alpha); break;
    case SIGMOID: unaryLoop(SIGMOID, x, out, n, alpha); break;
    case TANH: unaryLoop(TANH, x, out, n, alpha); break;
    case RELU: unaryLoop(RELU, x, out, n, alpha); break;
    case LEAKY_RELU: unaryLoop(LEAKY_RELU, x, out, n, alpha); break;
    case GELU_TANH: unaryLoop(GELU_TANH, x, out, n, alpha); break;
    case GELU_TANH_GRAD: unaryLoop(GELU_TANH_GRAD, x, out, n, alpha); break;
    case SILU: unaryLoop(SILU, x, out, n, alpha); break;
    case SILU_GRAD: unaryLoop(SILU_GRAD, x, out, n, alpha); break;
  }
}

/** Loads 4 lanes from p, or splats the one float at p when the operand is broadcast (step 0). */
// @ts-ignore: decorator
@inline function load4(p: usize, step: i32): v128 {
  return step ? v128.load(p) : v128.load32_splat(p);
}

// @ts-ignore: decorator
@inline function binaryLoop(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32, alpha: f32): void {
  const va = f32x4.splat(alpha);
  // sa, sb are 1 (contiguous) or 0 (one value broadcast along the run)
  const da: usize = <usize>(sa << 4);
  const db: usize = <usize>(sb << 4);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const r0 = applyBinary(op, load4(a, sa), load4(b, sb), va);
    const r1 = applyBinary(op, load4(a + da, sa), load4(b + db, sb), va);
    v128.store(out, r0);
    v128.store(out, r1, 16);
    a += da << 1;
    b += db << 1;
    out += 32;
  }
  for (; i + 4 <= n; i += 4) {
    v128.store(out, applyBinary(op, load4(a, sa), load4(b, sb), va));
    a += da;
    b += db;
    out += 16;
  }
  for (; i < n; i++) {
    const r = applyBinary(op, v128.load32_zero(a), v128.load32_zero(b), va);
    store<f32>(out, f32x4.extract_lane(r, 0));
    a += <usize>(sa << 2);
    b += <usize>(sb << 2);
    out += 4;
  }
}

/** out[i] = op(a[i·sa], b[i·sb]) for n floats, sa and sb each 0 or 1. */
export function binary(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32, alpha: f32): void {
  switch (op) {
    case ADD: binaryLoop(ADD, a, sa, b, sb, out, n, alpha); break;
    case SUB: binaryLoop(SUB, a, sa, b, sb, out, n, alpha); break;
    case MUL: binaryLoop(MUL, a, sa, b, sb, out, n, alpha); break;
    case DIV: binaryLoop(DIV, a, sa, b, sb, out, n, alpha); break;
    case RELU_BW: binaryLoop(RELU_BW, a, sa, b, sb, out, n, alpha); break;
    case LEAKY_RELU_BW: binaryLoop(LEAKY_RELU_BW, a, sa, b, sb, out, n, alpha); break;
    case SIGMOID_BW: binaryLoop(SIGMOID_BW, a, sa, b, sb, out, n, alpha); break;
    case TANH_BW: binaryLoop(TANH_BW, a, sa, b, sb, out, n, alpha); break;
  }
}

/**
 * binary() over an n-d broadcast view, out contiguous: meta holds ndim int32 sizes, then a's and
 * b's element strides; each view's innermost stride must be 0 or 1. The outer dims are walked
 * here, so rows of a few elements (im2col taps, per-channel biases) cost no call each.
 */
export function binaryND(op: i32, a: usize, b: usize, out: usize, ndim: i32, meta: usize, alpha: f32): void {
  if (ndim == 0) {
    binary(op, a, 0, b, 0, out, 1, alpha);
    return;
  }
  const last = ndim - 1;
  const n = load<i32>(meta + (<usize>last << 2));
  const sa = load<i32>(meta + (<usize>(ndim + last) << 2));
  const sb = load<i32>(meta + (<usize>(2 * ndim + last) << 2));
  const counter = meta + (<usize>(3 * ndim) << 2);
  for (let d = 0; d < last; d++) store<i32>(counter + (<usize>d << 2), 0);
  let oa: isize = 0;
  let ob: isize = 0;
  let po = out;
  for (;;) {
    binary(op, a + <usize>(oa << 2), sa, b + <usize>(ob << 2), sb, po, n, alpha);
    po += <usize>n << 2;
    let d = last - 1;
    for (; d >= 0; d--) {
      const c = counter + (<usize>d << 2);
      const size = load<i32>(meta + (<usize>d << 2));
      const strideA = load<i32>(meta + (<usize>(ndim + d) << 2));
      const strideB = load<i32>(meta + (<usize>(2 * ndim + d) << 2));
      const k = load<i32>(c) + 1;
      oa += strideA;
      ob += strideB;
      if (k < size) {
        store<i32>(c, k);
        break;
      }
      store<i32>(c, 0);
      oa -= <isize>strideA * size;
      ob -= <isize>strideB * size;
    }
    if (d < 0) return;
  }
}
