/**
 * sum over leading dims of a contiguous tensor (a bias gradient's shape) runs as halving adds of
 * whole rows (ops/reduce.ts, sumLeadingRows): against plain sums, for even, odd and prime row
 * counts, several leading dims, keepdim, and its gradient.
 */
import { describe, expect, it } from "vitest";
import { randn, sum, type Tensor } from "../packages/nabla/src/index.js";

const flat = (t: Tensor) => Array.from(t.contiguous().toTypedArray());

/** Σ over the first `lead` dims, in float64 JS. */
function plain(x: Tensor, lead: number): number[] {
  const v = flat(x);
  const R = x.shape.slice(0, lead).reduce((p, s) => p * s, 1);
  const C = v.length / R;
  return Array.from({ length: C }, (_, c) => {
    let s = 0;
    for (let r = 0; r < R; r++) s += v[r * C + c]!;
    return s;
  });
}

describe("sum over leading dims", () => {
  for (const dtype of ["float32", "float64"] as const) {
    const tol = dtype === "float32" ? 1e-4 : 1e-12;
    for (const shape of [[2, 40], [7, 33], [13, 64], [64, 32], [3, 5, 40]]) {
      for (const lead of shape.length === 3 ? [1, 2] : [1]) {
        it(`${dtype} ${JSON.stringify(shape)} over the first ${lead} dim(s)`, () => {
          const x = randn(shape, { dtype }).requiresGrad_();
          const dims = Array.from({ length: lead }, (_, i) => i);
          const y = sum(x, dims);
          expect(y.shape).toEqual(shape.slice(lead));
          flat(y).forEach((v, i) => expect(Math.abs(v - plain(x.detach(), lead)[i]!)).toBeLessThan(tol));
          const kept = sum(x, dims, { keepdim: true });
          expect(kept.shape).toEqual(shape.map((s, i) => (i < lead ? 1 : s)));
          // d/dx Σ = 1 everywhere, times the upstream gradient broadcast back
          const w = randn(shape.slice(lead), { dtype });
          y.mul(w).sum().backward();
          const g = flat(x.grad!);
          const wv = flat(w);
          g.forEach((v, i) => expect(v).toBe(wv[i % wv.length]!));
        });
      }
    }
  }
});
