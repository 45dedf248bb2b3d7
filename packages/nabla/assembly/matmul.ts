// float32 GEMM, C[m,n] = A[m,k]·B[k,n], in the GotoBLAS shape: B is packed into KC×NC panels
// (L2/L3), A into MC×KC blocks (L2), and a 4×8 register-tiled micro-kernel runs over them.
// A and B are read through element strides, so every transpose combination is handled by the
// packing routines and nothing is transposed in memory.

// Micro-tile: 4 rows × 8 columns = 8 f32x4 accumulators, which fit the 16 xmm registers
// with room for the two B vectors and the broadcast A value.
export const MR = 4;
export const NR = 8;
export const KC = 256;
export const MC = 64;
export const NC = 2048;

/** Bytes of scratch that `matmul` needs at `work`. */
export function workBytes(): i32 {
  return MC * KC * 16 + (KC * NC + MR * NR) * 4;
}

// @ts-ignore: decorator
@inline function at(base: usize, i: i32, j: i32, si: i32, sj: i32): f32 {
  return load<f32>(base + ((<usize>(i * si + j * sj)) << 2));
}

/**
 * c + a·b. With relaxed SIMD this is one fused multiply-add (vfmadd on x86, fmla on ARM) —
 * the micro-kernel is instruction-issue bound, so that is most of its speed-up; without it, a
 * multiply and an add.
 */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
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
 * Packs an mc×kc block of A (strides sam, sak) into panels of MR rows, each value broadcast to
 * a whole vector: panel i holds [p][r] = splat(A[i·MR + r, p]), zero past mc. Four times the
 * bytes, but the micro-kernel then needs only plain loads.
 */
function packA(a: usize, sam: i32, sak: i32, mc: i32, kc: i32, dst: usize): void {
  for (let i = 0; i < mc; i += MR) {
    const panel = dst + <usize>(i * kc) * 16;
    for (let r = 0; r < MR; r++) {
      let q = panel + <usize>r * 16;
      if (i + r >= mc) {
        for (let p = 0; p < kc; p++, q += MR * 16) v128.store(q, f32x4.splat(0));
      } else if (sak == 1) {
        const row = a + <usize>((i + r) * sam) * 4;
        for (let p = 0; p < kc; p++, q += MR * 16) v128.store(q, v128.load32_splat(row + (<usize>p << 2)));
      } else {
        for (let p = 0; p < kc; p++, q += MR * 16) v128.store(q, f32x4.splat(at(a, i + r, p, sam, sak)));
      }
    }
  }
}

/**
 * Packs a kc×nc block of B (strides sbk, sbn) into panels of NR columns: panel j holds
 * [p][c] = B[p, j·NR + c], zero-padded past nc.
 */
function packB(b: usize, sbk: i32, sbn: i32, kc: i32, nc: i32, dst: usize): void {
  for (let j = 0; j < nc; j += NR) {
    const cols = min(NR, nc - j);
    const panel = dst + <usize>(j * kc) * 4;
    let p = 0;
    if (cols == NR && sbn == 1) {
      for (; p < kc; p++) {
        const src = b + <usize>(p * sbk + j) * 4;
        v128.store(panel + <usize>(p * NR) * 4, v128.load(src));
        v128.store(panel + <usize>(p * NR) * 4, v128.load(src, 16), 16);
      }
    } else if (cols == NR && sbk == 1) {
      // B transposed: columns of B are rows in memory; transpose 4×4 blocks
      for (; p + 4 <= kc; p += 4) {
        for (let h = 0; h < NR; h += 4) {
          const c0 = b + <usize>((j + h) * sbn + p) * 4;
          const c1 = c0 + <usize>sbn * 4;
          const c2 = c1 + <usize>sbn * 4;
          const c3 = c2 + <usize>sbn * 4;
          transpose4(v128.load(c0), v128.load(c1), v128.load(c2), v128.load(c3), panel + <usize>(p * NR + h) * 4, NR * 4);
        }
      }
    }
    for (; p < kc; p++) {
      for (let c = 0; c < NR; c++) {
        store<f32>(panel + <usize>(p * NR + c) * 4, c < cols ? at(b, p, j + c, sbk, sbn) : 0);
      }
    }
  }
}

