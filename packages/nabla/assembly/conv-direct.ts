// Direct convolution for layers with few input channels (LeNet's 1→6 and 6→16, 5×5), where
// im2col + GEMM spends more time unfolding and packing than multiplying: a product with K =
// C/groups·kH·kW of 25 or 150 and 6 or 16 rows leaves the GEMM's tiles mostly empty. Instead
// each sample's input is copied once into zero-padded planes (so no tap ever tests a border) and
// output rows are accumulated in registers, four output channels by eight columns at a time
// (and an odd last four columns by a one-vector tile), over every tap. Column stride 1 only
// (sw = 1); any row stride, padding, dilation and groups.
//
// The same forward kernel computes the input gradient of a stride-1 convolution: that is the
// forward convolution of gy with the weight transposed (in and out channels swapped) and flipped,
// padded by (kH−1)·dH − pH and (kW−1)·dW − pW, which packWeights expresses through strides.
//
// Work is a job block (written by src/backend/wasm/pool.ts: directConvThreaded) that threads
// share: chunks of samples for the forward kernel, of output-channel tiles for the weight
// gradient (each thread owning whole rows of dW, so no partial sums need adding up). Each
// thread stages its padded planes in its own work buffer.
//
// Job ints (byte offset): 0 counter, 4 chunks, 8 chunk size, 12 which (0 forward, 1 weight
// gradient), 16 x, 20..32 x's element strides, 36 nb, 40 c, 44 h, 48 w, 52 o, 56 groups, 60 (the
// job's kind), 64 kh, 68 kw, 72 sh, 76 ph, 80 pw, 84 dh, 88 dw, 92 oh, 96 ow, 100 packed weights
// (forward) or gy (weight gradient), 104..116 gy's element strides, 120 y or dW.
import { madd } from "./matmul";

/** Output channels of a forward tile (one broadcast weight vector each, sharing the input loads). */
const OB = 4;
/**
 * Output channels and kernel columns of a weight-gradient tile: 2×5 accumulators, or 2×3 for
 * kernels of at most 3 columns (a 3×3 kernel in 5-column tiles would waste 2 of every 5).
 */
const WB = 2;
const JB = 5;
const JB_NARROW = 3;

/** Kernel columns of the weight gradient's tiles for kw columns: JB_NARROW when that covers kw. */
// @ts-ignore: decorator
@inline function tileColumns(kw: i32): i32 {
  return kw <= JB_NARROW ? JB_NARROW : JB;
}

/** Vectors of 4 columns in an output row of `ow` columns. */
// @ts-ignore: decorator
@inline function rowVectors(ow: i32): i32 {
  return (ow + 3) >> 2;
}

/**
 * Columns of a padded plane: the widest tile's reach, kernel columns rounded up to whole JB tiles
 * (at least the reach of JB_NARROW tiles, which only kernels of at most JB_NARROW columns use).
 */
// @ts-ignore: decorator
@inline function planeWidth(kw: i32, dw: i32, ow: i32): i32 {
  return 4 * rowVectors(ow) + (((kw + JB - 1) / JB) * JB - 1) * dw;
}

/** Rows of a padded plane: those the taps of oh output rows reach. */
// @ts-ignore: decorator
@inline function planeHeight(kh: i32, sh: i32, dh: i32, oh: i32): i32 {
  return (oh - 1) * sh + (kh - 1) * dh + 1;
}

/**
 * Bytes of work buffer one thread needs: the padded planes of a sample's c channels, plus for
 * the weight gradient (which = 1) gy's o planes at whole vectors and the accumulators of dW.
 */
export function directConvBytes(which: i32, c: i32, o: i32, groups: i32, kh: i32, kw: i32, sh: i32, dh: i32, dw: i32, oh: i32, ow: i32): i32 {
  const planes = c * planeHeight(kh, sh, dh, oh) * planeWidth(kw, dw, ow) * 4;
  if (which == 0) return planes;
  const og = o / groups;
  const tiles = groups * ((og + WB - 1) / WB);
  const kwr = ((kw + JB - 1) / JB) * JB;
  return planes + o * oh * 4 * rowVectors(ow) * 4 + tiles * WB * (c / groups) * kh * kwr * 16;
}

/** Stores f32 zeros at [p, p + 4·count). */
// @ts-ignore: decorator
@inline function zeroFloats(p: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(p + (<usize>i << 2), f32x4.splat(0));
  for (; i < count; i++) store<f32>(p + (<usize>i << 2), 0);
}

