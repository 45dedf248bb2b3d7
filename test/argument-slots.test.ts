/**
 * Every constructor a PyTorch program calls takes PyTorch's positional arguments in PyTorch's
 * order (as far as nabla has them) or an options object, and refuses anything else with a
 * TypeError naming the class (issue 11: "PyTorch's call shapes work from JavaScript").
 *
 * The table below holds, for every nn Module class, optimizer and scheduler that nabla exports
 * (and the DataLoader), one call filling every positional slot and the same call with an
 * options object. It fails if an export is missing from it. For each entry:
 *  - both forms build the same object (fields, repr, state dict, parameter groups);
 *  - a value of the wrong kind in any argument slot, and one value more than the slots, throw a
 *    TypeError naming the class;
 *  - its positional slots are PyTorch's, in PyTorch's order, camelCased, as far as nabla goes
 *    (test/fixtures/constructor_signatures.json, from scripts/make_signature_fixtures.py).
 */
import { describe, expect, it } from "vitest";
import { data, manualSeed, nn, optim, OptionError, Tensor, tensor } from "../packages/nabla/src/index.js";
import { loadFixture } from "./helpers.js";

const { lrScheduler } = optim;

/** A call in both forms: positional (every slot PyTorch has and nabla takes) and with an options object. */
interface Forms {
  positional: () => unknown[];
  options: () => unknown[];
}
/** Exported, but not a constructor a program calls with PyTorch's arguments (the reason is the value). */
type Entry = Forms | string;

const w = () => tensor([1.0, 2.0, 3.0]);
const params = () => {
  manualSeed(1);
  return new nn.Linear(2, 2).parameters();
};
const opt = () => new optim.SGD(params(), 0.1, 0.9);
const same = (...args: unknown[]): Forms => ({ positional: () => args, options: () => args });

