/**
 * The fused LSTM step (nn/functional/lstm-cell.ts: one kernel forward, one backward, where the
 * backend offers them — the JS backend's plain loops, the wasm backend's SIMD kernels) against
 * its reference in ops: values and gradients in float32 and float64, with and without a bias,
 * with only one of h' and c' used, hidden sizes that are not a multiple of the SIMD lanes, and
 * second derivatives (the differentiable backward under createGraph).
 *
 * These are the CPU backend's fused kernels, so the tensors are made on the CPU whatever the default
 * device (the webgpu device's fused step is test/webgpu-rnn-cell.test.ts's); the shape check is tested on
 * the default device.
 */
import { describe, expect, it } from "vitest";
import { autograd, enableGrad, gradcheck, manualSeed, randn, tensor, type Tensor } from "../packages/nabla/src/index.js";
import type { Device } from "../packages/nabla/src/backend/device.js";
import { backend } from "../packages/nabla/src/backend/backend.js";
import { lstmCell, lstmCellReference } from "../packages/nabla/src/nn/functional/lstm-cell.js";

type DType = "float32" | "float64";

function inputs(N: number, H: number, dtype: DType, bias: boolean, device: Device | "default" = "cpu"): [Tensor, Tensor, Tensor | null, Tensor] {
  const make = (shape: number[]) => randn(shape, device === "default" ? { dtype } : { dtype, device }).mul(1.5).requiresGrad_();
  return [make([N, 4 * H]), make([N, 4 * H]), bias ? make([4 * H]) : null, make([N, H])];
}

function maxDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [Array.from(a.detach().contiguous().toTypedArray()), Array.from(b.detach().contiguous().toTypedArray())];
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
}

/** Forward values and the gradients of every input under loss = Σ h'·wh + Σ c'·wc (either weight may be absent). */
function run(step: typeof lstmCell, xs: [Tensor, Tensor, Tensor | null, Tensor], wh: Tensor | null, wc: Tensor | null) {
  const [h, c] = step(...xs);
  let loss: Tensor | null = null;
  if (wh !== null) loss = h.mul(wh).sum();
  if (wc !== null) loss = loss === null ? c.mul(wc).sum() : loss.add(c.mul(wc).sum());
  const leaves = xs.filter((t): t is Tensor => t !== null);
  const grads = autograd.grad(loss!, leaves);
  return { h, c, grads: grads as Tensor[] };
}

describe("fused LSTM step", () => {
  it("the backend offers the fused kernels", () => {
    expect(backend().fused?.lstmCell).toBeDefined();
    expect(backend().fused?.lstmCellBackward).toBeDefined();
  });

  for (const dtype of ["float32", "float64"] as const) {
    const tol = dtype === "float64" ? 1e-12 : 2e-5;
    for (const [N, H, bias] of [[3, 5, true], [4, 8, false], [1, 1, true], [7, 51, true]] as const) {
      it(`${dtype}, N=${N}, H=${H}${bias ? "" : ", no bias"}: values and gradients match the ops`, () => {
        manualSeed(N * 100 + H);
        const xs = inputs(N, H, dtype, bias);
        const wh = randn([N, H], { dtype, device: "cpu" });
        const wc = randn([N, H], { dtype, device: "cpu" });
        const fused = run(lstmCell, xs, wh, wc);
        const ref = run(lstmCellReference, xs, wh, wc);
        expect(maxDiff(fused.h, ref.h)).toBeLessThan(tol);
        expect(maxDiff(fused.c, ref.c)).toBeLessThan(tol);
        expect(fused.grads.length).toBe(ref.grads.length);
        fused.grads.forEach((g, k) => expect(maxDiff(g, ref.grads[k]!)).toBeLessThan(tol * 10));
        // the step really ran fused: one node behind both states
        expect(fused.h.gradFn?.name).toBe("SelectBackward0");
      });
    }

    it(`${dtype}: only h' or only c' used`, () => {
      manualSeed(7);
      const xs = inputs(3, 6, dtype, true);
      const w = randn([3, 6], { dtype, device: "cpu" });
      for (const [wh, wc] of [[w, null], [null, w]] as const) {
        const fused = run(lstmCell, xs, wh, wc);
        const ref = run(lstmCellReference, xs, wh, wc);
        fused.grads.forEach((g, k) => expect(maxDiff(g, ref.grads[k]!)).toBeLessThan(tol * 10));
      }
    });
  }

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: extreme and tiny pre-activations (the gate functions' ranges and branch points)`, () => {
      const values = [-800, -100, -20, -0.31, -0.29, -1e-10, 0, 1e-10, 0.29, 0.31, 20, 100, 800, 3];
      const H = values.length / 2;
      const xw = tensor([values.concat(values.map((v) => -v)).concat(values.map((v) => v / 2)).concat(values.map((v) => -v / 2))], { dtype, device: "cpu" }).reshape([2, 4 * H]).requiresGrad_();
      const hw = randn([2, 4 * H], { dtype, device: "cpu" }).mul(1e-3).requiresGrad_();
      const c = tensor([values.map((v) => v / 10)], { dtype, device: "cpu" }).reshape([2, H]).requiresGrad_();
      const w = randn([2, H], { dtype, device: "cpu" });
      const fused = run(lstmCell, [xw, hw, null, c], w, w);
      const ref = run(lstmCellReference, [xw, hw, null, c], w, w);
      const tol = dtype === "float64" ? 1e-13 : 1e-5;
      expect(maxDiff(fused.h, ref.h)).toBeLessThan(tol);
      expect(maxDiff(fused.c, ref.c)).toBeLessThan(tol * 100); // c' reaches ±80
      fused.grads.forEach((g, k) => expect(maxDiff(g, ref.grads[k]!)).toBeLessThan(tol * 100));
    });
  }

  it("gradcheck in float64, first and second derivatives", () => {
    manualSeed(3);
    const xs = inputs(2, 3, "float64", true) as Tensor[];
    const step = (xw: Tensor, hw: Tensor, b: Tensor, c: Tensor) => lstmCell(xw, hw, b, c);
    expect(gradcheck((...a) => step(a[0]!, a[1]!, a[2]!, a[3]!), xs, { atol: 1e-6, rtol: 1e-4 })).toBe(true);
    const wh = randn([2, 3], { dtype: "float64", device: "cpu" });
    const wc = randn([2, 3], { dtype: "float64", device: "cpu" });
    // the gradients as functions of the inputs: their own derivatives go through the differentiable backward
    // (gradcheck's numerical pass runs without grad on plain copies: those become leaves here)
    const firstOrder = (...given: Tensor[]) =>
      enableGrad(() => {
        const a = given.map((t) => (t.requiresGrad ? t : t.detach().requiresGrad_()));
        const [h, c] = step(a[0]!, a[1]!, a[2]!, a[3]!);
        return autograd.grad(h.mul(wh).sum().add(c.mul(wc).sum()), a, { createGraph: true }) as Tensor[];
      });
    expect(gradcheck(firstOrder, xs, { atol: 1e-6, rtol: 1e-4 })).toBe(true);
  });

  it("refuses inputs of the wrong shapes, naming them", () => {
    const [xw, hw, b, c] = inputs(2, 3, "float32", true, "default"); // the default device: the check holds on every device
    expect(() => lstmCell(xw, hw.narrow(1, 0, 8), b, c)).toThrow(/lstmCell: expected xw and hw \[N, 4H\].*hw \[2, 8\]/);
  });
});