/**
 * Padded planes of sample n's channels [0, c): plane[ch][r][cc] = x[n, ch, r − ph, cc − pw],
 * zero outside x, for r < hp and cc < wp; x at element strides s0..s3.
 */
export function stage(x: usize, s0: i32, s1: i32, s2: i32, s3: i32, n: i32, c: i32, h: i32, w: i32, ph: i32, pw: i32, hp: i32, wp: i32, dst: usize): void {
  // the columns holding x: [lo, hi) of the padded row
  const lo = min(wp, max(0, pw));
  const hi = max(lo, min(wp, pw + w));
  for (let ch = 0; ch < c; ch++) {
    const plane = x + (<usize>(n * s0 + ch * s1) << 2);
    for (let r = 0; r < hp; r++) {
      const row = r - ph;
      const d = dst + (<usize>((ch * hp + r) * wp) << 2);
      if (row < 0 || row >= h) {
        zeroFloats(d, wp);
        continue;
      }
      zeroFloats(d, lo);
      zeroFloats(d + (<usize>hi << 2), wp - hi);
      const from = plane + (<usize>(row * s2 + (lo - pw) * s3) << 2);
      const to = d + (<usize>lo << 2);
      const count = hi - lo;
      let cc = 0;
      if (s3 == 1) {
        for (; cc + 4 <= count; cc += 4) v128.store(to + (<usize>cc << 2), v128.load(from + (<usize>cc << 2)));
      }
      for (; cc < count; cc++) store<f32>(to + (<usize>cc << 2), load<f32>(from + (<usize>(cc * s3) << 2)));
    }
  }
}

/**
 * Lays out weights for the forward kernel at dst: for each group and tile of OB output channels,
 * the OB weights of each tap (ch, i, j) side by side, then the OB biases (zero past og, and
 * without a bias). W[g·og + q, ch, i, j] is at wt + (g·swg + q·swo + ch·swc + i·swi + j·swj)
 * floats, so a transposed or flipped weight needs no copy; bias is 0 for none.
 */
export function packWeights(
  wt: usize, swo: i32, swc: i32, swg: i32, swi: i32, swj: i32,
  groups: i32, og: i32, cg: i32, kh: i32, kw: i32,
  bias: usize, sb: i32, dst: usize,
): void {
  const tiles = (og + OB - 1) / OB;
  let d = dst;
  for (let g = 0; g < groups; g++) {
    for (let t = 0; t < tiles; t++) {
      for (let ch = 0; ch < cg; ch++) {
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            for (let r = 0; r < OB; r++, d += 4) {
              const q = t * OB + r;
              store<f32>(d, q < og ? load<f32>(wt + <usize>(<isize>(g * swg + q * swo + ch * swc + i * swi + j * swj) << 2)) : 0);
            }
          }
        }
      }
      for (let r = 0; r < OB; r++, d += 4) {
        const q = t * OB + r;
        store<f32>(d, bias != 0 && q < og ? load<f32>(bias + (<usize>((g * og + q) * sb) << 2)) : 0);
      }
    }
  }
}

/** Bytes packWeights writes. */
export function packedWeightBytes(groups: i32, og: i32, cg: i32, kh: i32, kw: i32): i32 {
  return groups * ((og + OB - 1) / OB) * (cg * kh * kw + 1) * OB * 4;
}

/** The first `lanes` (at most 4) floats of v at p. */
// @ts-ignore: decorator
@inline function storeLanes(p: usize, v: v128, lanes: i32): void {
  if (lanes <= 0) return;
  if (lanes >= 4) {
    v128.store(p, v);
    return;
  }
  v128.store32_lane(p, v, 0);
  if (lanes > 1) v128.store32_lane(p, v, 1, 4);
  if (lanes > 2) v128.store32_lane(p, v, 2, 8);
}

/** Output columns [4v, 4v + 4) of one row from one accumulator, clipped to the row's ow columns. */
// @ts-ignore: decorator
@inline function storeOne(row: usize, v: i32, ow: i32, a: v128): void {
  storeLanes(row + (<usize>v << 4), a, ow - 4 * v);
}

