/**
 * Triangular parts of (batches of) matrices: tril keeps x[i, j] with j − i ≤ diagonal, triu those
 * with j − i ≥ diagonal, and zeros the rest. Both are linear masks, so the gradient is the same
 * triangle of the incoming gradient.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { formatShape, OptionError, ShapeError } from "../errors.js";
import type { TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { clone } from "./shape.js";
import { webgpuContext } from "../backend/device.js";

/**
 * Kernel: zeros, in place, the elements of each rows×cols matrix of `data` (contiguous, `batch`
 * matrices) outside the triangle: above the diagonal-th diagonal for lower, below it for upper.
 */
export function zeroOutsideTriangle(data: TypedArray, batch: number, rows: number, cols: number, diagonal: number, lower: boolean): void {
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < rows; i++) {
      const row = (b * rows + i) * cols;
      // lower keeps j ≤ i + diagonal, upper keeps j ≥ i + diagonal
      const from = lower ? Math.max(i + diagonal + 1, 0) : 0;
      const to = lower ? cols : Math.min(Math.max(i + diagonal, 0), cols);
      if (from < to) data.fill(0, row + from, row + to);
    }
  }
}

function triangle(op: "tril" | "triu", x: Tensor, diagonal: number): Tensor {
  if (!Number.isInteger(diagonal)) throw new OptionError(`${op}: diagonal must be an integer, got ${diagonal}`);
  if (x.ndim < 2) throw new ShapeError(`${op}: input tensor must have at least 2 dimensions, got shape ${formatShape(x.shape)}`);
  const out = noGrad(() => clone(x));
  const rows = x.shape[x.ndim - 2]!;
  const cols = x.shape[x.ndim - 1]!;
  const batch = rows * cols === 0 ? 0 : x.numel() / (rows * cols);
  if (out.storage.device === "cpu") zeroOutsideTriangle(out.storage.data, batch, rows, cols, diagonal, op === "tril");
  else webgpuContext(op).triangle(out.storage.gpu, batch, rows, cols, diagonal, op === "tril");
  // the mask is linear: the gradient keeps the same triangle
  return recordOp(op === "tril" ? "TrilBackward0" : "TriuBackward0", out, [x], (g) => [triangle(op, g, diagonal)]);
}

/** The lower triangle of the last two dims: x[i, j] where j − i ≤ diagonal, else 0 (PyTorch's torch.tril). */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle("tril", x, diagonal);
}

/** The upper triangle of the last two dims: x[i, j] where j − i ≥ diagonal, else 0 (PyTorch's torch.triu). */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle("triu", x, diagonal);
}
