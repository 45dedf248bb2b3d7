/**
 * Every function of F refuses an options key it does not read, before doing any work: otherwise
 * PyTorch's spellings (`label_smoothing`, `negative_slope`) and typos (`trainig`) are dropped
 * without a word and the call runs with the defaults. The list below covers every export of F; a
 * new export fails the first test until it is added here, with its options or to NO_OPTIONS.
 */
import { describe, expect, it } from "vitest";
import { F, Generator, autograd, gradcheck, manualSeed, ones, rand, randn, tensor, zeros, type Tensor } from "../packages/nabla/src/index.js";

/** The exports of F that take no options object (numbers and tensors only). */
const NO_OPTIONS = [
  "SELU_ALPHA", "SELU_SCALE", "adaptiveAvgPool2d", "adaptiveMaxPool2d", "adaptiveMaxPool2dWithIndices", "bilinear",
  "channelShuffle", "checkReduction", "geglu", "glu", "hardsigmoid", "hardswish", "linear", "logSoftmax", "logsigmoid", "mish",
  "pixelShuffle", "pixelUnshuffle", "prelu", "rational", "reduce", "relu", "relu6", "reluSquared", "selu", "sigmoid",
  "silu", "softmax", "softmin", "softsign", "swiglu", "tanh", "tanhshrink", "threshold",
];

interface Case {
  /** The call with `options` in its options slot and valid tensors elsewhere. */
  call: (options: unknown) => unknown;
  /** Every key the function takes, each with a valid value (undefined where a value needs more setup). */
  keys: Record<string, unknown>;
  /** Options the call needs besides the one under test (the key under test overrides them). */
  base?: Record<string, unknown>;
  /** The name its errors start with, where not its own (the WithIndices forms share their pool's). */
  op?: string;
}

const x = () => randn([4, 3]);
const image = () => randn([1, 2, 8, 8]);
const classes = () => tensor([0, 2, 1, 2], { dtype: "int32" });
const signs = () => tensor([1, -1, 1, -1]);
const loss = (f: (a: Tensor, b: Tensor, o: never) => Tensor, target: () => Tensor = x, input: () => Tensor = x) => (o: unknown) => f(input(), target(), o as never);

