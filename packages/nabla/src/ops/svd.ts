/**
 * The singular value decomposition, as torch.linalg.svd and svdvals: A = U·diag(S)·Vh with S
 * descending and non-negative, U and Vh with orthonormal columns and rows (each pair's sign is
 * not unique: nabla's may differ from LAPACK's). Computed on the host in float64 by one-sided
 * Jacobi rotations (Hestenes), which keep the small singular values accurate to their last bits.
 * The gradient is PyTorch's svd_backward (for k = min(m, n), the reduced factors):
 *   G_A = U·[(skew(Uᵀ·G_U)·S + S·skew(Vᵀ·G_V)) ∘ 1/E + diag(G_S)]·Vh
 *         + (I − U·Uᵀ)·G_U·S⁻¹·Vh + U·S⁻¹·G_Vᵀ·(I − V·Vh),   E_jk = S_k² − S_j² (j ≠ k),
 * with skew(X) = X − Xᵀ; with full_matrices the extra columns' gradients are ignored, as
 * PyTorch does. Written with differentiable ops: second derivatives exist.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, OptionError, ShapeError, formatShape } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { toDevice } from "../tensor/transfer.js";
import { eye } from "./creation.js";
import { add, div, mul, sub } from "./elementwise.js";
import { fromTypedArray } from "./helpers.js";
import { matmul } from "./matmul.js";
import { contiguous, narrow, unsqueeze } from "./shape.js";
import { namedTuple } from "./named-tuple.js";
import { mH } from "./triangular-solve.js";

export interface SvdOptions {
  /** U [*, m, m] and Vh [*, n, n] (true, PyTorch's default), or the reduced [*, m, k] and [*, k, n]. */
  fullMatrices?: boolean;
}


/**
 * The SVD of one m×n matrix with m ≥ n (row-major `a`, read only): one-sided Jacobi rotations
 * of A's columns until every pair is orthogonal to working precision; then S the column norms,
 * U the normalised columns (completed to an orthonormal m×m basis when `full`), V the product of
 * the rotations. Writes u [m, full ? m : n], s [n] (descending) and v [n, n] (V, not Vh).
 */