/** Output columns [4v, 4v + 8) of one row from two accumulators, clipped to the row's ow columns. */
// @ts-ignore: decorator
@inline function storePair(row: usize, v: i32, ow: i32, a: v128, b: v128): void {
  const at = row + (<usize>v << 4);
  storeLanes(at, a, ow - 4 * v);
  storeLanes(at + 16, b, ow - 4 * v - 4);
}

/** y[n] from the staged planes of sample n (see forwardJob). */
function forwardSample(
  planes: usize, n: i32, o: i32, groups: i32, cg: i32, kh: i32, kw: i32, sh: i32, dh: i32, dw: i32,
  oh: i32, ow: i32, hp: i32, wp: i32, packed: usize, y: usize,
): void {
  const og = o / groups;
  const tiles = (og + OB - 1) / OB;
  const nv = rowVectors(ow);
  const taps = cg * kh * kw;
  const rowBytes = <usize>wp << 2;
  const tapRowBytes = <usize>(dh * wp) << 2;
  const planeBytes = <usize>(hp * wp) << 2;
  const jBytes = <usize>dw << 2;
  for (let g = 0; g < groups; g++) {
    const groupPlanes = planes + <usize>(g * cg) * planeBytes;
    for (let t = 0; t < tiles; t++) {
      const wtile = packed + (<usize>((g * tiles + t) * (taps + 1) * OB) << 2);
      const bias = wtile + (<usize>(taps * OB) << 2);
      const outs = min(OB, og - t * OB);
      const out0 = y + (<usize>((n * o + g * og + t * OB) * oh * ow) << 2);
      for (let yy = 0; yy < oh; yy++) {
        const rowStart = groupPlanes + <usize>(yy * sh) * rowBytes;
        const row = out0 + (<usize>(yy * ow) << 2);
        const plane = <usize>(oh * ow) << 2;
        // pairs of vectors, then an odd last one alone (a row of 10 columns costs 12, not 16)
        let v = 0;
        for (; v + 2 <= nv; v += 2) {
          let a0 = v128.load32_splat(bias), a1 = a0;
          let b0 = v128.load32_splat(bias, 4), b1 = b0;
          let c0 = v128.load32_splat(bias, 8), c1 = c0;
          let d0 = v128.load32_splat(bias, 12), d1 = d0;
          let wq = wtile;
          let chRow = rowStart + (<usize>v << 4);
          for (let ch = 0; ch < cg; ch++, chRow += planeBytes) {
            let p = chRow;
            for (let i = 0; i < kh; i++, p += tapRowBytes) {
              let q = p;
              for (let j = 0; j < kw; j++, q += jBytes, wq += 16) {
                const x0 = v128.load(q);
                const x1 = v128.load(q, 16);
                const w0 = v128.load32_splat(wq);
                a0 = madd(w0, x0, a0);
                a1 = madd(w0, x1, a1);
                const w1 = v128.load32_splat(wq, 4);
                b0 = madd(w1, x0, b0);
                b1 = madd(w1, x1, b1);
                const w2 = v128.load32_splat(wq, 8);
                c0 = madd(w2, x0, c0);
                c1 = madd(w2, x1, c1);
                const w3 = v128.load32_splat(wq, 12);
                d0 = madd(w3, x0, d0);
                d1 = madd(w3, x1, d1);
              }
            }
          }
          storePair(row, v, ow, a0, a1);
          if (outs > 1) storePair(row + plane, v, ow, b0, b1);
          if (outs > 2) storePair(row + 2 * plane, v, ow, c0, c1);
          if (outs > 3) storePair(row + 3 * plane, v, ow, d0, d1);
        }
        if (v < nv) {
          // the same taps in the same order as the pairs, so each output's sum is the same
          let a0 = v128.load32_splat(bias);
          let b0 = v128.load32_splat(bias, 4);
          let c0 = v128.load32_splat(bias, 8);
          let d0 = v128.load32_splat(bias, 12);
          let wq = wtile;
          let chRow = rowStart + (<usize>v << 4);
          for (let ch = 0; ch < cg; ch++, chRow += planeBytes) {
            let p = chRow;
            for (let i = 0; i < kh; i++, p += tapRowBytes) {
              let q = p;
              for (let j = 0; j < kw; j++, q += jBytes, wq += 16) {
                const x0 = v128.load(q);
                a0 = madd(v128.load32_splat(wq), x0, a0);
                b0 = madd(v128.load32_splat(wq, 4), x0, b0);
                c0 = madd(v128.load32_splat(wq, 8), x0, c0);
                d0 = madd(v128.load32_splat(wq, 12), x0, d0);
              }
            }
          }
          storeOne(row, v, ow, a0);
          if (outs > 1) storeOne(row + plane, v, ow, b0);
          if (outs > 2) storeOne(row + 2 * plane, v, ow, c0);
          if (outs > 3) storeOne(row + 3 * plane, v, ow, d0);
        }
      }
    }
  }
}

