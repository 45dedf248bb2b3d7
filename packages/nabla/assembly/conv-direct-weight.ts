// The direct convolution's weight gradient (src/backend/wasm/conv.ts: directWeight), for layers
// with few taps an output (LeNet's 5×5 on 1 and 6 channels):
//   dW[q, ch, i, j] = Σ_n Σ_(y,x) gy[n, q, y, x] · xpad[n, ch, y·sh + i·dh, x + j·dw].
// Output channels sit in the lanes: gy is first transposed to gyT[n][y, x][channel] (each
// group's og channels rounded up to whole vectors, zeros past og), so one tile holds up to 4
// vectors of 4 channels for a few taps (ch, i, j) in 8 accumulators and walks every output
// position of every sample of the block with them in registers, each step one gy vector per
// channel vector and one broadcast x per tap. A row of any width fills the lanes (LeNet's 10
// columns waste none), and the reduction over (n, y, x) runs in one lane per weight, in that
// order whatever the tile's shape or the thread that computes it, so every dW element is the same
// float however the work is cut.
//
// Two jobs (assembly/jobs.ts, written by src/backend/wasm/pool.ts: directConvThreaded) a block of
// samples: `prepare` (which 2) stages x's zero-padded planes and gyT in shared scratch, in chunks
// of samples; `tiles` (which 1) runs the tiles, in chunks of units (group, channel tile, ch,
// taps), each thread owning whole dW elements. A block after the first adds to dW.
//
// Job ints (byte offset), beside those of conv-direct.ts: 124 staged planes, 128 gyT,
// 132 accumulate (1: add to dW).
import { stage } from "./conv-direct";
import { madd } from "./matmul";
import { columnWaste, weightColumnUnitCount, weightColumnUnits } from "./conv-direct-weight-columns";

/** Rows of a staged plane: those the taps of oh output rows reach. */
// @ts-ignore: decorator
@inline function stageHeight(kh: i32, sh: i32, dh: i32, oh: i32): i32 {
  return (oh - 1) * sh + (kh - 1) * dh + 1;
}

/** Columns of a staged plane: those the taps of ow output columns reach. */
// @ts-ignore: decorator
@inline function stageWidth(kw: i32, dw: i32, ow: i32): i32 {
  return ow + (kw - 1) * dw;
}

/** A group's channels in gyT: og rounded up to whole vectors. */
// @ts-ignore: decorator
@inline function groupLanes(o: i32, groups: i32): i32 {
  return ((o / groups + 3) >> 2) << 2;
}

/** Floats of staged x planes a sample (c channels). */
export function weightPlaneFloats(c: i32, kh: i32, kw: i32, sh: i32, dh: i32, dw: i32, oh: i32, ow: i32): i32 {
  return c * stageHeight(kh, sh, dh, oh) * stageWidth(kw, dw, ow);
}

/**
 * Floats of gyT for nb samples: every output position's channels, each group's at whole vectors,
 * and one vector more (a 4-vector tile over a group's last 3 vectors reads one past them).
 */
export function weightGyFloats(nb: i32, o: i32, groups: i32, oh: i32, ow: i32): i32 {
  return nb * oh * ow * groups * groupLanes(o, groups) + 4;
}

/**
 * Vectors of channels a tile covers when `left` vectors of its group remain: 4, 2 or 1 (3
 * remaining run as 4, the last lanes discarded).
 */
// @ts-ignore: decorator
@inline function tileVectors(left: i32): i32 {
  return left >= 3 ? 4 : left;
}

/** Taps a tile of qv channel vectors holds: 8 accumulators in all. */
// @ts-ignore: decorator
@inline function tileTaps(qv: i32): i32 {
  return 8 / qv;
}

/** Lanes computed per useful product: whole vectors of a group's channels, times the taps the tiles cover per real one. */
function channelWaste(o: i32, groups: i32, kh: i32, kw: i32): f64 {
  const og = o / groups, vectors = groupLanes(o, groups) >> 2, taps = kh * kw;
  const tb = tileTaps(tileVectors(vectors));
  return <f64>(vectors * 4) / <f64>og * <f64>(((taps + tb - 1) / tb) * tb) / <f64>taps;
}

/**
 * Whether the weight gradient runs with output columns in the lanes (conv-direct-weight-columns.ts,
 * job which 3) rather than channels (here, which 2 then 1): where that wastes fewer lanes.
 */
export function weightByColumns(o: i32, groups: i32, kh: i32, kw: i32, ow: i32): bool {
  return columnWaste(kw, ow) < channelWaste(o, groups, kh, kw);
}

