/**
 * takeAlongDim (PyTorch's take_along_dim, NumPy's take_along_axis): picks input values by the
 * indices along `dim` (as argsort/argmax/topk return them), the other dims broadcast between
 * input and indices: out[…, i, …] = x[…, indices[…, i, …], …]. Without a dim, both are read
 * flat. Gradient: gather's, through the broadcast (summed back).
 */
import { DTypeError, formatShape, ShapeError } from "../errors.js";
import { broadcastShapes, normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { requireTensor } from "./arguments.js";
import { gather } from "./indexing.js";
import { expand, reshape } from "./shape.js";

export function takeAlongDim(x: Tensor, indices: Tensor, dim?: number | null): Tensor {
  requireTensor("takeAlongDim", "input", x);
  requireTensor("takeAlongDim", "indices", indices);
  if (indices.dtype !== "int32") throw new DTypeError(`takeAlongDim: dtype of indices should be int32 (PyTorch's Long), got ${indices.dtype}`);
  if (dim === undefined || dim === null) return gather(reshape(x, [-1]), 0, reshape(indices, [-1]));
  if (x.ndim !== indices.ndim) {
    throw new ShapeError(`takeAlongDim: input and indices should have the same number of dimensions, but got ${x.ndim} dimensions for input, and ${indices.ndim} dimensions for indices`);
  }
  const d = normalizeDim("takeAlongDim", dim, x.ndim);
  // every dim but `dim` broadcast between the two; `dim` keeps each one's own size
  const withSize = (shape: readonly number[], size: number) => shape.map((s, i) => (i === d ? size : s));
  let indexShape: number[];
  let inputShape: number[];
  try {
    indexShape = broadcastShapes("takeAlongDim", withSize(x.shape, indices.shape[d]!), indices.shape);
    inputShape = broadcastShapes("takeAlongDim", withSize(indices.shape, x.shape[d]!), x.shape);
  } catch {
    throw new ShapeError(`takeAlongDim: input ${formatShape(x.shape)} and indices ${formatShape(indices.shape)} do not broadcast in the dims other than ${d}`);
  }
  return gather(expand(x, inputShape, "takeAlongDim"), d, expand(indices, indexShape, "takeAlongDim"));
}
