// GEMM, C[m,n] = A[m,k]·B[k,n], written once over T (lanes.ts) for float32 and float64 (the
// float64 entry points are in matmul64.ts), in the GotoBLAS shape: B is packed into KC×NC panels
// (L2/L3), A into MC×KC blocks (L2), and a 4×NR register-tiled micro-kernel runs over them.
// A and B are read through element strides, so every transpose combination is handled by the
// packing routines and nothing is transposed in memory.
//
// Each C element sums its products in k order within a KC block (one multiply-add after the
// other, in one accumulator), then adds the blocks in order: which micro-kernel, tile or thread
// computes it does not change the result, so results are independent of the thread count.

// Micro-tile: 4 rows × two vectors of columns (NR: 8 float32, 4 float64) = 8 accumulators, plus the two B vectors and the four
// broadcast A values that V8's scheduler loads up front: 14 of the 15 xmm registers V8 allocates
// (it keeps xmm15 as scratch). Wider tiles spill: a 6×8 tile (12 accumulators, to cover the FMA
// latency better) was measured at half the speed, its accumulators spilled to the stack every
// step. At ~45 GFLOP/s with relaxed SIMD's FMA this tile is near 128-bit SIMD's peak on x86
// (two 4-lane FMAs a cycle). A stays packed pre-broadcast (16 bytes a value): packed compact and
// broadcast on load (v128.load32_splat) it cost each step three more instructions, since V8 adds
// a splat load's offset with a separate lea, and the tile ran up to a fifth slower.
import { lanesOf, maddOf, shiftOf } from "./lanes";
import { matvecOf, outerOf, vecmatOf } from "./matmul-skinny";

export const MR = 4;
export const KC = 256;
export const MC = 64;

/** Columns of a micro-tile, two vectors: 8 (f32) or 4 (f64). */
// @ts-ignore: decorator
@inline function nrOf<T>(): i32 {
  return 2 * <i32>lanesOf<T>();
}

/** Columns of a packed panel of B: 2048 (f32) or 1024 (f64), the same 8 KiB a row of k, so one scratch size serves both. */
// @ts-ignore: decorator
@inline function ncOf<T>(): i32 {
  return 8192 / <i32>sizeof<T>();
}

/** Bytes of scratch that the GEMM of T needs at `work`. */
// @ts-ignore: decorator
@inline export function workBytesOf<T>(): i32 {
  return MC * KC * 16 + (KC * ncOf<T>() + MR * nrOf<T>()) * <i32>sizeof<T>();
}

/** Bytes of scratch that `matmul` needs at `work`. */
export function workBytes(): i32 {
  return workBytesOf<f32>();
}

// @ts-ignore: decorator
@inline function at<T>(base: usize, i: i32, j: i32, si: i32, sj: i32): T {
  return load<T>(base + ((<usize>(i * si + j * sj)) << shiftOf<T>()));
}

/**
 * c + a·b in float32. With relaxed SIMD this is one fused multiply-add (vfmadd on x86, fmla on
 * ARM) — the micro-kernel is instruction-issue bound, so that is most of its speed-up; without
 * it, a multiply and an add.
 */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  return maddOf<f32>(a, b, c);
}