const MODULES: Record<string, Entry> = {
  // containers and structure
  Sequential: { positional: () => [new nn.ReLU(), new nn.Tanh()], options: () => [new nn.ReLU(), new nn.Tanh()] },
  ModuleList: same([new nn.ReLU()]),
  ModuleDict: { positional: () => [new Map([["act", new nn.ReLU()]])], options: () => [{ act: new nn.ReLU() }] },
  ParameterList: same([tensor([1, 2])]),
  ParameterDict: { positional: () => [new Map([["w", tensor([1, 2])]])], options: () => [{ w: tensor([1, 2]) }] },
  Identity: "takes any arguments and ignores them, as PyTorch's nn.Identity(*args, **kwargs)",
  Linear: { positional: () => [3, 2, false], options: () => [3, 2, { bias: false }] },
  Bilinear: { positional: () => [3, 4, 2, false], options: () => [3, 4, 2, { bias: false }] },
  Flatten: { positional: () => [0, 2], options: () => [{ startDim: 0, endDim: 2 }] },
  Unflatten: same(1, [2, 3]),
  // convolution, pooling, resampling
  Conv1d: { positional: () => [4, 8, 3, 2, 1, 2, 2, false, "zeros"], options: () => [4, 8, 3, { stride: 2, padding: 1, dilation: 2, groups: 2, bias: false, paddingMode: "zeros" }] },
  Conv2d: { positional: () => [4, 8, 3, 2, 1, 2, 2, false, "zeros"], options: () => [4, 8, 3, { stride: 2, padding: 1, dilation: 2, groups: 2, bias: false, paddingMode: "zeros" }] },
  Conv3d: { positional: () => [4, 8, 3, 2, 1, 2, 2, false, "zeros"], options: () => [4, 8, 3, { stride: 2, padding: 1, dilation: 2, groups: 2, bias: false, paddingMode: "zeros" }] },
  ConvTranspose1d: {
    positional: () => [4, 8, 3, 2, 1, 1, 2, false, 2, "zeros"],
    options: () => [4, 8, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2, bias: false, dilation: 2, paddingMode: "zeros" }],
  },
  ConvTranspose2d: {
    positional: () => [4, 8, 3, 2, 1, 1, 2, false, 2, "zeros"],
    options: () => [4, 8, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2, bias: false, dilation: 2, paddingMode: "zeros" }],
  },
  MaxPool1d: { positional: () => [3, 2, 1, 2, true, true], options: () => [3, { stride: 2, padding: 1, dilation: 2, returnIndices: true, ceilMode: true }] },
  MaxPool2d: { positional: () => [3, 2, 1, 2, true, true], options: () => [3, { stride: 2, padding: 1, dilation: 2, returnIndices: true, ceilMode: true }] },
  AvgPool1d: { positional: () => [3, 2, 1, true, false], options: () => [3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }] },
  AvgPool2d: { positional: () => [3, 2, 1, true, false, 4], options: () => [3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: 4 }] },
  AdaptiveAvgPool2d: same([2, 3]),
  AdaptiveMaxPool2d: { positional: () => [[2, 3], true], options: () => [[2, 3], { returnIndices: true }] },
  Upsample: { positional: () => [null, 2, "bilinear", true, true], options: () => [{ scaleFactor: 2, mode: "bilinear", alignCorners: true, recomputeScaleFactor: true }] },
  UpsamplingNearest2d: { positional: () => [[4, 6], null], options: () => [{ size: [4, 6] }] },
  UpsamplingBilinear2d: { positional: () => [null, 3], options: () => [{ scaleFactor: 3 }] },
  PixelShuffle: same(2),
  PixelUnshuffle: same(2),
  Unfold: { positional: () => [3, 2, 1, 2], options: () => [3, { dilation: 2, padding: 1, stride: 2 }] },
  Fold: { positional: () => [[8, 8], 3, 2, 1, 2], options: () => [[8, 8], 3, { dilation: 2, padding: 1, stride: 2 }] },
  CosineSimilarity: { positional: () => [0, 1e-6], options: () => [{ dim: 0, eps: 1e-6 }] },
  PairwiseDistance: { positional: () => [1, 1e-3, true], options: () => [{ p: 1, eps: 1e-3, keepdim: true }] },
  ReflectionPad1d: same(2),
  ReflectionPad2d: same([1, 2, 3, 4]),
  ReflectionPad3d: same(1),
  ReplicationPad1d: same(2),
  ReplicationPad2d: same([1, 2, 3, 4]),
  ReplicationPad3d: same(1),
  ConstantPad1d: same(2, 0.5),
  ConstantPad2d: same([1, 2, 3, 4], 0.5),
  ConstantPad3d: same(1, 0.5),
  ZeroPad2d: same([1, 2, 3, 4]),
  // normalisation, dropout, embedding
  BatchNorm1d: { positional: () => [4, 1e-3, null, false, false], options: () => [4, { eps: 1e-3, momentum: null, affine: false, trackRunningStats: false }] },
  BatchNorm2d: { positional: () => [4, 1e-3, 0.37, false, true], options: () => [4, { eps: 1e-3, momentum: 0.37, affine: false, trackRunningStats: true }] },
  BatchNorm3d: { positional: () => [4, 1e-3, 0.37, false, true], options: () => [4, { eps: 1e-3, momentum: 0.37, affine: false, trackRunningStats: true }] },
  InstanceNorm1d: { positional: () => [4, 1e-3, 0.37, true, true], options: () => [4, { eps: 1e-3, momentum: 0.37, affine: true, trackRunningStats: true }] },
  InstanceNorm2d: { positional: () => [4, 1e-3, 0.37, true, false], options: () => [4, { eps: 1e-3, momentum: 0.37, affine: true, trackRunningStats: false }] },
  InstanceNorm3d: { positional: () => [4, 1e-3, 0.37, false, true], options: () => [4, { eps: 1e-3, momentum: 0.37, affine: false, trackRunningStats: true }] },
  LayerNorm: { positional: () => [[2, 4], 1e-6, true, false], options: () => [[2, 4], { eps: 1e-6, elementwiseAffine: true, bias: false }] },
  GroupNorm: { positional: () => [2, 4, 1e-6, false], options: () => [2, 4, { eps: 1e-6, affine: false }] },
  RMSNorm: { positional: () => [4, 1e-6, false], options: () => [4, { eps: 1e-6, elementwiseAffine: false }] },
  Dropout: { positional: () => [0.37, false], options: () => [{ p: 0.37, inplace: false }] },
  AlphaDropout: { positional: () => [0.37, false], options: () => [{ p: 0.37, inplace: false }] },
  LocalResponseNorm: { positional: () => [3, 1e-3, 0.5, 2], options: () => [3, { alpha: 1e-3, beta: 0.5, k: 2 }] },
  ChannelShuffle: same(2),
  Softmax2d: same(),
  Dropout2d: { positional: () => [0.37, false], options: () => [{ p: 0.37, inplace: false }] },
  Embedding: { positional: () => [10, 4, 0], options: () => [10, 4, { paddingIdx: 0 }] },
  EmbeddingBag: same(10, 4, { mode: "sum", paddingIdx: 1 }),
  // recurrent and attention
  RNN: { positional: () => [3, 4, 2, false, true, 0.37, true], options: () => [3, 4, { numLayers: 2, bias: false, batchFirst: true, dropout: 0.37, bidirectional: true }] },
  LSTM: { positional: () => [3, 4, 2, false, true, 0.37, true], options: () => [3, 4, { numLayers: 2, bias: false, batchFirst: true, dropout: 0.37, bidirectional: true }] },
  GRU: { positional: () => [3, 4, 2, false, true, 0.37, true], options: () => [3, 4, { numLayers: 2, bias: false, batchFirst: true, dropout: 0.37, bidirectional: true }] },
  RNNCell: { positional: () => [3, 4, false, "relu"], options: () => [3, 4, { bias: false, nonlinearity: "relu" }] },
  LSTMCell: { positional: () => [3, 4, false], options: () => [3, 4, { bias: false }] },
  GRUCell: { positional: () => [3, 4, false], options: () => [3, 4, { bias: false }] },
  MultiheadAttention: {
    positional: () => [8, 2, 0.1, false, true, true, 6, 5, true],
    options: () => [8, 2, { dropout: 0.1, bias: false, addBiasKv: true, addZeroAttn: true, kdim: 6, vdim: 5, batchFirst: true }],
  },
  TransformerEncoderLayer: {
    positional: () => [8, 2, 16, 0.1, "gelu", 1e-6, true, true],
    options: () => [8, 2, { dimFeedforward: 16, dropout: 0.1, activation: "gelu", layerNormEps: 1e-6, batchFirst: true, normFirst: true }],
  },
  TransformerDecoderLayer: {
    positional: () => [8, 2, 16, 0.1, "gelu", 1e-6, true, true],
    options: () => [8, 2, { dimFeedforward: 16, dropout: 0.1, activation: "gelu", layerNormEps: 1e-6, batchFirst: true, normFirst: true }],
  },
  TransformerEncoder: same(() => new nn.TransformerEncoderLayer(8, 2, 16), 2, new nn.LayerNorm(8)),
  TransformerDecoder: same(() => new nn.TransformerDecoderLayer(8, 2, 16), 2, new nn.LayerNorm(8)),
  Transformer: {
    positional: () => [8, 2, 1, 1, 16, 0.1, "gelu", null, null, 1e-6, true, true],
    options: () => [{ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, dropout: 0.1, activation: "gelu", layerNormEps: 1e-6, batchFirst: true, normFirst: true }],
  },
  // activations
  Sigmoid: same(),
  Tanh: same(),
  ReLU: { positional: () => [false], options: () => [{ inplace: false }] },
  ReLUSquared: same(),
  ReLU6: { positional: () => [false], options: () => [{ inplace: false }] },
  SELU: { positional: () => [false], options: () => [{ inplace: false }] },
  SiLU: { positional: () => [false], options: () => [{ inplace: false }] },
  Mish: { positional: () => [false], options: () => [{ inplace: false }] },
  Softsign: same(),
  Hardsigmoid: { positional: () => [false], options: () => [{ inplace: false }] },
  Hardswish: { positional: () => [false], options: () => [{ inplace: false }] },
  LogSigmoid: same(),
  Tanhshrink: same(),
  LeakyReLU: { positional: () => [0.37, false], options: () => [{ negativeSlope: 0.37, inplace: false }] },
  ELU: { positional: () => [0.37, false], options: () => [{ alpha: 0.37, inplace: false }] },
  CELU: { positional: () => [0.37, false], options: () => [{ alpha: 0.37, inplace: false }] },
  GELU: { positional: () => ["tanh"], options: () => [{ approximate: "tanh" }] },
  Softplus: { positional: () => [2, 10], options: () => [{ beta: 2, threshold: 10 }] },
  Hardtanh: { positional: () => [-2, 2, false], options: () => [{ minVal: -2, maxVal: 2, inplace: false }] },
  Softshrink: { positional: () => [0.37], options: () => [{ lambd: 0.37 }] },
  Hardshrink: { positional: () => [0.37], options: () => [{ lambd: 0.37 }] },
  Threshold: { positional: () => [0.1, 20, false], options: () => [0.1, 20, { inplace: false }] },
  RReLU: { positional: () => [0.1, 0.37, false], options: () => [{ lower: 0.1, upper: 0.37, inplace: false }] },
  Softmax: { positional: () => [1], options: () => [{ dim: 1 }] },
  LogSoftmax: { positional: () => [1], options: () => [{ dim: 1 }] },
  Softmin: { positional: () => [1], options: () => [{ dim: 1 }] },
  GLU: { positional: () => [1], options: () => [{ dim: 1 }] },
  SwiGLU: { positional: () => [1], options: () => [{ dim: 1 }] },
  GeGLU: { positional: () => [1], options: () => [{ dim: 1 }] },
  PReLU: { positional: () => [3, 0.37], options: () => [{ numParameters: 3, init: 0.37 }] },
  PAU: same({ numerator: [0, 1], denominator: [0.5] }),
  // losses (PyTorch's deprecated size_average and reduce hold their positions as null)
  MSELoss: { positional: () => [null, null, "sum"], options: () => [{ reduction: "sum" }] },
  L1Loss: { positional: () => [null, null, "sum"], options: () => [{ reduction: "sum" }] },
  SoftMarginLoss: { positional: () => [null, null, "sum"], options: () => [{ reduction: "sum" }] },
  SmoothL1Loss: { positional: () => [null, null, "sum", 0.37], options: () => [{ reduction: "sum", beta: 0.37 }] },
  HuberLoss: { positional: () => ["sum", 0.37], options: () => [{ reduction: "sum", delta: 0.37 }] },
  BCELoss: { positional: () => [w(), null, null, "sum"], options: () => [{ weight: w(), reduction: "sum" }] },
  BCEWithLogitsLoss: { positional: () => [w(), null, null, "sum", w()], options: () => [{ weight: w(), reduction: "sum", posWeight: w() }] },
  CrossEntropyLoss: {
    positional: () => [w(), null, 2, null, "sum", 0.1],
    options: () => [{ weight: w(), ignoreIndex: 2, reduction: "sum", labelSmoothing: 0.1 }],
  },
  NLLLoss: { positional: () => [w(), null, 2, null, "sum"], options: () => [{ weight: w(), ignoreIndex: 2, reduction: "sum" }] },
  KLDivLoss: { positional: () => [null, null, "batchmean", true], options: () => [{ reduction: "batchmean", logTarget: true }] },
  MarginRankingLoss: { positional: () => [0.37, null, null, "sum"], options: () => [{ margin: 0.37, reduction: "sum" }] },
  HingeEmbeddingLoss: { positional: () => [0.37, null, null, "sum"], options: () => [{ margin: 0.37, reduction: "sum" }] },
  CosineEmbeddingLoss: { positional: () => [0.37, null, null, "sum"], options: () => [{ margin: 0.37, reduction: "sum" }] },
  MultiLabelSoftMarginLoss: { positional: () => [w(), null, null, "sum"], options: () => [{ weight: w(), reduction: "sum" }] },
  MultiMarginLoss: { positional: () => [2, 0.5, w(), null, null, "sum"], options: () => [{ p: 2, margin: 0.5, weight: w(), reduction: "sum" }] },
  TripletMarginLoss: {
    positional: () => [0.37, 1, 1e-3, true, null, null, "sum"],
    options: () => [{ margin: 0.37, p: 1, eps: 1e-3, swap: true, reduction: "sum" }],
  },
  PoissonNLLLoss: { positional: () => [false, true, null, 1e-3, null, "sum"], options: () => [{ logInput: false, full: true, eps: 1e-3, reduction: "sum" }] },
  GaussianNLLLoss: same({ full: true, eps: 1e-3, reduction: "sum" }),
};

