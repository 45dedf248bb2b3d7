// The direct convolution's forward with output channels in the lanes (conv-direct.ts puts output
// columns there): for groups of 16 channels whose rows do not fill whole vectors, such as
// LeNet's conv2 (6→16 5×5, 10 output columns, which the column tiles compute as 12). A tile is
// 16 output channels (four vectors) at two output positions, which may lie on different rows, so
// no lane is ever wasted on a column past the row. Each accumulator starts from the bias and
// adds the taps in the same order as the column tiles (channel, kernel row, kernel column), each
// product the same weight times the same input, so every output is bit-identical to theirs.
// The padded planes are staged by conv-direct.ts's `stage`; the weights are packed by
// `packLaneWeights` below (16 channels' weights of a tap side by side). Job which 5 (see
// conv-direct.ts), shared by threads in chunks of samples like the forward's.
import { madd } from "./matmul";

/** Output channels a tile holds: four vectors. */
const LANES = 16;

/**
 * Whether the forward runs with channels in the lanes: og a whole number of tiles, and rows whose
 * column tiles would leave at least an eighth of their lanes empty (LeNet's conv2: 12 columns for
 * 10), over enough taps an output (at least 32) that the tiles' lane-by-lane stores are a small
 * part of the work. Measured at one thread: 6→16 5×5 with 10 columns 0.86–0.90× the column
 * tiles' time; 1→32 3×3 with 26 columns (an eleventh wasted, 9 taps) 1.18×, so not there.
 */
export function forwardByChannels(og: i32, taps: i32, ow: i32): bool {
  const wasted = 4 * ((ow + 3) >> 2) - ow;
  return og % LANES == 0 && taps >= 32 && 8 * wasted >= ow;
}

/**
 * Lays out weights for forwardSampleLanes at dst: for each group and block of 16 output
 * channels, the 16 weights of each tap (ch, i, j) side by side, then the 16 biases (zero without
 * one). W[g·og + q, ch, i, j] is at wt + (g·swg + q·swo + ch·swc + i·swi + j·swj) floats.
 */
export function packLaneWeights(
  wt: usize, swo: i32, swc: i32, swg: i32, swi: i32, swj: i32,
  groups: i32, og: i32, cg: i32, kh: i32, kw: i32,
  bias: usize, sb: i32, dst: usize,
): void {
  let d = dst;
  for (let g = 0; g < groups; g++) {
    for (let q0 = 0; q0 < og; q0 += LANES) {
      for (let ch = 0; ch < cg; ch++) {
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            for (let r = 0; r < LANES; r++, d += 4) {
              store<f32>(d, load<f32>(wt + <usize>(<isize>(g * swg + (q0 + r) * swo + ch * swc + i * swi + j * swj) << 2)));
            }
          }
        }
      }
      for (let r = 0; r < LANES; r++, d += 4) {
        store<f32>(d, bias != 0 ? load<f32>(bias + (<usize>((g * og + q0 + r) * sb) << 2)) : 0);
      }
    }
  }
}

/** Bytes packLaneWeights writes. */
export function laneWeightBytes(groups: i32, og: i32, cg: i32, kh: i32, kw: i32): i32 {
  return groups * (og / LANES) * (cg * kh * kw + 1) * LANES * 4;
}

/** Output position p's 16 channels from four accumulators: channel 4k + l at out + ((4k + l)·plane + p)·4. */
// @ts-ignore: decorator
@inline function storeChannels(out: usize, plane: usize, p: i32, a0: v128, a1: v128, a2: v128, a3: v128): void {
  const at = out + (<usize>p << 2);
  v128.store32_lane(at, a0, 0);
  v128.store32_lane(at + plane, a0, 1);
  v128.store32_lane(at + 2 * plane, a0, 2);
  v128.store32_lane(at + 3 * plane, a0, 3);
  v128.store32_lane(at + 4 * plane, a1, 0);
  v128.store32_lane(at + 5 * plane, a1, 1);
  v128.store32_lane(at + 6 * plane, a1, 2);
  v128.store32_lane(at + 7 * plane, a1, 3);
  v128.store32_lane(at + 8 * plane, a2, 0);
  v128.store32_lane(at + 9 * plane, a2, 1);
  v128.store32_lane(at + 10 * plane, a2, 2);
  v128.store32_lane(at + 11 * plane, a2, 3);
  v128.store32_lane(at + 12 * plane, a3, 0);
  v128.store32_lane(at + 13 * plane, a3, 1);
  v128.store32_lane(at + 14 * plane, a3, 2);
  v128.store32_lane(at + 15 * plane, a3, 3);
}

