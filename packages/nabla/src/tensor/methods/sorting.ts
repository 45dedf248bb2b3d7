/** Tensor methods: sort, topk, order statistics, cumulative scans, unique, histograms. */
import { Tensor } from "../tensor.js";
import type { WithOptions } from "../../ops/arguments.js";
import { bincount, histc, type BincountOptions, type HistcOptions } from "../../ops/histogram.js";
import { kthvalue, median, mode, nanmedian, type DimKeepdimOptions } from "../../ops/order-statistics.js";
import type { ValuesIndices } from "../../ops/reduce.js";
import { cummax, cummin, cumprod, cumsum, diff, logcumsumexp, type DiffOptions, type ScanOptions } from "../../ops/scan.js";
import { argsort, msort, sort, topk, type SortArgs, type TopkOptions } from "../../ops/sort.js";
import { unique, uniqueConsecutive, type UniqueConsecutiveOptions, type UniqueOptions } from "../../ops/unique.js";

type DimKeepdimArgs = WithOptions<[dim: number, keepdim: boolean], DimKeepdimOptions>;

declare module "../tensor.js" {
  interface Tensor {
    /** The values along dim in order and their indices (PyTorch's Tensor.sort): `x.sort(dim?, descending?, { stable }?)`. */
    sort(...args: SortArgs): ValuesIndices;
    /** The indices that sort this tensor along dim. */
    argsort(...args: SortArgs): Tensor;
    /** Sorted along dim 0. */
    msort(): Tensor;
    /** The k largest (or smallest) values along dim and their indices: `x.topk(k, dim?, largest?, sorted?)`. */
    topk(k: number, ...args: WithOptions<[dim: number, largest: boolean, sorted: boolean], TopkOptions>): ValuesIndices;
    /** The k-th smallest value along dim (k from 1) and its index. */
    kthvalue(k: number, ...args: DimKeepdimArgs): ValuesIndices;
    /** The lower median: of all elements, or `{ values, indices }` along dim. */
    median(): Tensor;
    median(dim: number, ...rest: WithOptions<[keepdim: boolean], DimKeepdimOptions>): ValuesIndices;
    median(options: DimKeepdimOptions & { dim: number }): ValuesIndices;
    /** median ignoring NaNs. */
    nanmedian(): Tensor;
    nanmedian(dim: number, ...rest: WithOptions<[keepdim: boolean], DimKeepdimOptions>): ValuesIndices;
    nanmedian(options: DimKeepdimOptions & { dim: number }): ValuesIndices;
    /** The most frequent value along dim and an index of it. */
    mode(...args: DimKeepdimArgs): ValuesIndices;
    /** Running sums along dim. */
    cumsum(...args: WithOptions<[dim: number], ScanOptions>): Tensor;
    /** Running products along dim. */
    cumprod(...args: WithOptions<[dim: number], ScanOptions>): Tensor;
    /** Running maximum along dim and where it was reached. */
    cummax(...args: WithOptions<[dim: number], { dim?: number }>): ValuesIndices;
    /** Running minimum along dim and where it was reached. */
    cummin(...args: WithOptions<[dim: number], { dim?: number }>): ValuesIndices;
    /** log of running sums of exp along dim, without overflow. */
    logcumsumexp(...args: WithOptions<[dim: number], { dim?: number }>): Tensor;
    /** The n-th forward difference along dim. */
    diff(...args: WithOptions<[n: number, dim: number, prepend: Tensor, append: Tensor], DiffOptions>): Tensor;
    /** The distinct values (sorted), with inverse and counts on request. */
    unique(options: UniqueOptions & { returnInverse: true; returnCounts: true }): [Tensor, Tensor, Tensor];
    unique(options: UniqueOptions & { returnInverse: true; returnCounts?: false }): [Tensor, Tensor];
    unique(options: UniqueOptions & { returnInverse?: false; returnCounts: true }): [Tensor, Tensor];
    unique(options?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
    unique(sorted: boolean, returnInverse?: false, returnCounts?: false, dim?: number | null): Tensor;
    unique(...args: WithOptions<[sorted: boolean, returnInverse: boolean, returnCounts: boolean, dim: number | null], UniqueOptions>): Tensor | Tensor[];
    /** Runs of equal consecutive values collapsed, with inverse and counts on request. */
    uniqueConsecutive(options: UniqueConsecutiveOptions & { returnInverse: true; returnCounts: true }): [Tensor, Tensor, Tensor];
    uniqueConsecutive(options: UniqueConsecutiveOptions & { returnInverse: true; returnCounts?: false }): [Tensor, Tensor];
    uniqueConsecutive(options: UniqueConsecutiveOptions & { returnInverse?: false; returnCounts: true }): [Tensor, Tensor];
    uniqueConsecutive(options?: UniqueConsecutiveOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
    uniqueConsecutive(returnInverse: false, returnCounts?: false, dim?: number | null): Tensor;
    uniqueConsecutive(...args: WithOptions<[returnInverse: boolean, returnCounts: boolean, dim: number | null], UniqueConsecutiveOptions>): Tensor | Tensor[];
    /** Occurrences of each value of a 1-D int32 tensor (or sums of weights). */
    bincount(...args: WithOptions<[weights: Tensor, minlength: number], BincountOptions>): Tensor;
    /** A histogram with equal-width bins between min and max. */
    histc(...args: WithOptions<[bins: number, min: number, max: number], HistcOptions>): Tensor;
  }
}

/** The arguments an op takes after its tensor. */
type After<F> = F extends (x: Tensor, ...rest: infer R) => unknown ? R : never;

const methods = {
  sort(this: Tensor, ...args: After<typeof sort>) {
    return sort(this, ...args);
  },
  argsort(this: Tensor, ...args: After<typeof argsort>) {
    return argsort(this, ...args);
  },
  msort(this: Tensor, ...args: After<typeof msort>) {
    return msort(this, ...args);
  },
  topk(this: Tensor, k: number, ...args: WithOptions<[dim: number, largest: boolean, sorted: boolean], TopkOptions>) {
    return topk(this, k, ...args);
  },
  kthvalue(this: Tensor, k: number, ...args: DimKeepdimArgs) {
    return kthvalue(this, k, ...args);
  },
  median(this: Tensor, ...args: After<typeof median>) {
    return median(this, ...args);
  },
  nanmedian(this: Tensor, ...args: After<typeof nanmedian>) {
    return nanmedian(this, ...args);
  },
  mode(this: Tensor, ...args: After<typeof mode>) {
    return mode(this, ...args);
  },
  cumsum(this: Tensor, ...args: After<typeof cumsum>) {
    return cumsum(this, ...args);
  },
  cumprod(this: Tensor, ...args: After<typeof cumprod>) {
    return cumprod(this, ...args);
  },
  cummax(this: Tensor, ...args: After<typeof cummax>) {
    return cummax(this, ...args);
  },
  cummin(this: Tensor, ...args: After<typeof cummin>) {
    return cummin(this, ...args);
  },
  logcumsumexp(this: Tensor, ...args: After<typeof logcumsumexp>) {
    return logcumsumexp(this, ...args);
  },
  diff(this: Tensor, ...args: After<typeof diff>) {
    return diff(this, ...args);
  },
  unique(this: Tensor, ...args: After<typeof unique>) {
    return unique(this, ...args);
  },
  uniqueConsecutive(this: Tensor, ...args: After<typeof uniqueConsecutive>) {
    return uniqueConsecutive(this, ...args);
  },
  bincount(this: Tensor, ...args: After<typeof bincount>) {
    return bincount(this, ...args);
  },
  histc(this: Tensor, ...args: After<typeof histc>) {
    return histc(this, ...args);
  },
};
Object.assign(Tensor.prototype, methods);
