/**
 * cartesianProd and combinations (PyTorch's), as index picks of 1-D inputs, so gradients flow
 * back to the picked elements (summed where an element appears in several rows):
 *   cartesianProd(a, b, …)[row] = (a[i], b[j], …) over (i, j, …) in row-major order
 *   combinations(x, r)[row]     = (x[i₁], …, x[i_r]) for i₁ < … < i_r (≤ with replacement), in
 *                                 lexicographic order, as PyTorch's masked meshgrid gives them
 */
import { OptionError, ShapeError, formatShape } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { requireTensor } from "./arguments.js";
import { tensor, zeros } from "./creation.js";
import { indexSelect } from "./index-select.js";
import { stack } from "./join.js";

function requireVector(op: string, name: string, t: Tensor): void {
  requireTensor(op, name, t);
  if (t.ndim !== 1) throw new ShapeError(`${op}: expect a 1D vector, but got ${name} of shape ${formatShape(t.shape)}`);
}

/** The columns picked from each input by index lists of equal length, stacked as [rows, k]. */
function pickColumns(inputs: readonly Tensor[], indices: readonly Int32Array[]): Tensor {
  return stack(inputs.map((t, k) => indexSelect(t, 0, tensor(indices[k]!, { device: t.device }))), 1);
}

/** Every tuple of one element of each 1-D input, [Π sizes, k] (one input is returned as it is). */
export function cartesianProd(...tensors: Tensor[] | [readonly Tensor[]]): Tensor {
  const list = (tensors.length === 1 && Array.isArray(tensors[0]) ? tensors[0] : tensors) as readonly Tensor[];
  if (list.length === 0) throw new ShapeError("cartesianProd: expects at least one tensor");
  list.forEach((t, i) => requireVector("cartesianProd", `tensors[${i}]`, t));
  if (list.length === 1) return list[0]!;
  const sizes = list.map((t) => t.shape[0]!);
  const rows = sizes.reduce((a, b) => a * b, 1);
  const indices = sizes.map(() => new Int32Array(rows));
  for (let row = 0; row < rows; row++) {
    let rest = row;
    for (let k = sizes.length - 1; k >= 0; k--) {
      indices[k]![row] = rest % sizes[k]!;
      rest = Math.floor(rest / sizes[k]!);
    }
  }
  return pickColumns(list, indices);
}

export interface CombinationsOptions {
  /** Elements per combination; default 2. */
  r?: number;
  /** Allow an element to repeat within a combination; default false. */
  withReplacement?: boolean;
}

/** Every r-element combination of a 1-D input, [count, r] (itertools.combinations' order). `combinations(x, r, withReplacement)` or options. */
export function combinations(input: Tensor, rOrOptions: number | CombinationsOptions = {}, withReplacementArg?: boolean): Tensor {
  requireVector("combinations", "input", input);
  const { r = 2, withReplacement = false } = typeof rOrOptions === "number" ? { r: rOrOptions, withReplacement: withReplacementArg } : rOrOptions;
  if (!Number.isInteger(r) || r < 0) throw new OptionError(`combinations: Expect a non-negative number, but got ${r}`);
  if (r === 0) return zeros([0], { dtype: input.dtype, device: input.device });
  const n = input.shape[0]!;
  const tuples: number[][] = [];
  const current: number[] = [];
  const walk = (start: number) => {
    if (current.length === r) return void tuples.push(current.slice());
    for (let i = start; i < n; i++) {
      current.push(i);
      walk(withReplacement ? i : i + 1);
      current.pop();
    }
  };
  walk(0);
  const indices = Array.from({ length: r }, (_, k) => Int32Array.from(tuples, (t) => t[k]!));
  return pickColumns(new Array<Tensor>(r).fill(input), indices);
}
