/**
 * View ops: new shapes and strides over the same storage, copying nothing (except `contiguous`
 * and `reshape` of a layout that cannot be viewed). Each records its gradient, which undoes it.
 */
import { backend } from "../backend/backend.js";
import { checkSameDevice, webgpuContext } from "../backend/device.js";
import { recordOp } from "../autograd/node.js";
import { formatShape, ShapeError } from "../errors.js";
import { broadcastStrides, contiguousStrides, normalizeDim, numelOf, shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { emptyTensor, gpuViewOf, gpuViewWith, resultTensor, viewOf, viewWith } from "./helpers.js";
import { sumToShape } from "./reduce.js";

function makeView(t: Tensor, shape: number[], strides: number[], offset = t.offset): Tensor {
  return new Tensor(t.storage, shape, strides, offset);
}

export function isContiguous(t: Tensor): boolean {
  let expected = 1;
  for (let i = t.ndim - 1; i >= 0; i--) {
    if (t.shape[i] !== 1 && t.strides[i] !== expected) return false;
    expected *= t.shape[i]!;
  }
  return true;
}

/** A contiguous copy of `t` (or `t` itself when it already is). */
export function contiguous(t: Tensor): Tensor {
  if (isContiguous(t)) return t;
  return clone(t);
}

/** A contiguous copy with its own storage; the gradient passes through unchanged. */
export function clone(t: Tensor): Tensor {
  const device = t.storage.device;
  const out = resultTensor(t.shape, t.dtype, "clone", device);
  if (device === "cpu") backend().copy(viewOf(t), out.storage.data);
  else gpuCopy("clone", t, out);
  return recordOp("CloneBackward0", out, [t], (g) => [g]);
}

/** Copies t into contiguous `out` on the webgpu device: a contiguous tensor bit for bit, a strided one through the assign kernel. */
function gpuCopy(op: string, t: Tensor, out: Tensor): void {
  const gpu = webgpuContext(op);
  if (isContiguous(t)) gpu.copyElements(t.storage.gpu, t.offset, out.storage.gpu, out.numel());
  else gpu.assign(gpuViewOf(out), gpuViewOf(t));
}

export function transpose(t: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim("transpose", dim0, t.ndim);
  const b = normalizeDim("transpose", dim1, t.ndim);
  if (t.ndim === 0) return t;
  const shape = t.shape.slice();
  const strides = t.strides.slice();
  [shape[a], shape[b]] = [shape[b]!, shape[a]!];
  [strides[a], strides[b]] = [strides[b]!, strides[a]!];
  return recordOp("TransposeBackward0", makeView(t, shape, strides), [t], (g) => [transpose(g, a, b)]);
}

export function permute(t: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== t.ndim) {
    throw new ShapeError(
      `permute: number of dims don't match in permute (input has ${t.ndim} dims, got ${dims.length}: ${formatShape(dims)})`,
    );
  }
  const order = dims.map((d) => normalizeDim("permute", d, t.ndim));
  if (new Set(order).size !== order.length) throw new ShapeError(`permute: repeated dim in ${formatShape(dims)}`);
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => (inverse[d] = i));
  const out = makeView(
    t,
    order.map((d) => t.shape[d]!),
    order.map((d) => t.strides[d]!),
  );
  return recordOp("PermuteBackward0", out, [t], (g) => [permute(g, inverse)]);
}

/** Writes `src` (broadcast to `dst`'s shape) into the strided view `dst`, in place. */
export function assignInto(dst: Tensor, src: Tensor): void {
  const strides = broadcastStrides(src.shape, src.strides, dst.shape);
  if (checkSameDevice("assign", dst, src) === "cpu") {
    backend().assign(viewOf(dst), viewWith(src, dst.shape, strides));
    return;
  }
  // the kernel converts src to dst's dtype, as the CPU backends' assign
  webgpuContext("assign").assign(gpuViewOf(dst), gpuViewWith(src, dst.shape, strides));
}

/**
 * The gradient of a view that picks part of its input: zeros, with g written where the part was.
 * Recorded as an op of g, whose own gradient is the same pick of the incoming one, so that a
 * backward run with createGraph stays differentiable through views.
 */
