/**
 * quantile and nanquantile (PyTorch's), computed as PyTorch 1.13 does, so ties, NaN and rounding
 * agree: the values along `dim` (or all of them) are sorted, and for each q the rank
 *   r = q·(n − 1)                         (quantile; n − 1 for a row holding NaN, whose answer is NaN)
 *   r = max(q·(count of non-NaN − 1), 0)  (nanquantile; an all-NaN row gives NaN)
 * in the input's dtype picks the answer: lower ⌊r⌋, higher ⌈r⌉, nearest round(r) (half to even),
 * linear lerp(s[⌊r⌋], s[⌈r⌉], r − ⌊r⌋), midpoint the same with weight ½. A tensor q of Q values
 * puts a dim of Q first in the result. Gradient: through the sort and the picks (lerp's weights
 * to the two neighbours).
 */
import { DTypeError, OptionError, ShapeError } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { BOOLEAN, INTEGER, orNull, readArgs, requireTensor, STRING, type WithOptions } from "./arguments.js";
import { any } from "./any-all.js";
import { fullLike, tensor } from "./creation.js";
import { logicalNot, mul, sub, where, lt } from "./elementwise.js";
import { gather } from "./indexing.js";
import { ceil, floor, lerp, round } from "./math.js";
import { isnan } from "./nonfinite.js";
import { movedim } from "./rearrange.js";
import { sum } from "./reduce.js";
import { reshape, squeeze, unsqueeze } from "./shape.js";
import { sort } from "./sort.js";

export type QuantileInterpolation = "linear" | "lower" | "higher" | "midpoint" | "nearest";
const INTERPOLATIONS: readonly QuantileInterpolation[] = ["linear", "lower", "higher", "midpoint", "nearest"];

export interface QuantileOptions {
  /** The dim to reduce; null or absent: all elements. */
  dim?: number | null;
  keepdim?: boolean;
  /** How a rank between two elements is answered; default "linear". */
  interpolation?: QuantileInterpolation;
}

type QuantileArgs = WithOptions<[dim: number | null, keepdim: boolean], QuantileOptions>;

/** The q-th quantiles of `x` along `dim` (PyTorch's quantile): NaN where a row holds NaN. */
export function quantile(x: Tensor, q: number | Tensor, ...args: QuantileArgs): Tensor {
  return quantileWith("quantile", x, q, args, false);
}

/** quantile ignoring NaN values (PyTorch's nanquantile): NaN only where a row is all NaN. */
export function nanquantile(x: Tensor, q: number | Tensor, ...args: QuantileArgs): Tensor {
  return quantileWith("nanquantile", x, q, args, true);
}

function quantileWith(op: string, x: Tensor, q: number | Tensor, args: readonly unknown[], ignoreNan: boolean): Tensor {
  requireTensor(op, "input", x);
  const { dim = null, keepdim = false, interpolation = "linear" } = readArgs<QuantileOptions>(op, args, [["dim", orNull(INTEGER)], ["keepdim", BOOLEAN]], [["interpolation", STRING]]);
  if (!INTERPOLATIONS.includes(interpolation)) {
    throw new OptionError(`${op}: interpolation must be one of linear, lower, higher, midpoint or nearest, but got ${String(interpolation)}`);
  }
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: input tensor must be either float or double dtype, got ${x.dtype}`);
  if (x.numel() === 0) throw new ShapeError(`${op}: input tensor must be non-empty`);
  const qs = quantilesTensor(op, q, x);
  const scalarQ = typeof q === "number" || q.ndim === 0;

  // sorted values with the reduced dim last: [...rest, n]
  const d = dim === null ? null : normalizeDim(op, dim, Math.max(x.ndim, 1));
  const rows = d === null ? reshape(x, [-1]) : x.ndim === 0 ? reshape(x, [1]) : movedim(x, d, -1);
  const sorted = sort(rows, -1).values;
  const n = sorted.shape[sorted.ndim - 1]!;

  // ranks: [...rest, Q] (q broadcast against each row's count)
  const nan = isnan(sorted);
  let ranks: Tensor;
  if (ignoreNan) {
    const counts = sub(sum(logicalNot(nan), -1, { keepdim: true }), 1).to(x.dtype);
    const r = mul(qs, counts);
    ranks = where(lt(r, 0), 0, r);
  } else {
    ranks = where(any(nan, -1, { keepdim: true }), n - 1, mul(qs, n - 1));
  }
  if (interpolation === "lower") ranks = floor(ranks);
  else if (interpolation === "higher") ranks = ceil(ranks);
  else if (interpolation === "nearest") ranks = round(ranks);
  const below = floor(ranks);
  let result = gather(sorted, -1, below.to("int32"));
  if (interpolation === "linear" || interpolation === "midpoint") {
    const weights = interpolation === "midpoint" ? fullLike(ranks, 0.5) : sub(ranks, below);
    result = lerp(result, gather(sorted, -1, ceil(ranks).to("int32")), weights);
  }
  // [...rest, Q] → [...rest] for a number q, [Q, ...rest] for a tensor
  result = scalarQ ? squeeze(result, -1) : movedim(result, -1, 0);
  if (!keepdim) return result;
  const lead = scalarQ ? [] : [qs.numel()];
  if (d === null) return reshape(result, [...lead, ...x.shape.map(() => 1)]);
  return x.ndim === 0 ? result : unsqueeze(result, lead.length + d);
}

/** q as a 1-D tensor of x's dtype on x's device, its values checked to lie in [0, 1]. */
function quantilesTensor(op: string, q: number | Tensor, x: Tensor): Tensor {
  if (typeof q === "number") {
    if (!(q >= 0 && q <= 1)) throw new OptionError(`${op}: q must be in the range [0, 1] but got ${q}`);
    return tensor([q], { dtype: x.dtype, device: x.device });
  }
  if (!(q instanceof Tensor)) throw new TypeError(`${op}: argument 'q' must be a number or a Tensor, got ${q === null ? "null" : typeof q}`);
  if (q.ndim > 1) throw new ShapeError(`${op}: q must be a scalar or 1D tensor, got ${q.ndim}D`);
  if (q.dtype !== x.dtype) throw new DTypeError(`${op}: q tensor must be same dtype as the input tensor (${x.dtype}), got ${q.dtype}`);
  if (q.device === "cpu") {
    for (const v of q.toTypedArray()) if (!(v >= 0 && v <= 1)) throw new OptionError(`${op}: q values must be in the range [0, 1], got ${v}`);
  }
  return reshape(q, [-1]).to(x.device);
}
