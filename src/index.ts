/** nabla's public surface. Everything a user imports comes from here. */
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
export { sum, mean, max, min, argmax, argmin, variance as var, std, logsumexp, type ValuesIndices } from "./ops/reduce.js";
export { matmul } from "./ops/matmul.js";
export { softmax, logSoftmax } from "./ops/softmax.js";
export { cat, stack } from "./ops/join.js";
export { gather } from "./ops/indexing.js";
export { indexSelect } from "./ops/index-select.js";
export { transpose, permute, slice, narrow, select, expand, view, reshape, squeeze, unsqueeze, flatten } from "./ops/shape.js";
// shapes, indexing and masks (issue 11): pieces, repeats, diagonals, advanced indexing, scatter
export { split, chunk, unbind, tensorSplit } from "./ops/split.js";
export { repeat, tile, repeatInterleave, type RepeatInterleaveOptions } from "./ops/repeat.js";
export { flip, roll } from "./ops/flip.js";
export { diag, diagonal, diagEmbed } from "./ops/diagonal.js";
export { tril, triu } from "./ops/triangular.js";
export { maskedFill, maskedSelect } from "./ops/masked.js";
export { nonzero, type NonzeroOptions } from "./ops/nonzero.js";
export { any, all } from "./ops/any-all.js";
export { isnan, isinf, isposinf, isneginf, nanToNum, type NanToNumOptions } from "./ops/nonfinite.js";
export { clamp, type ClampBound, type ClampOptions } from "./ops/clamp.js";
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
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./autograd/grad-mode.js";
export { gradcheck, type GradcheckOptions } from "./autograd/gradcheck.js";
export * as autograd from "./autograd/index.js";
export { setBackend, getBackend, getBackendOptions, listBackends, type Backend, type BackendOptions } from "./backend/backend.js";
export { setNumThreads, getNumThreads } from "./backend/wasm/num-threads.js";
export { setConvolutionScratch, getConvolutionScratch } from "./backend/convolution.js";
export { ShapeError, DTypeError, OptionError, OutOfMemoryError, LinAlgError, type MemoryHeld } from "./errors.js";
export * as memory from "./memory/index.js";
export { loadDigits, type Digits } from "./data/digits.js";
export * as data from "./data/index.js";
export * as io from "./io/index.js";
export * as train from "./train/index.js";
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled, AnomalyError } from "./autograd/anomaly.js";
export * as nn from "./nn/index.js";
// ---- nn extras at the top level, as in torch: torch.cdist
export { cdist, type CdistOptions } from "./nn/functional/distance.js";
export * as optim from "./optim/index.js";
import * as functional from "./nn/functional.js";
import { ownedFunctions } from "./memory/ownership.js";
/** `nn.functional`: each function runs in an ownership scope, so a loss's intermediates are freed once backward has used them. */
export const F: typeof functional = ownedFunctions(functional);
