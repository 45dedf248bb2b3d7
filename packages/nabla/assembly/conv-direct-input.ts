// The direct convolution's input gradient (src/backend/wasm/conv.ts: directInput) for stride-1
// layers with few taps an output (LeNet's conv2, 6→16 5×5):
//   gx[n, g·cg + ch, Y, X] = Σ_(q, i, j) W[g·og + q, ch, i, j] · gy[n, g·og + q, Y + ph − i·dh, X + pw − j·dw],
// terms outside gy left out. The output channels q sit in the lanes: each sample's gy is staged
// channels last with a border of zeros (gyT[y][x][channel], each group's og channels at whole
// vectors), the weights as Wp[g][ch][i][j][channel]; a tile keeps 2 channels × 4 output columns
// in 8 accumulators of lane-wise partial sums, over the taps whose row lands inside gy and the
// columns any of its 4 outputs reaches, then adds each accumulator's lanes (a 4×4 transpose) into
// 4 adjacent outputs. Unlike running the forward kernel on the transposed, flipped weight, rows
// of taps that fall in the padding are never multiplied (LeNet's conv2 would waste half).
//
// Threads share a job (written by src/backend/wasm/pool.ts: directConvThreaded, which 4) in
// chunks of samples, each staging its gyT in its own work buffer. Job ints as conv-direct.ts's
// (x there is gy here, and x's sizes gx's; 100 the packed weights, 120 gx).
import { madd } from "./matmul";

/** A group's channels in gyT and Wp: og rounded up to whole vectors. */
// @ts-ignore: decorator
@inline function groupLanes(o: i32, groups: i32): i32 {
  return ((o / groups + 3) >> 2) << 2;
}

/** Zero rows (or columns) staged before gy's first: as many as the taps reach above it, (k−1)·d − p (none if negative). */
// @ts-ignore: decorator
@inline function borderBefore(k: i32, d: i32, p: i32): i32 {
  return max(0, (k - 1) * d - p);
}

/** Rows (or columns) of staged gy: from the lowest row a tap reaches to the highest, with gy's own in between. */
// @ts-ignore: decorator
@inline function stagedExtent(outer: i32, inner: i32, k: i32, d: i32, p: i32): i32 {
  // y = Y + p − i·d over Y < outer (x's rows), i < k; gy's rows are [0, inner)
  const lo = min(0, p - (k - 1) * d);
  const hi = max(inner, outer + p); // one past the highest
  return hi - lo;
}

/** Output columns a row is computed in: whole tiles of 4. */
// @ts-ignore: decorator
@inline function tiledWidth(w: i32): i32 {
  return (w + 3) & ~3;
}

/** Bytes of a thread's work buffer: one sample's staged gyT. */
export function inputWorkBytes(h: i32, w: i32, o: i32, groups: i32, kh: i32, kw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32): i32 {
  return stagedExtent(h, oh, kh, dh, ph) * stagedExtent(tiledWidth(w), ow, kw, dw, pw) * groups * groupLanes(o, groups) * 4;
}

/** Floats packInputWeights writes. */
export function inputWeightFloats(c: i32, o: i32, groups: i32, kh: i32, kw: i32): i32 {
  return c * kh * kw * groupLanes(o, groups);
}

/**
 * Wp[g][ch][i][kw − 1 − j][q] = W[g·og + q, ch, i, j] (zero for q past og) from W at element
 * strides (so, sc, si, sj): the taps of a row reversed, so that they step through Wp as their gy
 * positions step through gyT.
 */
export function packInputWeights(wt: usize, so: i32, sc: i32, si: i32, sj: i32, c: i32, o: i32, groups: i32, kh: i32, kw: i32, dst: usize): void {
  const og = o / groups, cg = c / groups, lanes = groupLanes(o, groups);
  let d = dst;
  for (let g = 0; g < groups; g++) {
    for (let ch = 0; ch < cg; ch++) {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          for (let q = 0; q < lanes; q++, d += 4) {
            store<f32>(d, q < og ? load<f32>(wt + (<usize>((g * og + q) * so + ch * sc + i * si + (kw - 1 - j) * sj) << 2)) : 0);
          }
        }
      }
    }
  }
}

/** 4 accumulators' lane sums, as one vector: lane r is the sum of a_r's lanes. */
// @ts-ignore: decorator
@inline function laneSums(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const t0 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
  const t1 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
}

/** The first `lanes` (at most 4) floats of v at p. */
// @ts-ignore: decorator
@inline function storeLanes(p: usize, v: v128, lanes: i32): void {
  if (lanes >= 4) {
    v128.store(p, v);
    return;
  }
  v128.store32_lane(p, v, 0);
  if (lanes > 1) v128.store32_lane(p, v, 1, 4);
  if (lanes > 2) v128.store32_lane(p, v, 2, 8);
}

