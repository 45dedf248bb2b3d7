/**
 * gradcheck in float64 for the nn functions and layers of issue 11, second derivatives through
 * their own gradient rules (the p-norm, re-indexing, cdist's product form, gridSample's
 * coordinates), and their errors: typed, naming the call, the argument and the value.
 */
import { describe, expect, it } from "vitest";
import { autograd, cdist, F, Generator, getBackend, gradcheck, nn, OptionError, rand, ShapeError, DTypeError, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { values } from "./helpers.js";

/** A float64 leaf with values in [lo, hi), seeded. */
function leaf(shape: number[], { lo = -2, hi = 2, seed = 1 }: { lo?: number; hi?: number; seed?: number } = {}): Tensor {
  return rand(shape, { dtype: "float64", generator: new Generator(seed) }).mul(hi - lo).add(lo).detach().requiresGrad_();
}

/** Values with |v| in [0.5, 2), random sign: away from the kinks of |x| at 0. */
function awayFromZero(shape: number[], seed = 2): Tensor {
  const g = new Generator(seed);
  const magnitude = rand(shape, { dtype: "float64", generator: g }).mul(1.5).add(0.5);
  const sign = rand(shape, { dtype: "float64", generator: g }).lt(0.5).double().mul(-2).add(1);
  return magnitude.mul(sign).detach().requiresGrad_();
}

/** A grid whose pixel positions stay ≥ 0.05 away from integers and from the clamp bounds, so finite differences see no kink. */
function smoothGrid(shape: number[], size: number[], alignCorners: boolean, seed = 5, spread = 1.3): Tensor {
  const k = shape[shape.length - 1]!;
  const raw = Array.from(rand(shape, { dtype: "float64", generator: new Generator(seed) }).toTypedArray(), (v) => (2 * v - 1) * spread);
  const fixed = raw.map((g, i) => {
    const s = size[k - 1 - (i % k)]!; // x addresses the last spatial dim
    const toPixel = (v: number) => (alignCorners ? ((v + 1) * (s - 1)) / 2 : ((v + 1) * s - 1) / 2);
    const toGrid = (p: number) => (alignCorners ? (2 * p) / (s - 1) - 1 : (2 * p + 1) / s - 1);
    let p = toPixel(g);
    const frac = p - Math.floor(p);
    if (frac < 0.05) p += 0.1;
    if (frac > 0.95) p -= 0.1;
    return toGrid(p);
  });
  return tensor(fixed, { dtype: "float64" }).reshape(shape).requiresGrad_();
}

const check = (fn: (...xs: Tensor[]) => Tensor | Tensor[], inputs: Tensor[]) => expect(gradcheck(fn, inputs, { atol: 1e-6, rtol: 1e-4 })).toBe(true);

/** gradcheck of module.forward w.r.t. the inputs and every parameter (module cast to float64). */
function checkModule(module: nn.AnyModule, inputs: Tensor[], call: (m: nn.AnyModule, xs: Tensor[]) => Tensor | Tensor[]): void {
  module.double();
  const params = module.parameters();
  check((...all) => call(module, all.slice(0, inputs.length)), [...inputs, ...params]);
}

const T = (x: Tensor | undefined) => x!;

describe("gradcheck (float64): functions", () => {
  const cases: [string, (...xs: Tensor[]) => Tensor | Tensor[], () => Tensor[]][] = [
    ["normalize p=2 (with a zero row)", (a) => F.normalize(T(a)), () => [tensor([[0.3, -1.2, 0.5], [0.1, 0.9, -0.4]], { dtype: "float64", requiresGrad: true })]],
    ["normalize p=1, dim 0", (a) => F.normalize(T(a), { p: 1, dim: 0 }), () => [awayFromZero([3, 2])]],
    ["normalize p=3, eps active", (a) => F.normalize(T(a), { p: 3, eps: 0.8 }), () => [leaf([2, 3], { lo: -0.5, hi: 0.5 })]],
    ["normalize p=∞", (a) => F.normalize(T(a), { p: Infinity, dim: -1 }), () => [awayFromZero([2, 4])]],
    ["normalize p=0.5", (a) => F.normalize(T(a), { p: 0.5 }), () => [awayFromZero([2, 3])]],
    ["cosineSimilarity (broadcast)", (a, b) => F.cosineSimilarity(T(a), T(b), { dim: -1 }), () => [leaf([3, 1, 4]), leaf([2, 4], { seed: 2 })]],
    // (with the eps clamp active PyTorch's gradient is not the derivative — it flows as if unclamped —
    // so only the fixtures check that case)
    ["cosineSimilarity (dim 0)", (a, b) => F.cosineSimilarity(T(a), T(b), { dim: 0 }), () => [leaf([3, 2]), leaf([3, 2], { seed: 3 })]],
    ["pairwiseDistance p=2", (a, b) => F.pairwiseDistance(T(a), T(b)), () => [leaf([3, 4]), leaf([3, 4], { seed: 2 })]],
    ["pairwiseDistance p=1.5 keepdim (broadcast)", (a, b) => F.pairwiseDistance(T(a), T(b), { p: 1.5, keepdim: true }), () => [leaf([4]), leaf([2, 4], { seed: 3 })]],
    ["cdist p=2", (a, b) => cdist(T(a), T(b)), () => [leaf([2, 3, 2]), leaf([2, 4, 2], { seed: 2 })]],
    ["cdist p=2, matrix-product form", (a, b) => cdist(T(a), T(b), { computeMode: "use_mm_for_euclid_dist" }), () => [leaf([3, 2]), leaf([4, 2], { seed: 2 })]],
    ["cdist p=1", (a, b) => cdist(T(a), T(b), 1), () => [leaf([3, 2]), leaf([4, 2], { seed: 4 })]],
    ["cdist p=3 (broadcast batch)", (a, b) => cdist(T(a), T(b), 3), () => [leaf([2, 1, 3, 2]), leaf([2, 4, 2], { seed: 2 })]],
    ["cdist p=∞", (a, b) => cdist(T(a), T(b), Infinity), () => [leaf([3, 2]), leaf([4, 2], { seed: 6 })]],
    ["interpolate nearest 1-D", (a) => F.interpolate(T(a), { size: 7 }), () => [leaf([1, 2, 5])]],
    ["interpolate nearest 2-D ×1.5", (a) => F.interpolate(T(a), { scaleFactor: 1.5 }), () => [leaf([1, 2, 3, 4])]],
    ["interpolate nearest-exact 3-D", (a) => F.interpolate(T(a), { size: [3, 2, 5], mode: "nearest-exact" }), () => [leaf([1, 1, 2, 3, 2])]],
    ["interpolate linear", (a) => F.interpolate(T(a), { size: 7, mode: "linear" }), () => [leaf([2, 1, 4])]],
    ["interpolate bilinear", (a) => F.interpolate(T(a), { size: [5, 3], mode: "bilinear" }), () => [leaf([1, 2, 3, 4])]],
    ["interpolate bilinear alignCorners", (a) => F.interpolate(T(a), { scaleFactor: 2, mode: "bilinear", alignCorners: true }), () => [leaf([1, 1, 3, 3])]],
    ["interpolate bicubic", (a) => F.interpolate(T(a), { size: [5, 6], mode: "bicubic" }), () => [leaf([1, 2, 3, 4])]],
    ["interpolate bicubic alignCorners", (a) => F.interpolate(T(a), { size: [2, 5], mode: "bicubic", alignCorners: true }), () => [leaf([1, 1, 4, 3])]],
    ["interpolate trilinear", (a) => F.interpolate(T(a), { size: [3, 2, 4], mode: "trilinear" }), () => [leaf([1, 1, 2, 3, 3])]],
    ["interpolate area 2-D and 3-D", (a, b) => [F.interpolate(T(a), { size: [2, 3], mode: "area" }), F.interpolate(T(b), { size: [2, 2, 1], mode: "area" })], () => [leaf([1, 2, 5, 4]), leaf([1, 1, 3, 4, 2], { seed: 2 })]],
    ["pixelShuffle / pixelUnshuffle", (a, b) => [F.pixelShuffle(T(a), 2), F.pixelUnshuffle(T(b), 2)], () => [leaf([1, 8, 2, 3]), leaf([2, 1, 4, 2], { seed: 2 })]],
    ["pad reflect 1-D, 2-D, 3-D", (a, b, c) => [F.pad(T(a), [2, 1], "reflect"), F.pad(T(b), [1, 2, 2, 1], "reflect"), F.pad(T(c), [1, 0, 0, 1, 1, 1], "reflect")], () => [leaf([2, 4]), leaf([1, 3, 4], { seed: 2 }), leaf([1, 1, 2, 2, 3], { seed: 3 })]],
    ["pad replicate with a crop", (a) => F.pad(T(a), [3, -1, 1, 2], { mode: "replicate" }), () => [leaf([1, 2, 3, 4])]],
    ["pad circular", (a) => F.pad(T(a), [2, 3, 1, 0], { mode: "circular" }), () => [leaf([1, 2, 3, 4])]],
    ["pad constant with a crop", (a) => F.pad(T(a), [-1, 2, 1, -1], { value: 0.5 }), () => [leaf([2, 3, 4])]],
    ["unfold", (a) => F.unfold(T(a), [2, 3], { dilation: [1, 2], padding: 1, stride: [2, 1] }), () => [leaf([1, 2, 4, 5])]],
    ["fold", (a) => F.fold(T(a), [4, 5], 2, { padding: [1, 0], stride: 2 }), () => [leaf([1, 8, 6])]],
    ...(["zeros", "border", "reflection"] as const).flatMap((paddingMode) =>
      [false, true].map((alignCorners): [string, (...xs: Tensor[]) => Tensor, () => Tensor[]] => [
        `gridSample bilinear ${paddingMode}${alignCorners ? " alignCorners" : ""} (input and grid)`,
        (a, g) => F.gridSample(T(a), T(g), { paddingMode, alignCorners }),
        () => [leaf([1, 2, 3, 4]), smoothGrid([1, 3, 2, 2], [3, 4], alignCorners, 5, paddingMode === "reflection" ? 2.5 : 1.3)],
      ]),
    ),
    ["gridSample nearest (input)", (a) => F.gridSample(T(a), smoothGrid([1, 3, 2, 2], [3, 4], false).detach(), { mode: "nearest", paddingMode: "border" }), () => [leaf([1, 2, 3, 4])]],
    ["gridSample 5-D trilinear", (a, g) => F.gridSample(T(a), T(g), { paddingMode: "zeros" }), () => [leaf([1, 1, 2, 3, 3]), smoothGrid([1, 2, 1, 2, 3], [2, 3, 3], false)]],
    ["affineGrid 4-D and 5-D", (t, u) => [F.affineGrid(T(t), [1, 1, 3, 4]), F.affineGrid(T(u), [1, 2, 2, 3, 2], { alignCorners: true })], () => [leaf([1, 2, 3]), leaf([1, 3, 4], { seed: 2 })]],
    ["conv3d (input, weight, bias)", (x, w, b) => F.conv3d(T(x), T(w), T(b), { stride: [1, 2, 1], padding: 1, dilation: [2, 1, 1], groups: 2 }), () => [leaf([1, 2, 4, 3, 3]), leaf([4, 1, 2, 2, 2], { seed: 2 }), leaf([4], { seed: 3 })]],
    ["convTranspose1d (input, weight, bias)", (x, w, b) => F.convTranspose1d(T(x), T(w), T(b), { stride: 2, padding: 1, outputPadding: 1, dilation: 2 }), () => [leaf([2, 2, 3]), leaf([2, 3, 2], { seed: 2 }), leaf([3], { seed: 3 })]],
  ];
  it.each(cases)("%s", (_, fn, inputs) => check(fn, inputs()));
});

describe("gradcheck (float64): layers, their inputs and every parameter", () => {
  it("Conv3d and ConvTranspose1d", () => {
    checkModule(new nn.Conv3d(2, 2, [2, 1, 2], { padding: "same" }), [leaf([1, 2, 2, 3, 3])], (m, [x]) => (m as nn.Conv3d).forward(T(x)));
    checkModule(new nn.ConvTranspose1d(2, 4, 3, { stride: 2, groups: 2 }), [leaf([2, 2, 3])], (m, [x]) => (m as nn.ConvTranspose1d).forward(T(x)));
  });
  it("MultiheadAttention with kdim, vdim, addBiasKv, addZeroAttn and masks", () => {
    const mask = tensor([[false, true, false], [false, false, false]]);
    const kpm = tensor([[false, false, true]]);
    checkModule(new nn.MultiheadAttention(4, 2, { kdim: 3, vdim: 2, addBiasKv: true, addZeroAttn: true, batchFirst: true }), [leaf([1, 2, 4]), leaf([1, 3, 3], { seed: 2 }), leaf([1, 3, 2], { seed: 3 })], (m, [q, k, v]) => {
      const [out, w] = (m as nn.MultiheadAttention).forward(T(q), T(k), T(v), { attnMask: mask, keyPaddingMask: kpm });
      return [out, w!];
    });
  });
  it("TransformerDecoderLayer (post-norm and pre-norm) and Transformer", () => {
    for (const normFirst of [false, true]) {
      checkModule(new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, normFirst, activation: "gelu" }), [leaf([3, 1, 4]), leaf([2, 1, 4], { seed: 2 })], (m, [t, mem]) =>
        (m as nn.TransformerDecoderLayer).forward(T(t), T(mem), { tgtMask: nn.Transformer.generateSquareSubsequentMask(3, { dtype: "float64" }) }),
      );
    }
    checkModule(new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 4, dropout: 0 }), [leaf([2, 1, 4]), leaf([2, 1, 4], { seed: 2 })], (m, [s, t]) =>
      (m as nn.Transformer).forward(T(s), T(t)),
    );
  });
});

