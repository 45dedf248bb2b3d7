/**
 * The webgpu device's rule for indices at ties (docs/PARITY.md, "WebGPU device"). sort, argsort, mode,
 * topk, kthvalue and median/nanmedian along a dim run on the device through one stable rank sort,
 * so among equal values they pick other indices than PyTorch's CPU build (whose introsort, heap
 * select and quickselect nabla's CPU backends port step for step); PyTorch's CUDA build differs
 * from its CPU build the same way. There the values must still match PyTorch's exactly, and each
 * index must be valid, distinct within its row and select the value PyTorch's index selects; the
 * gradient, which follows the indices, must match PyTorch's up to a permutation within each group
 * of equal input values along the dim. topk with sorted: false may return its k values in any
 * order (PyTorch leaves it unspecified), so there rows are compared as multisets.
 */
import { expect } from "vitest";
import type { Tensor } from "../packages/nabla/src/index.js";
import { decodeValue, expectClose, valuesClose, type FixtureTensor, type Tolerance } from "./helpers.js";

/** An op along a dim whose outputs are values and indices (or argsort's indices alone). */
export interface TieCase {
  /** The input the op ran on, and its values as PyTorch's fixture holds them. */
  input: FixtureTensor;
  /** The dim the op runs along (may be negative). */
  dim: number;
  /** Whether the outputs dropped `dim` (kthvalue / median without keepdim). */
  reduced: boolean;
  /** Whether each row's order is specified (false for topk with sorted: false). */
  ordered: boolean;
}

/** A shape seen as rows along `dim`: outer × size × inner, element j of row (o, i) at o·size·inner + j·inner + i. */
interface Rows {
  outer: number;
  size: number;
  inner: number;
}

function rowsOf(shape: readonly number[], dim: number): Rows {
  const prod = (s: readonly number[]) => s.reduce((p, n) => p * n, 1);
  return { outer: prod(shape.slice(0, dim)), size: shape[dim] ?? 1, inner: prod(shape.slice(dim + 1)) };
}

/** Row r (o·inner + i) of flat data laid out as `rows`. */
function row(data: ArrayLike<number>, rows: Rows, r: number): number[] {
  const o = Math.floor(r / rows.inner);
  const i = r % rows.inner;
  const out: number[] = [];
  for (let j = 0; j < rows.size; j++) out.push(data[o * rows.size * rows.inner + j * rows.inner + i]!);
  return out;
}

const same = (a: number, b: number) => (Number.isNaN(a) ? Number.isNaN(b) : a === b || (a === 0 && b === 0));
/** Ascending with NaN last, so two multisets of values compare elementwise. */
const ascending = (a: number, b: number) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a - b);

/**
 * Asserts `values` (null for argsort) and `indices` against PyTorch's `expected` ([values, indices]
 * or [indices]) under the tie rule above.
 */
export function expectTieOutputs(c: TieCase, values: Tensor | null, indices: Tensor, expected: FixtureTensor[], tolerance: Tolerance): void {
  const expIndices = expected[expected.length - 1]!;
  expect(indices.shape.slice(), "indices: shape").toEqual(expIndices.shape);
  expect(indices.dtype, "indices: dtype").toBe(expIndices.dtype);
  const rank = c.input.shape.length;
  const dim = c.dim < 0 ? c.dim + rank : c.dim;
  // the outputs with `dim` kept, so they and the input are rows along the same dim
  const outShape = c.reduced ? [...expIndices.shape.slice(0, dim), 1, ...expIndices.shape.slice(dim)] : expIndices.shape;
  const inRows = rowsOf(c.input.shape, dim);
  const outRows = rowsOf(outShape, dim);
  const input = c.input.data.map(decodeValue);
  const got = Array.from(indices.toTypedArray(), Number);
  const want = expIndices.data.map(decodeValue);
  const gotValues = values === null ? null : Array.from(values.toTypedArray(), Number);
  if (values !== null) expect(values.shape.slice(), "values: shape").toEqual(expected[0]!.shape);
  for (let r = 0; r < outRows.outer * outRows.inner; r++) {
    const source = row(input, inRows, r);
    const picks = row(got, outRows, r);
    expect(new Set(picks).size, `row ${r}: indices ${picks.join(", ")} must be distinct`).toBe(picks.length);
    for (const p of picks) expect(Number.isInteger(p) && p >= 0 && p < source.length, `row ${r}: index ${p} in [0, ${source.length})`).toBe(true);
    let selected = picks.map((p) => source[p]!);
    let wanted = row(want, outRows, r).map((p) => source[p]!);
    if (!c.ordered) {
      selected = selected.slice().sort(ascending);
      wanted = wanted.slice().sort(ascending);
    }
    selected.forEach((v, j) => expect(same(v, wanted[j]!), `row ${r} place ${j}: the index selects ${v}, PyTorch's selects ${wanted[j]}`).toBe(true));
    if (gotValues !== null) {
      // the values output is what the indices select, in the same order
      row(gotValues, outRows, r).forEach((v, j) => expect(same(v, source[picks[j]!]!), `row ${r} place ${j}: value ${v} at index ${picks[j]}`).toBe(true));
    }
  }
  // the values themselves: PyTorch's exactly where the order is specified (they are input values)
  if (values !== null && c.ordered) expectClose(values, expected[0]!, tolerance, "values");
}

/**
 * Asserts a gradient of the input against PyTorch's up to a permutation within each group of
 * equal input values along the dim (where the ops' indices may differ at ties).
 */
export function expectTieGrad(c: TieCase, grad: Tensor | null, expected: FixtureTensor, tolerance: Required<Tolerance>, label: string): void {
  expect(grad, `${label}: expected a tensor`).toBeTruthy();
  const g = grad!;
  expect(g.shape.slice(), `${label}: shape`).toEqual(expected.shape);
  const rank = c.input.shape.length;
  const dim = c.dim < 0 ? c.dim + rank : c.dim;
  const rows = rowsOf(c.input.shape, dim);
  const input = c.input.data.map(decodeValue);
  const got = Array.from(g.toTypedArray(), Number);
  const want = expected.data.map(decodeValue);
  for (let r = 0; r < rows.outer * rows.inner; r++) {
    const source = row(input, rows, r);
    const gotRow = row(got, rows, r);
    const wantRow = row(want, rows, r);
    const groups = new Map<string, number[]>();
    source.forEach((v, j) => {
      const key = Number.isNaN(v) ? "NaN" : String(v === 0 ? 0 : v);
      groups.set(key, [...(groups.get(key) ?? []), j]);
    });
    for (const [key, places] of groups) {
      const a = places.map((j) => gotRow[j]!).sort(ascending);
      const b = places.map((j) => wantRow[j]!).sort(ascending);
      a.forEach((v, j) =>
        expect(valuesClose(v, b[j]!, tolerance.rtol, tolerance.atol), `${label}: row ${r}, the gradients at the input's ${key}s: got ${a.join(", ")}, PyTorch ${b.join(", ")}`).toBe(true),
      );
    }
  }
}