/** 4×4 transpose of four row vectors, stored as four consecutive vectors at `dst` with `step` bytes between them. */
// @ts-ignore: decorator
@inline function transpose4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, step: usize): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(dst + step, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * step, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * step, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/**
 * A lanes×lanes block of B whose columns are rows in memory (column h at src + h·stride) stored
 * as rows of the panel: row p of the block at dst + p·step.
 */
// @ts-ignore: decorator
@inline function transposeBlock<T>(src: usize, stride: usize, dst: usize, step: usize): void {
  if (sizeof<T>() == 4) {
    const c1 = src + stride;
    const c2 = c1 + stride;
    const c3 = c2 + stride;
    transpose4(v128.load(src), v128.load(c1), v128.load(c2), v128.load(c3), dst, step);
  } else {
    const c0 = v128.load(src); // B[p, j+h], B[p+1, j+h]
    const c1 = v128.load(src + stride);
    v128.store(dst, v128.shuffle<f64>(c0, c1, 0, 2));
    v128.store(dst + step, v128.shuffle<f64>(c0, c1, 1, 3));
  }
}

/**
 * One step of a panel of A stored transposed: the MR values A[i..i+3, p], contiguous at src,
 * each broadcast to a vector at q, q+16, q+32, q+48 (a lane shuffle each, from one or two loads).
 */
// @ts-ignore: decorator
@inline function splatStep<T>(src: usize, q: usize): void {
  if (sizeof<T>() == 4) {
    const v = v128.load(src);
    v128.store(q, v128.shuffle<f32>(v, v, 0, 0, 0, 0));
    v128.store(q, v128.shuffle<f32>(v, v, 1, 1, 1, 1), 16);
    v128.store(q, v128.shuffle<f32>(v, v, 2, 2, 2, 2), 32);
    v128.store(q, v128.shuffle<f32>(v, v, 3, 3, 3, 3), 48);
  } else {
    const v0 = v128.load(src);
    const v1 = v128.load(src, 16);
    v128.store(q, v128.shuffle<f64>(v0, v0, 0, 0));
    v128.store(q, v128.shuffle<f64>(v0, v0, 1, 1), 16);
    v128.store(q, v128.shuffle<f64>(v1, v1, 0, 0), 32);
    v128.store(q, v128.shuffle<f64>(v1, v1, 1, 1), 48);
  }
}

/**
 * packA's panels for the first mc4 rows (a multiple of MR) of an A stored transposed (sam = 1:
 * column p of A is a contiguous row of memory, at a + p·lda): each row of memory is read once,
 * 16 values of A (four panels, a cache line of float32) at a time, and broadcast with shuffles.
 * The strided path read each value with a load of its own, one panel's kc rows of memory after
 * another: the rows lda apart touched a cache line (and at a long lda a page) for every value,
 * and each line again for the next panel. The same values in the same places: nothing the
 * micro-kernel computes changes.
 */
function packATransposed<T>(a: usize, lda: i32, mc4: i32, kc: i32, dst: usize): void {
  const B = sizeof<T>();
  const step = <usize>(MR * B); // one panel's MR values in memory
  const panel = <usize>(kc * MR) * 16; // one panel's bytes in dst
  let i = 0;
  for (; i + 4 * MR <= mc4; i += 4 * MR) {
    let src = a + <usize>i * B;
    let q = dst + <usize>(i * kc) * 16;
    for (let p = 0; p < kc; p++, src += <usize>lda * B, q += MR * 16) {
      splatStep<T>(src, q);
      splatStep<T>(src + step, q + panel);
      splatStep<T>(src + 2 * step, q + 2 * panel);
      splatStep<T>(src + 3 * step, q + 3 * panel);
    }
  }
  for (; i < mc4; i += MR) {
    let src = a + <usize>i * B;
    let q = dst + <usize>(i * kc) * 16;
    for (let p = 0; p < kc; p++, src += <usize>lda * B, q += MR * 16) splatStep<T>(src, q);
  }
}

/**
 * Packs an mc×kc block of A (strides sam, sak) into panels of MR rows, each value broadcast to
 * a whole vector: panel i holds [p][r] = splat(A[i·MR + r, p]), zero past mc. Four times the
 * bytes (float32), but the micro-kernel then needs only plain loads. An A stored transposed
 * (sam = 1) is packed by packATransposed up to its last whole panel.
 */
function packA<T>(a: usize, sam: i32, sak: i32, mc: i32, kc: i32, dst: usize): void {
  let i = 0;
  if (sam == 1 && sak != 1) {
    i = mc & ~(MR - 1);
    packATransposed<T>(a, sak, i, kc, dst);
  }
  for (; i < mc; i += MR) {
    const panel = dst + <usize>(i * kc) * 16;
    for (let r = 0; r < MR; r++) {
      let q = panel + <usize>r * 16;
      if (i + r >= mc) {
        for (let p = 0; p < kc; p++, q += MR * 16) v128.store(q, v128.splat<T>(0));
      } else if (sak == 1) {
        const row = a + <usize>((i + r) * sam) * sizeof<T>();
        for (let p = 0; p < kc; p++, q += MR * 16) v128.store(q, v128.load_splat<T>(row + (<usize>p << shiftOf<T>())));
      } else {
        for (let p = 0; p < kc; p++, q += MR * 16) v128.store(q, v128.splat<T>(at<T>(a, i + r, p, sam, sak)));
      }
    }
  }
}

/**
 * Packs a kc×nc block of B (strides sbk, sbn) into panels of NR columns: panel j holds
 * [p][c] = B[p, j·NR + c], zero-padded past nc.
 */
function packB<T>(b: usize, sbk: i32, sbn: i32, kc: i32, nc: i32, dst: usize): void {
  const NR = nrOf<T>();
  const L = <i32>lanesOf<T>();
  for (let j = 0; j < nc; j += NR) {
    const cols = min(NR, nc - j);
    const panel = dst + <usize>(j * kc) * sizeof<T>();
    let p = 0;
    if (cols == NR && sbn == 1) {
      for (; p < kc; p++) {
        const src = b + <usize>(p * sbk + j) * sizeof<T>();
        v128.store(panel + <usize>(p * NR) * sizeof<T>(), v128.load(src));
        v128.store(panel + <usize>(p * NR) * sizeof<T>(), v128.load(src, 16), 16);
      }
    } else if (cols == NR && sbk == 1) {
      // B transposed: columns of B are rows in memory; transpose lanes×lanes blocks
      for (; p + L <= kc; p += L) {
        for (let h = 0; h < NR; h += L) {
          const src = b + <usize>((j + h) * sbn + p) * sizeof<T>();
          transposeBlock<T>(src, <usize>sbn * sizeof<T>(), panel + <usize>(p * NR + h) * sizeof<T>(), <usize>NR * sizeof<T>());
        }
      }
    }
    for (; p < kc; p++) {
      for (let c = 0; c < NR; c++) {
        store<T>(panel + <usize>(p * NR + c) * sizeof<T>(), c < cols ? at<T>(b, p, j + c, sbk, sbn) : 0);
      }
    }
  }
}

/**
 * Writes a finished tile's row (two vectors) to C at `row`: stores it, or adds it to what is
 * there when accumulating.
 */
// @ts-ignore: decorator
@inline function put<T>(row: usize, v0: v128, v1: v128, accumulate: i32): void {
  if (accumulate) {
    v0 = v128.add<T>(v0, v128.load(row));
    v1 = v128.add<T>(v1, v128.load(row, 16));
  }
  v128.store(row, v0);
  v128.store(row, v1, 16);
}

/**
 * Copies the valid mr×nr part of a partial tile, staged in `tile` (rows of NR), to C, adding to
 * what is there when accumulating.
 */
function putPartial<T>(tile: usize, c: usize, ldc: i32, mr: i32, nr: i32, accumulate: i32): void {
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) {
      const q = c + <usize>(r * ldc + j) * sizeof<T>();
      const v = load<T>(tile + <usize>(r * nrOf<T>() + j) * sizeof<T>());
      store<T>(q, accumulate ? load<T>(q) + v : v);
    }
  }
}

