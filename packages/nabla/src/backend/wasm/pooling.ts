/**
 * Max pooling, col2im, and the gather/scatterAdd of indices (max pooling's backward, gather's
 * forward and backward) in wasm for float32 and float64; anything else runs the JS reference.
 */
import type { MaxPool2dArgs, StridedView } from "../backend.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { jsBackend } from "../js/index.js";
import { inHeap } from "./heap.js";
import { kernels } from "./instance.js";
import { maxPoolThreaded, scatterAddThreaded } from "./pool.js";
import { Scratch } from "./operands.js";

export function maxPool2d(args: MaxPool2dArgs): void {
  const { x, kernel, stride, padding, dilation, out, values, indices } = args;
  const wide = x.data instanceof Float64Array && values instanceof Float64Array;
  if (!wide && !(x.data instanceof Float32Array && values instanceof Float32Array)) return jsBackend.maxPool2d(args);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const count = n * c * out[0]! * out[1]!;
  if (count === 0) return;
  const scratch = new Scratch();
  try {
    const xs = scratch.input(x);
    const v = scratch.output((values as Float32Array | Float64Array).subarray(0, count));
    // indices are int32: staged through a scratch block of the same size when outside wasm memory
    const idx = indices === null || inHeap(indices) ? null : scratch.take(count);
    const pi = indices === null ? 0 : idx === null ? indices.byteOffset : idx.byteOffset;
    const [s0, s1, s2, s3] = xs.strides as [number, number, number, number];
    if (!maxPoolThreaded(wide, xs.ptr, xs.strides, n, c, h, w, kernel, stride, padding, dilation, out[0]!, out[1]!, v.ptr, pi)) {
      (wide ? kernels.maxPool2d64 : kernels.maxPool2d)(
        xs.ptr, s0, s1, s2, s3, n, c, h, w,
        kernel[0]!, kernel[1]!, stride[0]!, stride[1]!, padding[0]!, padding[1]!, dilation[0]!, dilation[1]!,
        out[0]!, out[1]!, v.ptr, pi,
      );
    }
    v.done();
    if (idx !== null) indices!.set(new Int32Array(idx.buffer, idx.byteOffset, count));
  } finally {
    scratch.release();
  }
}

export function fold2d(cols: StridedView, size: readonly number[], stride: readonly number[], dilation: readonly number[], out: TypedArray): void {
  const wide = cols.data instanceof Float64Array && out instanceof Float64Array;
  const same = wide || (cols.data instanceof Float32Array && out instanceof Float32Array);
  if (!same || !inHeap(out) || cols.shape.some((s) => s === 0)) return jsBackend.fold2d(cols, size, stride, dilation, out);
  const [n, c, kh, kw, oh, ow] = cols.shape as [number, number, number, number, number, number];
  const scratch = new Scratch();
  try {
    const cs = scratch.input(cols);
    const [c0, c1, c2, c3, c4, c5] = cs.strides as [number, number, number, number, number, number];
    (wide ? kernels.fold2d64 : kernels.fold2d)(cs.ptr, c0, c1, c2, c3, c4, c5, n, c, kh, kw, oh, ow, size[0]!, size[1]!, stride[0]!, stride[1]!, dilation[0]!, dilation[1]!, out.byteOffset);
  } finally {
    scratch.release();
  }
}

/**
 * The element width (4 or 8) when both arrays are float32 or both float64 and they and the int32
 * index are in wasm memory: only then do the index kernels run there; else 0.
 */
function indexWidth(a: TypedArray, b: TypedArray, index: Int32Array): 0 | 4 | 8 {
  if (!inHeap(a) || !inHeap(b) || !inHeap(index)) return 0;
  if (a instanceof Float32Array && b instanceof Float32Array) return 4;
  if (a instanceof Float64Array && b instanceof Float64Array) return 8;
  return 0;
}

export function scatterAdd(src: TypedArray, index: Int32Array, outer: number, inner: number, k: number, out: TypedArray, zeroFirst = false): void {
  const width = indexWidth(src, out, index);
  if (width === 0) return jsBackend.scatterAdd(src, index, outer, inner, k, out, zeroFirst);
  scatterAddThreaded(width === 8, src.byteOffset, index.byteOffset, outer, inner, k, out.byteOffset, zeroFirst);
}

export function gather(x: TypedArray, index: Int32Array, outer: number, inner: number, k: number, out: TypedArray): void {
  const width = indexWidth(x, out, index);
  if (width === 0) return jsBackend.gather(x, index, outer, inner, k, out);
  (width === 8 ? kernels.gather64 : kernels.gather)(x.byteOffset, index.byteOffset, outer, inner, k, out.byteOffset);
}
