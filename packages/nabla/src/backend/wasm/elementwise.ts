/**
 * Pointwise kernels in wasm: every kernel expression the build generated (the declared ops' forward
 * and backward kernels, assembly/codegen.mjs) runs there in float32 or float64 SIMD, looked up by
 * its key. Other expressions (a backward of a backward), other dtypes, mixed float types, tiny
 * tensors and views whose innermost run is strided where staging would cost more than it saves go
 * to the JS kernels.
 */
import type { StridedView } from "../backend.js";
import { jsBackend } from "../js/index.js";
import type { TypedArray } from "../../tensor/dtype.js";
import type { Kernel } from "../../ops/pointwise/plan.js";
import { allocBytes, heapBuffer, isHeapBuffer } from "./heap.js";
import { kernels, memory } from "./instance.js";
import { MAX_DIMS, writeMeta, writeRowMeta } from "./meta.js";
import { Scratch } from "./operands.js";
import { PARALLEL_POINTWISE, pointwiseThreaded } from "./pool.js";
import { POINTWISE_KEYS } from "./pointwise-keys.generated.js";
import { coalesce } from "../js/iterate.js";

/** Below this many elements the JS loop wins: a wasm call and its set-up cost more than the work. */
export const MIN_ELEMENTS = 64;

const codes = new Map(POINTWISE_KEYS.map((key, code) => [key, code]));

/** The most scalar parameters a kernel reads (the declarations use at most two, plus number operands). */
const MAX_PARAMS = 8;
let paramBlock = 0;
/** Views of the parameter block, remade when the memory grows (its buffer object changes). */
let params32: Float32Array<ArrayBufferLike> = new Float32Array(0);
let params64: Float64Array<ArrayBufferLike> = new Float64Array(0);

function writeParams(params: readonly number[], wide: boolean): number {
  if (params.length === 0) return paramBlock;
  if (paramBlock === 0) paramBlock = allocBytes(8 * MAX_PARAMS, true)!.ptr;
  if (params64.buffer !== memory.buffer) {
    params32 = new Float32Array(memory.buffer, paramBlock, MAX_PARAMS);
    params64 = new Float64Array(memory.buffer, paramBlock, MAX_PARAMS);
  }
  (wide ? params64 : params32).set(params);
  return paramBlock;
}

/** Each kernel's code in the build's table (undefined: no wasm kernel), by kernel object: cheaper than its key string. */
const codeOfKernel = new Map<Kernel, number | undefined>();

function codeOf(kernel: Kernel): number | undefined {
  let code = codeOfKernel.get(kernel);
  if (code === undefined && !codeOfKernel.has(kernel)) codeOfKernel.set(kernel, (code = codes.get(kernel.key)));
  return code;
}

/** Whether a view is `numel` elements stored one after another in the heap (size-1 dims aside). */
function denseInHeap(view: StridedView, numel: number): boolean {
  // the buffer read here, not through inHeap(): this load sees float arrays only, and stays fast
  const b = (view.data as Float32Array | Float64Array).buffer;
  if (b !== heapBuffer() && !isHeapBuffer(b)) return false;
  const shape = view.shape;
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    if (size !== 1 && view.strides[d] !== expected) return false;
    expected *= size;
  }
  return expected === numel;
}

export function pointwise(kernel: Kernel, inputs: readonly StridedView[], out: TypedArray, params: readonly number[]): void {
  const code = codeOf(kernel);
  const wide = out instanceof Float64Array;
  const n = out.length;
  if (code === undefined || !(wide || out instanceof Float32Array) || n < MIN_ELEMENTS || params.length > MAX_PARAMS || inputs.length > 3) {
    return jsBackend.pointwise(kernel, inputs, out, params);
  }
  const outBuffer = (out as Float32Array | Float64Array).buffer;
  let dense = outBuffer === heapBuffer() || isHeapBuffer(outBuffer);
  for (let i = 0; i < inputs.length; i++) {
    const data = inputs[i]!.data;
    if (wide ? !(data instanceof Float64Array) : !(data instanceof Float32Array)) return jsBackend.pointwise(kernel, inputs, out, params);
    if (dense) dense = denseInHeap(inputs[i]!, n);
  }
  if (dense) {
    // the common case: every operand one dense run in the heap, walked as a single row
    const bytes = wide ? 8 : 4;
    const v0 = inputs[0];
    const v1 = inputs[1];
    const v2 = inputs[2];
    const p0 = v0 === undefined ? 0 : v0.data.byteOffset + bytes * v0.offset;
    const p1 = v1 === undefined ? 0 : v1.data.byteOffset + bytes * v1.offset;
    const p2 = v2 === undefined ? 0 : v2.data.byteOffset + bytes * v2.offset;
    const p = writeParams(params, wide);
    // big runs are shared with the pool's helpers (both cores, as PyTorch's kernels past 32K elements)
    if (n >= PARALLEL_POINTWISE && pointwiseThreaded(code, wide, p0, p1, p2, out.byteOffset, n, p)) return;
    const meta = writeRowMeta(n);
    if (wide) kernels.pointwiseF64(code, 1, meta, p0, p1, p2, out.byteOffset, p);
    else kernels.pointwiseF32(code, 1, meta, p0, p1, p2, out.byteOffset, p);
    return;
  }
  const scratch = new Scratch();
  try {
    // a strided innermost run is first gathered into a contiguous copy
    const staged = inputs.map((v) => scratch.input(v, true));
    const [shape, strides] = coalesce(inputs[0]!.shape, staged.map((s) => s.strides));
    const last = shape.length - 1;
    if (shape.length > MAX_DIMS || (last >= 0 && strides.some((s) => s[last] !== 0 && s[last] !== 1))) {
      return jsBackend.pointwise(kernel, inputs, out, params);
    }
    const o = scratch.output(out as Float32Array | Float64Array);
    const [p0, p1, p2] = [staged[0]?.ptr ?? 0, staged[1]?.ptr ?? 0, staged[2]?.ptr ?? 0];
    const meta = writeMeta(shape, ...strides, ...Array.from({ length: 3 - strides.length }, () => shape.map(() => 0)));
    (wide ? kernels.pointwiseF64 : kernels.pointwiseF32)(code, shape.length, meta, p0, p1, p2, o.ptr, writeParams(params, wide));
    o.done();
  } finally {
    scratch.release();
  }
}