/**
 * A tile of 4 columns at a plane's edge, where the outer columns reach past gy at some taps
 * (products of zeros), for one group with dw = 1, where a row's taps are one run of vectors
 * (directInputSamples' `flat`). Columns x + r (x = X + pw), taps t = 0..T − 1 (j = jHi − 1 − t):
 * column r reaches gy for r in [s − t, e − t), s = jHi − 1 − x, e = ow + jHi − 1 − x. At a left
 * edge (s > 0, every column inside on the right) taps t < s reach only columns s − t..3, the
 * rest all 4; at a right edge (s ≤ 0) the kept columns below e − t. Each phase is a run with
 * only its columns' accumulators: each output sums the full tile's products but its zeros, in
 * the same order (i up, t up, vectors up), so it is bit-identical to the full tile's. The
 * branches depend only on the tile's place, not on data. Its own function, so that its
 * accumulators and loops cost the full tiles' loop no registers.
 */
function edgeTile(base: usize, w0: usize, w1: usize, out0: usize, out1: usize, iLo: i32, iHi: i32, jLo: i32, jHi: i32, x: i32, ow: i32, kept: i32, kw: i32, posBytes: usize, iBytes: usize, tapBytes: usize): void {
  const taps = jHi - jLo;
  const s = jHi - 1 - x, e = ow + jHi - 1 - x;
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  for (let i = iLo; i < iHi; i++) {
    // tap t = 0 (j = jHi − 1): gy's positions and Wp's reversed taps step up together
    let gp = base - <usize>i * iBytes - <usize>(jHi - 1) * posBytes;
    let p0 = w0 + <usize>(i * kw + kw - jHi) * tapBytes;
    let p1 = w1 + <usize>(i * kw + kw - jHi) * tapBytes;
    if (s > 0) {
      // left edge: s ≤ 3 (column 3 reaches tap 0)
      if (s >= 3) {
        for (const end = p0 + tapBytes; p0 < end; gp += 16, p0 += 16, p1 += 16) {
          const u = v128.load(p0);
          const t = v128.load(p1);
          let gv = v128.load(gp + 3 * posBytes);
          a3 = madd(u, gv, a3);
          b3 = madd(t, gv, b3);
        }
      }
      if (s >= 2) {
        for (const end = p0 + tapBytes; p0 < end; gp += 16, p0 += 16, p1 += 16) {
          const u = v128.load(p0);
          const t = v128.load(p1);
          let gv = v128.load(gp + 2 * posBytes);
          a2 = madd(u, gv, a2);
          b2 = madd(t, gv, b2);
          gv = v128.load(gp + 3 * posBytes);
          a3 = madd(u, gv, a3);
          b3 = madd(t, gv, b3);
        }
      }
      for (const end = p0 + tapBytes; p0 < end; gp += 16, p0 += 16, p1 += 16) {
        const u = v128.load(p0);
        const t = v128.load(p1);
        let gv = v128.load(gp + posBytes);
        a1 = madd(u, gv, a1);
        b1 = madd(t, gv, b1);
        gv = v128.load(gp + 2 * posBytes);
        a2 = madd(u, gv, a2);
        b2 = madd(t, gv, b2);
        gv = v128.load(gp + 3 * posBytes);
        a3 = madd(u, gv, a3);
        b3 = madd(t, gv, b3);
      }
      for (const end = p0 + <usize>(taps - s) * tapBytes; p0 < end; gp += 16, p0 += 16, p1 += 16) {
        const u = v128.load(p0);
        const t = v128.load(p1);
        let gv = v128.load(gp);
        a0 = madd(u, gv, a0);
        b0 = madd(t, gv, b0);
        gv = v128.load(gp + posBytes);
        a1 = madd(u, gv, a1);
        b1 = madd(t, gv, b1);
        gv = v128.load(gp + 2 * posBytes);
        a2 = madd(u, gv, a2);
        b2 = madd(t, gv, b2);
        gv = v128.load(gp + 3 * posBytes);
        a3 = madd(u, gv, a3);
        b3 = madd(t, gv, b3);
      }
    } else {
      // right edge: taps t < e − 3 reach 4 columns (if kept), then one fewer a tap; kept columns lie
      // inside the plane, so e ≥ kept and no phase's length is negative
      let tap = 0;
      if (kept == 4) {
        const next = min(taps, e - 3);
        for (const end = p0 + <usize>(next - tap) * tapBytes; p0 < end; gp += 16, p0 += 16, p1 += 16) {
          const u = v128.load(p0);
          const t = v128.load(p1);
          let gv = v128.load(gp);
          a0 = madd(u, gv, a0);
          b0 = madd(t, gv, b0);
          gv = v128.load(gp + posBytes);
          a1 = madd(u, gv, a1);
          b1 = madd(t, gv, b1);
          gv = v128.load(gp + 2 * posBytes);
          a2 = madd(u, gv, a2);
          b2 = madd(t, gv, b2);
          gv = v128.load(gp + 3 * posBytes);
          a3 = madd(u, gv, a3);
          b3 = madd(t, gv, b3);
        }
        tap = next;
      }
      if (kept >= 3) {
        const next = min(taps, e - 2);
        for (const end = p0 + <usize>(next - tap) * tapBytes; p0 < end; gp += 16, p0 += 16, p1 += 16) {
          const u = v128.load(p0);
          const t = v128.load(p1);
          let gv = v128.load(gp);
          a0 = madd(u, gv, a0);
          b0 = madd(t, gv, b0);
          gv = v128.load(gp + posBytes);
          a1 = madd(u, gv, a1);
          b1 = madd(t, gv, b1);
          gv = v128.load(gp + 2 * posBytes);
          a2 = madd(u, gv, a2);
          b2 = madd(t, gv, b2);
        }
        tap = max(tap, next);
      }
      if (kept >= 2) {
        const next = min(taps, e - 1);
        for (const end = p0 + <usize>(next - tap) * tapBytes; p0 < end; gp += 16, p0 += 16, p1 += 16) {
          const u = v128.load(p0);
          const t = v128.load(p1);
          let gv = v128.load(gp);
          a0 = madd(u, gv, a0);
          b0 = madd(t, gv, b0);
          gv = v128.load(gp + posBytes);
          a1 = madd(u, gv, a1);
          b1 = madd(t, gv, b1);
        }
        tap = max(tap, next);
      }
      for (const end = p0 + <usize>(min(taps, e) - tap) * tapBytes; p0 < end; gp += 16, p0 += 16, p1 += 16) {
        const u = v128.load(p0);
        const t = v128.load(p1);
        let gv = v128.load(gp);
        a0 = madd(u, gv, a0);
        b0 = madd(t, gv, b0);
      }
    }
  }
  storeLanes(out0, laneSums(a0, a1, a2, a3), kept);
  if (out1 != 0) storeLanes(out1, laneSums(b0, b1, b2, b3), kept);
}