/** Sum of a vector's lanes. */
// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * One weight-gradient tile's 2×5 accumulators (at `a`) over vectors [v0, v1) of every output row:
 * a[r][jj] += gy_r[y, 4v..] · x[y·sh (+ i·dh, in xr), 4v + jj·dw ..]. With Masked a float type the
 * x vectors are ANDed with `mask` (a row's last, partial vector); an integer type compiles the
 * AND out. With Five an integer type the tile is 2×3 (columns jj < 3, at a[r·3 + jj]); each
 * accumulator sums the same products in the same order either way.
 */
// @ts-ignore: decorator
@inline function tileRows<Masked, Five>(
  a: usize, xr0: usize, gy0: usize, gy1: usize, v0: i32, v1: i32,
  oh: i32, sh: i32, rowBytes: usize, gw: i32, jBytes: usize, mask: v128,
): void {
  const five = isFloat<Five>();
  // the second channel's accumulators start after the first's JB or JB_NARROW
  const b = a + (<usize>(five ? JB : JB_NARROW) << 4);
  let a0 = v128.load(a), a1 = v128.load(a, 16), a2 = v128.load(a, 32);
  let b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32);
  let a3 = f32x4.splat(0), a4 = a3, b3 = a3, b4 = a3;
  if (five) {
    a3 = v128.load(a, 48); a4 = v128.load(a, 64);
    b3 = v128.load(b, 48); b4 = v128.load(b, 64);
  }
  for (let yy = 0; yy < oh; yy++) {
    let xr = xr0 + <usize>(yy * sh) * rowBytes + (<usize>v0 << 4);
    let g0 = gy0 + (<usize>(yy * gw + 4 * v0) << 2);
    let g1 = gy1 + (<usize>(yy * gw + 4 * v0) << 2);
    for (let v = v0; v < v1; v++, xr += 16, g0 += 16, g1 += 16) {
      const u0 = v128.load(g0);
      const u1 = v128.load(g1);
      let xv = v128.load(xr);
      if (isFloat<Masked>()) xv = v128.and(xv, mask);
      a0 = madd(u0, xv, a0);
      b0 = madd(u1, xv, b0);
      xv = v128.load(xr + jBytes);
      if (isFloat<Masked>()) xv = v128.and(xv, mask);
      a1 = madd(u0, xv, a1);
      b1 = madd(u1, xv, b1);
      xv = v128.load(xr + 2 * jBytes);
      if (isFloat<Masked>()) xv = v128.and(xv, mask);
      a2 = madd(u0, xv, a2);
      b2 = madd(u1, xv, b2);
      if (!five) continue;
      xv = v128.load(xr + 3 * jBytes);
      if (isFloat<Masked>()) xv = v128.and(xv, mask);
      a3 = madd(u0, xv, a3);
      b3 = madd(u1, xv, b3);
      xv = v128.load(xr + 4 * jBytes);
      if (isFloat<Masked>()) xv = v128.and(xv, mask);
      a4 = madd(u0, xv, a4);
      b4 = madd(u1, xv, b4);
    }
  }
  v128.store(a, a0); v128.store(a, a1, 16); v128.store(a, a2, 32);
  v128.store(b, b0); v128.store(b, b1, 16); v128.store(b, b2, 32);
  if (five) {
    v128.store(a, a3, 48); v128.store(a, a4, 64);
    v128.store(b, b3, 48); v128.store(b, b4, 64);
  }
}

/**
 * dW for output-channel tiles [t0, t1) (tiles of WB channels, numbered across groups) over all
 * samples, into contiguous dW [o, cg, kh, kw], overwritten. Per sample: x's padded planes, gy's
 * planes at whole vectors (zero past ow), then each (tile, ch, i, jb columns) runs its 2×jb
 * accumulators over the sample's rows; lanes past ow are masked out of x, so a non-finite
 * input there never meets the zeros.
 */
