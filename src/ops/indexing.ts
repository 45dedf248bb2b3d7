/** Picking elements by index tensors: gather, and scatterAdd as its gradient. */
import { backend } from "../backend/backend.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, formatShape, ShapeError } from "../errors.js";
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { emptyTensor } from "./helpers.js";
import { contiguous, transpose } from "./shape.js";

/** Moves `dim` to the end and returns contiguous data with [outer, size] layout. */
function lastAxis(t: Tensor, dim: number): Tensor {
  return contiguous(dim === t.ndim - 1 ? t : transpose(t, dim, t.ndim - 1));
}

function checkIndex(op: string, x: Tensor, dim: number, index: Tensor): number {
  if (index.dtype !== "int32") throw new DTypeError(`${op}: expected index to be an int32 tensor, got ${index.dtype} (make it with { dtype: "int32" } or index.int())`);
  const d = normalizeDim(op, dim, x.ndim);
  if (index.ndim !== x.ndim || index.shape.some((s, i) => i !== d && s !== x.shape[i])) {
    throw new ShapeError(
      `${op}: index ${formatShape(index.shape)} must have the shape of input ${formatShape(x.shape)} except at dim ${d}`,
    );
  }
  const size = x.shape[d]!;
  const data = lastAxis(index, d);
  const idx = data.storage.data.subarray(data.offset, data.offset + data.numel());
  for (const i of idx) {
    if (i < 0 || i >= size) throw new ShapeError(`${op}: index ${i} is out of bounds for dimension ${d} with size ${size}`);
  }
  return d;
}

/** out[…, j, …] = x[…, index[…, j, …], …] along `dim`. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = checkIndex("gather", x, dim, index);
  const xc = lastAxis(x.detach(), d);
  const ic = lastAxis(index, d);
  const inner = x.shape[d]!;
  const k = index.shape[d]!;
  const outMoved = emptyTensor(ic.shape, x.dtype);
  const outer = inner === 0 ? 0 : xc.numel() / inner;
  backend().gather(
    xc.storage.data.subarray(xc.offset),
    ic.storage.data.subarray(ic.offset) as Int32Array,
    outer,
    inner,
    k,
    outMoved.storage.data,
  );
  const out = d === x.ndim - 1 ? outMoved : transpose(outMoved, d, x.ndim - 1);
  // d/dx gather = scatter-add of the gradient back to the picked positions
  return recordOp("GatherBackward0", out, [x], (g) => [scatterAdd(emptyTensor(x.shape, g.dtype), d, index, g)]);
}

/** Returns a copy of `base` with src added at the positions `index` names along `dim`. */
export function scatterAdd(base: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = checkIndex("scatterAdd", base, dim, index);
  const acc = lastAxis(base.detach(), d).clone();
  const ic = lastAxis(index, d);
  const sc = lastAxis(src.detach(), d);
  const inner = base.shape[d]!;
  backend().scatterAdd(
    sc.storage.data.subarray(sc.offset),
    ic.storage.data.subarray(ic.offset) as Int32Array,
    inner === 0 ? 0 : acc.numel() / inner,
    inner,
    index.shape[d]!,
    acc.storage.data,
  );
  const out = d === base.ndim - 1 ? acc : contiguous(transpose(acc, d, base.ndim - 1));
  // d/dbase = 1; d/dsrc picks the gradient back up at the positions it was added to
  return recordOp("ScatterAddBackward0", out, [base, src], (g) => [
    base.requiresGrad ? g : null,
    src.requiresGrad ? gather(g, d, index) : null,
  ]);
}
