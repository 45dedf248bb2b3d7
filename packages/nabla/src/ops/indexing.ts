/**
 * Picking and adding elements by index tensors along one dim: gather, and scatterAdd (its
 * gradient, and PyTorch's torch.scatter_add). As in PyTorch, the index may be smaller than the
 * input off `dim` (and than src everywhere): only the leading part of each dim takes part.
 */
import { backend } from "../backend/backend.js";
import { checkSameDevice, noGpuKernel, webgpuContext } from "../backend/device.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, formatShape, ShapeError } from "../errors.js";
import { normalizeDim } from "../tensor/shape.js";
import type { TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { indexOn, readValuesSync, syncReadRefusal } from "../tensor/transfer.js";
import { emptyTensor } from "./helpers.js";
import { ne, toDType } from "./elementwise.js";
import { assignInto, clone, contiguous, narrow, reshape, transpose } from "./shape.js";

/** Moves `dim` to the end and returns contiguous data with [outer, size] layout (from the buffer's start on the webgpu device, whose kernels take no offset). */
function lastAxis(t: Tensor, dim: number): Tensor {
  const c = contiguous(dim === t.ndim - 1 ? t : transpose(t, dim, t.ndim - 1));
  return c.offset === 0 || c.storage.device === "cpu" ? c : clone(c);
}

/**
 * An index's values on the host, for checking them. On the webgpu device an index moved there
 * from the host (and unchanged since) has them without a transfer back; one computed on the
 * device is read back synchronously (counted), where this thread can wait for the device (Node,
 * workers: readValuesSync); elsewhere (a browser's main thread) it cannot be checked.
 */
export function indexValues(op: string, index: Tensor): TypedArray {
  if (index.storage.device === "cpu") return index.toTypedArray();
  const mirror = index.storage.hostMirror();
  if (mirror !== null && index.isContiguous()) return mirror.subarray(index.offset, index.offset + index.numel());
  const refusal = syncReadRefusal(op);
  if (refusal !== null) {
    throw noGpuKernel(op, `for an index computed on the webgpu device (its values are checked on the host, which cannot wait for the device here: ${refusal})`);
  }
  return readValuesSync(index, op, "await index.toAsync(\"cpu\")");
}

/** The index's values where the host has them (a CPU tensor, or the unchanged host mirror of an uploaded one), else null. */
export function hostIndexValues(index: Tensor): TypedArray | null {
  if (index.storage.device === "cpu") return index.toTypedArray();
  const mirror = index.storage.hostMirror();
  if (mirror === null || !index.isContiguous()) return null;
  return mirror.subarray(index.offset, index.offset + index.numel());
}

/**
 * Checks that every value of `index` (int32) lies in [low, high), else throws `error(value)` for
 * the first that does not: on the host where it has the values (synchronously, as on the CPU);
 * else on the webgpu device, which reports a violation at the next read of any tensor, with the
 * same error (wgsl-index-check.ts; the failing op's result is then unspecified, as after CUDA's
 * device-side assert).
 */
export function checkIndexRange(op: string, index: Tensor, low: number, high: number, error: (value: number) => Error): void {
  const host = hostIndexValues(index);
  if (host !== null) {
    for (const i of host) if (i < low || i >= high) throw error(i);
    return;
  }
  const c = contiguous(index.detach());
  webgpuContext(op).checkIndices(c.storage.gpu, c.offset, c.numel(), low, high, (value) => {
    const e = error(value);
    e.message += " (found by the webgpu device, reported at the next read)";
    return e;
  });
}

/** The leading part of t with the sizes of `shape` in every dim but `skip` (a view). */
function leading(t: Tensor, shape: readonly number[], skip = -1): Tensor {
  let out = t;
  shape.forEach((s, d) => {
    if (d !== skip && s !== out.shape[d]) out = narrow(out, d, 0, s);
  });
  return out;
}

/**
 * Checks an index against PyTorch's rules for gather/scatter: int32, as many dims as the input,
 * no larger than it off `dim` (and no larger than src anywhere), every value in [0, size).
 */
export function checkIndex(op: string, x: Tensor, dim: number, index: Tensor, src?: Tensor, inBounds = false): number {
  if (index.dtype !== "int32") throw new DTypeError(`${op}: expected index to be an int32 tensor, got ${index.dtype} (make it with { dtype: "int32" } or index.int())`);
  const d = normalizeDim(op, dim, x.ndim);
  if (index.ndim !== x.ndim && !(index.numel() <= 1 && x.ndim <= 1 && index.ndim <= 1)) {
    throw new ShapeError(`${op}: index tensor must have the same number of dimensions as input tensor (index ${formatShape(index.shape)}, input ${formatShape(x.shape)})`);
  }
  const tooBig = index.shape.some((s, i) => i !== d && s > (x.shape[i] ?? 1));
  const srcTooSmall = src !== undefined && (src.ndim !== index.ndim || index.shape.some((s, i) => s > src.shape[i]!));
  if (tooBig || srcTooSmall) {
    throw new ShapeError(
      src === undefined
        ? `${op}: size does not match: expected index ${formatShape(index.shape)} to be smaller than self ${formatShape(x.shape)} apart from dimension ${d}`
        : `${op}: expected index ${formatShape(index.shape)} to be smaller than self ${formatShape(x.shape)} apart from dimension ${d} and to be smaller size than src ${formatShape(src.shape)}`,
    );
  }
  const size = x.shape[d] ?? 1;
  // the callers moved the index to x's device (indexOn): this guards that they did
  checkSameDevice(op, x, index);
  if (inBounds) return d;
  checkIndexRange(op, index, 0, size, (i) => new ShapeError(`${op}: index ${i} is out of bounds for dimension ${d} with size ${size}`));
  return d;
}

/** 0-d operands take part as 1-element vectors. */
const atLeast1d = (t: Tensor): Tensor => (t.ndim === 0 ? reshape(t, [1]) : t);

/** out[…, j, …] = x[…, index[…, j, …], …] along `dim`; the result has the index's shape. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  index = indexOn("gather", index, x.storage.device);
  const d = checkIndex("gather", x, dim, index);
  const xn = leading(atLeast1d(x.detach()), atLeast1d(index).shape, d);
  const xc = lastAxis(xn, d);
  const ic = lastAxis(atLeast1d(index), d);
  const inner = xn.shape[d]!;
  const k = ic.shape[ic.ndim - 1]!;
  const outMoved = emptyTensor(ic.shape, x.dtype, "gather", x.storage.device);
  const outer = k === 0 ? 0 : ic.numel() / k;
  if (outer > 0 && k > 0) {
    if (x.storage.device === "cpu") {
      backend().gather(xc.storage.data.subarray(xc.offset), ic.storage.data.subarray(ic.offset) as Int32Array, outer, inner, k, outMoved.storage.data);
    } else {
      webgpuContext("gather").gather(xc.storage.gpu, ic.storage.gpu, outer, inner, k, outMoved.storage.gpu);
    }
  }
  const moved = d === outMoved.ndim - 1 ? outMoved : transpose(outMoved, d, outMoved.ndim - 1);
  const out = reshape(moved, index.shape);
  const inputShape = x.shape;
  // d/dx gather = scatter-add of the gradient back to the picked positions (the index saved: the
  // backward reads it, and it must outlive the forward scope that may have made it)
  return recordOp("GatherBackward0", out, [x], (g) => [scatterAdd(emptyTensor(inputShape, g.dtype, "gather", g.storage.device), d, index, g)], [index]);
}

/**
 * A copy of `base` with src[…, j, …] added at base[…, index[…, j, …], …] along `dim`
 * (PyTorch's torch.scatter_add); only the part of src the size of index takes part.
 */
export function scatterAdd(base: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatterAddChecked(base, dim, index, src, false);
}

/**
 * scatterAdd of an index the library made and knows to be in bounds (an arg-reduction's places),
 * whose values are then not read on the host: on the webgpu device they could not be.
 */
export function scatterAddInBounds(base: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatterAddChecked(base, dim, index, src, true);
}

function scatterAddChecked(base: Tensor, dim: number, index: Tensor, src: Tensor, inBounds: boolean): Tensor {
  index = indexOn("scatterAdd", index, base.storage.device);
  const d = checkIndex("scatterAdd", base, dim, index, src, inBounds);
  if (src.dtype !== base.dtype) throw new DTypeError(`scatterAdd: expected self.dtype (${base.dtype}) to be equal to src.dtype (${src.dtype})`);
  checkSameDevice("scatterAdd", base, src);
  if (base.dtype === "bool" && base.storage.device === "cpu") {
    // PyTorch's sum of bools stored as bool is their "or": the CPU kernels add in the storage's
    // bytes (1 + 1 = 2, and 256 Trues wrap to 0), so add as int32 and compare with 0
    return ne(scatterAddChecked(toDType(base, "int32"), d, index, toDType(src, "int32"), true), 0);
  }
  const index1 = atLeast1d(index);
  const acc = clone(atLeast1d(base.detach()));
  // the part of the result the index reaches (all of it unless the index is smaller off dim)
  const part = leading(acc, index1.shape, d);
  // the kernel adds into [outer, size] rows: the result itself when dim is last and all of it is reached
  const inPlace = part === acc && d === acc.ndim - 1;
  const pc = inPlace ? acc : lastAxis(part, d).clone();
  const ic = lastAxis(index1, d);
  const sc = lastAxis(leading(atLeast1d(src.detach()), index1.shape), d);
  const inner = part.shape[d]!;
  const k = ic.shape[ic.ndim - 1]!;
  const outer = k === 0 ? 0 : ic.numel() / k;
  if (outer > 0 && k > 0) {
    if (base.storage.device === "cpu") {
      backend().scatterAdd(sc.storage.data.subarray(sc.offset), ic.storage.data.subarray(ic.offset) as Int32Array, outer, inner, k, pc.storage.data);
    } else {
      webgpuContext("scatterAdd").scatterAdd(sc.storage.gpu, ic.storage.gpu, outer, inner, k, pc.storage.gpu);
    }
    if (!inPlace) assignInto(part, d === pc.ndim - 1 ? pc : transpose(pc, d, pc.ndim - 1));
  }
  const out = reshape(acc, base.shape);
  // d/dbase = 1; d/dsrc picks the gradient back up at the positions it was added to (zero
  // where src lies outside the index)
  return recordOp("ScatterAddBackward0", out, [base, src], (g) => [
    base.requiresGrad ? g : null,
    src.requiresGrad ? padTo(gather(g, d, index), src.shape) : null,
  ], [index]);
}

/** g (the size of an index) padded with zeros to `shape` (src's, which may be larger). */
export function padTo(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.every((s, i) => s === shape[i])) return g;
  const full = emptyTensor(shape, g.dtype, "pad", g.storage.device);
  assignInto(leading(full, g.shape), g);
  return recordOp("PadBackward0", full, [g], (gg) => [leading(gg, g.shape)]);
}
