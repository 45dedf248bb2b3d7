/**
 * Testing for and replacing non-finite values: isnan, isinf, isposinf, isneginf (bool results;
 * always false for int32 and bool tensors) and nanToNum, which replaces NaN, +inf and −inf by
 * finite numbers (by default 0 and the dtype's largest and smallest finite values).
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { OptionError } from "../errors.js";
import { isFloating, type DType, type TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { abs, eq, isfinite, ne, where } from "./elementwise.js";
import { contiguousData, emptyTensor, resultTensor } from "./helpers.js";
import { clone, contiguous } from "./shape.js";

/** NaN is the one value that differs from itself. */
export function isnan(x: Tensor): Tensor {
  return isFloating(x.dtype) ? ne(x, x) : emptyTensor(x.shape, "bool", "isnan", x.storage.device);
}

export function isinf(x: Tensor): Tensor {
  return isFloating(x.dtype) ? eq(abs(x.detach()), Infinity) : emptyTensor(x.shape, "bool", "isnan", x.storage.device);
}

export function isposinf(x: Tensor): Tensor {
  return isFloating(x.dtype) ? eq(x, Infinity) : emptyTensor(x.shape, "bool", "isnan", x.storage.device);
}

export function isneginf(x: Tensor): Tensor {
  return isFloating(x.dtype) ? eq(x, -Infinity) : emptyTensor(x.shape, "bool", "isnan", x.storage.device);
}

export interface NanToNumOptions {
  /** What NaN becomes (default 0). */
  nan?: number;
  /** What +inf becomes (default the dtype's largest finite value). */
  posinf?: number;
  /** What −inf becomes (default the dtype's smallest finite value). */
  neginf?: number;
}

/** The largest finite value of a float dtype. */
function largestFinite(dtype: DType): number {
  return dtype === "float32" ? 3.4028234663852886e38 : Number.MAX_VALUE;
}

/** Kernel: out[i] = data[i] with NaN, +inf and −inf replaced. */
export function replaceNonFinite(data: TypedArray, out: TypedArray, nan: number, posinf: number, neginf: number): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    out[i] = v !== v ? nan : v === Infinity ? posinf : v === -Infinity ? neginf : v;
  }
}

/**
 * x with NaN, +inf and −inf replaced by finite numbers (PyTorch's torch.nan_to_num); an int32 or
 * bool tensor comes back as a copy. The gradient passes where x was finite, and is 0 elsewhere.
 */
export function nanToNum(x: Tensor, { nan = 0, posinf, neginf }: NanToNumOptions = {}): Tensor {
  for (const [name, v] of [["nan", nan], ["posinf", posinf], ["neginf", neginf]] as const) {
    if (v !== undefined && typeof v !== "number") throw new OptionError(`nanToNum: ${name} must be a number, got ${typeof v}`);
  }
  if (!isFloating(x.dtype)) return clone(x);
  const top = largestFinite(x.dtype);
  const c = contiguous(x.detach());
  let out: Tensor;
  if (c.storage.device !== "cpu") {
    // on the webgpu device: the replacements as selects (NaN and ±inf tested by their bits there)
    const [p, n] = [posinf ?? top, neginf ?? -top];
    out = noGrad(() => where(isnan(c), nan, where(isposinf(c), p, where(isneginf(c), n, c))));
  } else {
    out = resultTensor(x.shape, x.dtype);
    replaceNonFinite(contiguousData(c), out.storage.data, nan, posinf ?? top, neginf ?? -top);
  }
  // d/dx = 1 where x is finite, 0 where it was replaced
  return recordOp("NanToNumBackward0", out, [x], (g) => [where(isfinite(x), g, 0)], [x]);
}
