/** indexSelect: the slices of `x` at the given indices along `dim` (PyTorch's index_select). */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, formatShape, ShapeError } from "../errors.js";
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { emptyTensor, fromTypedArray } from "./helpers.js";
import { scatterAdd } from "./indexing.js";
import { assignInto, contiguous, expand, reshape, select } from "./shape.js";

export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  if (index.dtype !== "int32") throw new DTypeError(`indexSelect: expected index to be an int32 tensor, got ${index.dtype} (make it with { dtype: "int32" } or index.int())`);
  if (index.ndim > 1) throw new ShapeError(`indexSelect: index must be 0-d or 1-d, got shape ${formatShape(index.shape)}`);
  const d = normalizeDim("indexSelect", dim, x.ndim);
  const size = x.shape[d]!;
  const picks = Array.from(index.toTypedArray());
  for (const i of picks) {
    if (i < 0 || i >= size) throw new ShapeError(`indexSelect: index ${i} is out of range for dimension ${d} with size ${size}`);
  }
  const shape = x.shape.slice();
  shape[d] = picks.length;
  const out = emptyTensor(shape, x.dtype);
  noGrad(() => picks.forEach((i, j) => assignInto(select(out, d, j), select(x, d, i))));
  // d/dx: each output slice's gradient is added back to the slice it was taken from
  // d/dx: each output slice's gradient is added back to the slice it was taken from — the
  // scatterAdd op, whose own gradient reaches g, so a recorded backward (createGraph) works too
  return recordOp("IndexSelectBackward0", out, [x], (g) => {
    const at = x.shape.map((_, i) => (i === d ? picks.length : 1));
    const positions = contiguous(expand(reshape(fromTypedArray(picks, [picks.length], "int32"), at), g.shape));
    return [scatterAdd(emptyTensor(x.shape, g.dtype, "indexSelect", g.storage.device), d, positions, g)];
  });
}
