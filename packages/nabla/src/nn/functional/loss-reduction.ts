/** What every loss shares: the reduction option and the checks on inputs and targets. */
import { DTypeError, formatShape, OptionError, ShapeError } from "../../errors.js";
import { mean, sum } from "../../ops/reduce.js";
import { isFloating } from "../../tensor/dtype.js";
import { broadcastShapes, shapesEqual } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

export type Reduction = "mean" | "sum" | "none";

export interface LossOptions {
  /** "mean" (default) averages the per-element losses, "sum" adds them, "none" returns them. */
  reduction?: Reduction;
}

export function checkReduction(op: string, reduction: unknown): Reduction {
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw new OptionError(`${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
  }
  return reduction;
}

export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === "mean" ? mean(loss) : reduction === "sum" ? sum(loss) : loss;
}

/** Both tensors float32/float64. */
export function checkFloating(op: string, ...named: [string, Tensor][]): void {
  for (const [name, t] of named) {
    if (!isFloating(t.dtype)) throw new DTypeError(`${op}: expected ${name} to be floating point (float32 or float64), got ${t.dtype}`);
  }
}

/** target (and any other operand) must have the input's shape exactly. */
export function checkSameShape(op: string, input: Tensor, target: Tensor, what = "target"): void {
  if (!shapesEqual(input.shape, target.shape)) {
    throw new ShapeError(`${op}: ${what} size ${formatShape(target.shape)} must be the same as input size ${formatShape(input.shape)}`);
  }
}

/** An optional weight must broadcast to the input's shape without growing it. */
export function checkBroadcastsTo(op: string, name: string, t: Tensor, shape: readonly number[]): void {
  const out = broadcastShapes(op, t.shape, shape);
  if (!shapesEqual(out, shape)) {
    throw new ShapeError(`${op}: ${name} ${formatShape(t.shape)} must broadcast to the input's shape ${formatShape(shape)}`);
  }
}

/** A finite number ≥ 0 (or > 0 when `positive`). */
export function checkNonNegative(op: string, name: string, v: number, positive = false): void {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (positive && v === 0)) {
    throw new OptionError(`${op}: ${name} must be a finite number ${positive ? ">" : "≥"} 0, got ${String(v)}`);
  }
}
