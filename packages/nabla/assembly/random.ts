// Dropout's keep-mask drawn from MT19937 in bulk: the twister of src/tensor/random.ts (PyTorch's
// CPU generator) run here over its 624 words, so that the mask is the one Generator.nextDouble
// would give element by element, at a fraction of the cost of a JS call per word. The twist and
// the tempering go four words at a time; the comparison with keep is done on the 53-bit integer
// the double is made of (exactly, see keepMask).

const N = 624;
const M = 397;
const MATRIX_A: u32 = 0x9908b0df;

/** One word of the twist: mt[i] from mt[i] (its top bit), mt[next] (the rest) and mt[far]. */
// @ts-ignore: decorator
@inline function twistOne(mt: usize, i: i32, next: i32, far: i32): void {
  const y = (load<u32>(mt + (<usize>i << 2)) & 0x80000000) | (load<u32>(mt + (<usize>next << 2)) & 0x7fffffff);
  store<u32>(mt + (<usize>i << 2), load<u32>(mt + (<usize>far << 2)) ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0));
}

/** Four words of the twist from i (mt[i + 1 .. i + 4] still old, mt[far .. far + 3] final). */
// @ts-ignore: decorator
@inline function twistFour(mt: usize, i: i32, far: i32): void {
  const at = mt + (<usize>i << 2);
  const y = v128.or(v128.and(v128.load(at), i32x4.splat(0x80000000)), v128.and(v128.load(at, 4), i32x4.splat(0x7fffffff)));
  const odd = i32x4.neg(v128.and(y, i32x4.splat(1))); // all ones where y is odd
  const mixed = v128.xor(v128.load(mt + (<usize>far << 2)), v128.xor(i32x4.shr_u(y, 1), v128.and(odd, i32x4.splat(MATRIX_A))));
  v128.store(at, mixed);
}

/**
 * The twist of all 624 words, in Generator.nextUint32's order: mt[i] from the old mt[i + 1] and,
 * for i ≥ 227, the new mt[i − 227] (mt[623] from the new mt[0]). Vectors where those hold for all
 * four lanes, single words at the seams.
 */
function twist(mt: usize): void {
  let i = 0;
  for (; i + 4 <= N - M; i += 4) twistFour(mt, i, i + M);
  for (; i < N - M; i++) twistOne(mt, i, i + 1, i + M);
  for (; i + 4 <= N - 1; i += 4) twistFour(mt, i, i + M - N);
  for (; i < N - 1; i++) twistOne(mt, i, i + 1, i + M - N);
  twistOne(mt, N - 1, 0, M - 1);
}

/** MT19937's tempering of four words. */
// @ts-ignore: decorator
@inline function temper(v: v128): v128 {
  let y = v;
  y = v128.xor(y, i32x4.shr_u(y, 11));
  y = v128.xor(y, v128.and(i32x4.shl(y, 7), i32x4.splat(0x9d2c5680)));
  y = v128.xor(y, v128.and(i32x4.shl(y, 15), i32x4.splat(0xefc60000)));
  return v128.xor(y, i32x4.shr_u(y, 18));
}

/** out[0 .. 624) = the tempered words of mt. */
function temperAll(mt: usize, out: usize): void {
  for (let i = 0; i < N; i += 4) v128.store(out + (<usize>i << 2), temper(v128.load(mt + (<usize>i << 2))));
}

/**
 * out[e] = scale where the e-th double drawn is below keep, else 0, for e < n (float32 out, or
 * float64 where `double`), drawing as Generator.nextDouble does: two words, the first's low 21
 * bits high, u = (hi·2³² + lo)·2⁻⁵³. u < keep exactly when the integer hi·2³² + lo is below
 * ⌈keep·2⁵³⌉ (`threshold`, at most 2⁵³), which the vector path compares as (hi, lo) pairs.
 * mt is the generator's 624 words at position `index` (624: a twist is due); they are advanced as
 * the draws advance them, and the new position is returned. `tempered` is 624 words of scratch.
 */
export function keepMask(mt: usize, index: i32, tempered: usize, out: usize, n: i32, threshold: f64, scale: f64, double: i32): i32 {
  const limit = <u64>threshold;
  const limitHi = <i32>(limit >> 32), limitLo = <i32>(limit & 0xffffffff);
  const hiBound = i32x4.splat(limitHi), loBound = i32x4.splat(limitLo);
  const scaleBits = i32x4.splat(reinterpret<i32>(<f32>scale));
  const low21 = i32x4.splat(0x1fffff);
  if (index < N) temperAll(mt, tempered);
  let e = 0;
  while (e < n) {
    if (!double) {
      // four draws at a time while their eight words lie in this twist's block
      for (; e + 4 <= n && index + 8 <= N; e += 4, index += 8) {
        const w0 = v128.load(tempered + (<usize>index << 2)), w1 = v128.load(tempered + (<usize>index << 2), 16);
        const hi = v128.and(v128.shuffle<i32>(w0, w1, 0, 2, 4, 6), low21);
        const lo = v128.shuffle<i32>(w0, w1, 1, 3, 5, 7);
        const below = v128.or(i32x4.lt_s(hi, hiBound), v128.and(i32x4.eq(hi, hiBound), i32x4.lt_u(lo, loBound)));
        v128.store(out + (<usize>e << 2), v128.and(below, scaleBits));
      }
      if (e >= n) break;
    }
    // one draw, twisting as its words run out
    if (index >= N) {
      twist(mt);
      temperAll(mt, tempered);
      index = 0;
    }
    const hi = load<u32>(tempered + (<usize>index << 2)) & 0x1fffff;
    index++;
    if (index >= N) {
      twist(mt);
      temperAll(mt, tempered);
      index = 0;
    }
    const lo = load<u32>(tempered + (<usize>index << 2));
    index++;
    const kept = <f64>hi * 4294967296.0 + <f64>lo < threshold;
    if (double) store<f64>(out + (<usize>e << 3), kept ? scale : 0);
    else store<f32>(out + (<usize>e << 2), kept ? <f32>scale : 0);
    e++;
  }
  return index;
}
