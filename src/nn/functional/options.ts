/** Checking a numeric option: the error names the function, the option and the value. */
import { OptionError } from "../../errors.js";

/** Throws OptionError `op: name must be …, got value` unless `ok` (NaN and non-numbers never pass). */
export function checkOption(op: string, name: string, value: number, ok: boolean, must: string): void {
  if (typeof value !== "number" || Number.isNaN(value) || !ok) {
    throw new OptionError(`${op}: ${name} must be ${must}, got ${String(value)}`);
  }
}
