/**
 * The convolution family in plain JS: the JS backend's, the reference for the wasm kernels and
 * the wasm backend's path for mixed float types. The same scheme as theirs
 * (src/backend/wasm/conv.ts), on the JS matmul: a block of samples at a time within the
 * scratch budget, its im2col columns cols_g [K, b·P] per group g
 * (K = C/groups·kH·kW, P = oH·oW; taps outside the input read zero), and
 *   y_g = W_g · cols_g,   dcols_g = W_gᵀ · gy_g then col2im,   dW_g += gy_g · cols_gᵀ.
 */
import type { StridedView } from "../backend.js";
import { samplesPerBlock, type Conv2dGeometry } from "../convolution.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { copy } from "./copy.js";
import { matmul } from "./matmul.js";

/** [first, end) of the output positions t with 0 ≤ t·s + off < size. */
function inside(off: number, s: number, size: number, count: number): [number, number] {
  const first = off >= 0 ? 0 : Math.min(count, Math.ceil(-off / s));
  const end = off >= size ? 0 : Math.min(count, Math.floor((size - 1 - off) / s) + 1);
  return [first, Math.max(first, end)];
}

/** A fresh array like `like` (same element type) of `length`. */
function alloc(like: TypedArray, length: number): Float32Array | Float64Array {
  return like instanceof Float32Array ? new Float32Array(length) : new Float64Array(length);
}

/** The view's elements, contiguous (the weight, or a block of gy permuted to [O, b, P]). */
function dense(view: StridedView, like: TypedArray): Float32Array | Float64Array {
  const out = alloc(like, view.shape.reduce((p, s) => p * s, 1));
  copy(view, out);
  return out;
}

/** cols[ch, i, j, s, y, x] = x[n0 + s, ch, y·sh − ph + i·dh, x·sw − pw + j·dw], 0 outside. */
function im2col(g: Conv2dGeometry, x: StridedView, n0: number, b: number, cols: TypedArray): void {
  const [s0, s1, s2, s3] = x.strides as [number, number, number, number];
  const data = x.data;
  cols.fill(0 as never, 0, g.c * g.kh * g.kw * b * g.oh * g.ow);
  let dst = 0;
  for (let ch = 0; ch < g.c; ch++) {
    for (let i = 0; i < g.kh; i++) {
      const [y0, y1] = inside(i * g.dh - g.ph, g.sh, g.h, g.oh);
      for (let j = 0; j < g.kw; j++) {
        const offX = j * g.dw - g.pw;
        const [x0, x1] = inside(offX, g.sw, g.w, g.ow);
        for (let s = 0; s < b; s++, dst += g.oh * g.ow) {
          const plane = x.offset + (n0 + s) * s0 + ch * s1;
          for (let y = y0; y < y1; y++) {
            const from = plane + (y * g.sh - g.ph + i * g.dh) * s2 + offX * s3;
            const to = dst + y * g.ow;
            for (let xo = x0; xo < x1; xo++) cols[to + xo] = data[from + xo * g.sw * s3]!;
          }
        }
      }
    }
  }
}

/** The adjoint: out[s, ch, …] += cols[ch, i, j, s, y, x] over taps inside, into contiguous out [b, C, H, W] from element `at`, zeroed first. */
function col2im(g: Conv2dGeometry, cols: TypedArray, b: number, out: TypedArray, at: number): void {
  const hw = g.h * g.w;
  out.fill(0 as never, at, at + b * g.c * hw);
  let src = 0;
  for (let ch = 0; ch < g.c; ch++) {
    for (let i = 0; i < g.kh; i++) {
      const [y0, y1] = inside(i * g.dh - g.ph, g.sh, g.h, g.oh);
      for (let j = 0; j < g.kw; j++) {
        const offX = j * g.dw - g.pw;
        const [x0, x1] = inside(offX, g.sw, g.w, g.ow);
        for (let s = 0; s < b; s++, src += g.oh * g.ow) {
          const plane = at + (s * g.c + ch) * hw;
          for (let y = y0; y < y1; y++) {
            const to = plane + (y * g.sh - g.ph + i * g.dh) * g.w + offX;
            const from = src + y * g.ow;
            for (let xo = x0; xo < x1; xo++) (out[to + xo * g.sw] as number) += cols[from + xo] as number;
          }
        }
      }
    }
  }
}

interface Plan {
  p: number;
  k: number;
  og: number;
  /** Samples per block. */
  nb: number;
}

