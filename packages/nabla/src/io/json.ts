/**
 * JSON for untrusted files. `parseJson` keeps what plain JSON loses in training state — NaN and
 * ±Infinity (a scheduler's `best = Infinity`) are written as `{"$number": "Infinity"}` and read
 * back as numbers — builds every object with a null prototype (so `__proto__`, `constructor` and
 * `prototype` are ordinary keys that round-trip, and no key is ever inherited), and refuses text
 * nested deeper than MAX_JSON_DEPTH before JSON.parse sees it: one linear pass over the characters
 * bounds the work whatever the file holds.
 */

/** The deepest nesting of arrays and objects read from a file (safetensors headers, checkpoint metadata). */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON text nests arrays and objects deeper than `limit`. One pass over the characters,
 * skipping brackets inside strings, stopping at the first level past the limit; for text that is
 * not JSON at all the answer is meaningless but the work is still at most one pass.
 */
export function jsonNestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

/** JSON.parse with objects of null prototype, refusing nesting deeper than `maxDepth` (a SyntaxError, as JSON.parse's own). */
export function parseUntrustedJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonNestedDeeperThan(text, maxDepth)) throw new SyntaxError(`JSON nested deeper than ${maxDepth} levels`);
  return JSON.parse(text, (_key, v: unknown) => (isObject(v) ? nullPrototypeCopy(v) : v));
}

export function stringifyJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? { $number: String(v) } : v));
}

/** What stringifyJson writes as `$number` (only these: `{"$number": "12"}` stays an object). */
const NON_FINITE = new Set(["NaN", "Infinity", "-Infinity"]);

/** Reads what stringifyJson wrote: `{"$number": "Infinity"}` becomes Infinity; objects have a null prototype. */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonNestedDeeperThan(text, maxDepth)) throw new SyntaxError(`JSON nested deeper than ${maxDepth} levels`);
  return JSON.parse(text, (_key, v: unknown) => {
    if (!isObject(v)) return v;
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "$number" && NON_FINITE.has(v.$number as string)) return Number(v.$number);
    return nullPrototypeCopy(v);
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The same own properties on an object without a prototype. (Assigning `__proto__` to an object
 * without a prototype makes an ordinary property: there is no inherited setter to call.)
 */
function nullPrototypeCopy(v: Record<string, unknown>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(v)) out[key] = v[key];
  return out;
}

/** An object without a prototype, filled from entries: for anything keyed by names read from a file. */
export function nullPrototypeObject<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) out[key] = value;
  return out;
}
