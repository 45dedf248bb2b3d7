/**
 * Replaying a PyTorch run number for number. For the same seed nabla draws what PyTorch draws
 * (initial weights, dropout masks, randint, Categorical samples), as long as both programs draw in
 * the same order; some draws cannot be alike (a DataLoader's shuffle: PyTorch's RandomSampler
 * seeds a generator of its own, and its iterator takes a seed from the global generator every
 * epoch, which shifts every draw after it). An example run in replay mode takes the draws of the
 * purposes it names from a stream both sides compute the same way: a counter hashed to 32 bits
 * (murmur3's finaliser, twice), whose top 24 bits give a float32-exact uniform k / 2^24. Its twin
 * is scripts/examples/replay.py; the examples' tests run both and compare the per-step losses.
 *
 * Each purpose (dropout masks, noise, sampling, resets) has its own stream, so only the order of
 * draws within a purpose has to agree between the two programs.
 */
import { nn, tensor, type Tensor } from "nabla";

/** murmur3's 32-bit finaliser: a bijection on uint32 that mixes every input bit into every output bit. */
function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** A stream of uniforms: draw i of stream s is (mix32(mix32(s) ^ i) >>> 8) / 2^24. */
export class ReplayStream {
  private counter = 0;
  private readonly key: number;

  constructor(readonly stream: number) {
    this.key = mix32(stream >>> 0);
  }

  /** n uniforms in [0, 1), each a multiple of 2^-24 (exact in float32). */
  uniform(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = (mix32((this.key ^ this.counter++) >>> 0) >>> 8) * 5.960464477539063e-8;
    return out;
  }

  /** n standard normals, each from two uniforms by Box–Muller in float64: √(−2 ln(1 − u₁))·cos(2πu₂). */
  normal(n: number): Float32Array {
    const u = this.uniform(2 * n);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(1 - u[2 * i]!)) * Math.cos(2 * Math.PI * u[2 * i + 1]!);
    return out;
  }

  /** A float32 tensor of standard normals (what `randn(shape)` is replaced by). */
  randn(shape: readonly number[]): Tensor {
    return tensor(this.normal(shape.reduce((a, b) => a * b, 1))).reshape(shape);
  }

  /** A shuffled 0, …, n − 1 (Fisher–Yates from the last position down: j = floor(u·(i + 1))). */
  permutation(n: number): number[] {
    const order = Array.from({ length: n }, (_, i) => i);
    const u = this.uniform(Math.max(0, n - 1));
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(u[n - 1 - i]! * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
  }

  /** n integers in [0, high): floor(u·high). */
  randint(high: number, n: number): number[] {
    return Array.from(this.uniform(n), (u) => Math.floor(u * high));
  }
}

export type ReplayPurpose = "dropout" | "noise" | "sample" | "reset";

/**
 * The streams of one replayed run, for the purposes whose draws PyTorch and nabla cannot share:
 * dropout masks, noise (what `randn` gives in the original), sampling (data orders, batch
 * offsets) and environment resets. A purpose left out (null) draws from nabla's generator as
 * the original draws from PyTorch's: those draws are PyTorch's for the same seed.
 */
export class Replay {
  readonly dropout: ReplayStream | null;
  readonly noise: ReplayStream | null;
  readonly sample: ReplayStream | null;
  readonly reset: ReplayStream | null;
  constructor(
    readonly seed: number,
    purposes: readonly ReplayPurpose[] = ["dropout", "noise", "sample", "reset"],
  ) {
    const stream = (purpose: ReplayPurpose, k: number) => (purposes.includes(purpose) ? new ReplayStream(4 * seed + k) : null);
    this.dropout = stream("dropout", 0);
    this.noise = stream("noise", 1);
    this.sample = stream("sample", 2);
    this.reset = stream("reset", 3);
  }
}

/**
 * Dropout whose masks come from a replay stream: element i is kept when its uniform is ≥ p, and
 * kept elements are scaled by fround(1 / (1 − p)), as PyTorch scales them.
 */
export class ReplayDropout extends nn.Module {
  constructor(
    readonly p: number,
    private readonly stream: ReplayStream,
  ) {
    super();
  }

  forward(input: Tensor): Tensor {
    if (!this.training || this.p === 0) return input;
    const u = this.stream.uniform(input.numel());
    const scale = Math.fround(1 / (1 - this.p));
    const mask = new Float32Array(u.length);
    for (let i = 0; i < u.length; i++) mask[i] = u[i]! >= this.p ? scale : 0;
    return input.mul(tensor(mask).reshape(input.shape));
  }

  override extraRepr(): string {
    return `p=${this.p}, replayed`;
  }
}

/**
 * Puts a model in replay mode when the run replays dropout: every nn.Dropout below it becomes a
 * ReplayDropout on the run's dropout stream, and the dropout that layers apply inside themselves
 * (between an LSTM's layers, on attention weights) is switched off, since it cannot be replayed.
 * Returns the model.
 */
export function replayDropout<M extends nn.AnyModule>(model: M, replay: Replay | undefined): M {
  const stream = replay?.dropout;
  if (!stream) return model;
  for (const m of model.modules()) {
    for (const [name, child] of Object.entries(m)) {
      if (child instanceof nn.Dropout) Reflect.set(m, name, new ReplayDropout(child.p, stream).train(child.training));
    }
    if (m instanceof nn.LSTM || m instanceof nn.GRU || m instanceof nn.RNN || m instanceof nn.MultiheadAttention) Reflect.set(m, "dropout", 0);
  }
  return model;
}
