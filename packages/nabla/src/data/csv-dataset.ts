/**
 * CSV data sets: numeric columns as float32, categorical columns one-hot encoded, and a target
 * column (class indices for classification, float32 for regression). Numbers follow the one
 * grammar of csv.ts (decimal and exponent forms only). What was decided is reported, not guessed
 * silently:
 *
 * - A column is categorical only when declared (`categorical`) or when none of its values is a
 *   number; a column with some numbers is numeric, and a value in it that is not a number is an
 *   error naming its line and column (declare the column categorical if it really is one).
 * - A number beyond float32's range (`1e39`, `1e400`) is an error naming its line and column, or
 *   is clamped to ±3.4028235e38 with `overflow: "clamp"`.
 * - Class labels (and the values of a categorical column) are compared as numbers when every one
 *   of them is a number — `1` and `1.0` are one class, named `1` — and as strings otherwise.
 *
 * Each column's kind, how it was decided and how its values were compared are in
 * `CsvDataset.columns`; `describe()` says it in one line.
 */
import { fromTypedArray } from "../ops/helpers.js";
import { OptionError } from "../errors.js";
import { nullPrototypeObject } from "../io/json.js";
import type { Tensor } from "../tensor/tensor.js";
import { parseCsv, parseCsvNumber, type ParseCsvOptions } from "./csv.js";
import { TensorDataset } from "./dataset.js";
import { DataFormatError } from "./format-error.js";

export interface CsvDatasetOptions extends ParseCsvOptions {
  /** The target column, by name or index (default: the last column). */
  target?: string | number;
  /** "classification": target values are class labels → int32 indices; "regression": float32. Default: classification when the target column is categorical, else regression. */
  task?: "classification" | "regression";
  /** Columns to treat as categorical (one-hot) even if their values are numbers. */
  categorical?: string[];
  /** Columns that must be numeric: a value that isn't is an error naming its line. */
  numeric?: string[];
  /** Feature columns to use (default: every column but the target). */
  features?: string[];
  /** A number beyond float32's range: "error" (default) names its line and column; "clamp" stores ±3.4028235e38. */
  overflow?: "error" | "clamp";
}

/** How one column of a CsvDataset was read. */
export interface CsvColumnReport {
  name: string;
  role: "feature" | "target";
  kind: "numeric" | "categorical";
  /** "declared" by the options (numeric, categorical, task), or "inferred": categorical because no value is a number, numeric because some are. */
  decidedBy: "declared" | "inferred";
  /** For categorical columns and class labels: compared as numbers (every value is a number) or as strings. */
  comparedAs?: "number" | "string";
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
    /** The class names by index for classification (sorted: numerically when compared as numbers), null for regression. */
    readonly classes: string[] | null,
    /** The categories of each one-hot encoded column, in the order of their feature columns (an object without a prototype: keys are the file's). */
    readonly categories: Record<string, string[]>,
    /** Every used column (features, then the target): its kind, how that was decided, how its values were compared. */
    readonly columns: CsvColumnReport[] = [],
  ) {
    super(features, target);
  }

  get numFeatures(): number {
    return this.featureNames.length;
  }

  /** How class labels were compared ("number": 1 and 1.0 are one class; "string"), or null for regression. */
  get labelComparison(): "number" | "string" | null {
    return this.classes === null ? null : (this.columns.find((c) => c.role === "target")?.comparedAs ?? "string");
  }

  /** One line: `numeric: a, b; categorical: colour (3 values, as strings); target label: 2 classes compared as strings`. */
  describe(): string {
    const features = this.columns.filter((c) => c.role === "feature");
    const list = (kind: string) =>
      features
        .filter((c) => c.kind === kind)
        .map((c) => `${c.name}${c.decidedBy === "declared" ? " (declared)" : ""}${c.comparedAs ? ` (${this.categories[c.name]!.length} values, as ${c.comparedAs}s)` : ""}`)
        .join(", ") || "none";
    const target = this.classes === null ? `regression on ${this.targetName}` : `${this.targetName}: ${this.classes.length} classes compared as ${this.labelComparison}s`;
    return `numeric: ${list("numeric")}; categorical: ${list("categorical")}; target ${target}`;
  }
}

const FLOAT32_MAX = 3.4028234663852886e38;

