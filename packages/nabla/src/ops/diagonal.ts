/**
 * Diagonals: `diagonal` (a view of the diagonal of two dims, with an offset), `diag` (a vector to
 * a square matrix, or a matrix's diagonal as a copy) and `diagEmbed` (the last dim placed on the
 * diagonal of two new dims). A diagonal of an n-dim tensor is one more strided view: the two dims
 * become one whose stride is the sum of theirs.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { formatShape, OptionError, ShapeError } from "../errors.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { emptyTensor } from "./helpers.js";
import { assignInto, clone, embedGrad } from "./shape.js";

function checkOffset(op: string, offset: number): void {
  if (!Number.isInteger(offset)) throw new OptionError(`${op}: offset must be an integer, got ${offset}`);
}

/** The diagonal view itself, unrecorded. */
function diagonalView(x: Tensor, offset: number, d1: number, d2: number): Tensor {
  const rows = x.shape[d1]!;
  const cols = x.shape[d2]!;
  // offset > 0 starts at column `offset`, offset < 0 at row −offset
  const length = Math.max(offset >= 0 ? Math.min(rows, cols - offset) : Math.min(rows + offset, cols), 0);
  const start = length === 0 ? x.offset : x.offset + (offset >= 0 ? offset * x.strides[d2]! : -offset * x.strides[d1]!);
  const keep = x.shape.map((_, i) => i).filter((i) => i !== d1 && i !== d2);
  return new Tensor(
    x.storage,
    [...keep.map((i) => x.shape[i]!), length],
    [...keep.map((i) => x.strides[i]!), x.strides[d1]! + x.strides[d2]!],
    start,
  );
}

/**
 * The elements x[…, i, …, i + offset, …] of dims dim1 and dim2, as a view whose last dim runs
 * along the diagonal (PyTorch's torch.diagonal): writing into it writes into x.
 */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  checkOffset("diagonal", offset);
  if (x.ndim < 2) throw new ShapeError(`diagonal: expected a tensor with at least 2 dimensions, got shape ${formatShape(x.shape)}`);
  const d1 = normalizeDim("diagonal", dim1, x.ndim);
  const d2 = normalizeDim("diagonal", dim2, x.ndim);
  if (d1 === d2) throw new ShapeError(`diagonal: diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  const shape = x.shape;
  // d/dx: the gradient written back onto the diagonal of zeros
  return recordOp("DiagonalBackward0", diagonalView(x, offset, d1, d2), [x], (g) => [
    embedGrad(g, shape, (full) => diagonal(full, offset, d1, d2), "DiagonalBackwardBackward0"),
  ]);
}

/**
 * The last dim of x put on the diagonal (with an offset) of dims dim1 and dim2 of a new tensor
 * that has one more dim, zeros elsewhere (PyTorch's torch.diag_embed).
 */
export function diagEmbed(x: Tensor, offset = 0, dim1 = -2, dim2 = -1): Tensor {
  checkOffset("diagEmbed", offset);
  if (x.ndim === 0) throw new ShapeError("diagEmbed: expected a tensor with at least 1 dimension, got a 0-d tensor");
  const ndim = x.ndim + 1;
  const d1 = normalizeDim("diagEmbed", dim1, ndim);
  const d2 = normalizeDim("diagEmbed", dim2, ndim);
  if (d1 === d2) throw new ShapeError(`diagEmbed: diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  const n = x.shape[x.ndim - 1]! + Math.abs(offset);
  const rest = x.shape.slice(0, -1);
  const shape: number[] = [];
  for (let i = 0, r = 0; i < ndim; i++) shape.push(i === d1 || i === d2 ? n : rest[r++]!);
  const out = emptyTensor(shape, x.dtype, "diagEmbed", x.storage.device);
  assignInto(diagonalView(out, offset, d1, d2), x);
  // d/dx: the diagonal of the gradient
  return recordOp("DiagEmbedBackward0", out, [x], (g) => [diagonal(g, offset, d1, d2)]);
}

/**
 * A 1-d x becomes the square matrix with x on its `diagonal`-th diagonal; a 2-d x gives a copy of
 * that diagonal (PyTorch's torch.diag).
 */
export function diag(x: Tensor, diagonalOffset = 0): Tensor {
  checkOffset("diag", diagonalOffset);
  if (x.ndim === 1) {
    const n = x.shape[0]! + Math.abs(diagonalOffset);
    const out = emptyTensor([n, n], x.dtype, "diag", x.storage.device);
    assignInto(diagonalView(out, diagonalOffset, 0, 1), x);
    return recordOp("DiagBackward0", out, [x], (g) => [diagonal(g, diagonalOffset, 0, 1)]);
  }
  if (x.ndim !== 2) throw new ShapeError(`diag: expected a 1-d or 2-d tensor, got shape ${formatShape(x.shape)}`);
  const out = noGrad(() => clone(diagonalView(x, diagonalOffset, 0, 1)));
  const shape = x.shape;
  return recordOp("DiagBackward0", out, [x], (g) => [
    embedGrad(g, shape, (full) => diagonal(full, diagonalOffset, 0, 1), "DiagBackwardBackward0"),
  ]);
}
