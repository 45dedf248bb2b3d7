/**
 * gcd and lcm of int32 tensors (PyTorch's, broadcasting): gcd by Euclid's algorithm on |a| and
 * |b| (gcd(0, 0) = 0), lcm = |a / gcd · b| (0 where either is 0). Computed exactly in float64
 * and refused where a result does not fit int32 (PyTorch's int64 results have room; its int32
 * ones wrap), as nabla's other int32 arithmetic. CPU kernels: on the webgpu device, an error.
 */
import { noGpuKernel } from "../backend/device.js";
import { DTypeError } from "../errors.js";
import { broadcastShapes } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { requireTensor } from "./arguments.js";
import { contiguousData, fromTypedArray } from "./helpers.js";
import { contiguous, expand } from "./shape.js";

const INT32_MAX = 2147483647;

function gcdOf(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

function lcmOf(a: number, b: number): number {
  const g = gcdOf(a, b);
  return g === 0 ? 0 : Math.abs((a / g) * b);
}

function intPairwise(op: string, a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  requireTensor(op, "input", a);
  requireTensor(op, "other", b);
  for (const t of [a, b]) if (t.dtype !== "int32") throw new DTypeError(`${op}: not implemented for ${t.dtype} (expected int32 tensors)`);
  if (a.device !== "cpu" || b.device !== "cpu") throw noGpuKernel(op);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const x = contiguousData(contiguous(expand(a, shape)));
  const y = contiguousData(contiguous(expand(b, shape)));
  const out = new Int32Array(x.length);
  for (let i = 0; i < out.length; i++) {
    const v = f(x[i]!, y[i]!);
    if (v > INT32_MAX) throw new DTypeError(`${op}: the result ${v} (of ${x[i]} and ${y[i]}) does not fit in int32 (PyTorch's result here is int64, which nabla does not have)`);
    out[i] = v;
  }
  return fromTypedArray(out, shape, "int32");
}

/** Greatest common divisor, elementwise (non-negative). */
export function gcd(input: Tensor, other: Tensor): Tensor {
  return intPairwise("gcd", input, other, gcdOf);
}

/** Least common multiple, elementwise (non-negative). */
export function lcm(input: Tensor, other: Tensor): Tensor {
  return intPairwise("lcm", input, other, lcmOf);
}
