/**
 * Weighted resampling along one dim, the core of the interpolating modes of F.interpolate:
 *
 *   out[…, j, …] = Σ_k w_k[j] · x[…, index_k[j], …]      (k = 0, 1, … summed in order)
 *
 * computed as PyTorch does, t₀·w₀ + t₁·w₁ + …, each step rounded to float32 for float32 data.
 * It is linear in x: the gradient is the adjoint (each g[…, j, …]·w_k[j] added back at
 * index_k[j]), and the adjoint's gradient is the resampling again, so second derivatives work.
 */
import { recordOp } from "../../autograd/node.js";
import { add, mul } from "../../ops/elementwise.js";
import { emptyTensor, fromTypedArray, resultTensor } from "../../ops/helpers.js";
import { indexSelect } from "../../ops/index-select.js";
import { contiguous } from "../../ops/shape.js";
import type { TypedArray } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { blockOf } from "./reindex.js";

/** Each output position's taps: input positions and weights, one array per tap. */
export interface Taps {
  index: Int32Array[];
  weight: Float64Array[];
}

/** out[o, j, i] = Σ_k weight[k][j]·src[o, index[k][j], i]; `r` rounds each step (Math.fround for float32). */
export function weightedRows(src: TypedArray, offset: number, outer: number, inSize: number, inner: number, taps: Taps, out: TypedArray, r: (v: number) => number): void {
  const n = taps.index[0]!.length;
  const k = taps.index.length;
  for (let o = 0; o < outer; o++) {
    const base = offset + o * inSize * inner;
    for (let j = 0; j < n; j++) {
      const to = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) {
        let acc = r(src[base + taps.index[0]![j]! * inner + i]! * taps.weight[0]![j]!);
        for (let t = 1; t < k; t++) acc = r(acc + r(src[base + taps.index[t]![j]! * inner + i]! * taps.weight[t]![j]!));
        out[to + i] = acc;
      }
    }
  }
}

/** The adjoint: out[o, index[k][j], i] += weight[k][j]·src[o, j, i], out [outer, outSize, inner] zeroed. */
export function weightedRowsAdjoint(src: TypedArray, offset: number, outer: number, outSize: number, inner: number, taps: Taps, out: TypedArray, r: (v: number) => number): void {
  const n = taps.index[0]!.length;
  for (let o = 0; o < outer; o++) {
    const base = o * outSize * inner;
    for (let j = 0; j < n; j++) {
      const from = offset + (o * n + j) * inner;
      for (let t = 0; t < taps.index.length; t++) {
        const to = base + taps.index[t]![j]! * inner;
        const w = taps.weight[t]![j]!;
        for (let i = 0; i < inner; i++) out[to + i] = r(out[to + i]! + r(src[from + i]! * w));
      }
    }
  }
}

const rounding = (t: Tensor) => (t.dtype === "float32" ? Math.fround : (v: number) => v);

/** x resampled along dim d by `taps` (float dtypes); `name` is the gradient node's name. */
export function resampleDim(name: string, x: Tensor, d: number, taps: Taps): Tensor {
  if (x.storage.device !== "cpu") return resampleOnDevice(x, d, taps);
  const c = contiguous(x.detach());
  const [outer, size, inner] = blockOf(c.shape, d);
  const shape = c.shape.slice();
  shape[d] = taps.index[0]!.length;
  const out = resultTensor(shape, c.dtype);
  weightedRows(c.storage.data, c.offset, outer, size, inner, taps, out.storage.data, rounding(c));
  return recordOp(name, out, [x], (g) => [resampleAdjoint(g, d, taps, size)]);
}

/**
 * resampleDim on the webgpu device, from its kernels: Σ_k w_k · (x index-selected at index_k
 * along d), summed in the CPU's order (each tap's indices and weights one counted upload). Its
 * gradient and that gradient's own are those of index-select (an atomic index-add: float32
 * sums in any order) and of the products.
 */
function resampleOnDevice(x: Tensor, d: number, taps: Taps): Tensor {
  const device = x.storage.device;
  const n = taps.index[0]!.length;
  const at = x.shape.map((_, i) => (i === d ? n : 1));
  let out: Tensor | null = null;
  taps.index.forEach((index, k) => {
    const picked = indexSelect(x, d, fromTypedArray(index, [n], "int32").to(device));
    const term = mul(picked, fromTypedArray(taps.weight[k]!, at, x.dtype).to(device));
    out = out === null ? term : add(out, term);
  });
  return out!;
}

/** The adjoint of resampleDim: size `size` along d. */
function resampleAdjoint(g: Tensor, d: number, taps: Taps, size: number): Tensor {
  const c = contiguous(g.detach());
  const [outer, , inner] = blockOf(c.shape, d);
  const shape = c.shape.slice();
  shape[d] = size;
  const out = emptyTensor(shape, c.dtype);
  weightedRowsAdjoint(c.storage.data, c.offset, outer, size, inner, taps, out.storage.data, rounding(c));
  return recordOp("ResampleBackwardBackward", out, [g], (gg) => [resampleDim("ResampleBackward", gg, d, taps)]);
}
