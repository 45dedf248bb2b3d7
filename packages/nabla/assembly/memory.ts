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
 * dst[view] = src[view] over an n-d view of T (f32 or f64): meta holds ndim int32 sizes, then
 * src's and dst's element strides (ndim each). The innermost dim is walked here too, so short
 * rows cost no calls.
 */
// @ts-ignore: decorator
@inline function copyView<T>(src: usize, dst: usize, ndim: i32, meta: usize): void {
  const shift: usize = sizeof<T>() == 8 ? 3 : 2;
  if (ndim == 0) {
    store<T>(dst, load<T>(src));
    return;
  }
  const last = ndim - 1;
  const n = load<i32>(meta + (<usize>last << 2));
  const ss = load<i32>(meta + (<usize>(ndim + last) << 2));
  const ds = load<i32>(meta + (<usize>(2 * ndim + last) << 2));
  const rowBytes = <usize>n << shift;
  // A transpose (the source strided along the innermost dim and unit-stride along the one before,
  // the destination the other way round) goes in 8×8 tiles of those two dims, so that reads and
  // writes each stay within a few cache lines instead of one strided column at a time.
  let rows = 0;
  let rd = 0;
  if (ndim >= 2 && ds == 1 && ss != 1 && n >= 8 && load<i32>(meta + (<usize>(ndim + last - 1) << 2)) == 1) {
    rows = load<i32>(meta + (<usize>(last - 1) << 2));
    rd = load<i32>(meta + (<usize>(2 * ndim + last - 1) << 2));
  }
  const tiled = rows >= 8;
  // the dims walked per step: the innermost, or the innermost two when tiled
  const outer = tiled ? last - 1 : last;
  // counters for the outer dims live after the meta block
  const counter = meta + (<usize>(3 * ndim) << 2);
  for (let d = 0; d < outer; d++) store<i32>(counter + (<usize>d << 2), 0);
  let so: isize = 0;
  let dO: isize = 0;
  for (;;) {
    const ps = src + <usize>(so << shift);
    const pd = dst + <usize>(dO << shift);
    if (tiled) {
      for (let r0 = 0; r0 < rows; r0 += 8) {
        const r1 = min(r0 + 8, rows);
        for (let c0 = 0; c0 < n; c0 += 8) {
          const c1 = min(c0 + 8, n);
          for (let r = r0; r < r1; r++) {
            const drow = pd + <usize>(<isize>(r * rd) << shift);
            for (let c = c0; c < c1; c++) store<T>(drow + (<usize>c << shift), load<T>(ps + <usize>(<isize>(r + c * ss) << shift)));
          }
        }
      }
    } else if (ss == 1 && ds == 1) {
      if (rowBytes >= 256) {
        memory.copy(pd, ps, rowBytes);
      } else {
        // short rows (im2col windows): a call to memmove each costs more than the move
        let b: usize = 0;
        for (; b + 16 <= rowBytes; b += 16) v128.store(pd + b, v128.load(ps + b));
        for (; b < rowBytes; b += sizeof<T>()) store<T>(pd + b, load<T>(ps + b));
      }
    } else {
      for (let i = 0; i < n; i++) store<T>(pd + <usize>(<isize>(i * ds) << shift), load<T>(ps + <usize>(<isize>(i * ss) << shift)));
    }
    // advance the outer counters like an odometer
    let d = outer - 1;
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

/** copyView over float32 elements. */
export function copyND(src: usize, dst: usize, ndim: i32, meta: usize): void {
  copyView<f32>(src, dst, ndim, meta);
}

/** copyView over float64 elements. */
export function copyND64(src: usize, dst: usize, ndim: i32, meta: usize): void {
  copyView<f64>(src, dst, ndim, meta);
}

/** out[o, index[o, j]] += src[o, j] for T src [outer, k], int32 index [outer, k], out [outer, inner]. */
// @ts-ignore: decorator
@inline function scatterAddT<T>(src: usize, index: usize, outer: i32, inner: i32, k: i32, out: usize): void {
  const shift: usize = sizeof<T>() == 8 ? 3 : 2;
  for (let o = 0; o < outer; o++) {
    const row = out + ((<usize>o * <usize>inner) << shift);
    const base = <usize>o * <usize>k;
    for (let j = 0; j < k; j++) {
      const at = row + (<usize>load<i32>(index + ((base + j) << 2)) << shift);
      store<T>(at, load<T>(at) + load<T>(src + ((base + j) << shift)));
    }
  }
}

/** out[o, j] = x[o, index[o, j]] for T x [outer, inner], int32 index [outer, k], out [outer, k]. */
// @ts-ignore: decorator
@inline function gatherT<T>(x: usize, index: usize, outer: i32, inner: i32, k: i32, out: usize): void {
  const shift: usize = sizeof<T>() == 8 ? 3 : 2;
  for (let o = 0; o < outer; o++) {
    const row = x + ((<usize>o * <usize>inner) << shift);
    const base = <usize>o * <usize>k;
    for (let j = 0; j < k; j++) {
      store<T>(out + ((base + j) << shift), load<T>(row + (<usize>load<i32>(index + ((base + j) << 2)) << shift)));
    }
  }
}

/** scatterAddT over float32 elements. */
export function scatterAdd(src: usize, index: usize, outer: i32, inner: i32, k: i32, out: usize): void {
  scatterAddT<f32>(src, index, outer, inner, k, out);
}

/** scatterAddT over float64 elements. */
export function scatterAdd64(src: usize, index: usize, outer: i32, inner: i32, k: i32, out: usize): void {
  scatterAddT<f64>(src, index, outer, inner, k, out);
}

/** gatherT over float32 elements. */
export function gather(x: usize, index: usize, outer: i32, inner: i32, k: i32, out: usize): void {
  gatherT<f32>(x, index, outer, inner, k, out);
}

/** gatherT over float64 elements. */
export function gather64(x: usize, index: usize, outer: i32, inner: i32, k: i32, out: usize): void {
  gatherT<f64>(x, index, outer, inner, k, out);
}