const OPTIMIZERS: Record<string, Entry> = {
  SGD: { positional: () => [params(), 0.1, 0.9, 0, 0.01, true], options: () => [params(), { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: true }] },
  Adam: { positional: () => [params(), 0.1, [0.8, 0.9], 1e-6, 0.01, true], options: () => [params(), { lr: 0.1, betas: [0.8, 0.9], eps: 1e-6, weightDecay: 0.01, amsgrad: true }] },
  AdamW: { positional: () => [params(), 0.1, [0.8, 0.9], 1e-6, 0.01, true], options: () => [params(), { lr: 0.1, betas: [0.8, 0.9], eps: 1e-6, weightDecay: 0.01, amsgrad: true }] },
  Adamax: { positional: () => [params(), 0.1, [0.8, 0.9], 1e-6, 0.01], options: () => [params(), { lr: 0.1, betas: [0.8, 0.9], eps: 1e-6, weightDecay: 0.01 }] },
  Adagrad: {
    positional: () => [params(), 0.1, 0.01, 0.02, 0.3, 1e-6],
    options: () => [params(), { lr: 0.1, lrDecay: 0.01, weightDecay: 0.02, initialAccumulatorValue: 0.3, eps: 1e-6 }],
  },
  Adadelta: { positional: () => [params(), 0.1, 0.8, 1e-5, 0.01], options: () => [params(), { lr: 0.1, rho: 0.8, eps: 1e-5, weightDecay: 0.01 }] },
  ASGD: { positional: () => [params(), 0.1, 1e-3, 0.5, 100, 0.01], options: () => [params(), { lr: 0.1, lambd: 1e-3, alpha: 0.5, t0: 100, weightDecay: 0.01 }] },
  RMSprop: {
    positional: () => [params(), 0.1, 0.8, 1e-6, 0.01, 0.9, true],
    options: () => [params(), { lr: 0.1, alpha: 0.8, eps: 1e-6, weightDecay: 0.01, momentum: 0.9, centered: true }],
  },
  Rprop: { positional: () => [params(), 0.1, [0.4, 1.3], [1e-5, 10]], options: () => [params(), { lr: 0.1, etas: [0.4, 1.3], stepSizes: [1e-5, 10] }] },
  NAdam: { positional: () => [params(), 0.1, [0.8, 0.9], 1e-6, 0.01, 0.005], options: () => [params(), { lr: 0.1, betas: [0.8, 0.9], eps: 1e-6, weightDecay: 0.01, momentumDecay: 0.005 }] },
  RAdam: { positional: () => [params(), 0.1, [0.8, 0.9], 1e-6, 0.01], options: () => [params(), { lr: 0.1, betas: [0.8, 0.9], eps: 1e-6, weightDecay: 0.01 }] },
  LBFGS: {
    positional: () => [params(), 0.5, 10, 12, 1e-6, 1e-8, 5, "strong_wolfe"],
    options: () => [params(), { lr: 0.5, maxIter: 10, maxEval: 12, toleranceGrad: 1e-6, toleranceChange: 1e-8, historySize: 5, lineSearchFn: "strong_wolfe" }],
  },
  Lion: { positional: () => [params(), 0.1, [0.8, 0.9], 0.01], options: () => [params(), { lr: 0.1, betas: [0.8, 0.9], weightDecay: 0.01 }] },
  ScheduleFreeAdamW: {
    positional: () => [params(), 0.1, [0.8, 0.9], 1e-6, 0.01, 10, 0.5, 1],
    options: () => [params(), { lr: 0.1, betas: [0.8, 0.9], eps: 1e-6, weightDecay: 0.01, warmupSteps: 10, r: 0.5, weightLrPower: 1 }],
  },
  ScheduleFreeSGD: {
    positional: () => [params(), 0.1, 0.8, 0.01, 10, 0.5, 1],
    options: () => [params(), { lr: 0.1, momentum: 0.8, weightDecay: 0.01, warmupSteps: 10, r: 0.5, weightLrPower: 1 }],
  },
  Prodigy: { positional: () => [params(), 0.5, [0.8, 0.9], 0.95, 1e-6, 0.01], options: () => [params(), { lr: 0.5, betas: [0.8, 0.9], beta3: 0.95, eps: 1e-6, weightDecay: 0.01 }] },
  Muon: { positional: () => [params(), 0.1, 0.8, false, 3], options: () => [params(), { lr: 0.1, momentum: 0.8, nesterov: false, nsSteps: 3 }] },
};

