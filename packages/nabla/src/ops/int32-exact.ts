/**
 * Sums and products of int32 tensors. PyTorch computes them in int64, which nabla lacks; int32
 * arithmetic would wrap without a word (2147483647 + 1 = −2147483648, where PyTorch says
 * 2147483648). So they are computed in float64, exact far past int32's range (to 2⁵³), and come
 * back as int32 where every value fits; a value that does not is an error naming the op.
 */
import { DTypeError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { toDType } from "./elementwise.js";
import { contiguousData } from "./helpers.js";

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** `compute` (the op on a float64 tensor) run on int32 `x`'s values, its result checked and cast back to int32. */
export function int32Exact(op: string, x: Tensor, compute: (wide: Tensor) => Tensor): Tensor {
  const wide = compute(toDType(x, "float64"));
  const values = contiguousData(wide.contiguous());
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // NaN: a product past float64's range times a zero
    if (!(v >= INT32_MIN && v <= INT32_MAX)) {
      throw new DTypeError(
        `${op}: the result ${v} does not fit in int32 (PyTorch's result here is int64, which nabla does not have): ` +
          `convert the input first, e.g. x.double()`,
      );
    }
  }
  return toDType(wide, "int32");
}
