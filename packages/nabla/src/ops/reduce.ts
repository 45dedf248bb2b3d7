/** Reductions over dims (sum, mean, max/min, arg-extrema, var/std, logsumexp) and their gradients. */
import { backend, type ReduceOp } from "../backend/backend.js";
import { webgpuContext } from "../backend/device.js";
import { storageDType } from "../tensor/storage.js";
import type { GpuArray } from "../backend/webgpu/pool.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, ShapeError } from "../errors.js";
import { isFloating, type DType, type TypedArray } from "../tensor/dtype.js";
import { contiguousStrides, normalizeDims, shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { div, eq, exp, maximum, minimum, mul, sqrt, sub, toDType } from "./elementwise.js";
import { checkOptions } from "./options.js";
import { contiguousData, emptyTensor, gpuViewOf, resultTensor } from "./helpers.js";
import { int32Exact } from "./int32-exact.js";
import { scatterAddInBounds } from "./indexing.js";
import { expand, reshape } from "./shape.js";
import { ValuesIndices } from "./values-indices.js";

export interface ReduceOptions {
  /** Keep reduced dims as size 1 (PyTorch's keepdim). */
  keepdim?: boolean;
}

/** sum's and mean's options: keepdim, and the dtype the input is cast to first (PyTorch's `dtype=`). */
export interface SumOptions extends ReduceOptions {
  dtype?: DType;
}

export type Dims = number | readonly number[];

/**
 * keepdim from `x.sum(1, true)` or `x.sum(1, { keepdim: true })`; an option the reduction does not
 * read (`keepDim`, PyTorch's `dtype` where it has none) is a TypeError naming `op`, not ignored.
 */
export function keepdimOf(options: ReduceOptions | boolean, op: string, keys: readonly string[] = ["keepdim"]): boolean {
  if (typeof options === "boolean") return options;
  checkOptions(op, options, keys);
  return options.keepdim ?? false;
}

interface Layout {
  /** The input's data with kept dims first and reduced dims last, contiguous (valid until release()); on the CPU. */
  data: TypedArray;
  /** The same on the webgpu device (then `data` is empty). */
  gpu: GpuArray | null;
  /** Gives back the copy, if one was made, once the kernel has read it. */
  release(): void;
  outer: number;
  inner: number;
  /** Output shape without and with the reduced dims kept as 1. */
  shape: number[];
  keepdimShape: number[];
}

const EMPTY = new Float32Array(0);

/** Moves the reduced dims to the end and makes the data contiguous, so kernels see [outer, inner]. */
function layoutFor(op: string, x: Tensor, dim: Dims | undefined): Layout {
  const dims = normalizeDims(op, dim, x.ndim);
  const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const order = [...kept, ...dims];
  const shape = order.map((d) => x.shape[d]!);
  const strides = order.map((d) => x.strides[d]!);
  // already in that order (reducing trailing dims of a contiguous tensor): the kernel reads it in place
  const inPlace = x.isContiguous() && order.every((d, i) => d === i);
  let data: TypedArray = EMPTY;
  let gpu: GpuArray | null = null;
  let release: () => void;
  if (x.storage.device === "cpu") {
    data = inPlace ? contiguousData(x) : backend().alloc(x.dtype, x.numel(), false, op, false);
    if (!inPlace) backend().copy({ data: x.storage.data, shape, strides, offset: x.offset }, data);
    release = () => {
      if (!inPlace) backend().release?.(data);
    };
  } else {
    const context = webgpuContext(op);
    const direct = inPlace && x.offset === 0;
    gpu = direct ? x.storage.gpu : context.alloc(x.numel(), op, storageDType(op, x.dtype));
    if (!direct) context.assign({ data: gpu, shape, strides: contiguousStrides(shape), offset: 0 }, { ...gpuViewOf(x), shape, strides });
    const taken = gpu;
    release = () => {
      if (!direct) context.release(taken);
    };
  }
  const inner = dims.reduce((p, d) => p * x.shape[d]!, 1);
  return {
    data,
    gpu,
    release,
    outer: inner === 0 ? kept.reduce((p, d) => p * x.shape[d]!, 1) : x.numel() / inner,
    inner,
    shape: kept.map((d) => x.shape[d]!),
    keepdimShape: x.shape.map((s, i) => (dims.includes(i) ? 1 : s)),
  };
}

/** Runs a ReduceOp kernel over dims; the layout tells the caller how to spread a gradient back. @internal for the reductions in src/ops. */
export function reduceWith(op: string, kernel: ReduceOp, x: Tensor, dim: Dims | undefined, keepdim: boolean, dtype: DType) {
  const layout = layoutFor(op, x, dim);
  const out = resultTensor(keepdim ? layout.keepdimShape : layout.shape, dtype, op, x.storage.device);
  if (layout.gpu === null) backend().reduce(kernel, layout.data, layout.outer, layout.inner, out.storage.data);
  else webgpuContext(op).reduce(kernel, layout.gpu, layout.outer, layout.inner, out.storage.gpu);
  layout.release();
  return { out, layout };
}

/** Spreads a reduced gradient back over the input's shape. */
function expandBack(g: Tensor, layout: Layout, inputShape: readonly number[]): Tensor {
  return expand(reshape(g, layout.keepdimShape), inputShape);
}

/**
 * [a, b) when the sorted `dims` are the leading dims 0…a−1 (a ≥ 1) and the trailing dims b…n−1
 * (b < n) with kept dims between (batch norm's [0, 2, 3] of [N, C, H, W]), else null.
 */
function leadAndTrail(dims: readonly number[], n: number): [number, number] | null {
  let a = 0;
  while (a < dims.length && dims[a] === a) a++;
  const b = a < dims.length ? dims[a]! : n;
  if (a === 0 || b === n || b === a || dims.length - a !== n - b) return null;
  for (let i = a; i < dims.length; i++) if (dims[i] !== b + i - a) return null;
  return [a, b];
}

/**
 * Σ of contiguous x over its leading dims [0, a) and trailing dims [b, n): the trailing ones
 * first, as rows of x in place, then the leading ones over those sums, instead of one reduction
 * over both, which copies x with the kept dims first (layoutFor); the per-channel sums of a batch
 * norm over [N, C, H, W] read x once. No graph: the caller records the sum.
 */
function sumLeadAndTrail(x: Tensor, [a, b]: [number, number], keepdim: boolean): Tensor {
  const size = (from: number, to: number) => x.shape.slice(from, to).reduce((p, s) => p * s, 1);
  const [lead, kept, trail] = [size(0, a), size(a, b), size(b, x.ndim)];
  const rows = reduceWith("sum", "sum", new Tensor(x.storage, [lead * kept, trail], [trail, 1], x.offset), [1], false, x.dtype).out;
  const sums = lead === 1 ? rows
    : kept >= MIN_COLUMNS ? sumLeadingRows(rows, lead, kept)
      : reduceWith("sum", "sum", new Tensor(rows.storage, [lead, kept], [kept, 1], 0), [0], false, x.dtype).out;
  const shape = keepdim ? x.shape.map((s, i) => (i < a || i >= b ? 1 : s)) : x.shape.slice(a, b);
  return new Tensor(sums.storage, shape, contiguousStrides(shape), 0);
}

/** Below this many columns the transposed copy and row sums cost no more than the column sums. */
const MIN_COLUMNS = 32;

const ONE: Partial<Record<DType, TypedArray>> = { float32: new Float32Array([1]), float64: new Float64Array([1]) };

/**
 * Σ over the rows of contiguous [R, C] as one product 1ᵀ·X (the backend's matmul with a broadcast
 * row of ones, summing each column in row order): where the reduced dims lead (a bias gradient
 * from [N, C], every recurrent step's), this reads the data in place instead of copying it
 * transposed to sum rows (layoutFor). No graph: the caller records the sum.
 */
function sumLeadingRows(x: Tensor, R: number, C: number): Tensor {
  const out = resultTensor([C], x.dtype, "sum");
  const one = ONE[x.dtype]!;
  backend().matmul({
    a: { data: one, shape: [1, R], strides: [0, 0], offset: 0 },
    b: { data: x.storage.data, shape: [R, C], strides: [C, 1], offset: x.offset },
    out: out.storage.data,
    batchShape: [],
    m: 1,
    k: R,
    n: C,
  });
  return out;
}

export function sum(x: Tensor, dim?: Dims | SumOptions, options: SumOptions | boolean = {}): Tensor {
  if (typeof dim === "object" && !Array.isArray(dim)) [dim, options] = [undefined, dim as SumOptions]; // x.sum({ dtype })
  const keepdim = keepdimOf(options, "sum", ["keepdim", "dtype"]);
  const cast = typeof options === "object" ? options.dtype : undefined;
  if (cast !== undefined && cast !== x.dtype) return sum(toDType(x, cast), dim, keepdim);
  // int32 values would wrap where PyTorch's int64 does not (a bool sum cannot overflow)
  if (x.dtype === "int32" && x.storage.device === "cpu") return int32Exact("sum", x, (wide) => sum(wide, dim as Dims | undefined, keepdim));
  const dtype = isFloating(x.dtype) ? x.dtype : "int32";
  const dims = dim === undefined ? null : normalizeDims("sum", dim, x.ndim);
  const lead = dims === null ? 0 : dims.length;
  if (x.storage.device === "cpu" && dims !== null && lead < x.ndim && isFloating(x.dtype) && dims.every((d, i) => d === i) && x.isContiguous()) {
    const R = x.shape.slice(0, lead).reduce((p, s) => p * s, 1);
    const C = x.numel() / Math.max(R, 1);
    if (R >= 2 && C >= MIN_COLUMNS && (x.dtype === "float32" || x.dtype === "float64")) {
      const keptShape = x.shape.slice(lead);
      const keepdimShape = x.shape.map((s, i) => (i < lead ? 1 : s));
      const out = reshape(sumLeadingRows(x, R, C), keepdim ? keepdimShape : keptShape);
      return recordOp("SumBackward1", out, [x], (g) => [expand(reshape(g, keepdimShape), x.shape)]);
    }
  }
  const split = dims === null ? null : leadAndTrail(dims, x.ndim);
  if (split !== null && x.storage.device === "cpu" && (x.dtype === "float32" || x.dtype === "float64") && x.isContiguous()) {
    const out = sumLeadAndTrail(x, split, keepdim);
    const keepdimShape = x.shape.map((s, i) => (i < split[0] || i >= split[1] ? 1 : s));
    return recordOp("SumBackward1", out, [x], (g) => [expand(reshape(g, keepdimShape), x.shape)]);
  }
  const { out, layout } = reduceWith("sum", "sum", x, dim, keepdim, dtype);
  // d/dx Σx = 1 for every element that was summed
  return recordOp(dim === undefined ? "SumBackward0" : "SumBackward1", out, [x], (g) => [expandBack(g, layout, x.shape)]);
}

export function mean(x: Tensor, dim?: Dims | SumOptions, options: SumOptions | boolean = {}): Tensor {
  if (typeof dim === "object" && !Array.isArray(dim)) [dim, options] = [undefined, dim as SumOptions]; // x.mean({ dtype })
  const keepdim = keepdimOf(options, "mean", ["keepdim", "dtype"]);
  const cast = typeof options === "object" ? options.dtype : undefined;
  if (cast !== undefined && cast !== x.dtype) return mean(toDType(x, cast), dim, keepdim);
  if (!isFloating(x.dtype)) {
    throw new DTypeError(`mean: could not infer output dtype. Input dtype must be a floating point dtype, got ${x.dtype}`);
  }
  const count = normalizeDims("mean", dim, x.ndim).reduce((p, d) => p * x.shape[d]!, 1);
  return div(sum(x, dim, keepdim), count);
}

/** Sums a broadcast gradient back to `shape`: over added leading dims and dims that were 1. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  return reshape(sum(g, dims, true), shape);
}

export { ValuesIndices };

function argExtremum(op: "max" | "min", x: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  if (x.numel() === 0) throw new ShapeError(`${op}: cannot reduce an empty tensor along dim ${dim}`);
  const layout = layoutFor(op, x, dim);
  const shape = keepdim ? layout.keepdimShape : layout.shape;
  const device = x.storage.device;
  const values = resultTensor(shape, x.dtype, op, device);
  const indices = resultTensor(shape, "int32", op, device);
  if (layout.gpu === null) backend().argReduce(op, layout.data, layout.outer, layout.inner, values.storage.data, indices.storage.data as Int32Array);
  else webgpuContext(op).argReduce(op, layout.gpu, layout.outer, layout.inner, values.storage.gpu, indices.storage.gpu);
  layout.release();
  const d = normalizeDims(op, dim, x.ndim)[0]!;
  // The gradient goes to the element that was picked (the first, on ties).
  recordOp(op === "max" ? "MaxBackward0" : "MinBackward0", values, [x], (g) => {
    // the scatterAdd op: its own gradient reaches g, so a recorded backward (createGraph) works too
    return [scatterAddInBounds(emptyTensor(x.shape, g.dtype, op, g.storage.device), d, reshape(indices, layout.keepdimShape), reshape(g, layout.keepdimShape))];
  });
  return new ValuesIndices(values, indices);
}

/** The largest value overall; the gradient is shared evenly among ties (PyTorch's rule). */
function fullExtremum(op: "max" | "min", x: Tensor): Tensor {
  if (x.numel() === 0) {
    throw new ShapeError(`${op}: expected a non-empty tensor; reduction over an empty tensor has no identity`);
  }
  const { out } = reduceWith(op, op, x, undefined, false, x.dtype);
  return recordOp(op === "max" ? "MaxBackward1" : "MinBackward1", out, [x], (g) => {
    const mask = eq(x, out);
    return [div(mul(g, mask), sum(mask))];
  });
}

export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, options?: ReduceOptions | boolean): ValuesIndices;
/** torch.max(input, other): the elementwise maximum. */
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, dim?: number | Tensor, options: ReduceOptions | boolean = {}): Tensor | ValuesIndices {
  if (dim instanceof Tensor) return maximum(x, dim);
  const keepdim = keepdimOf(options, "max");
  return dim === undefined ? fullExtremum("max", x) : argExtremum("max", x, dim, keepdim);
}

