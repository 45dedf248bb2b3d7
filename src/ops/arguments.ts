/**
 * PyTorch's call shapes from JavaScript: an op takes its arguments positionally, in PyTorch's
 * order (`x.sort(0, true)`, `topk(x, 3, 1, false)`), or as one options object in their place
 * (`x.sort({ dim: 0, descending: true, stable: true })`), or a positional prefix followed by the
 * object (`x.sort(0, { stable: true })`). Keyword-only arguments (PyTorch's `*, stable`) live only
 * in the object. A value of the wrong kind in any slot, an unknown option or an object that is not
 * last throws a TypeError naming the call, the argument and what it got, instead of running
 * with a different meaning.
 */
import { isDType } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";

/**
 * The argument lists an op accepts after its leading operands: every prefix of the positional
 * arguments `P` (each may be `undefined` to keep its default), optionally followed by `O`.
 */
export type WithOptions<P extends unknown[], O> = P extends [infer Head, ...infer Rest]
  ? [] | [O] | [Head | undefined, ...WithOptions<Rest, O>]
  : [] | [O];

/** What one argument may hold: a check and the words for the error message. */
export interface ArgKind {
  readonly test: (value: unknown) => boolean;
  readonly expected: string;
}

const kind = (expected: string, test: (value: unknown) => boolean): ArgKind => ({ expected, test });

export const NUMBER = kind("a number", (v) => typeof v === "number");
export const INTEGER = kind("an integer", (v) => typeof v === "number" && Number.isInteger(v));
export const BOOLEAN = kind("a boolean", (v) => typeof v === "boolean");
export const STRING = kind("a string", (v) => typeof v === "string");
export const TENSOR = kind("a Tensor", (v) => v instanceof Tensor);
export const DIMS = kind(
  "an integer or an array of integers",
  (v) => (typeof v === "number" && Number.isInteger(v)) || (Array.isArray(v) && v.every((d) => typeof d === "number" && Number.isInteger(d))),
);

export const DTYPE = kind('a dtype name ("float32", "float64", "int32" or "bool")', isDType);
export const FLOAT_DTYPE = kind('a floating dtype name ("float32" or "float64")', (v) => v === "float32" || v === "float64");

/** Either of two kinds. */
export function oneOf(a: ArgKind, b: ArgKind): ArgKind {
  return kind(`${a.expected} or ${b.expected}`, (v) => a.test(v) || b.test(v));
}

/** Anything that is not an options object: a value for a positional slot. */
function isOptionsObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Tensor) && !ArrayBuffer.isView(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof Tensor) return `a Tensor of shape [${value.shape.join(", ")}]`;
  if (Array.isArray(value)) return `an array (${JSON.stringify(value)})`;
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string "${value}"`;
  return `${typeof value} (${String(value)})`;
}

/**
 * Reads `args` against the positional slots (name and kind, in PyTorch's order) and the
 * keyword-only options; returns one object of the values given (undefined ones left out).
 */
export function readArgs<O extends object>(
  op: string,
  args: readonly unknown[],
  positional: readonly (readonly [name: keyof O & string, kind: ArgKind])[],
  keywordOnly: readonly (readonly [name: keyof O & string, kind: ArgKind])[] = [],
): Partial<O> {
  const out: Record<string, unknown> = {};
  const check = (name: string, k: ArgKind, value: unknown, where: string) => {
    if (value === undefined || value === null) return; // PyTorch's None: the default
    if (!k.test(value)) throw new TypeError(`${op}: argument '${name}'${where} must be ${k.expected}, but got ${describe(value)}`);
    out[name] = value;
  };
  let i = 0;
  for (; i < args.length; i++) {
    const value = args[i];
    if (isOptionsObject(value)) break;
    const slot = positional[i];
    if (!slot) {
      throw new TypeError(`${op}: takes at most ${positional.length} positional argument(s) after its operands, but got ${describe(value)} as argument ${i + 1}`);
    }
    check(slot[0], slot[1], value, ` (position ${i + 1})`);
  }
  if (i < args.length) {
    if (i !== args.length - 1) {
      throw new TypeError(`${op}: an options object must be the last argument, but ${describe(args[i + 1])} follows it`);
    }
    const options = args[i] as Record<string, unknown>;
    const slots = new Map<string, ArgKind>([...positional, ...keywordOnly].map(([n, k]) => [n, k]));
    for (const [name, value] of Object.entries(options)) {
      const k = slots.get(name);
      if (!k) throw new TypeError(`${op}: unknown option '${name}' (expected one of ${[...slots.keys()].join(", ")})`);
      if (name in out && value !== undefined) throw new TypeError(`${op}: argument '${name}' given both positionally and in the options object`);
      check(name, k, value, "");
    }
  }
  return out as Partial<O>;
}

/** Checks that a leading operand is a Tensor (a JavaScript caller may pass anything). */
export function requireTensor(op: string, name: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) throw new TypeError(`${op}: argument '${name}' must be a Tensor, but got ${describe(value)}`);
  return value;
}
