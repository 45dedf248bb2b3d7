/**
 * Comparing tensors as a whole or elementwise within a tolerance: torch.isclose (elementwise,
 * |a − b| ≤ atol + rtol·|b|), torch.allclose (all of them, a boolean) and torch.equal (same shape
 * and the same values, a boolean). allclose and equal read one value back from the device.
 */
import { DTypeError, OptionError } from "../errors.js";
import { shapesEqual } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { readValuesSync } from "../tensor/transfer.js";
import { all } from "./any-all.js";
import { eq } from "./elementwise.js";
import { callPointwise } from "./pointwise/call.js";
import * as A from "./pointwise/declarations/arithmetic.js";

export interface CloseOptions {
  /** Relative tolerance; 1e-5 by default, as PyTorch's. */
  rtol?: number;
  /** Absolute tolerance; 1e-8 by default, as PyTorch's. */
  atol?: number;
  /** Whether two NaNs count as close; false by default. */
  equalNan?: boolean;
}

/** Elementwise |a − b| ≤ atol + rtol·|b| (bool), broadcasting; a and b must share a dtype, as PyTorch's. */
export function isclose(a: Tensor, b: Tensor, { rtol = 1e-5, atol = 1e-8, equalNan = false }: CloseOptions = {}): Tensor {
  if (a.dtype !== b.dtype) throw new DTypeError(`isclose: expected both tensors to have the same dtype, got ${a.dtype} and ${b.dtype}`);
  if (!(rtol >= 0)) throw new OptionError(`isclose: rtol must be greater than or equal to zero, but got ${rtol}`);
  if (!(atol >= 0)) throw new OptionError(`isclose: atol must be greater than or equal to zero, but got ${atol}`);
  return callPointwise(A.isclose, [a, b], [rtol, atol, equalNan ? 1 : 0]);
}

/** Whether every element of a is close to b's (isclose, broadcasting). */
export function allclose(a: Tensor, b: Tensor, options: CloseOptions = {}): boolean {
  const close = all(isclose(a, b, options));
  return readValuesSync(close, "allclose", "await all(isclose(a, b)).toAsync(\"cpu\")")[0] === 1;
}

/** Whether a and b have the same shape and the same values (NaN never equals NaN), as torch.equal. */
export function equal(a: Tensor, b: Tensor): boolean {
  if (!shapesEqual(a.shape, b.shape)) return false;
  return readValuesSync(all(eq(a, b)), "equal", "await all(eq(a, b)).toAsync(\"cpu\")")[0] === 1;
}
