/** Batched matrix multiply of the JS backend: the reference the fast kernels are tested against. */
import type { MatmulArgs } from "../backend.js";
import type { TypedArray } from "../../tensor/dtype.js";

/**
 * out[b] = a[b] · b[b] for every batch index. Each row of out is accumulated in float64 with an
 * i-k-j loop, so the innermost loop runs along a contiguous row of B; B is first packed
 * row-major when it arrives transposed or strided (backward passes give B transposed).
 */
export function matmul({ a, b, out, batchShape, m, k, n }: MatmulArgs): void {
  const nb = a.shape.length - 2;
  const [sam, sak] = [a.strides[nb]!, a.strides[nb + 1]!];
  const [sbk, sbn] = [b.strides[nb]!, b.strides[nb + 1]!];
  const batches = batchShape.reduce((p, s) => p * s, 1);
  const acc = new Float64Array(n);
  const packed = sbn === 1 && sbk === n ? null : new Float64Array(k * n);
  const counter = new Array<number>(nb).fill(0);
  for (let batch = 0; batch < batches; batch++) {
    let offA = a.offset;
    let offB = b.offset;
    for (let d = 0; d < nb; d++) {
      offA += counter[d]! * a.strides[d]!;
      offB += counter[d]! * b.strides[d]!;
    }
    let bData: TypedArray | Float64Array = b.data;
    let bBase = offB;
    if (packed) {
      for (let kk = 0; kk < k; kk++) {
        for (let j = 0; j < n; j++) packed[kk * n + j] = b.data[offB + kk * sbk + j * sbn]!;
      }
      bData = packed;
      bBase = 0;
    }
    const outBase = batch * m * n;
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      const rowA = offA + i * sam;
      for (let kk = 0; kk < k; kk++) {
        const aik = a.data[rowA + kk * sak]!;
        const rowB = bBase + kk * n;
        for (let j = 0; j < n; j++) acc[j]! += aik * bData[rowB + j]!;
      }
      for (let j = 0; j < n; j++) out[outBase + i * n + j] = acc[j]!;
    }
    for (let d = nb - 1; d >= 0; d--) {
      if (++counter[d]! < batchShape[d]!) break;
      counter[d] = 0;
    }
  }
}
