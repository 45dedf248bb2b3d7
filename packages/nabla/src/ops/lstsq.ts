/**
 * Least squares, as torch.linalg.lstsq: X minimising ‖A·X − B‖ for A [*, m, n] and B [*, m, k]
 * (or a batch of vectors [*, m]), the minimum-norm one where A is rank-deficient. X = A⁺·B with
 * the singular values at or below rcond·σ₁ taken as zero (rcond ε·max(m, n) by default), so the
 * gradient is PyTorch's (its linalg_lstsq_backward differentiates A⁺·B too). What else comes
 * back follows the LAPACK driver PyTorch would have used (CPU default "gelsy"): `rank` from all
 * but gels, `singularValues` from gelsd and gelss, `residuals` (Σ of the squared residuals of
 * each column) from gels, gelsd and gelss where m > n and every A has full rank; empty otherwise.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { DTypeError, OptionError, ShapeError, formatShape } from "../errors.js";
import { finfoEps, isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { amax } from "./amax.js";
import { emptyTensor } from "./helpers.js";
import { gt, mul, sub, toDType, where } from "./elementwise.js";
import { reciprocal } from "./math.js";
import { matmul } from "./matmul.js";
import { sum } from "./reduce.js";
import { squeeze, unsqueeze } from "./shape.js";
import { svd } from "./svd.js";
import { namedTuple } from "./named-tuple.js";
import { mH } from "./triangular-solve.js";

export type LstsqDriver = "gels" | "gelsy" | "gelsd" | "gelss";

export interface LstsqOptions {
  /** Singular values at or below rcond·σ₁ count as zero (default ε·max(m, n) of A's dtype). */
  rcond?: number | null;
  /** Which LAPACK driver's outputs to give (the solution is the same): "gelsy" by default, as PyTorch's CPU. */
  driver?: LstsqDriver | null;
}

/** torch.linalg.lstsq's result; `const { solution } = linalg.lstsq(A, B)` or `const [X, residuals, rank, sv]`. */
export class LstsqResult extends namedTuple(["solution", "residuals", "rank", "singularValues"]) {}

const DRIVERS: readonly LstsqDriver[] = ["gels", "gelsy", "gelsd", "gelss"];

export function lstsq(A: Tensor, B: Tensor, { rcond = null, driver = null }: LstsqOptions = {}): LstsqResult {
  const op = "linalg.lstsq";
  if (!(A instanceof Tensor) || !(B instanceof Tensor)) throw new TypeError(`${op}: expected A and B to be Tensors`);
  if (!isFloating(A.dtype) || A.dtype !== B.dtype) throw new DTypeError(`${op}: expected A and B to be floating point tensors of one dtype, got ${A.dtype} and ${B.dtype}`);
  const chosen = driver ?? "gelsy";
  if (!DRIVERS.includes(chosen)) throw new OptionError(`${op}: parameter \`driver\` should be one of (gels, gelsy, gelsd, gelss), got ${String(driver)}`);
  if (rcond !== null && (typeof rcond !== "number" || Number.isNaN(rcond))) throw new OptionError(`${op}: rcond must be a number or null, got ${String(rcond)}`);
  if (A.ndim < 2) throw new ShapeError(`${op}: input must have at least 2 dimensions, got shape ${formatShape(A.shape)}`);
  const vector = B.ndim === A.ndim - 1;
  const B2 = vector ? unsqueeze(B, -1) : B;
  const [m, n] = [A.shape[A.ndim - 2]!, A.shape[A.ndim - 1]!];
  if (B2.ndim < 2 || B2.shape[B2.ndim - 2] !== m) {
    throw new ShapeError(`${op}: input.size(-2) should match other.size(-2), got A ${formatShape(A.shape)} and B ${formatShape(B.shape)}`);
  }
  const { U, S, Vh } = svd(A, { fullMatrices: false });
  const cutoff = mul(amax(S, [-1], true), rcond ?? finfoEps(A.dtype) * Math.max(m, n));
  const kept = gt(S, cutoff);
  // X = V·diag(1/σ, kept)·Uᵀ·B
  const X = matmul(mul(mH(Vh), unsqueeze(where(kept, reciprocal(S), 0), -2)), matmul(mH(U), B2));
  const solution = vector ? squeeze(X, -1) : X;
  const ranks = noGrad(() => toDType(sum(kept, -1), "int32"));
  const k = Math.min(m, n);
  const fullRank = noGrad(() => ranks.toTypedArray().every((r) => r === k));
  const empty = (dtype: "int32" | typeof A.dtype) => emptyTensor([0], dtype, op, A.storage.device);
  const residuals = chosen !== "gelsy" && m > n && fullRank ? sum(sub(matmul(A, X), B2).square(), -2) : empty(A.dtype);
  return new LstsqResult(
    solution,
    residuals, // for a vector B, [*, 1] as PyTorch's
    chosen === "gels" ? empty("int32") : ranks,
    chosen === "gelsd" || chosen === "gelss" ? S : empty(A.dtype),
  );
}