const half = (t: number) => 0.5 ** t;
const SCHEDULERS: Record<string, Entry> = {
  LRScheduler: "the abstract base of the schedulers",
  StepLR: { positional: () => [opt(), 30, 0.37], options: () => [opt(), { stepSize: 30, gamma: 0.37 }] },
  MultiStepLR: { positional: () => [opt(), [30, 80], 0.37], options: () => [opt(), { milestones: [30, 80], gamma: 0.37 }] },
  ExponentialLR: { positional: () => [opt(), 0.9], options: () => [opt(), { gamma: 0.9 }] },
  CosineAnnealingLR: { positional: () => [opt(), 10, 0.01], options: () => [opt(), { tMax: 10, etaMin: 0.01 }] },
  CosineAnnealingWarmRestarts: { positional: () => [opt(), 10, 2, 0.01], options: () => [opt(), { t0: 10, tMult: 2, etaMin: 0.01 }] },
  LinearLR: { positional: () => [opt(), 0.5, 0.9, 4], options: () => [opt(), { startFactor: 0.5, endFactor: 0.9, totalIters: 4 }] },
  ConstantLR: { positional: () => [opt(), 0.5, 4], options: () => [opt(), { factor: 0.5, totalIters: 4 }] },
  PolynomialLR: { positional: () => [opt(), 4, 2], options: () => [opt(), { totalIters: 4, power: 2 }] },
  LambdaLR: { positional: () => [opt(), half], options: () => [opt(), { lrLambda: half }] },
  MultiplicativeLR: { positional: () => [opt(), half], options: () => [opt(), { lrLambda: half }] },
  CyclicLR: {
    positional: () => [opt(), 0.01, 0.1, 10, 5, "exp_range", 0.9, undefined, "iterations", true, 0.7, 0.95],
    options: () => [opt(), { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 10, stepSizeDown: 5, mode: "exp_range", gamma: 0.9, scaleMode: "iterations", cycleMomentum: true, baseMomentum: 0.7, maxMomentum: 0.95 }],
  },
  OneCycleLR: {
    positional: () => [opt(), 0.1, null, 2, 5, 0.2, "linear", true, 0.7, 0.95, 10, 100, true],
    options: () => [
      opt(),
      { maxLr: 0.1, epochs: 2, stepsPerEpoch: 5, pctStart: 0.2, annealStrategy: "linear", cycleMomentum: true, baseMomentum: 0.7, maxMomentum: 0.95, divFactor: 10, finalDivFactor: 100, threePhase: true },
    ],
  },
  SequentialLR: (() => {
    const o = opt();
    const parts = () => [new lrScheduler.ConstantLR(o, 0.5, 2), new lrScheduler.ExponentialLR(o, 0.9)];
    return { positional: () => [o, parts(), [2]], options: () => [o, { schedulers: parts(), milestones: [2] }] };
  })(),
  ChainedScheduler: (() => {
    const o = opt();
    return same([new lrScheduler.ConstantLR(o, 0.5, 2), new lrScheduler.ExponentialLR(o, 0.9)]);
  })(),
  ReduceLROnPlateau: {
    positional: () => [opt(), "max", 0.5, 3, 0.01, "abs", 2, 1e-4, 1e-6],
    options: () => [opt(), { mode: "max", factor: 0.5, patience: 3, threshold: 0.01, thresholdMode: "abs", cooldown: 2, minLr: 1e-4, eps: 1e-6 }],
  },
};

