// Max pooling with indices over [N, C, H, W] windows (element strides s0..s3); padding is skipped.

/**
 * values/indices are contiguous [N, C, oH, oW]: each window's first NaN, else its first largest
 * element, and that element's position h·W + w in its input plane; `indices` 0 skips them (the
 * values of a pooling that no gradient will pass through).
 */
export function maxPool2d(
  x: usize, s0: i32, s1: i32, s2: i32, s3: i32,
  n: i32, c: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  oh: i32, ow: i32, values: usize, indices: usize,
): void {
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && s3 == 1 && 2 * oh <= h && 2 * ow <= w) {
    maxPool2x2(x, s0, s1, s2, n, c, w, oh, ow, values, indices);
    return;
  }
  maxPoolWindows<f32>(x, s0, s1, s2, s3, n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, values, indices);
}

/** maxPool2d over float64 [N, C, H, W]: values float64, indices int32, window by window. */
export function maxPool2d64(
  x: usize, s0: i32, s1: i32, s2: i32, s3: i32,
  n: i32, c: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  oh: i32, ow: i32, values: usize, indices: usize,
): void {
  maxPoolWindows<f64>(x, s0, s1, s2, s3, n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, values, indices);
}

/** Any window shape over elements of T (f32 or f64), one window at a time. */
// @ts-ignore: decorator
@inline function maxPoolWindows<T>(
  x: usize, s0: i32, s1: i32, s2: i32, s3: i32,
  n: i32, c: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  oh: i32, ow: i32, values: usize, indices: usize,
): void {
  const shift: usize = sizeof<T>() == 8 ? 3 : 2;
  let e: usize = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = x + ((<usize>b * <usize>s0 + <usize>ch * <usize>s1) << shift);
      for (let i = 0; i < oh; i++) {
        const h0 = i * sh - ph;
        for (let j = 0; j < ow; j++) {
          const w0 = j * sw - pw;
          let best: T = <T>NaN;
          let at = -1;
          for (let a = 0; a < kh; a++) {
            const hh = h0 + a * dh;
            if (hh < 0 || hh >= h) continue;
            const row = plane + (<usize>(hh * s2) << shift);
            for (let q = 0; q < kw; q++) {
              const ww = w0 + q * dw;
              if (ww < 0 || ww >= w) continue;
              const v = load<T>(row + (<usize>(ww * s3) << shift));
              // branch-free: random data makes "v > best" a coin toss for the branch predictor
              const take = (at < 0) | (v > best) | ((v != v) & (best == best));
              best = select<T>(v, best, take);
              at = select<i32>(hh * w + ww, at, take);
            }
          }
          store<T>(values + (e << shift), best);
          if (indices != 0) store<i32>(indices + (e << 2), at);
          e++;
        }
      }
    }
  }
}

/** The lanes where candidate v replaces the running best: the first NaN, else the first largest. */
// @ts-ignore: decorator
@inline
function pick(best: v128, v: v128): v128 {
  return v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
}