/**
 * The micro-kernel: a 4×NR tile of C (row stride ldc values) from the packed panel pa (4
 * broadcast values a step) and NR columns of B at pb, ldb bytes from one k to the next (a packed panel's NR values, or
 * B's own row stride when it is read in place). accumulate = 0 overwrites C (first k block), 1
 * adds to it. Partial tiles (mr < 4 or nr < NR) go through `tile` and only their valid part is written.
 */
function kernel<T>(kc: i32, pa: usize, pb: usize, ldb: usize, c: usize, ldc: i32, mr: i32, nr: i32, accumulate: i32, tile: usize): void {
  let c00 = v128.splat<T>(0), c01 = v128.splat<T>(0);
  let c10 = v128.splat<T>(0), c11 = v128.splat<T>(0);
  let c20 = v128.splat<T>(0), c21 = v128.splat<T>(0);
  let c30 = v128.splat<T>(0), c31 = v128.splat<T>(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load(pa);
    c00 = maddOf<T>(a, b0, c00);
    c01 = maddOf<T>(a, b1, c01);
    a = v128.load(pa, 16);
    c10 = maddOf<T>(a, b0, c10);
    c11 = maddOf<T>(a, b1, c11);
    a = v128.load(pa, 32);
    c20 = maddOf<T>(a, b0, c20);
    c21 = maddOf<T>(a, b1, c21);
    a = v128.load(pa, 48);
    c30 = maddOf<T>(a, b0, c30);
    c31 = maddOf<T>(a, b1, c31);
    pa += MR * 16;
    pb += ldb;
  }
  const full = mr == MR && nr == nrOf<T>();
  const dst = full ? c : tile;
  const ld: usize = full ? <usize>ldc * sizeof<T>() : <usize>nrOf<T>() * sizeof<T>();
  const acc = full ? accumulate : 0;
  put<T>(dst, c00, c01, acc);
  put<T>(dst + ld, c10, c11, acc);
  put<T>(dst + 2 * ld, c20, c21, acc);
  put<T>(dst + 3 * ld, c30, c31, acc);
  if (!full) putPartial<T>(tile, c, ldc, mr, nr, accumulate);
}