const dataset = { length: 5, get: (i: number) => tensor([i]) };
const LOADERS: Record<string, Entry> = {
  DataLoader: { positional: () => [dataset, 2, true], options: () => [dataset, { batchSize: 2, shuffle: true }] },
};

/** The classes a namespace exports that are `base` or extend it. */
function classesOf(namespace: object, isClass: (value: Function) => boolean): string[] {
  return Object.entries(namespace)
    .filter(([, v]) => typeof v === "function" && isClass(v as Function))
    .map(([k]) => k)
    .sort();
}

const extendsBase = (base: Function) => (c: Function) => c.prototype instanceof base;
const GROUPS: [string, object, Record<string, Entry>, string[]][] = [
  ["nn", nn, MODULES, classesOf(nn, extendsBase(nn.Module))],
  ["optim", optim, OPTIMIZERS, classesOf(optim, extendsBase(optim.Optimizer))],
  ["optim.lrScheduler", lrScheduler, SCHEDULERS, classesOf(lrScheduler, (c) => /^[A-Z]/.test(c.name))],
  ["data", data, LOADERS, ["DataLoader"]],
];

/** What an object holds, comparable with toEqual: fields (not functions), tensors as values, nested plain data. */
function snapshot(value: unknown, depth = 0): unknown {
  if (value instanceof Tensor) return { shape: value.shape, dtype: value.dtype, values: Array.from(value.toTypedArray() as ArrayLike<number>) };
  if (Array.isArray(value)) return value.map((v) => snapshot(v, depth + 1));
  if (typeof value === "function") return "function";
  if (typeof value !== "object" || value === null) return value;
  if (depth > 0 && Object.getPrototypeOf(value) !== Object.prototype) return `an instance of ${value.constructor.name}`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!(v instanceof nn.Module)) out[k] = snapshot(v, depth + 1);
  if (value instanceof nn.Module) {
    out["repr"] = value.toString();
    out["stateDict"] = snapshot(value.stateDict(), depth + 1);
  }
  if (value instanceof optim.Optimizer) out["paramGroups"] = value.paramGroups.map(({ params: _p, ...o }) => snapshot(o, depth + 1));
  return out;
}