/** Units (group, channel tile, ch, taps) of the tiles job, in the order weightUnits walks them. */
export function weightUnitCount(c: i32, o: i32, groups: i32, kh: i32, kw: i32): i32 {
  const vectors = groupLanes(o, groups) >> 2;
  const taps = kh * kw;
  let perGroup = 0;
  for (let v = 0; v < vectors; ) {
    const qv = tileVectors(vectors - v);
    const tb = tileTaps(qv);
    perGroup += (c / groups) * ((taps + tb - 1) / tb);
    v += qv;
  }
  return groups * perGroup;
}

/** Samples [n0, n1) of the block: x's padded planes and gyT (see above). */
function prepareSamples(job: usize, n0: i32, n1: i32): void {
  const x = <usize>load<u32>(job, 16);
  const s0 = load<i32>(job, 20), s1 = load<i32>(job, 24), s2 = load<i32>(job, 28), s3 = load<i32>(job, 32);
  const c = load<i32>(job, 40), h = load<i32>(job, 44), w = load<i32>(job, 48);
  const o = load<i32>(job, 52), groups = load<i32>(job, 56);
  const kh = load<i32>(job, 64), kw = load<i32>(job, 68), sh = load<i32>(job, 72), ph = load<i32>(job, 76), pw = load<i32>(job, 80);
  const dh = load<i32>(job, 84), dw = load<i32>(job, 88), oh = load<i32>(job, 92), ow = load<i32>(job, 96);
  const gy = <usize>load<u32>(job, 100);
  const g0s = load<i32>(job, 104), g1s = load<i32>(job, 108), g2s = load<i32>(job, 112), g3s = load<i32>(job, 116);
  const planes = <usize>load<u32>(job, 124), gyT = <usize>load<u32>(job, 128);
  const hp = stageHeight(kh, sh, dh, oh), wp = stageWidth(kw, dw, ow);
  const og = o / groups, lanes = groupLanes(o, groups);
  const stride = groups * lanes; // floats between positions in gyT
  const p = oh * ow;
  for (let n = n0; n < n1; n++) {
    stage(x, s0, s1, s2, s3, n, c, h, w, ph, pw, hp, wp, planes + (<usize>(n * c * hp * wp) << 2));
    const dst = gyT + (<usize>(n * p * stride) << 2);
    for (let g = 0; g < groups; g++) {
      for (let q = 0; q < og; q++) {
        const from = gy + (<usize>(n * g0s + (g * og + q) * g1s) << 2);
        let d = dst + (<usize>(g * lanes + q) << 2);
        for (let yy = 0; yy < oh; yy++) {
          const row = from + (<usize>(yy * g2s) << 2);
          for (let xx = 0; xx < ow; xx++, d += <usize>stride << 2) store<f32>(d, load<f32>(row + (<usize>(xx * g3s) << 2)));
        }
      }
      for (let q = og; q < lanes; q++) {
        let d = dst + (<usize>(g * lanes + q) << 2);
        for (let k = 0; k < p; k++, d += <usize>stride << 2) store<f32>(d, 0);
      }
    }
  }
}

/**
 * One tile over every position of the block: accumulators acc[k][t] (channel vector k < qv, tap
 * t < tb, at `acc` + 16·(k·tb + t)) += gyT[n][pos][k] · xpad[n][pos + off_t], with off_t the taps'
 * offsets into a plane (floats, at `offs`). gy starts at the tile's first channel of sample 0,
 * x at plane ch of sample 0.
 */
