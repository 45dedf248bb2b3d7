/**
 * Outer indexing: every axis of the output reads its own list of positions of the input's axis
 * (out[i, j, …] = x[map0[i], map1[j], …]). flip, roll, repeat, tile and repeatInterleave are this
 * one op with different lists; its gradient adds each output element back to the position it was
 * read from, and that op's gradient is outer indexing again, so both orders of derivative exist.
 */
import { recordOp } from "../autograd/node.js";
import type { TypedArray } from "../tensor/dtype.js";
import { contiguousStrides, numelOf } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { emptyTensor, resultTensor } from "./helpers.js";
import { contiguous } from "./shape.js";

/** Calls visit(outIndex, sourceOffset) for every output element, last axis fastest. */
export function forEachOuter(
  offset: number,
  strides: readonly number[],
  maps: readonly Int32Array[],
  visit: (out: number, source: number) => void,
): void {
  const n = maps.length;
  const total = maps.reduce((p, m) => p * m.length, 1);
  if (total === 0) return;
  // per axis, the storage offset of each position of its list
  const steps = maps.map((m, d) => Int32Array.from(m, (i) => i * strides[d]!));
  const counter = new Array<number>(n).fill(0);
  const partial = new Array<number>(n + 1).fill(offset);
  for (let d = 0; d < n; d++) partial[d + 1] = partial[d]! + steps[d]![0]!;
  const inner = n === 0 ? null : steps[n - 1]!;
  const innerLength = inner?.length ?? 1;
  for (let out = 0; out < total; ) {
    const base = partial[Math.max(n - 1, 0)]!;
    if (inner === null) visit(out++, base);
    else for (let j = 0; j < innerLength; j++) visit(out++, base + inner[j]!);
    // advance the odometer over the outer axes
    let d = n - 2;
    while (d >= 0 && ++counter[d]! === maps[d]!.length) counter[d--] = 0;
    if (d < 0) break;
    for (let k = d; k < n - 1; k++) partial[k + 1] = partial[k]! + steps[k]![counter[k]!]!;
  }
}

/** Kernel: out[i…] = data[offset + Σ_d maps[d][i_d]·strides[d]], out contiguous. */
export function gatherOuter(data: TypedArray, offset: number, strides: readonly number[], maps: readonly Int32Array[], out: TypedArray): void {
  forEachOuter(offset, strides, maps, (o, s) => (out[o] = data[s]!));
}

/** Kernel: out[Σ_d maps[d][i_d]·outStrides[d]] += src[i…], src contiguous with the maps' lengths as shape. */
export function scatterAddOuter(src: TypedArray, srcOffset: number, maps: readonly Int32Array[], outStrides: readonly number[], out: TypedArray): void {
  forEachOuter(0, outStrides, maps, (o, s) => (out[s] = out[s]! + src[srcOffset + o]!));
}

/** The identity list 0 … n−1 for an axis that is read as it is. */
export function identityMap(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/**
 * x read through one list of positions per axis; `name` is the PyTorch node name of the op this
 * implements (FlipBackward0, RepeatBackward0 …). Positions must be in range (callers build them).
 */
export function outerIndex(name: string, x: Tensor, maps: readonly Int32Array[]): Tensor {
  const out = resultTensor(
    maps.map((m) => m.length),
    x.dtype,
  );
  gatherOuter(x.storage.data, x.offset, x.strides, maps, out.storage.data);
  const inputShape = x.shape;
  // d/dx: each output element's gradient is added back where it was read from
  return recordOp(name, out, [x], (g) => [outerIndexAdd(g, inputShape, maps)]);
}

/** Zeros of `shape` with g's elements added at the positions the lists name (outerIndex's gradient). */
export function outerIndexAdd(g: Tensor, shape: readonly number[], maps: readonly Int32Array[]): Tensor {
  const out = emptyTensor(shape, g.dtype);
  const gc = contiguous(g.detach());
  if (numelOf(shape) > 0) scatterAddOuter(gc.storage.data, gc.offset, maps, contiguousStrides(shape), out.storage.data);
  // its own gradient reads the same positions back (createGraph)
  return recordOp("OuterIndexAddBackward0", out, [g], (gg) => [outerIndex("OuterIndexBackward0", gg, maps)]);
}
