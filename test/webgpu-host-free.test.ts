/**
 * Ops that used to round-trip through the host on webgpu (issue 13) and now stay on the device:
 * F.gridSample (every mode, padding mode, alignCorners, 4-D and 5-D) and F.affineGrid, forward and
 * backward, and polygamma with n ≥ 2 (a WGSL Hurwitz zeta). Each runs from inputs already on the
 * device with the transfer counters watched (no read back, no upload, no size read), then its
 * values and input gradients are checked against PyTorch's float32 fixtures (nn_extra.json,
 * random_special_linalg.json).
 */
import { describe, expect, it } from "vitest";
import { deviceSizeReads, deviceTransfers, F, optim, polygamma, tensor, type Tensor } from "../packages/nabla/src/index.js";
import type { GridSampleOptions } from "../packages/nabla/src/nn/functional/grid-sample.js";
import { expectClose, fromFixture, loadFixture, type FixtureTensor, type Tolerance } from "./helpers.js";
import { startWebGpuDevice } from "./webgpu-device.js";

const reason = await startWebGpuDevice();

interface Case {
  inputs: FixtureTensor[];
  outputs: FixtureTensor[];
  grad_outputs: (FixtureTensor | null)[];
  input_grads: (FixtureTensor | null)[];
}

/**
 * Runs fn on the case's inputs (placed on the device first) and backward of Σ output·gradOut,
 * checking that nothing crosses between host and device meanwhile; then compares the output and
 * the input gradients with PyTorch's.
 */
async function checkOnDevice(name: string, c: Case, fn: (...xs: Tensor[]) => Tensor, tol: Tolerance = {}): Promise<void> {
  const inputs = c.inputs.map((t, i) => fromFixture(t, { device: "webgpu", requiresGrad: c.input_grads[i] !== null }));
  const gradOut = fromFixture(c.grad_outputs[0]!, { device: "webgpu" });
  const before = deviceTransfers();
  const reads = deviceSizeReads();
  const out = fn(...inputs);
  out.mul(gradOut).sum().backward();
  expect(deviceTransfers(), `${name}: transfers`).toEqual(before);
  expect(deviceSizeReads() - reads, `${name}: size reads`).toBe(0);
  expect(out.device).toBe("webgpu");
  expectClose(await out.detach().toAsync("cpu"), c.outputs[0]!, tol, `${name}: output`);
  for (let i = 0; i < inputs.length; i++) {
    const g = c.input_grads[i];
    const x = inputs[i]!;
    // PyTorch's gradient of an input the output does not depend on (nearest's grid) is zeros; nabla's is none
    if (!g || (x.grad === null && g.data.every((v) => v === 0))) continue;
    expect(x.grad!.device).toBe("webgpu");
    expectClose(await x.grad!.toAsync("cpu"), g, tol, `${name}: grad of input ${i}`);
  }
}

const SMALLEST_NORMAL = 2 ** -126;

interface SpecialCase {
  n?: number;
  inputs: FixtureTensor[];
  out: FixtureTensor;
  gradOut: FixtureTensor;
  grads: FixtureTensor[];
}