export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, options?: ReduceOptions | boolean): ValuesIndices;
/** torch.min(input, other): the elementwise minimum. */
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, dim?: number | Tensor, options: ReduceOptions | boolean = {}): Tensor | ValuesIndices {
  if (dim instanceof Tensor) return minimum(x, dim);
  const keepdim = keepdimOf(options, "min");
  return dim === undefined ? fullExtremum("min", x) : argExtremum("min", x, dim, keepdim);
}

/** Index of the largest value along `dim` (of the flattened tensor without one); int32. */
export function argmax(x: Tensor, dim?: number, options: ReduceOptions | boolean = {}): Tensor {
  const keepdim = keepdimOf(options, "argmax");
  if (dim === undefined) return argExtremum("max", reshape(x, [-1]), 0, false).indices;
  return argExtremum("max", x, dim, keepdim).indices;
}

export function argmin(x: Tensor, dim?: number, options: ReduceOptions | boolean = {}): Tensor {
  const keepdim = keepdimOf(options, "argmin");
  if (dim === undefined) return argExtremum("min", reshape(x, [-1]), 0, false).indices;
  return argExtremum("min", x, dim, keepdim).indices;
}

export interface VarOptions extends ReduceOptions {
  /** Subtracted from the count in the denominator: 1 (default) is Bessel's correction, 0 the population variance. */
  correction?: number;
  /** PyTorch's older spelling: unbiased = true means correction 1, false means 0. */
  unbiased?: boolean;
}

