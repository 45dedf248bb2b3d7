/**
 * Batch normalisation through the CPU backend's fused kernels (issue 10: wasm's statistics and
 * output passes, its Σdy / Σdy·x̂ and dx passes) against PyTorch (scripts/make_batchnorm_fixtures.py
 * → batchnorm.json): outputs, gradients and running statistics in training and eval mode over
 * ragged shapes, float64, momentum None, no running statistics, no affine parameters; the running
 * statistics' update (in the forward kernel on wasm) against running-stats.ts's ops bit for bit, with
 * and without a graph, and through strided buffers; second derivatives (createGraph, where the
 * backward runs in ops); and the split by channel across two threads, which must give the
 * one-thread bits. On the js backend the same cases run the composed
 * reference.
 */
import { describe, expect, it, vi } from "vitest";
import { autograd, F, getBackend, getNumThreads, nn, noGrad, ones, randn, manualSeed, setNumThreads, zeros, type Tensor } from "../packages/nabla/src/index.js";
import { backend } from "../packages/nabla/src/backend/backend.js";
import { expectClose, expectSameValues, fromFixture, idleHelpersReady, loadFixture, values, type FixtureTensor } from "./helpers.js";
import { checkCase, type LayerCase } from "./layers-harness.js";

interface DoubleBackwardCase {
  training: boolean;
  [name: string]: FixtureTensor | boolean;
}

const { cases } = loadFixture<{ cases: Record<string, LayerCase | DoubleBackwardCase> }>("batchnorm.json");

/** float32 to about an ulp of the values' scale (float64 keeps the default 1e-10). */
const TIGHT = { rtol: 2e-6, atol: 1e-6 };

const modules: [string, () => nn.AnyModule, "float32" | "float64"][] = [
  ["bn2d_odd", () => new nn.BatchNorm2d(5), "float32"],
  ["bn2d_f64", () => new nn.BatchNorm2d(3, { dtype: "float64" }), "float64"],
  ["bn1d_2d_odd", () => new nn.BatchNorm1d(7, { momentum: 0.2 }), "float32"],
  ["bn1d_2d_f64", () => new nn.BatchNorm1d(4, { dtype: "float64" }), "float64"],
  ["bn1d_3d", () => new nn.BatchNorm1d(3, { eps: 1e-3 }), "float32"],
  ["bn2d_cma", () => new nn.BatchNorm2d(3, { momentum: null }), "float32"],
  ["bn2d_no_stats", () => new nn.BatchNorm2d(5, { trackRunningStats: false }), "float32"],
  ["bn2d_no_affine", () => new nn.BatchNorm2d(6, { affine: false }), "float32"],
  ["bn2d_no_affine_f64", () => new nn.BatchNorm2d(3, { affine: false, dtype: "float64" }), "float64"],
  ["bn1d_2d_cma_f64", () => new nn.BatchNorm1d(9, { momentum: null, dtype: "float64" }), "float64"],
  ["bn1d_2d_blocks", () => new nn.BatchNorm1d(37, { momentum: 0.3 }), "float32"],
  ["bn1d_3d_cma", () => new nn.BatchNorm1d(5, { momentum: null }), "float32"],
];

describe("BatchNorm matches PyTorch (outputs, gradients, running statistics)", () => {
  it.skipIf(getBackend() !== "wasm")("runs the backend's fused kernels on wasm, forward and backward", () => {
    const x = randn([4, 3, 5]).requiresGrad_(true);
    const bn = new nn.BatchNorm1d(3);
    bn.forward(x); // starts the kernels (their methods replace the stubs)
    const forward = vi.spyOn(backend().fused!, "batchNorm");
    const backward = vi.spyOn(backend().fused!, "batchNormBackward");
    try {
      bn.forward(x).sum().backward();
      bn.eval().forward(x).sum().backward();
      expect([forward.mock.calls.length, backward.mock.calls.length]).toEqual([2, 2]);
    } finally {
      forward.mockRestore();
      backward.mockRestore();
    }
  });
  it.each(modules)("%s: a training step", (name, make, dtype) => {
    checkCase(cases[`${name}_train`] as LayerCase, make().train(), undefined, dtype === "float32" ? TIGHT : {});
  });
  it.each(modules)("%s: eval", (name, make, dtype) => {
    checkCase(cases[`${name}_eval`] as LayerCase, make().eval(), undefined, dtype === "float32" ? TIGHT : {});
  });
});