/**
 * y[n] from the staged planes of sample n (conv-direct.ts: stage, planes hp × wp), weights packed
 * by packLaneWeights: tiles of 16 channels × 2 output positions, an odd last position alone.
 */
export function forwardSampleLanes(
  planes: usize, n: i32, o: i32, groups: i32, cg: i32, kh: i32, kw: i32, sh: i32, dh: i32, dw: i32,
  oh: i32, ow: i32, hp: i32, wp: i32, packed: usize, y: usize,
): void {
  const og = o / groups;
  const blocks = og / LANES;
  const taps = cg * kh * kw;
  const positions = oh * ow;
  const plane = <usize>positions << 2;
  const planeBytes = <usize>(hp * wp) << 2;
  const tapRowBytes = <usize>(dh * wp) << 2;
  const jBytes = <usize>dw << 2;
  for (let g = 0; g < groups; g++) {
    const groupPlanes = planes + <usize>(g * cg) * planeBytes;
    for (let bk = 0; bk < blocks; bk++) {
      const wblock = packed + (<usize>((g * blocks + bk) * (taps + 1) * LANES) << 2);
      const bias = wblock + (<usize>(taps * LANES) << 2);
      const out = y + (<usize>((n * o + g * og + bk * LANES) * positions) << 2);
      // positions p and p + 1 at (yy, xx) and (yy1, xx1), stepped without dividing
      let yy = 0, xx = 0;
      let p = 0;
      for (; p + 2 <= positions; p += 2) {
        let yy1 = yy, xx1 = xx + 1;
        if (xx1 == ow) { yy1++; xx1 = 0; }
        const base0 = groupPlanes + (<usize>(yy * sh * wp + xx) << 2);
        const base1 = groupPlanes + (<usize>(yy1 * sh * wp + xx1) << 2);
        let a0 = v128.load(bias), a1 = v128.load(bias, 16), a2 = v128.load(bias, 32), a3 = v128.load(bias, 48);
        let b0 = a0, b1 = a1, b2 = a2, b3 = a3;
        let wq = wblock;
        let chOff: usize = 0;
        for (let ch = 0; ch < cg; ch++, chOff += planeBytes) {
          let off = chOff;
          for (let i = 0; i < kh; i++, off += tapRowBytes) {
            let q = off;
            for (let j = 0; j < kw; j++, q += jBytes, wq += 64) {
              const s0 = v128.load32_splat(base0 + q);
              const s1 = v128.load32_splat(base1 + q);
              let w = v128.load(wq);
              a0 = madd(w, s0, a0);
              b0 = madd(w, s1, b0);
              w = v128.load(wq, 16);
              a1 = madd(w, s0, a1);
              b1 = madd(w, s1, b1);
              w = v128.load(wq, 32);
              a2 = madd(w, s0, a2);
              b2 = madd(w, s1, b2);
              w = v128.load(wq, 48);
              a3 = madd(w, s0, a3);
              b3 = madd(w, s1, b3);
            }
          }
        }
        storeChannels(out, plane, p, a0, a1, a2, a3);
        storeChannels(out, plane, p + 1, b0, b1, b2, b3);
        yy = yy1;
        xx = xx1 + 1;
        if (xx == ow) { yy++; xx = 0; }
      }
      if (p < positions) {
        const base0 = groupPlanes + (<usize>(yy * sh * wp + xx) << 2);
        let a0 = v128.load(bias), a1 = v128.load(bias, 16), a2 = v128.load(bias, 32), a3 = v128.load(bias, 48);
        let wq = wblock;
        let chOff: usize = 0;
        for (let ch = 0; ch < cg; ch++, chOff += planeBytes) {
          let off = chOff;
          for (let i = 0; i < kh; i++, off += tapRowBytes) {
            let q = off;
            for (let j = 0; j < kw; j++, q += jBytes, wq += 64) {
              const s0 = v128.load32_splat(base0 + q);
              a0 = madd(v128.load(wq), s0, a0);
              a1 = madd(v128.load(wq, 16), s0, a1);
              a2 = madd(v128.load(wq, 32), s0, a2);
              a3 = madd(v128.load(wq, 48), s0, a3);
            }
          }
        }
        storeChannels(out, plane, p, a0, a1, a2, a3);
      }
    }
  }
}
