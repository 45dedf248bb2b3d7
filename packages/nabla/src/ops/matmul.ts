/** Matrix products: matmul with PyTorch's 1-D, 2-D, folded and broadcast-batched rules. */
import { backend } from "../backend/backend.js";
import { checkSameDevice, webgpuContext } from "../backend/device.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, ShapeError } from "../errors.js";
import { broadcastShapes, broadcastStrides, shapeByX } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { gpuViewWith, resultTensor, viewWith } from "./helpers.js";
import { sumToShape } from "./reduce.js";
import { contiguous, reshape, squeeze, transpose, unsafeView, unsqueeze } from "./shape.js";

/**
 * The product of two tensors of at least 2 dims, [..., m, k] · [..., k, n], with the batch dims
 * broadcast. Gradients: dA = dC · Bᵀ and dB = Aᵀ · dC, summed back over broadcast batch dims.
 */
function batchedMatmul(a: Tensor, b: Tensor): Tensor {
  const m = a.shape[a.ndim - 2]!;
  const k = a.shape[a.ndim - 1]!;
  const n = b.shape[b.ndim - 1]!;
  if (b.shape[b.ndim - 2] !== k) {
    const what = a.ndim === 2 && b.ndim === 2 ? "mat1 and mat2" : "batch1 and batch2";
    throw new ShapeError(`matmul: ${what} shapes cannot be multiplied (${shapeByX(a.shape)} and ${shapeByX(b.shape)})`);
  }
  const batchShape = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const aShape = [...batchShape, m, k];
  const bShape = [...batchShape, k, n];
  const device = checkSameDevice("matmul", a, b);
  const out = resultTensor([...batchShape, m, n], a.dtype, "matmul", device);
  const aStrides = broadcastStrides(a.shape, a.strides, aShape);
  const bStrides = broadcastStrides(b.shape, b.strides, bShape);
  if (device === "cpu") {
    backend().matmul({ a: viewWith(a, aShape, aStrides), b: viewWith(b, bShape, bStrides), out: out.storage.data, batchShape, m, k, n });
  } else {
    webgpuContext("matmul").matmul({ a: gpuViewWith(a, aShape, aStrides), b: gpuViewWith(b, bShape, bStrides), out: out.storage.gpu, batchShape, m, k, n });
  }
  const plain = a.ndim === 2 && b.ndim === 2;
  return recordOp(plain ? "MmBackward0" : "BmmBackward0", out, [a, b], (g) => [
    a.requiresGrad ? sumToShape(batchedMatmul(g, transpose(b, -1, -2)), a.shape) : null,
    !b.requiresGrad ? null : plain && storedTransposed(b) ? transpose(batchedMatmul(transpose(g, 0, 1), a), 0, 1) : sumToShape(batchedMatmul(transpose(a, -1, -2), g), b.shape),
  ], [...(a.requiresGrad ? [b] : []), ...(b.requiresGrad ? [a] : [])]);
}

/**
 * Whether a 2-D right operand is the transpose of a contiguous matrix (Linear's weightᵀ). Its
 * gradient is then computed transposed, (Gᵀ·A)ᵀ, so that it reaches the stored matrix contiguous
 * and is not copied through a strided transpose on the way (accumulating it into .grad).
 */
function storedTransposed(t: Tensor): boolean {
  return t.shape[0]! > 1 && t.shape[1]! > 1 && t.strides[0] === 1 && t.strides[1] === t.shape[0];
}

/**
 * PyTorch 1.13's should_fold: whether `t` (≥ 3 dims) times an operand of `otherDims` dims is one
 * 2-D product with t's batch dims folded into its rows, [..., m, k] → [(...)·m, k] (reshape: a
 * view, or a copy where the layout cannot be viewed so). Only beside a vector or a matrix, and
 * not for a 3-D t times a matrix whose last two dims are transposed in memory under a slowest
 * first dim (x.permute(0, 2, 1)): folding would copy it, which the batched product, reading each
 * matrix transposed in place, does not need. The fold makes the other operand's gradient one
 * product over all (...)·m rows rather than one a batch element and their sum.
 */
function shouldFold(t: Tensor, otherDims: number): boolean {
  if (t.ndim < 3 || otherDims > 2) return false;
  const innerTransposed = t.ndim === 3 && otherDims === 2 && t.strides[2] !== 1 && t.strides[0] === t.shape[1]! * t.shape[2]!;
  return !innerTransposed;
}

/** A 1-D or 2-D product: a vector is a row (left) or column (right) matrix, its dim removed from the result. */
function matrixProduct(a: Tensor, b: Tensor): Tensor {
  let out = batchedMatmul(a.ndim === 1 ? unsqueeze(a, 0) : a, b.ndim === 1 ? unsqueeze(b, 1) : b);
  if (b.ndim === 1) out = squeeze(out, -1);
  if (a.ndim === 1) out = squeeze(out, b.ndim === 1 ? 0 : -2);
  return out;
}

/** t [..., m, k] · other (1-D or 2-D) as one product of t folded to [(...)·m, k]. */
function foldedProduct(t: Tensor, other: Tensor): Tensor {
  const rows = t.shape.slice(0, -1);
  const folded = reshape(t, [rows.reduce((p, s) => p * s, 1), t.shape[t.ndim - 1]!]);
  return unsafeView(matrixProduct(folded, other), other.ndim === 2 ? [...rows, other.shape[1]!] : rows);
}

/**
 * PyTorch's matmul: 1-D·1-D is a dot product, a 1-D operand is treated as a row (left) or
 * column (right) vector and that dim removed from the result; an operand of ≥ 3 dims beside one
 * of ≤ 2 is folded into one 2-D product where PyTorch folds it (shouldFold; a 2-D·N-D product as
 * the transpose of Bᵀ·Aᵀ), otherwise the product is batched with broadcasting.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== b.dtype) {
    throw new DTypeError(`matmul: expected both operands to have the same dtype, but got ${a.dtype} and ${b.dtype}`);
  }
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(
      `matmul: both arguments need at least 1 dimension, but got ${a.ndim}D and ${b.ndim}D tensors`,
    );
  }
  if (a.ndim === 1 && b.ndim === 1 && a.shape[0] !== b.shape[0]) {
    throw new ShapeError(
      `matmul: inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements`,
    );
  }
  if (a.ndim <= 2 && b.ndim <= 2) return matrixProduct(a, b);
  if (shouldFold(a, b.ndim)) return foldedProduct(a, b);
  if (shouldFold(b, a.ndim)) {
    // A·B = (Bᵀ·Aᵀ)ᵀ with Bᵀ [..., n, k] folded; the result made contiguous, as PyTorch's is
    const out = foldedProduct(transpose(b, -1, -2), a.ndim === 2 ? transpose(a, 0, 1) : a);
    return a.ndim === 2 ? contiguous(transpose(out, -1, -2)) : out;
  }
  // both ≥ 2-D here: an operand of 1 dim beside one of ≥ 3 is always folded
  return batchedMatmul(a, b);
}
