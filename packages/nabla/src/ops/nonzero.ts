/**
 * nonzero: the indices of the nonzero (true, NaN included) elements, as PyTorch's torch.nonzero:
 * an int32 [count, ndim] tensor in row-major order, or with asTuple one 1-d tensor per dim.
 */
import type { Tensor } from "../tensor/tensor.js";
import { fromTypedArray } from "./helpers.js";
import { nonzeroPositions } from "./masked.js";

export interface NonzeroOptions {
  /** One index tensor per dim instead of one [count, ndim] tensor (PyTorch's as_tuple). */
  asTuple?: boolean;
}

/** Kernel: the multi-indices, row by row, of the given flat positions in a tensor of `shape`. */
export function unravelPositions(positions: Int32Array, shape: readonly number[]): Int32Array {
  const n = shape.length;
  const out = new Int32Array(positions.length * n);
  for (let k = 0; k < positions.length; k++) {
    let p = positions[k]!;
    for (let d = n - 1; d >= 0; d--) {
      const size = shape[d]!;
      const q = Math.floor(p / size);
      out[k * n + d] = p - q * size;
      p = q;
    }
  }
  return out;
}

export function nonzero(x: Tensor, options: { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, options?: NonzeroOptions): Tensor;
export function nonzero(x: Tensor, { asTuple = false }: NonzeroOptions = {}): Tensor | Tensor[] {
  const positions = nonzeroPositions(x.toTypedArray());
  // as_tuple treats a 0-d input as 1-d, as PyTorch does
  const shape = asTuple && x.ndim === 0 ? [1] : x.shape;
  const rows = unravelPositions(positions, shape);
  const n = shape.length;
  if (!asTuple) return fromTypedArray(rows, [positions.length, n], "int32");
  return shape.map((_, d) => {
    const column = new Int32Array(positions.length);
    for (let k = 0; k < column.length; k++) column[k] = rows[k * n + d]!;
    return fromTypedArray(column, [positions.length], "int32");
  });
}
