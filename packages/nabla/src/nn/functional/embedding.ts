/**
 * Embedding lookups: row `i` of a [numEmbeddings, dim] table for every index i. Built on gather,
 * whose gradient scatter-adds each output row back into the row it came from; the padding row
 * gets no gradient (its outputs read a detached copy). EmbeddingBag reduces each bag of rows with
 * sum, mean or max.
 */
import { DTypeError, formatShape, OptionError, ShapeError } from "../../errors.js";
import { noGpuKernel } from "../../backend/device.js";
import { emptyTensor, filledTensor, fromTypedArray } from "../../ops/helpers.js";
import { div, eq, gt, maximum, mul, ne, toDType, where } from "../../ops/elementwise.js";
import { hostIndexValues, scatterAdd } from "../../ops/indexing.js";
import { scatterReduce } from "../../ops/scatter.js";
import { selectAlong } from "../../ops/index-select.js";
import { indexOn } from "../../tensor/transfer.js";
import { gather } from "../../ops/indexing.js";
import { max as maxAlong, sum } from "../../ops/reduce.js";
import { stack } from "../../ops/join.js";
import { contiguous, expand, narrow, reshape, unsqueeze } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { checkOptions, optionKeys } from "../../ops/options.js";

function checkIndices(name: string, input: Tensor, weight: Tensor): Int32Array {
  if (input.dtype !== "int32") {
    throw new DTypeError(`${name}: expected indices of dtype int32, got ${input.dtype}; make them with tensor(indices, { dtype: "int32" }) or input.int()`);
  }
  if (weight.ndim !== 2) throw new ShapeError(`${name}: weight must be 2-D [num_embeddings, embedding_dim], got ${formatShape(weight.shape)}`);
  const idx = input.toTypedArray() as Int32Array;
  const rows = weight.shape[0]!;
  for (const i of idx) {
    if (i < 0 || i >= rows) throw new ShapeError(`${name}: index ${i} is out of range for an embedding table of ${rows} rows (weight ${formatShape(weight.shape)})`);
  }
  return idx;
}

export function normalizePaddingIdx(name: string, paddingIdx: number | null | undefined, rows: number): number | null {
  if (paddingIdx === null || paddingIdx === undefined) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -rows || paddingIdx >= rows) {
    throw new OptionError(`${name}: padding_idx must be within num_embeddings (${rows}), got ${paddingIdx}`);
  }
  return paddingIdx < 0 ? paddingIdx + rows : paddingIdx;
}

export function embeddingImpl(name: string, input: Tensor, weight: Tensor, paddingIdx: number | null = null): Tensor {
  // the indices are an index operand: they move to the table's device (indexOn)
  input = indexOn(name, input, weight.storage.device);
  if (weight.storage.device !== "cpu") return embeddingOnDevice(name, input, weight, paddingIdx);
  const idx = checkIndices(name, input, weight);
  const pad = normalizePaddingIdx(name, paddingIdx, weight.shape[0]!);
  const [v, d] = weight.shape as [number, number];
  // Gather from the table seen as one row [1, V·D] at flat positions i·D + j: no copy of the table.
  const index = new Int32Array(idx.length * d);
  for (let i = 0; i < idx.length; i++) for (let j = 0; j < d; j++) index[i * d + j] = idx[i]! * d + j;
  const flat = gather(reshape(weight, [1, v * d]), 1, fromTypedArray(index, [1, idx.length * d], "int32"));
  let rows = reshape(flat, [idx.length, d]);
  if (pad !== null && idx.includes(pad)) {
    const isPad = fromTypedArray(Array.from(idx, (i) => (i === pad ? 1 : 0)), [idx.length, 1], "bool");
    rows = where(isPad, rows.detach(), rows);
  }
  return reshape(rows, [...input.shape, d]);
}

/**
 * The lookup on the webgpu device: an index-select of the table's rows (read where they lie; the
 * gradient adds rows back atomically), the indices checked on the host where it has them, else
 * on the device (reported at the next read); the padding row's outputs read a detached copy, as
 * on the CPU.
 */
function embeddingOnDevice(name: string, input: Tensor, weight: Tensor, paddingIdx: number | null): Tensor {
  if (input.dtype !== "int32") {
    throw new DTypeError(`${name}: expected indices of dtype int32, got ${input.dtype}; make them with tensor(indices, { dtype: "int32" }) or input.int()`);
  }
  if (weight.ndim !== 2) throw new ShapeError(`${name}: weight must be 2-D [num_embeddings, embedding_dim], got ${formatShape(weight.shape)}`);
  const [v, d] = weight.shape as [number, number];
  const pad = normalizePaddingIdx(name, paddingIdx, v);
  const flat = reshape(input, [input.numel()]);
  let rows = selectAlong(name, weight, 0, flat, (i) => new ShapeError(`${name}: index ${i} is out of range for an embedding table of ${v} rows (weight ${formatShape(weight.shape)})`));
  if (pad !== null) rows = where(unsqueeze(eq(flat, pad), 1), rows.detach(), rows);
  return reshape(rows, [...input.shape, d]);
}

