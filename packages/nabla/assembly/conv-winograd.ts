// Winograd F(2×2, 3×3) transforms for 3×3, stride-1, undilated convolutions with many channels
// (MNIST's 32→64), where the direct and im2col kernels are bound by multiply-adds: each 2×2 block
// of outputs takes 16 products per (output, input) channel pair instead of 36, the products being
// 16 matrix products (one per transformed position k) that the GEMM runs over every tile at once:
//
//   forward   M_k [O, T] = U_k [O, C] · V_k [C, T],  y tile = Aᵀ m A (+ bias)
//   weight    dU_k [O, C] = Gy_k [O, T] · V_kᵀ,       dW = Gᵀ dU G
//
// with U = G g Gᵀ (weights), V = Bᵀ d B (4×4 input tiles d, overlapping by 2), Gy = A gy Aᵀ (2×2
// gradient tiles). The input gradient is the forward on gy with the weight transposed and flipped
// (src/backend/wasm/conv-winograd.ts). Tiles are numbered t = b·th·tw + ty·tw + tx over a block's
// samples; the transforms work on four tiles along a row at once, one per vector lane.
//
//   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]   G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
//   Aᵀ = [1 1 1 0; 0 1 −1 −1]
//
// The transforms mix values that the direct sum never adds together (an inf in one tap would
// meet a −inf or a zero weight in another output's combination), so each returns whether every
// value it read is finite and below 2^40 in magnitude; when one is not, the caller runs the exact
// kernels instead, and so infinities, NaN and overflow behave as they do there.
import { stage } from "./conv-direct";
import { ALLOW_DOT, matmul } from "./matmul";

/** The largest magnitude the transforms take: products and sums of such values stay finite. */
const LIMIT: f32 = 1099511627776.0; // 2^40

/** m with the lane-wise largest |v| of count floats at p (NaN propagates). */
function maxAbs(p: usize, count: i32, m: v128): v128 {
  let i = 0;
  for (; i + 4 <= count; i += 4) m = f32x4.max(m, f32x4.abs(v128.load(p + (<usize>i << 2))));
  for (; i < count; i++) m = f32x4.max(m, f32x4.splat(Mathf.abs(load<f32>(p + (<usize>i << 2)))));
  return m;
}

/** Whether every lane of m is below LIMIT (false for NaN). */
// @ts-ignore: decorator
@inline function bounded(m: v128): bool {
  return v128.all_true<i32>(f32x4.lt(m, f32x4.splat(LIMIT)));
}

/** The first `lanes` (at most 4) floats of v at p. */
// @ts-ignore: decorator
@inline function storeLanes(p: usize, v: v128, lanes: i32): void {
  if (lanes <= 0) return;
  if (lanes >= 4) {
    v128.store(p, v);
    return;
  }
  v128.store32_lane(p, v, 0);
  if (lanes > 1) v128.store32_lane(p, v, 1, 4);
  if (lanes > 2) v128.store32_lane(p, v, 2, 8);
}

/** The four values of G·(v0, v1, v2): v0, ½(v0 + v1 + v2), ½(v0 − v1 + v2), v2, at `at` with `step` bytes between them. */
// @ts-ignore: decorator
@inline function storeG(at: usize, step: usize, v0: f32, v1: f32, v2: f32): void {
  store<f32>(at, v0);
  store<f32>(at + step, 0.5 * (v0 + v1 + v2));
  store<f32>(at + 2 * step, 0.5 * (v0 - v1 + v2));
  store<f32>(at + 3 * step, v2);
}

/**
 * U[k][g·og + q][ch] = (G W_{g·og+q, ch} Gᵀ)[k] for every group g, with W[g·og + q, ch, i, j] at
 * wt + (g·swg + q·swo + ch·swc + i·swi + j·swj) floats (a transposed, flipped weight is strides).
 * Returns 1 when every weight is finite and below 2^40, else 0.
 */
