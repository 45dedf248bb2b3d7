// The direct convolution's weight gradient with output columns in the lanes (the other kernel,
// conv-direct-weight.ts, puts output channels there): for layers whose rows fill whole vectors
// but whose channels would leave lanes empty (LeNet's conv1: 28 columns, 6 channels). Each
// (2 channels × 5 or 3 kernel columns) tile accumulates a[r][jj] += gy_r[y, 4v..] ·
// x[y·sh + i·dh, 4v + jj·dw ..] over a sample's rows; the lanes are summed into dW at the end.
// Threads share the job (which 3, see conv-direct.ts) in chunks of units (output-channel tile,
// input channel, kernel row: LeNet's conv1 has 3 tiles but 15 units, so two threads split it
// 8:7, not 2:1), each thread owning whole rows of dW and staging every sample's padded planes,
// gy's planes at whole vectors and its units' accumulators in its own work buffer. A unit's
// accumulators sum the same products in the same order however the units are cut, so dW is the
// same float for any thread count.
import { madd } from "./matmul";
import { stage, zeroFloats } from "./conv-direct";

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
@inline function columnsPlaneWidth(kw: i32, dw: i32, ow: i32): i32 {
  return 4 * rowVectors(ow) + (((kw + JB - 1) / JB) * JB - 1) * dw;
}

/** Rows of a padded plane: those the taps of oh output rows reach. */
// @ts-ignore: decorator
@inline function columnsPlaneHeight(kh: i32, sh: i32, dh: i32, oh: i32): i32 {
  return (oh - 1) * sh + (kh - 1) * dh + 1;
}

/** Sum of a vector's lanes. */
// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * Columns [j0, j0 + 3) (with Three a float type) or [j0, j0 + 2) of one weight-gradient tile over
 * vectors [v0, v1) of every output row: a[jj] += gy0[y, 4v..] · x[y·sh (+ i·dh, in xr), 4v + jj·dw ..]
 * and b[jj] likewise with gy1, the accumulators of column jj at a + 16·jj and b + 16·jj, xr
 * already at column j0. With Masked a float type the x vectors are ANDed with `mask` (a row's
 * last, partial vector); an integer type compiles the AND out. A tile of 5 columns runs as 3 + 2:
 * 10 accumulators, 2 gy and 5 x vectors in one loop are more than x64's 15 vector registers,
 * and V8 (which loads all five x vectors first) kept two accumulators on the stack, a store and
 * a reload each step (half the speed). Each accumulator sums the same products in the same
 * order either way.
 */
// @ts-ignore: decorator
@inline function tileRows<Masked, Three>(
  a: usize, b: usize, xr0: usize, gy0: usize, gy1: usize, v0: i32, v1: i32,
  oh: i32, sh: i32, rowBytes: usize, gw: i32, jBytes: usize, mask: v128,
): void {
  const three = isFloat<Three>();
  let a0 = v128.load(a), a1 = v128.load(a, 16);
  let b0 = v128.load(b), b1 = v128.load(b, 16);
  let a2 = f32x4.splat(0), b2 = a2;
  if (three) {
    a2 = v128.load(a, 32);
    b2 = v128.load(b, 32);
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
      if (!three) continue;
      xv = v128.load(xr + 2 * jBytes);
      if (isFloat<Masked>()) xv = v128.and(xv, mask);
      a2 = madd(u0, xv, a2);
      b2 = madd(u1, xv, b2);
    }
  }
  v128.store(a, a0); v128.store(a, a1, 16);
  v128.store(b, b0); v128.store(b, b1, 16);
  if (three) {
    v128.store(a, a2, 32);
    v128.store(b, b2, 32);
  }
}

/**
 * A tile's jb (JB or JB_NARROW) columns from j0 over vectors [v0, v1): its first channel's
 * accumulators at `a`, the second's jb vectors after them, x's row at xr (column j0).
 */
// @ts-ignore: decorator
@inline function tileRun<Masked>(
  jb: i32, a: usize, xr: usize, gy0: usize, gy1: usize, v0: i32, v1: i32,
  oh: i32, sh: i32, rowBytes: usize, gw: i32, jBytes: usize, mask: v128,
): void {
  const b = a + (<usize>jb << 4);
  tileRows<Masked, f32>(a, b, xr, gy0, gy1, v0, v1, oh, sh, rowBytes, gw, jBytes, mask);
  if (jb == JB) tileRows<Masked, i32>(a + 48, b + 48, xr + 3 * jBytes, gy0, gy1, v0, v1, oh, sh, rowBytes, gw, jBytes, mask);
}

/**
 * dW for units [u0, u1) (unit u = (tile·cg + ch)·kh + i, tiles of WB output channels numbered
 * across groups) over all samples, into contiguous dW [o, cg, kh, kw], overwritten. Per sample:
 * x's padded planes, gy's planes at whole vectors (zero past ow), then each unit's kernel-column
 * blocks run their 2×jb accumulators over the sample's rows; lanes past ow are masked out of x,
 * so a non-finite input there never meets the zeros.
 */
