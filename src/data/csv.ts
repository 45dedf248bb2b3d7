/**
 * CSV data sets: a header row, numeric columns as they are, categorical columns one-hot
 * encoded, and a target column (class indices for classification, float32 for regression).
 * The parser takes text and a name (for errors), so it runs on fetched text in the browser too;
 * any problem is a DataFormatError naming the line, thrown before a dataset is made.
 */
import { fromTypedArray } from "../ops/helpers.js";
import { OptionError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { TensorDataset } from "./dataset.js";
import { DataFormatError } from "./format-error.js";

export interface CsvTable {
  /** The header's column names. */
  columns: string[];
  /** The data rows as strings, each with one field per column. */
  rows: string[][];
  /** The 1-based line in the file where each row starts (for errors). */
  lines: number[];
}

/**
 * Splits CSV text into a header and rows (RFC 4180: quoted fields with `""` escapes may hold
 * delimiters and newlines; CRLF or LF line ends; blank lines skipped). Every row must have as
 * many fields as the header.
 */
export function parseCsv(text: string, name: string, { delimiter = "," }: { delimiter?: string } = {}): CsvTable {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
    throw new OptionError(`parseCsv: delimiter must be one character other than a quote or newline, got ${JSON.stringify(delimiter)}`);
  }
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let quoted = false; // whether the current field was quoted
  const endField = () => {
    fields.push(quoted ? field : field.trim());
    field = "";
    quoted = false;
  };
  const endRecord = () => {
    endField();
    // A blank line is one empty, unquoted field: skip it.
    if (!(fields.length === 1 && fields[0] === "")) records.push({ fields, line: recordLine });
    fields = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' && field.trim() === "" && !quoted) {
      // A quoted field: read to the closing quote.
      const startLine = line;
      field = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new DataFormatError(name, "unterminated quoted field (the file ends inside quotes)", { line: startLine });
        const q = text[i]!;
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === "\n") line++;
        field += q;
        i++;
      }
      quoted = true;
      // Only spaces may follow the closing quote before the delimiter or line end.
      while (text[i] === " " || text[i] === "\t") i++;
      if (i < text.length && text[i] !== delimiter && text[i] !== "\n" && text[i] !== "\r") {
        throw new DataFormatError(name, `unexpected character ${JSON.stringify(text[i])} after a closing quote`, { line });
      }
      continue;
    }
    if (c === delimiter) {
      endField();
      i++;
    } else if (c === "\n" || c === "\r") {
      endRecord();
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== "" || quoted || fields.length > 0) endRecord();
  if (records.length === 0) throw new DataFormatError(name, "the file is empty: expected a header row", { line: 1 });
  const [header, ...body] = records;
  const columns = header!.fields;
  const seen = new Set<string>();
  columns.forEach((c) => {
    if (c === "") throw new DataFormatError(name, "the header has an empty column name", { line: header!.line });
    if (seen.has(c)) throw new DataFormatError(name, `the header names column "${c}" twice`, { line: header!.line });
    seen.add(c);
  });
  for (const r of body) {
    if (r.fields.length !== columns.length) {
      throw new DataFormatError(name, `expected ${columns.length} fields (as in the header), found ${r.fields.length}`, { line: r.line });
    }
  }
  return { columns, rows: body.map((r) => r.fields), lines: body.map((r) => r.line) };
}

export interface CsvDatasetOptions {
  /** The target column, by name or index (default: the last column). */
  target?: string | number;
  /** "classification": target values are class names → int32 indices; "regression": float32. Default: classification when the target column is not numeric, else regression. */
  task?: "classification" | "regression";
  /** Columns to treat as categorical (one-hot) even if their values look numeric. */
  categorical?: string[];
  /** Columns that must be numeric: a value that isn't is an error naming its line. */
  numeric?: string[];
  /** Feature columns to use (default: every column but the target). */
  features?: string[];
  delimiter?: string;
}

/** A CSV file as a TensorDataset of `[features float32 [N, F], target]`, with what the encoding did. */
export class CsvDataset extends TensorDataset<[Tensor, Tensor]> {
  constructor(
    features: Tensor,
    target: Tensor,
    /** The name of each feature column of the tensor: numeric columns as is, one-hot ones as `column=value`. */
    readonly featureNames: string[],
    /** The target column's name. */
    readonly targetName: string,
    /** The class names by index for classification (sorted), null for regression. */
    readonly classes: string[] | null,
    /** The categories of each one-hot encoded column, in the order of their feature columns. */
    readonly categories: Record<string, string[]>,
  ) {
    super(features, target);
  }

