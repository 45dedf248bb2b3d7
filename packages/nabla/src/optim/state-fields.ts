/**
 * What an update rule keeps, declared so that a loaded state dict can be checked against it: each
 * rule lists the entries of a parameter's state (its moment buffers, its step count, …) with the
 * type, shape and range each must have, and which ones a state must hold. `loadStateDict` refuses
 * an entry the rule does not keep, a required one that is missing, and a value that fails its check.
 */
import { formatShape } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { describeValue, isNumber } from "./validate.js";

/** What is wrong with a value ("must be …, got …"), or null when it is fine. */
export type FieldCheck = (value: unknown) => string | null;

export interface StateField {
  check: FieldCheck;
  /** Whether every state entry of the rule must hold this key (else it may be absent). */
  required: boolean;
  /** Makes the value to store from a checked one (default: a copy that shares no buffer). */
  load?: (value: unknown) => unknown;
}

/** The entries a rule keeps for one parameter (or for one group, without `required`). */
export type StateSpec = Record<string, StateField>;

export const required = (check: FieldCheck, load?: StateField["load"]): StateField => ({ check, required: true, load });
export const optional = (check: FieldCheck, load?: StateField["load"]): StateField => ({ check, required: false, load });
/** Required when `condition` holds (max_exp_avg_sq with amsgrad), allowed otherwise. */
export const requiredIf = (condition: boolean, check: FieldCheck, load?: StateField["load"]): StateField => ({ check, required: condition, load });

/**
 * A moment buffer of parameter `p`: a floating tensor of exactly p's shape. Loaded as a copy in
 * p's dtype on p's device (a float64 buffer into float32 weights is rounded, a CPU buffer of a
 * parameter on the webgpu device uploaded, as PyTorch casts it).
 */
export function buffer(p: Tensor, when = true): StateField {
  const check: FieldCheck = (v) => {
    if (!(v instanceof Tensor)) return `must be a Tensor of the parameter's shape ${formatShape(p.shape)}, got ${describeValue(v)}`;
    if (!isFloating(v.dtype)) return `must be a float32 or float64 Tensor, got ${describeValue(v)}`;
    if (!shapesEqual(v.shape, p.shape)) return `must have the parameter's shape ${formatShape(p.shape)}, got ${describeValue(v)}`;
    return null;
  };
  return requiredIf(when, check, (v) => {
    // PyTorch's load_state_dict casts each buffer to its parameter's dtype and device
    const cast = (v as Tensor).to(p.dtype);
    return cast.storage.device === p.storage.device ? cast.clone() : cast.to(p.storage.device);
  });
}

/** A step count: a non-negative integer. */
export const count: FieldCheck = (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? null : `must be a non-negative integer, got ${describeValue(v)}`);

/** A finite number. */
export const finite: FieldCheck = (v) => (isNumber(v) && Number.isFinite(v) ? null : `must be a finite number, got ${describeValue(v)}`);

/** Any number, ±Infinity included (a loss not yet seen). */
export const anyNumber: FieldCheck = (v) => (isNumber(v) ? null : `must be a number, got ${describeValue(v)}`);

/** A finite number >= 0 (a step size). */
export const nonNegative: FieldCheck = (v) => (isNumber(v) && Number.isFinite(v) && v >= 0 ? null : `must be a finite number >= 0, got ${describeValue(v)}`);

/** A finite number > 0 (Prodigy's step-size estimate d). */
export const positive: FieldCheck = (v) => (isNumber(v) && Number.isFinite(v) && v > 0 ? null : `must be a finite number > 0, got ${describeValue(v)}`);

export const boolean: FieldCheck = (v) => (typeof v === "boolean" ? null : `must be true or false, got ${describeValue(v)}`);

/** A number in [low, high], or (low, high] when `openLow`. */
export function inRange(low: number, high: number, openLow = false): FieldCheck {
  return (v) => {
    const ok = isNumber(v) && (openLow ? v > low : v >= low) && v <= high;
    return ok ? null : `must be a number in ${openLow ? "(" : "["}${low}, ${high}], got ${describeValue(v)}`;
  };
}

/** A float64 vector of `n` elements (LBFGS's flat direction and gradient), or null when `nullable`. */
export function vector(n: number, nullable = false): FieldCheck {
  return (v) => {
    if (v === null && nullable) return null;
    if (v instanceof Tensor && isFloating(v.dtype) && v.dim() === 1 && v.shape[0] === n) return null;
    return `must be a 1-D float Tensor of ${n} elements${nullable ? " or null" : ""}, got ${describeValue(v)}`;
  };
}

/** A list of at most `maxLength` values, each passing `each`. */
export function listOf(each: FieldCheck, maxLength: number): FieldCheck {
  return (v) => {
    if (!Array.isArray(v)) return `must be a list, got ${describeValue(v)}`;
    if (v.length > maxLength) return `must hold at most ${maxLength} entries, got ${v.length}`;
    for (let i = 0; i < v.length; i++) {
      const problem = each(v[i]);
      if (problem !== null) return `[${i}] ${problem}`;
    }
    return null;
  };
}

/** A copy of a checked state value that shares no buffer with the original. */
export function copyState(value: unknown): unknown {
  if (value instanceof Tensor) return value.clone();
  if (Array.isArray(value)) return value.map(copyState);
  return value;
}
