// float64 GEMM, C[m,n] = A[m,k]·B[k,n], the float32 one's shape (matmul.ts) in f64x2 lanes: B is
// packed into KC×NC panels, A into MC×KC blocks with every value broadcast to a whole vector,
// and a 4×4 register-tiled micro-kernel runs over them (or, for small products, the paths
// matmul.ts describes: B read in place, dot products along k). A and B are read through element strides, so every transpose combination is handled by the packing and
// nothing is transposed in memory. Each C element sums its products in k order within a KC
// block, then adds the blocks in order, so results differ from a plain k loop only by rounding
// and do not depend on the tiling or the thread count.
import { KC, MC, MR } from "./matmul";

// Micro-tile: 4 rows × 4 columns = 8 f64x2 accumulators, with the two B vectors and the four
// broadcast A values 14 of the 15 vector registers V8 allocates; a 6-row tile spills (matmul.ts).
export const NR64 = 4;
/** Half the float32 NC: the same bytes of packed B, so one scratch size serves both. */
export const NC64 = 1024;

/** Bytes of scratch that `matmul64` needs at `work`. */
export function workBytes64(): i32 {
  return MC * KC * 16 + (KC * NC64 + MR * NR64) * 8;
}

// @ts-ignore: decorator
@inline function at(base: usize, i: i32, j: i32, si: i32, sj: i32): f64 {
  return load<f64>(base + ((<usize>(i * si + j * sj)) << 3));
}

/** c + a·b: one fused multiply-add with relaxed SIMD, else a multiply and an add. */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

/**
 * Packs an mc×kc block of A (strides sam, sak) into panels of MR rows, each value broadcast:
 * panel i holds [p][r] = splat(A[i·MR + r, p]), zero past mc.
 */
function packA(a: usize, sam: i32, sak: i32, mc: i32, kc: i32, dst: usize): void {
  for (let i = 0; i < mc; i += MR) {
    const panel = dst + <usize>(i * kc) * 16;
    for (let r = 0; r < MR; r++) {
      let q = panel + <usize>r * 16;
      if (i + r >= mc) {
        for (let p = 0; p < kc; p++, q += MR * 16) v128.store(q, f64x2.splat(0));
      } else if (sak == 1) {
        const row = a + <usize>((i + r) * sam) * 8;
        for (let p = 0; p < kc; p++, q += MR * 16) v128.store(q, v128.load64_splat(row + (<usize>p << 3)));
      } else {
        for (let p = 0; p < kc; p++, q += MR * 16) v128.store(q, f64x2.splat(at(a, i + r, p, sam, sak)));
      }
    }
  }
}

/** Packs a kc×nc block of B (strides sbk, sbn) into panels of NR64 columns: [p][c] = B[p, j·NR64 + c], zero past nc. */
function packB(b: usize, sbk: i32, sbn: i32, kc: i32, nc: i32, dst: usize): void {
  for (let j = 0; j < nc; j += NR64) {
    const cols = min(NR64, nc - j);
    const panel = dst + <usize>(j * kc) * 8;
    let p = 0;
    if (cols == NR64 && sbn == 1) {
      for (; p < kc; p++) {
        const src = b + <usize>(p * sbk + j) * 8;
        const q = panel + <usize>(p * NR64) * 8;
        v128.store(q, v128.load(src));
        v128.store(q, v128.load(src, 16), 16);
      }
    } else if (cols == NR64 && sbk == 1) {
      // B transposed: its columns are rows in memory; transpose 2×2 blocks
      for (; p + 2 <= kc; p += 2) {
        const q = panel + <usize>(p * NR64) * 8;
        for (let h = 0; h < NR64; h += 2) {
          const c0 = v128.load(b + <usize>((j + h) * sbn + p) * 8); // B[p, j+h], B[p+1, j+h]
          const c1 = v128.load(b + <usize>((j + h + 1) * sbn + p) * 8);
          v128.store(q + <usize>h * 8, v128.shuffle<f64>(c0, c1, 0, 2));
          v128.store(q + <usize>(NR64 + h) * 8, v128.shuffle<f64>(c0, c1, 1, 3));
        }
      }
    }
    for (; p < kc; p++) {
      for (let c = 0; c < NR64; c++) {
        store<f64>(panel + <usize>(p * NR64 + c) * 8, c < cols ? at(b, p, j + c, sbk, sbn) : 0);
      }
    }
  }
}

/** Writes a finished tile's row (two vectors) to C at `row`, adding to what is there when accumulating. */
// @ts-ignore: decorator
@inline function put(row: usize, v0: v128, v1: v128, accumulate: i32): void {
  if (accumulate) {
    v0 = f64x2.add(v128.load(row), v0);
    v1 = f64x2.add(v128.load(row, 16), v1);
  }
  v128.store(row, v0);
  v128.store(row, v1, 16);
}

