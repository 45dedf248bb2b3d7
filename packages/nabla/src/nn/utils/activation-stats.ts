/**
 * `nn.utils.ActivationStats`: per-layer diagnostics gathered while a model trains — the
 * distribution of each watched module's output (mean, std, range, histogram), the share of dead
 * ReLU units or saturated sigmoid/tanh activations, and the norm of the gradient with respect to
 * the output. The playground draws them live; `nabla train --inspect` prints `table()` each epoch.
 *
 *     const stats = new nn.utils.ActivationStats(model, { bins: 30 });
 *     // … train for an epoch …
 *     console.log(stats.table());
 *     stats.reset();   // a new window
 *     stats.remove();  // the hooks go
 *
 * It keeps no tensor: a forward hook reads each output once, where it is made, into running sums,
 * a histogram and per-unit flags, and a gradient reader on the output does the same with the
 * gradient as backward passes it on. Both are the library's borrowing readers (nn/hooks.ts), so
 * the library goes on freeing activations and gradients exactly as it does without them.
 *
 * What is measured, per watched module, over the window (since construction or the last reset):
 * - the values of its output (for a module returning several tensors, an LSTM's output and state,
 *   the first one): count, mean, std (unbiased, as `tensor.std()`), min, max and a histogram;
 * - `dead`, for modules whose units can die by outputting exactly zero (ReLU, ReLU6,
 *   ReLUSquared): the share of units that were ≤ 0 for every sample seen. A unit is a feature of
 *   dimension 1 (PyTorch's layout: [N, C] or [N, C, H, W], a channel counts as one unit), or each
 *   element of a 1-D output. A Linear followed by a ReLU is measured on the ReLU's row;
 * - `saturated`, for squashing modules (Sigmoid, Hardsigmoid, Tanh, Hardtanh, Softsign): the share
 *   of activations within `saturation` of a bound of the output range, where the gradient has
 *   (nearly) vanished: sigmoid < 0.05 or > 0.95, |tanh| > 0.95 at the default 0.05. PyTorch users
 *   usually take the check of Karpathy's makemore lessons, |tanh| > 0.97 (saturation 0.03), or
 *   |tanh| > 0.99 (0.01) for the units that have all but stopped learning. Every other kind
 *   reports null for both;
 * - `gradNorm`: the L2 norm of the gradient with respect to the output, averaged over the
 *   backward passes that reached it; null if none did.
 *
 * The histogram's range starts, in each window, as the output range of bounded kinds (sigmoid and
 * hardsigmoid [0, 1], tanh and softsign [-1, 1], hardtanh its [minVal, maxVal], ReLU6 [0, 6]),
 * otherwise as the min and max of the window's first batch (±0.5 around a constant batch). A later
 * value beyond it doubles the range towards that side, as often as needed, merging neighbouring
 * bins in pairs, so the counts stay exact; the bins are then wider for the rest of the window
 * (`reset()` each epoch lets the range follow the values). Infinities are counted in the end
 * bins and NaN nowhere, so the counts add up to `count` unless NaN appeared.
 *
 * A module called twice in one forward (a shared activation) pools both calls, as PyTorch hooks
 * would; a module whose number of units changes between calls starts its dead-unit flags afresh.
 * `pause()` stops recording (a forward on a grid to draw a decision boundary, a validation pass),
 * `resume()` starts it again.
 */
import { OptionError } from "../../errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { borrowingHook, readGradient, type RemovableHandle } from "../hooks.js";
import { Module, type AnyModule } from "../module.js";
import { typeName } from "../type-name.js";

export interface ActivationStatsOptions {
  /** Histogram bins (default 30). */
  bins?: number;
  /**
   * The modules to watch, as modules of the model or their dotted names; default every leaf
   * module (one with no children), or the model itself if it has none.
   */
  modules?: readonly (AnyModule | string)[];
  /** How close to a bound of a squashing module's output range counts as saturated (default 0.05). */
  saturation?: number;
}

export interface Histogram {
  /** bins + 1 edges, ascending; empty before any value is seen. */
  edges: number[];
  /** Values per bin; values outside the edges are counted in the end bins. */
  counts: number[];
}