export function winogradWeights(
  wt: usize, swo: i32, swc: i32, swg: i32, swi: i32, swj: i32,
  groups: i32, og: i32, cg: i32, dst: usize,
): i32 {
  const kStride = <usize>(groups * og * cg) << 2;
  let m: f32 = 0;
  for (let g = 0; g < groups; g++) {
    for (let q = 0; q < og; q++) {
      for (let ch = 0; ch < cg; ch++) {
        const base = wt + <usize>(<isize>(g * swg + q * swo + ch * swc) << 2);
        const at = dst + (<usize>((g * og + q) * cg + ch) << 2);
        // the 3×3 weight, row by row
        const r0 = base, r1 = base + <usize>(<isize>swi << 2), r2 = base + <usize>(<isize>(2 * swi) << 2);
        const js = <isize>swj << 2;
        const w00 = load<f32>(r0), w01 = load<f32>(r0 + js), w02 = load<f32>(r0 + 2 * js);
        const w10 = load<f32>(r1), w11 = load<f32>(r1 + js), w12 = load<f32>(r1 + 2 * js);
        const w20 = load<f32>(r2), w21 = load<f32>(r2 + js), w22 = load<f32>(r2 + 2 * js);
        m = max(m, max(max(max(Mathf.abs(w00), Mathf.abs(w01)), max(Mathf.abs(w02), Mathf.abs(w10))), max(max(Mathf.abs(w11), Mathf.abs(w12)), max(max(Mathf.abs(w20), Mathf.abs(w21)), Mathf.abs(w22)))));
        // t = G w: its rows a are w0, ½(w0 + w1 + w2), ½(w0 − w1 + w2), w2 (w_i = row i); U row a = G applied to t's row a
        const t10 = <f32>0.5 * (w00 + w10 + w20), t11 = <f32>0.5 * (w01 + w11 + w21), t12 = <f32>0.5 * (w02 + w12 + w22);
        const t20 = <f32>0.5 * (w00 - w10 + w20), t21 = <f32>0.5 * (w01 - w11 + w21), t22 = <f32>0.5 * (w02 - w12 + w22);
        storeG(at, kStride, w00, w01, w02);
        storeG(at + 4 * kStride, kStride, t10, t11, t12);
        storeG(at + 8 * kStride, kStride, t20, t21, t22);
        storeG(at + 12 * kStride, kStride, w20, w21, w22);
      }
    }
  }
  return m < LIMIT ? 1 : 0;
}

/**
 * dW[q, ch, i, j] = (Gᵀ dU[·][q][ch] G)[i][j] for q < o, ch < cg, from dU [16][o][cg], into
 * contiguous dW [o, cg, 3, 3] (overwritten).
 */
export function winogradWeightsBack(du: usize, o: i32, cg: i32, dst: usize): void {
  const kStride = <usize>(o * cg) << 2;
  for (let q = 0; q < o; q++) {
    for (let ch = 0; ch < cg; ch++) {
      const from = du + (<usize>(q * cg + ch) << 2);
      const to = dst + (<usize>((q * cg + ch) * 9) << 2);
      // Gᵀ v for v = (v0, v1, v2, v3): v0 + ½(v1 + v2), ½(v1 − v2), ½(v1 + v2) + v3; first down
      // each column b of X (giving Y, 3×4), then along each row of Y
      for (let i = 0; i < 3; i++) {
        let y0: f32 = 0, y1: f32 = 0, y2: f32 = 0, y3: f32 = 0;
        for (let b = 0; b < 4; b++) {
          const x0 = load<f32>(from + <usize>b * kStride);
          const x1 = load<f32>(from + <usize>(4 + b) * kStride);
          const x2 = load<f32>(from + <usize>(8 + b) * kStride);
          const x3 = load<f32>(from + <usize>(12 + b) * kStride);
          const yb: f32 = i == 0 ? x0 + <f32>0.5 * (x1 + x2) : i == 1 ? <f32>0.5 * (x1 - x2) : <f32>0.5 * (x1 + x2) + x3;
          if (b == 0) y0 = yb;
          else if (b == 1) y1 = yb;
          else if (b == 2) y2 = yb;
          else y3 = yb;
        }
        store<f32>(to + (<usize>(3 * i) << 2), y0 + <f32>0.5 * (y1 + y2));
        store<f32>(to + (<usize>(3 * i + 1) << 2), <f32>0.5 * (y1 - y2));
        store<f32>(to + (<usize>(3 * i + 2) << 2), <f32>0.5 * (y1 + y2) + y3);
      }
    }
  }
}

/** Even and odd lanes of the 8 floats a, b. */
// @ts-ignore: decorator
@inline function evens(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(a, b, 0, 2, 4, 6);
}
// @ts-ignore: decorator
@inline function odds(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(a, b, 1, 3, 5, 7);
}

