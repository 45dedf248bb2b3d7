/**
 * Logical reductions: any (is some element nonzero) and all (is every element nonzero), over the
 * whole tensor or along dims, with keepdim. Results are bool; NaN counts as nonzero, as in PyTorch.
 */
import { keepdimOf, type ReduceOptions } from "./reduce.js";
import { normalizeDims } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { webgpuContext } from "../backend/device.js";
import { ne } from "./elementwise.js";
import { filledTensor, fromTypedArray } from "./helpers.js";
import { contiguous, permute } from "./shape.js";

/** Kernel: for each of `outer` rows of `inner` values, whether any (or every) value is nonzero. */
export function anyRows(data: ArrayLike<number>, outer: number, inner: number, every: boolean, out: Uint8Array): void {
  for (let o = 0; o < outer; o++) {
    let result = every;
    for (let i = o * inner, end = i + inner; i < end; i++) {
      if ((data[i] !== 0) !== every) {
        result = !every;
        break;
      }
    }
    out[o] = result ? 1 : 0;
  }
}

function logicalReduce(op: "any" | "all", x: Tensor, dim: number | readonly number[] | undefined, keepdim: boolean): Tensor {
  const dims = normalizeDims(op, dim, x.ndim);
  const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const moved = contiguous(permute(x.detach(), [...kept, ...dims]));
  const inner = dims.reduce((p, d) => p * x.shape[d]!, 1);
  const outer = kept.reduce((p, d) => p * x.shape[d]!, 1);
  const shape = keepdim ? x.shape.map((s, i) => (dims.includes(i) ? 1 : s)) : kept.map((d) => x.shape[d]!);
  if (x.storage.device !== "cpu") {
    // on the webgpu device: the rows as bools, their max (any) or min (all) by the reduce kernel;
    // an empty row is false for any, true for all (the kernel has no identity for max/min)
    const out = filledTensor(shape, "bool", op === "all" ? 1 : 0, x.storage.device);
    if (inner > 0) webgpuContext(op).reduce(op === "any" ? "max" : "min", contiguous(ne(moved, 0)).storage.gpu, outer, inner, out.storage.gpu);
    return out;
  }
  const result = new Uint8Array(outer);
  anyRows(moved.toTypedArray(), outer, inner, op === "all", result);
  return fromTypedArray(result, shape, "bool");
}

/** Whether any element is nonzero: over everything, or along dim (PyTorch's torch.any). */
export function any(x: Tensor, dim?: number | readonly number[], options: ReduceOptions | boolean = {}): Tensor {
  return logicalReduce("any", x, dim, keepdimOf(options, "any"));
}

/** Whether every element is nonzero: over everything, or along dim (PyTorch's torch.all). */
export function all(x: Tensor, dim?: number | readonly number[], options: ReduceOptions | boolean = {}): Tensor {
  return logicalReduce("all", x, dim, keepdimOf(options, "all"));
}
