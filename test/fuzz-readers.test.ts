/**
 * Seeded mutation fuzzing of the file readers (safetensors, IDX, CSV): a few thousand corrupted
 * variants of valid files, each of which must either be refused with a DataFormatError or read
 * as exactly what an independent reference decoder written here reads — never another error,
 * never a different tensor. The reference decoders (fuzz-references.ts) restate each format's
 * rules from scratch, so a reader that accepts too much, too little or decodes wrongly shows as a
 * disagreement.
 *
 * Each case is bounded by counting, not timing: every input is at most MAX_INPUT bytes, and a
 * reader's output never holds more elements than its input has bytes (safetensors, IDX), so no
 * case can make a reader allocate or loop beyond its input's size. The elapsed time is printed.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "./helpers.js";
import { data, io, type Tensor } from "../packages/nabla/src/index.js";
import { IDX, REJECT, ST_SIZE, referenceCsv, referenceCsvDataset, referenceIdx, referenceSafetensors, type Decoded } from "./fuzz-references.js";

const { DataFormatError } = data;
const MAX_INPUT = 8192;

/** mulberry32: a small seeded generator, independent of nabla's. */
function rng(seed: number) {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]! };
}
type Rng = ReturnType<typeof rng>;

function decodedOf(t: Tensor): Decoded {
  return { dtype: t.dtype, shape: t.shape.slice(), values: Array.from(t.toTypedArray() as ArrayLike<number>) };
}

/** Runs the reader: "reject" for a DataFormatError, the result otherwise; any other error fails the test. */
function outcome<T>(read: () => T, what: string): T | typeof REJECT {
  try {
    return read();
  } catch (e) {
    if (e instanceof DataFormatError) return REJECT;
    throw new Error(`${what}: not a DataFormatError: ${(e as Error).stack}`);
  }
}

