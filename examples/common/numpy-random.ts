/**
 * NumPy's default random generator, as gym(nasium) seeds its environments with it:
 * `np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))`. SeedSequence hashes the
 * seed's 32-bit words into a pool of four and draws the PCG64 state from it; PCG64 is a 128-bit
 * LCG (state·M + inc) whose output is the xor of its halves rotated by its top 6 bits
 * (XSL-RR); `uniform(low, high)` is low + (high − low)·(next64 >> 11)·2⁻⁵³. All as in NumPy's
 * bit_generator.pyx and pcg64.h, so `new NumpyGenerator(543).uniform(-0.05, 0.05, 4)` is gym's
 * first CartPole state for seed 543.
 */

const M32 = 0xffffffff;
const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const POOL_SIZE = 4;

const mul32 = (a: number, b: number) => Math.imul(a, b) >>> 0;

/** NumPy's SeedSequence for a non-negative integer seed (no spawn key). */
export class SeedSequence {
  readonly pool = new Uint32Array(POOL_SIZE);

  constructor(readonly entropy: number | bigint) {
    let rest = BigInt(entropy);
    if (rest < 0n) throw new RangeError(`SeedSequence: the seed must be non-negative, got ${entropy}`);
    const words: number[] = [];
    do {
      words.push(Number(rest & BigInt(M32)));
      rest >>= 32n;
    } while (rest > 0n);
    let hashConst = INIT_A;
    const hashmix = (value: number) => {
      value = (value ^ hashConst) >>> 0;
      hashConst = mul32(hashConst, MULT_A);
      value = mul32(value, hashConst);
      return (value ^ (value >>> 16)) >>> 0;
    };
    const mix = (x: number, y: number) => {
      const result = (mul32(MIX_MULT_L, x) - mul32(MIX_MULT_R, y)) >>> 0;
      return (result ^ (result >>> 16)) >>> 0;
    };
    const pool = this.pool;
    // Add in the entropy up to the pool size, then mix all bits together, then add the rest.
    for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < words.length ? words[i]! : 0);
    for (let src = 0; src < POOL_SIZE; src++) {
      for (let dst = 0; dst < POOL_SIZE; dst++) if (src !== dst) pool[dst] = mix(pool[dst]!, hashmix(pool[src]!));
    }
    for (let src = POOL_SIZE; src < words.length; src++) {
      for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst]!, hashmix(words[src]!));
    }
  }

  /** nWords 64-bit words of state (each two 32-bit words, little end first). */
  generateState64(nWords: number): bigint[] {
    let hashConst = INIT_B;
    const words = new Uint32Array(2 * nWords);
    for (let i = 0; i < words.length; i++) {
      let value = this.pool[i % POOL_SIZE]!;
      value = (value ^ hashConst) >>> 0;
      hashConst = mul32(hashConst, MULT_B);
      value = mul32(value, hashConst);
      words[i] = (value ^ (value >>> 16)) >>> 0;
    }
    return Array.from({ length: nWords }, (_, i) => (BigInt(words[2 * i + 1]!) << 32n) | BigInt(words[2 * i]!));
  }
}

const MASK64 = (1n << 64n) - 1n;
const MASK128 = (1n << 128n) - 1n;
const PCG_MULTIPLIER = (2549297995355413924n << 64n) + 4865540595714422341n;

/** NumPy's PCG64 bit generator. */
export class PCG64 {
  state = 0n;
  inc = 0n;

  constructor(seed: number | bigint | SeedSequence) {
    const [s0, s1, i0, i1] = (seed instanceof SeedSequence ? seed : new SeedSequence(seed)).generateState64(4) as [bigint, bigint, bigint, bigint];
    // pcg_setseq_128_srandom_r(initstate = s0·2⁶⁴ + s1, initseq = i0·2⁶⁴ + i1)
    this.inc = (((i0 << 64n) + i1) << 1n | 1n) & MASK128;
    this.step();
    this.state = (this.state + (s0 << 64n) + s1) & MASK128;
    this.step();
  }

  private step(): void {
    this.state = (this.state * PCG_MULTIPLIER + this.inc) & MASK128;
  }

  /** The next 64 random bits (XSL-RR of the stepped state). */
  next64(): bigint {
    this.step();
    const xored = ((this.state >> 64n) ^ this.state) & MASK64;
    const rot = this.state >> 122n;
    return ((xored >> rot) | (xored << ((64n - rot) & 63n))) & MASK64;
  }

  /** A double in [0, 1) from the top 53 bits. */
  nextDouble(): number {
    return Number(this.next64() >> 11n) * 2 ** -53;
  }
}

/** np.random.Generator over PCG64: the draws gym's environments make. */
export class NumpyGenerator {
  readonly bitGenerator: PCG64;
  constructor(seed: number | bigint) {
    this.bitGenerator = new PCG64(seed);
  }

  /** `uniform(low, high, size)`: low + (high − low)·u, u from nextDouble. */
  uniform(low: number, high: number, size: number): number[] {
    const range = high - low;
    return Array.from({ length: size }, () => low + range * this.bitGenerator.nextDouble());
  }
}
