/**
 * Scattering along one dim: `scatter` writes src (or a value) at out[…, index[p], …] for every
 * position p of the index (PyTorch's torch.scatter, with reduce "add" / "multiply"), and
 * `scatterReduce` combines everything scattered to one place by sum, prod, mean, amax or amin,
 * with or without the original value (includeSelf). scatterAdd lives in indexing.ts, beside
 * gather, its gradient. Gradients follow PyTorch 1.13's derivatives.yaml / FunctionsManual.cpp
 * (scatter_reduce_backward): ties of amax/amin share the gradient evenly, prod divides the
 * product by each factor, treating zeros apart.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { checkSameDevice, webgpuContext } from "../backend/device.js";
import type { GpuStridedView } from "../backend/webgpu/context.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, OptionError } from "../errors.js";
import { isFloating, type TypedArray } from "../tensor/dtype.js";
import { contiguousStrides } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { indexOn } from "../tensor/transfer.js";
import { div, eq, logicalAnd, maximum, mul, toDType, where } from "./elementwise.js";
import { contiguousData, emptyTensor, filledTensor, scalarTensor } from "./helpers.js";
import { callPointwise } from "./pointwise/call.js";
import { floor as floorOp } from "./pointwise/declarations/math.js";
import { checkIndex, gather, padTo, scatterAdd } from "./indexing.js";
import { maskedFill } from "./masked.js";
import { clone, contiguous, expand, narrow } from "./shape.js";
import { checkOptions, optionKeys } from "./options.js";

export type ScatterReduce = "sum" | "prod" | "mean" | "amax" | "amin";
type Combine = "assign" | "add" | "multiply" | "amax" | "amin";

/**
 * Kernel: for every position p of the index (row-major), calls visit(target, source) with the
 * offset of p (p[dim] replaced by index[p]) in a contiguous tensor with `targetStrides` and the
 * offset of p in one with `sourceStrides`.
 */
export function forEachScattered(
  index: Int32Array,
  indexShape: readonly number[],
  dim: number,
  targetStrides: readonly number[],
  sourceStrides: readonly number[],
  visit: (target: number, source: number) => void,
): void {
  const n = indexShape.length;
  const counter = new Array<number>(n).fill(0);
  for (let k = 0; k < index.length; k++) {
    let target = 0;
    let source = 0;
    for (let d = 0; d < n; d++) {
      const i = counter[d]!;
      target += (d === dim ? index[k]! : i) * targetStrides[d]!;
      source += i * sourceStrides[d]!;
    }
    visit(target, source);
    for (let d = n - 1; d >= 0 && ++counter[d]! === indexShape[d]!; d--) counter[d] = 0;
  }
}

/** Kernel: combines src values (or one value) into `out` at the scattered positions. */
function combineInto(out: TypedArray, combine: Combine, index: Int32Array, indexShape: readonly number[], dim: number, outStrides: readonly number[], src: TypedArray | number, srcStrides: readonly number[]): void {
  const read = typeof src === "number" ? () => src : (s: number) => src[s]!;
  forEachScattered(index, indexShape, dim, outStrides, srcStrides, (t, s) => {
    const v = read(s);
    const o = out[t]!;
    switch (combine) {
      case "assign":
        out[t] = v;
        break;
      case "add":
        out[t] = o + v;
        break;
      case "multiply":
        out[t] = o * v;
        break;
      // a NaN from src wins; a NaN already there stays (std::max's order, as PyTorch's kernel)
      case "amax":
        out[t] = v !== v ? v : o < v ? v : o;
        break;
      case "amin":
        out[t] = v !== v ? v : o > v ? v : o;
        break;
    }
  });
}

/** The index as contiguous int32 values with its shape (0-d read as [1]). */
function indexValues(index: Tensor): { values: Int32Array; shape: number[] } {
  const shape = index.ndim === 0 ? [1] : index.shape.slice();
  return { values: index.toTypedArray() as Int32Array, shape };
}

