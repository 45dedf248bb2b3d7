/**
 * The Cholesky factor, as torch.linalg.cholesky: L lower triangular with a positive diagonal and
 * A = L·Lᴴ, for symmetric positive-definite A [*, n, n] (only A's lower triangle is read; with
 * `upper`, U = Lᴴ from the upper triangle). Computed in float64 (Cholesky–Banachiewicz). The
 * gradient is PyTorch's (Murray 2016): G_A = L⁻ᴴ·Φ(Lᴴ·G_L)·L⁻¹ with Φ keeping the lower triangle
 * and halving the diagonal, written with differentiable ops.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, LinAlgError, ShapeError, formatShape } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { add, mul } from "./elementwise.js";
import { fromTypedArray } from "./helpers.js";
import { toDevice } from "../tensor/transfer.js";
import { matmul } from "./matmul.js";
import { contiguous } from "./shape.js";
import { mH, solveTriangular } from "./triangular-solve.js";
import { tril } from "./triangular.js";

export interface CholeskyOptions {
  /** Return the upper factor U = Lᴴ (read from A's upper triangle) instead of L. */
  upper?: boolean;
}

/**
 * Factors `batches` matrices [n, n] (row-major float64, lower triangle read) into L, written to
 * `l`. Returns null, or the first batch and the order of its leading minor that is not positive.
 */
export function choleskyFactor(a: Float64Array, l: Float64Array, batches: number, n: number): { batch: number; order: number } | null {
  for (let s = 0; s < batches; s++) {
    const o = s * n * n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let acc = a[o + i * n + j]!;
        for (let k = 0; k < j; k++) acc -= l[o + i * n + k]! * l[o + j * n + k]!;
        if (i === j) {
          if (!(acc > 0)) return { batch: s, order: i + 1 };
          l[o + i * n + i] = Math.sqrt(acc);
        } else l[o + i * n + j] = acc / l[o + j * n + j]!;
      }
    }
  }
  return null;
}

/** The Cholesky factor L of symmetric positive-definite A (or U = Lᴴ with `upper`). */
export function cholesky(A: Tensor, { upper = false }: CholeskyOptions = {}): Tensor {
  if (!(A instanceof Tensor)) throw new TypeError(`linalg.cholesky: expected A to be a Tensor, got ${A === null ? "null" : typeof A}`);
  if (!isFloating(A.dtype)) throw new DTypeError(`linalg.cholesky: expected a floating point tensor, got ${A.dtype}`);
  if (A.ndim < 2 || A.shape[A.ndim - 1] !== A.shape[A.ndim - 2]) {
    throw new ShapeError(`linalg.cholesky: A must be batches of square matrices, but they are ${formatShape(A.shape.slice(-2))} matrices`);
  }
  const n = A.shape[A.ndim - 1]!;
  const batches = A.numel() / Math.max(n * n, 1);
  const L = noGrad(() => {
    const a = Float64Array.from(contiguous(upper ? mH(A) : A).toTypedArray());
    const l = new Float64Array(a.length);
    const failed = choleskyFactor(a, l, batches, n);
    if (failed) {
      const where = A.ndim > 2 ? `(Batch element ${failed.batch}): ` : "";
      throw new LinAlgError(
        `linalg.cholesky: ${where}The factorization could not be completed because the input is not positive-definite (the leading minor of order ${failed.order} is not positive-definite).`,
      );
    }
    // computed on the host in float64; a webgpu A gets its factor back there (one upload)
    const lower = toDevice(fromTypedArray(l, A.shape, A.dtype), A.storage.device);
    return upper ? contiguous(mH(lower)) : lower;
  });
  return recordOp("LinalgCholeskyExBackward0", L, [A], (gOut) => {
    const [Lf, gL] = upper ? [mH(L), mH(gOut)] : [L, gOut];
    // Φ(Lᴴ·G_L): the lower triangle with the diagonal halved, as ½(G + tril(G, −1)ᴴ) of G = tril(Lᴴ·G_L)
    let gA = tril(matmul(mH(Lf), gL));
    gA = mul(add(gA, mH(tril(gA, -1))), 0.5);
    gA = solveTriangular(mH(Lf), gA, { upper: true, left: true });
    gA = solveTriangular(Lf, gA, { upper: false, left: false });
    return [gA];
  }, [L]);
}
