/**
 * clamp with number or tensor bounds: min(max(x, min), max), the bounds broadcasting with x.
 * Number bounds run the elementwise kernel (ClampBackward1); a tensor bound takes PyTorch's
 * tensor overload (ClampBackward0), whose result has the promoted dtype and the broadcast shape
 * of all three, and whose gradients go to x inside [min, max] and to the bound that was taken
 * outside it. A NaN in x or in a bound gives NaN, as in PyTorch.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { kernelDevice } from "../backend/device.js";
import { OptionError } from "../errors.js";
import { promoteTypes, type DType } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import * as ew from "./elementwise.js";
import { resultTensor, scalarTensor } from "./helpers.js";
import { sumToShape } from "./reduce.js";
import { contiguous, expand } from "./shape.js";

/** A bound: a number, a tensor, or none (null or undefined). */
export type ClampBound = number | Tensor | null | undefined;

export interface ClampOptions {
  min?: number | Tensor | null;
  max?: number | Tensor | null;
}

/** Kernel: out[i] = min(max(x[i], lo[i]), hi[i]), NaN if any of the three is NaN. */
export function clampValues(x: ArrayLike<number>, lo: ArrayLike<number> | null, hi: ArrayLike<number> | null, out: { [i: number]: number; length: number }): void {
  for (let i = 0; i < out.length; i++) {
    let v = x[i]!;
    const a = lo === null ? -Infinity : lo[i]!;
    const b = hi === null ? Infinity : hi[i]!;
    if (v !== v || a !== a || b !== b) v = NaN;
    else v = Math.min(Math.max(v, a), b);
    out[i] = v;
  }
}

const isOptions = (v: unknown): v is ClampOptions =>
  typeof v === "object" && v !== null && !(v instanceof Tensor) && !Array.isArray(v);

/**
 * min(max(x, min), max) (PyTorch's torch.clamp): `clamp(x, min, max)` or `clamp(x, { min, max })`,
 * each bound a number, a tensor (broadcast with x) or null.
 */
export function clamp(x: Tensor, options: ClampOptions): Tensor;
export function clamp(x: Tensor, min: ClampBound, max?: ClampBound): Tensor;
export function clamp(x: Tensor, minOrOptions?: ClampBound | ClampOptions, maxBound?: ClampBound): Tensor {
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

function clampTensor(x: Tensor, min: Tensor | number | undefined, max: Tensor | number | undefined): Tensor {
  // a number beside a tensor bound becomes a 0-d tensor of x's dtype
  const asTensor = (b: Tensor | number | undefined) => (typeof b === "number" ? scalarTensor(b, x.dtype) : b);
  const lo = asTensor(min);
  const hi = asTensor(max);
  const bounds = [lo, hi].filter((b): b is Tensor => b !== undefined);
  const dtype = bounds.reduce((d, b) => promoteTypes(d, b.dtype), x.dtype);
  const shape = bounds.reduce((s, b) => broadcastShapes("clamp", s, b.shape), x.shape.slice());
  const inputs = [x, ...bounds];
  const out = kernelDevice("clamp", inputs) === "cpu" ? clampOnCpu(x, lo, hi, shape, dtype) : clampOnDevice(x, lo, hi, shape, dtype);
  return recordOp("ClampBackward0", out, inputs, (g) => {
    // x: where min ≤ x ≤ max
    let inside = lo ? ew.ge(x, lo) : null;
    if (hi) inside = inside ? ew.logicalAnd(inside, ew.le(x, hi)) : ew.le(x, hi);
    const gx = x.requiresGrad ? sumToShape(ew.where(inside!, g, 0), x.shape) : null;
    // min: where x < min (and min < max when both are given); max: where x > max (or max < min)
    const gLo = lo?.requiresGrad
      ? sumToShape(ew.where(hi ? ew.logicalAnd(ew.lt(x, lo), ew.lt(lo, hi)) : ew.lt(x, lo), g, 0), lo.shape)
      : null;
    const gHi = hi?.requiresGrad
      ? sumToShape(ew.where(lo ? ew.logicalOr(ew.gt(x, hi), ew.lt(hi, lo)) : ew.gt(x, hi), g, 0), hi.shape)
      : null;
    return lo && hi ? [gx, gLo, gHi] : [gx, lo ? gLo : gHi];
  }, inputs);
}

/** The CPU kernel over the operands broadcast to `shape` (read as typed arrays). */
function clampOnCpu(x: Tensor, lo: Tensor | undefined, hi: Tensor | undefined, shape: number[], dtype: DType): Tensor {
  const read = (t: Tensor) => contiguous(expand(t.detach(), shape)).toTypedArray();
  const out = resultTensor(shape, dtype);
  clampValues(read(x), lo ? read(lo) : null, hi ? read(hi) : null, out.storage.data);
  return out;
}

/**
 * On the webgpu device: maximum then minimum (each propagates NaN from either side, as
 * clampValues does), so the values never leave the device; cast to the promoted dtype.
 */
function clampOnDevice(x: Tensor, lo: Tensor | undefined, hi: Tensor | undefined, shape: number[], dtype: DType): Tensor {
  return noGrad(() => {
    let v = x.detach();
    if (lo) v = ew.maximum(v, lo.detach());
    if (hi) v = ew.minimum(v, hi.detach());
    return contiguous(expand(ew.toDType(v, dtype), shape));
  });
}