/** Shape as at least 1-d, matching indexValues. */
const shape1d = (t: Tensor): number[] => (t.ndim === 0 ? [1] : t.shape.slice());

/** A contiguous copy of x (its own storage) to scatter into, and its strides. */
function scatterTarget(x: Tensor): { out: Tensor; strides: number[] } {
  const out = noGrad(() => clone(x));
  return { out, strides: contiguousStrides(shape1d(x)) };
}

/** src read through its own (possibly strided) layout: contiguous values and strides. */
function sourceValues(src: Tensor): { data: TypedArray; strides: number[] } {
  const c = contiguous(src.detach());
  return { data: contiguousData(c), strides: contiguousStrides(shape1d(src)) };
}

function checkSrc(op: string, x: Tensor, src: Tensor): void {
  if (src.dtype !== x.dtype) throw new DTypeError(`${op}: expected self.dtype (${x.dtype}) to be equal to src.dtype (${src.dtype})`);
}

/**
 * scatter's kernel on the webgpu device (wgsl-scatter.ts), the index already checked: a copy of
 * x with src (or the number) written, added or multiplied at the scattered positions; a repeated
 * index's last write wins, as in the CPU loop.
 */
function scatterOnDevice(x: Tensor, d: number, index: Tensor, src: Tensor | number, mode: "assign" | "add" | "multiply" | "amax" | "amin"): Tensor {
  if (src instanceof Tensor) checkSameDevice("scatter", x, src);
  const out = noGrad(() => clone(x));
  const view = (t: Tensor): GpuStridedView => ({ data: t.storage.gpu, shape: shape1d(t), strides: t.ndim === 0 ? [0] : t.strides, offset: t.offset });
  const value = typeof src !== "number" ? view(src) : x.dtype === "bool" ? (src ? 1 : 0) : src;
  webgpuContext("scatter").scatter(mode, out.storage.gpu, shape1d(x), d, view(index), value);
  return out;
}

export interface ScatterOptions {
  /** Combine with what is there instead of writing: "add" or "multiply" (not differentiable, as in PyTorch). */
  reduce?: "add" | "multiply";
}

/**
 * A copy of x with src[p] (or `value`) written at x[…, index[p], …] along dim for every position
 * p of the index (PyTorch's torch.scatter). With a repeated index the last write wins.
 */
const SCATTER_KEYS = optionKeys<ScatterOptions>({ reduce: true });

export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number, options: ScatterOptions = {}): Tensor {
  checkOptions("scatter", options, SCATTER_KEYS);
  const { reduce } = options;
  index = indexOn("scatter", index, x.storage.device);
  const d = checkIndex("scatter", x, dim, index, src instanceof Tensor ? src : undefined);
  if (reduce !== undefined && reduce !== "add" && reduce !== "multiply") {
    throw new OptionError(`scatter: reduce argument must be either "add" or "multiply", got ${JSON.stringify(reduce)}`);
  }
  if (src instanceof Tensor) checkSrc("scatter", x, src);
  let out: Tensor;
  if (x.storage.device !== "cpu") {
    out = scatterOnDevice(x, d, index, src, reduce ?? "assign");
  } else {
    const { values, shape } = indexValues(index);
    const target = scatterTarget(x);
    out = target.out;
    const source = src instanceof Tensor ? sourceValues(src) : { data: src, strides: [] as number[] };
    combineInto(out.storage.data, reduce ?? "assign", values, shape, d, target.strides, source.data, source.strides);
  }
  const inputs = src instanceof Tensor ? [x, src] : [x];
  if (reduce !== undefined) {
    return recordOp("ScatterBackward0", out, inputs, () => {
      throw new Error(`scatter: the derivative of scatter with reduce="${reduce}" is not implemented (as in PyTorch); use scatterReduce, which has one`);
    });
  }
  // d/dx: the gradient with the overwritten positions zeroed; d/dsrc: the gradient picked up there
  return recordOp(src instanceof Tensor ? "ScatterBackward0" : "ScatterBackward1", out, inputs, (g) => [
    x.requiresGrad ? scatter(g, d, index, 0) : null,
    src instanceof Tensor && src.requiresGrad ? padTo(gather(g, d, index), src.shape) : null,
  ], [index]);
}

