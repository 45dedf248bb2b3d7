/**
 * The convolution family as direct loops (no scratch at all): the reference for the wasm
 * kernels and the path for float64. Each output tap (i, j) touches the output columns x whose
 * input column x·sw − pw + j·dw lies inside the image, and likewise for rows.
 */
import type { StridedView } from "../backend.js";
import type { Conv2dGeometry } from "../convolution.js";
import type { TypedArray } from "../../tensor/dtype.js";

/** [first, end) of the output positions t with 0 ≤ t·s + off < size. */
function inside(off: number, s: number, size: number, count: number): [number, number] {
  const first = off >= 0 ? 0 : Math.min(count, Math.ceil(-off / s));
  const end = off >= size ? 0 : Math.min(count, Math.floor((size - 1 - off) / s) + 1);
  return [first, Math.max(first, end)];
}

/**
 * Calls visit(b, oc, gc, i, j) for every (sample, output channel, input channel, tap) pair the
 * convolution links, gc being the input channel's index in x.
 */
function eachLink(g: Conv2dGeometry, visit: (b: number, oc: number, gc: number, ch: number, i: number, j: number) => void): void {
  const cg = g.c / g.groups;
  const og = g.o / g.groups;
  for (let b = 0; b < g.n; b++) {
    for (let oc = 0; oc < g.o; oc++) {
      const base = Math.floor(oc / og) * cg;
      for (let ch = 0; ch < cg; ch++) {
        for (let i = 0; i < g.kh; i++) for (let j = 0; j < g.kw; j++) visit(b, oc, base + ch, ch, i, j);
      }
    }
  }
}

/** y[b, oc] += W[oc, ch, i, j] · (x[b, gc] shifted by the tap), or the adjoint moves of it. */
function forTap(g: Conv2dGeometry, i: number, j: number, f: (y: number, x: number, row: number, col: number) => void): void {
  const [y0, y1] = inside(i * g.dh - g.ph, g.sh, g.h, g.oh);
  const [x0, x1] = inside(j * g.dw - g.pw, g.sw, g.w, g.ow);
  for (let y = y0; y < y1; y++) {
    const row = y * g.sh - g.ph + i * g.dh;
    for (let x = x0; x < x1; x++) f(y, x, row, x * g.sw - g.pw + j * g.dw);
  }
}

const at4 = (v: StridedView, a: number, b: number, c: number, d: number): number =>
  v.data[v.offset + a * v.strides[0]! + b * v.strides[1]! + c * v.strides[2]! + d * v.strides[3]!] as number;

export function conv2d(g: Conv2dGeometry, x: StridedView, weight: StridedView, bias: StridedView | null, out: TypedArray): void {
  const p = g.oh * g.ow;
  out.fill(0 as never, 0, g.n * g.o * p);
  if (bias !== null) {
    for (let b = 0; b < g.n; b++) {
      for (let oc = 0; oc < g.o; oc++) out.fill(bias.data[bias.offset + oc * bias.strides[0]!] as never, (b * g.o + oc) * p, (b * g.o + oc + 1) * p);
    }
  }
  eachLink(g, (b, oc, gc, ch, i, j) => {
    const wv = at4(weight, oc, ch, i, j);
    const plane = (b * g.o + oc) * p;
    forTap(g, i, j, (y, xo, row, col) => {
      (out[plane + y * g.ow + xo] as number) += wv * at4(x, b, gc, row, col);
    });
  });
}

export function conv2dInput(g: Conv2dGeometry, gy: StridedView, weight: StridedView, out: TypedArray): void {
  out.fill(0 as never, 0, g.n * g.c * g.h * g.w);
  eachLink(g, (b, oc, gc, ch, i, j) => {
    const wv = at4(weight, oc, ch, i, j);
    const plane = (b * g.c + gc) * g.h * g.w;
    forTap(g, i, j, (y, xo, row, col) => {
      (out[plane + row * g.w + col] as number) += wv * at4(gy, b, oc, y, xo);
    });
  });
}

export function conv2dWeight(g: Conv2dGeometry, x: StridedView, gy: StridedView, out: TypedArray): void {
  const cg = g.c / g.groups;
  out.fill(0 as never, 0, g.o * cg * g.kh * g.kw);
  eachLink(g, (b, oc, gc, ch, i, j) => {
    let s = 0;
    forTap(g, i, j, (y, xo, row, col) => {
      s += at4(gy, b, oc, y, xo) * at4(x, b, gc, row, col);
    });
    (out[((oc * cg + ch) * g.kh + i) * g.kw + j] as number) += s;
  });
}
