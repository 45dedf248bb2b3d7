/**
 * Reference decoders for the fuzz test (fuzz-readers.test.ts): each format's rules restated from
 * scratch, in code unlike the readers' — a recursive depth count instead of a bracket scan, a
 * character-by-character CSV state machine instead of an index-based splitter, a hand-written
 * number scanner instead of a regular expression — so that the two agreeing means something.
 * Each returns what a file holds, or "reject".
 */

export type Decoded = { dtype: string; shape: number[]; values: number[] };
export const REJECT = "reject" as const;

// ---- safetensors ----------------------------------------------------------------------------

export const ST_SIZE: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const ST_DTYPE: Record<string, string> = { F64: "float64", F32: "float32", F16: "float32", BF16: "float32", I64: "int32", I32: "int32", I16: "int32", I8: "int32", U8: "int32", BOOL: "bool" };

function half(h: number): number {
  const sign = h >> 15 ? -1 : 1;
  const e = (h >> 10) & 31;
  const f = h & 1023;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f ? NaN : sign * Infinity;
  return sign * (1024 + f) * 2 ** (e - 25);
}

function depthOf(v: unknown): number {
  if (typeof v !== "object" || v === null) return 0;
  return 1 + Math.max(0, ...Object.values(v).map(depthOf));
}

/** The reference safetensors reader: its tensors (sorted by name) and metadata, or "reject". */
export function referenceSafetensors(bytes: Uint8Array): { tensors: [string, Decoded][]; metadata: [string, string][] } | typeof REJECT {
  if (bytes.length < 8) return REJECT;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > 100_000_000 || 8 + n > bytes.length || n < 2 || bytes[8] !== "{".charCodeAt(0)) return REJECT;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    return REJECT;
  }
  if (depthOf(header) > 64 || typeof header !== "object" || header === null || Array.isArray(header)) return REJECT;
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: [string, string][] = [];
  const entries: { name: string; code: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (typeof info !== "object" || info === null || Array.isArray(info)) return REJECT;
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== "string") return REJECT;
        metadata.push([k, v]);
      }
      continue;
    }
    if (typeof info !== "object" || info === null) return REJECT;
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== "string" || !Object.keys(ST_SIZE).includes(dtype)) return REJECT;
    const natural = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
    if (!Array.isArray(shape) || !shape.every(natural)) return REJECT;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(natural)) return REJECT;
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) return REJECT;
    if (shape.reduce((a: number, b: number) => a * b, 1) * ST_SIZE[dtype]! !== end - begin) return REJECT;
    entries.push({ name, code: dtype, shape, begin, end });
  }
  // The tensors tile the data exactly.
  let covered = 0;
  for (const e of entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end)) {
    if (e.begin !== covered) return REJECT;
    covered = e.end;
  }
  if (covered !== dataLength) return REJECT;
  const tensors: [string, Decoded][] = [];
  for (const e of entries) {
    const size = ST_SIZE[e.code]!;
    const values: number[] = [];
    for (let at = dataStart + e.begin; at < dataStart + e.end; at += size) {
      switch (e.code) {
        case "F64": values.push(view.getFloat64(at, true)); break;
        case "F32": values.push(view.getFloat32(at, true)); break;
        case "F16": values.push(half(view.getUint16(at, true))); break;
        case "BF16": {
          const scratch = new DataView(new ArrayBuffer(4));
          scratch.setUint32(0, view.getUint16(at, true) << 16);
          values.push(scratch.getFloat32(0));
          break;
        }
        case "I64": {
          const v = view.getBigInt64(at, true);
          if (v < -(2n ** 31n) || v >= 2n ** 31n) return REJECT;
          values.push(Number(v));
          break;
        }
        case "I32": values.push(view.getInt32(at, true)); break;
        case "I16": values.push(view.getInt16(at, true)); break;
        case "I8": values.push(view.getInt8(at)); break;
        case "U8": values.push(view.getUint8(at)); break;
        default: values.push(view.getUint8(at) === 0 ? 0 : 1);
      }
    }
    tensors.push([e.name, { dtype: ST_DTYPE[e.code]!, shape: e.shape, values }]);
  }
  return { tensors: tensors.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), metadata: metadata.sort() };
}

// ---- IDX ------------------------------------------------------------------------------------

export const IDX: Record<number, { size: number; dtype: string; read: (v: DataView, at: number) => number }> = {
  0x08: { size: 1, dtype: "int32", read: (v, at) => v.getUint8(at) },
  0x09: { size: 1, dtype: "int32", read: (v, at) => v.getInt8(at) },
  0x0b: { size: 2, dtype: "int32", read: (v, at) => v.getInt16(at) },
  0x0c: { size: 4, dtype: "int32", read: (v, at) => v.getInt32(at) },
  0x0d: { size: 4, dtype: "float32", read: (v, at) => v.getFloat32(at) },
  0x0e: { size: 8, dtype: "float64", read: (v, at) => v.getFloat64(at) },
};

export function referenceIdx(bytes: Uint8Array): Decoded | typeof REJECT {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) return REJECT; // gzip's 1f 8b fails here too
  const type = IDX[bytes[2]!];
  const ndim = bytes[3]!;
  if (type === undefined || ndim < 1 || ndim > 8 || bytes.length < 4 + 4 * ndim) return REJECT;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: ndim }, (_, d) => view.getUint32(4 + 4 * d));
  const count = shape.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * ndim;
  if (count * type.size !== bytes.length - start) return REJECT;
  return { dtype: type.dtype, shape, values: Array.from({ length: count }, (_, i) => type.read(view, start + i * type.size)) };
}

// ---- CSV ------------------------------------------------------------------------------------