/** Columns of a staged plane for tw tiles a row: whole groups of four tiles, each reading 10 columns from its first. */
// @ts-ignore: decorator
@inline function inputPlaneWidth(tw: i32): i32 {
  return 8 * ((tw + 3) >> 2) + 4;
}

/** Floats of work buffer winogradInput needs: the padded planes of one sample. */
export function winogradInputWork(c: i32, th: i32, tw: i32): i32 {
  return c * (2 * th + 2) * inputPlaneWidth(tw);
}

/**
 * V[k][ch][b·T + ty·tw + tx] = (Bᵀ d B)[k] for samples n0 + b, b < nb, of x [·, c, h, w] (element
 * strides s0..s3), d the 4×4 input tile at rows 2ty − ph.., columns 2tx − pw.. (zero outside x),
 * T = th·tw; V's rows are nb·T long, its planes k kFloats apart. Stages each sample's planes in `work`
 * (winogradInputWork floats). Returns 1 when every value read is finite and below 2^40, else 0.
 */
export function winogradInput(
  x: usize, s0: i32, s1: i32, s2: i32, s3: i32, n0: i32, nb: i32, c: i32, h: i32, w: i32,
  ph: i32, pw: i32, th: i32, tw: i32, v: usize, kFloats: i32, work: usize,
): i32 {
  const hp = 2 * th + 2;
  const wp = inputPlaneWidth(tw);
  const tiles = th * tw;
  const ld = <usize>(nb * tiles);
  const kStride = <usize>kFloats << 2;
  const rowBytes = <usize>wp << 2;
  let m = f32x4.splat(0);
  for (let b = 0; b < nb; b++) {
    stage(x, s0, s1, s2, s3, n0 + b, c, h, w, ph, pw, hp, wp, work);
    m = maxAbs(work, c * hp * wp, m);
    for (let ch = 0; ch < c; ch++) {
      const plane = work + <usize>(ch * hp) * rowBytes;
      for (let ty = 0; ty < th; ty++) {
        const out = v + ((<usize>ch * ld + <usize>(b * tiles + ty * tw)) << 2);
        for (let tx = 0; tx < tw; tx += 4) {
          let p = plane + <usize>(2 * ty) * rowBytes + (<usize>(2 * tx) << 2);
          // row r of the four tiles' d (lane l: tile tx + l), transformed along its columns by Bᵀ
          let a0 = v128.load(p), a1 = v128.load(p, 16), a2 = v128.load(p, 8), a3 = v128.load(p, 24);
          let d0 = evens(a0, a1), d1 = odds(a0, a1), d2 = evens(a2, a3), d3 = odds(a2, a3);
          const t00 = f32x4.sub(d0, d2), t01 = f32x4.add(d1, d2), t02 = f32x4.sub(d2, d1), t03 = f32x4.sub(d1, d3);
          p += rowBytes;
          a0 = v128.load(p); a1 = v128.load(p, 16); a2 = v128.load(p, 8); a3 = v128.load(p, 24);
          d0 = evens(a0, a1); d1 = odds(a0, a1); d2 = evens(a2, a3); d3 = odds(a2, a3);
          const t10 = f32x4.sub(d0, d2), t11 = f32x4.add(d1, d2), t12 = f32x4.sub(d2, d1), t13 = f32x4.sub(d1, d3);
          p += rowBytes;
          a0 = v128.load(p); a1 = v128.load(p, 16); a2 = v128.load(p, 8); a3 = v128.load(p, 24);
          d0 = evens(a0, a1); d1 = odds(a0, a1); d2 = evens(a2, a3); d3 = odds(a2, a3);
          const t20 = f32x4.sub(d0, d2), t21 = f32x4.add(d1, d2), t22 = f32x4.sub(d2, d1), t23 = f32x4.sub(d1, d3);
          p += rowBytes;
          a0 = v128.load(p); a1 = v128.load(p, 16); a2 = v128.load(p, 8); a3 = v128.load(p, 24);
          d0 = evens(a0, a1); d1 = odds(a0, a1); d2 = evens(a2, a3); d3 = odds(a2, a3);
          const t30 = f32x4.sub(d0, d2), t31 = f32x4.add(d1, d2), t32 = f32x4.sub(d2, d1), t33 = f32x4.sub(d1, d3);
          // then along its rows: V[i][j] from t[·][j]
          const lanes = tw - tx;
          const o = out + (<usize>tx << 2);
          storeLanes(o, f32x4.sub(t00, t20), lanes);
          storeLanes(o + kStride, f32x4.sub(t01, t21), lanes);
          storeLanes(o + 2 * kStride, f32x4.sub(t02, t22), lanes);
          storeLanes(o + 3 * kStride, f32x4.sub(t03, t23), lanes);
          storeLanes(o + 4 * kStride, f32x4.add(t10, t20), lanes);
          storeLanes(o + 5 * kStride, f32x4.add(t11, t21), lanes);
          storeLanes(o + 6 * kStride, f32x4.add(t12, t22), lanes);
          storeLanes(o + 7 * kStride, f32x4.add(t13, t23), lanes);
          storeLanes(o + 8 * kStride, f32x4.sub(t20, t10), lanes);
          storeLanes(o + 9 * kStride, f32x4.sub(t21, t11), lanes);
          storeLanes(o + 10 * kStride, f32x4.sub(t22, t12), lanes);
          storeLanes(o + 11 * kStride, f32x4.sub(t23, t13), lanes);
          storeLanes(o + 12 * kStride, f32x4.sub(t10, t30), lanes);
          storeLanes(o + 13 * kStride, f32x4.sub(t11, t31), lanes);
          storeLanes(o + 14 * kStride, f32x4.sub(t12, t32), lanes);
          storeLanes(o + 15 * kStride, f32x4.sub(t13, t33), lanes);
        }
      }
    }
  }
  return bounded(m) ? 1 : 0;
}

