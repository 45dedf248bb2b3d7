/**
 * Triangular solves, as torch.linalg.solve_triangular: X with A·X = B (left) or X·A = B (right)
 * for a lower or upper triangular A (only that triangle is read; `unitriangular` takes its
 * diagonal as ones), over broadcast batch dims, by substitution in float64. The gradient, as
 * PyTorch's: G_B = A⁻ᴴ·G_X (a solve with Aᴴ), G_A = −G_B·Xᴴ (left) or −Xᴴ·G_B (right), kept to A's
 * triangle; both are built from differentiable ops, so second derivatives exist.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, ShapeError, formatShape } from "../errors.js";
import { isFloating, promoteTypes } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { neg } from "./elementwise.js";
import { fromTypedArray } from "./helpers.js";
import { kernelDevice } from "../backend/device.js";
import { toDevice } from "../tensor/transfer.js";
import { tril, triu } from "./triangular.js";
import { matmul } from "./matmul.js";
import { sumToShape } from "./reduce.js";
import { contiguous, expand, transpose } from "./shape.js";

export interface SolveTriangularOptions {
  /** Whether A is upper (true) or lower (false) triangular; PyTorch makes this keyword required. */
  upper: boolean;
  /** Solve A·X = B (true, the default) or X·A = B (false). */
  left?: boolean;
  /** Take A's diagonal as ones without reading it. */
  unitriangular?: boolean;
}

/** The conjugate transpose of the last two dims (the transpose, for real tensors). */
export function mH(x: Tensor): Tensor {
  return transpose(x, -2, -1);
}

/**
 * Solves `batches` lower or upper triangular systems A·X = B in place of `b` (float64,
 * row-major, A [n, n] and B [n, k] each): forward substitution for lower, backward for upper.
 */
function substitute(a: Float64Array, b: Float64Array, batches: number, n: number, k: number, upper: boolean, unit: boolean): void {
  for (let s = 0; s < batches; s++) {
    const ao = s * n * n;
    const bo = s * n * k;
    for (let step = 0; step < n; step++) {
      const i = upper ? n - 1 - step : step;
      for (let col = 0; col < k; col++) {
        let acc = b[bo + i * k + col]!;
        if (upper) for (let j = i + 1; j < n; j++) acc -= a[ao + i * n + j]! * b[bo + j * k + col]!;
        else for (let j = 0; j < i; j++) acc -= a[ao + i * n + j]! * b[bo + j * k + col]!;
        b[bo + i * k + col] = unit ? acc : acc / a[ao + i * n + i]!;
      }
    }
  }
}

function checkOperands(A: Tensor, B: Tensor, left: boolean): void {
  if (!(A instanceof Tensor) || !(B instanceof Tensor)) throw new TypeError("linalg.solveTriangular: expected A and B to be Tensors");
  if (!isFloating(A.dtype) || !isFloating(B.dtype)) {
    throw new DTypeError(`linalg.solveTriangular: expected floating point A and B, got ${A.dtype} and ${B.dtype}`);
  }
  if (A.ndim < 2 || A.shape[A.ndim - 1] !== A.shape[A.ndim - 2]) {
    throw new ShapeError(`linalg.solveTriangular: A must be batches of square matrices, but they are ${formatShape(A.shape.slice(-2))} matrices`);
  }
  if (B.ndim < 2) throw new ShapeError(`linalg.solveTriangular: B must have at least 2 dimensions, got shape ${formatShape(B.shape)}`);
  const n = A.shape[A.ndim - 1]!;
  const bn = left ? B.shape[B.ndim - 2] : B.shape[B.ndim - 1];
  if (bn !== n) {
    throw new ShapeError(
      `linalg.solveTriangular: incompatible shapes of A and B for the equation ${left ? "AX = B" : "XA = B"} (${formatShape(A.shape.slice(-2))} and ${formatShape(B.shape.slice(-2))})`,
    );
  }
}

/** A·X = B for triangular A, without recording a gradient (the values of solveTriangular). */
function solveValues(A: Tensor, B: Tensor, upper: boolean, left: boolean, unit: boolean): Tensor {
  return noGrad(() => {
    if (!left) return transpose(solveValues(mH(A), mH(B), !upper, true, unit), -2, -1);
    const n = A.shape[A.ndim - 1]!;
    const k = B.shape[B.ndim - 1]!;
    const batch = broadcastShapes("linalg.solveTriangular", A.shape.slice(0, -2), B.shape.slice(0, -2));
    const a = Float64Array.from(contiguous(expand(A, [...batch, n, n])).toTypedArray());
    const b = Float64Array.from(contiguous(expand(B, [...batch, n, k])).toTypedArray());
    substitute(a, b, batch.reduce((p, s) => p * s, 1), n, k, upper, unit);
    // computed on the host in float64; a webgpu pair gets its result back there (one upload)
    const device = kernelDevice("linalg.solveTriangular", [A, B]);
    return toDevice(fromTypedArray(b, [...batch, n, k], promoteTypes(A.dtype, B.dtype)), device);
  });
}

/**
 * X with A·X = B (or X·A = B with `left: false`) for triangular A [*, n, n] and B [*, n, k]
 * ([*, k, n] for right), batch dims broadcast (torch.linalg.solve_triangular).
 */
export function solveTriangular(A: Tensor, B: Tensor, { upper, left = true, unitriangular = false }: SolveTriangularOptions): Tensor {
  if (typeof upper !== "boolean") throw new TypeError(`linalg.solveTriangular: the option upper (true or false) is required, got ${String(upper)}`);
  checkOperands(A, B, left);
  const X = solveValues(A, B, upper, left, unitriangular);
  return recordOp("LinalgSolveTriangularBackward0", X, [A, B], (g) => {
    // G_B = A⁻ᴴ G_X: a solve with Aᴴ, whose triangle is the other one
    const gB = solveTriangular(mH(A), g, { upper: !upper, left, unitriangular });
    // kept to A's triangle (its diagonal too, unless unitriangular)
    const gAFull = A.requiresGrad ? neg(left ? matmul(gB, mH(X)) : matmul(mH(X), gB)) : null;
    const gA = gAFull === null ? null : upper ? triu(gAFull, unitriangular ? 1 : 0) : tril(gAFull, unitriangular ? -1 : 0);
    return [gA === null ? null : sumToShape(gA, A.shape), B.requiresGrad ? sumToShape(gB, B.shape) : null];
  }, [A, X]);
}
