/**
 * Constraints on parameters and supports, as torch.distributions.constraints: each names
 * itself as PyTorch prints it (`GreaterThan(lower_bound=0.0)`) and checks values, giving a bool
 * tensor over the batch (the last `eventDim` dims are one event and are checked together).
 * Checks read values only (no gradient), over plain typed arrays.
 */
import { choleskyFactor } from "../ops/cholesky.js";
import { fromTypedArray } from "../ops/helpers.js";
import type { Tensor } from "../tensor/tensor.js";

export interface Constraint {
  /** PyTorch's repr, e.g. `Interval(lower_bound=0.0, upper_bound=1.0)`. */
  readonly name: string;
  /** How many trailing dims make one event (0 for elementwise constraints). */
  readonly eventDim: number;
  readonly isDiscrete: boolean;
  /** Whether each event of `value` satisfies the constraint: a bool tensor of the batch shape. */
  check(value: Tensor): Tensor;
}

/** Python's repr of a float bound: `0.0`, `1.0`, `-2.5`. */
function pyFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** A constraint checked event by event: `ok` sees the event's values (row-major) and its shape. */
function eventwise(name: string, eventDim: number, ok: (event: ArrayLike<number>, shape: readonly number[]) => boolean, isDiscrete = false): Constraint {
  return {
    name,
    eventDim,
    isDiscrete,
    check(value: Tensor): Tensor {
      const data = value.toTypedArray();
      const eventShape = value.shape.slice(value.ndim - eventDim);
      const batchShape = value.shape.slice(0, value.ndim - eventDim);
      const size = eventShape.reduce((p, s) => p * s, 1);
      const count = size === 0 ? 0 : data.length / size;
      const out = new Uint8Array(count);
      for (let b = 0; b < count; b++) out[b] = ok(data.subarray(b * size, (b + 1) * size), eventShape) ? 1 : 0;
      return fromTypedArray(out, batchShape, "bool");
    },
  };
}

function elementwise(name: string, ok: (v: number) => boolean, isDiscrete = false): Constraint {
  return eventwise(name, 0, (e) => ok(e[0]!), isDiscrete);
}

/** A constraint that cannot be checked (PyTorch's `dependent`): used for Uniform's bounds. */
export const dependent: Constraint = {
  name: "Dependent()",
  eventDim: 0,
  isDiscrete: false,
  check() {
    throw new Error("constraints.dependent cannot be checked");
  },
};

export const real = elementwise("Real()", (v) => v === v); // not NaN
export const boolean = elementwise("Boolean()", (v) => v === 0 || v === 1, true);
export const positive = greaterThan(0);
export const nonnegative = greaterThanEq(0);
export const unitInterval = interval(0, 1);
export const realVector = independent(real, 1);

export function greaterThan(lowerBound: number): Constraint {
  return elementwise(`GreaterThan(lower_bound=${pyFloat(lowerBound)})`, (v) => v > lowerBound);
}

export function greaterThanEq(lowerBound: number): Constraint {
  return elementwise(`GreaterThanEq(lower_bound=${pyFloat(lowerBound)})`, (v) => v >= lowerBound);
}

export function interval(lowerBound: number, upperBound: number): Constraint {
  return elementwise(`Interval(lower_bound=${pyFloat(lowerBound)}, upper_bound=${pyFloat(upperBound)})`, (v) => v >= lowerBound && v <= upperBound);
}

export function halfOpenInterval(lowerBound: number, upperBound: number): Constraint {
  return elementwise(`HalfOpenInterval(lower_bound=${pyFloat(lowerBound)}, upper_bound=${pyFloat(upperBound)})`, (v) => v >= lowerBound && v < upperBound);
}

export function integerInterval(lowerBound: number, upperBound: number): Constraint {
  return elementwise(`IntegerInterval(lower_bound=${lowerBound}, upper_bound=${upperBound})`, (v) => v % 1 === 0 && v >= lowerBound && v <= upperBound, true);
}

/** `base` over events of `reinterpretedBatchNdims` more dims: all of an event must satisfy it. */
export function independent(base: Constraint, reinterpretedBatchNdims: number): Constraint {
  const inner = base.eventDim;
  return {
    name: `IndependentConstraint(${base.name}, ${reinterpretedBatchNdims})`,
    eventDim: inner + reinterpretedBatchNdims,
    isDiscrete: base.isDiscrete,
    check(value: Tensor): Tensor {
      const ok = base.check(value);
      return eventwise("", reinterpretedBatchNdims, (e) => Array.prototype.every.call(e, (v: number) => v === 1)).check(ok);
    },
  };
}

/** Non-negative entries summing to 1 (within 1e-6) along the last dim. */
export const simplex = eventwise("Simplex()", 1, (e) => {
  let sum = 0;
  for (let i = 0; i < e.length; i++) {
    if (!(e[i]! >= 0)) return false;
    sum += e[i]!;
  }
  return Math.abs(sum - 1) < 1e-6;
});

/** Entries 0 or 1 with exactly one 1 along the last dim. */
export const oneHot = eventwise("OneHot()", 1, (e) => {
  let sum = 0;
  for (let i = 0; i < e.length; i++) {
    if (e[i] !== 0 && e[i] !== 1) return false;
    sum += e[i]!;
  }
  return sum === 1;
}, true);

/** Lower triangular square matrices with a positive diagonal. */
export const lowerCholesky = eventwise("LowerCholesky()", 2, (e, [n]) => {
  for (let i = 0; i < n!; i++) {
    if (!(e[i * n! + i]! > 0)) return false;
    for (let j = i + 1; j < n!; j++) if (e[i * n! + j] !== 0) return false;
  }
  return true;
});

/** Symmetric (within PyTorch's isclose, atol 1e-6) positive-definite matrices: the Cholesky factorization succeeds. */
export const positiveDefinite = eventwise("PositiveDefinite()", 2, (e, [n]) => {
  const m = n!;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < i; j++) {
      const [a, b] = [e[i * m + j]!, e[j * m + i]!];
      if (!(Math.abs(a - b) <= 1e-6 + 1e-5 * Math.abs(b))) return false;
    }
  }
  return choleskyFactor(Float64Array.from(e), new Float64Array(m * m), 1, m) === null;
});
