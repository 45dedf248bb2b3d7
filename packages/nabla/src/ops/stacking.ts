/**
 * Joining along the NumPy axes: hstack (columns: dim 1, or dim 0 of 1-d tensors), vstack (rows,
 * 1-d tensors as rows), dstack (depth: dim 2), and the atleast-views they use. Each is cat of
 * views, so gradients flow back to every input.
 */
import { ShapeError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { cat } from "./join.js";
import { reshape } from "./shape.js";

function nonEmpty(op: string, tensors: readonly Tensor[]): void {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new ShapeError(`${op}: expected a non-empty list of Tensors`);
}

/** x as at least 1-d: a 0-d tensor becomes [1]. */
export function atleast1d(x: Tensor): Tensor {
  return x.ndim >= 1 ? x : reshape(x, [1]);
}

/** x as at least 2-d: [n] becomes [1, n]. */
export function atleast2d(x: Tensor): Tensor {
  if (x.ndim >= 2) return x;
  return reshape(x, x.ndim === 0 ? [1, 1] : [1, x.shape[0]!]);
}

/** x as at least 3-d: [n] becomes [1, n, 1], [m, n] becomes [m, n, 1]. */
export function atleast3d(x: Tensor): Tensor {
  if (x.ndim >= 3) return x;
  if (x.ndim === 0) return reshape(x, [1, 1, 1]);
  if (x.ndim === 1) return reshape(x, [1, x.shape[0]!, 1]);
  return reshape(x, [...x.shape, 1]);
}

/** Side by side: cat along dim 1, or dim 0 where the tensors are 1-d (torch.hstack). */
export function hstack(tensors: readonly Tensor[]): Tensor {
  nonEmpty("hstack", tensors);
  const parts = tensors.map(atleast1d);
  return cat(parts, parts[0]!.ndim === 1 ? 0 : 1);
}

/** One on top of the other: cat along dim 0, 1-d tensors as rows (torch.vstack). */
export function vstack(tensors: readonly Tensor[]): Tensor {
  nonEmpty("vstack", tensors);
  return cat(tensors.map(atleast2d), 0);
}

/** In depth: cat along dim 2 of the tensors made at least 3-d (torch.dstack). */
export function dstack(tensors: readonly Tensor[]): Tensor {
  nonEmpty("dstack", tensors);
  return cat(tensors.map(atleast3d), 2);
}
