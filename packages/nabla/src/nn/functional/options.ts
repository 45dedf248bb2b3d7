/** Checking a numeric option: the error names the function, the option and the value. */
import { OptionError } from "../../errors.js";
import { checkOptions } from "../../ops/options.js";

/** Throws OptionError `op: name must be …, got value` unless `ok` (NaN and non-numbers never pass). */
export function checkOption(op: string, name: string, value: number, ok: boolean, must: string): void {
  if (typeof value !== "number" || Number.isNaN(value) || !ok) {
    throw new OptionError(`${op}: ${name} must be ${must}, got ${String(value)}`);
  }
}

/** What a call got, for TypeErrors: `a number (3)`, `a string ("x")`, `an array`, `a Tensor`, `null`. */
export function describeArg(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return `a number (${value})`;
  if (typeof value === "string") return `a string (${JSON.stringify(value)})`;
  if (typeof value === "object") return value.constructor?.name === "Tensor" ? "a Tensor" : "an object";
  return `${typeof value === "undefined" ? "undefined" : `a ${typeof value}`}`;
}

const isPlainObject = (v: unknown): v is object =>
  typeof v === "object" && v !== null && !Array.isArray(v) && (v.constructor === Object || v.constructor === undefined);

/**
 * A call's optional arguments given either PyTorch's way, positionally in `names` order
 * (`F.normalize(x, 2, -1)`), or as one options object (`F.normalize(x, { dim: -1 })`) whose keys
 * must be among `names` and `optionOnly` (keys with no PyTorch position, such as a generator).
 * An options object after positional values, or more values than names, is a TypeError, as is
 * an unknown key (checkOptions).
 */
export function positionalOrOptions<T extends object>(
  op: string,
  args: readonly unknown[],
  names: readonly (keyof T & string)[],
  optionOnly: readonly (keyof T & string)[] = [],
): T {
  if (args.length === 1 && isPlainObject(args[0])) {
    checkOptions(op, args[0], optionOnly.length === 0 ? names : [...names, ...optionOnly]);
    return args[0] as T;
  }
  if (args.length > names.length) throw new TypeError(`${op}: takes at most ${names.length} optional argument${names.length === 1 ? "" : "s"} (${names.join(", ")}), got ${args.length}`);
  const out: Record<string, unknown> = {};
  args.forEach((v, i) => {
    if (isPlainObject(v)) throw new TypeError(`${op}: expected ${names[i]} (argument ${i + 1} after the tensors), got an options object after positional arguments`);
    if (v !== undefined) out[names[i]!] = v;
  });
  return out as T;
}
