/**
 * Re-indexing along dims, the shared core of F.pad's reflect/replicate/circular modes and of
 * nearest-neighbour interpolation:
 *
 *   out[…, j, …] = x[…, map[j], …]    along each listed dim, one after the other
 *
 * Its gradient is the adjoint, an index-add of the incoming gradient back to the positions each
 * output was read from, whose own gradient is the re-indexing again (so second derivatives work).
 * Both loops are plain kernels over contiguous [outer, size, inner] blocks.
 */
import { recordOp } from "../../autograd/node.js";
import { webgpuContext } from "../../backend/device.js";
import { emptyTensor, resultTensor } from "../../ops/helpers.js";
import { contiguous } from "../../ops/shape.js";
import type { TypedArray } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { GpuArray, WebGpuContext } from "../../backend/webgpu/context.js";

/** A dim and, for each output position along it, the input position it reads. */
export type DimMap = readonly [dim: number, map: Int32Array];

/** out[o, j, i] = src[o, map[j], i] for src [outer, inSize, inner] and out [outer, map.length, inner]. */
export function gatherRows(src: TypedArray, offset: number, outer: number, inSize: number, inner: number, map: Int32Array, out: TypedArray): void {
  const n = map.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const from = offset + (o * inSize + map[j]!) * inner;
      const to = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) out[to + i] = src[from + i]!;
    }
  }
}

/** out[o, map[j], i] += src[o, j, i] for src [outer, map.length, inner] and out [outer, outSize, inner] (zeroed). */
export function scatterAddRows(src: TypedArray, offset: number, outer: number, outSize: number, inner: number, map: Int32Array, out: TypedArray): void {
  const n = map.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const from = offset + (o * n + j) * inner;
      const to = (o * outSize + map[j]!) * inner;
      for (let i = 0; i < inner; i++) out[to + i] = out[to + i]! + src[from + i]!;
    }
  }
}

/** [outer, size, inner] of a shape around dim d. */
export function blockOf(shape: readonly number[], d: number): [number, number, number] {
  const outer = shape.slice(0, d).reduce((a, b) => a * b, 1);
  const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
  return [outer, shape[d]!, inner];
}

/**
 * Runs a webgpu kernel with the map on the device: uploaded once (a counted upload of data the
 * host made from shapes, as dropout's mask) and kept, per device, for the next call with the same
 * map (a training step's flips and paddings repeat their maps: no upload after the first step).
 */
function onDevice(op: string, map: Int32Array, run: (ctx: WebGpuContext, map: GpuArray) => void): void {
  const ctx = webgpuContext(op);
  if (map.length > MAP_KEY_LIMIT) {
    const once = ctx.upload(map, op);
    run(ctx, once);
    ctx.release(once);
  } else {
    run(ctx, uploadedMap(ctx, map, op));
  }
}

/** Maps kept on each device, by their values; the oldest goes back to the pool past MAPS_KEPT. */
const uploadedMaps = new WeakMap<WebGpuContext, Map<string, GpuArray>>();
const MAPS_KEPT = 64;
/** Longer maps are uploaded per call (their key would cost more than the upload saves). */
const MAP_KEY_LIMIT = 4096;

function uploadedMap(ctx: WebGpuContext, map: Int32Array, op: string): GpuArray {
  let kept = uploadedMaps.get(ctx);
  if (kept === undefined) uploadedMaps.set(ctx, (kept = new Map()));
  const key = map.join(",");
  let found = kept.get(key);
  if (found === undefined) {
    found = ctx.upload(map, op);
    kept.set(key, found);
    if (kept.size > MAPS_KEPT) {
      const [oldest, array] = kept.entries().next().value as [string, GpuArray];
      kept.delete(oldest);
      ctx.release(array);
    }
  } else {
    // most recently used last
    kept.delete(key);
    kept.set(key, found);
  }
  return found;
}

/** x re-indexed along one dim; recorded as `name`, its gradient the index-add. */
function reindexDim(name: string, x: Tensor, d: number, map: Int32Array): Tensor {
  const c = contiguous(x.detach());
  const [outer, size, inner] = blockOf(c.shape, d);
  const shape = c.shape.slice();
  shape[d] = map.length;
  const out = resultTensor(shape, c.dtype, name, c.storage.device);
  if (c.storage.device === "cpu") gatherRows(c.storage.data, c.offset, outer, size, inner, map, out.storage.data);
  else onDevice(name, map, (ctx, m) => ctx.indexSelect(c.storage.gpu, c.offset, m, 0, outer, size, inner, map.length, out.storage.gpu));
  return recordOp(name, out, [x], (g) => [indexAddDim(g, d, map, size)]);
}

/** The adjoint of reindexDim: a tensor with `size` along d, g[…, j, …] added at map[j]. */
function indexAddDim(g: Tensor, d: number, map: Int32Array, size: number): Tensor {
  const c = contiguous(g.detach());
  const [outer, , inner] = blockOf(c.shape, d);
  const shape = c.shape.slice();
  shape[d] = size;
  const out = emptyTensor(shape, c.dtype, "IndexAddBackward0", c.storage.device);
  if (c.storage.device === "cpu") scatterAddRows(c.storage.data, c.offset, outer, size, inner, map, out.storage.data);
  else onDevice("IndexAddBackward0", map, (ctx, m) => ctx.indexAdd(c.storage.gpu, c.offset, m, 0, outer, size, inner, map.length, out.storage.gpu));
  return recordOp("IndexAddBackward0", out, [g], (gg) => [reindexDim("IndexBackward0", gg, d, map)]);
}

/** x re-indexed along each dim of `maps` (in order); `name` is the gradient node's name (PyTorch's). */
export function reindexDims(name: string, x: Tensor, maps: readonly DimMap[]): Tensor {
  return maps.reduce((t, [d, map], i) => reindexDim(i === maps.length - 1 ? name : "IndexBackward0", t, d, map), x);
}