/** Σ(x − mean)² / (N − correction), computed in two passes for accuracy. */
export function variance(x: Tensor, dim?: Dims, options: VarOptions | boolean = {}, keepdimArg?: boolean): Tensor {
  // PyTorch's positional form var(input, dim, unbiased, keepdim)
  if (typeof options === "boolean") options = { unbiased: options, keepdim: keepdimArg };
  else if (keepdimArg !== undefined) throw new TypeError("var: keepdim given positionally after an options object; put it in the object");
  checkOptions("var", options, ["keepdim", "correction", "unbiased"]);
  const { keepdim = false, correction, unbiased } = options;
  if (!isFloating(x.dtype)) throw new DTypeError(`var: expected a floating point input, got ${x.dtype}`);
  const c = correction ?? (unbiased === false ? 0 : 1);
  const count = normalizeDims("var", dim, x.ndim).reduce((p, d) => p * x.shape[d]!, 1);
  const centered = sub(x, mean(x, dim, { keepdim: true }));
  return div(sum(mul(centered, centered), dim, { keepdim }), Math.max(count - c, 0));
}

export function std(x: Tensor, dim?: Dims, options: VarOptions | boolean = {}, keepdim?: boolean): Tensor {
  return sqrt(variance(x, dim, options, keepdim));
}

/** log Σ exp(x) along dim, shifted by the maximum so that it never overflows. */
export function logsumexp(x: Tensor, dim: Dims, options: ReduceOptions | boolean = {}): Tensor {
  const keepdim = keepdimOf(options, "logsumexp");
  if (!isFloating(x.dtype)) throw new DTypeError(`logsumexp: expected a floating point input, got ${x.dtype}`);
  const { out, layout } = reduceWith("logsumexp", "logsumexp", x, dim, keepdim, x.dtype);
  // d/dx logΣeˣ = softmax(x) = exp(x − out)
  return recordOp("LogsumexpBackward0", out, [x], (g) => {
    const o = reshape(out, layout.keepdimShape);
    return [mul(expandBack(g, layout, x.shape), exp(sub(x, o)))];
  });
}