/** Same values, NaN equal to NaN and −0 distinct from 0. */
function sameValues(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

function mutateBytes(r: Rng, bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  switch (r.int(5)) {
    case 0: // flip one bit
      if (out.length) out[r.int(out.length)]! ^= 1 << r.int(8);
      return out;
    case 1: // one byte set to something interesting
      if (out.length) out[r.int(out.length)] = r.pick([0, 1, 0x7f, 0x80, 0xff, r.int(256)]);
      return out;
    case 2: // truncate
      return out.subarray(0, r.int(out.length + 1));
    case 3: { // append a few bytes
      const extra = Uint8Array.from({ length: 1 + r.int(16) }, () => r.int(256));
      const longer = new Uint8Array(out.length + extra.length);
      longer.set(out);
      longer.set(extra, out.length);
      return longer;
    }
    default: { // overwrite a run of 4 bytes (a size, a length)
      const at = r.int(Math.max(1, out.length - 3));
      for (let i = 0; i < 4 && at + i < out.length; i++) out[at + i] = r.pick([0, 0xff, r.int(256)]);
      return out;
    }
  }
}

// ---- safetensors ----------------------------------------------------------------------------

/** A safetensors file from a header object and data bytes. */
function safetensorsFile(header: unknown, body: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

/** A valid file with tensors of random dtypes and shapes. */
function seedSafetensors(r: Rng): { header: Record<string, unknown>; body: Uint8Array } {
  const header: Record<string, unknown> = Object.create(null); // "__proto__" is a name like any other
  const parts: number[] = [];
  const count = 1 + r.int(4);
  for (let k = 0; k < count; k++) {
    const code = r.pick(Object.keys(ST_SIZE));
    const shape = Array.from({ length: r.int(3) }, () => r.int(4));
    const n = shape.reduce((a, b) => a * b, 1) * ST_SIZE[code]!;
    header[r.pick(["w", "bias", "__proto__", "constructor", "0", "layer.1.weight", `t${k}`]) + (k ? k : "")] = { dtype: code, shape, data_offsets: [parts.length, parts.length + n] };
    for (let i = 0; i < n; i += ST_SIZE[code]!) {
      const element = Array.from({ length: ST_SIZE[code]! }, () => r.int(256));
      // Most int64 values fit in int32 (sign-extended), some don't.
      if (code === "I64" && r.int(8) > 0) element.fill(element[3]! & 0x80 ? 0xff : 0, 4);
      parts.push(...element);
    }
  }
  if (r.int(2)) header.__metadata__ = { format: "pt", [r.pick(["__proto__", "k"])]: "v" };
  return { header, body: Uint8Array.from(parts) };
}

/** A mutation at the level of the header's meaning: a dtype, a shape, an offset, a name, the nesting. */
function mutateHeader(r: Rng, header: Record<string, unknown>): unknown {
  const h = Object.assign(Object.create(null), JSON.parse(JSON.stringify(header))) as Record<string, Record<string, unknown>>;
  const names = Object.keys(h).filter((k) => k !== "__metadata__");
  const name = r.pick(names);
  const entry = h[name]!;
  switch (r.int(7)) {
    case 0: entry.dtype = r.pick(["F32", "F64", "I64", "BOOL", "F8", "__proto__", "constructor", "toString", 3, null]); break;
    case 1: entry.shape = r.pick([[-1], [1.5], ["2"], [2 ** 53], [1e6, 1e6], [], [0], null, 7]); break;
    case 2: entry.data_offsets = r.pick([[0, 0], [1, 0], [0, 2 ** 40], [-1, 3], [0], "0,4", [0.5, 4]]); break;
    case 3: h[r.pick(["__proto__", "constructor", "prototype", "", "__metadata__"])] = entry; break;
    case 4: delete h[name]; break;
    case 5: h.__metadata__ = r.pick([{ a: 1 }, [], "x", JSON.parse('{"__proto__":"p"}'), null]) as never; break;
    default: {
      const depth = 60 + r.int(10);
      return JSON.stringify(h).replace(/}$/, `,"deep":${"[".repeat(depth)}${"]".repeat(depth)}}`);
    }
  }
  return h;
}

// ---- IDX ------------------------------------------------------------------------------------

function seedIdx(r: Rng): Uint8Array {
  const code = r.pick([0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e]);
  const shape = Array.from({ length: 1 + r.int(3) }, () => r.int(5));
  const count = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * shape.length + count * IDX[code]!.size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((s, d) => view.setUint32(4 + 4 * d, s));
  for (let i = 4 + 4 * shape.length; i < out.length; i++) out[i] = r.int(256);
  return out;
}

// ---- CSV ------------------------------------------------------------------------------------

const CSV_SEEDS = [
  "x,y,label\n1,2,a\n3,4,b\n",
  'a,b,c\n"1,5",x,1\n2,"y ""q""",2\r\n3,z,3\n',
  "f,g,t\n1e38,.5,1\n-2,5.,1.0\n0,+3,2\n",
  "n,c,t\n 1 ,red,yes\n2,  blue ,no\n\n3,red,yes",
  '"h 1",h2\n"a",1\n"multi\nline",2\n',
];
const CSV_TOKENS = ["NaN", "1e39", "1e400", "0x10", "1_000", "", '""', '"a,b"', "1.0", "1", "-0", ".5", "5.", "Infinity", "  7  ", '" 1"', "1e", "\u00a01", "__proto__", "e5"];
const CSV_CHARS = [",", '"', "\n", "\r", " ", "\t", "a", "1", ".", "e", "-", "+", "x", "_", "\u00a0", "N", "0", "\u2028"];

function mutateCsv(r: Rng, text: string): string {
  const at = r.int(text.length + 1);
  switch (r.int(5)) {
    case 0: return text.slice(0, at) + r.pick(CSV_CHARS) + text.slice(at);
    case 1: return text.slice(0, at) + text.slice(at + 1 + r.int(3));
    case 2: return text.slice(0, at);
    case 3: { // a field replaced by a token
      const lines = text.split("\n");
      const li = r.int(lines.length);
      const fields = lines[li]!.split(",");
      fields[r.int(fields.length)] = r.pick(CSV_TOKENS);
      lines[li] = fields.join(",");
      return lines.join("\n");
    }
    default: { // a line duplicated or swapped
      const lines = text.split("\n");
      const [a, b] = [r.int(lines.length), r.int(lines.length)];
      if (r.int(2)) lines.splice(a, 0, lines[b]!);
      else [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join("\n");
    }
  }
}

// ---- the runs -------------------------------------------------------------------------------

function timed(label: string, cases: number, run: () => void): void {
  const start = performance.now();
  run();
  console.log(`fuzz ${label}: ${cases} mutations in ${(performance.now() - start).toFixed(0)} ms`); // reported, never asserted
}

describe("fuzzed readers agree with reference decoders or refuse with a DataFormatError", () => {
  it("safetensors: 1,600 mutations", () => {
    const r = rng(20240611);
    let accepted = 0;
    timed("safetensors", 1600, () => {
      for (let c = 0; c < 1600; c++) {
        // By turns: the header's meaning mutated; only data bytes changed; any bytes changed; both.
        const { header, body } = seedSafetensors(r);
        const mode = c % 4;
        let bytes = mode === 0 || mode === 3 ? safetensorsFile(mutateHeader(r, header), body) : safetensorsFile(header, body);
        if (mode === 1 && body.length > 0) {
          for (let m = 0, n = 1 + r.int(4); m < n; m++) bytes[bytes.length - body.length + r.int(body.length)] = r.int(256);
        }
        for (let m = 0, n = mode >= 2 ? 1 + r.int(3) : 0; m < n; m++) bytes = mutateBytes(r, bytes);
        expect(bytes.length).toBeLessThanOrEqual(MAX_INPUT);
        const expected = referenceSafetensors(bytes);
        const got = outcome(() => io.decodeSafetensors(bytes, "f"), `safetensors case ${c}`);
        if (expected === REJECT || got === REJECT) {
          expect(got === REJECT, `case ${c}: reader ${got === REJECT ? "refused" : "accepted"}, reference ${expected === REJECT ? "refused" : "accepted"}`).toBe(expected === REJECT);
          continue;
        }
        accepted++;
        expect(Object.getPrototypeOf(got.tensors)).toBeNull();
        const tensors = Object.keys(got.tensors).sort().map((k) => [k, decodedOf(got.tensors[k]!)] as [string, Decoded]);
        expect(tensors.map(([k, d]) => [k, d.dtype, d.shape]), `case ${c}`).toEqual(expected.tensors.map(([k, d]) => [k, d.dtype, d.shape]));
        tensors.forEach(([k, d], i) => expect(sameValues(d.values, expected.tensors[i]![1].values), `case ${c} tensor ${k}`).toBe(true));
        expect(Object.entries(got.metadata).sort()).toEqual(expected.metadata);
        // Bounded output: never more elements than bytes in the file.
        expect(tensors.reduce((n, [, d]) => n + d.values.length, 0)).toBeLessThanOrEqual(bytes.length);
      }
    });
    console.log(`fuzz safetensors: ${accepted} read; the rest refused`);
    expect(accepted).toBeGreaterThan(200); // the fuzz reaches the decoding, not only the refusals
  });

  it("IDX: 800 mutations", () => {
    const r = rng(7);
    let accepted = 0;
    timed("IDX", 800, () => {
      for (let c = 0; c < 800; c++) {
        let bytes = seedIdx(r);
        for (let m = 0, n = r.int(3); m < n; m++) bytes = mutateBytes(r, bytes);
        expect(bytes.length).toBeLessThanOrEqual(MAX_INPUT);
        const expected = referenceIdx(bytes);
        const got = outcome(() => decodedOf(data.parseIdx(bytes, "f")), `IDX case ${c}`);
        if (expected === REJECT || got === REJECT) {
          expect(got === REJECT, `case ${c}`).toBe(expected === REJECT);
          continue;
        }
        accepted++;
        expect([got.dtype, got.shape], `case ${c}`).toEqual([expected.dtype, expected.shape]);
        expect(sameValues(got.values, expected.values), `case ${c}`).toBe(true);
        expect(got.values.length).toBeLessThanOrEqual(bytes.length);
      }
    });
    console.log(`fuzz IDX: ${accepted} read; the rest refused`);
    expect(accepted).toBeGreaterThan(200);
  });

  it("CSV: 900 mutations, split and read as a data set", () => {
    const r = rng(99);
    let accepted = 0;
    let splits = 0;
    timed("CSV", 900, () => {
      for (let c = 0; c < 900; c++) {
        let text = r.pick(CSV_SEEDS);
        for (let m = 0, n = 1 + r.int(3); m < n; m++) text = mutateCsv(r, text);
        expect(text.length).toBeLessThanOrEqual(MAX_INPUT);
        // The splitter, with a small field limit now and then.
        const max = c % 5 === 0 ? 3 : 1_000_000;
        const table = referenceCsv(text, max);
        const split = outcome(() => data.parseCsv(text, "f", { maxFieldLength: max }), `CSV case ${c}`);
        expect(split === REJECT, `case ${c} ${JSON.stringify(text)}`).toBe(table === REJECT);
        if (split !== REJECT) {
          splits++;
          expect(split, `case ${c} ${JSON.stringify(text)}`).toEqual(table);
        }
        // The data set.
        const classification = c % 3 === 0;
        const expected = referenceCsvDataset(text, classification);
        const got = outcome(() => {
          const ds = data.csvDataset(text, "f", classification ? { task: "classification" } : {});
          return { featureNames: ds.featureNames, classes: ds.classes, x: Array.from(ds.tensors[0].toTypedArray()), y: Array.from(ds.tensors[1].toTypedArray()), yDtype: ds.tensors[1].dtype };
        }, `CSV data set case ${c}`);
        expect(got === REJECT, `case ${c} ${JSON.stringify(text)}`).toBe(expected === REJECT);
        if (got === REJECT || expected === REJECT) continue;
        accepted++;
        expect([got.featureNames, got.classes, got.yDtype], `case ${c} ${JSON.stringify(text)}`).toEqual([expected.featureNames, expected.classes, expected.yDtype]);
        expect(sameValues(got.x, expected.x) && sameValues(got.y, expected.y), `case ${c} ${JSON.stringify(text)}`).toBe(true);
      }
    });
    console.log(`fuzz CSV: ${splits} split, ${accepted} read as data sets; the rest refused`);
    expect(splits).toBeGreaterThan(300); // the fuzz reaches the decoding, not only the refusals
    expect(accepted).toBeGreaterThan(150);
  });
});
