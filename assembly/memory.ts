// Bulk moves inside the wasm memory. JS's TypedArray.set and fill on shared memory take a slow
// element-wise path; memory.copy and memory.fill run at memcpy speed.

/** dst[i] = src[i·step] for n floats; step 1 is a plain memmove. */
export function copyF32(src: usize, step: i32, dst: usize, n: i32): void {
  if (step == 1) {
    memory.copy(dst, src, <usize>n << 2);
    return;
  }
  const stride = <usize>step << 2;
  for (let i = 0; i < n; i++) {
    store<f32>(dst + (<usize>i << 2), load<f32>(src));
    src += stride;
  }
}

/** Zeroes n bytes at ptr. */
export function zeroBytes(ptr: usize, n: usize): void {
  memory.fill(ptr, 0, n);
}

/**
 * dst[view] = src[view] over an n-d view: meta holds ndim int32 sizes, then src's and dst's
 * element strides (ndim each). The innermost dim is walked here too, so short rows cost no calls.
 */
export function copyND(src: usize, dst: usize, ndim: i32, meta: usize): void {
  if (ndim == 0) {
    store<f32>(dst, load<f32>(src));
    return;
  }
  const last = ndim - 1;
  const n = load<i32>(meta + (<usize>last << 2));
  const ss = load<i32>(meta + (<usize>(ndim + last) << 2));
  const ds = load<i32>(meta + (<usize>(2 * ndim + last) << 2));
  // counters for the outer dims live after the meta block
  const counter = meta + (<usize>(3 * ndim) << 2);
  for (let d = 0; d < last; d++) store<i32>(counter + (<usize>d << 2), 0);
  let so: isize = 0;
  let dO: isize = 0;
  for (;;) {
    const ps = src + <usize>(so << 2);
    const pd = dst + <usize>(dO << 2);
    if (ss == 1 && ds == 1) {
      if (n >= 64) {
        memory.copy(pd, ps, <usize>n << 2);
      } else {
        // short rows (im2col windows): a call to memmove each costs more than the move
        let i = 0;
        for (; i + 4 <= n; i += 4) v128.store(pd + (<usize>i << 2), v128.load(ps + (<usize>i << 2)));
        for (; i < n; i++) store<f32>(pd + (<usize>i << 2), load<f32>(ps + (<usize>i << 2)));
      }
    } else {
      for (let i = 0; i < n; i++) store<f32>(pd + <usize>(<isize>(i * ds) << 2), load<f32>(ps + <usize>(<isize>(i * ss) << 2)));
    }
    // advance the outer counters like an odometer
    let d = last - 1;
    for (; d >= 0; d--) {
      const c = counter + (<usize>d << 2);
      const size = load<i32>(meta + (<usize>d << 2));
      const sStride = load<i32>(meta + (<usize>(ndim + d) << 2));
      const dStride = load<i32>(meta + (<usize>(2 * ndim + d) << 2));
      const k = load<i32>(c) + 1;
      so += sStride;
      dO += dStride;
      if (k < size) {
        store<i32>(c, k);
        break;
      }
      store<i32>(c, 0);
      so -= <isize>sStride * size;
      dO -= <isize>dStride * size;
    }
    if (d < 0) return;
  }
}

/** out[o, index[o, j]] += src[o, j] for float32 src [outer, k], int32 index [outer, k], out [outer, inner]. */
export function scatterAdd(src: usize, index: usize, outer: i32, inner: i32, k: i32, out: usize): void {
  for (let o = 0; o < outer; o++) {
    const row = out + ((<usize>o * <usize>inner) << 2);
    const base = <usize>o * <usize>k;
    for (let j = 0; j < k; j++) {
      const at = row + (<usize>load<i32>(index + ((base + j) << 2)) << 2);
      store<f32>(at, load<f32>(at) + load<f32>(src + ((base + j) << 2)));
    }
  }
}

/** out[o, j] = x[o, index[o, j]] for float32 x [outer, inner], int32 index [outer, k], out [outer, k]. */
export function gather(x: usize, index: usize, outer: i32, inner: i32, k: i32, out: usize): void {
  for (let o = 0; o < outer; o++) {
    const row = x + ((<usize>o * <usize>inner) << 2);
    const base = <usize>o * <usize>k;
    for (let j = 0; j < k; j++) {
      store<f32>(out + ((base + j) << 2), load<f32>(row + (<usize>load<i32>(index + ((base + j) << 2)) << 2)));
    }
  }
}