describe("second derivatives through the new gradient rules", () => {
  /**
   * The gradient x ↦ ∂/∂x Σ g·f(x), recorded with createGraph, differentiated again (Σ v·∂/∂x),
   * against central differences of the unrecorded gradient.
   */
  const checkSecond = (f: (x: Tensor) => Tensor, x0: Tensor) => {
    const xs = Array.from(x0.toTypedArray(), Number);
    const shape = x0.shape.slice();
    const g = rand(f(x0.detach()).shape.slice(), { dtype: "float64", generator: new Generator(9) });
    const v = rand(shape, { dtype: "float64", generator: new Generator(10) });
    const firstDotV = (values: number[]) => {
      const x = tensor(values, { dtype: "float64", requiresGrad: true }).reshape(shape);
      return autograd.grad(f(x), x, { gradOutputs: [g] })[0]!.mul(v).sum().item();
    };
    const x = tensor(xs, { dtype: "float64", requiresGrad: true }).reshape(shape);
    const first = autograd.grad(f(x), x, { gradOutputs: [g], createGraph: true })[0]!;
    const analytic = Array.from(autograd.grad(first.mul(v).sum(), x)[0]!.toTypedArray(), Number);
    const h = 1e-6;
    xs.forEach((_, i) => {
      const plus = xs.slice();
      const minus = xs.slice();
      plus[i]! += h;
      minus[i]! -= h;
      expect(analytic[i]!).toBeCloseTo((firstDotV(plus) - firstDotV(minus)) / (2 * h), 5);
    });
  };
  it.each([
    // slice and select gradients are recorded in a createGraph backward (they were plain copies)
    ["slice · select (views' gradients)", (x: Tensor) => x.slice(1, 0, 2).mul(x.slice(1, 1, 3)).mul(x.select(1, 2).unsqueeze(1)), () => leaf([2, 3])],
    ["pNorm p=2 (normalize)", (x: Tensor) => F.normalize(x), () => leaf([2, 3])],
    ["pNorm p=3 (pairwiseDistance)", (x: Tensor) => F.pairwiseDistance(x, x.mul(0.5).add(0.3), { p: 3 }), () => awayFromZero([2, 3])],
    ["cdist's product form", (x: Tensor) => cdist(x, x.mul(-0.7).add(0.2), { computeMode: "use_mm_for_euclid_dist" }), () => leaf([3, 2])],
    ["re-indexing (reflect pad), squared", (x: Tensor) => F.pad(x, [2, 1], "reflect").pow(2), () => leaf([1, 4])],
    ["gridSample (input and grid)", (x: Tensor) => F.gridSample(x.reshape(1, 1, 2, 3), x.slice(1, 0, 2).reshape(1, 1, 2, 2).mul(0.3), { paddingMode: "reflection" }), () => leaf([2, 3], { lo: -1, hi: 1 })],
  ] as const)("%s", (_, f, x) => checkSecond(f, x()));
});

