/**
 * Batched float32 and float64 matmul on the wasm GEMMs (assembly/matmul.ts, matmul64.ts);
 * transposes are read through strides. Mixed or other dtypes go to the JS kernel.
 */
import type { MatmulArgs } from "../backend.js";
import { jsBackend } from "../js/index.js";
import { allocBytes } from "./heap.js";
import { matmulThreaded, workBytes } from "./pool.js";
import { Scratch } from "./operands.js";

/** Below this many multiply-adds the JS loop is as fast (no packing). */
const MIN_MACS = 512;

/** The GEMMs' packing buffers (one size serves both), allocated once and kept. */
let work = -1;

/** The caller's GEMM packing buffers (for kernels that call matmulThreaded themselves). */
export function gemmWork(): number {
  if (work < 0) work = allocBytes(workBytes(), true)!.ptr;
  return work;
}

/** The element width the wasm GEMMs take for these operands: 4, 8, or 0 for none. */
function widthOf({ a, b, out }: MatmulArgs): 0 | 4 | 8 {
  if (a.data instanceof Float32Array && b.data instanceof Float32Array && out instanceof Float32Array) return 4;
  if (a.data instanceof Float64Array && b.data instanceof Float64Array && out instanceof Float64Array) return 8;
  return 0;
}

export function matmul(args: MatmulArgs): void {
  const { a, b, out, batchShape, m, k, n } = args;
  const width = widthOf(args);
  if (width === 0 || m * n * k < MIN_MACS) return jsBackend.matmul(args);
  if (k === 0) {
    out.fill(0, 0, batchShape.reduce((p, s) => p * s, 1) * m * n);
    return;
  }
  gemmWork();
  const scratch = new Scratch();
  try {
    const as = scratch.input(a);
    const bs = scratch.input(b);
    const o = scratch.output(out as Float32Array | Float64Array);
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
      const pc = o.ptr + width * batch * m * n;
      matmulThreaded(as.ptr + width * offA, sam, sak, bs.ptr + width * offB, sbk, sbn, pc, n, m, k, n, work, false, width === 8, true);
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
