/**
 * The nn.functional extras of issue 11 against PyTorch (scripts/make_nn_extra_fixtures.py →
 * nn_extra.json): values, and the gradient of every input after backward of Σ output·gradOut.
 */
import { describe, expect, it } from "vitest";
import { cdist, F, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { flatOutputs } from "./layers-harness.js";
import { expectClose, fromFixture, loadFixture, values, type FixtureTensor, type Tolerance } from "./helpers.js";

export interface FnCase {
  inputs: FixtureTensor[];
  outputs: FixtureTensor[];
  grad_outputs: (FixtureTensor | null)[];
  input_grads: (FixtureTensor | null)[];
}

const fixture = loadFixture<{ functions: Record<string, FnCase> }>("nn_extra.json");

/** Runs fn on the case's inputs and compares outputs and input gradients with PyTorch's. */
function checkFn(c: FnCase, fn: (...xs: Tensor[]) => unknown, tol: Tolerance = {}): void {
  const inputs = c.inputs.map((t, i) => fromFixture(t, { requiresGrad: c.input_grads[i] !== null }));
  const outs = flatOutputs(fn(...inputs));
  expect(outs.length, "number of outputs").toBe(c.outputs.length);
  outs.forEach((o, i) => expectClose(o, c.outputs[i]!, tol, `output ${i}`));
  let loss: Tensor | null = null;
  outs.forEach((o, i) => {
    const g = c.grad_outputs[i];
    if (!g || !o.requiresGrad) return;
    const term = o.mul(fromFixture(g)).sum();
    loss = loss === null ? term : loss.add(term);
  });
  if (loss !== null) (loss as Tensor).backward();
  inputs.forEach((x, i) => {
    const g = c.input_grads[i];
    if (!g) return;
    // PyTorch's gradient of an input the output does not depend on (grid_sample's nearest grid) is zeros; nabla's is none
    if (x.grad === null && g.data.every((v) => v === 0)) return;
    expectClose(x.grad, g, tol, `grad of input ${i}`);
  });
}

type Fn = (...xs: Tensor[]) => unknown;
const T = (x: Tensor | undefined) => x!;
const inf = Infinity;

/**
 * Bicubic weights have negative taps whose float32 arithmetic PyTorch's compiled kernel rounds
 * differently (contracted multiply-adds): its float32 outputs differ from the same formula by up
 * to ~3e-6; the float64 cases agree to 1e-10.
 */
const bicubic32: Tolerance = { rtol: 1e-5, atol: 5e-6 };

const table: [string, Fn, Tolerance?][] = [
  ["onehot_auto", (i) => F.oneHot(T(i))],
  ["onehot_n", (i) => F.oneHot(T(i), 5)],
  ["normalize_default", (a) => F.normalize(T(a))],
  ["normalize_p1_dim0", (a) => F.normalize(T(a), { p: 1, dim: 0 })],
  ["normalize_pinf", (a) => F.normalize(T(a), { p: inf, dim: -1 })],
  ["normalize_p3_eps", (a) => F.normalize(T(a), 3, 1, 0.5)],
  ["normalize_p05", (a) => F.normalize(T(a), { p: 0.5, dim: 1 })],
  ["normalize_f64", (a) => F.normalize(T(a), { dim: 0 })],
  ["cosine_default", (a, b) => F.cosineSimilarity(T(a), T(b))],
  ["cosine_broadcast", (a, b) => F.cosineSimilarity(T(a), T(b), { dim: -1 })],
  ["cosine_eps", (a, b) => F.cosineSimilarity(T(a), T(b), 0, 0.5)],
  ["cosine_zero_row", (a, b) => F.cosineSimilarity(T(a), T(b))],
  ["cosine_f64", (a, b) => F.cosineSimilarity(T(a), T(b), { dim: 1 })],
  ["pairwise_default", (a, b) => F.pairwiseDistance(T(a), T(b))],
  ["pairwise_p1_keepdim", (a, b) => F.pairwiseDistance(T(a), T(b), { p: 1, keepdim: true })],
  ["pairwise_pinf", (a, b) => F.pairwiseDistance(T(a), T(b), inf)],
  ["pairwise_broadcast_p3", (a, b) => F.pairwiseDistance(T(a), T(b), { p: 3, eps: 1e-3 })],
  ["cdist_p2", (a, b) => cdist(T(a), T(b))],
  // the matrix-product form: ‖x‖² + ‖y‖² − 2x·y, summed in another order than PyTorch's GEMM
  ["cdist_mm", (a, b) => cdist(T(a), T(b)), { rtol: 1e-5, atol: 1e-5 }],
  ["cdist_mm_forced", (a, b) => F.cdist(T(a), T(b), { computeMode: "use_mm_for_euclid_dist" }), { rtol: 1e-5, atol: 1e-5 }],
  ["cdist_p1", (a, b) => cdist(T(a), T(b), 1)],
  ["cdist_p15", (a, b) => cdist(T(a), T(b), { p: 1.5 })],
  ["cdist_pinf", (a, b) => cdist(T(a), T(b), { p: inf })],
  ["cdist_p0", (a, b) => cdist(T(a), T(b), { p: 0 })],
  ["cdist_broadcast", (a, b) => cdist(T(a), T(b))],
  ["cdist_zero_distance", (a, b) => cdist(T(a), T(b))],
  ["cdist_f64", (a, b) => cdist(T(a), T(b), 3)],
  ["interpolate_nearest_1d_x2", (a) => F.interpolate(T(a), { scaleFactor: 2 })],
  ["interpolate_nearest_1d_size7", (a) => F.interpolate(T(a), 7)],
  ["interpolate_nearest_2d_size", (a) => F.interpolate(T(a), { size: [7, 3] })],
  ["interpolate_nearest_2d_scale", (a) => F.interpolate(T(a), { scaleFactor: 1.5 })],
  ["interpolate_nearest_3d", (a) => F.interpolate(T(a), { scaleFactor: [2, 1.5, 1] })],
  ["interpolate_nearest_exact_2d", (a) => F.interpolate(T(a), { size: [7, 3], mode: "nearest-exact" })],
  ["interpolate_linear_1d", (a) => F.interpolate(T(a), { size: 7, mode: "linear" })],
  ["interpolate_linear_1d_align", (a) => F.interpolate(T(a), 8, null, "linear", true)],
  ["interpolate_bilinear_up", (a) => F.interpolate(T(a), { size: [7, 9], mode: "bilinear" })],
  ["interpolate_bilinear_down", (a) => F.interpolate(T(a), { size: [3, 2], mode: "bilinear" })],
  ["interpolate_bilinear_align", (a) => F.interpolate(T(a), { size: [7, 9], mode: "bilinear", alignCorners: true })],
  ["interpolate_bilinear_scale", (a) => F.interpolate(T(a), { scaleFactor: 1.7, mode: "bilinear" })],
  ["interpolate_bilinear_scale_recompute", (a) => F.interpolate(T(a), { scaleFactor: 1.7, mode: "bilinear", recomputeScaleFactor: true })],
  ["interpolate_bilinear_same_size", (a) => F.interpolate(T(a), { scaleFactor: 1.1, mode: "bilinear" })],
  ["interpolate_bicubic_up", (a) => F.interpolate(T(a), { size: [7, 9], mode: "bicubic" }), bicubic32],
  ["interpolate_bicubic_align", (a) => F.interpolate(T(a), { size: [7, 9], mode: "bicubic", alignCorners: true }), bicubic32],
  ["interpolate_bicubic_down", (a) => F.interpolate(T(a), { size: [3, 2], mode: "bicubic" }), bicubic32],
  ["interpolate_bicubic_scale", (a) => F.interpolate(T(a), { scaleFactor: 2, mode: "bicubic" }), bicubic32],
  ["interpolate_trilinear", (a) => F.interpolate(T(a), { size: [5, 6, 2], mode: "trilinear" })],
  ["interpolate_area_1d", (a) => F.interpolate(T(a), { size: 3, mode: "area" })],
  ["interpolate_area_2d", (a) => F.interpolate(T(a), { size: [3, 2], mode: "area" })],
  ["interpolate_area_3d", (a) => F.interpolate(T(a), { size: [2, 3, 4], mode: "area" })],
  ["interpolate_bicubic_f64", (a) => F.interpolate(T(a), { size: [5, 7], mode: "bicubic" })],
  ["interpolate_bilinear_f64", (a) => F.interpolate(T(a), { size: [5, 7], mode: "bilinear", alignCorners: true })],
  ["pixel_shuffle", (a) => F.pixelShuffle(T(a), 2)],
  ["pixel_shuffle_5d", (a) => F.pixelShuffle(T(a), 3)],
  ["pixel_unshuffle", (a) => F.pixelUnshuffle(T(a), 2)],
  ["pad_reflect_1d", (a) => F.pad(T(a), [2, 3], { mode: "reflect" })],
  ["pad_reflect_1d_unbatched", (a) => F.pad(T(a), [4, 1], "reflect")],
  ["pad_reflect_2d", (a) => F.pad(T(a), [1, 2, 3, 1], { mode: "reflect" })],
  ["pad_reflect_3d", (a) => F.pad(T(a), [1, 1, 2, 0, 1, 2], { mode: "reflect" })],
  ["pad_reflect_crop", (a) => F.pad(T(a), [-1, 2], { mode: "reflect" })],
  ["pad_replicate_1d", (a) => F.pad(T(a), [5, 1], { mode: "replicate" })],
  ["pad_replicate_2d", (a) => F.pad(T(a), [2, 0, 1, 4], "replicate")],
  ["pad_replicate_3d", (a) => F.pad(T(a), [1, 2, 0, 1, 3, 1], { mode: "replicate" })],
  ["pad_replicate_crop", (a) => F.pad(T(a), [3, -2], { mode: "replicate" })],
  ["pad_circular_1d", (a) => F.pad(T(a), [2, 5], { mode: "circular" })],
  ["pad_circular_2d", (a) => F.pad(T(a), [4, 1, 1, 3], { mode: "circular" })],
  ["pad_circular_3d", (a) => F.pad(T(a), [1, 2, 2, 0, 1, 1], "circular")],
  ["pad_circular_crop", (a) => F.pad(T(a), [-1, 3], { mode: "circular" })],
  ["pad_constant_crop", (a) => F.pad(T(a), [-1, 2, 1, -2], { value: 0.5 })],
  ["pad_reflect_f64", (a) => F.pad(T(a), [2, 1, 1, 1], { mode: "reflect" })],
  ["unfold_basic", (a) => F.unfold(T(a), [2, 3])],
  ["unfold_full", (a) => F.unfold(T(a), 3, { dilation: 2, padding: 1, stride: 2 })],
  ["unfold_unbatched", (a) => F.unfold(T(a), 2, { stride: [1, 2] })],
  ["fold_basic", (a) => F.fold(T(a), [5, 6], [2, 3])],
  ["fold_full", (a) => F.fold(T(a), [7, 8], 3, 2, 1, 2)],
  ["fold_unbatched", (a) => F.fold(T(a), 4, 2, { stride: 2 })],
  ...(["bilinear", "nearest"] as const).flatMap((mode) =>
    (["zeros", "border", "reflection"] as const).flatMap((paddingMode) =>
      [false, true].map((alignCorners): [string, Fn] => [
        `grid_sample_${mode}_${paddingMode}_${alignCorners ? "align" : "noalign"}`,
        (a, g) => F.gridSample(T(a), T(g), { mode, paddingMode, alignCorners }),
      ]),
    ),
  ),
  ["grid_sample_reflection_far_False", (a, g) => F.gridSample(T(a), T(g), { paddingMode: "reflection" })],
  ["grid_sample_reflection_far_True", (a, g) => F.gridSample(T(a), T(g), "bilinear", "reflection", true)],
  ["grid_sample_5d_zeros", (a, g) => F.gridSample(T(a), T(g), { alignCorners: false })],
  ["grid_sample_5d_border", (a, g) => F.gridSample(T(a), T(g), { paddingMode: "border", alignCorners: true })],
  ["grid_sample_f64", (a, g) => F.gridSample(T(a), T(g), { paddingMode: "reflection" })],
  ["affine_grid_noalign", (t) => F.affineGrid(T(t), [2, 3, 4, 5], { alignCorners: false })],
  ["affine_grid_align", (t) => F.affineGrid(T(t), [2, 3, 4, 5], true)],
  ["affine_grid_5d", (t) => F.affineGrid(T(t), [2, 1, 3, 4, 5])],
  ["affine_grid_then_sample", (a, t) => F.gridSample(T(a), F.affineGrid(T(t), [1, 2, 6, 5]))],
];

describe("nn.functional extras match PyTorch 1.13 (values and input gradients)", () => {
  it("every fixture case is checked", () => {
    expect(new Set(table.map(([name]) => name))).toEqual(new Set(Object.keys(fixture.functions)));
  });
  it.each(table)("%s", (name, fn, tol) => checkFn(fixture.functions[name]!, fn, tol));
});

describe("F.oneHot", () => {
  it("gives int32, infers the class count, and data.transforms.oneHot is its float form", async () => {
    const { data } = await import("../packages/nabla/src/index.js");
    const labels = tensor([2, 0], { dtype: "int32" });
    const oh = F.oneHot(labels);
    expect(oh.dtype).toBe("int32");
    expect(oh.toArray()).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(F.oneHot(labels, { numClasses: 4 }).shape).toEqual([2, 4]);
    const t = data.transforms.oneHot(3)(labels);
    expect(t.dtype).toBe("float32");
    expect(values(t)).toEqual(values(oh));
  });
});
