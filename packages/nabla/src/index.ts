/**
 * nabla's public surface. Everything a user imports comes from here; the Node-only part (files on
 * disk) is `nabla/node`.
 *
 * @module nabla
 */
import "./backend/js/index.js";
import "./backend/wasm/index.js";
import "./tensor/methods/index.js";

export { Tensor, type NestedArray } from "./tensor/tensor.js";
export type { DType, TypedArray } from "./tensor/dtype.js";
export { Generator, manualSeed, defaultGenerator, type GeneratorState } from "./tensor/random.js";
export {
  tensor,
  zeros,
  ones,
  full,
  arange,
  linspace,
  eye,
  rand,
  randn,
  randint,
  zerosLike,
  onesLike,
  fullLike,
  randLike,
  randnLike,
  randintLike,
  randperm,
  type CreateOptions,
  type RandomOptions,
} from "./ops/creation.js";
export {
  add,
  sub,
  mul,
  div,
  pow,
  neg,
  exp,
  log,
  sqrt,
  abs,
  sign,
  maximum,
  minimum,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  logicalAnd,
  logicalOr,
  logicalNot,
  isfinite,
  where,
  sigmoid,
  tanh,
  relu,
} from "./ops/elementwise.js";
// torch's pointwise mathematics: trigonometric, hyperbolic, error functions, rounding, remainders
export {
  sin,
  cos,
  tan,
  asin,
  acos,
  atan,
  sinh,
  cosh,
  asinh,
  acosh,
  atanh,
  erf,
  erfc,
  erfinv,
  expm1,
  log1p,
  log2,
  log10,
  rsqrt,
  reciprocal,
  square,
  floor,
  ceil,
  trunc,
  frac,
  round,
  atan2,
  hypot,
  fmod,
  remainder,
  lerp,
  logaddexp,
  logaddexp2,
  xlogy,
  logit,
  exp2,
  copysign,
  signbit,
  deg2rad,
  rad2deg,
  fmax,
  fmin,
  logicalXor,
  type RoundOptions,
  type LogitOptions,
} from "./ops/math.js";
export { sum, mean, max, min, argmax, argmin, variance as var, std, logsumexp, type ValuesIndices } from "./ops/reduce.js";
// reductions beyond the core: products, extrema over dims, NaN-skipping sums (issue 11)
export { prod } from "./ops/prod.js";
export { amax, amin } from "./ops/amax.js";
export { nansum, nanmean } from "./ops/nan-reduce.js";
export { matmul } from "./ops/matmul.js";
export { softmax, logSoftmax } from "./ops/softmax.js";
export { cat, stack } from "./ops/join.js";
export { gather } from "./ops/indexing.js";
export { indexSelect } from "./ops/index-select.js";
export { transpose, permute, slice, narrow, select, expand, view, reshape, squeeze, unsqueeze, flatten } from "./ops/shape.js";
// shapes, indexing and masks (issue 11): pieces, repeats, diagonals, advanced indexing, scatter
export { movedim, moveaxis, swapaxes, swapdims, unflatten, t, numel } from "./ops/rearrange.js";
export { clone } from "./ops/shape.js";
export { hstack, vstack, dstack, atleast1d, atleast2d, atleast3d } from "./ops/stacking.js";
export { meshgrid, type MeshgridOptions } from "./ops/meshgrid.js";
export { cross } from "./ops/cross.js";
export { isin, type IsinOptions } from "./ops/isin.js";
export { split, chunk, unbind, tensorSplit } from "./ops/split.js";
export { repeat, tile, repeatInterleave, type RepeatInterleaveOptions } from "./ops/repeat.js";
export { flip, roll, fliplr, flipud, rot90, type Rot90Options } from "./ops/flip.js";
export { broadcastTo, broadcastTensors, broadcastShapes } from "./ops/broadcast.js";
export { takeAlongDim } from "./ops/take-along-dim.js";
export { cov, corrcoef, type CovOptions } from "./ops/covariance.js";
export { cartesianProd, combinations, type CombinationsOptions } from "./ops/combinatorics.js";
export { heaviside } from "./ops/heaviside.js";
export { gcd, lcm } from "./ops/gcd.js";
export { quantile, nanquantile, type QuantileOptions, type QuantileInterpolation } from "./ops/quantile.js";
export { diag, diagonal, diagEmbed } from "./ops/diagonal.js";
export { tril, triu } from "./ops/triangular.js";
export { maskedFill, maskedSelect } from "./ops/masked.js";
export { nonzero, type NonzeroOptions } from "./ops/nonzero.js";
export { any, all } from "./ops/any-all.js";
export { isnan, isinf, isposinf, isneginf, nanToNum, type NanToNumOptions } from "./ops/nonfinite.js";
export { clamp, clampMin, clampMax, clip, type ClampBound, type ClampOptions } from "./ops/clamp.js";
export { floorDivide, type DivOptions, type RoundingMode } from "./ops/rounding-division.js";
export { addcmul, addcdiv, type AddcOptions } from "./ops/addc.js";
export { isclose, allclose, equal, type CloseOptions } from "./ops/closeness.js";
export { sl, type IndexItem, type IndexSlice } from "./ops/index-spec.js";
export { index, indexPut, type IndexPutOptions } from "./ops/advanced-index.js";
export { indexAdd, indexCopy, indexFill } from "./ops/index-add.js";
export { scatterAdd } from "./ops/indexing.js";
export { scatter, scatterReduce, type ScatterOptions, type ScatterReduce, type ScatterReduceOptions } from "./ops/scatter.js";
// sorting, order statistics, scans, counting, products and norms
export { sort, argsort, msort, topk, type SortOptions, type TopkOptions } from "./ops/sort.js";
export { kthvalue, median, nanmedian, mode, type DimKeepdimOptions } from "./ops/order-statistics.js";
export { cumsum, cumprod, cummax, cummin, logcumsumexp, diff, type ScanOptions, type DiffOptions } from "./ops/scan.js";
export { unique, uniqueConsecutive, type UniqueOptions, type UniqueConsecutiveOptions } from "./ops/unique.js";
export { bincount, histc, type BincountOptions, type HistcOptions } from "./ops/histogram.js";
export { searchsorted, bucketize, type SearchsortedOptions, type BucketizeOptions } from "./ops/searchsorted.js";
export { mm, bmm, mv, dot, vdot, outer, inner, addmm, addmv, baddbmm, addbmm, tensordot, kron, trace, type ScaleOptions } from "./ops/products.js";
export { einsum } from "./ops/einsum.js";
export { norm, type TorchNormOptions } from "./ops/norms.js";
export * as linalg from "./linalg/index.js";
export { det, logdet, slogdet, SignLogAbsDet } from "./ops/determinant.js";
export { inv as inverse } from "./ops/solve.js";
// random sampling: PyTorch's draws for the same seed
export {
  bernoulli,
  multinomial,
  normal,
  poisson,
  type GeneratorOption,
  type MultinomialOptions,
  type NormalOptions,
} from "./ops/random.js";
// probability distributions (torch.distributions)
export * as distributions from "./distributions/index.js";
// special functions: ln Γ and its derivatives
export { lgamma, digamma, polygamma } from "./ops/special.js";
export { noGrad, enableGrad, inferenceMode, isGradEnabled, setGradEnabled } from "./autograd/grad-mode.js";
export type { TensorHook } from "./autograd/tensor-hooks.js";
export { gradcheck, type GradcheckOptions } from "./autograd/gradcheck.js";
export * as autograd from "./autograd/index.js";
export { ready } from "./backend/ready.js";
export { deviceSizeReads, deviceTransfers, type Device } from "./backend/device.js";
export { setBackend, getBackend, getBackendOptions, listBackends, type Backend, type BackendOptions } from "./backend/backend.js";
export { setNumThreads, getNumThreads } from "./backend/wasm/num-threads.js";
export { setConvolutionScratch, getConvolutionScratch } from "./backend/convolution.js";
export { ShapeError, DTypeError, OptionError, OutOfMemoryError, LinAlgError, type MemoryHeld } from "./errors.js";
/**
 * What the library's heap holds, and the few knobs over it: statistics, the peak, a limit past
 * which an allocation is an {@link OutOfMemoryError}, and tensors kept across ownership scopes.
 *
 * @example
 * ```ts
 * import { memory, randn } from "nabla";
 *
 * memory.setLimit(512 * 2 ** 20); // past 512 MiB, an allocation throws OutOfMemoryError
 * memory.resetPeak();
 * const x = randn([1024, 1024]);
 * console.log(memory.stats().peak, memory.summary());
 * x.free(); // given back now, not when the garbage collector gets to it
 * ```
 */