/** Copies the valid mr×nr part of a partial tile, staged in `tile` (rows of NR64), to C. */
function putPartial(tile: usize, c: usize, ldc: i32, mr: i32, nr: i32, accumulate: i32): void {
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) {
      const q = c + <usize>(r * ldc + j) * 8;
      const v = load<f64>(tile + <usize>(r * NR64 + j) * 8);
      store<f64>(q, accumulate ? load<f64>(q) + v : v);
    }
  }
}

/**
 * The micro-kernel: a 4×4 tile of C (row stride ldc) from the packed panel pa (4 broadcast values a step)
 * and 4 columns of B at pb, ldb bytes from one k to the next (packed, or B in place: see
 * matmul.ts); accumulate = 0 overwrites C, 1 adds to it. Partial tiles go through `tile`, and only
 * their valid part is written.
 */
function kernel(kc: i32, pa: usize, pb: usize, ldb: usize, c: usize, ldc: i32, mr: i32, nr: i32, accumulate: i32, tile: usize): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
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
    pb += ldb;
  }
  const full = mr == MR && nr == NR64;
  const dst = full ? c : tile;
  const ld: usize = full ? <usize>ldc * 8 : NR64 * 8;
  const acc = full ? accumulate : 0;
  put(dst, c00, c01, acc);
  put(dst + ld, c10, c11, acc);
  put(dst + 2 * ld, c20, c21, acc);
  put(dst + 3 * ld, c30, c31, acc);
  if (!full) putPartial(tile, c, ldc, mr, nr, accumulate);
}

/** The two lanes' sum. */
// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** One element of C from a row of A and a column of B both contiguous in k, as every element of dot4x2 is computed (see matmul.ts dot1). */
function dot1(ar: usize, bc: usize, k: i32): f64 {
  let acc = f64x2.splat(0);
  const k2 = k & ~1;
  for (let p = 0; p < k2; p += 2) acc = madd(v128.load(ar + (<usize>p << 3)), v128.load(bc + (<usize>p << 3)), acc);
  let s = hsum(acc);
  if (k2 < k) s += load<f64>(ar + (<usize>k2 << 3)) * load<f64>(bc + (<usize>k2 << 3));
  return s;
}

/** Writes s to C at q, or adds it to what is there when accumulating. */
// @ts-ignore: decorator
@inline function putOne(q: usize, s: f64, accumulate: i32): void {
  store<f64>(q, accumulate ? load<f64>(q) + s : s);
}

/** A 4×2 tile of C from four rows of A and two columns of B, all contiguous in k (matmul.ts dot4x2). */
function dot4x2(ar: usize, lda: usize, bc: usize, ldb: usize, k: i32, c: usize, ldc: usize): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  const a1 = ar + lda, a2 = ar + 2 * lda, a3 = ar + 3 * lda, b1 = bc + ldb;
  const k2 = k & ~1;
  for (let p = 0; p < k2; p += 2) {
    const o = <usize>p << 3;
    const v0 = v128.load(bc + o);
    const v1 = v128.load(b1 + o);
    let x = v128.load(ar + o);
    c00 = madd(x, v0, c00);
    c01 = madd(x, v1, c01);
    x = v128.load(a1 + o);
    c10 = madd(x, v0, c10);
    c11 = madd(x, v1, c11);
    x = v128.load(a2 + o);
    c20 = madd(x, v0, c20);
    c21 = madd(x, v1, c21);
    x = v128.load(a3 + o);
    c30 = madd(x, v0, c30);
    c31 = madd(x, v1, c31);
  }
  let s00 = hsum(c00), s01 = hsum(c01), s10 = hsum(c10), s11 = hsum(c11);
  let s20 = hsum(c20), s21 = hsum(c21), s30 = hsum(c30), s31 = hsum(c31);
  if (k2 < k) {
    const o = <usize>k2 << 3;
    const v0 = load<f64>(bc + o), v1 = load<f64>(b1 + o);
    let x = load<f64>(ar + o);
    s00 += x * v0; s01 += x * v1;
    x = load<f64>(a1 + o);
    s10 += x * v0; s11 += x * v1;
    x = load<f64>(a2 + o);
    s20 += x * v0; s21 += x * v1;
    x = load<f64>(a3 + o);
    s30 += x * v0; s31 += x * v1;
  }
  store<f64>(c, s00); store<f64>(c + 8, s01);
  store<f64>(c + ldc, s10); store<f64>(c + ldc + 8, s11);
  store<f64>(c + 2 * ldc, s20); store<f64>(c + 2 * ldc + 8, s21);
  store<f64>(c + 3 * ldc, s30); store<f64>(c + 3 * ldc + 8, s31);
}

