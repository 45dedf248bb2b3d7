/**
 * clamp with number or tensor bounds: min(max(x, min), max), the bounds broadcasting with x.
 * Number bounds run the elementwise kernel (ClampBackward1); a tensor bound takes PyTorch's
 * tensor overload (ClampBackward0), whose result has the promoted dtype and the broadcast shape
 * of all three, and whose gradients go to x inside [min, max] and to the bound that was taken
 * outside it. A NaN in x or in a bound gives NaN, as in PyTorch. Either way one pointwise kernel
 * (declared in pointwise/declarations/arithmetic.ts), on the CPU and on the device alike.
 */
import { OptionError } from "../errors.js";
import type { DType } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import * as ew from "./elementwise.js";
import { callPointwise } from "./pointwise/call.js";
import * as A from "./pointwise/declarations/arithmetic.js";
import { checkOptions, optionKeys } from "./options.js";

/** A bound: a number, a tensor, or none (null or undefined). */
export type ClampBound = number | Tensor | null | undefined;

export interface ClampOptions {
  min?: number | Tensor | null;
  max?: number | Tensor | null;
}

const isOptions = (v: unknown): v is ClampOptions =>
  typeof v === "object" && v !== null && !(v instanceof Tensor) && !Array.isArray(v);

const CLAMP_KEYS = optionKeys<ClampOptions>({ min: true, max: true });

/**
 * min(max(x, min), max) (PyTorch's torch.clamp): `clamp(x, min, max)` or `clamp(x, { min, max })`,
 * each bound a number, a tensor (broadcast with x) or null.
 */
export function clamp(x: Tensor, options: ClampOptions): Tensor;
export function clamp(x: Tensor, min: ClampBound, max?: ClampBound): Tensor;
export function clamp(x: Tensor, minOrOptions?: ClampBound | ClampOptions, maxBound?: ClampBound): Tensor {
  if (isOptions(minOrOptions)) checkOptions("clamp", minOrOptions, CLAMP_KEYS);
  const { min, max } = isOptions(minOrOptions) ? minOrOptions : { min: minOrOptions, max: maxBound };
  for (const [name, b] of [["min", min], ["max", max]] as const) {
    if (b !== undefined && b !== null && typeof b !== "number" && !(b instanceof Tensor)) {
      throw new TypeError(`clamp: expected '${name}' to be a number, a Tensor or null, got ${typeof b}`);
    }
  }
  const lo = min ?? undefined;
  const hi = max ?? undefined;
  if (lo === undefined && hi === undefined) throw new OptionError("clamp: at least one of 'min' or 'max' must be given");
  if (!(lo instanceof Tensor) && !(hi instanceof Tensor)) return ew.clamp(x, { min: lo, max: hi });
  return clampTensor(x, lo, hi);
}

/**
 * The tensor overload as one pointwise kernel on every device (declarations/arithmetic.ts:
 * clampTensor, clampMinTensor, clampMaxTensor), broadcasting and promoting as PyTorch's. A number
 * beside a tensor bound is taken as x's dtype holds it (a 0-d tensor of x's dtype, as PyTorch
 * wraps it) and travels as the kernel's parameter.
 */
function clampTensor(x: Tensor, min: Tensor | number | undefined, max: Tensor | number | undefined): Tensor {
  const held = (b: Tensor | number | undefined): Tensor | number | undefined => (typeof b === "number" ? asDType(b, x.dtype) : b);
  const lo = held(min);
  const hi = held(max);
  if (lo !== undefined && hi !== undefined) return callPointwise(A.clampTensor, [x, lo, hi]);
  return lo !== undefined ? callPointwise(A.clampMinTensor, [x, lo]) : callPointwise(A.clampMaxTensor, [x, hi!]);
}

/** `value` as a tensor of `dtype` holds it (an int32 truncates, as a 0-d int32 tensor would). */
function asDType(value: number, dtype: DType): number {
  return dtype === "int32" ? Math.trunc(value) | 0 : value;
}

/** clamp(x, min): torch.clamp_min, a number or tensor lower bound. */
export function clampMin(x: Tensor, min: number | Tensor): Tensor {
  if (min === undefined || min === null) throw new OptionError("clampMin: expected 'min' to be a number or a Tensor, got " + String(min));
  return clamp(x, min, null);
}

/** clamp(x, undefined, max): torch.clamp_max, a number or tensor upper bound. */
export function clampMax(x: Tensor, max: number | Tensor): Tensor {
  if (max === undefined || max === null) throw new OptionError("clampMax: expected 'max' to be a number or a Tensor, got " + String(max));
  return clamp(x, null, max);
}

/** torch.clip: another name for clamp. */
export const clip = clamp;