function weightTiles(job: usize, t0: i32, t1: i32, work: usize): void {
  const x = <usize>load<u32>(job, 16);
  const s0 = load<i32>(job, 20), s1 = load<i32>(job, 24), s2 = load<i32>(job, 28), s3 = load<i32>(job, 32);
  const nb = load<i32>(job, 36), c = load<i32>(job, 40), h = load<i32>(job, 44), w = load<i32>(job, 48);
  const o = load<i32>(job, 52), groups = load<i32>(job, 56);
  const kh = load<i32>(job, 64), kw = load<i32>(job, 68), sh = load<i32>(job, 72), ph = load<i32>(job, 76), pw = load<i32>(job, 80);
  const dh = load<i32>(job, 84), dw = load<i32>(job, 88), oh = load<i32>(job, 92), ow = load<i32>(job, 96);
  const gy = <usize>load<u32>(job, 100);
  const g0s = load<i32>(job, 104), g1s = load<i32>(job, 108), g2s = load<i32>(job, 112), g3s = load<i32>(job, 116);
  const dW = <usize>load<u32>(job, 120);
  const og = o / groups, cg = c / groups;
  const tilesPerGroup = (og + WB - 1) / WB;
  const hp = planeHeight(kh, sh, dh, oh), wp = planeWidth(kw, dw, ow);
  const gv = (ow + 3) >> 2; // gy's vectors a row
  const gw = gv * 4;
  const jb = tileColumns(kw);
  const kwr = ((kw + jb - 1) / jb) * jb;
  const planes = work;
  const gyPlanes = planes + (<usize>(c * hp * wp) << 2);
  const acc = gyPlanes + (<usize>(o * oh * gw) << 2);
  const accTile = <usize>(cg * kh * kwr * WB) << 4; // bytes of one tile's accumulators
  zeroFloats(acc, <i32>(<usize>(t1 - t0) * accTile >> 2));
  const tail = ow - 4 * (gv - 1); // valid lanes of a row's last vector
  const full = tail == 4 ? gv : gv - 1; // vectors a row without lanes past ow
  let tailMask = i32x4.splat(-1);
  if (tail < 4) tailMask = i32x4.replace_lane(tailMask, 3, 0);
  if (tail < 3) tailMask = i32x4.replace_lane(tailMask, 2, 0);
  if (tail < 2) tailMask = i32x4.replace_lane(tailMask, 1, 0);
  const ones = i32x4.splat(-1);
  const rowBytes = <usize>wp << 2;
  const planeBytes = <usize>(hp * wp) << 2;
  const jBytes = <usize>dw << 2;
  for (let n = 0; n < nb; n++) {
    stage(x, s0, s1, s2, s3, n, c, h, w, ph, pw, hp, wp, planes);
    // gy's planes of the channels these tiles read, at gw columns with zeros past ow
    const oLo = (t0 / tilesPerGroup) * og + (t0 % tilesPerGroup) * WB;
    const oHi = min(o, ((t1 - 1) / tilesPerGroup) * og + min(og, ((t1 - 1) % tilesPerGroup + 1) * WB));
    for (let q = oLo; q < oHi; q++) {
      for (let yy = 0; yy < oh; yy++) {
        const d = gyPlanes + (<usize>((q * oh + yy) * gw) << 2);
        const from = gy + (<usize>(n * g0s + q * g1s + yy * g2s) << 2);
        for (let xx = 0; xx < ow; xx++) store<f32>(d + (<usize>xx << 2), load<f32>(from + (<usize>(xx * g3s) << 2)));
        for (let xx = ow; xx < gw; xx++) store<f32>(d + (<usize>xx << 2), 0);
      }
    }
    for (let t = t0; t < t1; t++) {
      const g = t / tilesPerGroup;
      const q0 = g * og + (t % tilesPerGroup) * WB;
      // a tile with one channel runs the second set on the same gy and drops it
      const q1 = min(q0 + 1, g * og + og - 1);
      const gy0 = gyPlanes + (<usize>(q0 * oh * gw) << 2);
      const gy1 = gyPlanes + (<usize>(q1 * oh * gw) << 2);
      let a = acc + <usize>(t - t0) * accTile;
      for (let ch = 0; ch < cg; ch++) {
        const plane = planes + <usize>(g * cg + ch) * planeBytes;
        for (let i = 0; i < kh; i++) {
          for (let j0 = 0; j0 < kwr; j0 += jb, a += <usize>(WB * jb) << 4) {
            const xr = plane + <usize>(i * dh) * rowBytes + <usize>j0 * jBytes;
            // whole vectors, then the last one of each row with its lanes past ow masked out of x
            if (jb == JB) {
              tileRows<i32, f32>(a, xr, gy0, gy1, 0, full, oh, sh, rowBytes, gw, jBytes, ones);
              if (full < gv) tileRows<f32, f32>(a, xr, gy0, gy1, full, gv, oh, sh, rowBytes, gw, jBytes, tailMask);
            } else {
              tileRows<i32, i32>(a, xr, gy0, gy1, 0, full, oh, sh, rowBytes, gw, jBytes, ones);
              if (full < gv) tileRows<f32, i32>(a, xr, gy0, gy1, full, gv, oh, sh, rowBytes, gw, jBytes, tailMask);
            }
          }
        }
      }
    }
  }
  // the lanes summed into dW[q, ch, i, j], for the tiles' real channels and columns
  for (let t = t0; t < t1; t++) {
    const g = t / tilesPerGroup;
    const q0 = g * og + (t % tilesPerGroup) * WB;
    const outs = min(WB, g * og + og - q0);
    let a = acc + <usize>(t - t0) * accTile;
    for (let ch = 0; ch < cg; ch++) {
      for (let i = 0; i < kh; i++) {
        for (let j0 = 0; j0 < kwr; j0 += jb, a += <usize>(WB * jb) << 4) {
          for (let r = 0; r < outs; r++) {
            for (let jj = 0; jj < jb && j0 + jj < kw; jj++) {
              const at = dW + (<usize>((((q0 + r) * cg + ch) * kh + i) * kw + j0 + jj) << 2);
              store<f32>(at, hsum(v128.load(a + (<usize>(r * jb + jj) << 4))));
            }
          }
        }
      }
    }
  }
}

