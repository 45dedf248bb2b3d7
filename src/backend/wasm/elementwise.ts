/** Unary and binary float32 maps in wasm; views whose innermost run is strided go to the JS kernels. */
import type { BinaryOp, StridedView, UnaryOp } from "../backend.js";
import { jsBackend } from "../js/index.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { numelOf } from "../../tensor/shape.js";
import { kernels } from "./instance.js";
import { BINARY_CODE, UNARY_CODE } from "./opcodes.js";
import { Scratch } from "./operands.js";
import { MAX_DIMS, writeMeta } from "./meta.js";
import { coalesce, forEachRow } from "../js/iterate.js";

/** Below this many elements the JS loop wins: a wasm call and its set-up cost more than the work. */
export const MIN_ELEMENTS = 64;

export function unary(op: UnaryOp, x: StridedView, out: TypedArray, alpha = 0, beta = 0): void {
  const code = UNARY_CODE[op];
  if (code === undefined || !(x.data instanceof Float32Array) || !(out instanceof Float32Array) || out.length < MIN_ELEMENTS) {
    return jsBackend.unary(op, x, out, alpha, beta);
  }
  const scratch = new Scratch();
  try {
    // a strided innermost run is first gathered into a contiguous copy
    const xs = scratch.input(x, true);
    const o = scratch.output(out);
    // staging may have made x contiguous: re-coalesce with the operand's own strides
    const [cs, [st]] = coalesce(x.shape, [xs.strides]);
    if (cs.length > 0 && st![cs.length - 1] !== 1) return jsBackend.unary(op, x, out, alpha, beta); // a broadcast (step 0) input
    forEachRow(cs, [st!], [0], (start, [off], _step, n) => kernels.unary(code, xs.ptr + 4 * off!, o.ptr + 4 * start, n, alpha));
    o.done();
  } finally {
    scratch.release();
  }
}

export function binary(op: BinaryOp, a: StridedView, b: StridedView, out: TypedArray, alpha = 0): void {
  const code = BINARY_CODE[op];
  if (
    code === undefined ||
    !(a.data instanceof Float32Array) ||
    !(b.data instanceof Float32Array) ||
    !(out instanceof Float32Array) ||
    numelOf(a.shape) < MIN_ELEMENTS
  ) {
    return jsBackend.binary(op, a, b, out, alpha);
  }
  const scratch = new Scratch();
  try {
    const as = scratch.input(a, true);
    const bs = scratch.input(b, true);
    const [shape, [sa, sb]] = coalesce(a.shape, [as.strides, bs.strides]);
    const last = shape.length - 1;
    // the kernel walks each operand with step 1 or 0 (broadcast) along the innermost run
    if (last >= 0 && (sa![last]! > 1 || sa![last]! < 0 || sb![last]! > 1 || sb![last]! < 0)) {
      return jsBackend.binary(op, a, b, out, alpha);
    }
    if (shape.length > MAX_DIMS) return jsBackend.binary(op, a, b, out, alpha);
    const o = scratch.output(out);
    kernels.binaryND(code, as.ptr, bs.ptr, o.ptr, shape.length, writeMeta(shape, sa!, sb!), alpha);
    o.done();
  } finally {
    scratch.release();
  }
}
