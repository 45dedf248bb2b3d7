/**
 * What a matrix's singular values above a tolerance give: the pseudo-inverse (torch.linalg.pinv)
 * and the rank (torch.linalg.matrix_rank). The tolerance is PyTorch 1.13's: max(atol, rtol·σ₁)
 * with σ₁ the largest singular value; without either, rtol = ε·max(m, n); with only atol, rtol 0.
 * `hermitian` takes the eigenvalues of a symmetric A (their absolute values) instead.
 */
import { DTypeError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { amax } from "./amax.js";
import { eigh, eigvalsh } from "./eigh.js";
import { abs, gt, maximum, mul, toDType, where } from "./elementwise.js";
import { reciprocal } from "./math.js";
import { clampMin } from "./clamp.js";
import { matmul } from "./matmul.js";
import { sum } from "./reduce.js";
import { unsqueeze } from "./shape.js";
import { svd, svdvals } from "./svd.js";
import { finfoEps } from "../tensor/dtype.js";
import { mH } from "./triangular-solve.js";

export interface RankToleranceOptions {
  /** The absolute tolerance: singular values at or below it count as zero. */
  atol?: number | Tensor | null;
  /** The tolerance relative to the largest singular value. */
  rtol?: number | Tensor | null;
  /** A is symmetric: its eigenvalues (their absolute values) stand for the singular values. */
  hermitian?: boolean;
}


/** The cut-off of each matrix's singular values `S` [*, k], keepdim-shaped [*, 1]. */
function toleranceOf(op: string, A: Tensor, S: Tensor, { atol, rtol }: RankToleranceOptions): Tensor {
  if (!(A.dtype === "float32" || A.dtype === "float64")) throw new DTypeError(`${op}: expected a floating point tensor as input, got ${A.dtype}`);
  const [m, n] = [A.shape[A.ndim - 2]!, A.shape[A.ndim - 1]!];
  const hasAtol = atol !== undefined && atol !== null;
  const r = rtol !== undefined && rtol !== null ? rtol : hasAtol ? 0 : finfoEps(A.dtype) * Math.max(m, n);
  const relative = mul(amax(S, [-1], true), r instanceof Tensor ? unsqueeze(r, -1) : r);
  if (!hasAtol) return relative;
  return atol instanceof Tensor ? maximum(relative, unsqueeze(atol, -1)) : clampMin(relative, atol);
}

/** The pseudo-inverse A⁺ of A [*, m, n] ([*, n, m]): V·diag(1/σ for σ above the tolerance, else 0)·Uᵀ. */
export function pinv(A: Tensor, options: RankToleranceOptions = {}): Tensor {
  if (!(A instanceof Tensor)) throw new TypeError(`linalg.pinv: expected A to be a Tensor, got ${A === null ? "null" : typeof A}`);
  if (options.hermitian === true) {
    const { eigenvalues: L, eigenvectors: V } = eigh(A);
    const keep = gt(abs(L), toleranceOf("linalg.pinv", A, abs(L), options));
    const inverse = where(keep, reciprocal(L), 0);
    return matmul(mul(V, unsqueeze(inverse, -2)), mH(V));
  }
  const { U, S, Vh } = svd(A, { fullMatrices: false });
  const keep = gt(S, toleranceOf("linalg.pinv", A, S, options));
  const inverse = where(keep, reciprocal(S), 0);
  return matmul(mul(mH(Vh), unsqueeze(inverse, -2)), mH(U));
}

/** The rank of each matrix of A [*, m, n]: how many singular values are above the tolerance (int32; PyTorch's int64). */
export function matrixRank(A: Tensor, options: RankToleranceOptions = {}): Tensor {
  if (!(A instanceof Tensor)) throw new TypeError(`linalg.matrixRank: expected A to be a Tensor, got ${A === null ? "null" : typeof A}`);
  const S = options.hermitian === true ? abs(eigvalsh(A)) : svdvals(A);
  return toDType(sum(gt(S, toleranceOf("linalg.matrixRank", A, S, options)), -1), "int32");
}