  get numFeatures(): number {
    return this.featureNames.length;
  }
}

/** The field as a finite number (`Number` rules; an empty field is not a number), or null. */
function toNumber(field: string): number | null {
  if (field === "") return null;
  const v = Number(field);
  // Only finite numbers: "NaN" or "Infinity" in a feature would poison training silently.
  return Number.isFinite(v) ? v : null;
}

/** Builds a dataset from CSV text. See CsvDatasetOptions for how columns are encoded. */
export function csvDataset(text: string, name: string, options: CsvDatasetOptions = {}): CsvDataset {
  const table = parseCsv(text, name, { delimiter: options.delimiter });
  const { columns, rows, lines } = table;
  const col = (c: string | number, what: string): number => {
    const k = typeof c === "number" ? c : columns.indexOf(c);
    if (!Number.isInteger(k) || k < 0 || k >= columns.length) {
      throw new OptionError(`csvDataset: ${what} column ${JSON.stringify(c)} is not in ${name} (columns: ${columns.join(", ")})`);
    }
    return k;
  };
  const targetCol = col(options.target ?? columns.length - 1, "target");
  const featureCols = (options.features ?? columns.filter((_, k) => k !== targetCol)).map((c) => col(c, "feature"));
  if (featureCols.includes(targetCol)) throw new OptionError(`csvDataset: the target column "${columns[targetCol]}" is also a feature`);
  const forcedCat = new Set((options.categorical ?? []).map((c) => col(c, "categorical")));
  const forcedNum = new Set((options.numeric ?? []).map((c) => col(c, "numeric")));
  if (rows.length === 0) throw new DataFormatError(name, "the file has a header but no data rows", { line: 2 });

  // An empty field is an error (no silent zero); report the first one.
  rows.forEach((r, i) => {
    for (const k of [...featureCols, targetCol]) {
      if (r[k] === "") throw new DataFormatError(name, `column "${columns[k]}" is empty`, { line: lines[i]! });
    }
  });
  const isNumeric = (k: number): boolean => {
    if (forcedCat.has(k)) return false;
    const firstBad = rows.findIndex((r) => toNumber(r[k]!) === null);
    if (firstBad >= 0 && forcedNum.has(k)) {
      throw new DataFormatError(name, `column "${columns[k]}" must be numeric, got ${JSON.stringify(rows[firstBad]![k])}`, { line: lines[firstBad]! });
    }
    return firstBad < 0;
  };

  // Plan the feature columns, then fill one Float32Array.
  const featureNames: string[] = [];
  const categories: Record<string, string[]> = {};
  const plan = featureCols.map((k) => {
    if (isNumeric(k)) {
      featureNames.push(columns[k]!);
      return { k, start: featureNames.length - 1, codes: null as Map<string, number> | null };
    }
    const values = [...new Set(rows.map((r) => r[k]!))].sort();
    categories[columns[k]!] = values;
    const start = featureNames.length;
    values.forEach((v) => featureNames.push(`${columns[k]}=${v}`));
    return { k, start, codes: new Map(values.map((v, j) => [v, j])) };
  });
  const width = featureNames.length;
  const x = new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    for (const p of plan) {
      if (p.codes === null) x[i * width + p.start] = toNumber(r[p.k]!)!;
      else x[i * width + p.start + p.codes.get(r[p.k]!)!] = 1;
    }
  });

  const targetNumeric = !forcedCat.has(targetCol) && rows.every((r) => toNumber(r[targetCol]!) !== null);
  const task = options.task ?? (targetNumeric ? "regression" : "classification");
  let target: Tensor;
  let classes: string[] | null = null;
  if (task === "classification") {
    // Numeric class labels sort as numbers ("2" before "10"); names sort as strings.
    const distinct = [...new Set(rows.map((r) => r[targetCol]!))];
    classes = targetNumeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
    const index = new Map(classes.map((c, j) => [c, j]));
    target = fromTypedArray(rows.map((r) => index.get(r[targetCol]!)!), [rows.length], "int32");
  } else {
    const bad = rows.findIndex((r) => toNumber(r[targetCol]!) === null);
    if (bad >= 0) {
      throw new DataFormatError(name, `regression target "${columns[targetCol]}" must be numeric, got ${JSON.stringify(rows[bad]![targetCol])}`, {
        line: lines[bad]!,
      });
    }
    target = fromTypedArray(rows.map((r) => toNumber(r[targetCol]!)!), [rows.length], "float32");
  }
  return new CsvDataset(fromTypedArray(x, [rows.length, width], "float32"), target, featureNames, columns[targetCol]!, classes, categories);
}
