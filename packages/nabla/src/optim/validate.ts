/**
 * Option checks shared by the update rules, used by their constructors, `addParamGroup` and
 * `loadStateDict` alike: each throws an OptionError naming the optimizer, the option and the value.
 * A value of the wrong type (`lr: "0.1"`) fails the same check as one out of range: JavaScript's
 * `"0.1" >= 0` is true, so every check here asks for a number first.
 */
import { OptionError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";

/** A short description of any value for an error message: `-1`, `"fast"`, `null`, `a float32 Tensor of shape [2, 3]`. */
export function describeValue(value: unknown): string {
  if (value instanceof Tensor) return `${value.dtype === "int32" ? "an" : "a"} ${value.dtype} Tensor of shape [${value.shape.join(", ")}]`;
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) return String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) {
    if (value.length > 8 || !value.every((v) => v === null || ["number", "string", "boolean"].includes(typeof v))) return `a list of ${value.length}`;
    return `[${value.map(describeValue).join(", ")}]`;
  }
  return typeof value === "object" ? "an object" : typeof value;
}

/** A number that is not NaN (Infinity is a number: growthRate's default). */
export function isNumber(value: unknown): value is number {
  return typeof value === "number" && !Number.isNaN(value);
}

/** A plain object (or a null-prototype one): what a state dict and a parameter group are. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Anything `for … of` can walk (a list, a generator of parameters, a Set). */
export function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof (value as { [Symbol.iterator]?: unknown } | null | undefined)?.[Symbol.iterator] === "function";
}

export function checkLr(name: string, lr: unknown): void {
  if (!(isNumber(lr) && lr >= 0)) throw new OptionError(`${name}: invalid learning rate: ${describeValue(lr)} (lr must be a number >= 0)`);
}

/** `value` must be a number >= 0 (weightDecay, eps, …). */
export function checkNonNegative(name: string, option: string, value: unknown): void {
  if (!(isNumber(value) && value >= 0)) throw new OptionError(`${name}: invalid ${option} value: ${describeValue(value)} (must be a number >= 0)`);
}

/** `value` must be a number > 0. */
export function checkPositive(name: string, option: string, value: unknown): void {
  if (!(isNumber(value) && value > 0)) throw new OptionError(`${name}: invalid ${option} value: ${describeValue(value)} (must be a number > 0)`);
}

/** `value` must lie in [low, high] (or [low, high) when `openHigh`). */
export function checkRange(name: string, option: string, value: unknown, low: number, high: number, openHigh = false): void {
  const ok = isNumber(value) && value >= low && (openHigh ? value < high : value <= high);
  if (!ok) throw new OptionError(`${name}: invalid ${option} value: ${describeValue(value)} (must be in [${low}, ${high}${openHigh ? ")" : "]"})`);
}

/** A pair [β1, β2], each in [0, 1). */
export function checkBetas(name: string, betas: unknown, option = "betas"): void {
  if (!Array.isArray(betas) || betas.length !== 2) throw new OptionError(`${name}: ${option} must be a pair [beta1, beta2], got ${describeValue(betas)}`);
  betas.forEach((beta: unknown, i) => {
    if (!(isNumber(beta) && beta >= 0 && beta < 1)) throw new OptionError(`${name}: invalid beta parameter at index ${i}: ${describeValue(beta)} (${option} must be in [0, 1))`);
  });
}

/** A positive integer (step counts, history sizes). */
export function checkPositiveInt(name: string, option: string, value: unknown): void {
  if (!(Number.isInteger(value) && (value as number) > 0)) throw new OptionError(`${name}: invalid ${option} value: ${describeValue(value)} (must be a positive integer)`);
}

/**
 * An option must have the type of the rule's default for it: a number (not NaN) where the default
 * is a number, a boolean where it is a boolean, a list of numbers where it is a list.
 * Options whose default is null (LBFGS's maxEval, Prodigy's beta3) are typed by the rule's own checks.
 */
export function checkOptionType(name: string, option: string, value: unknown, defaultValue: unknown): void {
  const fail = (expected: string): never => {
    throw new OptionError(`${name}: invalid ${option}: ${describeValue(value)} (must be ${expected})`);
  };
  if (typeof defaultValue === "number" && !isNumber(value)) fail("a number");
  if (typeof defaultValue === "boolean" && typeof value !== "boolean") fail("true or false");
  // The list's length is the rule's check (betas must be a pair, …), with its own message.
  if (Array.isArray(defaultValue) && !(Array.isArray(value) && value.every(isNumber))) fail("a list of numbers");
}
