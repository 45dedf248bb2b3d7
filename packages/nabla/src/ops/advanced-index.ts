/**
 * Advanced indexing: `index(x, [...])` is PyTorch's `x[...]` and `indexPut(x, [...], values)` its
 * `x[...] = values` / `index_put` (with `accumulate`, `x[...] += values` that counts repeated
 * indices). The index list is read by index-spec.ts; here are the two ops on that reading, each
 * the other's gradient:
 *
 *   gather: out[b, r] = view(x)[idx(b), r]             (IndexBackward0)
 *   put:    view(out)[idx(b), r] (+)= values[b, r]     (IndexPutBackward0)
 *
 * with b running over the broadcast index shape and r over the view's other dims ("canonical"
 * layout; the result is that layout permuted so the picked dims sit where PyTorch puts them).
 * An index list of numbers, slices and new axes only gives a view, as in PyTorch.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { formatShape, ShapeError } from "../errors.js";
import type { TypedArray } from "../tensor/dtype.js";
import { broadcastShapes, numelOf, shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { toDType } from "./elementwise.js";
import { emptyTensor, resultTensor, scalarTensor } from "./helpers.js";
import { planIndex, type IndexItem, type IndexPlan } from "./index-spec.js";
import { gatherOnDevice, putOnDevice } from "./advanced-index-device.js";
import { identityMap, outerOffsets } from "./outer-index.js";
import { sumToShape } from "./reduce.js";
import { clone, contiguous, expand, permute, view } from "./shape.js";
import { checkOptions, optionKeys } from "./options.js";

/** A strided view of storage, as the kernels read it. */
interface Strided {
  data: TypedArray;
  offset: number;
  shape: readonly number[];
  strides: readonly number[];
}

/**
 * Where the plan's picks lie in `v` (the plan's view of some tensor): the storage offset of each
 * pick of the index dims, and the offsets of the view's other dims relative to it; element
 * (b, r) of the canonical layout is at bases[b] + rest[r].
 */
function pickOffsets(v: Strided, dims: readonly number[], indices: readonly Int32Array[], count: number): { bases: Int32Array; rest: Int32Array } {
  const others = v.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const rest = outerOffsets(0, others.map((d) => v.strides[d]!), others.map((d) => identityMap(v.shape[d]!)));
  const bases = new Int32Array(count).fill(v.offset);
  dims.forEach((d, k) => {
    const stride = v.strides[d]!;
    const index = indices[k]!;
    for (let b = 0; b < count; b++) bases[b] = bases[b]! + index[b]! * stride;
  });
  return { bases, rest };
}

/** Kernel: out (canonical, contiguous) = the elements of v the index picks. */
export function gatherIndexed(v: Strided, dims: readonly number[], indices: readonly Int32Array[], count: number, out: TypedArray): void {
  const { bases, rest } = pickOffsets(v, dims, indices, count);
  const data = v.data;
  let k = 0;
  for (const base of bases) for (let r = 0; r < rest.length; r++) out[k++] = data[base + rest[r]!]!;
}

/** Kernel: the elements of v the index picks are set to (or, accumulating, increased by) src (canonical, contiguous). */
export function putIndexed(v: Strided, dims: readonly number[], indices: readonly Int32Array[], count: number, src: TypedArray, accumulate: boolean): void {
  const { bases, rest } = pickOffsets(v, dims, indices, count);
  const data = v.data;
  let k = 0;
  for (const base of bases) {
    for (let r = 0; r < rest.length; r++) {
      const at = base + rest[r]!;
      data[at] = accumulate ? data[at]! + src[k++]! : src[k++]!;
    }
  }
}

/** The canonical shape: the index shape, then the view's other dims. */
function canonicalShape(plan: IndexPlan): number[] {
  return [...plan.indexShape, ...plan.viewShape.filter((_, d) => !plan.dims.includes(d))];
}

const stridedOf = (t: Tensor): Strided => ({ data: t.storage.data, offset: t.offset, shape: t.shape, strides: t.strides });

/** The picked elements of x in canonical layout; its gradient puts the gradient back, adding. */
export function gatherPlan(name: string, x: Tensor, plan: IndexPlan): Tensor {
  if (x.storage.device !== "cpu") return gatherOnDevice(name, x, plan);
  const v = noGrad(() => plan.view(x));
  const out = resultTensor(canonicalShape(plan), x.dtype);
  gatherIndexed(stridedOf(v), plan.dims, plan.indices, numelOf(plan.indexShape), out.storage.data);
  const shape = x.shape;
  return recordOp(name, out, [x], (g) => [putPlan("IndexPutBackward0", emptyTensor(shape, g.dtype), plan, g, true)]);
}