/** The forward kernel over samples [n0, n1). */
function forwardSamples(job: usize, n0: i32, n1: i32, work: usize): void {
  const x = <usize>load<u32>(job, 16);
  const s0 = load<i32>(job, 20), s1 = load<i32>(job, 24), s2 = load<i32>(job, 28), s3 = load<i32>(job, 32);
  const c = load<i32>(job, 40), h = load<i32>(job, 44), w = load<i32>(job, 48);
  const o = load<i32>(job, 52), groups = load<i32>(job, 56);
  const kh = load<i32>(job, 64), kw = load<i32>(job, 68), sh = load<i32>(job, 72), ph = load<i32>(job, 76), pw = load<i32>(job, 80);
  const dh = load<i32>(job, 84), dw = load<i32>(job, 88), oh = load<i32>(job, 92), ow = load<i32>(job, 96);
  const packed = <usize>load<u32>(job, 100);
  const y = <usize>load<u32>(job, 120);
  const hp = planeHeight(kh, sh, dh, oh), wp = planeWidth(kw, dw, ow);
  for (let n = n0; n < n1; n++) {
    stage(x, s0, s1, s2, s3, n, c, h, w, ph, pw, hp, wp, work);
    forwardSample(work, n, o, groups, c / groups, kh, kw, sh, dh, dw, oh, ow, hp, wp, packed, y);
  }
}

/** A thread's share of a direct-convolution job: chunks of samples (forward) or of dW's channel tiles. */
export function directConvShared(job: usize, work: usize): void {
  const chunks = load<i32>(job, 4);
  const size = load<i32>(job, 8);
  const which = load<i32>(job, 12);
  // samples (forward) or tiles (weight gradient) in all
  const total = which == 0 ? load<i32>(job, 36) : load<i32>(job, 56) * ((load<i32>(job, 52) / load<i32>(job, 56) + WB - 1) / WB);
  for (;;) {
    const k = atomic.add<i32>(job, 1);
    if (k >= chunks) return;
    const from = k * size;
    const to = min(total, from + size);
    if (which == 0) forwardSamples(job, from, to, work);
    else weightTiles(job, from, to, work);
  }
}

/** Tiles of WB output channels the weight-gradient kernel's chunks are cut from. */
export function weightTileCount(o: i32, groups: i32): i32 {
  return groups * ((o / groups + WB - 1) / WB);
}
