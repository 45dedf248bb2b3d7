/**
 * Convolutions worked through the batch in blocks (issue 10): with a tiny scratch budget the
 * kernels split odd batches into uneven blocks, and the outputs and both gradients must still
 * match PyTorch (scripts/make_conv_fixtures.py → conv_blocked.json); second derivatives, which
 * are the three convolution kernels again, are checked by gradcheck in float64 and, through the
 * blocked float32 kernels, against the float64 reference. The float64 kernels themselves match
 * PyTorch's float64 (conv_blocked_float64.json). Max pooling without grad skips its indices.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  autograd, enableGrad, F, getConvolutionScratch, gradcheck, manualSeed, noGrad, OptionError, randn, setConvolutionScratch, type Tensor,
} from "../packages/nabla/src/index.js";
import { convTuning } from "../packages/nabla/src/backend/wasm/conv.js";
import { expectClose, fromFixture, loadFixture, type FixtureTensor } from "./helpers.js";

interface ConvCase {
  fn: "conv2d" | "conv1d" | "convTranspose2d" | "convTranspose1d";
  options: Record<string, unknown>;
  x: FixtureTensor;
  w: FixtureTensor;
  b: FixtureTensor | null;
  y: FixtureTensor;
  gy: FixtureTensor;
  gx: FixtureTensor;
  gw: FixtureTensor;
  gb: FixtureTensor | null;
}

const cases = loadFixture<{ cases: Record<string, ConvCase> }>("conv_blocked.json").cases;
const DEFAULT = getConvolutionScratch();
const PER_SAMPLE = convTuning.perSampleMacs;
const DIRECT_TAPS = convTuning.directTaps;
afterEach(() => {
  setConvolutionScratch(DEFAULT);
  convTuning.perSampleMacs = PER_SAMPLE;
  convTuning.directTaps = DIRECT_TAPS;
});

type Conv = (x: Tensor, w: Tensor, b: Tensor | null, options: Record<string, unknown>) => Tensor;
const fns: Record<ConvCase["fn"], Conv> = {
  conv2d: (x, w, b, o) => F.conv2d(x, w, b, o),
  conv1d: (x, w, b, o) => F.conv1d(x, w, b, o),
  convTranspose2d: (x, w, b, o) => F.convTranspose2d(x, w, b, o),
  convTranspose1d: (x, w, b, o) => F.convTranspose1d(x, w, b, o),
};

// 1 byte: one sample a block; 6 KB and 40 KB: a few samples a block, the last one short. The
// default budget runs the direct kernels where they apply (few taps, column stride 1); the
// smaller ones test the blocks of im2col + GEMM, which every case then takes.
const BUDGETS = [DEFAULT, 1, 6000, 40000];

/**
 * The webgpu device's convolutions sum in their own float32 order (a weight gradient over the
 * batch and every position): within docs/PARITY.md's tolerance for the device's sums.
 */
const WEBGPU_SUMS = { rtol: 1e-4, atol: 1e-5 };

describe("blocked convolutions match PyTorch on odd batches", () => {
  const table = Object.keys(cases).flatMap((name) => BUDGETS.map((budget) => [name, budget] as const));
  it.each(table)("%s with a scratch budget of %i bytes", (name, budget) => {
    setConvolutionScratch(budget);
    if (budget !== DEFAULT) convTuning.directTaps = 0;
    const c = cases[name]!;
    // the budgets are the CPU kernels': their blocks run on the CPU whatever the default device;
    // the default budget runs on the default device (the webgpu project's device kernels)
    const device = budget === DEFAULT ? undefined : "cpu";
    const x = fromFixture(c.x, { requiresGrad: true, device });
    const w = fromFixture(c.w, { requiresGrad: true, device });
    const b = c.b === null ? null : fromFixture(c.b, { requiresGrad: true, device });
    const tol = x.device === "webgpu" ? WEBGPU_SUMS : {};
    const y = fns[c.fn](x, w, b, c.options);
    expectClose(y, c.y, tol, "y");
    y.mul(fromFixture(c.gy, { device })).sum().backward();
    expectClose(x.grad, c.gx, tol, "x.grad");
    expectClose(w.grad, c.gw, tol, "w.grad");
    if (b !== null) expectClose(b.grad, c.gb!, tol, "b.grad");
  });
});