/** 2×2 windows at stride 2 over rows of unit stride, four outputs a vector; dilation is irrelevant. */
function maxPool2x2(x: usize, s0: i32, s1: i32, s2: i32, n: i32, c: i32, w: i32, oh: i32, ow: i32, values: usize, indices: usize): void {
  let e: usize = 0;
  const lanes = i32x4(0, 2, 4, 6);
  const one = i32x4.splat(1), below = i32x4.splat(w), belowNext = i32x4.splat(w + 1);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = x + ((<usize>b * <usize>s0 + <usize>ch * <usize>s1) << 2);
      for (let i = 0; i < oh; i++) {
        const r0 = plane + (<usize>(2 * i * s2) << 2);
        const r1 = plane + (<usize>((2 * i + 1) * s2) << 2);
        // whole vectors of 4 outputs; a ragged end of a row at least a vector wide is its last 4
        // outputs, recomputed where they overlap the vector before (the same windows, the same bits)
        let j = 0;
        for (; j < ow && ow >= 4; j += 4) {
          if (j + 4 > ow) j = ow - 4;
          const off = <usize>(2 * j) << 2;
          const a0 = v128.load(r0 + off);
          const a1 = v128.load(r0 + off, 16);
          const b0 = v128.load(r1 + off);
          const b1 = v128.load(r1 + off, 16);
          // window order: (0,0) (0,1) (1,0) (1,1)
          const v00 = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
          const v01 = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
          const v10 = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
          const v11 = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
          const i00 = i32x4.add(i32x4.splat(2 * i * w + 2 * j), lanes);
          // each row's pair, then the two rows: a tree of the same picks as the window order's
          // chain (a later candidate replaces an earlier one only where pick says so), two
          // dependent steps instead of three
          const t0 = pick(v00, v01);
          const top = v128.bitselect(v01, v00, t0);
          const atTop = v128.bitselect(i32x4.add(i00, one), i00, t0);
          const t1 = pick(v10, v11);
          const bottom = v128.bitselect(v11, v10, t1);
          const atBottom = v128.bitselect(i32x4.add(i00, belowNext), i32x4.add(i00, below), t1);
          const t = pick(top, bottom);
          const best = v128.bitselect(bottom, top, t);
          const at = v128.bitselect(atBottom, atTop, t);
          v128.store(values + ((e + <usize>j) << 2), best);
          if (indices != 0) v128.store(indices + ((e + <usize>j) << 2), at);
        }
        for (; j < ow; j++) {
          let best = load<f32>(r0 + (<usize>(2 * j) << 2));
          let at = 2 * i * w + 2 * j;
          for (let q = 1; q < 4; q++) {
            const v = load<f32>((q < 2 ? r0 : r1) + (<usize>(2 * j + (q & 1)) << 2));
            const take = (v > best) | ((v != v) & (best == best));
            best = select<f32>(v, best, take);
            at = select<i32>((2 * i + (q >> 1)) * w + 2 * j + (q & 1), at, take);
          }
          store<f32>(values + ((e + <usize>j) << 2), best);
          if (indices != 0) store<i32>(indices + ((e + <usize>j) << 2), at);
        }
        e += <usize>ow;
      }
    }
  }
}

/**
 * col2im: out[b, ch, y·sh + i·dh, x·sw + j·dw] += cols[b, ch, i, j, y, x], cols at element strides
 * c0..c5, out contiguous [n, c, h, w]; taps (i, j) are added in order.
 */
export function fold2d(
  cols: usize, c0: i32, c1: i32, c2: i32, c3: i32, c4: i32, c5: i32,
  n: i32, c: i32, kh: i32, kw: i32, oh: i32, ow: i32,
  h: i32, w: i32, sh: i32, sw: i32, dh: i32, dw: i32, out: usize,
): void {
  fold2dT<f32>(cols, c0, c1, c2, c3, c4, c5, n, c, kh, kw, oh, ow, h, w, sh, sw, dh, dw, out);
}

/** fold2d over float64 elements. */
export function fold2d64(
  cols: usize, c0: i32, c1: i32, c2: i32, c3: i32, c4: i32, c5: i32,
  n: i32, c: i32, kh: i32, kw: i32, oh: i32, ow: i32,
  h: i32, w: i32, sh: i32, sw: i32, dh: i32, dw: i32, out: usize,
): void {
  fold2dT<f64>(cols, c0, c1, c2, c3, c4, c5, n, c, kh, kw, oh, ow, h, w, sh, sw, dh, dw, out);
}

