/** Python's float repr, for module reprs that match PyTorch's: 1e-05, 0.1, 1.0. */
export function pyFloat(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e16) return v.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  return String(v);
}

export const pyBool = (b: boolean): string => (b ? "True" : "False");
