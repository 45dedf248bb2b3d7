/**
 * Per-layer statistics of a model, through the library's `nn.utils.ActivationStats` when the
 * library has it, and until then through the fallback below, which computes the same
 * `LayerStats` with forward hooks. The fallback is temporary: delete `FallbackActivationStats`
 * once `nn.utils.ActivationStats` is on main.
 */
import { nn, type Tensor } from "nabla";

export interface LayerStats {
  name: string;
  kind: string;
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  histogram: { edges: number[]; counts: number[] };
  /** Share of units that output ≤ 0 for every sample of the batch (ReLU, ReLU6); else null. */
  dead: number | null;
  /** Share of outputs in the flat tails (sigmoid, tanh and their hard kin); else null. */
  saturated: number | null;
  /** L2 norm of the gradient of the layer's own parameters; null without parameters or grads. */
  gradNorm: number | null;
}

export interface ActivationStatsLike {
  reset(): void;
  summary(): LayerStats[];
  table(): string;
  remove(): void;
}

type Model = InstanceType<typeof nn.Module>;
type StatsClass = new (model: Model, options: { bins: number }) => ActivationStatsLike;

/** Activations whose gradient is exactly 0 for x < 0: a unit that is never positive learns nothing (leaky kin and ELU-likes keep a gradient there). */
const RECTIFIERS = new Set(["ReLU", "ReLU6"]);
/** Output intervals [lo, hi] outside which a squashing activation counts as saturated. */
const SQUASHERS: Record<string, [number, number]> = { Sigmoid: [0.02, 0.98], Hardsigmoid: [1e-6, 1 - 1e-6], Tanh: [-0.96, 0.96], Hardtanh: [-1 + 1e-6, 1 - 1e-6], Softsign: [-0.9, 0.9] };

/** The fallback: hooks on every leaf module; the last forward's outputs are summarised. */
class FallbackActivationStats implements ActivationStatsLike {
  readonly #bins: number;
  readonly #handles: { remove(): void }[] = [];
  readonly #layers: { name: string; module: Model; output: Float32Array | null; shape: number[] }[] = [];

  constructor(model: Model, { bins }: { bins: number }) {
    this.#bins = bins;
    for (const [name, module] of model.namedModules()) {
      if ([...module.children()].length > 0) continue;
      const layer = { name: name || module.constructor.name, module: module as Model, output: null as Float32Array | null, shape: [] as number[] };
      this.#layers.push(layer);
      this.#handles.push(
        module.registerForwardHook((_m, _inputs, output) => {
          const out = output as Tensor;
          layer.output = Float32Array.from(out.detach().toTypedArray() as ArrayLike<number>);
          layer.shape = [...out.shape];
        }),
      );
    }
  }

  reset(): void {
    for (const layer of this.#layers) layer.output = null;
  }

  summary(): LayerStats[] {
    return this.#layers.filter((l) => l.output !== null).map((l) => this.#summarise(l.name, l.module, l.output!, l.shape));
  }

  #summarise(name: string, module: Model, v: Float32Array, shape: number[]): LayerStats {
    const kind = module.constructor.name;
    let [min, max, sum, sq] = [Infinity, -Infinity, 0, 0];
    for (const x of v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
      sum += x;
      sq += x * x;
    }
    const count = v.length;
    const mean = sum / count;
    const std = Math.sqrt(Math.max(0, sq / count - mean * mean));
    const span = max - min || 1;
    const edges = Array.from({ length: this.#bins + 1 }, (_, i) => min + (span * i) / this.#bins);
    const counts = new Array<number>(this.#bins).fill(0);
    for (const x of v) counts[Math.min(this.#bins - 1, Math.floor(((x - min) / span) * this.#bins))]! += 1;
    let dead: number | null = null;
    if (RECTIFIERS.has(kind)) {
      // a unit (a feature of the last dimension) is dead when it is ≤ 0 for the whole batch
      const units = shape[shape.length - 1] ?? 1;
      const alive = new Uint8Array(units);
      for (let i = 0; i < count; i++) if (v[i]! > 0) alive[i % units] = 1;
      dead = 1 - alive.reduce((a, b) => a + b, 0) / units;
    }
    const band = SQUASHERS[kind];
    let saturated: number | null = null;
    if (band !== undefined) {
      let n = 0;
      for (const x of v) if (x <= band[0] || x >= band[1]) n++;
      saturated = n / count;
    }
    let gradNorm: number | null = null;
    for (const p of module.parameters()) {
      if (p.grad === null) continue;
      let s = 0;
      for (const g of p.grad.toTypedArray() as Float32Array) s += g * g;
      gradNorm = (gradNorm ?? 0) + s;
    }
    if (gradNorm !== null) gradNorm = Math.sqrt(gradNorm);
    return { name, kind, count, mean, std, min, max, histogram: { edges, counts }, dead, saturated, gradNorm };
  }

  table(): string {
    const pct = (x: number | null): string => (x === null ? "—" : `${(100 * x).toFixed(1)}%`);
    return this.summary()
      .map((s) => `${s.name.padEnd(12)} ${s.kind.padEnd(10)} mean ${s.mean.toFixed(3)} std ${s.std.toFixed(3)} dead ${pct(s.dead)} sat ${pct(s.saturated)} |g| ${s.gradNorm?.toExponential(2) ?? "—"}`)
      .join("\n");
  }

  remove(): void {
    for (const h of this.#handles) h.remove();
    this.#handles.length = 0;
  }
}

/** The library's ActivationStats when it exists, else the fallback. */
export function activationStats(model: Model, bins = 30): ActivationStatsLike {
  const library = Reflect.get(nn.utils, "ActivationStats") as StatsClass | undefined;
  return library !== undefined ? new library(model, { bins }) : new FallbackActivationStats(model, { bins });
}

/** Which implementation activationStats() uses (shown in the page). */
export const statsSource = (): string => (Reflect.get(nn.utils, "ActivationStats") !== undefined ? "nn.utils.ActivationStats" : "the playground's fallback (hooks)");