describe("errors are typed and name the call, the argument and the value", () => {
  const x = rand([1, 2, 4, 4]);
  it("F.pad: an unknown mode is an OptionError (never NaN), and bad paddings are refused", () => {
    expect(() => F.pad(x, [1, 1], { mode: "reflekt" as never })).toThrow(OptionError);
    expect(() => F.pad(x, [1, 1], "foo" as never)).toThrow(/pad: unknown mode "foo"; expected one of "constant", "reflect", "replicate", "circular"/);
    expect(() => F.pad(x, [1, 1], { mode: "reflect", value: 2 })).toThrow(/pad: mode "reflect" doesn't take a value, got 2/);
    const x3 = rand([2, 4, 4]);
    expect(() => F.pad(x3, [4, 0], "reflect")).toThrow(ShapeError);
    expect(() => F.pad(x3, [4, 0], "reflect")).toThrow(/padding size should be less than the corresponding input dimension for mode "reflect": padding \(4, 0\) at dim 2 of input \[2, 4, 4\]/);
    expect(() => F.pad(x, [1, 0], "reflect")).toThrow(/pad: reflect padding of 1 dim \(2 values\) needs a 2-D or 3-D input, got input \[1, 2, 4, 4\]/);
    expect(() => F.pad(x3, [5, 0], "circular")).toThrow(ShapeError);
    expect(() => F.pad(rand([1, 2, 4]), [5, 0], "circular")).toThrow(/wrapping around more than once/);
    expect(() => F.pad(x, [1, 1, 1, 1, 1, 1], "circular")).toThrow(/pad: circular padding of 3 dims \(6 values\) needs a 5-D input, got input \[1, 2, 4, 4\]/);
    expect(() => F.pad(x, [1, 1, 1])).toThrow(/padding length must be divisible by 2/);
    expect(() => F.pad(x, [1, 1], [0] as never)).toThrow(TypeError);
    // the fill of reflect is the input's own values
    const r = F.pad(tensor([[[1, 2, 3]]]), [2, 2], { mode: "reflect" });
    expect(values(r)).toEqual([3, 2, 1, 2, 3, 2, 1]);
    expect(values(r).every(Number.isFinite)).toBe(true);
  });
  it("F.oneHot", () => {
    expect(() => F.oneHot(tensor([0, 1]))).toThrow(DTypeError);
    expect(() => F.oneHot(tensor([0, 3], { dtype: "int32" }), 3)).toThrow(/oneHot: class value 3 is out of range for 3 classes/);
    expect(() => F.oneHot(tensor([0, -1], { dtype: "int32" }))).toThrow(/oneHot: class values must be non-negative, got -1/);
    expect(() => F.oneHot(tensor([], { dtype: "int32" }))).toThrow(/cannot infer the number of classes from an empty tensor/);
    expect(F.oneHot(tensor([], { dtype: "int32" }), 4).shape).toEqual([0, 4]);
  });
  it("distances", () => {
    expect(() => cdist(rand([3]), rand([2, 3]))).toThrow(/cdist: expected inputs with at least 2 dims/);
    expect(() => cdist(rand([2, 3]), rand([2, 4]))).toThrow(/cdist: x1 and x2 must have the same number of columns, got 3/);
    expect(() => cdist(rand([2, 3]), rand([2, 3]), -1)).toThrow(/cdist: p must be a non-negative number, got -1/);
    expect(() => cdist(rand([2, 3]), rand([2, 3]), { computeMode: "fast" as never })).toThrow(OptionError);
    expect(() => F.cosineSimilarity(rand([2, 3]), rand([3, 2]))).toThrow(ShapeError);
    expect(() => F.normalize(rand([2, 3]), { dim: 2 })).toThrow(/normalize/);
    expect(() => (F.normalize as (...a: unknown[]) => Tensor)(rand([2, 3]), { dim: 0 }, 3)).toThrow(TypeError);
  });
  it("interpolate", () => {
    expect(() => F.interpolate(x, { scaleFactor: 2, mode: "cubic" as never })).toThrow(/interpolate: unknown mode "cubic"/);
    expect(() => F.interpolate(x, { scaleFactor: 2, mode: "nearest", alignCorners: true })).toThrow(OptionError);
    expect(() => F.interpolate(x, { size: 3, scaleFactor: 2 })).toThrow(/only one of size or scaleFactor/);
    expect(() => F.interpolate(x, {})).toThrow(/either size or scaleFactor/);
    expect(() => F.interpolate(x, { size: 3, mode: "bilinear", recomputeScaleFactor: true })).toThrow(/recomputeScaleFactor is not meaningful with an explicit size/);
    expect(() => F.interpolate(tensor([[[1, 2]]], { dtype: "int32" }), { size: 3, mode: "linear" })).toThrow(DTypeError);
    expect(F.interpolate(tensor([[[1, 2]]], { dtype: "int32" }), { size: 4 }).toArray()).toEqual([[[1, 1, 2, 2]]]);
    expect(() => F.interpolate(x, { size: [3, 3, 3] })).toThrow(/the input has 2 spatial dims \(\[1, 2, 4, 4\]\) but size has 3 values/);
    expect(() => F.interpolate(rand([1, 2, 4]), { size: 3, mode: "bilinear" })).toThrow(/got a 3-D input \[1, 2, 4\], but bilinear mode needs a 4-D input/);
    expect(() => F.interpolate(x, { scaleFactor: 0.1 })).toThrow(/input and output sizes should be greater than 0/);
    expect(() => new nn.Upsample({ scaleFactor: 2, mode: "bicubic" }).forward(rand([1, 1, 3]))).toThrow(/Upsample: got a 3-D input/);
  });
  it("pixelShuffle, unfold, fold, gridSample, affineGrid", () => {
    expect(() => F.pixelShuffle(rand([1, 5, 2, 2]), 2)).toThrow(/pixelShuffle: the channel dim \(size 5\) of input \[1, 5, 2, 2\] must be divisible by upscaleFactor² \(4\)/);
    expect(() => F.pixelShuffle(rand([1, 4, 2, 2]), 0)).toThrow(OptionError);
    expect(() => F.pixelUnshuffle(rand([1, 1, 3, 4]), 2)).toThrow(/must be divisible by downscaleFactor \(2\)/);
    expect(() => F.unfold(rand([1, 1, 2, 2]), 3)).toThrow(/unfold: given input with spatial size \[2, 2\], kernelSize \[3, 3\]/);
    expect(() => F.fold(rand([1, 4, 5]), [3, 3], 2)).toThrow(/fold: .* expected the last dim of input \[1, 4, 5\] to be 4 blocks \(2 × 2\), got 5/);
    expect(() => F.fold(rand([1, 5, 4]), [3, 3], 2)).toThrow(/divisible by the product of kernelSize \(4\)/);
    expect(() => F.gridSample(x, rand([1, 2, 2, 3]))).toThrow(/gridSample: expected input \[N, C, H, W\] with grid \[N, Ho, Wo, 2\]/);
    expect(() => F.gridSample(x, rand([1, 2, 2, 2]), { mode: "bicubic" as never })).toThrow(OptionError);
    expect(() => F.gridSample(x, rand([1, 2, 2, 2]), { paddingMode: "wrap" as never })).toThrow(/paddingMode must be one of/);
    expect(() => F.affineGrid(rand([1, 2, 3]), [2, 1, 3, 3])).toThrow(/affineGrid: expected a batch of 2-D affine matrices of shape \[2, 2, 3\]/);
  });
  it("layers", () => {
    expect(() => new nn.Conv3d(2, 3, 3).forward(rand([2, 2, 2]))).toThrow(/Conv3d: expected 4D \(unbatched\) or 5D \(batched\) input/);
    expect(() => new nn.Conv3d(2, 3, 3).forward(rand([1, 3, 4, 4, 4]))).toThrow(/Conv3d: given groups=1, weight of size \[3, 2, 3, 3, 3\], expected input \[1, 3, 4, 4, 4\] to have 2 channels, but got 3/);
    expect(() => new nn.Conv3d(2, 3, 3, { stride: 2, padding: "same" })).toThrow(OptionError);
    expect(() => new nn.ConvTranspose1d(2, 3, 3).forward(rand([1, 2, 2, 2]))).toThrow(/ConvTranspose1d: expected 2D \(unbatched\) or 3D \(batched\) input/);
    const mha = new nn.MultiheadAttention(4, 2, { kdim: 3 });
    expect(() => mha.forward(rand([2, 1, 4]), rand([3, 1, 4]), rand([3, 1, 4]))).toThrow(/MultiheadAttention: expected key of shape \[L, N, kdim\] with kdim = 3, got \[3, 1, 4\]/);
    expect(() => mha.forward(rand([2, 1, 4]), rand([3, 1, 3]), rand([3, 1, 4]), 5 as never)).toThrow(/MultiheadAttention.forward: expected keyPaddingMask \(argument 4\) to be a Tensor or null, got a number \(5\)/);
    expect(() => new nn.MultiheadAttention(4, 2, { kdim: 0 })).toThrow(/kdim must be a positive integer, got 0/);
    const t = new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 4 });
    expect(() => t.forward(rand([3, 2, 4]), rand([3, 1, 4]))).toThrow(/Transformer: the batch size of src \[3, 2, 4\] and tgt \[3, 1, 4\] must be equal/);
    expect(() => t.forward(rand([3, 2, 4]), rand([3, 2, 5]))).toThrow(/must equal dModel \(4\)/);
    expect(() => new nn.TransformerDecoderLayer(4, 2, { activation: "tanh" as never })).toThrow(/activation should be relu\/gelu, not tanh/);
  });
});

