/**
 * Sums over leading and trailing dims with kept dims between (batch norm's statistics over
 * [0, 2, 3] of [N, C, H, W]) take a path of their own in ops/reduce.ts: the trailing dims as rows
 * in place, then the leading dims over those sums. Held here to plain float64 loops, with many
 * kept channels (the leading sum as a product) and few, keepdim or not, and to the gradient.
 */
import { describe, expect, it } from "vitest";
import { manualSeed, randn, sum, type Tensor } from "../packages/nabla/src/index.js";

/** Σ over dims [0, a) and [b, n) of x's values, in float64: [kept] values in row-major order. */
function reference(x: Tensor, a: number, b: number): number[] {
  const values = Array.from(x.toTypedArray(), Number);
  const size = (from: number, to: number) => x.shape.slice(from, to).reduce((p, s) => p * s, 1);
  const [lead, kept, trail] = [size(0, a), size(a, b), size(b, x.ndim)];
  const out = new Array<number>(kept).fill(0);
  for (let l = 0; l < lead; l++) for (let k = 0; k < kept; k++) for (let t = 0; t < trail; t++) out[k]! += values[(l * kept + k) * trail + t]!;
  return out;
}

describe("sum over leading and trailing dims", () => {
  const cases: [string, number[], number[], number, number][] = [
    ["[N, C, H, W] over [0, 2, 3], 40 channels", [3, 40, 5, 6], [0, 2, 3], 1, 2],
    ["[N, C, H, W] over [0, 2, 3], 4 channels", [5, 4, 3, 7], [0, 2, 3], 1, 2],
    ["[A, B, C, D] over [0, 1, 3]", [2, 3, 36, 5], [0, 1, 3], 2, 3],
    ["[A, B, C] over [0, 2]", [6, 3, 9], [0, 2], 1, 2],
  ];
  for (const dtype of ["float32", "float64"] as const) {
    it.each(cases)(`%s (${dtype}) equals the float64 loops; its gradient is ones`, (_, shape, dims, a, b) => {
      manualSeed(2);
      const x = randn(shape, { dtype }).requiresGrad_();
      const want = reference(x, a, b);
      for (const keepdim of [false, true]) {
        const s = sum(x, dims, keepdim);
        const kept = shape.slice(a, b);
        expect(s.shape).toEqual(keepdim ? shape.map((n, i) => (i < a || i >= b ? 1 : n)) : kept);
        const got = Array.from(s.toTypedArray(), Number);
        const tol = dtype === "float32" ? 1e-4 : 1e-12;
        got.forEach((v, i) => expect(Math.abs(v - want[i]!), `element ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i]!))));
      }
      x.grad = null;
      sum(x, dims).mul(2).sum().backward();
      expect(Array.from(x.grad!.toTypedArray(), Number).every((v) => v === 2)).toBe(true);
    });
  }
});