export interface LayerStats {
  /** The module's dotted name in the model ("fc1", "0", "" for the model itself). */
  name: string;
  /** Its class name ("Linear", "ReLU"). */
  kind: string;
  /** Activations seen in the window. */
  count: number;
  mean: number;
  /** Unbiased, as `tensor.std()` (NaN below two values). */
  std: number;
  min: number;
  max: number;
  histogram: Histogram;
  /** ReLU-family: share of units ≤ 0 for every sample seen; null for other kinds or before any value. */
  dead: number | null;
  /** Squashing kinds: share of activations in the saturated zone; null for other kinds or before any value. */
  saturated: number | null;
  /** Mean L2 norm of the gradient with respect to the output over the window's backward passes; null if none ran. */
  gradNorm: number | null;
}

/** Kinds whose units die by outputting exactly zero. */
const DYING = new Set(["ReLU", "ReLU6", "ReLUSquared"]);

/** The output range of bounded kinds: where saturation is measured and the histogram's range. */
function outputRange(module: AnyModule): [number, number] | null {
  switch (typeName(module)) {
    case "Sigmoid":
    case "Hardsigmoid":
      return [0, 1];
    case "Tanh":
    case "Softsign":
      return [-1, 1];
    case "Hardtanh": {
      const { minVal, maxVal } = module as unknown as { minVal: number; maxVal: number };
      return [minVal, maxVal];
    }
    case "ReLU6":
      return [0, 6];
    default:
      return null;
  }
}

const SQUASHING = new Set(["Sigmoid", "Hardsigmoid", "Tanh", "Hardtanh", "Softsign"]);

/** A tensor's values in row-major order: a view of its storage when contiguous, else a copy (broadcast gradients have zero strides; webgpu storage is read back). */
function valuesOf(t: Tensor): ArrayLike<number> {
  // a webgpu tensor is read back (synchronously where the platform allows, a counted transfer)
  if (t.storage.device !== "cpu") return t.toTypedArray();
  const data = t.storage.data;
  const n = t.numel();
  if (t.isContiguous()) return data.subarray(t.offset, t.offset + n);
  const out = new Float64Array(n);
  const { shape, strides } = t;
  const index = new Array<number>(shape.length).fill(0);
  let at = t.offset;
  for (let i = 0; i < n; i++) {
    out[i] = data[at]!;
    // odometer over the dimensions, last fastest
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]!++;
      at += strides[d]!;
      if (index[d]! < shape[d]!) break;
      at -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}

/** The first tensor of a module's output: itself, or the first element of an array (an LSTM's [output, state]). */
function firstTensor(output: unknown): Tensor | null {
  if (output instanceof Tensor) return output;
  if (Array.isArray(output) && output[0] instanceof Tensor) return output[0];
  return null;
}

/** One watched module's running sums for the current window. */
class LayerAccumulator {
  readonly kind: string;
  readonly dying: boolean;
  readonly squashing: boolean;
  readonly range: [number, number] | null;
  count = 0;
  mean = 0;
  /** Sum of squared deviations from the mean (Chan et al.'s parallel update). */
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  lo = 0;
  hi = 0;
  counts: Float64Array;
  /** Per unit: 1 once it has output a value > 0 in the window. */
  alive: Uint8Array | null = null;
  saturatedCount = 0;
  gradNormSum = 0;
  gradPasses = 0;

  constructor(
    readonly name: string,
    readonly module: AnyModule,
    readonly bins: number,
    readonly saturation: number,
  ) {
    this.kind = typeName(module);
    this.dying = DYING.has(this.kind);
    this.squashing = SQUASHING.has(this.kind);
    this.range = outputRange(module);
    this.counts = new Float64Array(bins);
  }

  reset(): void {
    this.count = 0;
    this.mean = 0;
    this.m2 = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.counts.fill(0);
    this.alive = null;
    this.saturatedCount = 0;
    this.gradNormSum = 0;
    this.gradPasses = 0;
  }

