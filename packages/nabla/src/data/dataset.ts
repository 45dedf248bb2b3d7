/**
 * Datasets, PyTorch's map-style kind: a length and `get(i)`. A dataset may also offer
 * `getBatch(indices)`, which the DataLoader prefers: a TensorDataset answers it with one
 * `indexSelect` per tensor instead of stacking samples one by one.
 */
import { randperm } from "../ops/creation.js";
import { emptyTensor, fromTypedArray } from "../ops/helpers.js";
import { OptionError, ShapeError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { defaultGenerator, type Generator } from "../tensor/random.js";

/** A map-style data set: `length` samples, sample `i` from `get(i)` (synchronously or as a promise). */
export interface Dataset<T> {
  readonly length: number;
  get(index: number): T | Promise<T>;
  /** A whole batch at once, already collated (optional fast path used by the DataLoader). */
  getBatch?(indices: readonly number[]): T | Promise<T>;
}

/** Throws a RangeError naming the dataset unless `index` is an integer in [0, length). */
export function checkIndex(what: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(`${what}: index ${index} is out of range for a dataset of length ${length}`);
  }
}

/** An int32 index tensor over plain numbers. */
function indexTensor(indices: readonly number[]): Tensor {
  return fromTypedArray(indices, [indices.length], "int32");
}

/** indexSelect along dim 0 for a contiguous tensor without grad: one typed-array copy per row. */
function copyRows(t: Tensor, indices: readonly number[]): Tensor {
  const rowSize = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = emptyTensor([indices.length, ...t.shape.slice(1)], t.dtype);
  const src = t.storage.data;
  const dst = out.storage.data;
  indices.forEach((i, j) => {
    const from = t.offset + i * rowSize;
    dst.set(src.subarray(from, from + rowSize), j * rowSize);
  });
  return out;
}

/**
 * Samples are the i-th rows of the given tensors, which share their first dimension, like
 * PyTorch's TensorDataset: `new TensorDataset(images, labels).get(3)` is `[images[3], labels[3]]`.
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> implements Dataset<T> {
  readonly tensors: T;

  constructor(...tensors: T) {
    if (tensors.length === 0) throw new OptionError("TensorDataset: expected at least one tensor");
    const n = tensors[0]!.shape[0];
    tensors.forEach((t, i) => {
      if (t.ndim === 0) throw new ShapeError(`TensorDataset: tensor ${i} is 0-d; every tensor needs a first (sample) dimension`);
      if (t.shape[0] !== n) {
        throw new ShapeError(`TensorDataset: size mismatch between tensors: tensor 0 has ${n} samples, tensor ${i} has ${t.shape[0]}`);
      }
    });
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  get(index: number): T {
    checkIndex("TensorDataset.get", index, this.length);
    return this.tensors.map((t) => t.select(0, index)) as T;
  }

  /**
   * The rows at `indices` of every tensor, each batch tensor made in one pass (no per-sample
   * stacking); a tensor on the webgpu device is index-selected there (the indices uploaded once).
   */
  getBatch(indices: readonly number[]): T {
    for (const i of indices) checkIndex("TensorDataset.getBatch", i, this.length);
    let idx: Tensor | undefined;
    let onDevice: Tensor | undefined;
    return this.tensors.map((t) => {
      if (t.storage.device !== "cpu") return t.indexSelect(0, (onDevice ??= indexTensor(indices).to(t.storage.device)));
      if (t.isContiguous() && !t.requiresGrad) return copyRows(t, indices);
      return t.indexSelect(0, (idx ??= indexTensor(indices)));
    }) as T;
  }
}

/** The samples of `dataset` at the given indices, in that order (PyTorch's Subset). */
export class Subset<T> implements Dataset<T> {
  readonly indices: readonly number[];

  constructor(
    readonly dataset: Dataset<T>,
    indices: readonly number[],
  ) {
    for (const i of indices) checkIndex("Subset", i, dataset.length);
    this.indices = indices.slice();
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T | Promise<T> {
    checkIndex("Subset.get", index, this.length);
    return this.dataset.get(this.indices[index]!);
  }

  /** Defined only when the underlying dataset has a batch fast path. */
  get getBatch(): ((indices: readonly number[]) => T | Promise<T>) | undefined {
    const base = this.dataset;
    if (base.getBatch === undefined) return undefined;
    return (indices) => {
      for (const i of indices) checkIndex("Subset.getBatch", i, this.length);
      return base.getBatch!(indices.map((i) => this.indices[i]!));
    };
  }
}

/** Several datasets one after another (PyTorch's ConcatDataset). */
export class ConcatDataset<T> implements Dataset<T> {
  readonly datasets: readonly Dataset<T>[];
  /** cumulativeSizes[k] = total length of datasets 0..k. */
  readonly cumulativeSizes: readonly number[];

  constructor(datasets: readonly Dataset<T>[]) {
    if (datasets.length === 0) throw new OptionError("ConcatDataset: datasets should not be an empty list");
    this.datasets = datasets.slice();
    let total = 0;
    this.cumulativeSizes = datasets.map((d) => (total += d.length));
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }

  get(index: number): T | Promise<T> {
    checkIndex("ConcatDataset.get", index, this.length);
    let k = 0;
    while (index >= this.cumulativeSizes[k]!) k++;
    const start = k === 0 ? 0 : this.cumulativeSizes[k - 1]!;
    return this.datasets[k]!.get(index - start);
  }
}

/** Applies `transform` to every sample of `dataset` as it is read (torchvision's `transform=`). */
export class MapDataset<T, U> implements Dataset<U> {
  constructor(
    readonly dataset: Dataset<T>,
    readonly transform: (sample: T, index: number) => U,
  ) {}

  get length(): number {
    return this.dataset.length;
  }

  get(index: number): U | Promise<U> {
    const sample = this.dataset.get(index);
    return sample instanceof Promise ? sample.then((s) => this.transform(s, index)) : this.transform(sample, index);
  }
}

/**
 * Splits `dataset` at random into non-overlapping subsets of the given lengths, like PyTorch's
 * random_split: counts that sum to the dataset's length, or fractions that sum to 1 (floored,
 * the remainder handed out one by one from the first subset on). Seed it with a Generator.
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], generator: Generator = defaultGenerator): Subset<T>[] {
  const n = dataset.length;
  let counts: number[];
  const total = lengths.reduce((a, b) => a + b, 0);
  if (lengths.some((l) => !(l >= 0))) throw new OptionError(`randomSplit: lengths must be non-negative, got [${lengths.join(", ")}]`);
  if (Math.abs(total - 1) < 1e-9 && total !== n) {
    counts = lengths.map((f) => Math.floor(n * f));
    let remainder = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; remainder > 0; i = (i + 1) % counts.length, remainder--) counts[i]! += 1;
  } else {
    if (lengths.some((l) => !Number.isInteger(l)) || total !== n) {
      throw new OptionError(
        `randomSplit: sum of input lengths (${total}) does not equal the length of the input dataset (${n}); ` +
          "give counts that sum to it or fractions that sum to 1",
      );
    }
    counts = lengths.slice();
  }
  const order = Array.from(randperm(n, { generator }).toTypedArray());
  let at = 0;
  return counts.map((c) => new Subset(dataset, order.slice(at, (at += c))));
}
