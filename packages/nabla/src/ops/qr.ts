/**
 * The QR decomposition, as torch.linalg.qr: A = Q·R with Q's columns orthonormal and R upper
 * triangular, by Householder reflections as LAPACK's geqrf/orgqr (the same reflections and signs:
 * Rₖₖ = −sign(aₖₖ)·‖aₖ‖, so Q and R agree with PyTorch's, not only up to sign). Computed on the
 * host in float64. Modes: "reduced" (Q [*, m, k], R [*, k, n], k = min(m, n)), "complete"
 * (Q [*, m, m], R [*, m, n]) and "r" (R only; Q empty).
 * The gradient for m ≥ n is PyTorch's linalg_qr_backward (arXiv 2009.10071, §4.3):
 *   G_A = [G_Q + Q·syminvadj(triu(G_R·Rᵀ − Qᵀ·G_Q))]·R⁻ᵀ,  syminvadj(X) = X + Xᵀ with the diagonal halved;
 * for m < n, A = [X | Y] is differentiated as Q, R_X = qr(X) and R = [R_X | Qᵀ·Y], which is the
 * same decomposition. As in PyTorch, mode "r" and "complete" with m > n are not differentiable.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, OptionError, ShapeError, formatShape } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { toDevice } from "../tensor/transfer.js";
import { add, mul, sub } from "./elementwise.js";
import { diagEmbed, diagonal } from "./diagonal.js";
import { emptyTensor, fromTypedArray } from "./helpers.js";
import { cat } from "./join.js";
import { matmul } from "./matmul.js";
import { contiguous, narrow } from "./shape.js";
import { mH, solveTriangular } from "./triangular-solve.js";
import { triu } from "./triangular.js";
import { namedTuple } from "./named-tuple.js";

export type QrMode = "reduced" | "complete" | "r";


/**
 * Householder QR of one m×n matrix (row-major `a` from `ao`, overwritten): R in its upper
 * triangle, Q's first `qCols` columns written to `q` ([m, qCols] from `qo`).
 */
function householder(a: Float64Array, ao: number, m: number, n: number, q: Float64Array, qo: number, qCols: number): void {
  const k = Math.min(m, n);
  const taus = new Float64Array(k);
  const vs = new Float64Array(m * k); // each reflector's v (v₀ = 1), column j from row j
  for (let j = 0; j < k; j++) {
    const alpha = a[ao + j * n + j]!;
    let tail = 0;
    for (let i = j + 1; i < m; i++) tail += a[ao + i * n + j]! * a[ao + i * n + j]!;
    vs[j * k + j] = 1;
    if (tail === 0) continue; // H = I (LAPACK's dlarfg with a zero tail)
    // dlarfg: β = −sign(α)·‖(α, tail)‖ (sign(0) = +1), τ = (β − α)/β, v = x/(α − β)
    const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, Math.sqrt(tail));
    const tau = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let i = j + 1; i < m; i++) vs[i * k + j] = a[ao + i * n + j]! * scale;
    taus[j] = tau;
    a[ao + j * n + j] = beta;
    for (let i = j + 1; i < m; i++) a[ao + i * n + j] = 0;
    // the rest of the columns: A ← (I − τ·v·vᵀ)·A
    for (let c = j + 1; c < n; c++) {
      let dot = a[ao + j * n + c]!;
      for (let i = j + 1; i < m; i++) dot += vs[i * k + j]! * a[ao + i * n + c]!;
      dot *= tau;
      a[ao + j * n + c]! -= dot;
      for (let i = j + 1; i < m; i++) a[ao + i * n + c]! -= dot * vs[i * k + j]!;
    }
  }
  // Q = H₀·H₁ ⋯ H_{k−1} applied to the first qCols columns of I, last reflector first (orgqr)
  for (let i = 0; i < m; i++) for (let c = 0; c < qCols; c++) q[qo + i * qCols + c] = i === c ? 1 : 0;
  for (let j = k - 1; j >= 0; j--) {
    const tau = taus[j]!;
    if (tau === 0) continue;
    for (let c = 0; c < qCols; c++) {
      let dot = 0;
      for (let i = j; i < m; i++) dot += vs[i * k + j]! * q[qo + i * qCols + c]!;
      dot *= tau;
      for (let i = j; i < m; i++) q[qo + i * qCols + c]! -= dot * vs[i * k + j]!;
    }
  }
}

