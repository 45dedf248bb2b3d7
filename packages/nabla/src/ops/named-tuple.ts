/**
 * PyTorch's `torch.return_types`: namedtuples of tensors, which ops with several results return
 * (max along a dim, sort, slogdet, svd …). Each is read by name (`r.values`), by position
 * (`r[1]`, as PyTorch's common `output.max(1)[1]`) or unpacked (`const [values, indices] = r`).
 */
import type { Tensor } from "../tensor/tensor.js";

/** The instance type: a Tensor under each name and at each position, iterable in order. */
export type NamedTuple<Names extends readonly string[]> = { [K in Names[number]]: Tensor } & {
  readonly [I in keyof Names & `${number}`]: Tensor;
} & {
  readonly length: Names["length"];
  [Symbol.iterator](): IterableIterator<Tensor>;
};

/** A class whose instances are the namedtuple of `names`: `class Svd extends namedTuple(["U", "S", "Vh"]) {}`. */
export function namedTuple<const Names extends readonly string[]>(names: Names): new (...values: { [I in keyof Names]: Tensor }) => NamedTuple<Names> {
  class Tuple {
    constructor(...values: Tensor[]) {
      names.forEach((name, i) => Object.defineProperty(this, name, { value: values[i], enumerable: true, writable: true }));
    }
    get length(): number {
      return names.length;
    }
    *[Symbol.iterator](): IterableIterator<Tensor> {
      for (const name of names) yield (this as unknown as Record<string, Tensor>)[name]!;
    }
  }
  names.forEach((name, i) =>
    Object.defineProperty(Tuple.prototype, i, {
      get(this: Record<string, Tensor>) {
        return this[name];
      },
    }),
  );
  return Tuple as unknown as new (...values: { [I in keyof Names]: Tensor }) => NamedTuple<Names>;
}
