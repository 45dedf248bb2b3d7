/** Max pooling over [N, C, H, W] windows and col2im (fold2d): the references for the wasm kernels. */
import type { MaxPool2dArgs, StridedView } from "../backend.js";
import type { TypedArray } from "../../tensor/dtype.js";

export function fold2d(cols: StridedView, size: readonly number[], stride: readonly number[], dilation: readonly number[], out: TypedArray): void {
  const [n, c, kh, kw, oh, ow] = cols.shape as [number, number, number, number, number, number];
  const [cs0, cs1, cs2, cs3, cs4, cs5] = cols.strides as [number, number, number, number, number, number];
  const [h, w] = size as [number, number];
  const [sh, sw] = stride as [number, number];
  const [dh, dw] = dilation as [number, number];
  const src = cols.data;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = (b * c + ch) * h * w;
      const base = cols.offset + b * cs0 + ch * cs1;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const tap = base + i * cs2 + j * cs3;
          for (let y = 0; y < oh; y++) {
            const row = plane + (y * sh + i * dh) * w + j * dw;
            const from = tap + y * cs4;
            for (let x = 0; x < ow; x++) out[row + x * sw]! += src[from + x * cs5]!;
          }
        }
      }
    }
  }
}

export function maxPool2d(args: MaxPool2dArgs): void {
  const { x, kernel, stride, padding, dilation, out, values, indices } = args;
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [s0, s1, s2, s3] = x.strides as [number, number, number, number];
  const [kh, kw] = kernel as [number, number];
  const [sh, sw] = stride as [number, number];
  const [ph, pw] = padding as [number, number];
  const [dh, dw] = dilation as [number, number];
  const [oh, ow] = out as [number, number];
  const data = x.data;
  let e = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = x.offset + b * s0 + ch * s1;
      for (let i = 0; i < oh; i++) {
        const h0 = i * sh - ph;
        for (let j = 0; j < ow; j++, e++) {
          const w0 = j * sw - pw;
          let best = NaN;
          let at = -1;
          for (let a = 0; a < kh && (at < 0 || best === best); a++) {
            const hh = h0 + a * dh;
            if (hh < 0 || hh >= h) continue;
            for (let q = 0; q < kw; q++) {
              const ww = w0 + q * dw;
              if (ww < 0 || ww >= w) continue;
              const v = data[plane + hh * s2 + ww * s3]!;
              if (at < 0 || v !== v || v > best) {
                best = v;
                at = hh * w + ww;
                if (v !== v) break;
              }
            }
          }
          values[e] = best;
          if (indices !== null) indices[e] = at;
        }
      }
    }
  }
}
