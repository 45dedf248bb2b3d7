/**
 * Gated linear units: the input is split in two halves a, b along `dim` and one gates the other,
 * out = a ⊗ gate(b). PyTorch's GLU uses σ; SwiGLU (SiLU gate) and GeGLU (GELU gate), from
 * Shazeer 2020, "GLU Variants Improve Transformer", are what recent transformers use. The gate
 * is the second half, as in torch.nn.functional.glu.
 */
import { ShapeError } from "../../errors.js";
import * as act from "../../ops/activations.js";
import { mul, sigmoid } from "../../ops/elementwise.js";
import { requireFloating } from "../../ops/helpers.js";
import { narrow } from "../../ops/shape.js";
import { normalizeDim } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

function gated(op: string, x: Tensor, dim: number, gate: (b: Tensor) => Tensor): Tensor {
  requireFloating(op, x);
  if (x.ndim === 0) throw new ShapeError(`${op}: does not support scalars because halving size must be even`);
  const d = normalizeDim(op, dim, x.ndim);
  const size = x.shape[d]!;
  if (size % 2 !== 0) throw new ShapeError(`${op}: halving dimension must be even, but dimension ${dim} is size ${size}`);
  const h = size / 2;
  return mul(narrow(x, d, 0, h), gate(narrow(x, d, h, h)));
}

/** GLU: a ⊗ σ(b), where a, b are the halves of x along `dim` (default −1). */
export function glu(x: Tensor, dim = -1): Tensor {
  return gated("glu", x, dim, sigmoid);
}

/** SwiGLU: a ⊗ SiLU(b) = a ⊗ b·σ(b), halves along `dim` (default −1). */
export function swiglu(x: Tensor, dim = -1): Tensor {
  return gated("swiglu", x, dim, act.silu);
}

/** GeGLU: a ⊗ GELU(b) = a ⊗ b·Φ(b), halves along `dim` (default −1). */
export function geglu(x: Tensor, dim = -1): Tensor {
  return gated("geglu", x, dim, act.gelu);
}