export * as memory from "./memory/index.js";
export { loadDigits, type Digits } from "./data/digits.js";
/**
 * Datasets, the `DataLoader`, transforms, and parsers of IDX, CSV and MNIST data from bytes (so
 * they run in the browser; reading files from disk is in `nabla/node`).
 *
 * @example
 * ```ts
 * import { data, randn, randint } from "nabla";
 *
 * const dataset = new data.TensorDataset(randn([100, 4]), randint(0, 3, [100]));
 * const loader = new data.DataLoader(dataset, { batchSize: 16, shuffle: true });
 * for (const [x, y] of loader) console.log(x.shape, y.shape); // [16, 4] [16]
 * ```
 */
export * as data from "./data/index.js";
/**
 * Saving and loading as bytes: safetensors, checkpoints (model, optimizer, scheduler and random
 * state), `torch.save` files, and ONNX export and import. Writing files atomically is in
 * `nabla/node`.
 *
 * @example
 * ```ts
 * import { io, nn } from "nabla";
 *
 * const model = new nn.Linear(4, 2);
 * const bytes: Uint8Array = io.serializeSafetensors(model.stateDict());
 * const copy = new nn.Linear(4, 2);
 * copy.loadStateDict(io.parseSafetensors(bytes, "linear.safetensors"));
 * ```
 */