function tileRun(
  qv: i32, acc: usize, offs: usize, gy0: usize, x0: usize, nb: i32, oh: i32, ow: i32, sh: i32, wp: i32,
  gyBytes: usize, sampleBytes: usize, posBytes: usize,
): void {
  const rowBytes = <usize>(sh * wp) << 2;
  if (qv == 4) {
    const o0 = <usize>load<i32>(offs) << 2, o1 = <usize>load<i32>(offs, 4) << 2;
    let a0 = v128.load(acc), a1 = v128.load(acc, 32), a2 = v128.load(acc, 64), a3 = v128.load(acc, 96);
    let b0 = v128.load(acc, 16), b1 = v128.load(acc, 48), b2 = v128.load(acc, 80), b3 = v128.load(acc, 112);
    for (let n = 0; n < nb; n++) {
      let gp = gy0 + <usize>n * gyBytes;
      let xr = x0 + <usize>n * sampleBytes;
      for (let yy = 0; yy < oh; yy++, xr += rowBytes) {
        let xp = xr;
        for (let xx = 0; xx < ow; xx++, xp += 4, gp += posBytes) {
          const u = v128.load32_splat(xp + o0);
          const v = v128.load32_splat(xp + o1);
          let gv = v128.load(gp);
          a0 = madd(gv, u, a0);
          b0 = madd(gv, v, b0);
          gv = v128.load(gp, 16);
          a1 = madd(gv, u, a1);
          b1 = madd(gv, v, b1);
          gv = v128.load(gp, 32);
          a2 = madd(gv, u, a2);
          b2 = madd(gv, v, b2);
          gv = v128.load(gp, 48);
          a3 = madd(gv, u, a3);
          b3 = madd(gv, v, b3);
        }
      }
    }
    v128.store(acc, a0); v128.store(acc, b0, 16); v128.store(acc, a1, 32); v128.store(acc, b1, 48);
    v128.store(acc, a2, 64); v128.store(acc, b2, 80); v128.store(acc, a3, 96); v128.store(acc, b3, 112);
  } else if (qv == 2) {
    const o0 = <usize>load<i32>(offs) << 2, o1 = <usize>load<i32>(offs, 4) << 2;
    const o2 = <usize>load<i32>(offs, 8) << 2, o3 = <usize>load<i32>(offs, 12) << 2;
    let a0 = v128.load(acc), a1 = v128.load(acc, 16), a2 = v128.load(acc, 32), a3 = v128.load(acc, 48);
    let b0 = v128.load(acc, 64), b1 = v128.load(acc, 80), b2 = v128.load(acc, 96), b3 = v128.load(acc, 112);
    for (let n = 0; n < nb; n++) {
      let gp = gy0 + <usize>n * gyBytes;
      let xr = x0 + <usize>n * sampleBytes;
      for (let yy = 0; yy < oh; yy++, xr += rowBytes) {
        let xp = xr;
        for (let xx = 0; xx < ow; xx++, xp += 4, gp += posBytes) {
          const g0 = v128.load(gp);
          const g1 = v128.load(gp, 16);
          let u = v128.load32_splat(xp + o0);
          a0 = madd(g0, u, a0);
          b0 = madd(g1, u, b0);
          u = v128.load32_splat(xp + o1);
          a1 = madd(g0, u, a1);
          b1 = madd(g1, u, b1);
          u = v128.load32_splat(xp + o2);
          a2 = madd(g0, u, a2);
          b2 = madd(g1, u, b2);
          u = v128.load32_splat(xp + o3);
          a3 = madd(g0, u, a3);
          b3 = madd(g1, u, b3);
        }
      }
    }
    v128.store(acc, a0); v128.store(acc, a1, 16); v128.store(acc, a2, 32); v128.store(acc, a3, 48);
    v128.store(acc, b0, 64); v128.store(acc, b1, 80); v128.store(acc, b2, 96); v128.store(acc, b3, 112);
  } else {
    const o0 = <usize>load<i32>(offs) << 2, o1 = <usize>load<i32>(offs, 4) << 2;
    const o2 = <usize>load<i32>(offs, 8) << 2, o3 = <usize>load<i32>(offs, 12) << 2;
    const o4 = <usize>load<i32>(offs, 16) << 2, o5 = <usize>load<i32>(offs, 20) << 2;
    const o6 = <usize>load<i32>(offs, 24) << 2, o7 = <usize>load<i32>(offs, 28) << 2;
    let a0 = v128.load(acc), a1 = v128.load(acc, 16), a2 = v128.load(acc, 32), a3 = v128.load(acc, 48);
    let a4 = v128.load(acc, 64), a5 = v128.load(acc, 80), a6 = v128.load(acc, 96), a7 = v128.load(acc, 112);
    for (let n = 0; n < nb; n++) {
      let gp = gy0 + <usize>n * gyBytes;
      let xr = x0 + <usize>n * sampleBytes;
      for (let yy = 0; yy < oh; yy++, xr += rowBytes) {
        let xp = xr;
        for (let xx = 0; xx < ow; xx++, xp += 4, gp += posBytes) {
          const g0 = v128.load(gp);
          a0 = madd(g0, v128.load32_splat(xp + o0), a0);
          a1 = madd(g0, v128.load32_splat(xp + o1), a1);
          a2 = madd(g0, v128.load32_splat(xp + o2), a2);
          a3 = madd(g0, v128.load32_splat(xp + o3), a3);
          a4 = madd(g0, v128.load32_splat(xp + o4), a4);
          a5 = madd(g0, v128.load32_splat(xp + o5), a5);
          a6 = madd(g0, v128.load32_splat(xp + o6), a6);
          a7 = madd(g0, v128.load32_splat(xp + o7), a7);
        }
      }
    }
    v128.store(acc, a0); v128.store(acc, a1, 16); v128.store(acc, a2, 32); v128.store(acc, a3, 48);
    v128.store(acc, a4, 64); v128.store(acc, a5, 80); v128.store(acc, a6, 96); v128.store(acc, a7, 112);
  }
}

