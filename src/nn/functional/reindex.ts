/**
 * Re-indexing along dims, the shared core of F.pad's reflect/replicate/circular modes and of
 * nearest-neighbour interpolation:
 *
 *   out[…, i, …] = x[…, map[i], …]    along each listed dim, one after the other
 *
 * Its gradient is the adjoint, an index-add of the incoming gradient back to the positions each
 * output was read from (scatterAdd, whose own gradient is a gather), so second derivatives work.
 */
import { noGrad } from "../../autograd/grad-mode.js";
import { recordOp } from "../../autograd/node.js";
import { emptyTensor, fromTypedArray } from "../../ops/helpers.js";
import { indexSelect } from "../../ops/index-select.js";
import { scatterAdd } from "../../ops/indexing.js";
import { contiguous, expand, reshape } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

/** A dim and, for each output position along it, the input position it reads. */
export type DimMap = readonly [dim: number, map: Int32Array];

/** x re-indexed along each dim of `maps` (in order); `name` is the gradient node's name (PyTorch's). */
export function reindexDims(name: string, x: Tensor, maps: readonly DimMap[]): Tensor {
  const sizes: number[] = [];
  const out = noGrad(() =>
    maps.reduce((t, [d, map]) => {
      sizes.push(t.shape[d]!);
      return indexSelect(t, d, fromTypedArray(map, [map.length], "int32"));
    }, x),
  );
  return recordOp(name, out, [x], (g) => [maps.reduceRight((gt, [d, map], i) => indexAdd(gt, d, map, sizes[i]!), g)]);
}

/** The adjoint of one re-indexing: a tensor with `size` along d, g[…, i, …] added at map[i]. */
function indexAdd(g: Tensor, d: number, map: Int32Array, size: number): Tensor {
  const shape = g.shape.slice();
  shape[d] = size;
  const at = g.shape.map((_, i) => (i === d ? map.length : 1));
  const positions = contiguous(expand(reshape(fromTypedArray(map, [map.length], "int32"), at), g.shape));
  return scatterAdd(emptyTensor(shape, g.dtype), d, positions, g);
}
