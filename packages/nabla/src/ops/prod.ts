/**
 * torch.prod: the product of all elements, or along one dim with keepdim. Its gradient is
 * PyTorch's prod_backward, zeros included: result/x where the input holds no zero, otherwise the
 * product of every other element (from exclusive running products both ways), and 0 everywhere
 * where the whole-tensor product has two zeros or more. Which case applies is decided on the
 * device (a `where` on a count), so the backward never reads values back to the host.
 */
import { recordOp } from "../autograd/node.js";
import { isFloating } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { div, eq, mul, where } from "./elementwise.js";
import { filledTensor } from "./helpers.js";
import { cat } from "./join.js";
import { flip } from "./flip.js";
import { cumprod } from "./scan.js";
import { any } from "./any-all.js";
import { keepdimOf, reduceWith, sum, type ReduceOptions } from "./reduce.js";
import { expand, narrow, reshape } from "./shape.js";
import { int32Exact } from "./int32-exact.js";

/**
 * The product of all elements (`prod(x)`), or along `dim` (`prod(x, 1)`, `prod(x, 1, { keepdim })`
 * or `prod(x, 1, true)`). Int and bool inputs give int32 (PyTorch's int64); a product past int32 is an error (int32-exact.ts).
 */
export function prod(x: Tensor, dim?: number, options: ReduceOptions | boolean = {}): Tensor {
  const keepdim = keepdimOf(options, "prod");
  if (x.dtype === "int32" && x.storage.device === "cpu") return int32Exact("prod", x, (wide) => prod(wide, dim, keepdim));
  const dtype = isFloating(x.dtype) ? x.dtype : "int32";
  if (dim === undefined) {
    const { out } = reduceWith("prod", "prod", x, undefined, false, dtype);
    return recordOp("ProdBackward0", out, [x], (g) => [prodAllBackward(g, x, out)]);
  }
  const d = normalizeDim("prod", dim, Math.max(x.ndim, 1));
  const { out, layout } = reduceWith("prod", "prod", x, x.ndim === 0 ? [] : d, keepdim, dtype);
  return recordOp("ProdBackward1", out, [x], (g) => {
    if (x.ndim === 0) return [g];
    return [prodDimBackward(reshape(g, layout.keepdimShape), x, reshape(out, layout.keepdimShape), d)];
  });
}

/** PyTorch's prod_backward without a dim: result/x, or the one zero's cofactor, or 0 for two zeros. */
function prodAllBackward(g: Tensor, x: Tensor, out: Tensor): Tensor {
  if (x.ndim === 0) return g;
  const zeros = sum(eq(x, 0));
  const noZero = mul(g, div(out, x));
  const flat = reshape(x, [-1]);
  const oneZero = reshape(safeZerosBackward(g, flat, 0), x.shape);
  return where(eq(zeros, 0), noZero, where(eq(zeros, 1), oneZero, filledTensor(x.shape, g.dtype, 0, g.storage.device)));
}

/** PyTorch's prod_backward along dim (g and out keepdim-shaped): result/x unless any slice holds a zero. */
function prodDimBackward(g: Tensor, x: Tensor, out: Tensor, dim: number): Tensor {
  const noZero = mul(g, div(out, x));
  return where(any(eq(x, 0)), safeZerosBackward(g, x, dim), noZero);
}

/**
 * PyTorch's prod_safe_zeros_backward: each element's gradient is g times the product of the other
 * elements of its slice, the running product before it times the running product after it.
 */
function safeZerosBackward(g: Tensor, x: Tensor, dim: number): Tensor {
  const n = x.shape[dim]!;
  if (x.numel() === 0) return expand(g, x.shape);
  const onesShape = x.shape.map((s, i) => (i === dim ? 1 : s));
  const ones = filledTensor(onesShape, g.dtype, 1, g.storage.device);
  const before = cumprod(cat([ones, narrow(x, dim, 0, n - 1)], dim), dim);
  const after = flip(cumprod(cat([ones, flip(narrow(x, dim, 1, n - 1), dim)], dim), dim), dim);
  return mul(g, mul(before, after));
}
