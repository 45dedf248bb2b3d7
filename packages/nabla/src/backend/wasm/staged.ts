/**
 * Running a wasm kernel over whole arrays that may lie outside wasm memory (a small bias stays on
 * the JS heap): inputs are staged into scratch, outputs written there and copied back. The fused
 * recurrent cells (lstm-cell.ts, gru-cell.ts) take their arrays this way (runStaged); batch norm,
 * called with small arrays many times a step, through a Staging directly (no closures, no lists).
 */
import type { TypedArray } from "../../tensor/dtype.js";
import { inHeap } from "./heap.js";
import { Scratch } from "./operands.js";

/** Addresses of whole float arrays for one kernel call: in place where they lie in wasm memory, else copies in scratch. */
export class Staging {
  private readonly scratch = new Scratch();
  /** Outputs staged: each array and its copy, written back by done(). */
  private readonly back: TypedArray[] = [];

  /** The address of `a` (0 for null): its values are read (`read`) and/or written (`write`, copied back by done()). */
  at(a: TypedArray | null, read: boolean, write: boolean): number {
    if (a === null) return 0;
    if (inHeap(a)) return a.byteOffset;
    const copy = this.room(a.length, a instanceof Float64Array);
    if (read) copy.set(a);
    if (write) this.back.push(a, copy);
    return copy.byteOffset;
  }

  /** Room for `length` values (float64 where `wide`), valid until done(); contents undefined. */
  room(length: number, wide: boolean): TypedArray {
    return wide ? this.scratch.take64(length) : this.scratch.take(length);
  }

  /** After the kernel: the staged outputs copied back, the scratch freed. */
  done(): void {
    try {
      for (let i = 0; i < this.back.length; i += 2) this.back[i]!.set(this.back[i + 1]!);
    } finally {
      this.scratch.release();
    }
  }

  /** The scratch freed without copying back (the kernel threw). */
  abandon(): void {
    this.scratch.release();
  }
}

/** 4 or 8 where every array (null: absent) is float32 or float64 alike, else 0. */
export function widthOf(...arrays: (TypedArray | null)[]): 0 | 4 | 8 {
  const present = arrays.filter((a): a is TypedArray => a !== null);
  if (present.every((a) => a instanceof Float32Array)) return 4;
  if (present.every((a) => a instanceof Float64Array)) return 8;
  return 0;
}

/**
 * Calls `kernel` with the addresses of `inputs` (0 for an absent one) and then of `outputs`,
 * staging what lies outside wasm memory; the outputs are copied back once it returns.
 */
export function runStaged(inputs: readonly (TypedArray | null)[], outputs: readonly TypedArray[], kernel: (inputs: number[], outputs: number[]) => void): void {
  const scratch = new Scratch();
  try {
    const staged = outputs.map((o) => scratch.output(o as Float32Array | Float64Array));
    const at = inputs.map((a) => (a === null ? 0 : scratch.input({ data: a, shape: [a.length], strides: [1], offset: 0 }).ptr));
    kernel(at, staged.map((o) => o.ptr));
    for (const o of staged) o.done();
  } finally {
    scratch.release();
  }
}
