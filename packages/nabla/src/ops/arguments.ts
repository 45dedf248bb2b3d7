/**
 * PyTorch's call shapes from JavaScript: an op takes its arguments positionally, in PyTorch's
 * order (`x.sort(0, true)`, `topk(x, 3, 1, false)`), or as one options object in their place
 * (`x.sort({ dim: 0, descending: true, stable: true })`), or a positional prefix followed by the
 * object (`x.sort(0, { stable: true })`). Keyword-only arguments (PyTorch's `*, stable`) live only
 * in the object. A value of the wrong kind in any slot, an unknown option or an object that is not
 * last throws a TypeError naming the call, the argument and what it got, instead of running
 * with a different meaning. Constructors (layers, losses, optimizers, schedulers, the
 * DataLoader) read theirs the same way through readCtorArgs, each declaring PyTorch's order once.
 */
import { isDType } from "../tensor/dtype.js";
import { Generator } from "../tensor/random.js";
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
  /** null is a value of its own here (BatchNorm's momentum=None), not "the default". */
  readonly keepsNull?: boolean;
}

/** A kind from its description and its check. */
export const kind = (expected: string, test: (value: unknown) => boolean): ArgKind => ({ expected, test });

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

export const GENERATOR = kind("a Generator", (v) => v instanceof Generator);
export const FUNCTION = kind("a function", (v) => typeof v === "function");
export const NUMBERS = kind("an array of numbers", (v) => Array.isArray(v) && v.every((x) => typeof x === "number"));
/** A size or a window: one number, or one per spatial dim. */
export const NUMBER_OR_NUMBERS = kind("a number or an array of numbers", (v) => typeof v === "number" || NUMBERS.test(v));
/** A pair such as Adam's betas. */
export const PAIR = kind("a pair of numbers [a, b]", (v) => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number"));
/** PyTorch's deprecated size_average and reduce: only None (null) keeps PyTorch's positional order. */
export const DEPRECATED_NONE = kind("null (size_average and reduce are deprecated in PyTorch and not supported: use reduction)", () => false);

/** Either of two kinds. */
export function oneOf(a: ArgKind, b: ArgKind): ArgKind {
  return kind(`${a.expected} or ${b.expected}`, (v) => a.test(v) || b.test(v));
}

/** A kind for which null means something (PyTorch's None where it is not the default). */
export function orNull(k: ArgKind): ArgKind {
  return { expected: `${k.expected} or null`, test: k.test, keepsNull: true };
}

/**
 * An options object: a plain object literal (or a null-prototype one). Class instances (a
 * Module, a Generator, a Tensor) are values for a slot, never options.
 */
function isOptionsObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof Tensor) return `a Tensor of shape [${value.shape.join(", ")}]`;
  if (Array.isArray(value)) return `an array (${JSON.stringify(value)})`;
  if (typeof value === "object") return isOptionsObject(value) ? "an object" : `an object of class ${value.constructor?.name ?? "unknown"}`;
  if (typeof value === "function") return "a function";
  if (typeof value === "string") return `the string "${value}"`;
  return `${typeof value} (${String(value)})`;
}

/** A slot: its name (the options object's key) and what it may hold. */
export type Slot<K extends string = string> = readonly [name: K, kind: ArgKind];

interface ReadPlan {
  /** Slots in PyTorch's positional order. */
  positional: readonly Slot[];
  /** Only in the options object (PyTorch's `*, name` and nabla's own options such as dtype). */
  keywordOnly: readonly Slot[];
  /** How many arguments come before `args` (for "argument N" in messages). */
  before: number;
  /** Words for the limit on positional arguments. */
  limit: (count: number) => string;
}

