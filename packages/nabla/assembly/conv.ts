// im2col and col2im for convolutions over a block of samples, zero padding included, so that the
// padded input never exists. The columns are laid out [C, kH, kW, nb, oH, oW]: for each group g
// of channels, rows (c, i, j) of the group are one [K, nb·oH·oW] matrix (K = C/groups·kH·kW),
// the GEMM's operand for every sample of the block at once or, column range by column range,
// for one sample at a time. Each kernel comes in float32 and float64 (the `64` exports), one
// generic body over the element type T.

/**
 * The first output column x with 0 ≤ x·s + off, and the end (exclusive) of those with
 * x·s + off < size, clipped to [0, count]: the columns whose tap lands inside the row.
 */
// @ts-ignore: decorator
@inline function firstInside(off: i32, s: i32, count: i32): i32 {
  if (off >= 0) return 0;
  return min(count, (-off + s - 1) / s);
}
// @ts-ignore: decorator
@inline function endInside(off: i32, s: i32, size: i32, count: i32): i32 {
  if (off >= size) return 0;
  return min(count, (size - 1 - off) / s + 1);
}

/**
 * cols[ch, i, j, b, y, x] = x[b, ch, y·sh − ph + i·dh, x·sw − pw + j·dw], 0 outside the input;
 * x at element strides s0..s3, cols contiguous.
 */
export function im2col(
  src: usize, s0: i32, s1: i32, s2: i32, s3: i32,
  nb: i32, c: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  cols: usize,
): void {
  im2colChannels<f32>(src, s0, s1, s2, s3, nb, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cols, 0, c);
}

/** im2col of float64 elements. */
export function im2col64(
  src: usize, s0: i32, s1: i32, s2: i32, s3: i32,
  nb: i32, c: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  cols: usize,
): void {
  im2colChannels<f64>(src, s0, s1, s2, s3, nb, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cols, 0, c);
}

/** im2col of channels [c0, c1) only: their rows of cols, which no other channel touches. T: f32 or f64. */
function im2colChannels<T>(
  src: usize, s0: i32, s1: i32, s2: i32, s3: i32,
  nb: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  cols: usize, c0: i32, c1: i32,
): void {
  const e = <usize>alignof<T>(); // log2 of the element's bytes
  let dst = cols + (<usize>c0 * <usize>(kh * kw * nb) * <usize>(oh * ow) << e);
  for (let ch = c0; ch < c1; ch++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const offX = j * dw - pw;
        const x0 = firstInside(offX, sw, ow);
        const x1 = max(x0, endInside(offX, sw, w, ow));
        for (let b = 0; b < nb; b++) {
          const plane = src + (<usize>(b * s0 + ch * s1) << e);
          for (let y = 0; y < oh; y++, dst += <usize>ow << e) {
            const row = y * sh - ph + i * dh;
            if (row < 0 || row >= h) {
              memory.fill(dst, 0, <usize>ow << e);
              continue;
            }
            if (x0 > 0) memory.fill(dst, 0, <usize>x0 << e);
            if (x1 < ow) memory.fill(dst + (<usize>x1 << e), 0, <usize>(ow - x1) << e);
            const from = plane + (<usize>(row * s2 + offX * s3) << e);
            if (sw == 1 && s3 == 1) {
              memory.copy(dst + (<usize>x0 << e), from + (<usize>x0 << e), <usize>(x1 - x0) << e);
            } else {
              const step = sw * s3;
              for (let x = x0; x < x1; x++) store<T>(dst + (<usize>x << e), load<T>(from + (<usize>(x * step) << e)));
            }
          }
        }
      }
    }
  }
}

/**
 * col2im, the adjoint of im2col: out[b, ch, y·sh − ph + i·dh, x·sw − pw + j·dw] += cols[ch, i, j, b, y, x]
 * over the taps inside the image, into contiguous out [nb, c, h, w], which is zeroed first.
 */
export function col2im(
  cols: usize,
  nb: i32, c: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  out: usize,
): void {
  col2imChannels<f32>(cols, nb, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, out, 0, c);
}

/** col2im of float64 elements. */
export function col2im64(
  cols: usize,
  nb: i32, c: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  out: usize,
): void {
  col2imChannels<f64>(cols, nb, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, out, 0, c);
}

