/**
 * Tensor.unfold (PyTorch's Tensor.unfold, not F.unfold's im2col): every window of `size`
 * elements along `dim`, `step` apart, as a view that copies nothing. For dim d of length n:
 *   out.shape = x.shape with n → ⌊(n − size)/step⌋ + 1, and a last dim of `size`
 *   out[…, k, …, j] = x[…, k·step + j, …]   (strides: d's times step, the new one d's)
 * The gradient adds each window's gradient back where it was read (windows may overlap), one
 * index_add over the k·step + j positions, so it is differentiable again.
 */
import { recordOp } from "../autograd/node.js";
import { OptionError, ShapeError, formatShape } from "../errors.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { indexAdd } from "./index-add.js";
import { movedim } from "./rearrange.js";
import { reshape } from "./shape.js";
import { tensor, zeros } from "./creation.js";

export function unfoldWindows(x: Tensor, dim: number, size: number, step: number): Tensor {
  for (const [name, v, least] of [["size", size, 0], ["step", step, 1]] as const) {
    if (!Number.isInteger(v) || v < least) throw new OptionError(`unfold: ${name} must be ${least === 0 ? "a non-negative" : "a positive"} integer, got ${v}`);
  }
  const scalar = x.ndim === 0;
  const d = scalar ? normalizeDim("unfold", dim, 1) : normalizeDim("unfold", dim, x.ndim);
  const n = scalar ? 1 : x.shape[d]!;
  if (size > n) throw new ShapeError(`unfold: maximum size for tensor at dimension ${d} is ${n} but size is ${size} (input ${formatShape(x.shape)})`);
  const count = Math.floor((n - size) / step) + 1;
  const shape = scalar ? [size] : [...x.shape.slice(0, d), count, ...x.shape.slice(d + 1), size];
  const strides = scalar ? [1] : [...x.strides.slice(0, d), x.strides[d]! * step, ...x.strides.slice(d + 1), x.strides[d]!];
  const out = new Tensor(x.storage, shape, strides, x.offset);
  const inputShape = x.shape;
  return recordOp("UnfoldBackward0", out, [x], (g) => {
    if (scalar) return [size === 1 ? reshape(g, []) : zeros([], { dtype: g.dtype, device: g.device })];
    // [..., count, ..., size] → [..., count·size, ...], then added at k·step + j along d
    const flat = reshape(movedim(g, -1, d + 1), [...inputShape.slice(0, d), count * size, ...inputShape.slice(d + 1)]);
    const positions = new Int32Array(count * size);
    for (let k = 0; k < count; k++) for (let j = 0; j < size; j++) positions[k * size + j] = k * step + j;
    const index = tensor(positions, { device: g.device });
    return [indexAdd(zeros(inputShape, { dtype: g.dtype, device: g.device }), d, index, flat)];
  });
}
