/**
 * nonzero: the indices of the nonzero (true, NaN included) elements, as PyTorch's torch.nonzero:
 * an int32 [count, ndim] tensor in row-major order, or with asTuple one 1-d tensor per dim.
 */
import { webgpuContext } from "../backend/device.js";
import { COMPACT_SHADER } from "../backend/webgpu/wgsl-compact.js";
import type { Tensor } from "../tensor/tensor.js";
import { ne, toDType } from "./elementwise.js";
import { emptyTensor, fromTypedArray } from "./helpers.js";
import { nonzeroPositions } from "./masked.js";
import { cumsum } from "./scan.js";
import { clone, contiguous, reshape, select } from "./shape.js";

export interface NonzeroOptions {
  /** One index tensor per dim instead of one [count, ndim] tensor (PyTorch's as_tuple). */
  asTuple?: boolean;
}

/** Kernel: the multi-indices, row by row, of the given flat positions in a tensor of `shape`. */
export function unravelPositions(positions: Int32Array, shape: readonly number[]): Int32Array {
  const n = shape.length;
  const out = new Int32Array(positions.length * n);
  for (let k = 0; k < positions.length; k++) {
    let p = positions[k]!;
    for (let d = n - 1; d >= 0; d--) {
      const size = shape[d]!;
      const q = Math.floor(p / size);
      out[k * n + d] = p - q * size;
      p = q;
    }
  }
  return out;
}

/**
 * The multi-indices of x's nonzero elements on the webgpu device, as an int32 [count, ndim]
 * tensor of `shape` (x's, or [1] for a 0-d input read as 1-d): the flags' running count by the scan
 * kernel, the count read back (the one synchronous read: the result's shape depends on it, as in
 * PyTorch's CUDA nonzero), then each flagged element writes its row (wgsl-compact.ts).
 */
export function nonzeroRowsOnDevice(op: string, x: Tensor, shape: readonly number[]): Tensor {
  const device = x.storage.device;
  const n = x.numel();
  const ndim = shape.length;
  if (n === 0) return emptyTensor([0, ndim], "int32", op, device);
  // NaN counts as nonzero (ne is NaN-safe on the device)
  const flags = toDType(x.dtype === "bool" ? x.detach() : ne(x.detach(), 0), "int32");
  const cum = contiguous(cumsum(reshape(flags, [-1]), 0));
  const gpu = webgpuContext(op);
  const count = gpu.readSizeSync(op, cum.storage.gpu, cum.offset + n - 1, 1)[0]!;
  const out = emptyTensor([count, ndim], "int32", op, device);
  // the kernel reads cum from its first element (a fresh scan result starts there)
  if (count > 0 && ndim > 0) gpu.threads("compact", () => COMPACT_SHADER, [(cum.offset === 0 ? cum : clone(cum)).storage.gpu, out.storage.gpu], [n, ndim, ...shape], n);
  return out;
}

export function nonzero(x: Tensor, options: { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, options?: NonzeroOptions): Tensor;
export function nonzero(x: Tensor, { asTuple = false }: NonzeroOptions = {}): Tensor | Tensor[] {
  if (x.storage.device !== "cpu") {
    const rows = nonzeroRowsOnDevice("nonzero", x, asTuple && x.ndim === 0 ? [1] : x.shape);
    return asTuple ? rows.shape[1] === 0 ? [] : Array.from({ length: rows.shape[1]! }, (_, d) => contiguous(select(rows, 1, d))) : rows;
  }
  const positions = nonzeroPositions(x.toTypedArray());
  // as_tuple treats a 0-d input as 1-d, as PyTorch does
  const shape = asTuple && x.ndim === 0 ? [1] : x.shape;
  const rows = unravelPositions(positions, shape);
  const n = shape.length;
  if (!asTuple) return fromTypedArray(rows, [positions.length, n], "int32");
  return shape.map((_, d) => {
    const column = new Int32Array(positions.length);
    for (let k = 0; k < column.length; k++) column[k] = rows[k * n + d]!;
    return fromTypedArray(column, [positions.length], "int32");
  });
}