describe("float64 convolutions match PyTorch's float64 (the wasm backend's float64 GEMM, in blocks)", () => {
  const cases64 = loadFixture<{ cases: Record<string, ConvCase> }>("conv_blocked_float64.json").cases;
  // blocks of the whole batch, of one sample and of a few; products over the block or one a sample
  // (the weight gradient then adds each block's or sample's product to dW)
  const table = Object.keys(cases64).flatMap((name) =>
    [DEFAULT, 1, 6000].flatMap((budget) => [0, PER_SAMPLE].map((macs) => [name, budget, macs] as const)),
  );
  it.each(table)("%s with a scratch budget of %i bytes, a sample's products alone from %i multiply-adds", (name, budget, macs) => {
    setConvolutionScratch(budget);
    convTuning.perSampleMacs = macs;
    const c = cases64[name]!;
    const device = "cpu";
    const x = fromFixture(c.x, { requiresGrad: true, device });
    const w = fromFixture(c.w, { requiresGrad: true, device });
    const b = c.b === null ? null : fromFixture(c.b, { requiresGrad: true, device });
    const y = fns[c.fn](x, w, b, c.options);
    expect(y.dtype).toBe("float64");
    expectClose(y, c.y, {}, "y");
    y.mul(fromFixture(c.gy, { device })).sum().backward();
    expectClose(x.grad, c.gx, {}, "x.grad");
    expectClose(w.grad, c.gw, {}, "w.grad");
    if (b !== null) expectClose(b.grad, c.gb!, {}, "b.grad");
  });
});

/** (gx, gw) of sum(conv(x, w)·gy) with createGraph: differentiable in x, w and gy. */
function firstGradients(fn: Conv, options: Record<string, unknown>) {
  // grad mode on even inside gradcheck's noGrad evaluations: the first gradients need their graph
  return (x: Tensor, w: Tensor, gy: Tensor): Tensor[] =>
    enableGrad(() => {
      const y = fn(x, w, null, options);
      return autograd.grad([y], [x, w], { gradOutputs: [gy], createGraph: true }) as Tensor[];
    });
}

describe("second derivatives of the convolutions", () => {
  const shapes: [string, ConvCase["fn"], number[], number[], Record<string, unknown>][] = [
    ["conv2d stride 2, padding 1, groups 2", "conv2d", [3, 4, 5, 5], [4, 2, 3, 3], { stride: 2, padding: 1, groups: 2 }],
    ["conv2d dilated, uneven padding", "conv2d", [3, 2, 6, 5], [3, 2, 2, 3], { padding: [2, 1], dilation: [2, 1] }],
    ["conv1d same padding", "conv1d", [3, 2, 7], [3, 2, 4], { padding: "same" }],
    ["convTranspose2d with output padding", "convTranspose2d", [3, 2, 3, 3], [2, 2, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }],
  ];

  it.each(shapes)("%s: gradcheck of (gx, gw) in float64 with blocks of one sample", (_, fn, xs, ws, options) => {
    setConvolutionScratch(1);
    manualSeed(3);
    const x = randn(xs, { dtype: "float64" }).requiresGrad_();
    const w = randn(ws, { dtype: "float64" }).requiresGrad_();
    const y = fns[fn](x.detach(), w.detach(), null, options);
    const gy = randn(y.shape, { dtype: "float64" }).requiresGrad_();
    expect(gradcheck(firstGradients(fns[fn], options), [x, w, gy], { atol: 1e-6, rtol: 1e-4 })).toBe(true);
  });

  it.each(shapes)("%s: float32 blocked kernels agree with the float64 reference to second order", (_, fn, xs, ws, options) => {
    setConvolutionScratch(1);
    const run = (dtype: "float32" | "float64"): Tensor[] => {
      manualSeed(5);
      const draw = (shape: readonly number[]) => randn(shape, { dtype: "float64" }).to(dtype).requiresGrad_();
      const x = draw(xs);
      const w = draw(ws);
      const y = fns[fn](x.detach(), w.detach(), null, options);
      const gy = draw(y.shape);
      const [gx, gw] = firstGradients(fns[fn], options)(x, w, gy);
      const loss = gx!.mul(gx!).sum().add(gw!.mul(gw!).sum());
      return [gx!, gw!, ...(autograd.grad([loss], [x, w, gy]) as Tensor[])];
    };
    const got = run("float32");
    const want = run("float64");
    got.forEach((g, i) => expectClose(g, want[i]!.float(), { rtol: 1e-4, atol: 1e-4 }, `gradient ${i}`));
  });
});