const CASES: Record<string, Case> = {
  leakyRelu: { call: (o) => F.leakyRelu(x(), o as never), keys: { negativeSlope: 0.2 } },
  elu: { call: (o) => F.elu(x(), o as never), keys: { alpha: 0.5 } },
  celu: { call: (o) => F.celu(x(), o as never), keys: { alpha: 0.5 } },
  gelu: { call: (o) => F.gelu(x(), o as never), keys: { approximate: "tanh" } },
  softplus: { call: (o) => F.softplus(x(), o as never), keys: { beta: 2, threshold: 10 } },
  hardtanh: { call: (o) => F.hardtanh(x(), o as never), keys: { minVal: -2, maxVal: 2 } },
  softshrink: { call: (o) => F.softshrink(x(), o as never), keys: { lambd: 0.3 } },
  hardshrink: { call: (o) => F.hardshrink(x(), o as never), keys: { lambd: 0.3 } },
  rrelu: { call: (o) => F.rrelu(x(), o as never), keys: { lower: 0.1, upper: 0.2, training: true, generator: new Generator(1) } },
  dropout: { call: (o) => F.dropout(x(), o as never), keys: { p: 0.3, training: true, generator: new Generator(1) } },
  dropout2d: { call: (o) => F.dropout2d(image(), o as never), keys: { p: 0.3, training: true, generator: new Generator(1) } },
  scaledDotProductAttention: {
    call: (o) => F.scaledDotProductAttention(randn([2, 3, 4]), randn([2, 3, 4]), randn([2, 3, 4]), o as never),
    keys: { attnMask: undefined, dropoutP: 0, isCausal: true, scale: 0.5 },
  },
  mseLoss: { call: loss(F.mseLoss), keys: { reduction: "sum" } },
  l1Loss: { call: loss(F.l1Loss), keys: { reduction: "sum" } },
  softMarginLoss: { call: loss(F.softMarginLoss), keys: { reduction: "sum" } },
  smoothL1Loss: { call: loss(F.smoothL1Loss), keys: { reduction: "sum", beta: 0.5 } },
  huberLoss: { call: loss(F.huberLoss), keys: { reduction: "sum", delta: 0.5 } },
  poissonNllLoss: { call: loss(F.poissonNllLoss, () => rand([4, 3]), () => rand([4, 3])), keys: { reduction: "sum", logInput: false, full: true, eps: 1e-6 } },
  gaussianNllLoss: { call: (o) => F.gaussianNllLoss(x(), x(), ones([4, 3]), o as never), keys: { reduction: "sum", full: true, eps: 1e-5 } },
  binaryCrossEntropy: { call: loss(F.binaryCrossEntropy, () => rand([4, 3]), () => rand([4, 3])), keys: { reduction: "sum", weight: ones([4, 3]) } },
  binaryCrossEntropyWithLogits: { call: loss(F.binaryCrossEntropyWithLogits, () => rand([4, 3])), keys: { reduction: "sum", weight: ones([4, 3]), posWeight: ones([3]) } },
  nllLoss: { call: loss(F.nllLoss, classes), keys: { reduction: "sum", weight: ones([3]), ignoreIndex: 1 } },
  crossEntropy: { call: loss(F.crossEntropy, classes), keys: { reduction: "sum", weight: ones([3]), ignoreIndex: 1, labelSmoothing: 0.1 } },
  klDiv: { call: loss(F.klDiv, () => F.softmax(x(), 1), () => F.logSoftmax(x(), 1)), keys: { reduction: "batchmean", logTarget: true } },
  multilabelSoftMarginLoss: { call: loss(F.multilabelSoftMarginLoss, () => rand([4, 3])), keys: { reduction: "sum", weight: ones([3]) } },
  hingeEmbeddingLoss: { call: loss(F.hingeEmbeddingLoss, signs, () => randn([4])), keys: { reduction: "sum", margin: 0.5 } },
  marginRankingLoss: { call: (o) => F.marginRankingLoss(randn([4]), randn([4]), signs(), o as never), keys: { reduction: "sum", margin: 0.1 } },
  cosineEmbeddingLoss: { call: (o) => F.cosineEmbeddingLoss(x(), x(), signs(), o as never), keys: { reduction: "sum", margin: 0.1 } },
  tripletMarginLoss: { call: (o) => F.tripletMarginLoss(x(), x(), x(), o as never), keys: { reduction: "sum", margin: 0.5, p: 1, eps: 1e-5, swap: true } },
  conv1d: { call: (o) => F.conv1d(randn([1, 2, 8]), randn([3, 2, 3]), null, o as never), keys: { stride: 2, padding: 1, dilation: 2, groups: 1 } },
  conv2d: { call: (o) => F.conv2d(image(), randn([3, 2, 3, 3]), null, o as never), keys: { stride: 2, padding: 1, dilation: 2, groups: 1 } },
  conv3d: { call: (o) => F.conv3d(randn([1, 2, 5, 5, 5]), randn([3, 2, 3, 3, 3]), null, o as never), keys: { stride: 2, padding: 1, dilation: 1, groups: 1 } },
  convTranspose1d: {
    call: (o) => F.convTranspose1d(randn([1, 2, 5]), randn([2, 3, 3]), null, o as never),
    keys: { stride: 2, padding: 1, outputPadding: 1, groups: 1, dilation: 1 },
    base: { stride: 2 },
  },
  convTranspose2d: {
    call: (o) => F.convTranspose2d(randn([1, 2, 5, 5]), randn([2, 3, 3, 3]), null, o as never),
    keys: { stride: 2, padding: 1, outputPadding: 1, groups: 1, dilation: 1 },
    base: { stride: 2 },
  },
  maxPool1d: { call: (o) => F.maxPool1d(randn([1, 2, 8]), 2, o as never), keys: { stride: 2, padding: 1, dilation: 1, ceilMode: true } },
  maxPool1dWithIndices: { call: (o) => F.maxPool1dWithIndices(randn([1, 2, 8]), 2, o as never), keys: { stride: 2, padding: 1, dilation: 1, ceilMode: true }, op: "maxPool1d" },
  maxPool2d: { call: (o) => F.maxPool2d(image(), 2, o as never), keys: { stride: 2, padding: 1, dilation: 1, ceilMode: true } },
  maxPool2dWithIndices: { call: (o) => F.maxPool2dWithIndices(image(), 2, o as never), keys: { stride: 2, padding: 1, dilation: 1, ceilMode: true }, op: "maxPool2d" },
  avgPool1d: { call: (o) => F.avgPool1d(randn([1, 2, 8]), 2, o as never), keys: { stride: 2, padding: 1, ceilMode: true, countIncludePad: false } },
  avgPool2d: { call: (o) => F.avgPool2d(image(), 2, o as never), keys: { stride: 2, padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: 3 } },
  batchNorm: {
    call: (o) => F.batchNorm(x(), zeros([3]), ones([3]), o as never),
    keys: { weight: ones([3]), bias: zeros([3]), training: true, momentum: 0.2, eps: 1e-3 },
  },
  localResponseNorm: { call: (o) => F.localResponseNorm(randn([2, 3, 4]), 2, o as never), keys: { alpha: 1e-3, beta: 0.5, k: 2 } },
  alphaDropout: { call: (o) => F.alphaDropout(x(), o as never), keys: { p: 0.3, training: true, generator: new Generator(1) } },
  multiMarginLoss: { call: (o) => F.multiMarginLoss(x(), tensor([0, 2, 1, 2], { dtype: "int32" }), o as never), keys: { p: 2, margin: 0.5, weight: ones([3]), reduction: "sum" } },
  gumbelSoftmax: { call: (o) => F.gumbelSoftmax(x(), o as never), keys: { tau: 0.5, hard: true, eps: 1e-10, dim: 0, generator: new Generator(1) } },
  instanceNorm: {
    call: (o) => F.instanceNorm(randn([2, 3, 4]), zeros([3]), ones([3]), o as never),
    keys: { weight: ones([3]), bias: zeros([3]), useInputStats: false, momentum: 0.2, eps: 1e-3 },
  },
  layerNorm: { call: (o) => F.layerNorm(x(), [3], o as never), keys: { weight: ones([3]), bias: zeros([3]), eps: 1e-3 } },
  groupNorm: { call: (o) => F.groupNorm(randn([2, 4, 3]), 2, o as never), keys: { weight: ones([4]), bias: zeros([4]), eps: 1e-3 } },
  rmsNorm: { call: (o) => F.rmsNorm(x(), [3], o as never), keys: { weight: ones([3]), eps: 1e-3 } },
  embedding: { call: (o) => F.embedding(classes(), randn([5, 2]), o as never), keys: { paddingIdx: 0 } },
  embeddingBag: {
    call: (o) => F.embeddingBag(tensor([[0, 1], [2, 3]], { dtype: "int32" }), randn([5, 2]), o as never),
    keys: { offsets: undefined, mode: "sum", perSampleWeights: ones([2, 2]), includeLastOffset: false, paddingIdx: 0 },
    base: { mode: "sum" },
  },
  pad: { call: (o) => F.pad(image(), [1, 1], o as never), keys: { mode: "constant", value: 2 } },
  oneHot: { call: (o) => F.oneHot(classes(), o as never), keys: { numClasses: 5 } },
  normalize: { call: (o) => F.normalize(x(), o as never), keys: { p: 1, dim: 0, eps: 1e-6 } },
  cosineSimilarity: { call: (o) => F.cosineSimilarity(x(), x(), o as never), keys: { dim: 0, eps: 1e-6 } },
  pairwiseDistance: { call: (o) => F.pairwiseDistance(x(), x(), o as never), keys: { p: 1, eps: 1e-5, keepdim: true } },
  cdist: { call: (o) => F.cdist(x(), randn([5, 3]), o as never), keys: { p: 1, computeMode: "donot_use_mm_for_euclid_dist" } },
  interpolate: {
    call: (o) => F.interpolate(image(), o as never),
    keys: { size: undefined, scaleFactor: 3, mode: "bicubic", alignCorners: true, recomputeScaleFactor: true },
    base: { scaleFactor: 2, mode: "bilinear" },
  },
  unfold: { call: (o) => F.unfold(image(), 2, o as never), keys: { dilation: 1, padding: 1, stride: 2 } },
  fold: { call: (o) => F.fold(randn([1, 8, 4]), [4, 4], 2, o as never), keys: { dilation: 1, padding: 0, stride: 2 }, base: { stride: 2 } },
  gridSample: { call: (o) => F.gridSample(image(), rand([1, 3, 3, 2]), o as never), keys: { mode: "nearest", paddingMode: "border", alignCorners: true } },
  affineGrid: { call: (o) => F.affineGrid(randn([1, 2, 3]), [1, 2, 4, 4], o as never), keys: { alignCorners: true } },
};

