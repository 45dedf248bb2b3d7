/**
 * Smaller functions of nn.functional that ported programs use: local response normalisation,
 * alpha dropout, channel shuffle, the multi-class margin loss and Gumbel-softmax.
 *
 *   localResponseNorm: y_c = x_c / (k + α/n · Σ_{c' ∈ window(c)} x_{c'}²)^β, the window n channels
 *                      wide (n//2 before c, (n−1)//2 after), zero-padded, always divided by n
 *   alphaDropout:      keeps SELU's mean 0 and variance 1: dropped elements are set to SELU's
 *                      saturation −α' (α' = 1.7580993408473766), then an affine map restores the
 *                      moments, a = ((α'²p + 1)(1 − p))^(−½): y = a·x + a·α'·p where kept,
 *                      a·α'·(p − 1) where dropped
 *   multiMarginLoss:   per sample Σ_{i≠y} w_y·max(0, margin − x_y + x_i)^p / C
 *   gumbelSoftmax:     softmax((logits + g)/τ) with g = −log(Exp(1)) draws; hard: the one-hot of its
 *                      argmax in the forward pass, the soft gradient in the backward (straight through)
 */
import { OptionError, ShapeError, DTypeError, formatShape } from "../../errors.js";
import { add, div, eq, log, mul, neg, pow, sub, where } from "../../ops/elementwise.js";
import { clampMin } from "../../ops/clamp.js";
import { fromTypedArray } from "../../ops/helpers.js";
import { gather } from "../../ops/indexing.js";
import { mean, sum, max } from "../../ops/reduce.js";
import { movedim } from "../../ops/rearrange.js";
import { reshape, transpose, unsqueeze, squeeze } from "../../ops/shape.js";
import { softmax } from "../../ops/softmax.js";
import { pad } from "../../ops/unfold.js";
import { unfoldWindows } from "../../ops/sliding-window.js";
import { zerosLike } from "../../ops/creation.js";
import { scatter } from "../../ops/scatter.js";
import { isFloating } from "../../tensor/dtype.js";
import { defaultGenerator, type Generator } from "../../tensor/random.js";
import { indexOn } from "../../tensor/transfer.js";
import type { Tensor } from "../../tensor/tensor.js";
import { checkReduction, reduce, type Reduction } from "./loss-reduction.js";
import { positionalOrOptions } from "./options.js";

export interface LocalResponseNormOptions {
  size?: number;
  alpha?: number;
  beta?: number;
  k?: number;
}

/** PyTorch's local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1): across channels (dim 1). */
export function localResponseNorm(input: Tensor, size: number, options?: LocalResponseNormOptions): Tensor;
export function localResponseNorm(input: Tensor, size: number, alpha?: number, beta?: number, k?: number): Tensor;
export function localResponseNorm(input: Tensor, size: number, ...args: unknown[]): Tensor {
  const { alpha = 1e-4, beta = 0.75, k = 1 } = positionalOrOptions<LocalResponseNormOptions>("localResponseNorm", args, ["alpha", "beta", "k"]);
  if (!Number.isInteger(size) || size < 1) throw new OptionError(`localResponseNorm: size must be a positive integer, got ${size}`);
  if (input.ndim < 3) throw new ShapeError(`localResponseNorm: expected 3D or higher dimensionality input (got ${input.ndim} dimensions)`);
  if (input.numel() === 0) return input;
  // channels last, zero-padded by size//2 before and (size − 1)//2 after, averaged over each window
  const squares = movedim(mul(input, input), 1, -1);
  const windows = unfoldWindows(pad(squares, [Math.floor(size / 2), Math.floor((size - 1) / 2)]), -1, size, 1);
  const average = movedim(mean(windows, -1), -1, 1);
  return div(input, pow(add(mul(average, alpha), k), beta));
}

/** SELU's −λα, the value alpha dropout gives a dropped element before its affine correction. */
const ALPHA_PRIME = 1.7580993408473766;

export interface AlphaDropoutOptions {
  p?: number;
  training?: boolean;
  generator?: Generator;
}