/** Floats of work buffer winogradGradient needs: one sample's gradient planes at whole tile groups. */
export function winogradGradientWork(o: i32, th: i32, tw: i32): i32 {
  return o * 2 * th * 8 * ((tw + 3) >> 2);
}

/**
 * Gy[k][q][b·T + ty·tw + tx] = (A g Aᵀ)[k] for samples n0 + b, b < nb, of gy [·, o, oh, ow]
 * (element strides s0..s3), g the 2×2 block of gy at rows 2ty.., columns 2tx.. (zero past oh, ow);
 * rows nb·T long, planes k kFloats apart. Stages each sample's planes in `work` (winogradGradientWork floats). Returns 1 when every value
 * read is finite and below 2^40, else 0.
 */
export function winogradGradient(
  gy: usize, s0: i32, s1: i32, s2: i32, s3: i32, n0: i32, nb: i32, o: i32, oh: i32, ow: i32,
  th: i32, tw: i32, dst: usize, kFloats: i32, work: usize,
): i32 {
  const hp = 2 * th;
  const wp = 8 * ((tw + 3) >> 2);
  const tiles = th * tw;
  const ld = <usize>(nb * tiles);
  const kStride = <usize>kFloats << 2;
  const rowBytes = <usize>wp << 2;
  let m = f32x4.splat(0);
  for (let b = 0; b < nb; b++) {
    stage(gy, s0, s1, s2, s3, n0 + b, o, oh, ow, 0, 0, hp, wp, work);
    m = maxAbs(work, o * hp * wp, m);
    for (let q = 0; q < o; q++) {
      const plane = work + <usize>(q * hp) * rowBytes;
      for (let ty = 0; ty < th; ty++) {
        const out = dst + ((<usize>q * ld + <usize>(b * tiles + ty * tw)) << 2);
        for (let tx = 0; tx < tw; tx += 4) {
          const p = plane + <usize>(2 * ty) * rowBytes + (<usize>(2 * tx) << 2);
          // rows r = 0, 1 of the four tiles' g, transformed along columns by A: (g0, g0 + g1, g0 − g1, −g1)
          let a0 = v128.load(p), a1 = v128.load(p, 16);
          const g00 = evens(a0, a1), g01 = odds(a0, a1);
          a0 = v128.load(p + rowBytes);
          a1 = v128.load(p + rowBytes, 16);
          const g10 = evens(a0, a1), g11 = odds(a0, a1);
          const u0 = g00, u1 = f32x4.add(g00, g01), u2 = f32x4.sub(g00, g01), u3 = f32x4.neg(g01);
          const w0 = g10, w1 = f32x4.add(g10, g11), w2 = f32x4.sub(g10, g11), w3 = f32x4.neg(g11);
          // then along rows: X[0] = u, X[1] = u + w, X[2] = u − w, X[3] = −w
          const lanes = tw - tx;
          const at = out + (<usize>tx << 2);
          storeLanes(at, u0, lanes);
          storeLanes(at + kStride, u1, lanes);
          storeLanes(at + 2 * kStride, u2, lanes);
          storeLanes(at + 3 * kStride, u3, lanes);
          storeLanes(at + 4 * kStride, f32x4.add(u0, w0), lanes);
          storeLanes(at + 5 * kStride, f32x4.add(u1, w1), lanes);
          storeLanes(at + 6 * kStride, f32x4.add(u2, w2), lanes);
          storeLanes(at + 7 * kStride, f32x4.add(u3, w3), lanes);
          storeLanes(at + 8 * kStride, f32x4.sub(u0, w0), lanes);
          storeLanes(at + 9 * kStride, f32x4.sub(u1, w1), lanes);
          storeLanes(at + 10 * kStride, f32x4.sub(u2, w2), lanes);
          storeLanes(at + 11 * kStride, f32x4.sub(u3, w3), lanes);
          storeLanes(at + 12 * kStride, f32x4.neg(w0), lanes);
          storeLanes(at + 13 * kStride, f32x4.neg(w1), lanes);
          storeLanes(at + 14 * kStride, f32x4.neg(w2), lanes);
          storeLanes(at + 15 * kStride, f32x4.neg(w3), lanes);
        }
      }
    }
  }
  return bounded(m) ? 1 : 0;
}

