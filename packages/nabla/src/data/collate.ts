/**
 * Turning a list of samples into one batch (PyTorch's default_collate): tensors are stacked
 * along a new first dim, numbers become a 1-d tensor, arrays and objects are collated field by
 * field.
 */
import { stack } from "../ops/join.js";
import { fromTypedArray } from "../ops/helpers.js";
import { Tensor } from "../tensor/tensor.js";

/** The batch type defaultCollate makes from samples of type T. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Collated<T[K]> }
      : T extends object
        ? { [K in keyof T]: Collated<T[K]> }
        : T[];

/** Collates a list of samples of the same structure into one batch. */
export function defaultCollate<T>(samples: readonly T[]): Collated<T> {
  return collate(samples) as Collated<T>;
}

function collate<T>(samples: readonly T[]): unknown {
  if (samples.length === 0) throw new RangeError("defaultCollate: got an empty list of samples");
  const first = samples[0] as unknown;
  if (first instanceof Tensor) return stack(samples as unknown as Tensor[], 0);
  if (typeof first === "number" || typeof first === "boolean") {
    const values = samples as unknown as (number | boolean)[];
    const dtype = typeof first === "boolean" ? "bool" : values.every((v) => Number.isInteger(v)) ? "int32" : "float32";
    return fromTypedArray(values.map(Number), [values.length], dtype);
  }
  if (Array.isArray(first)) {
    const width = first.length;
    samples.forEach((s, i) => {
      if (!Array.isArray(s) || s.length !== width) {
        throw new RangeError(`defaultCollate: each sample should have ${width} elements, sample ${i} has ${Array.isArray(s) ? s.length : "none"}`);
      }
    });
    return Array.from({ length: width }, (_, k) => collate(samples.map((s) => (s as unknown[])[k])));
  }
  if (typeof first === "object" && first !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) out[key] = collate(samples.map((s) => (s as Record<string, unknown>)[key]));
    return out;
  }
  // Strings and other values are passed through as a list.
  return samples.slice();
}