/** col2im over elements of T (f32 or f64), a vector of 16 bytes at a time along unit-stride rows. */
// @ts-ignore: decorator
@inline function fold2dT<T>(
  cols: usize, c0: i32, c1: i32, c2: i32, c3: i32, c4: i32, c5: i32,
  n: i32, c: i32, kh: i32, kw: i32, oh: i32, ow: i32,
  h: i32, w: i32, sh: i32, sw: i32, dh: i32, dw: i32, out: usize,
): void {
  const shift: usize = sizeof<T>() == 8 ? 3 : 2;
  const lanes = 16 / sizeof<T>();
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = out + (<usize>(b * c + ch) * <usize>(h * w) << shift);
      const base = cols + (<usize>(b * c0 + ch * c1) << shift);
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const tap = base + (<usize>(i * c2 + j * c3) << shift);
          for (let y = 0; y < oh; y++) {
            const row = plane + (<usize>((y * sh + i * dh) * w + j * dw) << shift);
            const from = tap + (<usize>(y * c4) << shift);
            let x = 0;
            if (sw == 1 && c5 == 1) {
              for (; x + <i32>lanes <= ow; x += <i32>lanes) {
                const p = row + (<usize>x << shift);
                const q = from + (<usize>x << shift);
                if (sizeof<T>() == 8) v128.store(p, f64x2.add(v128.load(p), v128.load(q)));
                else v128.store(p, f32x4.add(v128.load(p), v128.load(q)));
              }
            }
            for (; x < ow; x++) {
              const p = row + (<usize>(x * sw) << shift);
              store<T>(p, load<T>(p) + load<T>(from + (<usize>(x * c5) << shift)));
            }
          }
        }
      }
    }
  }
}

/**
 * A thread's share of a max-pooling job (written by src/backend/wasm/pool.ts: maxPoolThreaded):
 * chunks of whole input planes (sample, channel), each pooled as maxPool2d (or maxPool2d64) pools
 * it alone, so the values and indices do not depend on how the planes were split. Job ints (byte
 * offset): 0 counter, 4 chunks, 8 planes a chunk, 12 float64?, 16 x, 20..32 x's element strides,
 * 36 n, 40 c, 44 h, 48 w, 52 kh, 56 kw, (60 the job's kind), 64 sh, 68 sw, 72 ph, 76 pw, 80 dh,
 * 84 dw, 88 oh, 92 ow, 96 values, 100 indices (0: none).
 */
export function poolShared(job: usize): void {
  const chunks = load<i32>(job, 4), size = load<i32>(job, 8);
  const wide = load<i32>(job, 12) != 0;
  const x = <usize>load<u32>(job, 16);
  const s0 = load<i32>(job, 20), s1 = load<i32>(job, 24), s2 = load<i32>(job, 28), s3 = load<i32>(job, 32);
  const n = load<i32>(job, 36), c = load<i32>(job, 40), h = load<i32>(job, 44), w = load<i32>(job, 48);
  const kh = load<i32>(job, 52), kw = load<i32>(job, 56), sh = load<i32>(job, 64), sw = load<i32>(job, 68);
  const ph = load<i32>(job, 72), pw = load<i32>(job, 76), dh = load<i32>(job, 80), dw = load<i32>(job, 84);
  const oh = load<i32>(job, 88), ow = load<i32>(job, 92);
  const values = <usize>load<u32>(job, 96), indices = <usize>load<u32>(job, 100);
  const shift: usize = wide ? 3 : 2;
  const planeOut = <usize>(oh * ow);
  for (;;) {
    const k = atomic.add<i32>(job, 1);
    if (k >= chunks) return;
    const end = min(n * c, (k + 1) * size);
    for (let pl = k * size; pl < end; pl++) {
      const b = pl / c, ch = pl % c;
      const plane = x + ((<usize>b * <usize>s0 + <usize>ch * <usize>s1) << shift);
      const v = values + ((<usize>pl * planeOut) << shift);
      const at: usize = indices == 0 ? 0 : indices + ((<usize>pl * planeOut) << 2);
      if (wide) maxPool2d64(plane, s0, s1, s2, s3, 1, 1, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, v, at);
      else maxPool2d(plane, s0, s1, s2, s3, 1, 1, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, v, at);
    }
  }
}