/** The first `count` (at most 8) floats of the pair lo, hi at p. */
// @ts-ignore: decorator
@inline function storeRow(p: usize, lo: v128, hi: v128, count: i32): void {
  storeLanes(p, lo, count);
  storeLanes(p + 16, hi, count - 4);
}

/**
 * y[b, q, 2ty + r, 2tx + s] = (Aᵀ m A)[r][s] + bias[q] for samples b < nb of the block, m the
 * 4×4 of M[·][q][b·T + ty·tw + tx] (M [16][o][nb·T], planes k kFloats apart, read up to 3 floats past its end), into
 * contiguous y [nb, o, oh, ow] at `y`; bias is 0 for none (bias[q] at bias + q·sb floats).
 */
export function winogradOutput(
  mm: usize, kFloats: i32, o: i32, nb: i32, th: i32, tw: i32, bias: usize, sb: i32, y: usize, oh: i32, ow: i32,
): void {
  const tiles = th * tw;
  const ld = <usize>(nb * tiles);
  const kStride = <usize>kFloats << 2;
  const rowBytes = <usize>ow << 2;
  for (let b = 0; b < nb; b++) {
    for (let q = 0; q < o; q++) {
      const bv = bias == 0 ? f32x4.splat(0) : v128.load32_splat(bias + (<usize>(q * sb) << 2));
      const plane = y + ((<usize>(b * o + q) * <usize>(oh * ow)) << 2);
      for (let ty = 0; ty < th; ty++) {
        const from = mm + ((<usize>q * ld + <usize>(b * tiles + ty * tw)) << 2);
        const row0 = plane + <usize>(2 * ty) * rowBytes;
        for (let tx = 0; tx < tw; tx += 4) {
          const p = from + (<usize>tx << 2);
          // rows a of m along columns: s_a0 = m_a0 + m_a1 + m_a2, s_a1 = m_a1 − m_a2 − m_a3
          let m0 = v128.load(p), m1 = v128.load(p + kStride), m2 = v128.load(p + 2 * kStride), m3 = v128.load(p + 3 * kStride);
          const s00 = f32x4.add(f32x4.add(m0, m1), m2), s01 = f32x4.sub(f32x4.sub(m1, m2), m3);
          m0 = v128.load(p + 4 * kStride); m1 = v128.load(p + 5 * kStride); m2 = v128.load(p + 6 * kStride); m3 = v128.load(p + 7 * kStride);
          const s10 = f32x4.add(f32x4.add(m0, m1), m2), s11 = f32x4.sub(f32x4.sub(m1, m2), m3);
          m0 = v128.load(p + 8 * kStride); m1 = v128.load(p + 9 * kStride); m2 = v128.load(p + 10 * kStride); m3 = v128.load(p + 11 * kStride);
          const s20 = f32x4.add(f32x4.add(m0, m1), m2), s21 = f32x4.sub(f32x4.sub(m1, m2), m3);
          m0 = v128.load(p + 12 * kStride); m1 = v128.load(p + 13 * kStride); m2 = v128.load(p + 14 * kStride); m3 = v128.load(p + 15 * kStride);
          const s30 = f32x4.add(f32x4.add(m0, m1), m2), s31 = f32x4.sub(f32x4.sub(m1, m2), m3);
          // then along rows, plus the bias
          const y00 = f32x4.add(f32x4.add(f32x4.add(s00, s10), s20), bv);
          const y01 = f32x4.add(f32x4.add(f32x4.add(s01, s11), s21), bv);
          const y10 = f32x4.add(f32x4.sub(f32x4.sub(s10, s20), s30), bv);
          const y11 = f32x4.add(f32x4.sub(f32x4.sub(s11, s21), s31), bv);
          // lane l holds columns 2(tx + l) and 2(tx + l) + 1: interleave
          const count = ow - 2 * tx;
          const at = row0 + (<usize>(2 * tx) << 2);
          storeRow(at, v128.shuffle<f32>(y00, y01, 0, 4, 1, 5), v128.shuffle<f32>(y00, y01, 2, 6, 3, 7), count);
          if (2 * ty + 1 < oh) storeRow(at + rowBytes, v128.shuffle<f32>(y10, y11, 0, 4, 1, 5), v128.shuffle<f32>(y10, y11, 2, 6, 3, 7), count);
        }
      }
    }
  }
}

