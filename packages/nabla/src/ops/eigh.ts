/**
 * The eigendecomposition of symmetric matrices, as torch.linalg.eigh and eigvalsh: A = V·diag(L)·Vᵀ
 * with the eigenvalues L ascending and V orthogonal (each column's sign is not unique: nabla's may
 * differ from LAPACK's). Computed on the host in float64 by the cyclic Jacobi method (rotations
 * until the off-diagonal vanishes: accurate to the last bits of the small eigenvalues too).
 * The gradient is PyTorch's linalg_eig_backward for Hermitian A:
 *   G_A = V·(diag(G_L) + skew(Vᵀ·G_V)/2 ∘ 1/E)·Vᵀ,  E_ij = L_j − L_i (i ≠ j), skew(X) = X − Xᵀ,
 * written with differentiable ops (second derivatives exist); not finite where eigenvalues
 * repeat and G_V is given, as in PyTorch.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { OptionError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { toDevice } from "../tensor/transfer.js";
import { add, div, mul, sub } from "./elementwise.js";
import { eye } from "./creation.js";
import { fromTypedArray } from "./helpers.js";
import { diagEmbed, diagonal } from "./diagonal.js";
import { checkSquare } from "./lu.js";
import { matmul } from "./matmul.js";
import { contiguous, unsqueeze } from "./shape.js";
import { tril, triu } from "./triangular.js";
import { namedTuple } from "./named-tuple.js";
import { mH } from "./triangular-solve.js";

export interface EighOptions {
  /** Which triangle of A is read: "L" (the default) or "U", as PyTorch's UPLO. */
  UPLO?: "L" | "U";
}


/**
 * Diagonalises each symmetric n×n matrix of `a` (row-major float64, overwritten) by Jacobi
 * rotations; writes the ascending eigenvalues to `values` and the eigenvectors as columns of
 * `vectors` ([batches, n, n], row-major).
 */
export function jacobiEigen(a: Float64Array, batches: number, n: number, values: Float64Array, vectors: Float64Array): void {
  const v = new Float64Array(n * n);
  const order = new Array<number>(n);
  for (let s = 0; s < batches; s++) {
    const o = s * n * n;
    v.fill(0);
    for (let i = 0; i < n; i++) v[i * n + i] = 1;
    let scale = 0;
    for (let i = 0; i < n * n; i++) scale += a[o + i]! * a[o + i]!;
    for (let sweep = 0; sweep < 100; sweep++) {
      let off = 0;
      for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[o + p * n + q]! * a[o + p * n + q]!;
      if (off <= 1e-36 * scale || off === 0) break;
      for (let p = 0; p < n; p++) {
        for (let q = p + 1; q < n; q++) {
          const apq = a[o + p * n + q]!;
          if (apq === 0) continue;
          const app = a[o + p * n + p]!;
          const aqq = a[o + q * n + q]!;
          // the rotation that zeroes a_pq: t = tan θ, the smaller root of t² + 2τt − 1 = 0
          const tau = (aqq - app) / (2 * apq);
          const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
          const c = 1 / Math.sqrt(1 + t * t);
          const sn = t * c;
          for (let k = 0; k < n; k++) {
            const akp = a[o + k * n + p]!;
            const akq = a[o + k * n + q]!;
            a[o + k * n + p] = c * akp - sn * akq;
            a[o + k * n + q] = sn * akp + c * akq;
          }
          for (let k = 0; k < n; k++) {
            const apk = a[o + p * n + k]!;
            const aqk = a[o + q * n + k]!;
            a[o + p * n + k] = c * apk - sn * aqk;
            a[o + q * n + k] = sn * apk + c * aqk;
          }
          a[o + p * n + q] = 0;
          a[o + q * n + p] = 0;
          for (let k = 0; k < n; k++) {
            const vkp = v[k * n + p]!;
            const vkq = v[k * n + q]!;
            v[k * n + p] = c * vkp - sn * vkq;
            v[k * n + q] = sn * vkp + c * vkq;
          }
        }
      }
    }
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((i, j) => a[o + i * n + i]! - a[o + j * n + j]!);
    for (let j = 0; j < n; j++) {
      const from = order[j]!;
      values[s * n + j] = a[o + from * n + from]!;
      for (let k = 0; k < n; k++) vectors[o + k * n + j] = v[k * n + from]!;
    }
  }
}