/** Q and R of every matrix of A, without a gradient. */
function factor(A: Tensor, mode: QrMode): [Tensor, Tensor] {
  return noGrad(() => {
    const [m, n] = [A.shape[A.ndim - 2]!, A.shape[A.ndim - 1]!];
    const k = Math.min(m, n);
    const batch = A.shape.slice(0, -2);
    const batches = batch.reduce((p, s) => p * s, 1);
    const a = Float64Array.from(contiguous(A).toTypedArray());
    const qCols = mode === "complete" ? m : k;
    const q = new Float64Array(batches * m * qCols);
    for (let b = 0; b < batches; b++) householder(a, b * m * n, m, n, q, b * m * qCols, qCols);
    const device = A.storage.device;
    const R = toDevice(fromTypedArray(a, A.shape, A.dtype), device);
    const rRows = mode === "complete" ? m : k;
    const Q = mode === "r" ? emptyTensor([0], A.dtype, "linalg.qr", device) : toDevice(fromTypedArray(q, [...batch, m, qCols], A.dtype), device);
    return [Q, rRows === m ? R : contiguous(narrow(R, -2, 0, rRows))];
  });
}

/** torch.linalg.qr's result: `const { Q, R } = linalg.qr(A)` or `const [Q, R]`. */
export class QrResult extends namedTuple(["Q", "R"]) {}

/** syminvadj(X) = X + Xᵀ with the diagonal halved. */
function syminvadj(x: Tensor): Tensor {
  const sum = add(x, mH(x));
  return sub(sum, mul(diagEmbed(diagonal(sum, 0, -2, -1)), 0.5));
}

/** PyTorch's linalg_qr_backward for m ≥ n (reduced, or complete with m = n); either gradient may be null. */
function tallBackward(Q: Tensor, R: Tensor, gQ: Tensor | null, gR: Tensor | null): Tensor {
  let inner: Tensor | null = gR === null ? null : matmul(gR, mH(R));
  if (gQ !== null) {
    const QtgQ = matmul(mH(Q), gQ);
    inner = inner === null ? mul(QtgQ, -1) : sub(inner, QtgQ);
  }
  let gA = matmul(Q, syminvadj(triu(inner!)));
  if (gQ !== null) gA = add(gA, gQ);
  // · R⁻ᵀ: the solve X·Rᵀ = gA with Rᵀ lower triangular
  return solveTriangular(mH(R), gA, { upper: false, left: false });
}

/** The square (or tall) decomposition, recorded: each output its part of the gradient (linear in G_Q, G_R). */
function tallQr(A: Tensor, mode: "reduced" | "complete"): QrResult {
  const [Q, R] = factor(A, mode);
  recordOp("LinalgQrBackward0", Q, [A], (gQ) => [tallBackward(Q, R, gQ, null)], [Q, R]);
  recordOp("LinalgQrBackward0", R, [A], (gR) => [tallBackward(Q, R, null, gR)], [Q, R]);
  return new QrResult(Q, R);
}

/**
 * Q and R with A = Q·R (torch.linalg.qr) for A [*, m, n]; `mode` "reduced" (default), "complete"
 * or "r": `linalg.qr(A, "complete")` or `linalg.qr(A, { mode: "complete" })`.
 */
export function qr(A: Tensor, modeOrOptions: QrMode | { mode?: QrMode } = "reduced"): QrResult {
  const op = "linalg.qr";
  const mode = typeof modeOrOptions === "object" && modeOrOptions !== null ? (modeOrOptions.mode ?? "reduced") : modeOrOptions;
  if (!(A instanceof Tensor)) throw new TypeError(`${op}: expected A to be a Tensor, got ${A === null ? "null" : typeof A}`);
  if (!isFloating(A.dtype)) throw new DTypeError(`${op}: expected a floating point tensor as input, got ${A.dtype}`);
  if (A.ndim < 2) throw new ShapeError(`${op}: The input tensor A must have at least 2 dimensions, got shape ${formatShape(A.shape)}`);
  if (mode !== "reduced" && mode !== "complete" && mode !== "r") {
    throw new OptionError(`${op}: qr received unrecognized mode '${String(mode)}' but expected one of 'reduced' (default), 'r', or 'complete'`);
  }
  const [m, n] = [A.shape[A.ndim - 2]!, A.shape[A.ndim - 1]!];
  if (mode === "r") {
    const [Q, R] = factor(A, "r");
    recordOp("LinalgQrBackward0", R, [A], () => {
      throw new Error(`${op}: The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use linalg.qr(A, { mode: "reduced" }) if you are going to differentiate through linalg.qr.`);
    });
    return new QrResult(Q, R);
  }
  if (m >= n) {
    if (mode === "complete" && m > n) {
      const [Q, R] = factor(A, "complete");
      const refuse = () => {
        throw new Error(`${op}: The QR decomposition is not differentiable when mode='complete' and nrows > ncols.`);
      };
      recordOp("LinalgQrBackward0", Q, [A], refuse);
      recordOp("LinalgQrBackward0", R, [A], refuse);
      return new QrResult(Q, R);
    }
    return tallQr(A, "reduced");
  }
  // wide: the square part's decomposition, and R's other columns Qᵀ·Y
  const { Q, R: Rx } = tallQr(narrow(A, -1, 0, m), "reduced");
  return new QrResult(Q, cat([Rx, matmul(mH(Q), narrow(A, -1, m, n - m))], -1));
}
