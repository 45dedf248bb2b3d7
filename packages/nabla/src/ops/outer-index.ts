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
import { clone, contiguous } from "./shape.js";
import { reindexDims } from "../nn/functional/reindex.js";

/**
 * The storage offset of every output element of outer indexing, row-major:
 * offset + Σ_d maps[d][i_d]·strides[d], built one axis at a time.
 */
export function outerOffsets(offset: number, strides: readonly number[], maps: readonly Int32Array[]): Int32Array {
  let offsets = Int32Array.of(offset);
  maps.forEach((map, d) => {
    const next = new Int32Array(offsets.length * map.length);
    const stride = strides[d]!;
    let k = 0;
    for (const base of offsets) for (let j = 0; j < map.length; j++) next[k++] = base + map[j]! * stride;
    offsets = next;
  });
  return offsets;
}

/** Kernel: out[i…] = data[offset + Σ_d maps[d][i_d]·strides[d]], out contiguous. */
export function gatherOuter(data: TypedArray, offset: number, strides: readonly number[], maps: readonly Int32Array[], out: TypedArray): void {
  const offsets = outerOffsets(offset, strides, maps);
  for (let i = 0; i < offsets.length; i++) out[i] = data[offsets[i]!]!;
}

/** Kernel: out[Σ_d maps[d][i_d]·outStrides[d]] += src[i…], src contiguous with the maps' lengths as shape. */
export function scatterAddOuter(src: TypedArray, srcOffset: number, maps: readonly Int32Array[], outStrides: readonly number[], out: TypedArray): void {
  const offsets = outerOffsets(0, outStrides, maps);
  for (let i = 0; i < offsets.length; i++) out[offsets[i]!] = out[offsets[i]!]! + src[srcOffset + i]!;
}

/** The list f(0) … f(n−1) of positions along one axis. */
export function positionList(n: number, f: (i: number) => number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
}

/** The identity list 0 … n−1 for an axis that is read as it is. */
export function identityMap(n: number): Int32Array {
  return positionList(n, (i) => i);
}

/**
 * x read through one list of positions per axis; `name` is the PyTorch node name of the op this
 * implements (FlipBackward0, RepeatBackward0 …). Positions must be in range (callers build them).
 */
export function outerIndex(name: string, x: Tensor, maps: readonly Int32Array[]): Tensor {
  // on the webgpu device: one index-select kernel per dim that moves (reindex.ts)
  if (x.storage.device !== "cpu") {
    const moved = maps.flatMap((m, d) => (isIdentity(m, x.shape[d]!) ? [] : [[d, m] as const]));
    return moved.length === 0 ? clone(x) : reindexDims(name, x, moved);
  }
  const out = resultTensor(
    maps.map((m) => m.length),
    x.dtype,
  );
  gatherOuter(x.storage.data, x.offset, x.strides, maps, out.storage.data);
  const inputShape = x.shape;
  // d/dx: each output element's gradient is added back where it was read from
  return recordOp(name, out, [x], (g) => [outerIndexAdd(g, inputShape, maps)]);
}

function isIdentity(map: Int32Array, size: number): boolean {
  return map.length === size && map.every((v, i) => v === i);
}

/** Zeros of `shape` with g's elements added at the positions the lists name (outerIndex's gradient). */
export function outerIndexAdd(g: Tensor, shape: readonly number[], maps: readonly Int32Array[]): Tensor {
  const out = emptyTensor(shape, g.dtype);
  const gc = contiguous(g.detach());
  if (numelOf(shape) > 0) scatterAddOuter(gc.storage.data, gc.offset, maps, contiguousStrides(shape), out.storage.data);
  // its own gradient reads the same positions back (createGraph)
  return recordOp("OuterIndexAddBackward0", out, [g], (gg) => [outerIndex("OuterIndexBackward0", gg, maps)]);
}