/** The lanes' sum in a fixed order: float32's (l0 + l2) + (l1 + l3), float64's l0 + l1. */
// @ts-ignore: decorator
@inline function hsum<T>(v: v128): T {
  if (sizeof<T>() == 4) {
    const s = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    return <T>(f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1));
  }
  return <T>(f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1));
}

/**
 * One element of C from a row of A and a column of B that are both contiguous in k: one vector
 * of multiply-adds over k rounded down to the lanes, their sum (hsum), then the last products in
 * order. dot4x2 computes every element of its tile exactly so, so an element's value does not
 * depend on which of the two computed it.
 */
function dot1<T>(ar: usize, bc: usize, k: i32): T {
  const S = shiftOf<T>();
  let acc = v128.splat<T>(0);
  const kv = k & ~(<i32>lanesOf<T>() - 1);
  for (let p = 0; p < kv; p += <i32>lanesOf<T>()) acc = maddOf<T>(v128.load(ar + (<usize>p << S)), v128.load(bc + (<usize>p << S)), acc);
  let s = hsum<T>(acc);
  for (let p = kv; p < k; p++) s += load<T>(ar + (<usize>p << S)) * load<T>(bc + (<usize>p << S));
  return s;
}

/** Writes s to C at q, or adds it to what is there when accumulating. */
// @ts-ignore: decorator
@inline function putOne<T>(q: usize, s: T, accumulate: i32): void {
  store<T>(q, accumulate ? load<T>(q) + s : s);
}

/**
 * A 4×2 tile of C from four rows of A at ar (lda bytes apart) and two columns of B at bc (ldb
 * bytes apart), all contiguous in k: eight vector accumulators, six loads a step, no packing.
 */