export function embedGrad(g: Tensor, inputShape: readonly number[], pick: (full: Tensor) => Tensor, name = "ViewBackwardBackward0"): Tensor {
  const full = emptyTensor(inputShape, g.dtype, name, g.storage.device);
  assignInto(pick(full), g);
  return recordOp(name, full, [g], (gg) => [pick(gg)]);
}

/** Elements start, start+step, … before end along `dim`, like Python's `x[:, start:end:step]`. */
export function slice(t: Tensor, dim: number, start = 0, end: number = Number.MAX_SAFE_INTEGER, step = 1): Tensor {
  const d = normalizeDim("slice", dim, t.ndim);
  if (!Number.isInteger(step) || step <= 0) throw new ShapeError(`slice: step must be a positive integer, got ${step}`);
  const size = t.shape[d]!;
  const clampIndex = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clampIndex(start);
  const e = Math.max(clampIndex(end), s);
  const shape = t.shape.slice();
  const strides = t.strides.slice();
  shape[d] = Math.ceil((e - s) / step);
  strides[d] = t.strides[d]! * step;
  const out = makeView(t, shape, strides, t.offset + s * t.strides[d]!);
  const inputShape = t.shape;
  return recordOp("SliceBackward0", out, [t], (g) => [embedGrad(g, inputShape, (full) => slice(full, d, s, e, step), "SliceBackwardBackward0")]);
}

export function narrow(t: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim("narrow", dim, t.ndim);
  const size = t.shape[d]!;
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(start) || s < 0 || s > size) {
    throw new ShapeError(`narrow: start (${start}) out of range for dimension ${d} of size ${size}`);
  }
  if (!Number.isInteger(length) || length < 0 || s + length > size) {
    throw new ShapeError(`narrow: start (${s}) + length (${length}) exceeds dimension size (${size})`);
  }
  return slice(t, d, s, s + length);
}

/** The sub-tensor at `index` along `dim`, with that dim removed (`x[i]` for dim 0). */
export function select(t: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim("select", dim, t.ndim);
  const size = t.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new ShapeError(`select: index ${index} out of range for dimension ${d} with size ${size}`);
  }
  const i = index < 0 ? index + size : index;
  const shape = t.shape.filter((_, k) => k !== d);
  const strides = t.strides.filter((_, k) => k !== d);
  const out = makeView(t, shape, strides, t.offset + i * t.strides[d]!);
  const inputShape = t.shape;
  return recordOp("SelectBackward0", out, [t], (g) => [embedGrad(g, inputShape, (full) => select(full, d, i), "SelectBackwardBackward0")]);
}

/** Repeats size-1 dims (and adds leading ones) without copying: stride 0. -1 keeps a size. */
export function expand(t: Tensor, sizes: readonly number[], op = "expand"): Tensor {
  if (sizes.length < t.ndim) {
    throw new ShapeError(
      `${op}: the number of sizes provided (${sizes.length}) must be greater or equal to the number of dimensions in the tensor (${t.ndim})`,
    );
  }
  const lead = sizes.length - t.ndim;
  const shape = sizes.map((s, i) => {
    const own = i >= lead ? t.shape[i - lead]! : undefined;
    if (s === -1) {
      if (own === undefined) throw new ShapeError(`${op}: -1 not allowed in a new leading dimension (sizes ${formatShape(sizes)})`);
      return own;
    }
    if (own !== undefined && own !== 1 && own !== s) {
      throw new ShapeError(
        `${op}: the expanded size of the tensor (${s}) must match the existing size (${own}) at non-singleton dimension ${i}. ` +
          `Target sizes: ${formatShape(sizes)}. Tensor sizes: ${formatShape(t.shape)}`,
      );
    }
    return s;
  });
  if (shapesEqual(shape, t.shape)) return t;
  const out = makeView(t, shape, broadcastStrides(t.shape, t.strides, shape));
  const inputShape = t.shape;
  return recordOp("ExpandBackward0", out, [t], (g) => [sumToShape(g, inputShape)]);
}