export interface ScatterReduceOptions {
  /** Whether x's own values take part in the reduction at the positions scattered to (default true). */
  includeSelf?: boolean;
}

const REDUCES: readonly ScatterReduce[] = ["sum", "prod", "mean", "amax", "amin"];

/** The value a reduction starts from when x's own value does not take part. */
function identityOf(reduce: ScatterReduce, dtype: Tensor["dtype"]): number {
  if (reduce === "prod") return 1;
  if (reduce === "amax") return dtype === "int32" ? -2147483648 : -Infinity;
  if (reduce === "amin") return dtype === "int32" ? 2147483647 : Infinity;
  return 0;
}

/**
 * A copy of x where every position that index scatters src to holds the reduction (sum, prod,
 * mean, amax or amin) of the src values scattered there, and of x's own value when includeSelf
 * (PyTorch's torch.scatter_reduce). Positions nothing is scattered to keep x's value. An integer
 * mean rounds down, as in PyTorch.
 */
export function scatterReduce(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduce, { includeSelf = true }: ScatterReduceOptions = {}): Tensor {
  if (!REDUCES.includes(reduce)) throw new OptionError(`scatterReduce: reduce argument must be either sum, prod, mean, amax or amin, got ${JSON.stringify(reduce)}`);
  index = indexOn("scatterReduce", index, x.storage.device);
  const d = checkIndex("scatterReduce", x, dim, index, src);
  checkSrc("scatterReduce", x, src);
  const out = x.storage.device !== "cpu" ? scatterReduceOnDevice(x, d, index, src, reduce, includeSelf) : scatterReduceOnHost(x, d, index, src, reduce, includeSelf);
  const result = out;
  return recordOp("ScatterReduceBackward0", result, [x, src], (g) => {
    let [gx, gsrc] = scatterReduceGrads(g, x, d, index, src, reduce, includeSelf, result);
    if (!includeSelf) gx = scatter(gx, d, index, 0);
    return [x.requiresGrad ? gx : null, src.requiresGrad ? padTo(gsrc, src.shape) : null];
  }, reduce === "sum" || reduce === "mean" ? [index] : [x, src, result, index]);
}

/** scatterReduce's values on the CPU (see scatterReduce). */
function scatterReduceOnHost(x: Tensor, d: number, index: Tensor, src: Tensor, reduce: ScatterReduce, includeSelf: boolean): Tensor {
  const { values, shape } = indexValues(index);
  const { out, strides } = scatterTarget(x);
  const data = out.storage.data;
  const source = sourceValues(src);
  // without self, every position scattered to starts from the reduction's identity
  if (!includeSelf) combineInto(data, "assign", values, shape, d, strides, identityOf(reduce, x.dtype), []);
  const combine: Combine = reduce === "sum" || reduce === "mean" ? "add" : reduce === "prod" ? "multiply" : reduce;
  combineInto(data, combine, values, shape, d, strides, source.data, source.strides);
  if (reduce === "mean") {
    const counts = new Float64Array(data.length).fill(includeSelf ? 1 : 0);
    combineInto(counts, "add", values, shape, d, strides, 1, []);
    const floor = !isFloating(x.dtype);
    for (let i = 0; i < data.length; i++) {
      const c = counts[i]! || 1;
      data[i] = floor ? Math.floor(data[i]! / c) : data[i]! / c;
    }
  }
  return out;
}

