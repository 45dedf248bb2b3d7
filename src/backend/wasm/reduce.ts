/** Row reductions (sum, max) and softmax forward/backward in wasm, over contiguous [outer, inner] blocks. */
import type { ArgReduceOp, ReduceOp } from "../backend.js";
import { jsBackend } from "../js/index.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { MIN_ELEMENTS } from "./elementwise.js";
import { kernels } from "./instance.js";
import { inHeap } from "./heap.js";
import { Scratch } from "./operands.js";

/** A contiguous float32 block's address in wasm memory, staged through scratch if it lives elsewhere. */
function block(scratch: Scratch, data: Float32Array, length: number): number {
  return scratch.input({ data, shape: [length], strides: [1], offset: 0 }).ptr;
}

function worthIt(outer: number, inner: number, ...arrays: TypedArray[]): boolean {
  return inner > 0 && outer * inner >= MIN_ELEMENTS && arrays.every((a) => a instanceof Float32Array);
}

export function reduce(op: ReduceOp, x: TypedArray, outer: number, inner: number, out: TypedArray): void {
  if ((op !== "sum" && op !== "max") || !worthIt(outer, inner, x, out)) return jsBackend.reduce(op, x, outer, inner, out);
  const scratch = new Scratch();
  try {
    const px = block(scratch, x as Float32Array, outer * inner);
    const o = scratch.output((out as Float32Array).subarray(0, outer));
    (op === "sum" ? kernels.sumRows : kernels.maxRows)(px, outer, inner, o.ptr);
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
  if (!worthIt(outer, inner, x, values)) return jsBackend.argReduce(op, x, outer, inner, values, indices);
  const scratch = new Scratch();
  try {
    const px = block(scratch, x as Float32Array, outer * inner);
    const v = scratch.output((values as Float32Array).subarray(0, outer));
    // indices are int32: staged the same way through a float32 scratch of the same size
    const idx = inHeap(indices) ? null : scratch.take(outer);
    const pi = idx === null ? indices.byteOffset : idx.byteOffset;
    kernels.argRows(px, outer, inner, v.ptr, pi, op === "max" ? 1 : 0);
    v.done();
    if (idx !== null) indices.set(new Int32Array(idx.buffer, idx.byteOffset, outer));
  } finally {
    scratch.release();
  }
}

/** The fused softmax forward (the reference is in src/ops/softmax.ts); declines what is not float32 or too small. */
export function softmax(x: TypedArray, outer: number, inner: number, out: TypedArray, log: boolean): boolean {
  if (!worthIt(outer, inner, x, out)) return false;
  const scratch = new Scratch();
  try {
    const px = block(scratch, x as Float32Array, outer * inner);
    const o = scratch.output((out as Float32Array).subarray(0, outer * inner));
    kernels.softmax(px, outer, inner, o.ptr, log ? 1 : 0);
    o.done();
    return true;
  } finally {
    scratch.release();
  }
}