describe("the running statistics (moved by the forward kernel on wasm)", () => {
  const shapes = [[70, 37], [4, 5, 7], [3, 6, 5, 5]];
  const dtypes = ["float32", "float64"] as const;
  const batch = (shape: number[], dtype: "float32" | "float64", seed: number) => {
    manualSeed(seed);
    return randn(shape, { dtype }).mul(2).add(0.5);
  };

  it.each(dtypes)("are running-stats.ts's float operations bit for bit (%s)", (dtype) => {
    for (const shape of shapes) {
      const c = shape[1]!;
      const x = batch(shape, dtype, 3);
      // momentum 1 from zeros leaves exactly the batch's μ and σ²·count/(count − 1) (unbiased)
      const [mu, unbiased] = [zeros([c], { dtype }), zeros([c], { dtype })];
      F.batchNorm(x, mu, unbiased, { training: true, momentum: 1 });
      for (const momentum of [0.1, 0.3, 1 / 3]) {
        const [rm, rv] = [batch([c], dtype, 4), batch([c], dtype, 5).abs()];
        const expected = noGrad(() => [rm.mul(1 - momentum).add(mu, { alpha: momentum }), rv.mul(1 - momentum).add(unbiased, { alpha: momentum })]);
        F.batchNorm(x, rm, rv, { training: true, momentum });
        expectSameValues(rm, expected[0]!);
        expectSameValues(rv, expected[1]!);
      }
    }
  });

  it.each(dtypes)("and the output are the same without a graph (%s)", (dtype) => {
    for (const shape of shapes) {
      const c = shape[1]!;
      const x = batch(shape, dtype, 6);
      const [w, b] = [batch([c], dtype, 7).requiresGrad_(true), batch([c], dtype, 8).requiresGrad_(true)];
      const run = () => {
        const [rm, rv] = [zeros([c], { dtype }), ones([c], { dtype })];
        return [F.batchNorm(x, rm, rv, { weight: w, bias: b, training: true, momentum: 0.2 }), rm, rv];
      };
      const withGraph = run();
      expect(withGraph[0]!.requiresGrad).toBe(true);
      const without = noGrad(run);
      withGraph.forEach((t, i) => expectSameValues(without[i]!, t));
    }
  });

  it("move in place where they are strided views (the composed ops run), and bump the version", () => {
    const x = batch([70, 37], "float32", 9);
    const [rm, rv] = [zeros([37]), ones([37])];
    const [rmStrided, rvStrided] = [zeros([37, 2]).select(1, 0), ones([37, 2]).select(1, 1)];
    const versions = [rm, rv].map((t) => t.storage.version);
    F.batchNorm(x, rm, rv, { training: true, momentum: 0.3 });
    F.batchNorm(x, rmStrided, rvStrided, { training: true, momentum: 0.3 });
    expect([rm, rv].map((t) => t.storage.version)).not.toEqual(versions);
    expectClose(rmStrided, { dtype: "float32", shape: [37], data: values(rm) }, TIGHT, "running_mean");
    expectClose(rvStrided, { dtype: "float32", shape: [37], data: values(rv) }, TIGHT, "running_var");
  });
});

describe("second derivatives through the backward (createGraph)", () => {
  it.each(["train", "eval"])("%s", (mode) => {
    const c = cases[`double_backward_${mode}`] as DoubleBackwardCase;
    const t = (k: string, requiresGrad = false) => fromFixture(c[k] as FixtureTensor, { requiresGrad });
    const [x, w, b, gy] = [t("x", true), t("weight", true), t("bias", true), t("gy", true)];
    const y = F.batchNorm(x, t("running_mean"), t("running_var"), { weight: w, bias: b, training: c.training, momentum: 0.1, eps: 1e-5 });
    expectClose(y, c.y as FixtureTensor, {}, "y");
    const [gx, gw, gb] = autograd.grad([y], [x, w, b], { gradOutputs: [gy], createGraph: true }) as Tensor[];
    expectClose(gx, c.gx as FixtureTensor, {}, "gx");
    expectClose(gw, c.gw as FixtureTensor, {}, "gw");
    expectClose(gb, c.gb as FixtureTensor, {}, "gb");
    const loss = gx!.mul(t("vx")).sum().add(gw!.mul(t("vw")).sum()).add(gb!.mul(t("vb")).sum());
    const [ggx, ggw, ggy] = autograd.grad([loss], [x, w, gy]) as Tensor[];
    expectClose(ggx, c.ggx as FixtureTensor, {}, "d/dx");
    expectClose(ggw, c.ggw as FixtureTensor, {}, "d/dweight");
    expectClose(ggy, c.ggy as FixtureTensor, {}, "d/dgy");
  });
});

describe("split by channel across threads", () => {
  it.skipIf(getBackend() !== "wasm")("two threads give exactly the one-thread output and gradients", async () => {
    const before = getNumThreads();
    try {
      setNumThreads(2);
      expect(await idleHelpersReady()).toBeGreaterThanOrEqual(1);
      for (const [shape, dtype] of [[[16, 7, 25, 25], "float32"], [[4, 9, 61, 31], "float64"], [[9000, 9], "float32"]] as const) {
        manualSeed(5);
        const x0 = randn(shape.slice(), { dtype }).mul(2).add(1);
        const gy = randn(shape.slice(), { dtype });
        const run = () => {
          const x = x0.detach().requiresGrad_(true);
          const bn = shape.length === 2 ? new nn.BatchNorm1d(shape[1]!, { dtype }) : new nn.BatchNorm2d(shape[1]!, { dtype });
          const y = bn.forward(x);
          y.backward(gy);
          return [y, x.grad!, bn.running_mean!, bn.running_var!].map((t) => Array.from(t.toTypedArray()));
        };
        setNumThreads(1);
        const one = run();
        setNumThreads(2);
        const two = run();
        expect(two).toEqual(one);
      }
    } finally {
      setNumThreads(before);
    }
  });
});