export function weightColumnUnits(job: usize, u0: i32, u1: i32, work: usize): void {
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
  const unitsPerTile = cg * kh;
  const hp = columnsPlaneHeight(kh, sh, dh, oh), wp = columnsPlaneWidth(kw, dw, ow);
  const gv = (ow + 3) >> 2; // gy's vectors a row
  const gw = gv * 4;
  const jb = tileColumns(kw);
  const kwr = ((kw + jb - 1) / jb) * jb;
  const planes = work;
  const gyPlanes = planes + (<usize>(c * hp * wp) << 2);
  const acc = gyPlanes + (<usize>(o * oh * gw) << 2);
  const accUnit = <usize>(kwr * WB) << 4; // bytes of one unit's accumulators
  zeroFloats(acc, <i32>(<usize>(u1 - u0) * accUnit >> 2));
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
  // the tiles the units reach, and their output channels
  const t0 = u0 / unitsPerTile, t1 = (u1 - 1) / unitsPerTile + 1;
  const oLo = (t0 / tilesPerGroup) * og + (t0 % tilesPerGroup) * WB;
  const oHi = min(o, ((t1 - 1) / tilesPerGroup) * og + min(og, ((t1 - 1) % tilesPerGroup + 1) * WB));
  // a contiguous gy whose rows are whole vectors is read in place: its planes are already the
  // staged layout (LeNet's conv1: 28 columns), and copying them cost about a tenth of the kernel
  const inPlace = gw == ow && g3s == 1 && g2s == ow && g1s == oh * ow;
  for (let n = 0; n < nb; n++) {
    stage(x, s0, s1, s2, s3, n, c, h, w, ph, pw, hp, wp, planes);
    const gyN = inPlace ? gy + (<usize>(n * g0s) << 2) : gyPlanes;
    // else gy's planes of the channels these units read, at gw columns with zeros past ow
    for (let q = oLo; q < oHi && !inPlace; q++) {
      for (let yy = 0; yy < oh; yy++) {
        const d = gyPlanes + (<usize>((q * oh + yy) * gw) << 2);
        const from = gy + (<usize>(n * g0s + q * g1s + yy * g2s) << 2);
        let xx = 0;
        if (g3s == 1) {
          for (; xx + 4 <= ow; xx += 4) v128.store(d + (<usize>xx << 2), v128.load(from + (<usize>xx << 2)));
        }
        for (; xx < ow; xx++) store<f32>(d + (<usize>xx << 2), load<f32>(from + (<usize>(xx * g3s) << 2)));
        for (; xx < gw; xx++) store<f32>(d + (<usize>xx << 2), 0);
      }
    }
    for (let u = u0; u < u1; u++) {
      const t = u / unitsPerTile, ch = (u % unitsPerTile) / kh, i = u % kh;
      const g = t / tilesPerGroup;
      const q0 = g * og + (t % tilesPerGroup) * WB;
      // a tile with one channel runs the second set on the same gy and drops it
      const q1 = min(q0 + 1, g * og + og - 1);
      const gy0 = gyN + (<usize>(q0 * oh * gw) << 2);
      const gy1 = gyN + (<usize>(q1 * oh * gw) << 2);
      let a = acc + <usize>(u - u0) * accUnit;
      const plane = planes + <usize>(g * cg + ch) * planeBytes;
      for (let j0 = 0; j0 < kwr; j0 += jb, a += <usize>(WB * jb) << 4) {
        const xr = plane + <usize>(i * dh) * rowBytes + <usize>j0 * jBytes;
        // whole vectors, then the last one of each row with its lanes past ow masked out of x
        tileRun<i32>(jb, a, xr, gy0, gy1, 0, full, oh, sh, rowBytes, gw, jBytes, ones);
        if (full < gv) tileRun<f32>(jb, a, xr, gy0, gy1, full, gv, oh, sh, rowBytes, gw, jBytes, tailMask);
      }
    }
  }
  // the lanes summed into dW[q, ch, i, j], for the units' real channels and columns
  for (let u = u0; u < u1; u++) {
    const t = u / unitsPerTile, ch = (u % unitsPerTile) / kh, i = u % kh;
    const g = t / tilesPerGroup;
    const q0 = g * og + (t % tilesPerGroup) * WB;
    const outs = min(WB, g * og + og - q0);
    let a = acc + <usize>(u - u0) * accUnit;
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

/**
 * Lanes computed per useful product: 4·⌈ow/4⌉/ow (a row's last vector) times the kernel columns
 * the tiles cover per real one.
 */
export function columnWaste(kw: i32, ow: i32): f64 {
  const jb = tileColumns(kw);
  return <f64>(4 * rowVectors(ow)) / <f64>ow * <f64>(((kw + jb - 1) / jb) * jb) / <f64>kw;
}

/** Units (tile of WB output channels, input channel, kernel row) the column kernel's chunks are cut from. */
export function weightColumnUnitCount(c: i32, o: i32, groups: i32, kh: i32): i32 {
  return groups * ((o / groups + WB - 1) / WB) * (c / groups) * kh;
}

/** Bytes of work buffer a thread of the column kernel needs: a sample's padded planes, gy's planes at whole vectors, the accumulators of dW. */
export function weightColumnBytes(c: i32, o: i32, groups: i32, kh: i32, kw: i32, sh: i32, dh: i32, dw: i32, oh: i32, ow: i32): i32 {
  const planes = c * columnsPlaneHeight(kh, sh, dh, oh) * columnsPlaneWidth(kw, dw, ow) * 4;
  const og = o / groups;
  const tiles = groups * ((og + WB - 1) / WB);
  const kwr = ((kw + JB - 1) / JB) * JB;
  return planes + o * oh * 4 * rowVectors(ow) * 4 + tiles * WB * (c / groups) * kh * kwr * 16;
}
