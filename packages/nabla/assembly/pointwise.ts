// Pointwise kernels over n-d broadcast views. Which expression runs is `code`, a number the build
// assigned to each declared op's kernels (assembly/codegen.mjs); the per-expression row loops are
// generated into pointwise.generated.ts. This file only walks the outer dims.
import { rowF32, rowF64 } from "./pointwise.generated";

/**
 * out = kernel(x0, x1, x2) for up to three inputs broadcast over an n-d shape, out contiguous.
 * meta holds ndim int32 sizes, then each input's element strides (ndim each; unused inputs
 * anything), then room for ndim counters. Each input's innermost stride is 0 or 1.
 * `params` points at the kernel's scalar parameters (f32 or f64, as the kernel's type).
 */
function walk(wide: bool, code: i32, ndim: i32, meta: usize, x0: usize, x1: usize, x2: usize, out: usize, params: usize): void {
  const shift: usize = wide ? 3 : 2;
  if (ndim == 0) {
    row(wide, code, x0, 0, x1, 0, x2, 0, out, 1, params);
    return;
  }
  const last = ndim - 1;
  const n = load<i32>(meta + (<usize>last << 2));
  const s0 = load<i32>(meta + (<usize>(ndim + last) << 2));
  const s1 = load<i32>(meta + (<usize>(2 * ndim + last) << 2));
  const s2 = load<i32>(meta + (<usize>(3 * ndim + last) << 2));
  const counter = meta + (<usize>(4 * ndim) << 2);
  for (let d = 0; d < last; d++) store<i32>(counter + (<usize>d << 2), 0);
  let o0: isize = 0;
  let o1: isize = 0;
  let o2: isize = 0;
  let po = out;
  for (;;) {
    row(wide, code, x0 + <usize>(o0 << shift), s0, x1 + <usize>(o1 << shift), s1, x2 + <usize>(o2 << shift), s2, po, n, params);
    po += <usize>n << shift;
    let d = last - 1;
    for (; d >= 0; d--) {
      const c = counter + (<usize>d << 2);
      const size = load<i32>(meta + (<usize>d << 2));
      const t0 = load<i32>(meta + (<usize>(ndim + d) << 2));
      const t1 = load<i32>(meta + (<usize>(2 * ndim + d) << 2));
      const t2 = load<i32>(meta + (<usize>(3 * ndim + d) << 2));
      const k = load<i32>(c) + 1;
      o0 += t0;
      o1 += t1;
      o2 += t2;
      if (k < size) {
        store<i32>(c, k);
        break;
      }
      store<i32>(c, 0);
      o0 -= <isize>t0 * size;
      o1 -= <isize>t1 * size;
      o2 -= <isize>t2 * size;
    }
    if (d < 0) return;
  }
}

// @ts-ignore: decorator
@inline function row(wide: bool, code: i32, x0: usize, s0: i32, x1: usize, s1: i32, x2: usize, s2: i32, out: usize, n: i32, params: usize): void {
  if (wide) rowF64(code, x0, s0, x1, s1, x2, s2, out, n, params);
  else rowF32(code, x0, s0, x1, s1, x2, s2, out, n, params);
}

/** A float32 pointwise kernel (see walk). */
export function pointwiseF32(code: i32, ndim: i32, meta: usize, x0: usize, x1: usize, x2: usize, out: usize, params: usize): void {
  walk(false, code, ndim, meta, x0, x1, x2, out, params);
}

/** A float64 pointwise kernel (see walk). */
export function pointwiseF64(code: i32, ndim: i32, meta: usize, x0: usize, x1: usize, x2: usize, out: usize, params: usize): void {
  walk(true, code, ndim, meta, x0, x1, x2, out, params);
}

/**
 * A dense pointwise run shared by several threads (src/backend/wasm/pool.ts writes the job): every
 * operand one contiguous run of `n` elements, cut into chunks of `size` that each thread takes off
 * the counter at byte 0. Ints from byte 4: chunks, size, wide, code, x0, x1, x2, out, n, params.
 */
export function pointwiseShared(job: usize): void {
  const chunks = load<i32>(job, 4);
  const size = load<i32>(job, 8);
  const wide = load<i32>(job, 12) != 0;
  const code = load<i32>(job, 16);
  const x0 = <usize>load<u32>(job, 20);
  const x1 = <usize>load<u32>(job, 24);
  const x2 = <usize>load<u32>(job, 28);
  const out = <usize>load<u32>(job, 32);
  const n = load<i32>(job, 36);
  const params = <usize>load<u32>(job, 40);
  const shift: usize = wide ? 3 : 2;
  for (;;) {
    const i = atomic.add<i32>(job, 1);
    if (i >= chunks) return;
    const from = i * size;
    // inputs the kernel does not read are address 0: left there, never read
    const q = <usize>from << shift;
    const a0 = x0 ? x0 + q : 0;
    const a1 = x1 ? x1 + q : 0;
    const a2 = x2 ? x2 + q : 0;
    row(wide, code, a0, 1, a1, 1, a2, 1, out + q, min(size, n - from), params);
  }
}
