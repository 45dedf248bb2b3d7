/**
 * Division rounded to an integer, as torch.div(a, b, rounding_mode=…) and torch.floor_divide:
 * "trunc" rounds toward 0, "floor" toward −∞ (Python's //). Integer operands stay integers; float
 * operands use PyTorch's float algorithm (declarations/arithmetic.ts: divFloor). The gradient is 0,
 * as PyTorch's. An integer division by zero is PyTorch's error where the divisor's values are on
 * the host (a number, or a CPU tensor); on the webgpu device it is not checked (CUDA's PyTorch does
 * not check either: the values stay on the device).
 */
import { OptionError } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import type { TensorOrScalar } from "./helpers.js";
import { callPointwise, dtypesOf } from "./pointwise/call.js";
import * as A from "./pointwise/declarations/arithmetic.js";

export type RoundingMode = "trunc" | "floor";

export interface DivOptions {
  /** null or left out: true division; "trunc": toward 0; "floor": toward −∞. */
  roundingMode?: RoundingMode | null;
}

/** a / b rounded as `roundingMode` says (null: true division is the caller's). */
export function divRounded(a: TensorOrScalar, b: TensorOrScalar, roundingMode: unknown): Tensor {
  if (roundingMode !== "trunc" && roundingMode !== "floor") {
    throw new OptionError(`div: expected roundingMode to be one of null, "trunc" or "floor", got ${JSON.stringify(roundingMode) ?? String(roundingMode)}`);
  }
  const [compute] = dtypesOf(A.divTrunc, [a, b]);
  if (!isFloating(compute)) {
    if (hasZeroOnHost(b)) throw new OptionError(`div: integer division by zero (roundingMode "${roundingMode}")`);
  }
  if (roundingMode === "trunc") return callPointwise(A.divTrunc, [a, b]);
  return callPointwise(isFloating(compute) ? A.divFloor : A.divFloorInt, [a, b]);
}

/** Whether b is 0, or a CPU tensor holding a 0 (the webgpu device's values are not read back). */
function hasZeroOnHost(b: TensorOrScalar): boolean {
  if (typeof b === "number") return b === 0;
  if (b.storage.device !== "cpu") return false;
  const values = b.toTypedArray();
  for (let i = 0; i < values.length; i++) if (values[i] === 0) return true;
  return false;
}

/** a // b: torch.floor_divide, div with roundingMode "floor". */
export function floorDivide(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return divRounded(a, b, "floor");
}

/** Whether a value is a DivOptions object (not a tensor or number). */
export const isDivOptions = (v: unknown): v is DivOptions => typeof v === "object" && v !== null && !(v instanceof Tensor);