/** Builds a dataset from CSV text. See CsvDatasetOptions and the file's comment for how columns are read. */
export function csvDataset(text: string, name: string, options: CsvDatasetOptions = {}): CsvDataset {
  const { overflow = "error" } = options;
  if (overflow !== "error" && overflow !== "clamp") throw new OptionError(`csvDataset: overflow must be "error" or "clamp", got ${JSON.stringify(overflow)}`);
  if (options.task !== undefined && options.task !== "classification" && options.task !== "regression") {
    throw new OptionError(`csvDataset: task must be "classification" or "regression", got ${JSON.stringify(options.task)}`);
  }
  const { columns, rows, lines } = parseCsv(text, name, { delimiter: options.delimiter, maxFieldLength: options.maxFieldLength });
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
  const declaredCat = new Set((options.categorical ?? []).map((c) => col(c, "categorical")));
  const declaredNum = new Set((options.numeric ?? []).map((c) => col(c, "numeric")));
  for (const k of declaredCat) if (declaredNum.has(k)) throw new OptionError(`csvDataset: column "${columns[k]}" is declared both numeric and categorical`);
  if (declaredCat.has(targetCol) && options.task === "regression") throw new OptionError(`csvDataset: the regression target "${columns[targetCol]}" is declared categorical`);
  if (rows.length === 0) throw new DataFormatError(name, "the file has a header but no data rows", { line: 2 });

  const at = (i: number) => ({ line: lines[i]! });
  // An empty field is an error (no silent zero); report the first one.
  rows.forEach((r, i) => {
    for (const k of [...featureCols, targetCol]) {
      if (r[k] === "") throw new DataFormatError(name, `column "${columns[k]}" is empty`, at(i));
    }
  });

  /** Each value of column k as a number; null where it is not one. */
  const numbersOf = (k: number): (number | null)[] => rows.map((r) => parseCsvNumber(r[k]!));
  /** Column k's values as float32-range numbers; a value not a number is the error `<problem>, got "<value>"` at its line. */
  const numericValues = (k: number, values: (number | null)[], problem: string): number[] =>
    values.map((v, i) => {
      if (v === null) throw new DataFormatError(name, `${problem}, got ${JSON.stringify(rows[i]![k])}`, at(i));
      if (Number.isFinite(Math.fround(v))) return v;
      if (overflow === "clamp") return Math.sign(v) * FLOAT32_MAX;
      throw new DataFormatError(name, `column "${columns[k]}": ${rows[i]![k]} is beyond float32's range (±3.4028235e38; overflow: "clamp" clamps it)`, at(i));
    });
  /** The distinct values of a categorical column or of class labels, compared as numbers when every value is one. */
  const distinctValues = (k: number, values: (number | null)[]) => {
    if (values.every((v) => v !== null)) {
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new DataFormatError(name, `column "${columns[k]}": ${rows[bad]![k]} is beyond the range of numbers`, at(bad));
      const names = [...new Set(values as number[])].sort((a, b) => a - b);
      const index = new Map(names.map((v, j) => [v, j]));
      return { comparedAs: "number" as const, names: names.map(String), codes: values.map((v) => index.get(v!)!) };
    }
    const names = [...new Set(rows.map((r) => r[k]!))].sort();
    const index = new Map(names.map((v, j) => [v, j]));
    return { comparedAs: "string" as const, names, codes: rows.map((r) => index.get(r[k]!)!) };
  };

  // Plan the feature columns, then fill one Float32Array.
  const report: CsvColumnReport[] = [];
  const featureNames: string[] = [];
  const categories = nullPrototypeObject<string[]>();
  const plan = featureCols.map((k) => {
    const values = numbersOf(k);
    const decidedBy = declaredCat.has(k) || declaredNum.has(k) ? ("declared" as const) : ("inferred" as const);
    if (!declaredCat.has(k) && (declaredNum.has(k) || values.some((v) => v !== null))) {
      const column = `column "${columns[k]}"`;
      const why = declaredNum.has(k) ? `${column} must be numeric` : `${column} holds numbers, so every value must be one (declare it categorical if it is not numeric)`;
      report.push({ name: columns[k]!, role: "feature", kind: "numeric", decidedBy });
      featureNames.push(columns[k]!);
      return { start: featureNames.length - 1, numbers: numericValues(k, values, why), codes: null };
    }
    const { comparedAs, names, codes } = distinctValues(k, values);
    report.push({ name: columns[k]!, role: "feature", kind: "categorical", decidedBy, comparedAs });
    categories[columns[k]!] = names;
    const start = featureNames.length;
    names.forEach((v) => featureNames.push(`${columns[k]}=${v}`));
    return { start, numbers: null, codes };
  });
  const width = featureNames.length;
  const x = new Float32Array(rows.length * width);
  for (const p of plan) {
    for (let i = 0; i < rows.length; i++) {
      if (p.numbers !== null) x[i * width + p.start] = p.numbers[i]!;
      else x[i * width + p.start + p.codes[i]!] = 1;
    }
  }

  // The target: the task decides, or else the column's kind (categorical when declared or when no value is a number).
  const targetValues = numbersOf(targetCol);
  const targetCategorical = declaredCat.has(targetCol) || (!declaredNum.has(targetCol) && targetValues.every((v) => v === null));
  const task = options.task ?? (targetCategorical ? "classification" : "regression");
  const decidedBy = options.task !== undefined || declaredCat.has(targetCol) || declaredNum.has(targetCol) ? ("declared" as const) : ("inferred" as const);
  let target: Tensor;
  let classes: string[] | null = null;
  if (task === "classification") {
    if (declaredNum.has(targetCol)) numericValues(targetCol, targetValues, `column "${columns[targetCol]}" must be numeric`);
    const { comparedAs, names, codes } = distinctValues(targetCol, targetValues);
    report.push({ name: columns[targetCol]!, role: "target", kind: "categorical", decidedBy, comparedAs });
    classes = names;
    target = fromTypedArray(codes, [rows.length], "int32");
  } else {
    const subject = `regression target "${columns[targetCol]}"`;
    const why = options.task === "regression" || declaredNum.has(targetCol) ? `${subject} must be numeric` : `${subject} holds numbers, so every value must be one (or pass task: "classification")`;
    report.push({ name: columns[targetCol]!, role: "target", kind: "numeric", decidedBy });
    target = fromTypedArray(numericValues(targetCol, targetValues, why), [rows.length], "float32");
  }
  return new CsvDataset(fromTypedArray(x, [rows.length, width], "float32"), target, featureNames, columns[targetCol]!, classes, categories, report);
}
