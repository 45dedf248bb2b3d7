/**
 * torch.cross: the cross product of 3-vectors along a dim of broadcast tensors, each component
 * a₁b₂ − a₂b₁ … computed as PyTorch's kernel (each product rounded, then the difference).
 */
import { ShapeError } from "../errors.js";
import { broadcastShapes, normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { mul, sub } from "./elementwise.js";
import { cat } from "./join.js";
import { expand, narrow } from "./shape.js";

/**
 * a × b along `dim`, which must have size 3; without dim, the first dim of size 3 (torch.cross's
 * default; torch.linalg.cross takes −1).
 */
export function cross(a: Tensor, b: Tensor, dim?: number): Tensor {
  if (a.ndim !== b.ndim) throw new ShapeError(`cross: inputs must have the same number of dimensions, got ${a.ndim} and ${b.ndim}`);
  const shape = broadcastShapes("cross", a.shape, b.shape);
  const d = dim === undefined ? shape.indexOf(3) : normalizeDim("cross", dim, shape.length);
  if (d < 0) throw new ShapeError(`cross: no dimension of size 3 in input (shape [${shape.join(", ")}])`);
  if (shape[d] !== 3) throw new ShapeError(`cross: dimension ${dim ?? d} does not have size 3 (shape [${shape.join(", ")}])`);
  const x = expand(a, shape);
  const y = expand(b, shape);
  const c = (t: Tensor, i: number) => narrow(t, d, i, 1);
  return cat(
    [
      sub(mul(c(x, 1), c(y, 2)), mul(c(x, 2), c(y, 1))),
      sub(mul(c(x, 2), c(y, 0)), mul(c(x, 0), c(y, 2))),
      sub(mul(c(x, 0), c(y, 1)), mul(c(x, 1), c(y, 0))),
    ],
    d,
  );
}
