// Direct convolution for layers with few input channels (LeNet's 1→6 and 6→16, 5×5), where
// im2col + GEMM spends more time unfolding and packing than multiplying: a product with K =
// C/groups·kH·kW of 25 or 150 and 6 or 16 rows leaves the GEMM's tiles mostly empty. Instead
// each sample's input is copied once into zero-padded planes (so no tap ever tests a border) and
// output rows are accumulated in registers, four output channels by eight columns at a time
// (three channels by twelve where tiles hold three; an odd last four columns by a one-vector
// tile), over every tap. Column stride 1 only
// (sw = 1); any row stride, padding, dilation and groups.
//
// The input gradient has a kernel of its own (conv-direct-input.ts) that skips the taps falling in
// gy's padding, which the forward kernel run on the transposed, flipped weight would multiply.
//
// Work is a job block (written by src/backend/wasm/pool.ts: directConvThreaded) that threads
// share in chunks of samples, each thread staging a sample's padded planes in its own work
// buffer. The weight gradient has kernels of its own (conv-direct-weight.ts), on the same job
// block: its jobs come here too, and go there.
//
// Job ints (byte offset): 0 counter, 4 chunks, 8 chunk size, 12 which (0 forward, 1 to 3 the
// weight gradient's, 4 the input gradient: conv-direct-input.ts, 5 the forward with channels in
// the lanes: conv-direct-forward-lanes.ts), 16 x, 20..32 x's element strides, 36 nb, 40 c, 44 h, 48 w, 52 o, 56 groups,
// 60 (the job's kind), 64 kh, 68 kw, 72 sh, 76 ph, 80 pw, 84 dh, 88 dw, 92 oh, 96 ow, 100 packed
// weights (forward) or gy (weight gradient), 104..116 gy's element strides, 120 y or dW.
import { madd } from "./matmul";
import { directWeightChunk, WEIGHT_WORK_BYTES, weightJobTotal } from "./conv-direct-weight";
import { weightColumnBytes } from "./conv-direct-weight-columns";
import { directInputSamples } from "./conv-direct-input";
import { forwardSampleLanes } from "./conv-direct-forward-lanes";

/**
 * Slots for output channels in a forward tile (one broadcast weight vector each, sharing the
 * input loads): 4, or 3 where that leaves none empty and 4 would (LeNet's conv1: 6 channels in
 * two tiles of 3, not 8 slots). The packed weights keep 4 slots a tap either way.
 */
const OB = 4;

/** Output channels a forward tile holds for og channels a group: 3 or 4, whichever wastes fewer slots. */
// @ts-ignore: decorator
@inline function tileChannels(og: i32): i32 {
  return ((og + 2) / 3) * 3 < ((og + 3) / 4) * 4 ? 3 : 4;
}

/** Vectors of 4 columns in an output row of `ow` columns. */
// @ts-ignore: decorator
@inline function rowVectors(ow: i32): i32 {
  return (ow + 3) >> 2;
}

/** Columns of a padded plane: those the kernel columns reach from whole vectors of output columns. */
// @ts-ignore: decorator
@inline function planeWidth(kw: i32, dw: i32, ow: i32): i32 {
  return 4 * rowVectors(ow) + (kw - 1) * dw;
}

/** Rows of a padded plane: those the taps of oh output rows reach. */
// @ts-ignore: decorator
@inline function planeHeight(kh: i32, sh: i32, dh: i32, oh: i32): i32 {
  return (oh - 1) * sh + (kh - 1) * dh + 1;
}

/**
 * Bytes of work buffer one thread needs: for the forward kernel (which = 0) the padded planes of
 * a sample's c channels; for the weight gradient with channels in the lanes (which = 1, whose
 * planes are in shared scratch) a tile's accumulators; with columns in the lanes (which = 3) what
 * conv-direct-weight-columns.ts stages.
 */
