/**
 * Checking an options object against the keys its function reads. Functions take their options
 * by destructuring, which drops every other key without a word: PyTorch's `label_smoothing` habit
 * would train without smoothing, a typo in `training` would keep dropout on. Every function that
 * takes an options object declares its keys and checks them first, before any work or RNG draw.
 */
import { Tensor } from "../tensor/tensor.js";

/** A plain `{ … }` object (not an array, a Tensor, null or an instance of some class). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Tensor) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What a call got, for TypeErrors: `the string "x"`, `an array ([1,2])`, `a Tensor of shape [2]`. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof Tensor) return `a Tensor of shape [${value.shape.join(", ")}]`;
  if (Array.isArray(value)) return `an array (${JSON.stringify(value)})`;
  if (typeof value === "string") return `the string "${value}"`;
  if (typeof value === "object") return `an object of class ${value.constructor?.name ?? "unknown"}`;
  return `${typeof value} (${String(value)})`;
}

/** requires_grad → requiresGrad: PyTorch's spelling of an option, in nabla's. */
const camelCase = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Checks that `options` (undefined, or the options object an op got) is a plain object whose keys
 * are among `keys`; a TypeError naming the op and the key otherwise.
 */
export function checkOptions(op: string, options: unknown, keys: readonly string[]): void {
  if (options === undefined) return;
  if (!isPlainObject(options)) throw new TypeError(`${op}: the options must be an object (${keys.join(", ")}), but got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (keys.includes(key)) continue;
    const hint = keys.includes(camelCase(key)) ? ` (nabla spells PyTorch's ${key} as ${camelCase(key)})` : "";
    throw new TypeError(`${op}: unknown option '${key}'${hint}; it takes ${keys.join(", ")}`);
  }
}

/**
 * The keys of an options type, declared as `optionKeys<LeakyReluOptions>({ negativeSlope: true })`:
 * the compiler refuses a list that misses a key of the type or names one it lacks, so the list
 * `checkOptions` enforces cannot drift from the options the function documents.
 */
export function optionKeys<T>(keys: { [K in keyof T]-?: true }): readonly string[] {
  return Object.freeze(Object.keys(keys));
}