describe("F options", () => {
  it("every export of F is either listed with its options or in NO_OPTIONS", () => {
    const listed = [...NO_OPTIONS, ...Object.keys(CASES)].sort();
    expect(listed).toEqual(Object.keys(F).sort());
    expect(new Set(listed).size).toBe(listed.length);
  });

  it.each(Object.keys(CASES))("%s refuses an unknown option with a TypeError naming itself and the key", (name) => {
    const { call, op = name } = CASES[name]!;
    expect(() => call({ bogusOption: 1 })).toThrow(TypeError);
    expect(() => call({ bogusOption: 1 })).toThrow(new RegExp(`^${op}: unknown option 'bogusOption'`));
  });

  it.each(Object.keys(CASES))("%s accepts each of its options, with a value and as undefined", (name) => {
    const { call, keys, base } = CASES[name]!;
    if (base === undefined) expect(() => call(undefined)).not.toThrow();
    expect(() => call({ ...base })).not.toThrow();
    for (const [key, value] of Object.entries(keys)) {
      expect(() => call({ ...base, [key]: value }), `${name}({ ${key} })`).not.toThrow();
      if (base?.[key] === undefined) expect(() => call({ ...base, [key]: undefined }), `${name}({ ${key}: undefined })`).not.toThrow();
    }
  });

  it("PyTorch's snake_case spellings get a hint to nabla's", () => {
    expect(() => F.crossEntropy(randn([4, 3]), classes(), { label_smoothing: 0.1 } as never)).toThrow(
      "crossEntropy: unknown option 'label_smoothing' (nabla spells PyTorch's label_smoothing as labelSmoothing)",
    );
    expect(() => F.leakyRelu(x(), { negative_slope: 0.2 } as never)).toThrow("leakyRelu: unknown option 'negative_slope' (nabla spells PyTorch's negative_slope as negativeSlope)");
    expect(() => F.maxPool2d(image(), 2, { ceil_mode: true } as never)).toThrow("(nabla spells PyTorch's ceil_mode as ceilMode)");
    expect(() => F.normalize(x(), { p: 2, dimm: 1 } as never)).toThrow(/^normalize: unknown option 'dimm'; it takes p, dim, eps$/);
  });

  it("the misreadings measured on main are TypeErrors now", () => {
    expect(() => F.dropout(x(), { p: 0.5, trainig: false } as never)).toThrow(/^dropout: unknown option 'trainig'/);
    expect(() => F.crossEntropy(randn([4, 3]), classes(), { reduce: "sum" } as never)).toThrow(/^crossEntropy: unknown option 'reduce'/);
    expect(() => F.gelu(x(), { aproximate: "tanh" } as never)).toThrow(/^gelu: unknown option 'aproximate'/);
    expect(() => F.pad(image(), [1, 1], { valu: 2 } as never)).toThrow(/^pad: unknown option 'valu'/);
  });

  it("an options object one slot early is a TypeError naming the call and the argument, not a crash", () => {
    expect(() => F.conv2d(image(), randn([3, 2, 3, 3]), { strides: 2 } as never)).toThrow(TypeError);
    expect(() => F.conv2d(image(), randn([3, 2, 3, 3]), { strides: 2 } as never)).toThrow(/^conv2d: expected bias \(argument 3\) to be a Tensor or null, got an object/);
    expect(() => F.conv2d(image(), randn([3, 2, 3, 3]), null, { strides: 2 } as never)).toThrow(/^conv2d: unknown option 'strides'/);
    expect(() => F.maxPool2d(image(), { kernel_size: 2 } as never)).toThrow(TypeError);
    expect(() => F.maxPool2d(image(), { kernel_size: 2 } as never)).toThrow(/^maxPool2d: expected kernelSize \(argument 2\) to be an integer or a list of integers, got an object/);
    expect(() => F.avgPool1d(randn([1, 2, 8]), { kernelSize: 2 } as never)).toThrow(/^avgPool1d: expected kernelSize/);
    expect(() => x().to({ dtype: "float64" } as never)).toThrow(TypeError);
    expect(() => x().to({ dtype: "float64" } as never)).toThrow(/^to: expected a dtype \(float32, float64, int32, bool\) or a device \(cpu, webgpu\), got an object .*x\.to\("float64"\)/);
    expect(() => F.crossEntropy(randn([4, 3]), classes(), "sum" as never)).toThrow(/^crossEntropy: the options must be an object \(reduction, weight, ignoreIndex, labelSmoothing\), but got the string "sum"/);
    expect(() => F.crossEntropy(randn([4, 3]), classes(), null as never)).toThrow(TypeError);
  });

  it("a refused call draws no random numbers", () => {
    const [a, b] = [randn([4, 3]), randn([1, 2, 8, 8])]; // drawn before the seed: only the call could move the generator
    for (const call of [
      () => F.dropout(a, { p: 0.5, trainig: false } as never),
      () => F.dropout2d(b, { p: 0.5, Training: false } as never),
      () => F.rrelu(a, { training: true, lowr: 0.1 } as never),
      () => F.scaledDotProductAttention(a, a, a, { dropoutP: 0.5, is_causal: true } as never),
    ]) {
      manualSeed(7);
      expect(call).toThrow(TypeError);
      const after = rand([3]).toArray();
      manualSeed(7);
      expect(after).toEqual(rand([3]).toArray());
    }
  });

  // The Tensor methods (and their functions) that take an options object refuse unknown keys too.
  const idx = () => tensor([0, 1], { dtype: "int32" });
  const methods: Record<string, [(o: never) => unknown, Record<string, unknown>]> = {
    backward: [(o) => randn([3], { requiresGrad: true }).sum().backward(undefined, o), { retainGraph: true, createGraph: false }],
    clamp: [(o) => x().clamp(o), { min: 0, max: 1 }],
    clamp_: [(o) => x().clamp_(o), { min: 0, max: 1 }],
    repeatInterleave: [(o) => x().repeatInterleave(2, o), { dim: 0, outputSize: 24 }],
    bernoulli_: [(o) => rand([3]).bernoulli_(0.5, o), { generator: new Generator(1) }],
    exponential_: [(o) => rand([3]).exponential_(1, o), { generator: new Generator(1) }],
    bernoulli: [(o) => rand([3]).bernoulli(o), { generator: new Generator(1) }],
    multinomial: [(o) => rand([3]).multinomial(2, o), { replacement: true, generator: new Generator(1) }],
    indexPut: [(o) => x().indexPut([idx()], tensor(1), o), { accumulate: true }],
    indexPut_: [(o) => x().indexPut_([idx()], tensor(1), o), { accumulate: true }],
    indexAdd: [(o) => x().indexAdd(0, idx(), randn([2, 3]), o), { alpha: 2 }],
    indexAdd_: [(o) => x().indexAdd_(0, idx(), randn([2, 3]), o), { alpha: 2 }],
    scatter: [(o) => x().scatter(0, tensor([[0, 1, 0]], { dtype: "int32" }), 1, o), { reduce: "add" }],
    scatter_: [(o) => x().scatter_(0, tensor([[0, 1, 0]], { dtype: "int32" }), 1, o), { reduce: "add" }],
  };

  it.each(Object.keys(methods))("x.%s refuses an unknown option and accepts each of its own", (name) => {
    const [call, keys] = methods[name]!;
    const op = name.replace(/_$/, ""); // in-place forms name themselves with or without the underscore
    expect(() => call({ bogusOption: 1 } as never)).toThrow(TypeError);
    expect(() => call({ bogusOption: 1 } as never)).toThrow(new RegExp(`^${op}_?: unknown option 'bogusOption'`));
    for (const [key, value] of Object.entries(keys)) expect(() => call({ [key]: value } as never), `${name}({ ${key} })`).not.toThrow();
  });

  it("autograd.grad and gradcheck refuse unknown options, with PyTorch's spelling hinted", () => {
    const a = randn([3], { requiresGrad: true });
    expect(() => autograd.grad(a.sum(), [a], { retain_graph: true } as never)).toThrow(
      "grad: unknown option 'retain_graph' (nabla spells PyTorch's retain_graph as retainGraph)",
    );
    expect(() => gradcheck((t) => t.sum(), [randn([2], { dtype: "float64", requiresGrad: true })], { raise_exception: false } as never)).toThrow(
      "gradcheck: unknown option 'raise_exception' (nabla spells PyTorch's raise_exception as raiseException)",
    );
    expect(autograd.grad(a.sum(), [a], { retainGraph: true, createGraph: false, gradOutputs: undefined, allowUnused: true })[0]!.toArray()).toEqual([1, 1, 1]);
  });

  it("x.softmax({ dim }) is a TypeError naming softmax and the dim, not 'dimension out of range'", () => {
    expect(() => x().softmax({ dim: 1 } as never)).toThrow(/^softmax: expected dim to be an integer, got an object .*x\.softmax\(1\)/);
    expect(() => x().logSoftmax({ dim: 1 } as never)).toThrow(TypeError);
  });

  it("a refused x.bernoulli_ changes neither the tensor nor the generator", () => {
    const t = rand([4]);
    const before = t.toArray();
    manualSeed(3);
    expect(() => t.bernoulli_(0.5, { generatr: new Generator(1) } as never)).toThrow(/^bernoulli_: unknown option 'generatr'/);
    expect(t.toArray()).toEqual(before);
    const after = rand([2]).toArray();
    manualSeed(3);
    expect(after).toEqual(rand([2]).toArray());
  });
});