/** The shared reading: positional slots, then at most one options object, last. */
function read(op: string, args: readonly unknown[], plan: ReadPlan): Record<string, unknown> {
  const { positional, keywordOnly, before } = plan;
  const out: Record<string, unknown> = {};
  const check = (name: string, k: ArgKind, value: unknown, where: string) => {
    if (value === undefined) return;
    if (value === null) {
      // PyTorch's None: the default, unless None means something of its own in this slot
      if (k.keepsNull) out[name] = null;
      return;
    }
    if (!k.test(value)) throw new TypeError(`${op}: argument '${name}'${where} must be ${k.expected}, but got ${describe(value)}`);
    out[name] = value;
  };
  let i = 0;
  for (; i < args.length; i++) {
    const value = args[i];
    if (isOptionsObject(value)) break;
    const slot = positional[i];
    if (!slot) throw new TypeError(`${op}: ${plan.limit(positional.length)}, but got ${describe(value)} as argument ${before + i + 1}`);
    check(slot[0], slot[1], value, ` (position ${before + i + 1})`);
  }
  if (i < args.length) {
    if (i !== args.length - 1) {
      throw new TypeError(`${op}: an options object must be the last argument, but ${describe(args[i + 1])} follows it`);
    }
    const options = args[i] as Record<string, unknown>;
    const slots = new Map<string, ArgKind>([...positional, ...keywordOnly].map(([n, k]) => [n, k]));
    for (const [name, value] of Object.entries(options)) {
      const k = slots.get(name);
      if (!k) {
        const known = [...slots.keys()];
        throw new TypeError(`${op}: unknown option '${name}' (${known.length === 0 ? "it takes no options" : `expected one of ${known.join(", ")}`})`);
      }
      if (name in out && value !== undefined) throw new TypeError(`${op}: argument '${name}' given both positionally and in the options object`);
      check(name, k, value, "");
    }
  }
  return out;
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
  return read(op, args, {
    positional,
    keywordOnly,
    before: 0,
    limit: (n) => `takes at most ${n} positional argument(s) after its operands`,
  }) as Partial<O>;
}

/** What a constructor takes, in PyTorch's order. */
export interface Signature {
  /** The arguments without a default (PyTorch's required ones), checked for presence and kind. */
  readonly required?: readonly Slot[];
  /** The optional arguments PyTorch takes positionally, as far as nabla has them. */
  readonly positional?: readonly Slot[];
  /** Options only in the object: PyTorch's keyword-only arguments and nabla's own (dtype). */
  readonly keywordOnly?: readonly Slot[];
  /** Arguments read elsewhere that come before these (an optimizer's params): named in messages, counted in positions. */
  readonly leading?: readonly string[];
}

/**
 * A constructor's arguments read the way PyTorch reads them: the required ones, then PyTorch's
 * optional arguments positionally in its order, or an options object in their place, or a
 * positional prefix and the object (`new nn.BatchNorm2d(4, 1e-3, { dtype: "float64" })`).
 * Anything else (a missing required argument, a value of the wrong kind in a slot, an unknown
 * option, more arguments than there are slots) is a TypeError naming the class, the argument
 * and what it got. Returns the options given (the required values stay the caller's parameters).
 */
export function readCtorArgs<O extends object>(cls: string, args: readonly unknown[], signature: Signature): Partial<O> {
  const { required = [], positional = [], keywordOnly = [], leading = [] } = signature;
  required.forEach(([name, k], i) => {
    const value = args[i];
    const position = leading.length + i + 1;
    if (value === undefined || (value === null && !k.keepsNull)) {
      throw new TypeError(`${cls}: missing required argument '${name}' (argument ${position}, ${k.expected})`);
    }
    if (value !== null && !k.test(value)) throw new TypeError(`${cls}: argument '${name}' (position ${position}) must be ${k.expected}, but got ${describe(value)}`);
  });
  const names = [...leading, ...required.map(([n]) => n), ...positional.map(([n]) => n)];
  return read(cls, args.slice(required.length), {
    positional,
    keywordOnly,
    before: leading.length + required.length,
    limit: () => (names.length === 0 ? "takes no positional arguments" : `takes at most ${names.length} positional argument(s) (${names.join(", ")})`),
  }) as Partial<O>;
}

/** Checks that a leading operand is a Tensor (a JavaScript caller may pass anything). */
export function requireTensor(op: string, name: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) throw new TypeError(`${op}: argument '${name}' must be a Tensor, but got ${describe(value)}`);
  return value;
}
