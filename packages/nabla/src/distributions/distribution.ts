/**
 * The base of every distribution, as torch.distributions.Distribution: batch and event shapes,
 * `sample`/`rsample` with a sample shape, `logProb`, `entropy`, `mean`/`mode`/`variance`/`stddev`,
 * and PyTorch's argument validation (on by default, as in PyTorch): parameters are checked
 * against their constraints when the distribution is made, and values given to `logProb` against
 * the support, with an error that names the distribution, the parameter and the bad values.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { OptionError, ShapeError, formatShape } from "../errors.js";
import { scalarTensor } from "../ops/helpers.js";
import { sqrt, exp } from "../ops/elementwise.js";
import { expand } from "../ops/shape.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import type { Constraint } from "./constraints.js";

export interface DistributionOptions {
  /** Check parameters and logProb's values (default: `Distribution.defaultValidateArgs`, true). */
  validateArgs?: boolean;
}

/** A sample shape: `[]` for one draw per batch element, `[5]` or `5` for five, `[2, 3]` … */
export type SampleShape = number | readonly number[];

/** A parameter as given: a tensor, or a number (a tensor of the other parameters' dtype, float32 if none). */
export type Param = Tensor | number;

export abstract class Distribution {
  /** Whether new distributions validate their arguments unless told otherwise (PyTorch's default: true). */
  static defaultValidateArgs = true;

  /** PyTorch's Distribution.set_default_validate_args. */
  static setDefaultValidateArgs(value: boolean): void {
    if (typeof value !== "boolean") throw new TypeError(`Distribution.setDefaultValidateArgs: expected true or false, got ${String(value)}`);
    Distribution.defaultValidateArgs = value;
  }

  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  protected readonly validateArgs: boolean;

  protected constructor(
    /** The class name PyTorch prints, for messages and toString. */
    readonly typeName: string,
    batchShape: readonly number[],
    eventShape: readonly number[],
    options: DistributionOptions = {},
  ) {
    if (typeof options !== "object" || options === null) throw new TypeError(`${typeName}: expected an options object, got ${describeArg(options)}`);
    this.batchShape = batchShape.slice();
    this.eventShape = eventShape.slice();
    this.validateArgs = options.validateArgs ?? Distribution.defaultValidateArgs;
  }

  /** The parameters PyTorch validates, with their constraints (those the instance holds are checked). */
  abstract get argConstraints(): Record<string, Constraint>;
  /** The set of values this distribution gives (and logProb accepts). */
  abstract get support(): Constraint;

  get hasRsample(): boolean {
    return false;
  }
  get hasEnumerateSupport(): boolean {
    return false;
  }

  /** The parameters to validate, by name (the ones this instance was made with). */
  protected abstract params(): Record<string, Tensor>;

  /** Checks each parameter against its constraint; subclasses call this at the end of their constructor. */
  protected validateParameters(): void {
    if (!this.validateArgs) return;
    const constraints = this.argConstraints;
    for (const [name, value] of Object.entries(this.params())) {
      const constraint = constraints[name];
      if (!constraint || constraint.name === "Dependent()") continue;
      const bad = invalidPlaces(constraint.check(value));
      if (bad.length > 0) {
        throw new OptionError(
          `${this.typeName}: expected parameter ${name} (Tensor of shape ${formatShape(value.shape)}) of distribution ${this.toString()} ` +
            `to satisfy the constraint ${constraint.name}, but found invalid values ${describeInvalid(value, bad, constraint.eventDim)}`,
        );
      }
    }
  }

  /** sampleShape + batchShape + eventShape. */
  extendedShape(sampleShape: SampleShape = []): number[] {
    return [...toSampleShape(this.typeName, sampleShape), ...this.batchShape, ...this.eventShape];
  }

  /** Draws of shape sampleShape + batchShape + eventShape, without gradient. */
  sample(sampleShape: SampleShape = []): Tensor {
    if (this.hasRsample) return noGrad(() => this.rsample(sampleShape));
    throw new Error(`${this.typeName}: sample is not implemented`);
  }

  /** Reparameterised draws: gradients flow from the samples to the parameters. */
  rsample(sampleShape: SampleShape = []): Tensor {
    void sampleShape;
    throw new Error(`${this.typeName}: rsample is not implemented (${this.typeName} is not reparameterisable; use sample)`);
  }

  /** ln p(value), over the batch. */
  abstract logProb(value: Tensor): Tensor;

  entropy(): Tensor {
    throw new Error(`${this.typeName}: entropy is not implemented`);
  }
  /** exp(entropy). */
  perplexity(): Tensor {
    return exp(this.entropy());
  }
  get mean(): Tensor {
    throw new Error(`${this.typeName}: mean is not implemented`);
  }
  get mode(): Tensor {
    throw new Error(`${this.typeName}: mode is not implemented`);
  }
  get variance(): Tensor {
    throw new Error(`${this.typeName}: variance is not implemented`);
  }
  get stddev(): Tensor {
    return sqrt(this.variance);
  }
  /** Every value of a discrete support, along a new first dim (expanded over the batch unless `expand` is false). */
  enumerateSupport(expand = true): Tensor {
    void expand;
    throw new Error(`${this.typeName}: enumerateSupport is not implemented`);
  }