export interface EmbeddingOptions {
  /** The row that gets no gradient (PyTorch's padding_idx); negative counts from the end. */
  paddingIdx?: number | null;
}

const EMBEDDING_KEYS = optionKeys<EmbeddingOptions>({ paddingIdx: true });

/** Rows of `weight` [numEmbeddings, dim] at int32 `input` of any shape: output [...input.shape, dim]. */
export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  checkOptions("embedding", options, EMBEDDING_KEYS);
  return embeddingImpl("embedding", input, weight, options.paddingIdx ?? null);
}

export type BagMode = "sum" | "mean" | "max";

export interface EmbeddingBagOptions {
  /** With a 1-D input: where each bag starts. */
  offsets?: Tensor | null;
  mode?: BagMode;
  /** Weights for each index (mode "sum" only), shaped like input. */
  perSampleWeights?: Tensor | null;
  /** offsets has one more entry, the end of the last bag (PyTorch's include_last_offset). */
  includeLastOffset?: boolean;
  paddingIdx?: number | null;
}

/**
 * Reduces bags of embedding rows: a 2-D input [B, L] is B bags of L indices; a 1-D input is cut
 * into bags at `offsets`. Entries equal to paddingIdx are left out (and not counted by mean);
 * an empty bag gives zeros.
 */
const EMBEDDING_BAG_KEYS = optionKeys<EmbeddingBagOptions>({ offsets: true, mode: true, perSampleWeights: true, includeLastOffset: true, paddingIdx: true });

export function embeddingBagImpl(name: string, input: Tensor, weight: Tensor, options: EmbeddingBagOptions = {}): Tensor {
  checkOptions(name, options, EMBEDDING_BAG_KEYS);
  const { offsets = null, mode = "mean", perSampleWeights = null, includeLastOffset = false, paddingIdx = null } = options;
  input = indexOn(name, input, weight.storage.device);
  if (!["sum", "mean", "max"].includes(mode)) throw new OptionError(`${name}: mode must be "sum", "mean" or "max", got ${JSON.stringify(mode)}`);
  if (perSampleWeights !== null) {
    if (mode !== "sum") throw new OptionError(`${name}: per_sample_weights is only supported for mode='sum' (got mode='${mode}')`);
    if (perSampleWeights.shape.join() !== input.shape.join()) {
      throw new ShapeError(`${name}: per_sample_weights ${formatShape(perSampleWeights.shape)} must have the shape of input ${formatShape(input.shape)}`);
    }
  }
  let starts: number[];
  let flatInput = input;
  if (input.ndim === 2) {
    if (offsets !== null) throw new OptionError(`${name}: if input is 2D, then offsets has to be null, as input is treated as a mini-batch of fixed length sequences`);
    const [b, l] = input.shape as [number, number];
    starts = Array.from({ length: b + 1 }, (_, i) => i * l);
    flatInput = reshape(input, [-1]);
  } else if (input.ndim === 1) {
    if (offsets === null || offsets.ndim !== 1) throw new ShapeError(`${name}: offsets has to be a 1D tensor when input is 1D, got ${offsets === null ? "null" : formatShape(offsets.shape)}`);
    // the bags' bounds decide which rows each bag sums: on the host (an offsets tensor on the
    // webgpu device has them only when uploaded from the host and unchanged)
    const bounds = hostIndexValues(offsets);
    if (bounds === null) throw noGpuKernel(name, "for offsets computed on the webgpu device (the bags' bounds are read on the host)");
    starts = Array.from(bounds, Number);
    if (!includeLastOffset) starts.push(input.shape[0]!);
    if (starts[0] !== 0 || starts.some((s, i) => i > 0 && s < starts[i - 1]!) || starts[starts.length - 1]! > input.shape[0]!) {
      throw new ShapeError(`${name}: offsets must start at 0, be non-decreasing and stay within the input's ${input.shape[0]} indices, got ${formatShape(starts)}`);
    }
  } else {
    throw new ShapeError(`${name}: input has to be 1D or 2D, got ${formatShape(input.shape)}`);
  }
  const pad = normalizePaddingIdx(name, paddingIdx, weight.shape[0]!);
  if (weight.storage.device !== "cpu") return bagsOnDevice(name, input, flatInput, weight, starts, mode, perSampleWeights, pad);
  const rows = embeddingImpl(name, flatInput, weight, pad);
  const idx = flatInput.toTypedArray();
  const d = weight.shape[1]!;
  // keep[i] = 1 unless index i is the padding index
  const keep = fromTypedArray(Array.from(idx, (i) => (i === pad ? 0 : 1)), [idx.length, 1], weight.dtype);
  let weighted = mul(rows, keep);
  if (perSampleWeights !== null) weighted = mul(weighted, reshape(perSampleWeights, [-1, 1]));
  const bags: Tensor[] = [];
  const zeros = fromTypedArray(new Float64Array(d), [d], weight.dtype);
  for (let b = 0; b + 1 < starts.length; b++) {
    const [s, e] = [starts[b]!, starts[b + 1]!];
    const count = Array.from(idx.subarray(s, e)).filter((i) => i !== pad).length;
    if (count === 0) {
      bags.push(zeros);
    } else if (mode === "max") {
      const kept = Array.from({ length: e - s }, (_, k) => s + k).filter((k) => idx[k] !== pad);
      const picked = fromTypedArray(kept, [kept.length], "int32");
      bags.push(maxAlong(reshape(gatherRows(rows, picked, d), [kept.length, d]), 0).values);
    } else {
      const total = sum(narrow(weighted, 0, s, e - s), 0);
      bags.push(mode === "mean" ? div(total, count) : total);
    }
  }
  return stack(bags, 0);
}

