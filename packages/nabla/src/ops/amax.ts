/**
 * torch.amax and torch.amin: the largest (smallest) value over one dim, a list of dims or all of
 * them, with keepdim; no indices. Unlike max(x, dim), the gradient is shared evenly among the
 * elements that tie for the extreme (PyTorch's scale_grad_by_count: (g / count) · mask).
 */
import { recordOp } from "../autograd/node.js";
import { ShapeError } from "../errors.js";
import { normalizeDims } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { div, eq, mul } from "./elementwise.js";
import { keepdimOf, reduceWith, sum, type Dims, type ReduceOptions } from "./reduce.js";
import { reshape } from "./shape.js";

function extremum(op: "amax" | "amin", x: Tensor, dim: Dims | undefined, options: ReduceOptions | boolean): Tensor {
  const keepdim = keepdimOf(options, op);
  // an empty list reduces every dim, as PyTorch's default dim=()
  const dims = normalizeDims(op, dim === undefined || (typeof dim !== "number" && dim.length === 0) ? undefined : dim, x.ndim);
  for (const d of dims) {
    if (x.shape[d] === 0) throw new ShapeError(`${op}: expected reduction dim ${d} to have non-zero size, got shape [${x.shape.join(", ")}]`);
  }
  const { out, layout } = reduceWith(op, op === "amax" ? "max" : "min", x, dims, keepdim, x.dtype);
  return recordOp(op === "amax" ? "AmaxBackward0" : "AminBackward0", out, [x], (g) => {
    const mask = eq(reshape(out, layout.keepdimShape), x);
    return [mul(div(reshape(g, layout.keepdimShape), sum(mask, dims, { keepdim: true })), mask)];
  });
}

/** The largest value over `dim` (a dim, a list of dims, or all when left out or empty). NaN wins. */
export function amax(x: Tensor, dim?: Dims, options: ReduceOptions | boolean = {}): Tensor {
  return extremum("amax", x, dim, options);
}

/** The smallest value over `dim` (a dim, a list of dims, or all when left out or empty). NaN wins. */
export function amin(x: Tensor, dim?: Dims, options: ReduceOptions | boolean = {}): Tensor {
  return extremum("amin", x, dim, options);
}
