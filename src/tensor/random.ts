/**
 * A seeded random generator: the Mersenne Twister (MT19937), the same engine PyTorch's CPU
 * generator uses. `rand` draws 24 random bits per float32 the way PyTorch does, so
 * `manualSeed(s); rand([n])` matches `torch.manual_seed(s); torch.rand(n)` for small n;
 * `randn` uses Box–Muller and is reproducible, but not PyTorch's stream.
 */
import { OptionError } from "../errors.js";

export class Generator {
  private readonly mt = new Uint32Array(624);
  private index = 625;
  private spareNormal: number | null = null;

  constructor(seed = 5489) {
    this.manualSeed(seed);
  }

  manualSeed(seed: number): this {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      // 1812433253 * prev + i, in 32-bit arithmetic
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = 624;
    this.spareNormal = null;
    return this;
  }

  /** A uniformly random 32-bit unsigned integer. */
  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let i = 0; i < 624; i++) {
        const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % 624]! & 0x7fffffff);
        mt[i] = mt[(i + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform in [0, 1) with 24 random bits, as PyTorch draws a float32. */
  nextFloat(): number {
    return (this.nextUint32() & 0xffffff) * 5.960464477539063e-8; // 2^-24
  }

  /** Uniform in [0, 1) with 53 random bits, for float64 tensors. */
  nextDouble(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal draw (Box–Muller, keeping the second value for the next call). */
  nextNormal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    const u1 = 1 - this.nextDouble(); // in (0, 1], so log(u1) is finite
    const u2 = this.nextDouble();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** A uniform integer in [low, high). */
  nextInt(low: number, high: number): number {
    return low + Math.floor(this.nextDouble() * (high - low));
  }

  /** The generator's full state, for checkpoints. */
  getState(): { mt: number[]; index: number; spareNormal: number | null } {
    return { mt: Array.from(this.mt), index: this.index, spareNormal: this.spareNormal };
  }

  setState(state: { mt: number[]; index: number; spareNormal: number | null }): this {
    checkGeneratorState(state);
    this.mt.set(state.mt);
    this.index = state.index;
    this.spareNormal = state.spareNormal;
    return this;
  }
}

/**
 * Throws an OptionError naming the key and the value unless `state` is one getState() could have
 * returned: 624 words, each an integer in [0, 2³²) and not all zero (MT19937 would then give only
 * zeros), an index in [0, 624], and a spare normal draw that is null or finite.
 */
function checkGeneratorState(state: unknown): void {
  const fail = (problem: string): never => {
    throw new OptionError(`Generator.setState: ${problem}`);
  };
  if (typeof state !== "object" || state === null || Array.isArray(state)) fail(`expected { mt, index, spareNormal }, got ${state === null ? "null" : typeof state}`);
  const { mt, index, spareNormal } = state as Record<string, unknown>;
  if (!Array.isArray(mt) || mt.length !== 624) fail(`expected 624 state words in mt, got ${Array.isArray(mt) ? mt.length : typeof mt}`);
  (mt as unknown[]).forEach((word, i) => {
    if (!(Number.isInteger(word) && (word as number) >= 0 && (word as number) <= 0xffffffff)) fail(`mt[${i}] must be an integer in [0, 2^32), got ${String(word)}`);
  });
  if ((mt as number[]).every((word) => word === 0)) fail("mt is all zeros, which is not a Mersenne Twister state");
  if (!(Number.isInteger(index) && (index as number) >= 0 && (index as number) <= 624)) fail(`index must be an integer in [0, 624], got ${String(index)}`);
  if (spareNormal !== null && !(typeof spareNormal === "number" && Number.isFinite(spareNormal))) fail(`spareNormal must be null or a finite number, got ${String(spareNormal)}`);
}

/** The generator every random op uses unless given another. */
export const defaultGenerator = new Generator();

/** Seeds the default generator, like `torch.manual_seed`. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