function gatherRows(rows: Tensor, picked: Tensor, d: number): Tensor {
  const k = picked.shape[0]!;
  const index = new Int32Array(k * d);
  const p = picked.toTypedArray();
  for (let i = 0; i < k; i++) index.fill(p[i]!, i * d, (i + 1) * d);
  return gather(rows, 0, fromTypedArray(index, [k, d], "int32"));
}

export function embeddingBag(input: Tensor, weight: Tensor, options: EmbeddingBagOptions = {}): Tensor {
  return embeddingBagImpl("embeddingBag", input, weight, options);
}


/**
 * embeddingBag on the webgpu device, nothing read back: the rows looked up, the padding index's
 * rows masked out by a device-made mask; a 2-D input's bags (fixed length) reduced along their
 * dim; a 1-D input's bags (bounds from the host) reduced by scatter-adds (sum, and the counts
 * for mean) or scatterReduce's amax into one row per bag. A bag with no rows left is zeros.
 */
function bagsOnDevice(name: string, input: Tensor, flat: Tensor, weight: Tensor, starts: readonly number[], mode: BagMode, perSampleWeights: Tensor | null, pad: number | null): Tensor {
  const device = weight.storage.device;
  const d = weight.shape[1]!;
  const n = flat.numel();
  const bags = starts.length - 1;
  const rows = embeddingImpl(name, flat, weight, pad);
  const kept = pad === null ? null : unsqueeze(ne(flat, pad), 1);
  const counted = kept === null ? filledTensor([n, 1], weight.dtype, 1, device) : toDType(kept, weight.dtype);
  let weighted = kept === null ? rows : mul(rows, counted);
  if (perSampleWeights !== null) weighted = mul(weighted, reshape(perSampleWeights, [-1, 1]));
  const candidates = kept === null ? rows : where(kept, rows, -Infinity);
  let total: Tensor;
  let count: Tensor;
  let largest: Tensor | null = null;
  if (input.ndim === 2) {
    const l = input.shape[1]!;
    total = sum(reshape(weighted, [bags, l, d]), 1);
    count = sum(reshape(counted, [bags, l, 1]), 1);
    if (mode === "max" && l > 0) largest = maxAlong(reshape(candidates, [bags, l, d]), 1).values;
  } else {
    // the bag of each index: host-made from the bounds (one counted upload)
    const bagOf = new Int32Array(n);
    for (let b = 0; b < bags; b++) bagOf.fill(b, starts[b]!, starts[b + 1]!);
    const at = unsqueeze(fromTypedArray(bagOf, [n], "int32").to(device), 1);
    const spread = contiguous(expand(at, [n, d]));
    total = scatterAdd(emptyTensor([bags, d], weight.dtype, name, device), 0, spread, weighted);
    count = scatterAdd(emptyTensor([bags, 1], weight.dtype, name, device), 0, at, counted);
    if (mode === "max") largest = scatterReduce(emptyTensor([bags, d], weight.dtype, name, device), 0, spread, candidates, "amax", { includeSelf: false });
  }
  const some = gt(count, 0);
  if (mode === "sum") return total;
  if (mode === "mean") return where(some, div(total, maximum(count, filledTensor([], weight.dtype, 1, device))), 0);
  return largest === null ? emptyTensor([bags, d], weight.dtype, name, device) : where(some, largest, 0);
}
