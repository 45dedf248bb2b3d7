/**
 * heaviside(input, values) (PyTorch's): 0 where input < 0, values where input = 0, 1 where
 * input > 0 (NaN gives 0). Both must have one dtype, as PyTorch requires; not differentiable,
 * as in PyTorch (the result carries no gradient).
 */
import { DTypeError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { requireTensor } from "./arguments.js";
import { eq, gt, where } from "./elementwise.js";

export function heaviside(input: Tensor, values: Tensor): Tensor {
  requireTensor("heaviside", "input", input);
  requireTensor("heaviside", "values", values);
  if (input.dtype !== values.dtype) {
    throw new DTypeError(`heaviside: heaviside is not yet implemented for tensors with different dtypes (input ${input.dtype}, values ${values.dtype})`);
  }
  return where(eq(input, 0), values, gt(input, 0).to(input.dtype)).detach();
}
