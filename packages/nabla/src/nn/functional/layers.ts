/** Functional forms of layers. */
import { formatShape, ShapeError } from "../../errors.js";
import { add } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { transpose } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

/** y = x·Wᵀ + b for x of shape [..., in], W [out, in], b [out]. */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const inFeatures = weight.shape[weight.ndim - 1];
  if (input.ndim === 0 || input.shape[input.ndim - 1] !== inFeatures) {
    throw new ShapeError(
      `linear: input's last dimension must equal in_features: input ${formatShape(input.shape)} and weight ${formatShape(weight.shape)} ` +
        `(mat1 and mat2 shapes cannot be multiplied (${input.shape.join("x")} and ${weight.shape.slice().reverse().join("x")}))`,
    );
  }
  const y = matmul(input, transpose(weight, 0, 1));
  return bias === null ? y : add(y, bias);
}
