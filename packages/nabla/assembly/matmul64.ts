// The float64 entry points of the GEMM (matmul.ts, written once over the float type): a 4×4
// micro-tile of f64x2 accumulators and panels of B of 1024 columns, the same bytes as float32's.
// Every product may take the dot-product path (matmul.ts useDot); C is overwritten, or added to
// with bit 0 of `acc` (a float64 convolution's weight gradient sums its samples so).
import { ALLOW_DOT, matmulOf, matmulSharedOf, workBytesOf } from "./matmul";

/** Bytes of scratch that `matmul64` needs at `work`. */
export function workBytes64(): i32 {
  return workBytesOf<f64>();
}

/**
 * C = A·B (C += A·B with bit 0 of `acc`) for float64 A[m,k] at a (element strides sam, sak),
 * B[k,n] at b (sbk, sbn) and C with row stride ldc; `work` is workBytes64() of scratch. Requires k ≥ 1.
 */
export function matmul64(a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, ldc: i32, m: i32, k: i32, n: i32, work: usize, acc: i32): void {
  matmulOf<f64>(a, sam, sak, b, sbk, sbn, c, ldc, m, k, n, work, (acc & 1) | ALLOW_DOT);
}

/** matmul64 shared between threads: the job block of matmulShared (matmul.ts), over float64 operands, bit 0 of the flags at byte 64. */
export function matmul64Shared(job: usize, work: usize): void {
  matmulSharedOf<f64>(job, work, (load<i32>(job, 64) & 1) | ALLOW_DOT);
}