/** gx of samples [n0, n1) (job which 4, see conv-direct.ts). */
export function directInputSamples(job: usize, n0: i32, n1: i32, work: usize): void {
  const gy = <usize>load<u32>(job, 16);
  const s0 = load<i32>(job, 20), s1 = load<i32>(job, 24), s2 = load<i32>(job, 28), s3 = load<i32>(job, 32);
  const c = load<i32>(job, 40), h = load<i32>(job, 44), w = load<i32>(job, 48);
  const o = load<i32>(job, 52), groups = load<i32>(job, 56);
  const kh = load<i32>(job, 64), kw = load<i32>(job, 68), ph = load<i32>(job, 76), pw = load<i32>(job, 80);
  const dh = load<i32>(job, 84), dw = load<i32>(job, 88), oh = load<i32>(job, 92), ow = load<i32>(job, 96);
  const wp = <usize>load<u32>(job, 100);
  const gx = <usize>load<u32>(job, 120);
  const og = o / groups, cg = c / groups, lanes = groupLanes(o, groups);
  const vectors = lanes >> 2;
  const top = borderBefore(kh, dh, ph), left = borderBefore(kw, dw, pw);
  // a tile's columns past w read the zeros right of gy, whose outputs are dropped
  const rows = stagedExtent(h, oh, kh, dh, ph), cols = stagedExtent(tiledWidth(w), ow, kw, dw, pw);
  const posBytes = <usize>(groups * lanes) << 2;
  const rowBytes = <usize>cols * posBytes;
  const jBytes = <usize>dw * posBytes;
  const iBytes = <usize>dh * rowBytes;
  const tapBytes = <usize>lanes << 2; // between a channel's taps in Wp
  const chBytes = <usize>(kh * kw) * tapBytes;
  const flat = jBytes == tapBytes;
  for (let n = n0; n < n1; n++) {
    // gyT: zeros, then gy at row top, column left
    const total = rows * cols * groups * lanes;
    for (let k = 0; k < total; k += 4) v128.store(work + (<usize>k << 2), f32x4.splat(0));
    for (let g = 0; g < groups; g++) {
      for (let q = 0; q < og; q++) {
        const from = gy + (<usize>(n * s0 + (g * og + q) * s1) << 2);
        for (let y = 0; y < oh; y++) {
          let d = work + <usize>(y + top) * rowBytes + <usize>left * posBytes + (<usize>(g * lanes + q) << 2);
          const row = from + (<usize>(y * s2) << 2);
          for (let x = 0; x < ow; x++, d += posBytes) store<f32>(d, load<f32>(row + (<usize>(x * s3) << 2)));
        }
      }
    }
    for (let g = 0; g < groups; g++) {
      for (let ch0 = 0; ch0 < cg; ch0 += 2) {
        // a tile of one channel runs the second set on the same weights and drops it
        const ch1 = min(ch0 + 1, cg - 1);
        const w0 = wp + <usize>(g * cg + ch0) * chBytes;
        const w1 = wp + <usize>(g * cg + ch1) * chBytes;
        const out0 = gx + (<usize>((n * c + g * cg + ch0) * h * w) << 2);
        const out1 = gx + (<usize>((n * c + g * cg + ch1) * h * w) << 2);
        for (let Y = 0; Y < h; Y++) {
          // taps i whose gy row Y + ph − i·dh is in [0, oh)
          const iLo = max(0, (Y + ph - oh + dh) / dh);
          const iHi = min(kh, Y + ph >= 0 ? (Y + ph) / dh + 1 : 0);
          for (let X = 0; X < w; X += 4) {
            // taps j any of columns X..X+3 reaches inside gy: X' + pw − j·dw in [0, ow)
            const jLo = max(0, (X + pw - ow + dw) / dw);
            const jHi = min(kw, X + 3 + pw >= 0 ? (X + 3 + pw) / dw + 1 : 0);
            // gyT at (row Y + ph − i·dh, column X + pw − j·dw), both shifted by the border
            const base = work + <usize>(Y + ph + top) * rowBytes + <usize>(X + pw + left) * posBytes + (<usize>(g * lanes) << 2);
            if (flat && jHi > jLo && (X + pw - (jHi - 1) < 0 || X + 3 + pw - jLo >= ow)) {
              // at a plane's edge on one side only: a tile that leaves out the zeros
              const kept = min(4, w - X), s = jHi - 1 - X - pw, e = ow + jHi - 1 - X - pw;
              if (s <= 0 || (kept == 4 && e - (jHi - jLo) + 1 >= 4)) {
                const at = <usize>(Y * w + X) << 2;
                edgeTile(base, w0, w1, out0 + at, ch1 != ch0 ? out1 + at : 0, iLo, iHi, jLo, jHi, X + pw, ow, kept, kw, posBytes, iBytes, tapBytes);
                continue;
              }
            }
            // where one tap's channels end where the next's begin in both gyT and Wp (dw = 1, one
            // group), a row's taps are one run of vectors; else a run a tap
            const runs = flat ? min(1, jHi - jLo) : jHi - jLo;
            let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
            let b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (let i = iLo; i < iHi; i++) {
              for (let r = 0; r < runs; r++) {
                // taps j from jHi − 1 down: gy's positions and Wp's reversed taps both step up
                const j = jHi - 1 - r;
                let gp = base - <usize>i * iBytes - <usize>j * jBytes;
                let p0 = w0 + <usize>(i * kw + kw - 1 - j) * tapBytes;
                let p1 = w1 + <usize>(i * kw + kw - 1 - j) * tapBytes;
                const end = p0 + (flat ? <usize>(jHi - jLo) * tapBytes : tapBytes);
                for (; p0 < end; gp += 16, p0 += 16, p1 += 16) {
                  const u = v128.load(p0);
                  const t = v128.load(p1);
                  let gv = v128.load(gp);
                  a0 = madd(u, gv, a0);
                  b0 = madd(t, gv, b0);
                  gv = v128.load(gp + posBytes);
                  a1 = madd(u, gv, a1);
                  b1 = madd(t, gv, b1);
                  gv = v128.load(gp + 2 * posBytes);
                  a2 = madd(u, gv, a2);
                  b2 = madd(t, gv, b2);
                  gv = v128.load(gp + 3 * posBytes);
                  a3 = madd(u, gv, a3);
                  b3 = madd(t, gv, b3);
                }
              }
            }
            const at = <usize>(Y * w + X) << 2;
            storeLanes(out0 + at, laneSums(a0, a1, a2, a3), w - X);
            if (ch1 != ch0) storeLanes(out1 + at, laneSums(b0, b1, b2, b3), w - X);
          }
        }
      }
    }
  }
}
