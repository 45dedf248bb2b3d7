/**
 * The fused GRU step (nn/functional/gru-cell.ts) against its reference in ops: values and the
 * gradients of xw, hw, bias and h in float32 and float64, with and without a bias, hidden sizes that
 * are not a multiple of the SIMD lanes, extreme pre-activations, and second derivatives.
 *
 * These are the CPU backend's fused kernels, so the tensors are made on the CPU whatever the default
 * device (the webgpu device's fused step is test/webgpu-rnn-cell.test.ts's); the shape check is tested on
 * the default device.
 */
import { describe, expect, it } from "vitest";
import { autograd, enableGrad, gradcheck, manualSeed, randn, tensor, type Tensor } from "../packages/nabla/src/index.js";
import type { Device } from "../packages/nabla/src/backend/device.js";
import { backend } from "../packages/nabla/src/backend/backend.js";
import { gruCell, gruCellReference } from "../packages/nabla/src/nn/functional/gru-cell.js";

type DType = "float32" | "float64";

function inputs(N: number, H: number, dtype: DType, bias: boolean, device: Device | "default" = "cpu"): [Tensor, Tensor, Tensor | null, Tensor] {
  const make = (shape: number[]) => randn(shape, device === "default" ? { dtype } : { dtype, device }).mul(1.5).requiresGrad_();
  return [make([N, 3 * H]), make([N, 3 * H]), bias ? make([3 * H]) : null, make([N, H])];
}

function maxDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [Array.from(a.detach().contiguous().toTypedArray()), Array.from(b.detach().contiguous().toTypedArray())];
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
}

function run(step: typeof gruCell, xs: [Tensor, Tensor, Tensor | null, Tensor], w: Tensor) {
  const h = step(...xs);
  const grads = autograd.grad(h.mul(w).sum(), xs.filter((t): t is Tensor => t !== null)) as Tensor[];
  return { h, grads };
}

describe("fused GRU step", () => {
  it("the backend offers the fused kernels", () => {
    expect(backend().fused?.gruCell).toBeDefined();
    expect(backend().fused?.gruCellBackward).toBeDefined();
  });

  for (const dtype of ["float32", "float64"] as const) {
    const tol = dtype === "float64" ? 1e-12 : 2e-5;
    for (const [N, H, bias] of [[3, 5, true], [4, 8, false], [1, 1, true], [7, 51, true]] as const) {
      it(`${dtype}, N=${N}, H=${H}${bias ? "" : ", no bias"}: values and gradients match the ops`, () => {
        manualSeed(N * 100 + H);
        const xs = inputs(N, H, dtype, bias);
        const w = randn([N, H], { dtype, device: "cpu" });
        const fused = run(gruCell, xs, w);
        const ref = run(gruCellReference, xs, w);
        expect(fused.h.gradFn?.name).toBe("ThnnFusedGruCellBackward0");
        expect(maxDiff(fused.h, ref.h)).toBeLessThan(tol);
        expect(fused.grads.length).toBe(ref.grads.length);
        fused.grads.forEach((g, k) => expect(maxDiff(g, ref.grads[k]!)).toBeLessThan(tol * 10));
      });
    }

    it(`${dtype}: extreme and tiny pre-activations`, () => {
      const values = [-800, -100, -20, -0.31, -0.29, -1e-10, 0, 1e-10, 0.29, 0.31, 20, 100, 800, 3];
      const H = values.length / 2;
      const xw = tensor([values.concat(values.map((v) => -v)).concat(values.map((v) => v / 2))], { dtype, device: "cpu" }).reshape([2, 3 * H]).requiresGrad_();
      const hw = randn([2, 3 * H], { dtype, device: "cpu" }).requiresGrad_();
      const h = randn([2, H], { dtype, device: "cpu" }).requiresGrad_();
      const w = randn([2, H], { dtype, device: "cpu" });
      const fused = run(gruCell, [xw, hw, null, h], w);
      const ref = run(gruCellReference, [xw, hw, null, h], w);
      const t = dtype === "float64" ? 1e-13 : 1e-5;
      expect(maxDiff(fused.h, ref.h)).toBeLessThan(t);
      fused.grads.forEach((g, k) => expect(maxDiff(g, ref.grads[k]!)).toBeLessThan(t * 10));
    });
  }

  it("gradcheck in float64, first and second derivatives", () => {
    manualSeed(5);
    const xs = inputs(2, 3, "float64", true) as Tensor[];
    const step = (a: Tensor[]) => gruCell(a[0]!, a[1]!, a[2]!, a[3]!);
    expect(gradcheck((...a) => step(a), xs, { atol: 1e-6, rtol: 1e-4 })).toBe(true);
    const w = randn([2, 3], { dtype: "float64", device: "cpu" });
    // gradcheck's numerical pass runs without grad on plain copies: those become leaves here
    const firstOrder = (...given: Tensor[]) =>
      enableGrad(() => {
        const a = given.map((t) => (t.requiresGrad ? t : t.detach().requiresGrad_()));
        return autograd.grad(step(a).mul(w).sum(), a, { createGraph: true }) as Tensor[];
      });
    expect(gradcheck(firstOrder, xs, { atol: 1e-6, rtol: 1e-4 })).toBe(true);
  });

  it("refuses inputs of the wrong shapes, naming them", () => {
    const [xw, hw, b, h] = inputs(2, 3, "float32", true, "default"); // the default device: the check holds on every device
    expect(() => gruCell(xw, hw, b!.narrow(0, 0, 8), h)).toThrow(/gruCell: expected xw and hw \[N, 3H\].*bias \[8\]/);
  });
});
