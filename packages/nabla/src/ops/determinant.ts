/**
 * Determinants, as torch.linalg.det, torch.linalg.slogdet and torch.logdet, from A's LU factors
 * (lu.ts) in float64: det A = sign(P)·Π Uᵢᵢ. The gradient is PyTorch's linalg_det_backward:
 * G_A = (g·det A)·A⁻ᴴ (the cofactor matrix), with log|det A|'s g·A⁻ᴴ. First-order gradients solve
 * with A's factors, a zero pivot taken as the dtype's epsilon, as PyTorch does: a singular A then
 * gets a finite gradient (zero for det, whose value is 0) instead of an error. When the backward
 * itself is recorded (createGraph) the inverse is the differentiable inv (an error for a
 * singular A, where PyTorch switches to an SVD).
 */
import { isGradEnabled } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import type { Tensor } from "../tensor/tensor.js";
import { toDevice } from "../tensor/transfer.js";
import { lt, mul, where } from "./elementwise.js";
import { fromTypedArray } from "./helpers.js";
import { checkSquare, factorsOf, luSolveInPlace, type LuFactors } from "./lu.js";
import { inv } from "./solve.js";
import { transpose, unsqueeze } from "./shape.js";
import { namedTuple } from "./named-tuple.js";
import { finfoEps } from "../tensor/dtype.js";


/** Each batch's sign(P)·Π sign(Uᵢᵢ) and Σ log|Uᵢᵢ| (−inf and sign 0 for a zero pivot). */
function signsAndLogs(f: LuFactors): { sign: Float64Array; log: Float64Array; det: Float64Array } {
  const { lu, n, batches } = f;
  const sign = new Float64Array(batches);
  const log = new Float64Array(batches);
  const det = new Float64Array(batches);
  for (let s = 0; s < batches; s++) {
    let sg = f.signs[s]!;
    let lg = 0;
    let d = f.signs[s]!;
    for (let i = 0; i < n; i++) {
      const u = lu[s * n * n + i * n + i]!;
      sg *= Math.sign(u);
      lg += Math.log(Math.abs(u));
      d *= u;
    }
    [sign[s], log[s], det[s]] = [sg === 0 ? 0 : sg, lg, d];
  }
  return { sign, log, det };
}

/** A⁻ᴴ from A's factors, a zero pivot taken as ε (a finite stand-in for a singular A's inverse). */
function inverseAdjoint(A: Tensor, f: LuFactors): Tensor {
  const { n, batches, lu } = f;
  const eps = finfoEps(A.dtype);
  for (let s = 0; s < batches; s++) for (let i = 0; i < n; i++) if (lu[s * n * n + i * n + i] === 0) lu[s * n * n + i * n + i] = eps;
  const x = new Float64Array(batches * n * n);
  for (let s = 0; s < batches; s++) for (let i = 0; i < n; i++) x[s * n * n + i * n + i] = 1;
  luSolveInPlace(f, x, n);
  return transpose(toDevice(fromTypedArray(x, A.shape, A.dtype), A.storage.device), -2, -1);
}

/**
 * A⁻ᴴ for a backward: from the forward's factors (first order; as PyTorch saves LU), or the
 * recorded inverse (createGraph).
 */
function gradientMatrix(A: Tensor, factors: LuFactors): Tensor {
  if (isGradEnabled()) return transpose(inv(A), -2, -1);
  return inverseAdjoint(A, factors);
}

/** det A for A [*, n, n] (torch.linalg.det, torch.det, x.det()). */
export function det(A: Tensor): Tensor {
  const n = checkSquare("linalg.det", A);
  const factors = factorsOf(A, n);
  const { det: values } = signsAndLogs(factors);
  const out = toDevice(fromTypedArray(values, A.shape.slice(0, -2), A.dtype), A.storage.device);
  return recordOp("LinalgDetBackward0", out, [A], (g) => {
    const scale = unsqueeze(unsqueeze(mul(g, out), -1), -1);
    return [mul(scale, gradientMatrix(A, factors))];
  }, [A, out]);
}

/** torch.linalg.slogdet's result: the determinant's sign (0 for a singular A) and log|det A|. */
export class SignLogAbsDet extends namedTuple(["sign", "logabsdet"]) {}

/**
 * The sign and the log of the absolute value of det A (torch.linalg.slogdet): finite where det
 * A under- or overflows. `const { sign, logabsdet } = linalg.slogdet(A)` or `const [sign, logabsdet]`.
 */
export function slogdet(A: Tensor): SignLogAbsDet {
  const n = checkSquare("linalg.slogdet", A);
  const factors = factorsOf(A, n);
  const { sign, log } = signsAndLogs(factors);
  const batch = A.shape.slice(0, -2);
  const signs = toDevice(fromTypedArray(sign, batch, A.dtype), A.storage.device);
  const logs = toDevice(fromTypedArray(log, batch, A.dtype), A.storage.device);
  const logabsdet = recordOp("LinalgSlogdetBackward0", logs, [A], (g) => [mul(unsqueeze(unsqueeze(g, -1), -1), gradientMatrix(A, factors))], [A]);
  return new SignLogAbsDet(signs, logabsdet);
}

/** log det A (torch.logdet): NaN where det A < 0, −inf where A is singular; the gradient of log|det A|. */
export function logdet(A: Tensor): Tensor {
  checkSquare("logdet", A);
  const { sign, logabsdet } = slogdet(A);
  return where(lt(sign, 0), NaN, logabsdet);
}