/**
 * A copy of base with `values` (broadcast to the canonical shape) written at, or with
 * accumulate added to, the picked elements. d/dbase: the gradient, with the picked elements
 * zeroed unless accumulating; d/dvalues: the gradient picked up at those elements.
 */
export function putPlan(name: string, base: Tensor, plan: IndexPlan, values: Tensor, accumulate: boolean): Tensor {
  if (base.storage.device !== "cpu") return putOnDevice(name, base, plan, values, accumulate);
  const canonical = canonicalShape(plan);
  const out = noGrad(() => clone(base));
  const src = contiguous(expand(values.detach(), canonical));
  const v = noGrad(() => plan.view(out));
  putIndexed(stridedOf(v), plan.dims, plan.indices, numelOf(plan.indexShape), src.storage.data.subarray(src.offset), accumulate);
  return recordOp(name, out, [base, values], (g) => [
    base.requiresGrad ? (accumulate ? g : putPlan("IndexPutBackward0", g, plan, scalarTensor(0, g.dtype), false)) : null,
    values.requiresGrad ? sumToShape(gatherPlan("IndexBackward0", g, plan), values.shape) : null,
  ]);
}

/** The permutation taking the canonical layout to the result's (picked dims at plan.resultAt). */
function resultOrder(plan: IndexPlan): number[] {
  const m = plan.indexShape.length;
  const r = plan.viewShape.length - plan.dims.length;
  const at = plan.resultAt;
  return [...Array.from({ length: at }, (_, i) => m + i), ...Array.from({ length: m }, (_, i) => i), ...Array.from({ length: r - at }, (_, i) => m + at + i)];
}

const isIdentity = (order: readonly number[]) => order.every((d, i) => d === i);

/** The shape `x.index(items)` has. */
function resultShape(plan: IndexPlan): number[] {
  const canonical = canonicalShape(plan);
  return resultOrder(plan).map((d) => canonical[d]!);
}

/**
 * PyTorch's `x[items]` (see index-spec.ts for the items): a view when the list has no index
 * tensors or masks, else a copy. Differentiable.
 */
export function index(x: Tensor, items: readonly IndexItem[]): Tensor {
  const plan = planIndex("index", x, items);
  if (plan.dims.length === 0) {
    const v = plan.view(x);
    if (plan.copy) return clone(v);
    return v === x ? view(x, x.shape) : v;
  }
  const out = gatherPlan("IndexBackward0", x, plan);
  const order = resultOrder(plan);
  return isIdentity(order) ? out : permute(out, order);
}

export interface IndexPutOptions {
  /** Add the values (repeated indices add up) instead of writing them (PyTorch's accumulate). */
  accumulate?: boolean;
}

/**
 * A copy of x with `values` written at `x[items]` (PyTorch's `index_put` and `x[items] = values`);
 * values broadcast to the shape of `x.index(items)` and are cast to x's dtype. With
 * `{ accumulate: true }` they are added instead, repeated indices adding up. Differentiable in x
 * and values. Note that here, as in `x.index`, null is a new axis (in torch.index_put's list of
 * tensors None means a full slice: write `sl()` for that).
 */
const INDEX_PUT_KEYS = optionKeys<IndexPutOptions>({ accumulate: true });

export function indexPut(x: Tensor, items: readonly IndexItem[], values: Tensor | number, options: IndexPutOptions | boolean = {}): Tensor {
  if (typeof options !== "boolean") checkOptions("indexPut", options, INDEX_PUT_KEYS);
  const accumulate = typeof options === "boolean" ? options : (options.accumulate ?? false);
  const plan = planIndex("indexPut", x, items);
  const target = resultShape(plan);
  const v = values instanceof Tensor ? toDType(values, x.dtype) : scalarTensor(values, x.dtype, x.storage.device);
  let shaped = v;
  if (v.ndim > 0) {
    let broadcast: number[] = [];
    try {
      broadcast = broadcastShapes("indexPut", v.shape, target);
    } catch {
      broadcast = [];
    }
    if (!shapesEqual(broadcast, target)) {
      throw new ShapeError(`indexPut: shape mismatch: value tensor of shape ${formatShape(v.shape)} cannot be broadcast to indexing result of shape ${formatShape(target)}`);
    }
    // values are given in the result's layout: bring them to the canonical one
    const order = resultOrder(plan);
    const inverse = new Array<number>(order.length);
    order.forEach((d, i) => (inverse[d] = i));
    shaped = isIdentity(order) ? v : permute(expand(v, target), inverse);
  }
  return putPlan("IndexPutBackward0", x, plan, shaped, accumulate);
}
