/**
 * Strided float32 copies inside wasm memory: copy (a view into a contiguous array) and assign
 * (a view into a view). The whole n-d walk runs in wasm, so the short rows of im2col windows and
 * transposes cost no calls per row, and TypedArray.set's slow path on shared memory is avoided.
 * Other dtypes and storage outside the wasm memory go to the JS kernels.
 */
import type { StridedView } from "../backend.js";
import { jsBackend } from "../js/index.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { contiguousStrides } from "../../tensor/shape.js";
import { inHeap } from "./heap.js";
import { kernels } from "./instance.js";
import { MAX_DIMS, writeMeta } from "./meta.js";
import { coalesce } from "../js/iterate.js";

function walk(src: number, srcStrides: readonly number[], dst: number, dstStrides: readonly number[], shape: readonly number[]): boolean {
  const [dims, [ss, ds]] = coalesce(shape, [srcStrides, dstStrides]);
  if (dims.length > MAX_DIMS) return false;
  kernels.copyND(src, dst, dims.length, writeMeta(dims, ss!, ds!));
  return true;
}

const usable = (a: TypedArray): a is Float32Array => a instanceof Float32Array && inHeap(a);

export function copy(x: StridedView, out: TypedArray): void {
  if (usable(x.data) && usable(out) && out.length > 0) {
    const src = x.data.byteOffset + 4 * x.offset;
    if (walk(src, x.strides, out.byteOffset, contiguousStrides(x.shape), x.shape)) return;
  }
  jsBackend.copy(x, out);
}

export function assign(dst: StridedView, src: StridedView): void {
  if (usable(dst.data) && usable(src.data) && dst.shape.every((s) => s > 0)) {
    const pd = dst.data.byteOffset + 4 * dst.offset;
    const ps = src.data.byteOffset + 4 * src.offset;
    if (walk(ps, src.strides, pd, dst.strides, dst.shape)) return;
  }
  jsBackend.assign(dst, src);
}
