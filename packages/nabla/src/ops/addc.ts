/**
 * torch.addcmul and torch.addcdiv: self + value·t1·t2 and self + value·t1/t2, one pointwise kernel
 * each (declarations/arithmetic.ts), broadcasting all three; the optimizers' update shape
 * (Adam's `p.addcdiv_(m, v.sqrt().add_(eps), { value: -lr })`).
 */
import { DTypeError, OptionError } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { callPointwise, dtypesOf } from "./pointwise/call.js";
import * as A from "./pointwise/declarations/arithmetic.js";

export interface AddcOptions {
  /** The factor of the product or quotient; 1 by default. */
  value?: number;
}

function valueOf(op: string, options: AddcOptions | number | undefined): number {
  const value = typeof options === "number" ? options : (options?.value ?? 1);
  if (typeof value !== "number") throw new OptionError(`${op}: expected 'value' to be a number, got ${typeof value}`);
  return value;
}

/** self + value·t1·t2; `value` as `{ value }` or a number. Int tensors stay int (value cast to int, as PyTorch). */
export function addcmul(self: Tensor, t1: Tensor, t2: Tensor, options?: AddcOptions | number): Tensor {
  const value = valueOf("addcmul", options);
  const [compute] = dtypesOf(A.addcmul, [self, t1, t2]);
  return callPointwise(A.addcmul, [self, t1, t2], [isFloating(compute) ? value : Math.trunc(value)]);
}

/** self + value·t1/t2; `value` as `{ value }` or a number. Integer t1 and t2 are PyTorch's error. */
export function addcdiv(self: Tensor, t1: Tensor, t2: Tensor, options?: AddcOptions | number): Tensor {
  const value = valueOf("addcdiv", options);
  if (!isFloating(t1.dtype) && !isFloating(t2.dtype)) {
    throw new DTypeError(`addcdiv: integer division with addcdiv is not supported (tensor1 ${t1.dtype}, tensor2 ${t2.dtype}); use add(input, mul(value, div(tensor1, tensor2)))`);
  }
  return callPointwise(A.addcdiv, [self, t1, t2], [value]);
}