export * as io from "./io/index.js";
/**
 * Keras-style training loops over nabla's pieces: `fit`, `evaluate` and `predict`, callbacks
 * (early stopping, checkpoints, progress) and metrics.
 *
 * @example
 * ```ts
 * import { data, nn, optim, randn, randint, train } from "nabla";
 *
 * const loader = new data.DataLoader(new data.TensorDataset(randn([64, 4]), randint(0, 3, [64])), { batchSize: 16 });
 * const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 3));
 * const history = await train.fit(model, loader, {
 *   optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }),
 *   loss: new nn.CrossEntropyLoss(),
 *   epochs: 5,
 *   metrics: { accuracy: train.accuracy },
 * });
 * console.log(history.epochs.at(-1)?.loss);
 * ```
 */
export * as train from "./train/index.js";
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled, AnomalyError } from "./autograd/anomaly.js";
/**
 * `torch.nn`: `Module` and its containers, every layer, activation and loss as a module,
 * initialisation (`nn.init`), utilities (`nn.utils`) and the functions (`nn.functional`, also
 * exported as {@link F}). A module's parameters are found from its fields in declaration order,
 * so state-dict keys are PyTorch's.
 *
 * @example
 * ```ts
 * import { nn, randn, type Tensor } from "nabla";
 *
 * class Net extends nn.Module {
 *   fc1 = new nn.Linear(784, 64);
 *   act = new nn.ReLU();
 *   fc2 = new nn.Linear(64, 10);
 *   forward(x: Tensor): Tensor {
 *     return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
 *   }
 * }
 * const net = new Net();
 * const logits = net.forward(randn([32, 784])); // [32, 10]
 * console.log(Object.keys(net.stateDict())); // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
 * ```
 */
export * as nn from "./nn/index.js";
// modules are named by their export names, which minifiers keep (nn/type-name.ts)
import * as nnExports from "./nn/index.js";
import { nameClasses } from "./nn/type-name.js";
nameClasses(nnExports);
// ---- nn extras at the top level, as in torch: torch.cdist
export { cdist, type CdistOptions } from "./nn/functional/distance.js";
/**
 * `torch.optim`: every PyTorch update rule, and Lion, Schedule-Free, Prodigy and Muon; the
 * learning-rate schedulers (`optim.lrScheduler`), `lrFinder` and gradient clipping.
 *
 * @example
 * ```ts
 * import { nn, optim, randn } from "nabla";
 *
 * const model = new nn.Linear(3, 1);
 * const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 10, gamma: 0.5 });
 * const x = randn([8, 3]);
 * const y = randn([8, 1]);
 * for (let epoch = 0; epoch < 30; epoch++) {
 *   const loss = new nn.MSELoss().forward(model.forward(x), y);
 *   optimizer.zeroGrad();
 *   loss.backward();
 *   optimizer.step();
 *   scheduler.step();
 * }
 * ```
 */
export * as optim from "./optim/index.js";
import * as functional from "./nn/functional.js";
import { ownedFunctions } from "./memory/ownership.js";
/**
 * `torch.nn.functional`: the function form of every layer, activation and loss. Each function
 * runs in an ownership scope, so a loss's intermediates are freed once backward has used them.
 *
 * @namespace
 * @example
 * ```ts
 * import { F, randn, tensor } from "nabla";
 *
 * const logits = randn([3, 5], { requiresGrad: true });
 * const loss = F.crossEntropy(logits, tensor([1, 0, 4], { dtype: "int32" }), { labelSmoothing: 0.1 });
 * loss.backward();
 * const probabilities = F.softmax(logits.detach(), 1);
 * ```
 */
export const F: typeof functional = ownedFunctions(functional);