/** The arguments without a last options object. */
function withoutOptions(args: unknown[]): unknown[] {
  const last = args[args.length - 1];
  return typeof last === "object" && last !== null && Object.getPrototypeOf(last) === Object.prototype ? args.slice(0, -1) : args;
}

function construct(namespace: object, name: string, args: unknown[]): unknown {
  manualSeed(0);
  const C = (namespace as Record<string, new (...a: unknown[]) => unknown>)[name]!;
  return new C(...args);
}

describe("every constructor takes PyTorch's positional arguments or options, and refuses anything else", () => {
  for (const [group, namespace, table, exported] of GROUPS) {
    it(`${group}: every exported class is in the table`, () => {
      expect(exported.length).toBeGreaterThan(0);
      expect(exported.filter((name) => !(name in table))).toEqual([]);
      expect(Object.keys(table).filter((name) => !exported.includes(name))).toEqual([]);
    });

    for (const [name, entry] of Object.entries(table)) {
      if (typeof entry === "string") continue;
      it(`${group}.${name}: the positional form builds what the options form builds`, () => {
        const a = snapshot(construct(namespace, name, entry.positional()));
        const b = snapshot(construct(namespace, name, entry.options()));
        expect(a).toEqual(b);
      });

      it(`${group}.${name}: a value of the wrong kind in any slot, or one too many, is a TypeError naming ${name}`, () => {
        const args = entry.positional();
        const stray = Symbol("stray");
        for (let i = 0; i <= args.length; i++) {
          const bad = [...args.slice(0, i), stray, ...args.slice(i + 1)];
          expect(() => construct(namespace, name, bad), `${name} with a stray value as argument ${i + 1}`).toThrow(TypeError);
          expect(() => construct(namespace, name, bad)).toThrow(new RegExp(`^${name}\\b`));
        }
        // a number one past PyTorch's slots (the probe: a stray 0.37)
        expect(() => construct(namespace, name, [...args, 0.37])).toThrow(TypeError);
        // an unknown option
        const withObject = withoutOptions(entry.options());
        // the optimizers check their options object themselves: an OptionError, as it has always been
        expect(() => construct(namespace, name, [...withObject, { notAnOption: 1 }])).toThrow(group === "optim" ? OptionError : TypeError);
        expect(() => construct(namespace, name, [...withObject, { notAnOption: 1 }])).toThrow(new RegExp(`^${name}: .*(notAnOption|not a Module)`));
      });
    }
  }
});

