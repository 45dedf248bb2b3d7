/**
 * Ops driven by a bool mask: maskedFill (a value where the mask is true) and maskedSelect (the
 * elements where it is true, as a 1-d tensor). The mask broadcasts with the input, as in PyTorch.
 */
import { recordOp } from "../autograd/node.js";
import { noGrad } from "../autograd/grad-mode.js";
import { DTypeError, ShapeError } from "../errors.js";
import { broadcastShapes, numelOf } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { indexOn } from "../tensor/transfer.js";
import { toDType, where } from "./elementwise.js";
import { scalarTensor } from "./helpers.js";
import { indexSelect } from "./index-select.js";
import { nonzeroRowsOnDevice } from "./nonzero.js";
import { outerIndex } from "./outer-index.js";
import { sum, sumToShape } from "./reduce.js";
import { contiguous, expand, reshape } from "./shape.js";

function checkMask(op: string, mask: Tensor): void {
  if (!(mask instanceof Tensor)) throw new TypeError(`${op}: expected mask to be a Tensor, got ${typeof mask}`);
  if (mask.dtype !== "bool") throw new DTypeError(`${op}: expected mask to be a bool tensor, got ${mask.dtype} (make it with a comparison, e.g. x.gt(0))`);
}

/**
 * x with `value` where mask is true (PyTorch's masked_fill); value is a number or a 0-d tensor
 * (cast to x's dtype), the result has the broadcast shape of x and mask.
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  checkMask("maskedFill", mask);
  if (value instanceof Tensor && value.ndim !== 0) {
    throw new ShapeError(`maskedFill: only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s)`);
  }
  const fill = value instanceof Tensor ? toDType(value, x.dtype) : scalarTensor(Number(value), x.dtype, x.storage.device);
  broadcastShapes("maskedFill", x.shape, mask.shape);
  const out = noGrad(() => where(mask, fill, x));
  // d/dx = 1 where the mask is false; d/dvalue = Σ of the gradient where it is true
  const inputShape = x.shape;
  return recordOp(value instanceof Tensor ? "MaskedFillBackward1" : "MaskedFillBackward0", out, [x, fill], (g) => [
    x.requiresGrad ? sumToShape(where(mask, 0, g), inputShape) : null,
    fill.requiresGrad ? sum(where(mask, g, 0)) : null,
  ], [mask]);
}

/** Kernel: the flat positions (row-major) of the nonzero entries of `data`. */
export function nonzeroPositions(data: ArrayLike<number>): Int32Array {
  let count = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) count++;
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < data.length; i++) if (data[i] !== 0) out[k++] = i;
  return out;
}

/**
 * The elements of x where mask is true, in row-major order, as a 1-d tensor (PyTorch's
 * masked_select); x and mask broadcast together first.
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  checkMask("maskedSelect", mask);
  const shape = broadcastShapes("maskedSelect", x.shape, mask.shape);
  // the mask picks, as an index does: it follows x's device (a bool mask made on the default
  // device beside float64 data, which stays on the CPU)
  mask = indexOn("maskedSelect", mask, x.storage.device);
  if (x.storage.device !== "cpu") {
    // on the device: the mask's flat positions (one count read back), then an index-select (its
    // gradient adds back where each element was read)
    const positions = reshape(nonzeroRowsOnDevice("maskedSelect", contiguous(expand(mask, shape)), [numelOf(shape)]), [-1]);
    return indexSelect(reshape(contiguous(expand(x, shape)), [-1]), 0, positions);
  }
  const positions = nonzeroPositions(contiguous(expand(mask, shape)).toTypedArray());
  const flat = reshape(contiguous(expand(x, shape)), [-1]);
  // reading flat positions is outer indexing of the flattened input: its gradient scatters back
  return outerIndex("MaskedSelectBackward0", flat, [positions]);
}