function dot4x2<T>(ar: usize, lda: usize, bc: usize, ldb: usize, k: i32, c: usize, ldc: usize, accumulate: i32): void {
  const S = shiftOf<T>();
  let c00 = v128.splat<T>(0), c01 = v128.splat<T>(0);
  let c10 = v128.splat<T>(0), c11 = v128.splat<T>(0);
  let c20 = v128.splat<T>(0), c21 = v128.splat<T>(0);
  let c30 = v128.splat<T>(0), c31 = v128.splat<T>(0);
  const a1 = ar + lda, a2 = ar + 2 * lda, a3 = ar + 3 * lda, b1 = bc + ldb;
  const kv = k & ~(<i32>lanesOf<T>() - 1);
  for (let p = 0; p < kv; p += <i32>lanesOf<T>()) {
    const o = <usize>p << S;
    const v0 = v128.load(bc + o);
    const v1 = v128.load(b1 + o);
    let x = v128.load(ar + o);
    c00 = maddOf<T>(x, v0, c00);
    c01 = maddOf<T>(x, v1, c01);
    x = v128.load(a1 + o);
    c10 = maddOf<T>(x, v0, c10);
    c11 = maddOf<T>(x, v1, c11);
    x = v128.load(a2 + o);
    c20 = maddOf<T>(x, v0, c20);
    c21 = maddOf<T>(x, v1, c21);
    x = v128.load(a3 + o);
    c30 = maddOf<T>(x, v0, c30);
    c31 = maddOf<T>(x, v1, c31);
  }
  let s00 = hsum<T>(c00), s01 = hsum<T>(c01), s10 = hsum<T>(c10), s11 = hsum<T>(c11);
  let s20 = hsum<T>(c20), s21 = hsum<T>(c21), s30 = hsum<T>(c30), s31 = hsum<T>(c31);
  for (let p = kv; p < k; p++) {
    const o = <usize>p << S;
    const v0 = load<T>(bc + o), v1 = load<T>(b1 + o);
    let x = load<T>(ar + o);
    s00 += x * v0; s01 += x * v1;
    x = load<T>(a1 + o);
    s10 += x * v0; s11 += x * v1;
    x = load<T>(a2 + o);
    s20 += x * v0; s21 += x * v1;
    x = load<T>(a3 + o);
    s30 += x * v0; s31 += x * v1;
  }
  const B = sizeof<T>();
  putOne<T>(c, s00, accumulate); putOne<T>(c + B, s01, accumulate);
  putOne<T>(c + ldc, s10, accumulate); putOne<T>(c + ldc + B, s11, accumulate);
  putOne<T>(c + 2 * ldc, s20, accumulate); putOne<T>(c + 2 * ldc + B, s21, accumulate);
  putOne<T>(c + 3 * ldc, s30, accumulate); putOne<T>(c + 3 * ldc + B, s31, accumulate);
}

/**
 * Products whose operands are both contiguous in k (sak = sbk = 1: x·Wᵀ, a Linear's or an RNN
 * step's forward), at small m: with dot products along k neither operand is packed, where the
 * GEMM path would transpose all of B into panels for a few rows of A (h·W_hhᵀ at the LSTM's
 * batch of 20: a fifth of its time). Columns go in blocks whose rows of B (64 KiB) stay in L2
 * while every row panel of A passes over them.
 */
function dotProduct<T>(a: usize, sam: i32, b: usize, sbn: i32, c: usize, ldc: i32, m: i32, k: i32, n: i32, accumulate: i32): void {
  const S = shiftOf<T>();
  const lda = <usize>sam << S, ldb = <usize>sbn << S, ldcb = <usize>ldc << S;
  const block = max(2, (65536 / <i32>sizeof<T>() / k) & ~1);
  for (let j0 = 0; j0 < n; j0 += block) {
    const j1 = min(n, j0 + block);
    for (let i = 0; i < m; i += 4) {
      const ar = a + <usize>i * lda;
      const cr = c + <usize>i * ldcb;
      let j = j0;
      if (i + 4 <= m) {
        for (; j + 2 <= j1; j += 2) dot4x2<T>(ar, lda, b + <usize>j * ldb, ldb, k, cr + (<usize>j << S), ldcb, accumulate);
      }
      for (let r = 0; r < min(4, m - i); r++) {
        for (let jj = j; jj < j1; jj++) putOne<T>(cr + <usize>r * ldcb + (<usize>jj << S), dot1<T>(ar + <usize>r * lda, b + <usize>jj * ldb, k), accumulate);
      }
    }
  }
}

