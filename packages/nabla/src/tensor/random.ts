/**
 * A seeded random generator with PyTorch's CPU generator's state machine: the Mersenne Twister
 * MT19937 seeded as `torch.manual_seed` seeds it, PyTorch's draws from it (`random()` 32 bits,
 * `random64()` two words high then low, a float32 from the low 24 bits, a float64 from the low
 * 53 bits of random64), and the cached second value of the double-precision Box–Muller
 * transform, so that the same seed gives PyTorch's stream. The samplers that turn these draws
 * into tensors (normal_, uniform_, bernoulli, multinomial, randperm …) are in sampling.ts.
 */
import { OptionError } from "../errors.js";
import { fma } from "./float-math.js";

/** What `getState` returns and `setState` takes: the 624 twister words, the position, the Box–Muller cache. */
export interface GeneratorState {
  mt: number[];
  index: number;
  spareNormal: number | null;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_24 = 5.960464477539063e-8;
const TWO_POW_MINUS_53 = 1.1102230246251565e-16;

export class Generator {
  private readonly mt = new Uint32Array(624);
  private index = 624;
  private seed = 0;
  /** PyTorch's next_double_normal_sample: the sine half of the last Box–Muller pair. */
  private spareNormal: number | null = null;

  constructor(seed = 67280421310721) {
    this.manualSeed(seed);
  }

  /** Seeds the twister with the low 32 bits of `seed`, as `torch.manual_seed` does, and drops the cached normal. */
  manualSeed(seed: number): this {
    if (!Number.isInteger(seed)) throw new TypeError(`Generator.manualSeed: expected an integer seed, got ${String(seed)}`);
    this.seed = seed;
    const mt = this.mt;
    mt[0] = Number(BigInt.asUintN(32, BigInt(seed)));
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0; // 1812433253·prev + i mod 2^32
    }
    this.index = 624;
    this.spareNormal = null;
    return this;
  }

  /** The seed last given to `manualSeed` (PyTorch's initial_seed). */
  initialSeed(): number {
    return this.seed;
  }

  /** PyTorch's `random()`: the next 32-bit word of the twister. */
  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= 624) {
      // the twist: mt[i] from mt[i], mt[i + 1] and mt[i + 397], indices mod 624
      for (let i = 0; i < 624; i++) {
        const next = i + 1 < 624 ? i + 1 : 0;
        const far = i + 397 < 624 ? i + 397 : i - 227;
        const y = (mt[i]! & 0x80000000) | (mt[next]! & 0x7fffffff);
        mt[i] = mt[far]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
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

  /**
   * Lets a bulk sampler draw words in place of nextUint32: `draw` gets the 624 twister words and
   * the position (624: a twist is due), advances both exactly as nextUint32 would, and returns the
   * new position, or null having changed nothing.
   * @internal for backends' bulk samplers (a dropout mask's draws in wasm).
   */
  drawInBulk(draw: (mt: Uint32Array, index: number) => number | null): boolean {
    const next = draw(this.mt, this.index);
    if (next === null) return false;
    this.index = next;
    return true;
  }

  /** PyTorch's `random64()` as a BigInt: the first word is the high half. */
  nextUint64(): bigint {
    const hi = this.nextUint32();
    return (BigInt(hi) << 32n) | BigInt(this.nextUint32());
  }

  /** uniform_real_distribution<float>(0, 1): the low 24 bits of one word, times 2^−24. */
  nextFloat(): number {
    return (this.nextUint32() & 0xffffff) * TWO_POW_MINUS_24;
  }

  /** uniform_real_distribution<double>(0, 1): the low 53 bits of random64, times 2^−53. */
  nextDouble(): number {
    const hi = this.nextUint32() & 0x1fffff;
    return (hi * TWO_POW_32 + this.nextUint32()) * TWO_POW_MINUS_53;
  }

  /**
   * normal_distribution<double>(mean, std): Box–Muller on two doubles, r = √(−2 ln(1 − u₂)),
   * θ = 2π·u₁; returns r·cos θ and keeps r·sin θ for the next call (mean and std are applied
   * to either with one fused multiply–add, as PyTorch's kernel compiles).
   */
  nextNormal(mean = 0, std = 1): number {
    let z: number;
    if (this.spareNormal !== null) {
      z = this.spareNormal;
      this.spareNormal = null;
    } else {
      const u1 = this.nextDouble();
      const u2 = this.nextDouble();
      const r = Math.sqrt(-2 * Math.log(1 - u2));
      const theta = 2 * Math.PI * u1;
      this.spareNormal = r * Math.sin(theta);
      z = r * Math.cos(theta);
    }
    return mean === 0 && std === 1 ? z : fma(z, std, mean);
  }

  /**
   * A uniform integer in [low, high), PyTorch's random_from_to: low + (random() mod range) for
   * a range below 2^32, low + (random64() mod range) above.
   */
  nextInt(low: number, high: number): number {
    const range = high - low;
    if (range < TWO_POW_32) return low + (this.nextUint32() % range);
    return low + Number(this.nextUint64() % BigInt(range));
  }

  /** The generator's full state, for checkpoints. */
  getState(): GeneratorState {
    return { mt: Array.from(this.mt), index: this.index, spareNormal: this.spareNormal };
  }

  setState(state: GeneratorState): this {
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
