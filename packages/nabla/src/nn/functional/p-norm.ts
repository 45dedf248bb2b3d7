/**
 * The p-norm of vectors along one dim, ‖x‖_p = (Σ|xᵢ|^p)^(1/p) (p = ∞: max|xᵢ|, −∞: min|xᵢ|,
 * 0: the count of non-zeros), with PyTorch's gradient (NormBackward1), which is 0 — not 0/0 —
 * where the norm is 0:
 *
 *   p = 1:      sign(x)·g
 *   p = 2:      x·g/‖x‖
 *   p = ±∞:     sign(x)·g·[|x| = ‖x‖] / (number of ties)
 *   p < 1:      sign(x)·|x|^(p−1)·g·‖x‖^(1−p)       (0 where x = 0)
 *   otherwise:  sign(x)·|x|^(p−1)·g / ‖x‖^(p−1)
 *
 * The backward is written with differentiable ops, so second derivatives work too. It serves
 * F.normalize, F.pairwiseDistance and cdist.
 */
import { noGrad } from "../../autograd/grad-mode.js";
import { recordOp } from "../../autograd/node.js";
import { abs, div, eq, mul, ne, pow, sign, sqrt, where } from "../../ops/elementwise.js";
import { requireFloating } from "../../ops/helpers.js";
import { max, min, sum } from "../../ops/reduce.js";
import { unsqueeze } from "../../ops/shape.js";
import { normalizeDim } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

/** ‖x‖_p along `dim` (keepdim keeps it as size 1). `op` names the caller in errors. */
export function pNorm(op: string, x: Tensor, p: number, dim: number, keepdim = false): Tensor {
  requireFloating(op, x);
  const d = normalizeDim(op, dim, Math.max(x.ndim, 1));
  const out = noGrad(() => {
    if (p === 2) return sqrt(sum(mul(x, x), d, { keepdim }));
    if (p === 1) return sum(abs(x), d, { keepdim });
    if (p === Infinity) return max(abs(x), d, { keepdim }).values;
    if (p === -Infinity) return min(abs(x), d, { keepdim }).values;
    if (p === 0) return sum(ne(x, 0).to(x.dtype), d, { keepdim });
    return pow(sum(pow(abs(x), p), d, { keepdim }), 1 / p);
  });
  return recordOp("NormBackward1", out, [x], (g) => {
    const gk = keepdim ? g : unsqueeze(g, d);
    const norm = keepdim ? out : unsqueeze(out, d);
    return [normBackward(x, p, d, gk, norm)];
  }, [x, out]);
}

/** d‖x‖_p/dx · g, with g and norm kept as size 1 along d. */
function normBackward(x: Tensor, p: number, d: number, g: Tensor, norm: Tensor): Tensor {
  const zeroNorm = eq(norm, 0);
  if (p === 0) return mul(x, 0);
  if (p === 1) return mul(sign(x), g);
  if (p === 2) return mul(g, where(zeroNorm, 0, div(x, norm)));
  if (!Number.isFinite(p)) {
    const picked = eq(abs(x), norm).to(x.dtype);
    return mul(sign(x), mul(div(g, sum(picked, d, { keepdim: true })), picked));
  }
  const scaled = mul(sign(x), pow(abs(x), p - 1));
  if (p < 1) return mul(mul(where(eq(x, 0), 0, scaled), g), pow(norm, 1 - p));
  return mul(scaled, where(zeroNorm, 0, div(g, pow(norm, p - 1))));
}