/** Bit 1 of matmul's `acc` (bit 0: C += A·B): the product may take dotProduct. */
export const ALLOW_DOT = 2;

/**
 * Whether a product takes dotProduct: both operands contiguous in k, k long enough (16 vectors)
 * for the vector dot products to pay for their sums, and few rows of A (the GEMM's packing of B is
 * spread over m/4 row panels: past 64 rows it costs little). Decided on the whole product, not
 * a thread's share of it, so that the result does not depend on the thread count. Only where
 * the caller allows it (ALLOW_DOT in `flags`): its sums are rounded in another order than the
 * GEMM's, and the convolutions' products (src/backend/wasm/conv.ts) keep the GEMM's.
 */
// @ts-ignore: decorator
@inline function useDot<T>(sak: i32, sbk: i32, m: i32, k: i32, flags: i32): bool {
  return (flags & ALLOW_DOT) != 0 && sak == 1 && sbk == 1 && k >= 16 * <i32>lanesOf<T>() && m <= 64;
}

/**
 * Below this many rows of A a row-major B is read in place rather than packed: each packed value
 * would serve only m/4 tiles, so the copy costs a fair share of the product (h·W_hh's gradient
 * W_hh·g at the LSTM's batch of 20: packing was a fifth of the time), while a tile's NR columns
 * of kc rows (at most 256 cache lines) stay in L1 across the few row panels that read them.
 */
const DIRECT_B_ROWS = 32;

/**
 * C = A·B of T for A[m,k] at a (element strides sam, sak), B[k,n] at b (sbk, sbn) and C with row
 * stride ldc; `work` is workBytesOf<T>() of scratch. Requires k ≥ 1 (k = 0 means C = 0, done by the caller).
 * With bit 0 of `flags` set, C += A·B instead (a convolution's weight gradient sums its samples
 * so); with ALLOW_DOT set, a product of both operands contiguous in k may take dotProduct.
 */
// @ts-ignore: decorator
@inline export function matmulOf<T>(a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, ldc: i32, m: i32, k: i32, n: i32, work: usize, flags: i32): void {
  if (useDot<T>(sak, sbk, m, k, flags)) dotProduct<T>(a, sam, b, sbn, c, ldc, m, k, n, flags & 1);
  else gemm<T>(a, sam, sak, b, sbk, sbn, c, ldc, m, k, n, work, flags & 1);
}

/** C = A·B in float32: matmulOf<f32>, `acc` its flags. */
export function matmul(a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, ldc: i32, m: i32, k: i32, n: i32, work: usize, acc: i32): void {
  matmulOf<f32>(a, sam, sak, b, sbk, sbn, c, ldc, m, k, n, work, acc);
}

/**
 * The GEMM path of matmul: packed panels and the 4×NR micro-kernel. Products with k, n or m of 1
 * (whole, or a thread's share) go to matmul-skinny.ts, which computes the same sums unpacked.
 */