describe.skipIf(reason !== "")(`ops kept on the webgpu device${reason ? ` (skipped: ${reason})` : ""}`, () => {
  it("gridSample and affineGrid: PyTorch's values and gradients, nothing read back or uploaded", async () => {
    const { functions } = loadFixture<{ functions: Record<string, Case> }>("nn_extra.json");
    const grid = (options: GridSampleOptions) => (a: Tensor, g: Tensor) => F.gridSample(a, g, options);
    const cases: [string, (...xs: Tensor[]) => Tensor][] = [];
    for (const mode of ["bilinear", "nearest"] as const) {
      for (const paddingMode of ["zeros", "border", "reflection"] as const) {
        for (const alignCorners of [false, true]) cases.push([`grid_sample_${mode}_${paddingMode}_${alignCorners ? "align" : "noalign"}`, grid({ mode, paddingMode, alignCorners })]);
      }
    }
    cases.push(
      ["grid_sample_reflection_far_False", grid({ paddingMode: "reflection" })],
      ["grid_sample_reflection_far_True", grid({ paddingMode: "reflection", alignCorners: true })],
      ["grid_sample_5d_zeros", grid({ alignCorners: false })],
      ["grid_sample_5d_border", grid({ paddingMode: "border", alignCorners: true })],
      ["affine_grid_noalign", (t) => F.affineGrid(t, [2, 3, 4, 5], { alignCorners: false })],
      ["affine_grid_align", (t) => F.affineGrid(t, [2, 3, 4, 5], true)],
      ["affine_grid_5d", (t) => F.affineGrid(t, [2, 1, 3, 4, 5])],
      ["affine_grid_then_sample", (a, t) => F.gridSample(a, F.affineGrid(t, [1, 2, 6, 5]))],
    );
    for (const [name, fn] of cases) await checkOnDevice(name, functions[name]!, fn);
  });

  it("polygamma n ≥ 2: a WGSL Hurwitz zeta within docs/PARITY.md's float32 tolerance of PyTorch, its gradient too, nothing crossing", async () => {
    const { special } = loadFixture<{ special: (SpecialCase & { name: string; dtype: string })[] }>("random_special_linalg.json");
    const cases = special.filter((c) => c.dtype === "float32" && (c.n ?? 0) >= 2);
    expect(cases.map((c) => c.n)).toEqual([2, 3]);
    for (const c of cases) {
      // the inputs include −0.5, −2.3, −7.6, where the direct sum alternates in sign (odd n + 1)
      const asCase: Case = { inputs: c.inputs, outputs: [c.out], grad_outputs: [c.gradOut], input_grads: c.grads };
      await checkOnDevice(`polygamma(${c.n})`, asCase, (x) => polygamma(c.n!, x), { rtol: 1e-6, atol: 0 });
    }
    // against the CPU's float64 rounded once, over (0, 10] and large x, and [−10, 0), orders 2 … 10;
    // large x is where the unscaled float32 sum would flush its terms (x^(n+1) beyond float32)
    const positive = [...Array.from({ length: 300 }, (_, i) => (i + 1) / 29.7), 1000, 3000, 12345.678, 1e5, 1e10];
    const negative = positive.filter((v) => !Number.isInteger(v)).map((v) => -v);
    for (const n of [2, 3, 4, 5, 7, 10]) {
      for (const [xs, rtol] of [[positive, 1e-6], [negative, 1e-5]] as const) {
        const gpu = await polygamma(n, tensor(xs, { device: "webgpu" })).dataAsync();
        const cpu = polygamma(n, tensor(xs)).toTypedArray();
        xs.forEach((x, i) => {
          // a subnormal result may flush to 0 on a GPU
          if (Math.abs(cpu[i]!) < SMALLEST_NORMAL && Math.abs(gpu[i]!) < SMALLEST_NORMAL) return;
          if (!(Math.abs(gpu[i]! - cpu[i]!) <= rtol * Math.abs(cpu[i]!))) expect.fail(`polygamma(${n}, ${x}): ${gpu[i]} vs ${cpu[i]}`);
        });
      }
    }
    // poles, NaN and ±inf as the CPU's
    const edges = [0, -0, -1, -3, NaN, Infinity, -Infinity];
    expect(Array.from(await polygamma(2, tensor(edges, { device: "webgpu" })).dataAsync())).toEqual(Array.from(polygamma(2, tensor(edges)).toTypedArray()));
  });

  it("LBFGS reads each parameter once per step, then per evaluation only the loss and the gradients", async () => {
    for (const lineSearchFn of [null, "strong_wolfe"] as const) {
      const w = tensor([[0.5, -1], [2, 0.25]], { device: "webgpu", requiresGrad: true });
      const b = tensor([0.1, -0.3], { device: "webgpu", requiresGrad: true });
      const x = tensor([[1, 2], [3, -1], [0.5, 0.5]], { device: "webgpu" });
      const y = tensor([[1, 0], [0, 1], [1, 1]], { device: "webgpu" });
      const opt = new optim.LBFGS([w, b], { lr: 0.5, maxIter: 6, lineSearchFn });
      const closure = () => {
        opt.zeroGrad();
        const loss = x.matmul(w).add(b).sub(y).pow(2).mean();
        loss.backward();
        return loss;
      };
      const before = deviceTransfers().toHost;
      opt.step(closure);
      const evaluations = opt.state.get(w)!.func_evals!;
      expect(evaluations).toBeGreaterThan(3);
      // per evaluation: the loss and the two gradients; once: the two parameters
      expect(deviceTransfers().toHost - before, `${lineSearchFn}`).toBe(evaluations * 3 + 2);
    }
  });
});