describe("bigger convolutions against the float64 reference, one product a block or a sample (im2col + GEMM)", () => {
  const shapes: [string, ConvCase["fn"], number[], number[], Record<string, unknown>][] = [
    ["conv2d 8→32, 32×32, padding 1", "conv2d", [3, 8, 32, 32], [32, 8, 3, 3], { padding: 1 }],
    ["conv2d 1→32 (MNIST's first layer)", "conv2d", [5, 1, 28, 28], [32, 1, 3, 3], {}],
    ["conv2d 8→16 groups 2, stride 2", "conv2d", [3, 8, 40, 40], [16, 4, 3, 3], { stride: 2, padding: 1, groups: 2 }],
    ["convTranspose2d 32→8, 32×32", "convTranspose2d", [3, 32, 32, 32], [32, 8, 3, 3], { padding: 1 }],
  ];
  const table = shapes.flatMap(([name, ...rest]) =>
    [0, PER_SAMPLE].map((macs) => [`${name}, a sample's products alone from ${macs} multiply-adds`, ...rest, macs] as const),
  );
  it.each(table)("%s", (_, fn, xs, ws, options, macs) => {
    convTuning.perSampleMacs = macs;
    convTuning.directTaps = 0;
    for (const budget of [DEFAULT, 1, 200000]) {
      setConvolutionScratch(budget);
      const run = (dtype: "float32" | "float64"): Tensor[] => {
        manualSeed(6);
        const draw = (shape: readonly number[], scale = 1) => randn(shape, { dtype: "float64" }).mul(scale).to(dtype).requiresGrad_();
        const x = draw(xs);
        const w = draw(ws, 0.2);
        const b = draw([fn === "conv2d" ? ws[0]! : ws[1]!]);
        const y = fns[fn](x, w, b, options);
        const gy = draw(y.shape).detach();
        y.mul(gy).sum().backward();
        return [y, x.grad!, w.grad!, b.grad!];
      };
      const got = run("float32");
      const want = run("float64");
      got.forEach((g, i) => expectClose(g, want[i]!.float(), { rtol: 1e-3, atol: 1e-3 }, `${["y", "x.grad", "w.grad", "b.grad"][i]} at ${budget} bytes`));
    }
  });
});

describe("setConvolutionScratch", () => {
  it("takes a positive integer number of bytes and says so otherwise", () => {
    setConvolutionScratch(1 << 20);
    expect(getConvolutionScratch()).toBe(1 << 20);
    expect(() => setConvolutionScratch(0)).toThrow(OptionError);
    expect(() => setConvolutionScratch(1.5)).toThrow(/setConvolutionScratch: bytes must be a positive integer, got 1.5/);
  });
});

