/**
 * Row reductions (float32: sum, max; float64: sum, prod, max, min, logsumexp), arg-reductions
 * and the softmax forward in wasm, over contiguous [outer, inner] blocks. What is not float32 or
 * float64, mixes the two, or is too small goes to the JS kernels.
 */
import type { ArgReduceOp, ReduceOp } from "../backend.js";
import { jsBackend } from "../js/index.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { MIN_ELEMENTS } from "./elementwise.js";
import { kernels } from "./instance.js";
import { inHeap } from "./heap.js";
import { Scratch } from "./operands.js";
import { ROWS, rowsThreaded } from "./pool.js";

/** A contiguous float block's address in wasm memory, staged through scratch if it lives elsewhere. */
function block(scratch: Scratch, data: Float32Array | Float64Array, length: number): number {
  return scratch.input({ data, shape: [length], strides: [1], offset: 0 }).ptr;
}

/** The float width every array shares (4 or 8), or 0 where they differ or are not float. */
function widthOf(...arrays: TypedArray[]): 0 | 4 | 8 {
  if (arrays.every((a) => a instanceof Float32Array)) return 4;
  if (arrays.every((a) => a instanceof Float64Array)) return 8;
  return 0;
}

/** The float width to run in wasm, or 0 to leave the work to the JS kernels. */
function wasmWidth(outer: number, inner: number, ...arrays: TypedArray[]): 0 | 4 | 8 {
  return inner > 0 && outer * inner >= MIN_ELEMENTS ? widthOf(...arrays) : 0;
}

export function reduce(op: ReduceOp, x: TypedArray, outer: number, inner: number, out: TypedArray): void {
  const width = wasmWidth(outer, inner, x, out);
  if (width === 0 || (width === 4 && op !== "sum" && op !== "max")) return jsBackend.reduce(op, x, outer, inner, out);
  const scratch = new Scratch();
  try {
    const px = block(scratch, x as Float32Array | Float64Array, outer * inner);
    const o = scratch.output((out as Float32Array | Float64Array).subarray(0, outer));
    // every row kernel reduces its rows one by one: shared by rows where big enough
    const which = width === 4 ? (op === "sum" ? ROWS.sum : ROWS.max)
      : op === "sum" ? ROWS.sum64 : op === "prod" ? ROWS.prod64 : op === "logsumexp" ? ROWS.logsumexp64 : op === "max" ? ROWS.max64 : ROWS.min64;
    if (!rowsThreaded(which, px, outer, inner, o.ptr)) {
      if (width === 4) {
        (op === "sum" ? kernels.sumRows : kernels.maxRows)(px, outer, inner, o.ptr);
      } else if (op === "sum") {
        kernels.sumRows64(px, outer, inner, o.ptr);
      } else if (op === "prod") {
        kernels.prodRows64(px, outer, inner, o.ptr);
      } else if (op === "logsumexp") {
        kernels.logsumexpRows64(px, outer, inner, o.ptr);
      } else {
        kernels.extremeRows64(px, outer, inner, o.ptr, op === "max" ? 1 : 0);
      }
    }
    o.done();
  } finally {
    scratch.release();
  }
}

export function argReduce(
  op: ArgReduceOp,
  x: TypedArray,
  outer: number,
  inner: number,
  values: TypedArray,
  indices: Int32Array,
): void {
  const width = wasmWidth(outer, inner, x, values);
  if (width === 0) return jsBackend.argReduce(op, x, outer, inner, values, indices);
  const scratch = new Scratch();
  try {
    const px = block(scratch, x as Float32Array | Float64Array, outer * inner);
    const v = scratch.output((values as Float32Array | Float64Array).subarray(0, outer));
    // indices are int32: staged the same way through a float32 scratch of the same size
    const idx = inHeap(indices) ? null : scratch.take(outer);
    const pi = idx === null ? indices.byteOffset : idx.byteOffset;
    (width === 4 ? kernels.argRows : kernels.argRows64)(px, outer, inner, v.ptr, pi, op === "max" ? 1 : 0);
    v.done();
    if (idx !== null) indices.set(new Int32Array(idx.buffer, idx.byteOffset, outer));
  } finally {
    scratch.release();
  }
}

/** The fused softmax forward (the reference is in src/ops/softmax.ts); declines what is not float32/float64 or too small. */
export function softmax(x: TypedArray, outer: number, inner: number, out: TypedArray, log: boolean): boolean {
  const width = wasmWidth(outer, inner, x, out);
  if (width === 0) return false;
  const scratch = new Scratch();
  try {
    const px = block(scratch, x as Float32Array | Float64Array, outer * inner);
    const o = scratch.output((out as Float32Array | Float64Array).subarray(0, outer * inner));
    (width === 4 ? kernels.softmax : kernels.softmax64)(px, outer, inner, o.ptr, log ? 1 : 0);
    o.done();
    return true;
  } finally {
    scratch.release();
  }
}