/** matmul.ts dotProduct in float64: both operands contiguous in k, nothing packed, columns in L2-sized blocks. */
function dotProduct(a: usize, sam: i32, b: usize, sbn: i32, c: usize, ldc: i32, m: i32, k: i32, n: i32): void {
  const lda = <usize>sam << 3, ldb = <usize>sbn << 3, ldcb = <usize>ldc << 3;
  const block = max(2, (8192 / k) & ~1);
  for (let j0 = 0; j0 < n; j0 += block) {
    const j1 = min(n, j0 + block);
    for (let i = 0; i < m; i += 4) {
      const ar = a + <usize>i * lda;
      const cr = c + <usize>i * ldcb;
      let j = j0;
      if (i + 4 <= m) {
        for (; j + 2 <= j1; j += 2) dot4x2(ar, lda, b + <usize>j * ldb, ldb, k, cr + (<usize>j << 3), ldcb);
      }
      for (let r = 0; r < min(4, m - i); r++) {
        for (let jj = j; jj < j1; jj++) store<f64>(cr + <usize>r * ldcb + (<usize>jj << 3), dot1(ar + <usize>r * lda, b + <usize>jj * ldb, k));
      }
    }
  }
}

/** Whether a product takes dotProduct (matmul.ts useDot): decided on the whole product, so results do not depend on the thread count. */
// @ts-ignore: decorator
@inline function useDot(sak: i32, sbk: i32, m: i32, k: i32): bool {
  return sak == 1 && sbk == 1 && k >= 32 && m <= 64;
}

/** Below this many rows of A a row-major B is read in place rather than packed (matmul.ts DIRECT_B_ROWS). */
const DIRECT_B_ROWS = 32;

/**
 * C = A·B for float64 A[m,k] at a (element strides sam, sak), B[k,n] at b (sbk, sbn) and C with
 * row stride ldc; `work` is workBytes64() of scratch. Requires k ≥ 1.
 */
export function matmul64(a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, ldc: i32, m: i32, k: i32, n: i32, work: usize): void {
  if (useDot(sak, sbk, m, k)) dotProduct(a, sam, b, sbn, c, ldc, m, k, n);
  else gemm(a, sam, sak, b, sbk, sbn, c, ldc, m, k, n, work);
}

/** The GEMM path of matmul64: packed panels and the 4×4 micro-kernel. */
function gemm(a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, ldc: i32, m: i32, k: i32, n: i32, work: usize): void {
  const pA = work;
  const pB = pA + <usize>(MC * KC) * 16;
  const tile = pB + <usize>(KC * NC64) * 8;
  const direct = sbn == 1 && m <= DIRECT_B_ROWS;
  for (let jc = 0; jc < n; jc += NC64) {
    const nc = min(NC64, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const accumulate = pc > 0 ? 1 : 0;
      const bBlock = b + <usize>(pc * sbk + jc * sbn) * 8;
      if (!direct) packB(bBlock, sbk, sbn, kc, nc, pB);
      else if (nc % NR64 != 0) packB(bBlock + <usize>(nc - nc % NR64) * 8, sbk, sbn, kc, nc % NR64, pB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(a + <usize>(ic * sam + pc * sak) * 8, sam, sak, mc, kc, pA);
        for (let jr = 0; jr < nc; jr += NR64) {
          const nr = min(NR64, nc - jr);
          const inPlace = direct && nr == NR64;
          const pb = inPlace ? bBlock + <usize>jr * 8 : direct ? pB : pB + <usize>(jr * kc) * 8;
          const ldb: usize = inPlace ? <usize>sbk * 8 : NR64 * 8;
          for (let ir = 0; ir < mc; ir += MR) {
            const cc = c + <usize>((ic + ir) * ldc + jc + jr) * 8;
            kernel(kc, pA + <usize>(ir * kc) * 16, pb, ldb, cc, ldc, min(MR, mc - ir), nr, accumulate, tile);
          }
        }
      }
    }
  }
}

/** matmul64 shared between threads: the job block of matmulShared (matmul.ts), over float64 operands. */
export function matmul64Shared(job: usize, work: usize): void {
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
  const dot = useDot(sak, sbk, m, k);
  for (;;) {
    const i = atomic.add<i32>(job, 1);
    if (i >= chunks) return;
    const from = i * size;
    if (byCols) {
      const bb = b + <usize>(from * sbn) * 8, cc = c + <usize>from * 8, nn = min(size, n - from);
      if (dot) dotProduct(a, sam, bb, sbn, cc, ldc, m, k, nn);
      else gemm(a, sam, sak, bb, sbk, sbn, cc, ldc, m, k, nn, work);
    } else {
      const aa = a + <usize>(from * sam) * 8, cc = c + <usize>(from * ldc) * 8, mm = min(size, m - from);
      if (dot) dotProduct(aa, sam, b, sbn, cc, ldc, mm, k, n);
      else gemm(aa, sam, sak, b, sbk, sbn, cc, ldc, mm, k, n, work);
    }
  }
}
