/** Batched float32 matmul on the wasm GEMM (assembly/matmul.ts); transposes are read through strides. */
import type { MatmulArgs } from "../backend.js";
import { jsBackend } from "../js/index.js";
import { allocBytes } from "./heap.js";
import { kernels } from "./instance.js";
import { matmulThreaded } from "./pool.js";
import { Scratch } from "./operands.js";

/** Below this many multiply-adds the JS loop is as fast (no packing). */
const MIN_MACS = 512;

/** The GEMM's packing buffers, allocated once and kept. */
let work = -1;

/** The caller's GEMM packing buffers (for kernels that call matmulThreaded themselves). */
export function gemmWork(): number {
  if (work < 0) work = allocBytes(kernels.workBytes(), true)!.ptr;
  return work;
}

export function matmul(args: MatmulArgs): void {
  const { a, b, out, batchShape, m, k, n } = args;
  if (
    !(a.data instanceof Float32Array) ||
    !(b.data instanceof Float32Array) ||
    !(out instanceof Float32Array) ||
    m * n * k < MIN_MACS
  ) {
    return jsBackend.matmul(args);
  }
  if (k === 0) {
    out.fill(0, 0, batchShape.reduce((p, s) => p * s, 1) * m * n);
    return;
  }
  gemmWork();
  const scratch = new Scratch();
  try {
    const as = scratch.input(a);
    const bs = scratch.input(b);
    const o = scratch.output(out);
    const nb = batchShape.length;
    const [sam, sak] = [as.strides[nb]!, as.strides[nb + 1]!];
    const [sbk, sbn] = [bs.strides[nb]!, bs.strides[nb + 1]!];
    const batches = batchShape.reduce((p, s) => p * s, 1);
    const counter = new Array<number>(nb).fill(0);
    for (let batch = 0; batch < batches; batch++) {
      let offA = 0;
      let offB = 0;
      for (let d = 0; d < nb; d++) {
        offA += counter[d]! * as.strides[d]!;
        offB += counter[d]! * bs.strides[d]!;
      }
      const pc = o.ptr + 4 * batch * m * n;
      matmulThreaded(as.ptr + 4 * offA, sam, sak, bs.ptr + 4 * offB, sbk, sbn, pc, n, m, k, n, work);
      for (let d = nb - 1; d >= 0; d--) {
        if (++counter[d]! < batchShape[d]!) break;
        counter[d] = 0;
      }
    }
    o.done();
  } finally {
    scratch.release();
  }
}