function gemm<T>(a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, ldc: i32, m: i32, k: i32, n: i32, work: usize, acc: i32): void {
  if (k == 1) return outerOf<T>(a, sam, b, sbn, c, ldc, m, n, acc);
  if (n == 1) return matvecOf<T>(a, sam, sak, b, sbk, c, ldc, m, k, acc);
  if (m == 1) return vecmatOf<T>(a, sak, b, sbk, sbn, c, n, k, acc);
  const NR = nrOf<T>();
  const NC = ncOf<T>();
  const B = sizeof<T>();
  const pA = work;
  const pB = pA + <usize>(MC * KC) * 16;
  const tile = pB + <usize>(KC * NC) * B;
  // the same products in the same order either way: only where B is read from differs
  const direct = sbn == 1 && m <= DIRECT_B_ROWS;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const accumulate = pc > 0 || acc != 0 ? 1 : 0;
      const bBlock = b + <usize>(pc * sbk + jc * sbn) * B;
      // in place, only a last partial panel is packed (a tile reads NR columns)
      if (!direct) packB<T>(bBlock, sbk, sbn, kc, nc, pB);
      else if (nc % NR != 0) packB<T>(bBlock + <usize>(nc - nc % NR) * B, sbk, sbn, kc, nc % NR, pB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA<T>(a + <usize>(ic * sam + pc * sak) * B, sam, sak, mc, kc, pA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const inPlace = direct && nr == NR;
          const pb = inPlace ? bBlock + <usize>jr * B : direct ? pB : pB + <usize>(jr * kc) * B;
          const ldb: usize = inPlace ? <usize>sbk * B : <usize>NR * B;
          for (let ir = 0; ir < mc; ir += MR) {
            const cc = c + <usize>((ic + ir) * ldc + jc + jr) * B;
            kernel<T>(kc, pA + <usize>(ir * kc) * 16, pb, ldb, cc, ldc, min(MR, mc - ir), nr, accumulate, tile);
          }
        }
      }
    }
  }
}

/**
 * One matmulOf<T> shared between threads: every thread calls this with its own scratch and takes
 * chunks (of rows, or of columns when byCols) off the job's atomic counter until none are
 * left, so a thread the OS delays simply takes fewer. The job is i32s: [counter, chunks,
 * chunkSize, byCols, a, sam, sak, b, sbk, sbn, c, ldc, m, k, n], the job's kind at 15; `flags`
 * are matmulOf's.
 */
// @ts-ignore: decorator
@inline export function matmulSharedOf<T>(job: usize, work: usize, flags: i32): void {
  const B = sizeof<T>();
  const chunks = load<i32>(job, 4);
  const size = load<i32>(job, 8);
  const byCols = load<i32>(job, 12);
  const a = <usize>load<u32>(job, 16);
  const sam = load<i32>(job, 20);
  const sak = load<i32>(job, 24);
  const b = <usize>load<u32>(job, 28);
  const sbk = load<i32>(job, 32);
  const sbn = load<i32>(job, 36);
  const c = <usize>load<u32>(job, 40);
  const ldc = load<i32>(job, 44);
  const m = load<i32>(job, 48);
  const k = load<i32>(job, 52);
  const n = load<i32>(job, 56);
  const dot = useDot<T>(sak, sbk, m, k, flags);
  const acc = flags & 1;
  for (;;) {
    const i = atomic.add<i32>(job, 1);
    if (i >= chunks) break; // not return: this body is inlined into its callers
    const from = i * size;
    if (byCols) {
      const bb = b + <usize>(from * sbn) * B, cc = c + <usize>from * B, nn = min(size, n - from);
      if (dot) dotProduct<T>(a, sam, bb, sbn, cc, ldc, m, k, nn, acc);
      else gemm<T>(a, sam, sak, bb, sbk, sbn, cc, ldc, m, k, nn, work, acc);
    } else {
      const aa = a + <usize>(from * sam) * B, cc = c + <usize>(from * ldc) * B, mm = min(size, m - from);
      if (dot) dotProduct<T>(aa, sam, b, sbn, cc, ldc, mm, k, n, acc);
      else gemm<T>(aa, sam, sak, b, sbk, sbn, cc, ldc, mm, k, n, work, acc);
    }
  }
}

/** matmul shared between threads (matmulSharedOf), matmul's flags at byte 64 of the job. */
export function matmulShared(job: usize, work: usize): void {
  matmulSharedOf<f32>(job, work, load<i32>(job, 64));
}
