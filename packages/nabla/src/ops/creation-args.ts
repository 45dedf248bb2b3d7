/**
 * The arguments of the creation functions as PyTorch users write them: a size as separate numbers
 * or one list (`torch.zeros(2, 3)`, `torch.zeros((2, 3))`), and an options object whose every key
 * the function reads. A key it does not read would otherwise be dropped without a word: PyTorch's
 * `requires_grad` habit would give a tensor without gradients, a typo in `dtype` float32.
 */
import { ShapeError } from "../errors.js";
import type { ShapeArg } from "./creation.js";
import { checkOptions, describe, isPlainObject } from "./options.js";

export { checkOptions } from "./options.js";

export const CREATE_KEYS = ["dtype", "requiresGrad", "device"] as const;
export const RANDOM_KEYS = [...CREATE_KEYS, "generator"] as const;

/** The sizes and options of zeros(2, 3), zeros([2, 3]) and either with an options object last. */
export type SizeArgs<O> = [shape: ShapeArg, options?: O] | [...sizes: number[], options: O] | number[];

/**
 * Reads zeros(2, 3), zeros([2, 3]), zeros(5) and each with an options object last: the shape as
 * given (checked by the caller) and the options, whose keys must be among `keys`. A size that is
 * not a number is a ShapeError, as every other bad shape; a bad options object a TypeError.
 */
export function sizeArgs<O>(op: string, args: readonly unknown[], keys: readonly string[]): [ShapeArg, O | undefined] {
  const last = args[args.length - 1];
  const hasOptions = args.length > 0 && (isPlainObject(last) || last === undefined);
  const sizes = hasOptions ? args.slice(0, -1) : args;
  const options = hasOptions ? (last as O | undefined) : undefined;
  checkOptions(op, options, keys);
  if (sizes.length === 1 && (Array.isArray(sizes[0]) || typeof sizes[0] === "number")) return [sizes[0] as ShapeArg, options];
  if (Array.isArray(sizes[0])) throw new TypeError(`${op}: after the shape only an options object may follow (${keys.join(", ")}), but got ${describe(sizes[1])}`);
  if (sizes.length === 0) throw new ShapeError(`${op}: missing the size (numbers, zeros(2, 3), or a list, zeros([2, 3]))`);
  sizes.forEach((size, i) => {
    if (typeof size !== "number") {
      throw new ShapeError(`${op}: argument ${i + 1} must be a size (a number), as in ${op}(2, 3), or the options object last, but got ${describe(size)}`);
    }
  });
  return [sizes as number[], options];
}
