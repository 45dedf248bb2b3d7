/**
 * Float operands as the kernels see them: a byte address in wasm memory plus element strides.
 * Storage allocated by this backend is already there (no copy); anything else (arrays made
 * before the backend was chosen, or past the heap budget) is copied into scratch blocks that
 * are freed as soon as the kernel returns.
 */
import type { StridedView } from "../backend.js";
import { copy as wasmCopy } from "./copy.js";
import { contiguousStrides, numelOf } from "../../tensor/shape.js";
import { allocBytes, float32At, float64At, freeBlock, inHeap, type Block } from "./heap.js";

export interface Operand {
  readonly ptr: number;
  readonly strides: readonly number[];
}

export class Scratch {
  private readonly blocks: Block[] = [];

  /** A float32 array of `length` in wasm memory, valid until release(). */
  take(length: number): Float32Array {
    const block = allocBytes(Math.max(1, length) * 4, true, "kernel scratch")!;
    this.blocks.push(block);
    return float32At(block.ptr, length);
  }

  /** A float64 array of `length` in wasm memory, valid until release(). */
  take64(length: number): Float64Array {
    const block = allocBytes(Math.max(1, length) * 8, true, "kernel scratch")!;
    this.blocks.push(block);
    return float64At(block.ptr, length);
  }

  /**
   * A view's elements in wasm memory: in place when they are there already (and, with
   * `unitInner`, walked with step 0 or 1 along the innermost run), else a contiguous copy.
   */
  input(view: StridedView, unitInner = false): Operand {
    const data = view.data;
    if (data instanceof Float64Array) return this.input64(view, unitInner);
    if (inHeap(data) && (!unitInner || innerStepOk(view))) return { ptr: data.byteOffset + 4 * view.offset, strides: view.strides };
    const numel = numelOf(view.shape);
    const span = spanOf(view);
    if (!inHeap(data) && data instanceof Float32Array && span > 0 && span <= numel && (!unitInner || innerStepOk(view))) {
      // a broadcast (a bias against a batch) or dense view from outside: move its storage, not every element
      const tmp = this.take(span);
      tmp.set(data.subarray(view.offset, view.offset + span));
      return { ptr: tmp.byteOffset, strides: view.strides };
    }
    const tmp = this.take(numel);
    wasmCopy(view, tmp);
    return { ptr: tmp.byteOffset, strides: contiguousStrides(view.shape) };
  }

  /** A float64 view's elements in wasm memory (in place, or staged as float32 views are; see input). */
  private input64(view: StridedView, unitInner: boolean): Operand {
    const data = view.data;
    if (inHeap(data) && (!unitInner || innerStepOk(view))) return { ptr: data.byteOffset + 8 * view.offset, strides: view.strides };
    const numel = numelOf(view.shape);
    const span = spanOf(view);
    if (!inHeap(data) && span > 0 && span <= numel && (!unitInner || innerStepOk(view))) {
      const tmp = this.take64(span);
      tmp.set(data.subarray(view.offset, view.offset + span));
      return { ptr: tmp.byteOffset, strides: view.strides };
    }
    const tmp = this.take64(numel);
    wasmCopy(view, tmp);
    return { ptr: tmp.byteOffset, strides: contiguousStrides(view.shape) };
  }

  /** Where a kernel should write `out`; call `done()` after the kernel to copy back if it was staged. */
  output(out: Float32Array | Float64Array): { ptr: number; done(): void } {
    if (inHeap(out)) return { ptr: out.byteOffset, done() {} };
    const tmp = out instanceof Float64Array ? this.take64(out.length) : this.take(out.length);
    return { ptr: tmp.byteOffset, done: () => out.set(tmp) };
  }

  release(): void {
    for (const b of this.blocks) freeBlock(b.ptr);
    this.blocks.length = 0;
  }
}

/** Whether the view's innermost (coalesced) run has step 0 or 1, which the elementwise kernels take. */
function innerStepOk(view: StridedView): boolean {
  // coalesce's innermost run steps by the stride of the last dim that is not size 1 (merging keeps
  // the inner stride), so find that dim without building the coalesced arrays on every op input
  let d = view.shape.length - 1;
  while (d >= 0 && view.shape[d] === 1) d--;
  if (d < 0) return true;
  const step = view.strides[d]!;
  return step === 0 || step === 1;
}


/** How many elements from the view's offset its last element lies, plus one; 0 with a negative stride or no elements. */
function spanOf(view: StridedView): number {
  let span = 1;
  for (let d = 0; d < view.shape.length; d++) {
    const size = view.shape[d]!;
    const stride = view.strides[d]!;
    if (size === 0 || stride < 0) return 0;
    span += (size - 1) * stride;
  }
  return span;
}