/** PyTorch's positional arguments by class (`nn.BatchNorm2d`: num_features, eps, …), from PyTorch 1.13. */
const PYTORCH = loadFixture<{ torch: string; signatures: Record<string, string[]> }>("constructor_signatures.json").signatures;

/** Classes PyTorch 1.13 does not have (nabla's own, or later PyTorch's), with where they come from. */
const NOT_IN_PYTORCH: Record<string, string> = {
  "nn.ReLUSquared": "Primer (So et al. 2021)",
  "nn.SwiGLU": "Shazeer 2020",
  "nn.GeGLU": "Shazeer 2020",
  "nn.PAU": "Molina et al. 2019",
  "nn.RMSNorm": "PyTorch 2.4: (normalized_shape, eps, elementwise_affine)",
  "optim.Lion": "lion-pytorch: (params, lr, betas, weight_decay)",
  "optim.ScheduleFreeAdamW": "schedulefree: (params, lr, betas, eps, weight_decay, warmup_steps, r, weight_lr_power)",
  "optim.ScheduleFreeSGD": "schedulefree: (params, lr, momentum, weight_decay, warmup_steps, r, weight_lr_power)",
  "optim.Prodigy": "prodigyopt: (params, lr, betas, beta3, eps, weight_decay, decouple, …)",
  "optim.Muon": "the reference Muon: (params, lr, momentum, nesterov, ns_steps)",
};
/** Slots a later PyTorch added after 1.13's (they follow 1.13's in nabla too). */
const LATER_PYTORCH: Record<string, string[]> = { "nn.LayerNorm": ["bias"] /* PyTorch 2.1 */ };
/** Classes that take any number of modules, or anything: no fixed slots to compare. */
const NO_SLOTS = new Set(["nn.Sequential", "nn.Identity"]);

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/^[A-Z]/, (c) => c.toLowerCase());

describe("the positional slots are PyTorch's, in PyTorch's order", () => {
  for (const [group, namespace, table] of GROUPS) {
    for (const [name, entry] of Object.entries(table)) {
      const key = `${group}.${name}`;
      if (typeof entry === "string" || NO_SLOTS.has(key)) continue;
      it(key, () => {
        // the "one too many" error lists the slots: "X: takes at most N positional argument(s) (a, b, …), but got …"
        let message = "";
        try {
          construct(namespace, name, [...withoutOptions(entry.positional()), 0.37]);
        } catch (e) {
          message = (e as Error).message;
        }
        const listed = /takes (?:at most \d+ positional argument\(s\) \(([^)]*)\)|no positional arguments)/.exec(message);
        expect(listed, message).not.toBeNull();
        const slots = listed![1] ? listed![1].split(", ") : [];
        if (key in NOT_IN_PYTORCH) {
          expect(PYTORCH[key], `${key} is in PyTorch 1.13 after all`).toBeUndefined();
          return;
        }
        const theirs = PYTORCH[key];
        expect(theirs, `${key} has no PyTorch signature in the fixture`).toBeDefined();
        const later = LATER_PYTORCH[key] ?? [];
        const ours = slots.slice(0, slots.length - later.length);
        expect(slots.slice(ours.length)).toEqual(later);
        expect(ours).toEqual(theirs!.slice(0, ours.length).map(camel));
      });
    }
  }
});