describe("max pooling without grad", () => {
  it("gives the same values under noGrad and for an input that needs no grad, without a graph", () => {
    manualSeed(8);
    const x = randn([3, 2, 7, 6]);
    const options = { stride: 2, padding: 1 };
    const xg = x.detach().requiresGrad_();
    const withGrad = F.maxPool2d(xg, 3, options);
    expect(withGrad.gradFn).not.toBeNull();
    const quiet = noGrad(() => F.maxPool2d(xg, 3, options));
    const plain = F.maxPool2d(x, 3, options);
    expect(quiet.gradFn).toBeNull();
    expect(plain.gradFn).toBeNull();
    expectClose(quiet, withGrad.detach());
    expectClose(plain, withGrad.detach());
    // the indices are still there when asked for
    const { indices } = noGrad(() => F.maxPool2dWithIndices(x, 3, options));
    expect(indices.dtype).toBe("int32");
    expect(indices.shape).toEqual([3, 2, 4, 3]);
  });
});

describe("average pooling with overlapping windows (a depthwise convolution of ones)", () => {
  it("matches the sum of shifted slices, values and gradient, in blocks of one sample", () => {
    manualSeed(9);
    const x = randn([5, 3, 7, 6]).requiresGrad_();
    const gy = randn([5, 3, 7, 6]);
    setConvolutionScratch(1);
    const y = F.avgPool2d(x, 3, { stride: 1, padding: 1 });
    const [gx] = autograd.grad([y], [x], { gradOutputs: [gy] }) as Tensor[];
    // reference: zero-pad, add the nine shifted 7×6 windows, divide by 9 (countIncludePad)
    const xp = F.pad(x, [1, 1, 1, 1]);
    let ref: Tensor | null = null;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      const part = xp.narrow(2, i, 7).narrow(3, j, 6);
      ref = ref === null ? part : ref.add(part);
    }
    ref = ref!.div(9);
    const [gref] = autograd.grad([ref], [x], { gradOutputs: [gy] }) as Tensor[];
    expectClose(y, ref.detach(), { rtol: 1e-5, atol: 1e-6 }, "y");
    expectClose(gx, gref!, { rtol: 1e-5, atol: 1e-6 }, "x.grad");
  });
});

describe("strided operands (views) give what their contiguous copies give", () => {
  const big = () => {
    manualSeed(11);
    return randn([3, 4, 6, 7]);
  };
  const views: [string, (t: Tensor) => Tensor][] = [
    ["transposed H and W", (t) => t.transpose(2, 3)],
    ["a narrowed width", (t) => t.narrow(3, 1, 5)],
    ["a width of one", (t) => t.narrow(3, 2, 1)],
    ["a narrowed height", (t) => t.narrow(2, 1, 5)],
  ];
  it.each(views)("%s, as conv2d's input and as convTranspose2d's (its gy)", (_, make) => {
    setConvolutionScratch(1);
    const x = make(big());
    const w = randn([4, 4, 1, 1]).add(randn([4, 4, 1, 1]));
    const wt = randn([4, 4, 5, 3]).narrow(2, 1, 3).transpose(2, 3);
    for (const [f, weight] of [[F.conv2d, w], [F.convTranspose2d, w]] as const) {
      const a = x.detach().requiresGrad_();
      const b = x.contiguous().detach().requiresGrad_();
      const ya = f(a, weight, null, {});
      const yb = f(b, weight, null, {});
      expectClose(ya, yb, { rtol: 1e-5, atol: 1e-6 });
      ya.sum().backward();
      yb.sum().backward();
      expectClose(a.grad, b.grad!, { rtol: 1e-5, atol: 1e-6 });
    }
    // a strided weight too
    const wa = wt.detach().requiresGrad_();
    const wb = wt.contiguous().detach().requiresGrad_();
    const xs = randn([2, 4, 7, 7]);
    const ya = F.conv2d(xs, wa, null, { padding: 1 });
    const yb = F.conv2d(xs, wb, null, { padding: 1 });
    expectClose(ya, yb, { rtol: 1e-5, atol: 1e-6 });
    ya.sum().backward();
    yb.sum().backward();
    expectClose(wa.grad, wb.grad!, { rtol: 1e-5, atol: 1e-6 });
  });
});