/** col2im into channels [c0, c1) only (their planes of every sample, zeroed first), which no other channel touches. T: f32 or f64. */
function col2imChannels<T>(
  cols: usize,
  nb: i32, c: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  out: usize, c0: i32, c1: i32,
): void {
  const e = <usize>alignof<T>(); // log2 of the element's bytes
  for (let b = 0; b < nb; b++) {
    memory.fill(out + (<usize>(b * c + c0) * <usize>(h * w) << e), 0, <usize>(c1 - c0) * <usize>(h * w) << e);
  }
  let from = cols + (<usize>c0 * <usize>(kh * kw * nb) * <usize>(oh * ow) << e);
  for (let ch = c0; ch < c1; ch++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const offX = j * dw - pw;
        const x0 = firstInside(offX, sw, ow);
        const x1 = max(x0, endInside(offX, sw, w, ow));
        for (let b = 0; b < nb; b++) {
          const plane = out + (<usize>(b * c + ch) * <usize>(h * w) << e);
          for (let y = 0; y < oh; y++, from += <usize>ow << e) {
            const row = y * sh - ph + i * dh;
            if (row < 0 || row >= h) continue;
            const to = plane + (<usize>(row * w + offX) << e);
            let x = x0;
            if (sw == 1) {
              if (sizeof<T>() == 4) {
                for (; x + 4 <= x1; x += 4) {
                  const p = to + (<usize>x << e);
                  v128.store(p, f32x4.add(v128.load(p), v128.load(from + (<usize>x << e))));
                }
              } else {
                for (; x + 2 <= x1; x += 2) {
                  const p = to + (<usize>x << e);
                  v128.store(p, f64x2.add(v128.load(p), v128.load(from + (<usize>x << e))));
                }
              }
            }
            for (; x < x1; x++) {
              const p = to + (<usize>(x * sw) << e);
              store<T>(p, load<T>(p) + load<T>(from + (<usize>x << e)));
            }
          }
        }
      }
    }
  }
}

/** y[q, :] += bias[q % o] over `planes` contiguous planes of p elements (a convolution's bias, channel by channel). */
export function addChannelBias(y: usize, planes: i32, o: i32, p: i32, bias: usize, sb: i32): void {
  for (let q = 0; q < planes; q++) {
    const v = load<f32>(bias + (<usize>((q % o) * sb) << 2));
    const bv = f32x4.splat(v);
    const row = y + (<usize>q * <usize>p << 2);
    let x = 0;
    for (; x + 4 <= p; x += 4) {
      const at = row + (<usize>x << 2);
      v128.store(at, f32x4.add(v128.load(at), bv));
    }
    for (; x < p; x++) {
      const at = row + (<usize>x << 2);
      store<f32>(at, load<f32>(at) + v);
    }
  }
}

/** addChannelBias of float64 elements. */
export function addChannelBias64(y: usize, planes: i32, o: i32, p: i32, bias: usize, sb: i32): void {
  for (let q = 0; q < planes; q++) {
    const v = load<f64>(bias + (<usize>((q % o) * sb) << 3));
    const bv = f64x2.splat(v);
    const row = y + (<usize>q * <usize>p << 3);
    let x = 0;
    for (; x + 2 <= p; x += 2) {
      const at = row + (<usize>x << 3);
      v128.store(at, f64x2.add(v128.load(at), bv));
    }
    for (; x < p; x++) {
      const at = row + (<usize>x << 3);
      store<f64>(at, load<f64>(at) + v);
    }
  }
}

/**
 * im2col (job int 3 = 0) or col2im (1), of float32 elements or, with 2 added, float64, shared between threads, chunks of channels taken from the
 * job's atomic counter. The job is i32s (written by src/backend/wasm/pool.ts: unfoldThreaded):
 * [counter, chunks, channels a chunk, which, x or cols, s0, s1, s2, s3, nb, c, h, w, kh, kw,
 * (the job's kind), sh, sw, ph, pw, dh, dw, oh, ow, cols or out].
 */
export function unfoldShared(job: usize): void {
  const chunks = load<i32>(job, 4);
  const size = load<i32>(job, 8);
  const which = load<i32>(job, 12);
  const src = <usize>load<u32>(job, 16);
  const s0 = load<i32>(job, 20), s1 = load<i32>(job, 24), s2 = load<i32>(job, 28), s3 = load<i32>(job, 32);
  const nb = load<i32>(job, 36), c = load<i32>(job, 40), h = load<i32>(job, 44), w = load<i32>(job, 48);
  const kh = load<i32>(job, 52), kw = load<i32>(job, 56);
  const sh = load<i32>(job, 64), sw = load<i32>(job, 68), ph = load<i32>(job, 72), pw = load<i32>(job, 76);
  const dh = load<i32>(job, 80), dw = load<i32>(job, 84), oh = load<i32>(job, 88), ow = load<i32>(job, 92);
  const dst = <usize>load<u32>(job, 96);
  for (;;) {
    const i = atomic.add<i32>(job, 1);
    if (i >= chunks) return;
    const c0 = i * size;
    const c1 = min(c, c0 + size);
    if (which == 0) im2colChannels<f32>(src, s0, s1, s2, s3, nb, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, dst, c0, c1);
    else if (which == 1) col2imChannels<f32>(src, nb, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, dst, c0, c1);
    else if (which == 2) im2colChannels<f64>(src, s0, s1, s2, s3, nb, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, dst, c0, c1);
    else col2imChannels<f64>(src, nb, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, dst, c0, c1);
  }
}