/** Resolves one -1 in a requested shape and checks the element count. */
function inferShape(op: string, shape: readonly number[], numel: number): number[] {
  const out = shape.slice();
  const unknown = out.indexOf(-1);
  if (out.some((s, i) => !Number.isInteger(s) || s < -1 || (s === -1 && i !== unknown))) {
    throw new ShapeError(`${op}: invalid shape ${formatShape(shape)}: only one dimension can be -1, the rest non-negative integers`);
  }
  if (unknown >= 0) {
    const known = out.reduce((p, s, i) => (i === unknown ? p : p * s), 1);
    if (known === 0 || numel % known !== 0) {
      throw new ShapeError(`${op}: shape '${formatShape(shape)}' is invalid for input of size ${numel}`);
    }
    out[unknown] = numel / known;
  }
  if (numelOf(out) !== numel) throw new ShapeError(`${op}: shape '${formatShape(shape)}' is invalid for input of size ${numel}`);
  return out;
}

/**
 * Strides that show old memory with a new shape, or null if some new dim would span two
 * non-contiguous chunks (PyTorch's computeStride).
 */
function viewStrides(oldShape: readonly number[], oldStrides: readonly number[], newShape: readonly number[]): number[] | null {
  if (numelOf(oldShape) === 0 || oldShape.length === 0) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBaseStride = oldStrides[oldStrides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
    tensorNumel *= oldShape[tensorD]!;
    if (tensorD === 0 || (oldShape[tensorD - 1] !== 1 && oldStrides[tensorD - 1] !== tensorNumel * chunkBaseStride)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (tensorD > 0) {
        chunkBaseStride = oldStrides[tensorD - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? newStrides : null;
}

function reshapeView(t: Tensor, shape: number[], strides: number[], name: string): Tensor {
  const inputShape = t.shape;
  return recordOp(name, makeView(t, shape, strides), [t], (g) => [reshape(g, inputShape)]);
}

/**
 * A view of `t` with another shape, recorded as PyTorch's _unsafe_view (UnsafeViewBackward0): how
 * matmul's folded product (ops/matmul.ts) gives its 2-D result the operands' batch dims.
 */
export function unsafeView(t: Tensor, shape: readonly number[]): Tensor {
  const strides = viewStrides(t.shape, t.strides, shape);
  if (strides === null) throw new ShapeError(`_unsafe_view: input ${formatShape(t.shape)}, strides ${formatShape(t.strides)} cannot be viewed as ${formatShape(shape)}`);
  return reshapeView(t, [...shape], strides, "UnsafeViewBackward0");
}

/** Same data, new shape; fails if the layout cannot be viewed that way (use reshape). */
export function view(t: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape("view", shape, t.numel());
  const strides = viewStrides(t.shape, t.strides, target);
  if (strides === null) {
    throw new ShapeError(
      `view: view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces); ` +
        `input ${formatShape(t.shape)}, strides ${formatShape(t.strides)}, requested ${formatShape(shape)}. Use reshape instead.`,
    );
  }
  return reshapeView(t, target, strides, "ViewBackward0");
}

/** A view when the layout allows it, otherwise a contiguous copy with the new shape. */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape("reshape", shape, t.numel());
  if (shapesEqual(target, t.shape)) return t;
  const strides = viewStrides(t.shape, t.strides, target);
  if (strides !== null) return reshapeView(t, target, strides, "ViewBackward0");
  const c = contiguous(t);
  return reshapeView(c, target, contiguousStrides(target), "UnsafeViewBackward0");
}

export function squeeze(t: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(t, t.shape.filter((s) => s !== 1));
  const d = normalizeDim("squeeze", dim, t.ndim);
  if (t.ndim === 0 || t.shape[d] !== 1) return t;
  return reshape(t, t.shape.filter((_, i) => i !== d));
}

export function unsqueeze(t: Tensor, dim: number): Tensor {
  const d = normalizeDim("unsqueeze", dim, t.ndim + 1);
  const shape = t.shape.slice();
  const strides = t.strides.slice();
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < t.ndim ? t.strides[d]! * t.shape[d]! : 1);
  return reshapeView(t, shape, strides, "UnsqueezeBackward0");
}

export function flatten(t: Tensor, startDim = 0, endDim = -1): Tensor {
  if (t.ndim === 0) return reshape(t, [1]);
  const s = normalizeDim("flatten", startDim, t.ndim);
  const e = normalizeDim("flatten", endDim, t.ndim);
  if (s > e) throw new ShapeError(`flatten: start_dim (${startDim}) cannot come after end_dim (${endDim})`);
  const merged = t.shape.slice(s, e + 1).reduce((p, x) => p * x, 1);
  return reshape(t, [...t.shape.slice(0, s), merged, ...t.shape.slice(e + 1)]);
}