/**
 * Bytes of one thread's slot of scratch in a job over chunks of `size` samples: its staged
 * planes, then V and M or Gy (planes k kFloats apart, see winogradPlaneFloats) and 4 floats that
 * the output transform may read past M.
 */
export function winogradSlotBytes(c: i32, o: i32, th: i32, tw: i32, size: i32): i32 {
  const ld = size * th * tw;
  const planes = max(winogradInputWork(c, th, tw), winogradGradientWork(o, th, tw));
  return (planes + 16 * winogradPlaneFloats(c, ld) + 16 * winogradPlaneFloats(o, ld) + 4) * 4;
}

/**
 * Floats between the 16 planes k of a transformed operand of `rows` rows of `ld`: a whole number
 * of 4 KiB pages apart, the transforms' 16 store (or load) streams would share L1 cache sets; 16
 * floats more moves each plane by a cache line.
 */
export function winogradPlaneFloats(rows: i32, ld: i32): i32 {
  return rows * ld + 16;
}

/** p[0 .. floats) += p[i·floats ..] for i = 1 .. count − 1, in that order (a weight job's partial sums). */
export function winogradSumPartials(p: usize, count: i32, floats: i32): void {
  for (let i = 1; i < count; i++) {
    const from = p + (<usize>i * <usize>floats << 2);
    let j = 0;
    for (; j + 4 <= floats; j += 4) {
      const at = p + (<usize>j << 2);
      v128.store(at, f32x4.add(v128.load(at), v128.load(from + (<usize>j << 2))));
    }
    for (; j < floats; j++) store<f32>(p + (<usize>j << 2), load<f32>(p + (<usize>j << 2)) + load<f32>(from + (<usize>j << 2)));
  }
}

/**
 * A thread's share of a Winograd job (written by src/backend/wasm/pool.ts: winogradThreaded):
 * chunks of samples off the job's counter, each handled in the thread's own slot of scratch so
 * that the transformed operands stay in cache and the threads never wait on each other within a
 * chunk. Forward (which = 0): the chunk is transformed, multiplied (the 16 products, one group at
 * a time) and transformed back into y. Weight gradient (1): x and gy are transformed and the 16
 * products dU_k = Gy_k · V_kᵀ written to the chunk's own partial sums (added up in chunk order
 * afterwards, so the result does not depend on the threads). A chunk whose values are out of the
 * transforms' range sets the job's failure flag; later chunks are skipped.
 * Job ints (byte offset): 0 counter, 4 chunks, 8 samples a chunk, 12 slot counter, 16 x, 20..32
 * x's element strides, 36 n, 40 c, 44 h, 48 w, 52 o, 56 groups, 60 (the job's kind), 64 ph, 68 pw,
 * 72 oh, 76 ow, 80 U (winogradWeights), 84 bias (0 for none), 88 its stride, 92 y (contiguous), 96
 * scratch, 100 bytes a slot, 104 failure flag, 108 which, 112 gy, 116..128 gy's element strides,
 * 132 partial sums (16·o·c/groups floats a chunk).
 */
