/**
 * torch.nansum and torch.nanmean: sum and mean that skip NaN (counted as 0, and left out of the
 * mean's count). The gradient reaches every element but the NaNs, as PyTorch's nansum_backward.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { normalizeDims } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { div, logicalNot, mul, where } from "./elementwise.js";
import { isnan } from "./nonfinite.js";
import { keepdimOf, sum, type Dims, type ReduceOptions } from "./reduce.js";
import { expand, reshape } from "./shape.js";

/** Σ of the elements that are not NaN, over `dim` (all when left out). Ints sum as sum does. */
export function nansum(x: Tensor, dim?: Dims, options: ReduceOptions | boolean = {}): Tensor {
  const keepdim = keepdimOf(options, "nansum");
  if (!isFloating(x.dtype)) return sum(x, dim, keepdim);
  const out = noGrad(() => sum(where(isnan(x), 0, x), dim, keepdim));
  const dims = normalizeDims("nansum", dim, x.ndim);
  const keepdimShape = x.shape.map((s, i) => (dims.includes(i) ? 1 : s));
  // g · (x is not NaN), a product as PyTorch's: an infinite g (a mean over only NaNs) gives NaN there
  return recordOp("NansumBackward0", out, [x], (g) => [mul(expand(reshape(g, keepdimShape), x.shape), logicalNot(isnan(x)))]);
}

/** The mean of the elements that are not NaN, over `dim` (NaN where a slice holds only NaN). */
export function nanmean(x: Tensor, dim?: Dims, options: ReduceOptions | boolean = {}): Tensor {
  const keepdim = keepdimOf(options, "nanmean");
  if (!isFloating(x.dtype)) {
    throw new DTypeError(`nanmean: expected input to have floating point dtype but got ${x.dtype}`);
  }
  return div(nansum(x, dim, keepdim), sum(logicalNot(isnan(x)), dim, keepdim));
}