/** A with the triangle UPLO names mirrored onto the other (what LAPACK reads of a symmetric A). */
function symmetrised(A: Tensor, uplo: "L" | "U"): Tensor {
  const half = uplo === "L" ? tril(A, -1) : triu(A, 1);
  return add(add(half, mH(half)), diagEmbed(diagonal(A, 0, -2, -1)));
}

function readUplo(op: string, options: EighOptions): "L" | "U" {
  const uplo = options.UPLO ?? "L";
  if (uplo !== "L" && uplo !== "U") throw new OptionError(`${op}: UPLO must be "L" or "U", got ${String(uplo)}`);
  return uplo;
}

/** The eigenvalues (ascending) and eigenvectors (columns) of symmetric A, from the values only. */
function decompose(op: string, A: Tensor, uplo: "L" | "U"): [Tensor, Tensor] {
  const n = checkSquare(op, A);
  return noGrad(() => {
    const a = Float64Array.from(contiguous(symmetrised(A, uplo)).toTypedArray());
    const batches = A.shape.slice(0, -2).reduce((p, s) => p * s, 1);
    const values = new Float64Array(batches * n);
    const vectors = new Float64Array(batches * n * n);
    jacobiEigen(a, batches, n, values, vectors);
    const device = A.storage.device;
    return [toDevice(fromTypedArray(values, A.shape.slice(0, -1), A.dtype), device), toDevice(fromTypedArray(vectors, A.shape, A.dtype), device)];
  });
}

/** torch.linalg.eigh's result: `const { eigenvalues, eigenvectors } = linalg.eigh(A)` or `const [L, V]`. */
export class Eigh extends namedTuple(["eigenvalues", "eigenvectors"]) {}

/**
 * The eigenvalues (ascending) and orthonormal eigenvectors (columns) of symmetric A [*, n, n]
 * (torch.linalg.eigh); only the triangle `UPLO` names is read. The gradient is linear in
 * (G_L, G_V), so each output records its own part of it.
 */
export function eigh(A: Tensor, options: EighOptions = {}): Eigh {
  const uplo = readUplo("linalg.eigh", options);
  const [L0, V0] = decompose("linalg.eigh", A, uplo);
  const L = recordOp("LinalgEighBackward0", L0, [A], (gL) => [matmul(mul(V0, unsqueeze(gL, -2)), mH(V0))], [V0]);
  const V = recordOp("LinalgEighBackward0", V0, [A], (gV) => {
    const VtgV = matmul(mH(V0), gV);
    // skew(Vᵀ·G_V)/2 over E_ij = L_j − L_i; its diagonal is 0, so E's (also 0) is taken as 1
    const E = add(sub(unsqueeze(L0, -2), unsqueeze(L0, -1)), eyeLike(L0));
    const inner = div(mul(sub(VtgV, mH(VtgV)), 0.5), E);
    return [matmul(V0, matmul(inner, mH(V0)))];
  }, [L0, V0]);
  return new Eigh(L, V);
}

/** The n×n identity in the dtype and on the device of `values` [*, n]. */
function eyeLike(values: Tensor): Tensor {
  const n = values.shape[values.ndim - 1]!;
  return eye(n, n, { dtype: values.dtype, device: values.storage.device });
}

/**
 * The eigenvalues of symmetric A, ascending (torch.linalg.eigvalsh); their gradient is
 * V·diag(G_L)·Vᵀ, through eigh's recorded V (so that it has second derivatives).
 */
export function eigvalsh(A: Tensor, options: EighOptions = {}): Tensor {
  readUplo("linalg.eigvalsh", options);
  checkSquare("linalg.eigvalsh", A);
  return eigh(A, options).eigenvalues;
}