/**
 * scatterReduce's values on the webgpu device, with the scatter kernel's modes (wgsl-scatter.ts):
 * the identity written where self does not take part, then src added, multiplied or compared in
 * atomically; a mean divides by the counts, scattered as ones (an integer mean rounds down).
 */
function scatterReduceOnDevice(x: Tensor, d: number, index: Tensor, src: Tensor, reduce: ScatterReduce, includeSelf: boolean): Tensor {
  const start = includeSelf ? x : scatterOnDevice(x, d, index, identityOf(reduce, x.dtype), "assign");
  const mode = reduce === "sum" || reduce === "mean" ? "add" : reduce === "prod" ? "multiply" : reduce;
  const combined = scatterOnDevice(start, d, index, src, mode);
  if (reduce !== "mean") return combined;
  const ones = filledTensor(x.shape, "int32", includeSelf ? 1 : 0, x.storage.device);
  const counts = maximum(scatterOnDevice(ones, d, index, 1, "add"), filledTensor([], "int32", 1, x.storage.device));
  const mean = div(combined, counts);
  return noGrad(() => (isFloating(x.dtype) ? mean : toDType(callPointwise(floorOp, [mean]), x.dtype)));
}

/** The part of src the index covers (scatter only reads that part). */
function covered(src: Tensor, index: Tensor): Tensor {
  let out = src;
  index.shape.forEach((s, i) => {
    if (s !== out.shape[i]) out = narrow(out, i, 0, s);
  });
  return out;
}

/** PyTorch 1.13's scatter_reduce_backward (before zeroing self's gradient where it was excluded). */
function scatterReduceGrads(g: Tensor, self: Tensor, d: number, index: Tensor, srcFull: Tensor, reduce: ScatterReduce, includeSelf: boolean, result: Tensor): [Tensor, Tensor] {
  const src = covered(srcFull, index);
  const options = { includeSelf };
  switch (reduce) {
    case "sum":
      return [g, gather(g, d, index)];
    case "mean": {
      // N: how many values each position averaged
      const device = g.storage.device;
      const start = includeSelf ? expand(scalarTensor(1, g.dtype, device), g.shape) : emptyTensor(g.shape, g.dtype, "scatterReduce", device);
      let n = scatterAdd(contiguous(start), d, index, expand(scalarTensor(1, g.dtype, device), src.shape));
      n = maskedFill(n, eq(n, 0), 1);
      return [div(g, n), div(gather(g, d, index), gather(n, d, index))];
    }
    case "prod": {
      // exclusive products: a zero factor is replaced by 1 so the others' product is kept
      const maskedSelf = maskedFill(self, eq(self, 0), 1);
      const maskedSelfResult = scatterReduce(maskedSelf, d, index, src, "prod", options);
      const gSelf = div(mul(g, maskedSelfResult), maskedSelf);
      const srcZero = eq(src, 0);
      const zerosThere = gather(scatterAdd(emptyTensor(self.shape, self.dtype, "scatterReduce", self.storage.device), d, index, toDType(srcZero, self.dtype)), d, index);
      const singleZero = logicalAnd(srcZero, eq(zerosThere, 1));
      const maskedSrcResult = scatterReduce(self, d, index, maskedFill(src, singleZero, 1), "prod", options);
      const gSrc = where(
        singleZero,
        gather(mul(g, maskedSrcResult), d, index),
        div(gather(mul(g, result), d, index), maskedFill(src, srcZero, 1)),
      );
      return [gSelf, gSrc];
    }
    case "amax":
    case "amin": {
      // ties share the gradient evenly
      const value = gather(result, d, index);
      const selfIsResult = toDType(eq(self, result), g.dtype);
      const srcIsResult = toDType(eq(src, value), g.dtype);
      const distributed = div(g, scatterAdd(selfIsResult, d, index, srcIsResult));
      return [mul(selfIsResult, distributed), mul(srcIsResult, gather(distributed, d, index))];
    }
  }
}