  addOutput(t: Tensor): void {
    const n = t.numel();
    if (n === 0) return;
    const values = valuesOf(t);
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    // the finite extremes, which the histogram's range must cover
    let low = Infinity;
    let high = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
      if (v < low && v > -Infinity) low = v;
      if (v > high && v < Infinity) high = v;
    }
    const batchMean = sum / n;
    let m2 = 0;
    for (let i = 0; i < n; i++) m2 += (values[i]! - batchMean) ** 2;
    if (this.count === 0) this.startRange(low, high);
    while (high > this.hi) this.widen(true);
    while (low < this.lo) this.widen(false);
    const total = this.count + n;
    const delta = batchMean - this.mean;
    this.m2 += m2 + (delta * delta * this.count * n) / total;
    this.mean += (delta * n) / total;
    this.count = total;
    this.min = Math.min(this.min, min);
    this.max = Math.max(this.max, max);
    this.histogram(values, n);
    if (this.dying) this.markAlive(t, values);
    if (this.squashing) this.countSaturated(values, n);
  }

  /** The window's first range: the output range of bounded kinds, else the first batch's finite min and max. */
  private startRange(low: number, high: number): void {
    if (this.range !== null) [this.lo, this.hi] = this.range;
    else if (low < high) [this.lo, this.hi] = [low, high];
    else {
      const centre = low === high ? low : 0; // one value, or none finite
      [this.lo, this.hi] = [centre - 0.5, centre + 0.5];
    }
  }

  /**
   * Doubles the histogram's range upwards ([lo, lo + 2w]) or downwards ([hi − 2w, hi]); each new
   * bin covers exactly two old ones (or one old one and the new empty space), so no count moves.
   */
  private widen(up: boolean): void {
    const { bins, counts } = this;
    const old = Float64Array.from(counts);
    const at = (i: number) => (i >= 0 && i < bins ? old[i]! : 0);
    const width = this.hi - this.lo;
    for (let j = 0; j < bins; j++) counts[j] = up ? at(2 * j) + at(2 * j + 1) : at(2 * j - bins) + at(2 * j + 1 - bins);
    if (up) this.hi = this.lo + 2 * width;
    else this.lo = this.hi - 2 * width;
  }

  private histogram(values: ArrayLike<number>, n: number): void {
    const { lo, bins, counts } = this;
    const scale = bins / (this.hi - lo);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) continue;
      // floor((v − lo)·scale); the top edge itself and infinities go to the end bins
      const b = Math.min(bins - 1, Math.max(0, Math.floor((v - lo) * scale)));
      counts[b]!++;
    }
  }

  /** Marks the units (dimension 1, or each element of a 1-D output) that output a value > 0. */
  private markAlive(t: Tensor, values: ArrayLike<number>): void {
    const shape = t.shape;
    const units = shape.length <= 1 ? (shape[0] ?? 1) : shape[1]!;
    const batch = shape.length <= 1 ? 1 : shape[0]!;
    const inner = shape.length <= 2 ? 1 : t.numel() / (batch * units);
    if (this.alive === null || this.alive.length !== units) this.alive = new Uint8Array(units);
    const alive = this.alive;
    let i = 0;
    for (let b = 0; b < batch; b++) {
      for (let u = 0; u < units; u++) {
        if (alive[u] === 1) {
          i += inner;
          continue;
        }
        for (let k = 0; k < inner; k++) if (values[i + k]! > 0) alive[u] = 1;
        i += inner;
      }
    }
  }

  private countSaturated(values: ArrayLike<number>, n: number): void {
    const [lo, hi] = this.range!;
    const below = lo + this.saturation;
    const above = hi - this.saturation;
    let saturated = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v < below || v > above) saturated++;
    }
    this.saturatedCount += saturated;
  }

  addGradient(g: Tensor): void {
    const values = valuesOf(g);
    let sq = 0;
    for (let i = 0; i < values.length; i++) sq += values[i]! * values[i]!;
    this.gradNormSum += Math.sqrt(sq);
    this.gradPasses++;
  }

  summary(): LayerStats {
    const seen = this.count > 0;
    const edges = seen ? Array.from({ length: this.bins + 1 }, (_, i) => (i === this.bins ? this.hi : this.lo + ((this.hi - this.lo) * i) / this.bins)) : [];
    let dead: number | null = null;
    if (this.dying && this.alive !== null && this.alive.length > 0) {
      let deadUnits = 0;
      for (const a of this.alive) if (a === 0) deadUnits++;
      dead = deadUnits / this.alive.length;
    }
    return {
      name: this.name,
      kind: this.kind,
      count: this.count,
      mean: seen ? this.mean : NaN,
      std: this.count > 1 ? Math.sqrt(this.m2 / (this.count - 1)) : NaN,
      min: seen ? this.min : NaN,
      max: seen ? this.max : NaN,
      histogram: { edges, counts: seen ? Array.from(this.counts) : [] },
      dead,
      saturated: this.squashing && seen ? this.saturatedCount / this.count : null,
      gradNorm: this.gradPasses > 0 ? this.gradNormSum / this.gradPasses : null,
    };
  }
}