describe("positional forms and defaults", () => {
  // The defaults are the same on every backend; building their 44M parameters is not (5 s of CPU
  // on the JS backend, 11 on SwiftShader, for values nothing reads), so it runs in the wasm
  // project only. The Transformers and layers of the other tests are built on every backend.
  it.runIf(getBackend() === "wasm")("Transformer has PyTorch's defaults (d_model 512, 8 heads, 6 + 6 layers, feed-forward 2048, dropout 0.1, post-norm)", () => {
    const t = new nn.Transformer();
    expect(t.dModel).toBe(512);
    expect(t.nhead).toBe(8);
    expect((t.encoder as nn.TransformerEncoder).layers.length).toBe(6);
    expect((t.decoder as nn.TransformerDecoder).layers.length).toBe(6);
    const layer = (t.decoder as nn.TransformerDecoder).layers.at(0) as nn.TransformerDecoderLayer;
    expect(layer.linear1.weight.shape).toEqual([2048, 512]);
    expect(layer.dropout.p).toBe(0.1);
    expect(layer.normFirst).toBe(false);
  });
  it("Upsample, F.interpolate and F.pad take PyTorch's positional arguments", () => {
    const x = rand([1, 1, 2, 3]);
    expect(values(new nn.Upsample(null, 2, "bilinear", true).forward(x))).toEqual(values(F.interpolate(x, { scaleFactor: 2, mode: "bilinear", alignCorners: true })));
    expect(values(F.interpolate(x, [3, 4]))).toEqual(values(F.interpolate(x, { size: [3, 4] })));
    expect(values(F.pad(x, [1, 1], "constant", 2))).toEqual(values(F.pad(x, [1, 1], { value: 2 })));
    expect(values(F.pad(x, [1, 1], 2))).toEqual(values(F.pad(x, [1, 1], { value: 2 })));
  });
});
