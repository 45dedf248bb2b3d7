// The GEMM's products with a dimension of 1 (matmul.ts gemm hands them here): an outer product
// for k = 1, a matrix-vector product for n = 1, a vector-matrix product for m = 1. The GEMM pads
// them to its 4×NR micro-tiles and packs A (16 bytes a value) and B for them, so that a GRUCell's
// x[97,1]·W_ihᵀ[1,153] or a Linear(51→1) head ran at a tenth of PyTorch's speed; these read the
// operands in place through their strides and vectorise along the dimension that is not 1.
//
// Each computes every element of C exactly as the GEMM does — the same multiply-adds (maddOf,
// starting from 0) in k order within blocks of KC, the blocks added in order, then added to C when
// accumulating — only in other lanes, so results are bit-identical to the GEMM's and do not depend
// on how matmulShared cuts the product between threads.
import { lanesOf, maddOf, shiftOf } from "./lanes";
import { KC } from "./matmul";

/**
 * `count` (1 to lanes) values of T at p, p + step, … (step in bytes) in the low lanes of a vector,
 * zero in the others; one load where they are whole and contiguous.
 */
// @ts-ignore: decorator
@inline function gather<T>(p: usize, step: usize, count: i32): v128 {
  if (count == <i32>lanesOf<T>() && step == sizeof<T>()) return v128.load(p);
  let v = v128.load_lane<T>(p, v128.splat<T>(0), 0);
  if (count > 1) v = v128.load_lane<T>(p + step, v, 1);
  if (sizeof<T>() == 4) {
    if (count > 2) v = v128.load_lane<T>(p + 2 * step, v, 2);
    if (count > 3) v = v128.load_lane<T>(p + 3 * step, v, 3);
  }
  return v;
}

/** Stores the low `count` lanes of v at p, p + step, … (step in bytes); gather's inverse. */
// @ts-ignore: decorator
@inline function scatter<T>(p: usize, step: usize, count: i32, v: v128): void {
  if (count == <i32>lanesOf<T>() && step == sizeof<T>()) {
    v128.store(p, v);
    return;
  }
  v128.store_lane<T>(p, v, 0);
  if (count > 1) v128.store_lane<T>(p + step, v, 1);
  if (sizeof<T>() == 4) {
    if (count > 2) v128.store_lane<T>(p + 2 * step, v, 2);
    if (count > 3) v128.store_lane<T>(p + 3 * step, v, 3);
  }
}

/**
 * Σₚ x[p]·y[p] over k of a few lanes at once, as the GEMM sums one element: from 0 in each
 * block of KC, the blocks added in order to `sum` (C's values when accumulating, else nothing).
 * x's values at xp + p·sx (bytes) are gathered `count` lanes, `sx1` bytes apart; y's is the one
 * value at yp + p·sy broadcast to every lane.
 */
// @ts-ignore: decorator
@inline function sumAlongK<T>(xp: usize, sx: usize, sx1: usize, count: i32, yp: usize, sy: usize, k: i32, sum: v128, accumulate: i32): v128 {
  for (let pc = 0; pc < k; pc += KC) {
    const end = min(k, pc + KC);
    let s = v128.splat<T>(0);
    let x = xp + <usize>pc * sx;
    let y = yp + <usize>pc * sy;
    if (count == <i32>lanesOf<T>() && sx1 == sizeof<T>()) {
      for (let p = pc; p < end; p++, x += sx, y += sy) s = maddOf<T>(v128.load(x), v128.load_splat<T>(y), s);
    } else {
      for (let p = pc; p < end; p++, x += sx, y += sy) s = maddOf<T>(gather<T>(x, sx1, count), v128.load_splat<T>(y), s);
    }
    sum = pc == 0 && !accumulate ? s : v128.add<T>(sum, s);
  }
  return sum;
}

/**
 * C[m,1] = A[m,k]·B[k,1] (C += with `accumulate`): lanes of rows at a time, each lane one row's
 * sum. A at element strides sam, sak; B's column at stride sbk; C's column at stride ldc.
 */
export function matvecOf<T>(a: usize, sam: i32, sak: i32, b: usize, sbk: i32, c: usize, ldc: i32, m: i32, k: i32, accumulate: i32): void {
  const S = shiftOf<T>();
  const L = <i32>lanesOf<T>();
  const rowA = <usize>sam << S, rowC = <usize>ldc << S;
  for (let i = 0; i < m; i += L) {
    const count = min(L, m - i);
    const cr = c + <usize>i * rowC;
    const sum = accumulate ? gather<T>(cr, rowC, count) : v128.splat<T>(0);
    scatter<T>(cr, rowC, count, sumAlongK<T>(a + <usize>i * rowA, <usize>sak << S, rowA, count, b, <usize>sbk << S, k, sum, accumulate));
  }
}

/**
 * C[1,n] = A[1,k]·B[k,n] (C += with `accumulate`): lanes of columns at a time, each lane one
 * column's sum. A's row at element stride sak; B at strides sbk, sbn; C's row contiguous.
 */
export function vecmatOf<T>(a: usize, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, n: i32, k: i32, accumulate: i32): void {
  const S = shiftOf<T>();
  const L = <i32>lanesOf<T>();
  const colB = <usize>sbn << S;
  for (let j = 0; j < n; j += L) {
    const count = min(L, n - j);
    const cr = c + (<usize>j << S);
    const sum = accumulate ? gather<T>(cr, sizeof<T>(), count) : v128.splat<T>(0);
    scatter<T>(cr, sizeof<T>(), count, sumAlongK<T>(b + <usize>j * colB, <usize>sbk << S, colB, count, a, <usize>sak << S, k, sum, accumulate));
  }
}

/**
 * C[m,n] = A[m,1]·B[1,n] (C += with `accumulate`): each row of C is A[i]·B's row, lanes of
 * columns at a time. A's column at element stride sam; B's row at stride sbn; C's rows ldc apart.
 */
export function outerOf<T>(a: usize, sam: i32, b: usize, sbn: i32, c: usize, ldc: i32, m: i32, n: i32, accumulate: i32): void {
  const S = shiftOf<T>();
  const L = <i32>lanesOf<T>();
  const colB = <usize>sbn << S;
  const zero = v128.splat<T>(0);
  for (let i = 0; i < m; i++) {
    const x = v128.load_splat<T>(a + (<usize>(i * sam) << S));
    const cr = c + (<usize>(i * ldc) << S);
    let j = 0;
    if (sbn == 1) {
      for (; j + L <= n; j += L) {
        const q = cr + (<usize>j << S);
        const v = maddOf<T>(x, v128.load(b + (<usize>j << S)), zero);
        v128.store(q, accumulate ? v128.add<T>(v128.load(q), v) : v);
      }
    }
    for (; j < n; j += L) {
      const count = min(L, n - j);
      const q = cr + (<usize>j << S);
      const v = maddOf<T>(x, gather<T>(b + <usize>j * colB, colB, count), zero);
      scatter<T>(q, sizeof<T>(), count, accumulate ? v128.add<T>(gather<T>(q, sizeof<T>(), count), v) : v);
    }
  }
}