/**
 * The micro-kernel: a 4×8 tile of C (row stride ldc floats) from packed panels pa and pb.
 * accumulate = 0 overwrites C (first k block), 1 adds to it. Partial tiles (mr < 4 or nr < 8)
 * go through `tile` and only their valid part is written.
 */
function kernel(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, accumulate: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    // A arrives pre-broadcast (4 copies of each value), so every operand is one plain load
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load(pa, 16);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load(pa, 32);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load(pa, 48);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += MR * 16;
    pb += NR * 4;
  }
  const full = mr == MR && nr == NR;
  const dst = full ? c : tile;
  const ld: usize = full ? <usize>ldc * 4 : NR * 4;
  const r0 = dst, r1 = dst + ld, r2 = dst + 2 * ld, r3 = dst + 3 * ld;
  if (full && accumulate) {
    c00 = f32x4.add(c00, v128.load(r0)); c01 = f32x4.add(c01, v128.load(r0, 16));
    c10 = f32x4.add(c10, v128.load(r1)); c11 = f32x4.add(c11, v128.load(r1, 16));
    c20 = f32x4.add(c20, v128.load(r2)); c21 = f32x4.add(c21, v128.load(r2, 16));
    c30 = f32x4.add(c30, v128.load(r3)); c31 = f32x4.add(c31, v128.load(r3, 16));
  }
  v128.store(r0, c00); v128.store(r0, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
  if (!full) {
    for (let r = 0; r < mr; r++) {
      for (let j = 0; j < nr; j++) {
        const q = c + <usize>(r * ldc + j) * 4;
        const v = load<f32>(tile + <usize>(r * NR + j) * 4);
        store<f32>(q, accumulate ? load<f32>(q) + v : v);
      }
    }
  }
}

/**
 * C = A·B for A[m,k] at a (element strides sam, sak), B[k,n] at b (sbk, sbn) and C with row
 * stride ldc; `work` is workBytes() of scratch. Requires k ≥ 1 (k = 0 means C = 0, done by the caller).
 * With `acc` nonzero, C += A·B instead (a convolution's weight gradient sums its samples so).
 */
export function matmul(a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, ldc: i32, m: i32, k: i32, n: i32, work: usize, acc: i32): void {
  const pA = work;
  const pB = pA + <usize>(MC * KC) * 16;
  const tile = pB + <usize>(KC * NC) * 4;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(b + <usize>(pc * sbk + jc * sbn) * 4, sbk, sbn, kc, nc, pB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(a + <usize>(ic * sam + pc * sak) * 4, sam, sak, mc, kc, pA);
        for (let jr = 0; jr < nc; jr += NR) {
          for (let ir = 0; ir < mc; ir += MR) {
            kernel(
              kc,
              pA + <usize>(ir * kc) * 16,
              pB + <usize>(jr * kc) * 4,
              c + <usize>((ic + ir) * ldc + jc + jr) * 4,
              ldc,
              min(MR, mc - ir),
              min(NR, nc - jr),
              pc > 0 || acc != 0 ? 1 : 0,
              tile,
            );
          }
        }
      }
    }
  }
}

/**
 * One matmul shared between threads: every thread calls this with its own scratch and takes
 * chunks (of rows, or of columns when byCols) off the job's atomic counter until none are
 * left, so a thread the OS delays simply takes fewer. The job is i32s: [counter, chunks,
 * chunkSize, byCols, a, sam, sak, b, sbk, sbn, c, ldc, m, k, n], the job's kind at 15 and acc at 16.
 */
export function matmulShared(job: usize, work: usize): void {
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
  const acc = load<i32>(job, 64);
  for (;;) {
    const i = atomic.add<i32>(job, 1);
    if (i >= chunks) return;
    const from = i * size;
    if (byCols) {
      matmul(a, sam, sak, b + <usize>(from * sbn) * 4, sbk, sbn, c + <usize>from * 4, ldc, m, k, min(size, n - from), work, acc);
    } else {
      matmul(a + <usize>(from * sam) * 4, sam, sak, b, sbk, sbn, c + <usize>(from * ldc) * 4, ldc, min(size, m - from), k, n, work, acc);
    }
  }
}
