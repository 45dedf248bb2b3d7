/**
 * InstanceNorm1d/2d/3d and BatchNorm3d against PyTorch (scripts/make_instancenorm_fixtures.py →
 * instancenorm.json): outputs, input and parameter gradients and running statistics after a
 * training step and in eval (with running statistics: normalised by them; without: by each
 * instance's own), unbatched inputs, float32 and float64; then F.instanceNorm and the errors.
 */
import { describe, expect, it } from "vitest";
import { F, nn, randn, tensor, zeros, ones } from "../packages/nabla/src/index.js";
import { loadFixture } from "./helpers.js";
import { checkCase, type LayerCase } from "./layers-harness.js";

const { cases } = loadFixture<{ cases: Record<string, LayerCase> }>("instancenorm.json");

/** float32 to about an ulp of the values' scale (float64 keeps the default 1e-10). */
const TIGHT = { rtol: 2e-6, atol: 2e-6 };

const f64 = { dtype: "float64" } as const;
const modules: [string, () => nn.AnyModule, "float32" | "float64"][] = [
  ["in2d", () => new nn.InstanceNorm2d(3), "float32"],
  ["in2d_f64", () => new nn.InstanceNorm2d(3, f64), "float64"],
  ["in2d_affine_stats", () => new nn.InstanceNorm2d(4, { affine: true, trackRunningStats: true }), "float32"],
  ["in2d_affine_stats_f64", () => new nn.InstanceNorm2d(4, 1e-5, 0.1, true, true, f64), "float64"],
  ["in2d_unbatched", () => new nn.InstanceNorm2d(3, { affine: true }), "float32"],
  ["in1d", () => new nn.InstanceNorm1d(5, 1e-3), "float32"],
  ["in1d_stats_momentum", () => new nn.InstanceNorm1d(3, { momentum: 0.3, trackRunningStats: true }), "float32"],
  ["in1d_unbatched_stats", () => new nn.InstanceNorm1d(3, { affine: true, trackRunningStats: true, dtype: "float64" }), "float64"],
  ["in3d_affine", () => new nn.InstanceNorm3d(2, { affine: true }), "float32"],
  ["in3d_stats_f64", () => new nn.InstanceNorm3d(2, { trackRunningStats: true, dtype: "float64" }), "float64"],
  ["bn3d", () => new nn.BatchNorm3d(3), "float32"],
  ["bn3d_f64", () => new nn.BatchNorm3d(2, { momentum: 0.2, dtype: "float64" }), "float64"],
];

describe("InstanceNorm and BatchNorm3d match PyTorch (outputs, gradients, running statistics)", () => {
  it.each(modules)("%s: a training step", (name, make, dtype) => {
    checkCase(cases[`${name}_train`]!, make().train(), undefined, dtype === "float32" ? TIGHT : {});
  });
  it.each(modules)("%s: eval", (name, make, dtype) => {
    checkCase(cases[`${name}_eval`]!, make().eval(), undefined, dtype === "float32" ? TIGHT : {});
  });
});

describe("InstanceNorm: PyTorch's defaults, repr and errors", () => {
  it("no affine parameters and no running statistics by default; num_batches_tracked stays 0 (PyTorch 1.13)", () => {
    expect(Object.keys(new nn.InstanceNorm2d(3).stateDict())).toEqual([]);
    const m = new nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true });
    expect(Object.keys(m.stateDict())).toEqual(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    m.forward(randn([2, 3, 4, 4]));
    expect(m.num_batches_tracked!.item()).toBe(0);
    expect(m.toString()).toBe("InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
  });

  it("F.instanceNorm: the instance's statistics, or the running ones with useInputStats false", () => {
    const x = tensor([[[1, 2, 3, 6]], [[0, 0, 4, 4]]]);
    const y = F.instanceNorm(x, null, null, { eps: 0 }).toArray() as number[][][];
    // instance 0: mean 3, variance 3.5; instance 1: mean 2, variance 4
    [1, 2, 3, 6].forEach((v, i) => expect(y[0]![0]![i]).toBeCloseTo((v - 3) / Math.sqrt(3.5), 6));
    expect(y[1]).toEqual([[-1, -1, 1, 1]]);
    const rm = tensor([1]);
    const rv = tensor([4]);
    expect(F.instanceNorm(x, rm, rv, { useInputStats: false, eps: 0 }).toArray()).toEqual([[[0, 0.5, 1, 2.5]], [[-0.5, -0.5, 1.5, 1.5]]]);
    // training moves the running statistics towards the batch's mean of the instance statistics
    F.instanceNorm(x, rm, rv, { momentum: 0.5 });
    // instance means 3 and 2 (mean 2.5); unbiased variances 14/3 and 16/3 (mean 5)
    expect(rm.toArray()).toEqual([1.75]);
    expect(rv.item()).toBeCloseTo(4.5, 6);
  });

  it("errors name the layer and the values", () => {
    expect(() => new nn.InstanceNorm2d(3).forward(zeros([2, 3, 4]).unsqueeze(0).unsqueeze(0))).toThrow("InstanceNorm2d: expected 3D or 4D input (got 5D input of shape [1, 1, 2, 3, 4])");
    expect(() => new nn.InstanceNorm1d(3).forward(zeros([2, 3, 1]))).toThrow("InstanceNorm1d: expected more than 1 spatial element when training, got input size [2, 3, 1]");
    expect(() => new nn.InstanceNorm1d(3, { affine: true }).forward(zeros([2, 4, 5]))).toThrow("InstanceNorm1d: weight should contain 4 elements (the channels of input [2, 4, 5]), not 3 (shape [3])");
    expect(() => new nn.InstanceNorm1d(3, { momentum: null })).toThrow("InstanceNorm1d: momentum must be a number");
    expect(() => F.instanceNorm(ones([2, 3, 4]), null, null, { useInputStats: false })).toThrow("instanceNorm: expected running_mean and running_var to be defined when useInputStats is false");
    expect(() => new nn.BatchNorm3d(3).forward(zeros([2, 3, 4, 4]))).toThrow("BatchNorm3d: expected 5D input (got 4D input of shape [2, 3, 4, 4])");
  });
});