/** A number in at most 9 characters: fixed point in the usual range, exponent outside it. */
function formatValue(v: number | null): string {
  if (v === null) return "-";
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toFixed(4);
}

const formatShare = (v: number | null): string => (v === null ? "-" : `${(100 * v).toFixed(1)}%`);

export class ActivationStats {
  readonly bins: number;
  readonly saturation: number;
  readonly #layers: LayerAccumulator[];
  readonly #handles: RemovableHandle[] = [];
  #paused = false;
  #removed = false;

  constructor(model: AnyModule, options: ActivationStatsOptions = {}) {
    if (!(model instanceof Module)) throw new TypeError(`ActivationStats: model must be an nn.Module, got ${describe(model)}`);
    const { bins = 30, saturation = 0.05, modules } = options;
    if (!Number.isInteger(bins) || bins < 1) throw new OptionError(`ActivationStats: bins must be a positive integer, got ${String(bins)}`);
    if (typeof saturation !== "number" || !(saturation > 0 && saturation < 0.5)) {
      throw new OptionError(`ActivationStats: saturation must be a number in (0, 0.5), got ${String(saturation)}`);
    }
    this.bins = bins;
    this.saturation = saturation;
    const named = Array.from(model.namedModules());
    let watched: [string, AnyModule][];
    if (modules === undefined) {
      watched = named.filter(([, m]) => m.children().next().done === true);
    } else {
      watched = modules.map((which, i) => {
        const found = typeof which === "string" ? named.find(([name]) => name === which) : named.find(([, m]) => m === which);
        if (found === undefined) {
          const known = named.map(([name]) => JSON.stringify(name)).join(", ");
          throw new OptionError(`ActivationStats: modules[${i}] (${describe(which)}) is not a module of the model; its modules are ${known}`);
        }
        return found;
      });
    }
    this.#layers = watched.map(([name, m]) => new LayerAccumulator(name, m, bins, saturation));
    for (const layer of this.#layers) {
      const hook = borrowingHook((_module: AnyModule, _inputs: unknown[], output: unknown): unknown => {
        if (this.#paused) return undefined;
        const t = firstTensor(output);
        if (t === null) return undefined;
        layer.addOutput(t);
        const read = (g: Tensor) => {
          if (!this.#paused && !this.#removed) layer.addGradient(g);
        };
        if (output instanceof Tensor) return readGradient(output, read);
        const rest = (output as unknown[]).slice(1);
        return t.requiresGrad ? [readGradient(t, read), ...rest] : undefined;
      });
      this.#handles.push(layer.module.registerForwardHook(hook));
    }
  }

  /** Starts a new window (an epoch, say): every count, sum, histogram and flag goes back to empty. */
  reset(): void {
    for (const layer of this.#layers) layer.reset();
  }

  /** Stops recording until `resume()` (forwards and backwards meanwhile are not counted). */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** One entry per watched module, in the model's order, over the current window. */
  summary(): LayerStats[] {
    return this.#layers.map((layer) => layer.summary());
  }

  /** `summary()` as a fixed-width text table: name, kind, mean, std, dead %, saturated %, grad norm. */
  table(): string {
    const head = ["layer", "kind", "mean", "std", "dead", "saturated", "grad norm"];
    const rows = this.summary().map((s) => [
      s.name === "" ? "(model)" : s.name,
      s.kind,
      formatValue(s.count > 0 ? s.mean : null),
      formatValue(s.count > 1 ? s.std : null),
      formatShare(s.dead),
      formatShare(s.saturated),
      formatValue(s.gradNorm),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    // names and kinds to the left, numbers to the right
    const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
    return [line(head), ...rows.map(line)].join("\n");
  }

  /** Removes every hook it registered; the numbers gathered so far stay readable. */
  remove(): void {
    this.#removed = true;
    for (const handle of this.#handles) handle.remove();
    this.#handles.length = 0;
  }
}

function describe(value: unknown): string {
  if (value instanceof Module) return typeName(value);
  if (typeof value === "string") return JSON.stringify(value);
  return value === null ? "null" : typeof value === "object" ? (value.constructor?.name ?? "object") : String(value);
}