export function directConvBytes(which: i32, c: i32, o: i32, groups: i32, kh: i32, kw: i32, sh: i32, dh: i32, dw: i32, oh: i32, ow: i32): i32 {
  if (which == 0 || which == 5) return c * planeHeight(kh, sh, dh, oh) * planeWidth(kw, dw, ow) * 4;
  return which == 3 ? weightColumnBytes(c, o, groups, kh, kw, sh, dh, dw, oh, ow) : WEIGHT_WORK_BYTES;
}

/** Stores f32 zeros at [p, p + 4·count). */
// @ts-ignore: decorator
@inline export function zeroFloats(p: usize, count: i32): void {
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
 * Lays out weights for the forward kernel at dst: for each group and tile of tileChannels(og)
 * output channels, their weights of each tap (ch, i, j) in OB slots side by side, then their
 * biases (zero in slots past the tile's channels or og, and without a bias). W[g·og + q, ch, i, j] is at wt + (g·swg + q·swo + ch·swc + i·swi + j·swj)
 * floats, so a transposed or flipped weight needs no copy; bias is 0 for none.
 */
export function packWeights(
  wt: usize, swo: i32, swc: i32, swg: i32, swi: i32, swj: i32,
  groups: i32, og: i32, cg: i32, kh: i32, kw: i32,
  bias: usize, sb: i32, dst: usize,
): void {
  const ob = tileChannels(og);
  const tiles = (og + ob - 1) / ob;
  let d = dst;
  for (let g = 0; g < groups; g++) {
    for (let t = 0; t < tiles; t++) {
      for (let ch = 0; ch < cg; ch++) {
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            for (let r = 0; r < OB; r++, d += 4) {
              const q = t * ob + r;
              store<f32>(d, r < ob && q < og ? load<f32>(wt + <usize>(<isize>(g * swg + q * swo + ch * swc + i * swi + j * swj) << 2)) : 0);
            }
          }
        }
      }
      for (let r = 0; r < OB; r++, d += 4) {
        const q = t * ob + r;
        store<f32>(d, bias != 0 && r < ob && q < og ? load<f32>(bias + (<usize>((g * og + q) * sb) << 2)) : 0);
      }
    }
  }
}