/**
 * Units [u0, u1) of the tiles job (group, channel tile, ch, taps, in that order), each over the
 * whole block; `work` holds a tile's accumulators and tap offsets. dW is contiguous [o, cg, kh, kw].
 */
function weightUnits(job: usize, u0: i32, u1: i32, work: usize): void {
  const nb = load<i32>(job, 36), c = load<i32>(job, 40);
  const o = load<i32>(job, 52), groups = load<i32>(job, 56);
  const kh = load<i32>(job, 64), kw = load<i32>(job, 68), sh = load<i32>(job, 72);
  const dh = load<i32>(job, 84), dw = load<i32>(job, 88), oh = load<i32>(job, 92), ow = load<i32>(job, 96);
  const dW = <usize>load<u32>(job, 120);
  const planes = <usize>load<u32>(job, 124), gyT = <usize>load<u32>(job, 128);
  const accumulate = load<i32>(job, 132) != 0;
  const hp = stageHeight(kh, sh, dh, oh), wp = stageWidth(kw, dw, ow);
  const og = o / groups, cg = c / groups, lanes = groupLanes(o, groups);
  const vectors = lanes >> 2;
  const taps = kh * kw;
  const posBytes = <usize>(groups * lanes) << 2;
  const gyBytes = <usize>(oh * ow) * posBytes;
  const planeBytes = <usize>(hp * wp) << 2;
  const sampleBytes = <usize>c * planeBytes;
  const acc = work;
  const offs = work + 128;
  let u = 0;
  for (let g = 0; g < groups; g++) {
    for (let v = 0; v < vectors; ) {
      const qv = tileVectors(vectors - v);
      const tb = tileTaps(qv);
      const tapTiles = (taps + tb - 1) / tb;
      for (let ch = 0; ch < cg; ch++) {
        for (let tt = 0; tt < tapTiles; tt++, u++) {
          if (u < u0 || u >= u1) continue;
          // the tile's taps; past the last, the last again (computed, not stored)
          for (let t = 0; t < tb; t++) {
            const tap = min(tt * tb + t, taps - 1);
            store<i32>(offs + (<usize>t << 2), (tap / kw) * dh * wp + (tap % kw) * dw);
          }
          // dW[g·og + q, ch, tap] for lane l of vector k and tap t (q past og and taps past the last are not stored)
          for (let k = 0; k < qv; k++) {
            for (let t = 0; t < tb; t++) {
              const a = acc + (<usize>(k * tb + t) << 4);
              const tap = tt * tb + t;
              for (let l = 0; l < 4; l++) {
                const q = 4 * (v + k) + l;
                const at = dW + (<usize>(((g * og + q) * cg + ch) * taps + tap) << 2);
                store<f32>(a + (<usize>l << 2), accumulate && q < og && tap < taps ? load<f32>(at) : 0);
              }
            }
          }
          tileRun(qv, acc, offs, gyT + (<usize>(g * lanes + 4 * v) << 2), planes + <usize>(g * cg + ch) * planeBytes,
            nb, oh, ow, sh, wp, gyBytes, sampleBytes, posBytes);
          for (let k = 0; k < qv; k++) {
            for (let t = 0; t < tb; t++) {
              const a = acc + (<usize>(k * tb + t) << 4);
              const tap = tt * tb + t;
              if (tap >= taps) continue;
              for (let l = 0; l < 4; l++) {
                const q = 4 * (v + k) + l;
                if (q >= og) continue;
                store<f32>(dW + (<usize>(((g * og + q) * cg + ch) * taps + tap) << 2), load<f32>(a + (<usize>l << 2)));
              }
            }
          }
        }
      }
      v += qv;
    }
  }
}

/** Bytes of a thread's work buffer a tile uses: 8 accumulators and 8 tap offsets. */
export const WEIGHT_WORK_BYTES: i32 = 8 * 16 + 8 * 4;

/** The chunks of a weight-gradient job (`which` 1, 2 or 3) in all: units, samples, column units. */
export function weightJobTotal(job: usize, which: i32): i32 {
  if (which == 2) return load<i32>(job, 36);
  const c = load<i32>(job, 40), o = load<i32>(job, 52), groups = load<i32>(job, 56);
  return which == 1 ? weightUnitCount(c, o, groups, load<i32>(job, 64), load<i32>(job, 68)) : weightColumnUnitCount(c, o, groups, load<i32>(job, 64));
}

/** A thread's share of a weight-gradient job: `which` 2 prepares samples, 1 runs units, 3 the column kernel's units. */
export function directWeightChunk(job: usize, which: i32, from: i32, to: i32, work: usize): void {
  if (which == 2) prepareSamples(job, from, to);
  else if (which == 1) weightUnits(job, from, to, work);
  else weightColumnUnits(job, from, to, work);
}