function hestenes(a: Float64Array, offset: number, m: number, n: number, full: boolean, u: Float64Array, uo: number, s: Float64Array, so: number, v: Float64Array, vo: number): void {
  const w = new Float64Array(m * n);
  for (let i = 0; i < m * n; i++) w[i] = a[offset + i]!;
  const rot = new Float64Array(n * n);
  for (let i = 0; i < n; i++) rot[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = w[i * n + p]!;
          const y = w[i * n + q]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-17 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const sn = c * t;
        for (let i = 0; i < m; i++) {
          const x = w[i * n + p]!;
          const y = w[i * n + q]!;
          w[i * n + p] = c * x - sn * y;
          w[i * n + q] = sn * x + c * y;
        }
        for (let i = 0; i < n; i++) {
          const x = rot[i * n + p]!;
          const y = rot[i * n + q]!;
          rot[i * n + p] = c * x - sn * y;
          rot[i * n + q] = sn * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  const norms = Array.from({ length: n }, (_, j) => {
    let sum = 0;
    for (let i = 0; i < m; i++) sum += w[i * n + j]! * w[i * n + j]!;
    return Math.sqrt(sum);
  });
  const order = Array.from({ length: n }, (_, j) => j).sort((i, j) => norms[j]! - norms[i]!);
  const cols = full ? m : n;
  const largest = norms[order[0]!] ?? 0;
  let filled = 0;
  for (let j = 0; j < n; j++) {
    const from = order[j]!;
    const norm = norms[from]!;
    s[so + j] = norm;
    for (let i = 0; i < n; i++) v[vo + i * n + j] = rot[i * n + from]!;
    // a zero (or negligible) singular value's column of U comes from the completion below
    if (norm > 0 && norm > largest * 1e-300) {
      for (let i = 0; i < m; i++) u[uo + i * cols + j] = w[i * n + from]! / norm;
      filled = j + 1;
    } else break;
  }
  completeBasis(u, uo, m, cols, filled);
}

/**
 * Fills columns `from` … cols − 1 of u ([m, cols], the first `from` orthonormal) with unit
 * vectors orthogonal to the others: Gram–Schmidt, twice, of the standard basis vectors.
 */
function completeBasis(u: Float64Array, uo: number, m: number, cols: number, from: number): void {
  let j = from;
  for (let e = 0; e < m && j < cols; e++) {
    const x = new Float64Array(m);
    x[e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += u[uo + i * cols + k]! * x[i]!;
        for (let i = 0; i < m; i++) x[i]! -= dot * u[uo + i * cols + k]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += x[i]! * x[i]!;
    norm = Math.sqrt(norm);
    if (norm < 0.5) continue; // e lies (almost) in the span already
    for (let i = 0; i < m; i++) u[uo + i * cols + j] = x[i]! / norm;
    j++;
  }
}

/** The factors of every matrix of A, as tensors without a gradient: U, S, Vh. */
function factorChecks(op: string, A: Tensor): void {
  if (!(A instanceof Tensor)) throw new TypeError(`${op}: expected A to be a Tensor, got ${A === null ? "null" : typeof A}`);
  if (!isFloating(A.dtype)) throw new DTypeError(`${op}: expected a floating point tensor as input, got ${A.dtype}`);
  if (A.ndim < 2) throw new ShapeError(`${op}: The input tensor A must have at least 2 dimensions, got shape ${formatShape(A.shape)}`);
}

function factor(op: string, A: Tensor, full: boolean): [Tensor, Tensor, Tensor] {
  factorChecks(op, A);
  return noGrad(() => {
    const [m, n] = [A.shape[A.ndim - 2]!, A.shape[A.ndim - 1]!];
    const k = Math.min(m, n);
    const batch = A.shape.slice(0, -2);
    const batches = batch.reduce((p, s) => p * s, 1);
    // a wide A is factored through Aᵀ = U'·S·V'ᵀ: U = V', Vh = U'ᵀ
    const wide = m < n;
    const [rows, cols] = wide ? [n, m] : [m, n];
    const a = Float64Array.from(contiguous(wide ? mH(A) : A).toTypedArray());
    const uCols = full ? rows : cols;
    const u = new Float64Array(batches * rows * uCols);
    const s = new Float64Array(batches * k);
    const v = new Float64Array(batches * cols * cols);
    for (let b = 0; b < batches; b++) hestenes(a, b * rows * cols, rows, cols, full, u, b * rows * uCols, s, b * k, v, b * cols * cols);
    const device = A.storage.device;
    const tensorOf = (values: Float64Array, shape: number[]) => toDevice(fromTypedArray(values, shape, A.dtype), device);
    const U1 = tensorOf(u, [...batch, rows, uCols]);
    const V1 = tensorOf(v, [...batch, cols, cols]);
    const S = tensorOf(s, [...batch, k]);
    // tall: U = U1, Vh = V1ᵀ; wide: U = V1, Vh = U1ᵀ
    return wide ? [V1, S, contiguous(mH(U1))] : [U1, S, contiguous(mH(V1))];
  });
}

/** torch.linalg.svd's result: `const { U, S, Vh } = linalg.svd(A)` or `const [U, S, Vh]`. */
export class Svd extends namedTuple(["U", "S", "Vh"]) {}

/**
 * PyTorch's svd_backward for the reduced factors U [*, m, k], S [*, k], Vh [*, k, n], any of
 * the incoming gradients null.
 */
function svdBackward(U: Tensor, S: Tensor, Vh: Tensor, gU: Tensor | null, gS: Tensor | null, gVh: Tensor | null): Tensor {
  const [m, n] = [U.shape[U.ndim - 2]!, Vh.shape[Vh.ndim - 1]!];
  const k = S.shape[S.ndim - 1]!;
  if (gU === null && gVh === null) return matmul(mul(U, unsqueeze(gS!, -2)), Vh);
  const V = mH(Vh);
  const gV = gVh === null ? null : mH(gVh);
  const Sr = unsqueeze(S, -2); // S along the columns
  const Sc = unsqueeze(S, -1); // S along the rows
  const S2 = mul(S, S);
  const E = add(sub(unsqueeze(S2, -2), unsqueeze(S2, -1)), eye(k, k, { dtype: S.dtype, device: S.storage.device }));
  let inner: Tensor | null = null;
  if (gU !== null) {
    const UtgU = matmul(mH(U), gU);
    inner = mul(sub(UtgU, mH(UtgU)), Sr);
  }
  if (gV !== null) {
    const VtgV = matmul(mH(V), gV);
    const term = mul(Sc, sub(VtgV, mH(VtgV)));
    inner = inner === null ? term : add(inner, term);
  }
  let gA = div(inner!, E);
  if (gS !== null) gA = add(gA, mul(eye(k, k, { dtype: S.dtype, device: S.storage.device }), unsqueeze(gS, -2)));
  if (m > k && gU !== null) {
    const gUSinv = div(gU, Sr);
    gA = matmul(add(matmul(U, gA), sub(gUSinv, matmul(U, matmul(mH(U), gUSinv)))), Vh);
  } else if (n > k && gV !== null) {
    const gVSinv = div(gV, Sr);
    gA = matmul(U, add(matmul(gA, Vh), sub(mH(gVSinv), matmul(matmul(mH(gVSinv), V), Vh))));
  } else gA = matmul(U, matmul(gA, Vh));
  return gA;
}

/**
 * U, S, Vh with A = U·diag(S)·Vh (torch.linalg.svd) for A [*, m, n]; `fullMatrices` (true by
 * default, as PyTorch) makes U and Vh square. Each output records its part of the gradient
 * (svd_backward is linear in G_U, G_S, G_Vh).
 */
export function svd(A: Tensor, { fullMatrices = true }: SvdOptions = {}): Svd {
  if (typeof fullMatrices !== "boolean") throw new OptionError(`linalg.svd: fullMatrices must be true or false, got ${String(fullMatrices)}`);
  const [U, S, Vh] = factor("linalg.svd", A, fullMatrices);
  const k = S.shape[S.ndim - 1]!;
  // the reduced factors the backward works with (views of the full ones)
  const Ur = () => (fullMatrices ? narrow(U, -1, 0, k) : U);
  const Vhr = () => (fullMatrices ? narrow(Vh, -2, 0, k) : Vh);
  recordOp("LinalgSvdBackward0", U, [A], (gU) => [svdBackward(Ur(), S, Vhr(), fullMatrices ? narrow(gU, -1, 0, k) : gU, null, null)], [U, S, Vh]);
  recordOp("LinalgSvdBackward0", S, [A], (gS) => [svdBackward(Ur(), S, Vhr(), null, gS, null)], [U, Vh]);
  recordOp("LinalgSvdBackward0", Vh, [A], (gVh) => [svdBackward(Ur(), S, Vhr(), null, null, fullMatrices ? narrow(gVh, -2, 0, k) : gVh)], [U, S, Vh]);
  return new Svd(U, S, Vh);
}

/**
 * The singular values of A [*, m, n], descending (torch.linalg.svdvals); their gradient is
 * U·diag(G_S)·Vh, through svd's recorded U and Vh (so that it has second derivatives).
 */
export function svdvals(A: Tensor): Tensor {
  factorChecks("linalg.svdvals", A);
  return svd(A, { fullMatrices: false }).S;
}