/**
 * PyTorch's alpha_dropout(input, p=0.5, training=False): as its _dropout_impl, a keep mask m
 * drawn as dropout draws it (bernoulli_(1 − p): the same seed drops the same elements), then
 * y = x·(m·a) + ((m − 1)·α'a + α'a·p), each product and sum rounded in the input's dtype.
 */
export function alphaDropout(input: Tensor, options?: AlphaDropoutOptions): Tensor;
export function alphaDropout(input: Tensor, p?: number, training?: boolean): Tensor;
export function alphaDropout(input: Tensor, ...args: unknown[]): Tensor {
  const { p = 0.5, training = false, generator = defaultGenerator } = positionalOrOptions<AlphaDropoutOptions>("alphaDropout", args, ["p", "training"], ["generator"]);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new OptionError(`alphaDropout: dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return input;
  if (p === 1) return mul(input, 0);
  if (!isFloating(input.dtype)) throw new DTypeError(`alphaDropout: expected a floating point input, got ${input.dtype}`);
  const round = input.dtype === "float32" ? Math.fround : (v: number) => v;
  const a = 1 / Math.sqrt((ALPHA_PRIME * ALPHA_PRIME * p + 1) * (1 - p));
  const scaleKept = round(a);
  // b = (m − 1)·α'a + α'a·p: α'a·p where kept, −α'a + α'a·p (rounded as the sum of the two) where dropped
  const shiftKept = round(ALPHA_PRIME * a * p);
  const shiftDropped = round(round(-round(ALPHA_PRIME * a)) + shiftKept);
  const n = input.numel();
  const scale = new Float64Array(n);
  const shift = new Float64Array(n);
  const keep = 1 - p;
  for (let i = 0; i < n; i++) {
    const kept = generator.nextDouble() < keep;
    scale[i] = kept ? scaleKept : 0;
    shift[i] = kept ? shiftKept : shiftDropped;
  }
  const on = (t: Tensor) => (input.device === "cpu" ? t : t.to(input.device));
  return add(mul(input, on(fromTypedArray(scale, input.shape, input.dtype))), on(fromTypedArray(shift, input.shape, input.dtype)));
}

/** PyTorch's channel_shuffle: [N, C, …] with C = g·k read as [N, g, k, …], swapped to [N, k, g, …]. */
export function channelShuffle(input: Tensor, groups: number): Tensor {
  if (!Number.isInteger(groups) || groups <= 0) throw new OptionError(`channelShuffle: number of groups to divide channels in must be positive. Value of groups:${groups}`);
  if (input.ndim < 3) throw new ShapeError(`channelShuffle: expected input with at least 3 dims [N, C, …], got ${formatShape(input.shape)}`);
  const [n, c] = input.shape as [number, number];
  if (c % groups !== 0) throw new ShapeError(`channelShuffle: number of channels (${c}) must be divisible by groups (${groups})`);
  const rest = input.shape.slice(2);
  return reshape(transpose(reshape(input, [n, groups, c / groups, ...rest]), 1, 2), input.shape);
}

export interface MultiMarginLossOptions {
  p?: 1 | 2;
  margin?: number;
  weight?: Tensor | null;
  reduction?: Reduction;
}

/**
 * PyTorch's multi_margin_loss(input, target, p=1, margin=1, weight=None, …, reduction): for
 * [N, C] scores (or [C] and a 0-d target) and class indices, per sample
 * Σ_{i≠y} w_y·max(0, margin − x_y + x_i)^p / C.
 */
export function multiMarginLoss(input: Tensor, target: Tensor, options?: MultiMarginLossOptions): Tensor;
export function multiMarginLoss(input: Tensor, target: Tensor, p?: 1 | 2, margin?: number, weight?: Tensor | null, sizeAverage?: null, reduce?: null, reduction?: Reduction): Tensor;
export function multiMarginLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const op = "multiMarginLoss";
  const given = positionalOrOptions<MultiMarginLossOptions & { sizeAverage?: null; reduce?: null }>(op, args, ["p", "margin", "weight", "sizeAverage", "reduce", "reduction"]);
  const { p = 1, margin = 1, weight = null, reduction = "mean", sizeAverage = null, reduce: legacyReduce = null } = given;
  if (sizeAverage !== null || legacyReduce !== null) throw new OptionError(`${op}: size_average and reduce are deprecated in PyTorch and not supported (only null); use reduction`);
  checkReduction(op, reduction);
  if (p !== 1 && p !== 2) throw new OptionError(`${op}: only p == 1 and p == 2 supported, got ${String(p)}`);
  if (!isFloating(input.dtype)) throw new DTypeError(`${op}: expected a floating point input, got ${input.dtype}`);
  const batched = input.ndim === 2;
  if (!(batched || input.ndim === 1) || target.ndim !== (batched ? 1 : 0) || (batched && target.shape[0] !== input.shape[0])) {
    throw new ShapeError(`${op}: inconsistent target size: got input ${formatShape(input.shape)} and target ${formatShape(target.shape)} (expected [N, C] and [N], or [C] and [])`);
  }
  const x = batched ? input : unsqueeze(input, 0);
  const classes = x.shape[1]!;
  const y = indexOn(op, reshape(target, [-1, 1]), x.device);
  if (y.dtype !== "int32") throw new DTypeError(`${op}: expected target of dtype int32 (class indices), got ${y.dtype}`);
  if (weight !== null && (weight.ndim !== 1 || weight.numel() !== classes)) throw new ShapeError(`${op}: weight must be a 1-D tensor of ${classes} elements, got ${formatShape(weight.shape)}`);
  let terms = clampMin(add(sub(margin, gather(x, 1, y)), x), 0);
  if (p === 2) terms = mul(terms, terms);
  if (weight !== null) terms = mul(terms, gather(weight, 0, reshape(y, [-1])).reshape([-1, 1]));
  // the target class's own term (margin) is left out
  const own = eq(indexColumns(x), y);
  const perSample = div(sum(where(own, 0, terms), 1), classes);
  return reduce(batched ? perSample : squeeze(perSample, 0), reduction);
}

/** [N, C] of the column index, to compare with the targets. */
function indexColumns(x: Tensor): Tensor {
  const [n, c] = x.shape as [number, number];
  const cols = new Int32Array(n * c);
  for (let i = 0; i < n * c; i++) cols[i] = i % c;
  const t = fromTypedArray(cols, [n, c], "int32");
  return x.device === "cpu" ? t : t.to(x.device);
}

export interface GumbelSoftmaxOptions {
  /** Temperature τ > 0; default 1. */
  tau?: number;
  /** The one-hot of the sample forward, the soft sample's gradient backward; default false. */
  hard?: boolean;
  /** PyTorch's deprecated eps, which has no effect. */
  eps?: number;
  dim?: number;
  generator?: Generator;
}

/**
 * PyTorch's gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1): Gumbel noise
 * −log(e), e ~ Exp(1) drawn as PyTorch's exponential_ (the same seed gives the same sample),
 * y = softmax((logits + g)/τ); hard: one_hot(argmax y) − y.detach() + y.
 */
export function gumbelSoftmax(logits: Tensor, options?: GumbelSoftmaxOptions): Tensor;
export function gumbelSoftmax(logits: Tensor, tau?: number, hard?: boolean, eps?: number, dim?: number): Tensor;
export function gumbelSoftmax(logits: Tensor, ...args: unknown[]): Tensor {
  const { tau = 1, hard = false, dim = -1, generator = defaultGenerator } = positionalOrOptions<GumbelSoftmaxOptions>("gumbelSoftmax", args, ["tau", "hard", "eps", "dim"], ["generator"]);
  if (!isFloating(logits.dtype)) throw new DTypeError(`gumbelSoftmax: expected floating point logits, got ${logits.dtype}`);
  const gumbels = neg(log(zerosLike(logits).exponential_(1, { generator })));
  const ySoft = softmax(div(add(logits, gumbels), tau), dim);
  if (!hard) return ySoft;
  const index = max(ySoft, dim, { keepdim: true }).indices;
  const yHard = scatter(zerosLike(logits), dim, index, 1);
  return add(sub(yHard, ySoft.detach()), ySoft);
}