describe("what the probe found, named", () => {
  it("reads each stray value in PyTorch's meaning", () => {
    expect(new nn.BatchNorm2d(4, 0.37).eps).toBe(0.37);
    expect(new nn.MaxPool2d(3, 2).stride).toBe(2);
    expect(new nn.Softmax(1).dim).toBe(1);
    expect(new nn.ELU(0.37).alpha).toBe(0.37);
    expect(new nn.Embedding(10, 4, 0).paddingIdx).toBe(0);
    expect(new nn.LayerNorm(4, 1e-6).eps).toBe(1e-6);
    expect(new nn.GroupNorm(2, 4, 1e-6).eps).toBe(1e-6);
    expect([new nn.Hardtanh(-2, 2).minVal, new nn.Hardtanh(-2, 2).maxVal]).toEqual([-2, 2]);
    expect(new nn.MultiheadAttention(8, 2, 0.1).dropout).toBe(0.1);
    expect(new nn.TransformerEncoderLayer(8, 2, 16, 0.1).linear1.outFeatures).toBe(16);
    expect(new nn.CrossEntropyLoss(tensor([1.0, 2.0])).stateDict()["weight"]!.toArray()).toEqual([1, 2]);
    expect([new nn.Flatten(0, 1).startDim, new nn.Flatten(0, 1).endDim]).toEqual([0, 1]);
    expect(new nn.Softplus(2, 10).threshold).toBe(10);
    expect(new nn.PReLU(3, 0.1).weight.shape).toEqual([3]);
    expect(new nn.TripletMarginLoss(0.5, 1).forward(tensor([[0.0, 0.0]]), tensor([[1.0, 1.0]]), tensor([[2.0, 0.0]])).item()).toBeCloseTo(0.5);
    expect(new lrScheduler.StepLR(opt(), 30, 0.37).gamma).toBe(0.37);
    expect(new lrScheduler.CosineAnnealingLR(opt(), 10, 0.01).etaMin).toBe(0.01);
    expect(new optim.Adam(params(), 0.1, [0.8, 0.9]).paramGroups[0]!.betas).toEqual([0.8, 0.9]);
    expect(new data.DataLoader(dataset, 2, true).shuffle).toBe(true);
  });

  it("names the class, the argument and what it got", () => {
    expect(() => new nn.BatchNorm2d(4, "0.37" as never)).toThrow(/^BatchNorm2d: argument 'eps' \(position 2\) must be a number, but got the string "0.37"$/);
    expect(() => new nn.Linear({ inFeatures: 3 } as never, 2)).toThrow(/^Linear: argument 'inFeatures' \(position 1\) must be a number, but got an object$/);
    expect(() => new nn.Sigmoid(...([0.37] as unknown as []))).toThrow(/^Sigmoid: takes no positional arguments, but got number \(0.37\) as argument 1$/);
    expect(() => new nn.ModuleDict(0.37 as never)).toThrow(/^ModuleDict: argument 'modules' \(position 1\) must be an object of Modules by name/);
    expect(() => new nn.Dropout({ prob: 0.3 } as never)).toThrow(/^Dropout: unknown option 'prob' \(expected one of p, inplace\)$/);
    expect(() => new nn.MSELoss(...([true, null, "sum"] as unknown as []))).toThrow(/^MSELoss: argument 'sizeAverage' \(position 1\) must be null \(size_average and reduce are deprecated/);
    expect(() => new optim.SGD(params(), "0.1" as never)).toThrow(/^SGD: argument 'lr' \(position 2\) must be a number, but got the string "0.1"$/);
    expect(() => new optim.SGD(0.1 as never)).toThrow(TypeError);
    expect(() => new lrScheduler.StepLR(opt(), 30, 0.1, -1 as never)).toThrow(/^StepLR: takes at most 3 positional argument\(s\) \(optimizer, stepSize, gamma\), but got number \(-1\) as argument 4$/);
    expect(() => new nn.Linear(3, 2, false, { bias: true } as never)).toThrow(/^Linear: argument 'bias' given both positionally and in the options object$/);
  });

  it("refuses inplace=true, which nabla cannot honour, naming the class", () => {
    expect(() => new nn.ReLU(true)).toThrow(/^ReLU: inplace=true is not supported/);
    expect(() => new nn.Dropout(0.5, true)).toThrow(/^Dropout: inplace=true is not supported/);
  });
});
