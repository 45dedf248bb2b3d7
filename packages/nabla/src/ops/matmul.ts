/** Matrix products: matmul with PyTorch's 1-D, 2-D and broadcast-batched rules. */
import { backend } from "../backend/backend.js";
import { checkSameDevice, webgpuContext } from "../backend/device.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, ShapeError } from "../errors.js";
import { broadcastShapes, broadcastStrides, shapeByX } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { gpuViewWith, resultTensor, viewWith } from "./helpers.js";
import { sumToShape } from "./reduce.js";
import { squeeze, transpose, unsqueeze } from "./shape.js";

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
 * PyTorch's matmul: 1-D·1-D is a dot product, a 1-D operand is treated as a row (left) or
 * column (right) vector and that dim removed from the result, otherwise batched with broadcasting.
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
  const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueeze(b, 1) : b;
  let out = batchedMatmul(a2, b2);
  if (b.ndim === 1) out = squeeze(out, -1);
  if (a.ndim === 1) out = squeeze(out, a.ndim === 1 && b.ndim === 1 ? 0 : -2);
  return out;
}
