/**
 * Strided float32 and float64 copies inside wasm memory: copy (a view into a contiguous array) and assign
 * (a view into a view). The whole n-d walk runs in wasm, so the short rows of im2col windows and
 * transposes cost no calls per row, and TypedArray.set's slow path on shared memory is avoided.
 * Other dtypes, mixed float types and storage outside the wasm memory go to the JS kernels.
 */
import type { StridedView } from "../backend.js";
import { jsBackend } from "../js/index.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { contiguousStrides } from "../../tensor/shape.js";
import { inHeap } from "./heap.js";
import { kernels } from "./instance.js";
import { MAX_DIMS, writeMeta } from "./meta.js";
import { coalesce } from "../js/iterate.js";

function walk(src: number, srcStrides: readonly number[], dst: number, dstStrides: readonly number[], shape: readonly number[], width: 4 | 8): boolean {
  const [dims, [ss, ds]] = coalesce(shape, [srcStrides, dstStrides]);
  if (dims.length > MAX_DIMS) return false;
  (width === 8 ? kernels.copyND64 : kernels.copyND)(src, dst, dims.length, writeMeta(dims, ss!, ds!));
  return true;
}

/** The element width when both arrays are float32 or both float64 and both in wasm memory, else 0. */
function widthOf(a: TypedArray, b: TypedArray): 0 | 4 | 8 {
  if (!inHeap(a) || !inHeap(b)) return 0;
  if (a instanceof Float32Array && b instanceof Float32Array) return 4;
  if (a instanceof Float64Array && b instanceof Float64Array) return 8;
  return 0;
}

export function copy(x: StridedView, out: TypedArray): void {
  const width = widthOf(x.data, out);
  if (width !== 0 && out.length > 0) {
    const src = x.data.byteOffset + width * x.offset;
    if (walk(src, x.strides, out.byteOffset, contiguousStrides(x.shape), x.shape, width)) return;
  }
  jsBackend.copy(x, out);
}

export function assign(dst: StridedView, src: StridedView): void {
  const width = widthOf(dst.data, src.data);
  if (width !== 0 && dst.shape.every((s) => s > 0)) {
    const pd = dst.data.byteOffset + width * dst.offset;
    const ps = src.data.byteOffset + width * src.offset;
    if (walk(ps, src.strides, pd, dst.strides, dst.shape, width)) return;
  }
  jsBackend.assign(dst, src);
}
