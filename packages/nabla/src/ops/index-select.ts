/** indexSelect: the slices of `x` at the given indices along `dim` (PyTorch's index_select). */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, formatShape, ShapeError } from "../errors.js";
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { webgpuContext } from "../backend/device.js";
import { indexOn } from "../tensor/transfer.js";
import { blockOf } from "../nn/functional/reindex.js";
import { emptyTensor, fromTypedArray, resultTensor } from "./helpers.js";
import { checkIndexRange, scatterAdd } from "./indexing.js";
import { assignInto, contiguous, expand, reshape, select } from "./shape.js";

export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  if (index.dtype !== "int32") throw new DTypeError(`indexSelect: expected index to be an int32 tensor, got ${index.dtype} (make it with { dtype: "int32" } or index.int())`);
  if (index.ndim > 1) throw new ShapeError(`indexSelect: index must be 0-d or 1-d, got shape ${formatShape(index.shape)}`);
  const d = normalizeDim("indexSelect", dim, x.ndim);
  index = indexOn("indexSelect", index, x.storage.device);
  const size = x.shape[d]!;
  if (x.storage.device !== "cpu" && x.ndim > 0) {
    return selectAlong("indexSelect", x, d, index, (i) => new ShapeError(`indexSelect: index ${i} is out of range for dimension ${d} with size ${size}`));
  }
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

/**
 * index_select on the webgpu device (wgsl-index-select.ts): slices of x at a 1-d (or 0-d) int32
 * index along d, the index checked on the host where it has the values, else on the device
 * (`outOfRange` makes the error for a value outside [0, size)). Nothing is copied but x made
 * contiguous; the gradient adds each slice back with the indexAdd kernel. Embedding lookups are
 * this along dim 0 of the table.
 */
export function selectAlong(op: string, x: Tensor, d: number, index: Tensor, outOfRange: (value: number) => Error): Tensor {
  index = indexOn(op, index, x.storage.device);
  const size = x.shape[d]!;
  checkIndexRange(op, index, 0, size, outOfRange);
  const xc = contiguous(x.detach());
  const ic = contiguous(index.detach());
  const [outer, , inner] = blockOf(x.shape, d);
  const k = index.numel();
  const shape = x.shape.slice();
  shape[d] = k;
  const out = resultTensor(shape, x.dtype, op, x.storage.device);
  webgpuContext(op).indexSelect(xc.storage.gpu, xc.offset, ic.storage.gpu, ic.offset, outer, size, inner, k, out.storage.gpu);
  // the index is saved: its gradient reads it (and the ownership scopes must not free it first)
  return recordOp("IndexSelectBackward0", out, [x], (g) => [addAlong(g, d, ic, size)], [ic]);
}

/** Zeros with `size` along d and g's slices added at the index's positions (selectAlong's gradient; its own is selectAlong). */
function addAlong(g: Tensor, d: number, index: Tensor, size: number): Tensor {
  const gc = contiguous(g.detach());
  const [outer, k, inner] = blockOf(gc.shape, d);
  const shape = gc.shape.slice();
  shape[d] = size;
  const out = emptyTensor(shape, g.dtype, "IndexSelectBackward0", g.storage.device);
  webgpuContext("IndexSelectBackward0").indexAdd(gc.storage.gpu, gc.offset, index.storage.gpu, index.offset, outer, size, inner, k, out.storage.gpu);
  return recordOp("IndexAddBackward0", out, [g], (gg) => [selectAlong("IndexSelectBackward0", gg, d, index, (i) => new ShapeError(`index ${i} is out of range`))], [index]);
}
