// A scatterAdd (max pooling's backward) shared between threads: rows of the result are
// independent, so each chunk of rows is added in the one-thread kernel's order.
import { scatterAdd, scatterAdd64 } from "./memory";

/**
 * A thread's share of a scatterAdd job (written by src/backend/wasm/pool.ts: scatterAddThreaded):
 * chunks of whole rows o of out[o, index[o, j]] += src[o, j], each as scatterAdd (or
 * scatterAdd64) adds it alone, so the sums do not depend on how the rows were split; with `zero`
 * a chunk's rows are zeroed first (a result that holds nothing yet: zeroing it here, a chunk at a
 * time, spares a separate pass over it on the caller's thread). Job ints (byte offset): 0 counter,
 * 4 chunks, 8 rows a chunk, 12 float64?, 16 src, 20 index, 24 outer, 28 inner, 32 k, 36 out,
 * 40 zero, (60 the job's kind).
 */
export function scatterAddShared(job: usize): void {
  const chunks = load<i32>(job, 4), size = load<i32>(job, 8);
  const wide = load<i32>(job, 12) != 0;
  const src = <usize>load<u32>(job, 16), index = <usize>load<u32>(job, 20);
  const outer = load<i32>(job, 24), inner = load<i32>(job, 28), k = load<i32>(job, 32);
  const out = <usize>load<u32>(job, 36);
  const zero = load<i32>(job, 40) != 0;
  const shift: usize = wide ? 3 : 2;
  for (;;) {
    const i = atomic.add<i32>(job, 1);
    if (i >= chunks) return;
    const o0 = i * size;
    const rows = min(size, outer - o0);
    const dst = out + ((<usize>o0 * <usize>inner) << shift);
    if (zero) memory.fill(dst, 0, (<usize>rows * <usize>inner) << shift);
    const from = <usize>o0 * <usize>k;
    if (wide) scatterAdd64(src + (from << 3), index + (from << 2), rows, inner, k, dst);
    else scatterAdd(src + (from << 2), index + (from << 2), rows, inner, k, dst);
  }
}