/** The CSV number grammar, scanned by hand: sign, digits, optional fraction, optional exponent. */
export function referenceNumber(s: string): number | null {
  const digit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
  let i = 0;
  if (s[i] === "+" || s[i] === "-") i++;
  let mantissa = 0;
  while (digit(s[i])) (i++, mantissa++);
  if (s[i] === ".") {
    i++;
    while (digit(s[i])) (i++, mantissa++);
  }
  if (mantissa === 0) return null;
  if (s[i] === "e" || s[i] === "E") {
    i++;
    if (s[i] === "+" || s[i] === "-") i++;
    let exponent = 0;
    while (digit(s[i])) (i++, exponent++);
    if (exponent === 0) return null;
  }
  return i === s.length ? Number(s) : null;
}

/** The reference CSV splitter: a character state machine. Fields longer than `max` reject. */
export function referenceCsv(text: string, max: number): { columns: string[]; rows: string[][]; lines: number[] } | typeof REJECT {
  const records: { fields: string[]; line: number }[] = [];
  let line = 1;
  let state: "start" | "unquoted" | "quoted" | "quote" | "after" = "start";
  let field = "";
  let lead = "";
  let fields: string[] = [];
  let recordLine = 1;
  let lastQuoted = false;
  const endField = (quoted: boolean) => {
    if ((quoted ? field.length : lead.length + field.length) > max) return false;
    fields.push(quoted ? field : (lead + field).trim());
    lastQuoted = quoted;
    field = lead = "";
    return true;
  };
  const endRecord = () => {
    if (!(fields.length === 1 && fields[0] === "" && !lastQuoted)) records.push({ fields, line: recordLine });
    fields = [];
  };
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text[i]! : "EOF";
    const newline = c === "\n" || c === "\r";
    if (state === "quoted") {
      if (c === "EOF") return REJECT;
      if (c === '"') state = "quote";
      else {
        if (c === "\n") line++;
        field += c;
      }
      continue;
    }
    if (state === "quote") {
      if (c === '"') {
        field += '"';
        state = "quoted";
        continue;
      }
      state = "after";
    }
    if (state === "after" && (c === " " || c === "\t")) continue;
    if (state === "after" && c !== "," && !newline && c !== "EOF") return REJECT;
    if (state === "start" && (c === " " || c === "\t")) {
      lead += c;
      continue;
    }
    if (state === "start" && c === '"') {
      lead = "";
      state = "quoted";
      continue;
    }
    if (c === "," || newline || c === "EOF") {
      if (c === "EOF" && state === "start" && fields.length === 0 && lead === "") break; // nothing after the last line end
      if (!endField(state === "after")) return REJECT;
      state = "start";
      if (c === ",") continue;
      endRecord();
      if (c === "\r" && text[i + 1] === "\n") i++;
      if (newline) line++;
      recordLine = line;
      continue;
    }
    state = "unquoted";
    field += c;
  }
  if (records.length === 0) return REJECT;
  const [header, ...body] = records;
  if (header!.fields.some((f) => f === "") || new Set(header!.fields).size !== header!.fields.length) return REJECT;
  if (body.some((r) => r.fields.length !== header!.fields.length)) return REJECT;
  return { columns: header!.fields, rows: body.map((r) => r.fields), lines: body.map((r) => r.line) };
}

export type CsvResult = { featureNames: string[]; classes: string[] | null; x: number[]; y: number[]; yDtype: string };

/** The reference data set: every column but the last a feature, the last the target; numeric when any value is a number. */
export function referenceCsvDataset(text: string, classification: boolean): CsvResult | typeof REJECT {
  const table = referenceCsv(text, 1_000_000);
  if (table === REJECT || table.rows.length === 0 || table.rows.some((r) => r.includes(""))) return REJECT;
  const { columns, rows } = table;
  const t = columns.length - 1;
  // Below the midpoint between float32's largest value (2¹²⁸ − 2¹⁰⁴) and 2¹²⁸, a number rounds to a finite float32.
  const fits = (v: number) => Math.abs(v) < 2 ** 128 - 2 ** 103;
  const featureNames: string[] = [];
  const blocks: number[][][] = []; // per feature column: per row, its encoded values
  for (let k = 0; k < t; k++) {
    const nums = rows.map((r) => referenceNumber(r[k]!));
    if (nums.some((v) => v !== null)) {
      if (nums.some((v) => v === null || !fits(v))) return REJECT;
      featureNames.push(columns[k]!);
      blocks.push(nums.map((v) => [v!]));
    } else {
      const cats = [...new Set(rows.map((r) => r[k]!))].sort();
      cats.forEach((c) => featureNames.push(`${columns[k]}=${c}`));
      blocks.push(rows.map((r) => cats.map((c) => (c === r[k] ? 1 : 0))));
    }
  }
  const x = rows.flatMap((_, i) => blocks.flatMap((b) => b[i]!)).map(Math.fround);
  const labels = rows.map((r) => referenceNumber(r[t]!));
  if (classification || labels.every((v) => v === null)) {
    if (labels.every((v) => v !== null)) {
      if (labels.some((v) => !Number.isFinite(v))) return REJECT;
      const classes = [...new Set(labels as number[])].sort((a, b) => a - b);
      return { featureNames, classes: classes.map(String), x, y: labels.map((v) => classes.indexOf(v!)), yDtype: "int32" };
    }
    const classes = [...new Set(rows.map((r) => r[t]!))].sort();
    return { featureNames, classes, x, y: rows.map((r) => classes.indexOf(r[t]!)), yDtype: "int32" };
  }
  if (labels.some((v) => v === null || !fits(v))) return REJECT;
  return { featureNames, classes: null, x, y: (labels as number[]).map(Math.fround), yDtype: "float32" };
}
