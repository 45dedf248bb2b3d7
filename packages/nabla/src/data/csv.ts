/**
 * CSV text: the splitter (RFC 4180: a header row, quoted fields with `""` escapes that may hold
 * delimiters and newlines, CRLF or LF line ends, blank lines skipped) and the one grammar of
 * numbers every CSV column is read with:
 *
 *   number   = [ "+" | "-" ] ( digits [ "." [ digits ] ] | "." digits ) [ exponent ]
 *   exponent = ( "e" | "E" ) [ "+" | "-" ] digits
 *   digits   = one or more of 0–9
 *
 * so `12`, `-0.5`, `.5`, `5.`, `1e-3`, `+2E+10` are numbers and `0x10`, `0b1`, `1_000`, `NaN`,
 * `Infinity`, `inf`, ` 1` (inside quotes), `1e` and the empty field are not. The splitter takes
 * text and a name (for errors), so it runs on fetched text in the browser too; its work is linear
 * in the text (each character is looked at a bounded number of times) and a field longer than
 * `maxFieldLength` is refused; every problem is a DataFormatError naming the line.
 */
import { OptionError } from "../errors.js";
import { DataFormatError } from "./format-error.js";

export interface CsvTable {
  /** The header's column names. */
  columns: string[];
  /** The data rows as strings, each with one field per column. */
  rows: string[][];
  /** The 1-based line in the file where each row starts (for errors). */
  lines: number[];
}

export interface ParseCsvOptions {
  delimiter?: string;
  /** The longest field accepted, in characters (default 1,000,000: 1 MB of ASCII). */
  maxFieldLength?: number;
}

/** The default field-length limit: far beyond any real value, short of pathological input. */
export const DEFAULT_MAX_FIELD_LENGTH = 1_000_000;

const NUMBER = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** The field's value in the CSV number grammar (see the file's comment), or null when it is not a number. ±Infinity when the digits overflow float64 (`1e400`). */
export function parseCsvNumber(field: string): number | null {
  return NUMBER.test(field) ? Number(field) : null;
}

/**
 * Splits CSV text into a header and rows. Every row must have as many fields as the header, and
 * the header's names must be distinct and non-empty. Unquoted fields are trimmed; quoted ones are
 * kept as written between the quotes.
 */
export function parseCsv(text: string, name: string, { delimiter = ",", maxFieldLength = DEFAULT_MAX_FIELD_LENGTH }: ParseCsvOptions = {}): CsvTable {
  if (typeof delimiter !== "string" || delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
    throw new OptionError(`parseCsv: delimiter must be one character other than a quote or newline, got ${JSON.stringify(delimiter)}`);
  }
  if (!(Number.isSafeInteger(maxFieldLength) && maxFieldLength > 0)) {
    throw new OptionError(`parseCsv: maxFieldLength must be a positive integer, got ${String(maxFieldLength)}`);
  }
  const n = text.length;
  const tooLong = (line: number, column: number): never => {
    throw new DataFormatError(name, `field ${column} is longer than ${maxFieldLength} characters (the maxFieldLength option)`, { line });
  };
  const records: { fields: string[]; line: number }[] = [];
  let line = 1;
  let i = 0;
  while (i < n) {
    const recordLine = line;
    const fields: string[] = [];
    let lastQuoted = false;
    for (;;) {
      let j = i;
      while (text[j] === " " || text[j] === "\t") j++;
      if (text[j] === '"') {
        // A quoted field: segments between quotes, `""` an escaped quote.
        const startLine = line;
        const parts: string[] = [];
        let length = 0;
        let k = j + 1;
        for (;;) {
          const q = text.indexOf('"', k);
          if (q < 0) throw new DataFormatError(name, "unterminated quoted field (the file ends inside quotes)", { line: startLine });
          const segment = text.slice(k, q);
          for (let at = segment.indexOf("\n"); at >= 0; at = segment.indexOf("\n", at + 1)) line++;
          length += segment.length;
          parts.push(segment);
          if (text[q + 1] === '"') {
            parts.push('"');
            length++;
            k = q + 2;
          } else {
            k = q + 1;
            break;
          }
          if (length > maxFieldLength) tooLong(startLine, fields.length + 1);
        }
        if (length > maxFieldLength) tooLong(startLine, fields.length + 1);
        // Only spaces may follow the closing quote before the delimiter or line end.
        while (text[k] === " " || text[k] === "\t") k++;
        if (k < n && text[k] !== delimiter && text[k] !== "\n" && text[k] !== "\r") {
          throw new DataFormatError(name, `unexpected character ${JSON.stringify(text[k])} after a closing quote`, { line });
        }
        fields.push(parts.join(""));
        lastQuoted = true;
        i = k;
      } else {
        let k = i;
        while (k < n && text[k] !== delimiter && text[k] !== "\n" && text[k] !== "\r") k++;
        if (k - i > maxFieldLength) tooLong(line, fields.length + 1);
        fields.push(text.slice(i, k).trim());
        lastQuoted = false;
        i = k;
      }
      if (i < n && text[i] === delimiter) {
        i++;
        continue;
      }
      break;
    }
    // At a line end (or the end of the text).
    if (i < n) {
      i += text[i] === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
    }
    // A blank line is one empty, unquoted field: skip it.
    if (!(fields.length === 1 && fields[0] === "" && !lastQuoted)) records.push({ fields, line: recordLine });
  }
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
