/**
 * JSON that keeps what plain JSON loses in training state: NaN and ±Infinity (a scheduler's
 * `best = Infinity`) are written as `{"$number": "Infinity"}` and read back as numbers.
 */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? { $number: String(v) } : v));
}

export function parseJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === "$number") return Number((v as { $number: string }).$number);
    }
    return v;
  });
}