/** Bytes packWeights writes. */
export function packedWeightBytes(groups: i32, og: i32, cg: i32, kh: i32, kw: i32): i32 {
  const ob = tileChannels(og);
  return groups * ((og + ob - 1) / ob) * (cg * kh * kw + 1) * OB * 4;
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

/** Output columns [4v, 4v + 12) of one row from three accumulators, clipped to the row's ow columns. */
// @ts-ignore: decorator
@inline function storeTriple(row: usize, v: i32, ow: i32, a: v128, b: v128, c: v128): void {
  const at = row + (<usize>v << 4);
  storeLanes(at, a, ow - 4 * v);
  storeLanes(at + 16, b, ow - 4 * v - 4);
  storeLanes(at + 32, c, ow - 4 * v - 8);
}

/**
 * y[n] from the staged planes of sample n, in tiles of 4 output channels (Four a float type) or
 * of 3 (an integer type: the fourth slot's products are compiled out).
 */
function forwardSample<Four>(
  planes: usize, n: i32, o: i32, groups: i32, cg: i32, kh: i32, kw: i32, sh: i32, dh: i32, dw: i32,
  oh: i32, ow: i32, hp: i32, wp: i32, packed: usize, y: usize,
): void {
  const og = o / groups;
  const ob = isFloat<Four>() ? 4 : 3;
  const tiles = (og + ob - 1) / ob;
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
      const outs = min(ob, og - t * ob);
      const out0 = y + (<usize>((n * o + g * og + t * ob) * oh * ow) << 2);
      for (let yy = 0; yy < oh; yy++) {
        const rowStart = groupPlanes + <usize>(yy * sh) * rowBytes;
        const row = out0 + (<usize>(yy * ow) << 2);
        const plane = <usize>(oh * ow) << 2;
        // tiles of 3 channels take three vectors at a time (9 accumulators: 6 left the FMAs waiting
        // on each other's latency, LeNet's conv1 at ~3 multiply-adds a cycle), then pairs of
        // vectors, then an odd last one alone (a row of 10 columns costs 12, not 16)
        let v = 0;
        if (!isFloat<Four>()) {
          for (; v + 3 <= nv; v += 3) {
            let a0 = v128.load32_splat(bias), a1 = a0, a2 = a0;
            let b0 = v128.load32_splat(bias, 4), b1 = b0, b2 = b0;
            let c0 = v128.load32_splat(bias, 8), c1 = c0, c2 = c0;
            let wq = wtile;
            let chRow = rowStart + (<usize>v << 4);
            for (let ch = 0; ch < cg; ch++, chRow += planeBytes) {
              let p = chRow;
              for (let i = 0; i < kh; i++, p += tapRowBytes) {
                let q = p;
                for (let j = 0; j < kw; j++, q += jBytes, wq += 16) {
                  const x0 = v128.load(q);
                  const x1 = v128.load(q, 16);
                  const x2 = v128.load(q, 32);
                  const w0 = v128.load32_splat(wq);
                  a0 = madd(w0, x0, a0);
                  a1 = madd(w0, x1, a1);
                  a2 = madd(w0, x2, a2);
                  const w1 = v128.load32_splat(wq, 4);
                  b0 = madd(w1, x0, b0);
                  b1 = madd(w1, x1, b1);
                  b2 = madd(w1, x2, b2);
                  const w2 = v128.load32_splat(wq, 8);
                  c0 = madd(w2, x0, c0);
                  c1 = madd(w2, x1, c1);
                  c2 = madd(w2, x2, c2);
                }
              }
            }
            storeTriple(row, v, ow, a0, a1, a2);
            if (outs > 1) storeTriple(row + plane, v, ow, b0, b1, b2);
            if (outs > 2) storeTriple(row + 2 * plane, v, ow, c0, c1, c2);
          }
        }
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
                if (isFloat<Four>()) {
                  const w3 = v128.load32_splat(wq, 12);
                  d0 = madd(w3, x0, d0);
                  d1 = madd(w3, x1, d1);
                }
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
                if (isFloat<Four>()) d0 = madd(v128.load32_splat(wq, 12), x0, d0);
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

/** The forward kernel over samples [n0, n1): output columns in the lanes, or channels (`lanes`, weights packed by packLaneWeights). */
function forwardSamples(job: usize, n0: i32, n1: i32, work: usize, lanes: bool): void {
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
    if (lanes) forwardSampleLanes(work, n, o, groups, c / groups, kh, kw, sh, dh, dw, oh, ow, hp, wp, packed, y);
    else if (tileChannels(o / groups) == 4) forwardSample<f32>(work, n, o, groups, c / groups, kh, kw, sh, dh, dw, oh, ow, hp, wp, packed, y);
    else forwardSample<i32>(work, n, o, groups, c / groups, kh, kw, sh, dh, dw, oh, ow, hp, wp, packed, y);
  }
}

/** A thread's share of a direct-convolution job: chunks of samples (forward, input gradient) or of a weight-gradient job's work. */
export function directConvShared(job: usize, work: usize): void {
  const chunks = load<i32>(job, 4);
  const size = load<i32>(job, 8);
  const which = load<i32>(job, 12);
  const total = which == 0 || which == 4 || which == 5 ? load<i32>(job, 36) : weightJobTotal(job, which);
  for (;;) {
    const k = atomic.add<i32>(job, 1);
    if (k >= chunks) return;
    const from = k * size;
    const to = min(total, from + size);
    if (which == 0 || which == 5) forwardSamples(job, from, to, work, which == 5);
    else if (which == 4) directInputSamples(job, from, to, work);
    else directWeightChunk(job, which, from, to, work);
  }
}
