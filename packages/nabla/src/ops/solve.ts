/**
 * Linear systems and the inverse, as torch.linalg.solve and torch.linalg.inv, from A's LU
 * factors (lu.ts) in float64. The gradients are PyTorch's linalg_solve_backward: for X = A⁻¹·B,
 * G_B = A⁻ᴴ·G_X (a solve with Aᴴ) and G_A = −G_B·Xᴴ; the inverse is the solve with B = I, so
 * G_A = −A⁻ᴴ·G·A⁻ᴴ. Both are written with differentiable ops: second derivatives exist.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { kernelDevice } from "../backend/device.js";
import { DTypeError, LinAlgError, ShapeError, formatShape } from "../errors.js";
import { isFloating, promoteTypes } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { toDevice } from "../tensor/transfer.js";
import { neg } from "./elementwise.js";
import { fromTypedArray } from "./helpers.js";
import { checkSquare, luFactorInPlace, luSolveInPlace, zeroPivot } from "./lu.js";
import { matmul } from "./matmul.js";
import { sumToShape } from "./reduce.js";
import { contiguous, expand, squeeze, unsqueeze } from "./shape.js";
import { eye } from "./creation.js";
import { mH } from "./triangular-solve.js";

export interface SolveOptions {
  /** Solve A·X = B (true, the default) or X·A = B (false). */
  left?: boolean;
}


/** X = A⁻¹·B for A [*, n, n] and B [*, n, k], batch dims broadcast; `what` words the singular error. */
function solveMatrix(op: string, what: "inversion" | "solve", A: Tensor, B: Tensor): Tensor {
  const X = noGrad(() => {
    const n = A.shape[A.ndim - 1]!;
    const k = B.shape[B.ndim - 1]!;
    const batch = broadcastShapes(op, A.shape.slice(0, -2), B.shape.slice(0, -2));
    const a = Float64Array.from(contiguous(expand(A, [...batch, n, n])).toTypedArray());
    const b = Float64Array.from(contiguous(expand(B, [...batch, n, k])).toTypedArray());
    const f = luFactorInPlace(a, a.length / Math.max(n * n, 1), n);
    const zero = zeroPivot(f);
    if (zero !== null) {
      const where = batch.length > 0 ? `(Batch element ${zero.batch}): ` : "";
      throw new LinAlgError(`${op}: ${where}The diagonal element ${zero.index} is zero, the ${what} could not be completed because the input matrix is singular.`);
    }
    luSolveInPlace(f, b, k);
    // computed on the host in float64; a webgpu pair gets its result back there (one upload)
    return toDevice(fromTypedArray(b, [...batch, n, k], promoteTypes(A.dtype, B.dtype)), kernelDevice(op, [A, B]));
  });
  return recordOp(what === "inversion" ? "LinalgInvExBackward0" : "LinalgSolveExBackward0", X, [A, B], (g) => {
    const gB = solveMatrix(op, what, mH(A), g);
    const gA = A.requiresGrad ? sumToShape(neg(matmul(gB, mH(X))), A.shape) : null;
    return [gA, B.requiresGrad ? sumToShape(gB, B.shape) : null];
  }, [A, X]);
}

/**
 * X with A·X = B (torch.linalg.solve) for A [*, n, n] and B [*, n, k], or B a batch of vectors
 * [*, n] (PyTorch's rule: B 1-D, or B's shape A's without its last dim); with `left: false`,
 * X·A = B for B [*, k, n]. Batch dims broadcast. A singular A is PyTorch's error.
 */
export function solve(A: Tensor, B: Tensor, { left = true }: SolveOptions = {}): Tensor {
  const n = checkSquare("linalg.solve", A);
  if (!(B instanceof Tensor)) throw new TypeError(`linalg.solve: expected B to be a Tensor, got ${B === null ? "null" : typeof B}`);
  if (!isFloating(B.dtype)) throw new DTypeError(`linalg.solve: expected a floating point B, got ${B.dtype}`);
  if (A.dtype !== B.dtype) throw new DTypeError(`linalg.solve: expected A and B to have the same dtype, but found A of type ${A.dtype} and B of type ${B.dtype}`);
  const vector = B.ndim === 1 || (B.ndim === A.ndim - 1 && B.shape.every((s, i) => s === A.shape[i]));
  // a vector is a column, also for X·A = B, where PyTorch 1.13 then refuses it (n×1 against n×n)
  const B2 = vector ? unsqueeze(B, -1) : B;
  const rows = left ? B2.shape[B2.ndim - 2] : B2.shape[B2.ndim - 1];
  if (B2.ndim < 2 || rows !== n) {
    const eq = left ? "AX = B" : "XA = B";
    const bShape = B2.ndim < 2 ? formatShape(B.shape) : `${B2.shape[B2.ndim - 2]}x${B2.shape[B2.ndim - 1]}`;
    throw new ShapeError(`linalg.solve: Incompatible shapes of A and B for the equation ${eq} (${n}x${n} and ${bShape})`);
  }
  // X·A = B is Aᴴ·Xᴴ = Bᴴ
  const X = left ? solveMatrix("linalg.solve", "solve", A, B2) : mH(solveMatrix("linalg.solve", "solve", mH(A), mH(B2)));
  return vector ? squeeze(X, -1) : X;
}

/** A⁻¹ for A [*, n, n] (torch.linalg.inv, torch.inverse, x.inverse()). A singular A is PyTorch's error. */
export function inv(A: Tensor): Tensor {
  const n = checkSquare("linalg.inv", A);
  const I = expand(eye(n, n, { dtype: A.dtype, device: A.storage.device }), A.shape);
  return solveMatrix("linalg.inv", "inversion", A, I);
}