export function winogradShared(job: usize, work: usize): void {
  const slot = atomic.add<i32>(job + 12, 1);
  const chunks = load<i32>(job, 4), size = load<i32>(job, 8);
  const x = <usize>load<u32>(job, 16);
  const s0 = load<i32>(job, 20), s1 = load<i32>(job, 24), s2 = load<i32>(job, 28), s3 = load<i32>(job, 32);
  const n = load<i32>(job, 36), c = load<i32>(job, 40), h = load<i32>(job, 44), w = load<i32>(job, 48);
  const o = load<i32>(job, 52), groups = load<i32>(job, 56);
  const ph = load<i32>(job, 64), pw = load<i32>(job, 68), oh = load<i32>(job, 72), ow = load<i32>(job, 76);
  const u = <usize>load<u32>(job, 80), bias = <usize>load<u32>(job, 84), sb = load<i32>(job, 88);
  const y = <usize>load<u32>(job, 92);
  const mine = <usize>load<u32>(job, 96) + <usize>slot * <usize>load<u32>(job, 100);
  const which = load<i32>(job, 108);
  const gy = <usize>load<u32>(job, 112);
  const g0 = load<i32>(job, 116), g1 = load<i32>(job, 120), g2 = load<i32>(job, 124), g3 = load<i32>(job, 128);
  const partials = <usize>load<u32>(job, 132);
  const th = (oh + 1) >> 1, tw = (ow + 1) >> 1;
  const tiles = th * tw;
  const og = o / groups, cg = c / groups;
  const planes = mine;
  const v = planes + (<usize>max(winogradInputWork(c, th, tw), winogradGradientWork(o, th, tw)) << 2);
  for (;;) {
    const k = atomic.add<i32>(job, 1);
    if (k >= chunks) return;
    if (atomic.load<i32>(job, 104) != 0) continue;
    const n0 = k * size;
    const nb = min(size, n - n0);
    const ld = nb * tiles;
    const vk = winogradPlaneFloats(c, ld), mk = winogradPlaneFloats(o, ld);
    const m = v + (<usize>(16 * vk) << 2); // M (forward) or Gy (weight gradient)
    if (!winogradInput(x, s0, s1, s2, s3, n0, nb, c, h, w, ph, pw, th, tw, v, vk, planes) ||
      (which == 1 && !winogradGradient(gy, g0, g1, g2, g3, n0, nb, o, oh, ow, th, tw, m, mk, planes))) {
      atomic.store<i32>(job, 1, 104);
      continue;
    }
    if (which == 0) {
      for (let p = 0; p < 16; p++) {
        for (let g = 0; g < groups; g++) {
          const a = u + (<usize>(p * o * cg + g * og * cg) << 2);
          const src = v + (<usize>(p * vk + g * cg * ld) << 2);
          const dst = m + (<usize>(p * mk + g * og * ld) << 2);
          matmul(a, cg, 1, src, ld, 1, dst, ld, og, cg, ld, work, 0);
        }
      }
      winogradOutput(m, mk, o, nb, th, tw, bias, sb, y + (<usize>n0 * <usize>(o * oh * ow) << 2), oh, ow);
    } else {
      const mine = partials + (<usize>k * <usize>(16 * o * cg) << 2);
      for (let p = 0; p < 16; p++) {
        for (let g = 0; g < groups; g++) {
          // dU_p[og, cg] = Gy_p [og, ld] · V_pᵀ: V_p's rows read as columns. Both operands run
          // along the tiles, so dot products along them (ALLOW_DOT, for og ≤ 64 and ld ≥ 64) need
          // no packing, where the GEMM would pack all of Gy_p pre-broadcast for a few column panels
          const a = m + (<usize>(p * mk + g * og * ld) << 2);
          const src = v + (<usize>(p * vk + g * cg * ld) << 2);
          const dst = mine + (<usize>(p * o * cg + g * og * cg) << 2);
          matmul(a, ld, 1, src, 1, ld, dst, cg, og, ld, cg, work, ALLOW_DOT);
        }
      }
    }
  }
}