function plan(g: Conv2dGeometry, like: TypedArray): Plan {
  const p = g.oh * g.ow;
  const k = (g.c / g.groups) * g.kh * g.kw;
  const nb = samplesPerBlock(g.n, g.c * g.kh * g.kw * p + g.o * p, like.BYTES_PER_ELEMENT);
  return { p, k, og: g.o / g.groups, nb };
}

const view = (data: TypedArray, shape: number[], strides: number[], offset = 0): StridedView => ({ data, shape, strides, offset });

/** gy's block [b, O, P] as a contiguous [O, b·P] (the GEMM's operand over the whole block). */
function gyBlock(g: Conv2dGeometry, gy: StridedView, n0: number, b: number): Float32Array | Float64Array {
  const [s0, s1, s2, s3] = gy.strides as [number, number, number, number];
  return dense(view(gy.data, [g.o, b, g.oh, g.ow], [s1, s0, s2, s3], gy.offset + n0 * s0), gy.data);
}

export function conv2d(g: Conv2dGeometry, x: StridedView, weight: StridedView, bias: StridedView | null, out: TypedArray): void {
  const { p, k, og, nb } = plan(g, out);
  const w = dense(weight, out);
  const cols = alloc(out, nb * g.c * g.kh * g.kw * p);
  const tmp = alloc(out, nb * g.o * p);
  for (let n0 = 0; n0 < g.n; n0 += nb) {
    const b = Math.min(nb, g.n - n0);
    im2col(g, x, n0, b, cols);
    for (let grp = 0; grp < g.groups; grp++) {
      const res = tmp.subarray(grp * og * b * p, (grp + 1) * og * b * p);
      matmul({ a: view(w, [og, k], [k, 1], grp * og * k), b: view(cols, [k, b * p], [b * p, 1], grp * k * b * p), out: res, batchShape: [], m: og, k, n: b * p });
    }
    // tmp is [O, b, P]; y's block is [b, O, P], plus the bias of each channel
    for (let s = 0; s < b; s++) {
      for (let oc = 0; oc < g.o; oc++) {
        const add = bias === null ? 0 : (bias.data[bias.offset + oc * bias.strides[0]!] as number);
        const to = ((n0 + s) * g.o + oc) * p;
        const from = (oc * b + s) * p;
        for (let e = 0; e < p; e++) out[to + e] = (tmp[from + e] as number) + add;
      }
    }
  }
}

export function conv2dInput(g: Conv2dGeometry, gy: StridedView, weight: StridedView, out: TypedArray): void {
  const { p, k, og, nb } = plan(g, out);
  const w = dense(weight, out);
  const dcols = alloc(out, nb * g.c * g.kh * g.kw * p);
  for (let n0 = 0; n0 < g.n; n0 += nb) {
    const b = Math.min(nb, g.n - n0);
    const gyT = gyBlock(g, gy, n0, b);
    for (let grp = 0; grp < g.groups; grp++) {
      const res = dcols.subarray(grp * k * b * p, (grp + 1) * k * b * p);
      // A = W_gᵀ [K, O_g]: the weight read with its strides swapped
      matmul({ a: view(w, [k, og], [1, k], grp * og * k), b: view(gyT, [og, b * p], [b * p, 1], grp * og * b * p), out: res, batchShape: [], m: k, k: og, n: b * p });
    }
    col2im(g, dcols, b, out, n0 * g.c * g.h * g.w);
  }
}

export function conv2dWeight(g: Conv2dGeometry, x: StridedView, gy: StridedView, out: TypedArray): void {
  const { p, k, og, nb } = plan(g, out);
  const total = g.o * k;
  out.fill(0 as never, 0, total);
  const cols = alloc(out, nb * g.c * g.kh * g.kw * p);
  const part = alloc(out, og * k);
  for (let n0 = 0; n0 < g.n; n0 += nb) {
    const b = Math.min(nb, g.n - n0);
    im2col(g, x, n0, b, cols);
    const gyT = gyBlock(g, gy, n0, b);
    for (let grp = 0; grp < g.groups; grp++) {
      // B = cols_gᵀ [b·P, K]: the columns read with their strides swapped
      matmul({ a: view(gyT, [og, b * p], [b * p, 1], grp * og * b * p), b: view(cols, [b * p, k], [1, b * p], grp * k * b * p), out: part, batchShape: [], m: og, k: b * p, n: k });
      const at = grp * og * k;
      for (let e = 0; e < og * k; e++) (out[at + e] as number) += part[e] as number;
    }
  }
}

