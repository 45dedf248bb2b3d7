/**
 * LU factorization with partial pivoting, as LAPACK's getrf under torch.linalg.lu_factor:
 * P·A = L·U with L unit lower triangular (stored below U's diagonal) and the rows swapped at step
 * k recorded as pivots[k] (1-based, LAPACK's convention). Computed on the host in float64; the
 * solves, the inverse and the determinants (solve.ts, determinant.ts) are built on it.
 */
import { DTypeError, LinAlgError, ShapeError, formatShape } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { toDevice } from "../tensor/transfer.js";
import { noGrad } from "../autograd/grad-mode.js";
import { fromTypedArray } from "./helpers.js";
import { contiguous } from "./shape.js";
import { namedTuple } from "./named-tuple.js";

/** The packed factors of `batches` n×n matrices: LU row-major, pivots 0-based, each batch's row-swap parity. */
export interface LuFactors {
  readonly lu: Float64Array;
  readonly pivots: Int32Array;
  /** +1 or −1: the determinant of each batch's permutation. */
  readonly signs: Float64Array;
  readonly batches: number;
  readonly n: number;
}

/**
 * Factors `a` (row-major float64 [batches, n, n], overwritten by the packed L\U). The pivot of
 * step k is the first row at or below k with the largest |a[i][k]| (LAPACK's idamax); a zero
 * pivot leaves its column below unscaled and the factorization goes on, as getrf does.
 */
export function luFactorInPlace(a: Float64Array, batches: number, n: number): LuFactors {
  const pivots = new Int32Array(batches * n);
  const signs = new Float64Array(batches).fill(1);
  for (let s = 0; s < batches; s++) {
    const o = s * n * n;
    for (let k = 0; k < n; k++) {
      let p = k;
      let best = Math.abs(a[o + k * n + k]!);
      for (let i = k + 1; i < n; i++) {
        const v = Math.abs(a[o + i * n + k]!);
        if (v > best) [p, best] = [i, v];
      }
      pivots[s * n + k] = p;
      if (p !== k) {
        signs[s] = -signs[s]!;
        for (let j = 0; j < n; j++) {
          const t = a[o + k * n + j]!;
          a[o + k * n + j] = a[o + p * n + j]!;
          a[o + p * n + j] = t;
        }
      }
      const pivot = a[o + k * n + k]!;
      if (pivot === 0) continue;
      for (let i = k + 1; i < n; i++) {
        const l = (a[o + i * n + k]! /= pivot);
        if (l === 0) continue;
        for (let j = k + 1; j < n; j++) a[o + i * n + j]! -= l * a[o + k * n + j]!;
      }
    }
  }
  return { lu: a, pivots, signs, batches, n };
}

/** The first batch and (1-based) diagonal element of U that is zero, or null. */
export function zeroPivot(f: LuFactors): { batch: number; index: number } | null {
  for (let s = 0; s < f.batches; s++) {
    for (let i = 0; i < f.n; i++) if (f.lu[s * f.n * f.n + i * f.n + i] === 0) return { batch: s, index: i + 1 };
  }
  return null;
}

/**
 * Solves A·X = B in place of `b` ([batches, n, k] row-major) from A's factors: the row swaps,
 * then forward substitution with L's unit diagonal, then back substitution with U.
 */
export function luSolveInPlace(f: LuFactors, b: Float64Array, k: number): void {
  const { lu, pivots, n } = f;
  for (let s = 0; s < f.batches; s++) {
    const o = s * n * n;
    const bo = s * n * k;
    for (let i = 0; i < n; i++) {
      const p = pivots[s * n + i]!;
      if (p === i) continue;
      for (let c = 0; c < k; c++) {
        const t = b[bo + i * k + c]!;
        b[bo + i * k + c] = b[bo + p * k + c]!;
        b[bo + p * k + c] = t;
      }
    }
    for (let i = 1; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const l = lu[o + i * n + j]!;
        if (l !== 0) for (let c = 0; c < k; c++) b[bo + i * k + c]! -= l * b[bo + j * k + c]!;
      }
    }
    for (let i = n - 1; i >= 0; i--) {
      for (let j = i + 1; j < n; j++) {
        const u = lu[o + i * n + j]!;
        if (u !== 0) for (let c = 0; c < k; c++) b[bo + i * k + c]! -= u * b[bo + j * k + c]!;
      }
      const d = lu[o + i * n + i]!;
      for (let c = 0; c < k; c++) b[bo + i * k + c]! /= d;
    }
  }
}

/** Checks that A is a floating point batch of square matrices, naming the op; returns n. */
export function checkSquare(op: string, A: Tensor): number {
  if (!(A instanceof Tensor)) throw new TypeError(`${op}: expected A to be a Tensor, got ${A === null ? "null" : typeof A}`);
  if (!isFloating(A.dtype)) throw new DTypeError(`${op}: expected a floating point tensor as input, got ${A.dtype}`);
  if (A.ndim < 2 || A.shape[A.ndim - 1] !== A.shape[A.ndim - 2]) {
    throw new ShapeError(`${op}: A must be batches of square matrices, but they are ${A.ndim < 2 ? `a tensor of shape ${formatShape(A.shape)}, not` : `${A.shape[A.ndim - 2]} by ${A.shape[A.ndim - 1]}`} matrices`);
  }
  return A.shape[A.ndim - 1]!;
}

/** A's factors (float64, on the host), for the ops built on them. */
export function factorsOf(A: Tensor, n: number): LuFactors {
  const a = Float64Array.from(noGrad(() => contiguous(A)).toTypedArray());
  // counted from the shape: a batch of 0×0 matrices has no values but its determinants are 1
  return luFactorInPlace(a, A.shape.slice(0, -2).reduce((p, s) => p * s, 1), n);
}

/** torch.linalg.lu_factor's result: the packed factors and the 1-based row swaps (int32; PyTorch's are int32 too). */
export class LuFactorResult extends namedTuple(["LU", "pivots"]) {}

/**
 * torch.linalg.lu_factor: `const { LU, pivots } = linalg.luFactor(A)` (or `const [LU, pivots]`).
 * A singular A is PyTorch's error (its U has a zero on the diagonal). No gradient: use solve,
 * inv or det, which differentiate.
 */
export function luFactor(A: Tensor): LuFactorResult {
  const n = checkSquare("linalg.luFactor", A);
  const f = factorsOf(A, n);
  const zero = zeroPivot(f);
  if (zero !== null) {
    throw new LinAlgError(
      `linalg.luFactor: ${A.ndim > 2 ? `(Batch element ${zero.batch}): ` : ""}U[${zero.index},${zero.index}] is zero and using it on luSolve would result in a division by zero`,
    );
  }
  const pivots = Int32Array.from(f.pivots, (p) => p + 1);
  const LU = toDevice(fromTypedArray(f.lu, A.shape, A.dtype), A.storage.device);
  return new LuFactorResult(LU, toDevice(fromTypedArray(pivots, A.shape.slice(0, -1), "int32"), A.storage.device));
}