  /**
   * PyTorch's _validate_sample: value's trailing dims must be the event shape, the rest must
   * broadcast with the batch shape, and every event must be in the support.
   */
  protected validateSample(value: Tensor): void {
    if (!(value instanceof Tensor)) throw new TypeError(`${this.typeName}.logProb: the value must be a Tensor, got ${describeArg(value)}`);
    if (!this.validateArgs) return;
    const e = this.eventShape.length;
    const trailing = value.shape.slice(value.ndim - e);
    if (value.ndim < e || trailing.some((s, i) => s !== this.eventShape[i])) {
      throw new ShapeError(`${this.typeName}.logProb: the right-most size of value must match event_shape: ${formatShape(value.shape)} vs ${formatShape(this.eventShape)}`);
    }
    const expected = [...this.batchShape, ...this.eventShape];
    for (let i = 1; i <= Math.min(value.ndim, expected.length); i++) {
      const [a, b] = [value.shape[value.ndim - i]!, expected[expected.length - i]!];
      if (a !== 1 && b !== 1 && a !== b) {
        throw new ShapeError(`${this.typeName}.logProb: value is not broadcastable with batch_shape+event_shape: ${formatShape(value.shape)} vs ${formatShape(expected)}`);
      }
    }
    const support = this.support;
    if (support.name === "Dependent()") return;
    const bad = invalidPlaces(support.check(value));
    if (bad.length > 0) {
      throw new OptionError(
        `${this.typeName}.logProb: expected value argument (Tensor of shape ${formatShape(value.shape)}) to be within the support (${support.name}) ` +
          `of the distribution ${this.toString()}, but found invalid values ${describeInvalid(value, bad, support.eventDim)}`,
      );
    }
  }

  /** PyTorch's repr: `Normal(loc: [2], scale: [2])`, a one-element parameter by its value. */
  toString(): string {
    const args = Object.entries(this.params()).map(([k, v]) => `${k}: ${v.numel() === 1 ? String(v.detach().reshape([]).item()) : formatShape(v.shape)}`);
    return `${this.typeName}(${args.join(", ")})`;
  }
}

/** Indices (row-major, over the checked batch) where a bool check is false. */
function invalidPlaces(ok: Tensor): number[] {
  const data = ok.toTypedArray();
  const bad: number[] = [];
  for (let i = 0; i < data.length; i++) if (!data[i]) bad.push(i);
  return bad;
}

/** The bad values (or events) and where they are: `-1 at [1], NaN at [3]`. */
function describeInvalid(value: Tensor, bad: number[], eventDim: number): string {
  const data = value.detach().toTypedArray();
  const batchShape = value.shape.slice(0, value.ndim - eventDim);
  const eventSize = value.shape.slice(value.ndim - eventDim).reduce((p, s) => p * s, 1);
  const place = (flat: number): string => {
    const idx: number[] = [];
    for (let d = batchShape.length - 1; d >= 0; d--) {
      idx.unshift(flat % batchShape[d]!);
      flat = Math.floor(flat / batchShape[d]!);
    }
    return `[${idx.join(", ")}]`;
  };
  const shown = bad.slice(0, 4).map((b) => {
    const v = Array.from(data.subarray(b * eventSize, (b + 1) * eventSize), Number);
    return `${eventDim === 0 ? v[0] : `[${v.join(", ")}]`} at ${place(b)}`;
  });
  return shown.join(", ") + (bad.length > 4 ? ` (and ${bad.length - 4} more)` : "");
}

function toSampleShape(op: string, shape: SampleShape): number[] {
  const list = typeof shape === "number" ? [shape] : Array.isArray(shape) ? shape.slice() : null;
  if (list === null || list.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new TypeError(`${op}: expected a sample shape (a non-negative integer or an array of them), got ${describeArg(shape)}`);
  }
  return list;
}

export function describeArg(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (value instanceof Tensor) return `a Tensor of shape ${formatShape(value.shape)}`;
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * PyTorch's broadcast_all: numbers become tensors of the tensors' dtype (float32 if all are
 * numbers), then everything is expanded to the common shape. Anything else is a TypeError
 * naming the distribution and the argument.
 */
export function broadcastAll(typeName: string, params: Record<string, unknown>): Tensor[] {
  const entries = Object.entries(params);
  for (const [name, v] of entries) {
    if (!(v instanceof Tensor) && typeof v !== "number") throw new TypeError(`${typeName}: expected ${name} to be a Tensor or a number, got ${describeArg(v)}`);
  }
  const first = entries.map(([, v]) => v).find((v): v is Tensor => v instanceof Tensor);
  const dtype = first?.dtype ?? "float32";
  // numbers join the first tensor on its device (0-d, so they may join any device's ops)
  const device = first?.storage.device ?? "cpu";
  const tensors = entries.map(([, v]) => (v instanceof Tensor ? v : scalarTensor(v as number, dtype, device)));
  const shape = tensors.reduce<number[]>((s, t) => broadcastShapes(typeName, s, t.shape), []);
  return tensors.map((t) => (t.shape.length === shape.length && t.shape.every((s, i) => s === shape[i]) ? t : expand(t, shape)));
}
