/**
 * The DataLoader: batches of a dataset, in order or shuffled with a seeded Generator, through
 * `for (const batch of loader)` or `for await (const batch of loader)`. The async form reads
 * ahead `prefetch` batches, so a dataset whose `get` returns promises (files, fetch) loads the
 * next batches while the current one is computed, and it yields to the event loop between
 * batches (progress output and Ctrl-C handlers get to run).
 */
import { randperm } from "../ops/creation.js";
import { OptionError } from "../errors.js";
import { BOOLEAN, FUNCTION, GENERATOR, kind, NUMBER, readCtorArgs, type WithOptions } from "../ops/arguments.js";
import { ownedFresh, release } from "../memory/ownership.js";
import type { Storage } from "../tensor/storage.js";
import { defaultGenerator, type Generator } from "../tensor/random.js";
import { defaultCollate, type Collated } from "./collate.js";
import type { Dataset } from "./dataset.js";

export interface DataLoaderOptions<T, B = Collated<T>> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** A new random order every epoch (default false). */
  shuffle?: boolean;
  /** The generator the order is drawn from (default: the global one); seed it for a fixed order. */
  generator?: Generator;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Turns a list of samples into a batch (default: defaultCollate; unused when the dataset has getBatch). */
  collate?: (samples: T[]) => B;
  /** Applied to every batch after collation (batch-level augmentation: random crops, flips, normalising). */
  transform?: (batch: B) => B;
  /** Batches read ahead by async iteration (default 2). */
  prefetch?: number;
  /**
   * Keep every batch's tensors for the collector to free (default false). By default a batch the
   * loader made is freed when the next one is asked for, so a loop over big batches holds one
   * batch, not every batch since the last collection; keep one batch past that with
   * memory.keep or clone(), or pass true.
   */
  keepBatches?: boolean;
}

/** Frees a batch's storage that the library made (pinned storage waits for its graph's backward). */
function freeBatch(made: readonly Storage[]): void {
  for (const s of made) release(s, "by the DataLoader: a batch is freed when the next is asked for (pass { keepBatches: true }, or keep it with memory.keep or clone())");
}

const DATASET = kind("a Dataset (an object with length and get)", (v) => typeof v === "object" && v !== null && typeof (v as Dataset<unknown>).get === "function" && typeof (v as Dataset<unknown>).length === "number");

export class DataLoader<T, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator;
  readonly prefetch: number;
  readonly keepBatches: boolean;
  private readonly collate: ((samples: T[]) => B) | undefined;
  private readonly transform: ((batch: B) => B) | undefined;

  /**
   * PyTorch's `(dataset, batchSize, shuffle)`, or options after the dataset. PyTorch's next
   * positional arguments (sampler, batch_sampler, …) are not supported, so the positional form stops there.
   */
  constructor(
    readonly dataset: Dataset<T>,
    ...args: WithOptions<[batchSize: number, shuffle: boolean], DataLoaderOptions<T, B>>
  ) {
    const options = readCtorArgs<DataLoaderOptions<T, B>>("DataLoader", [dataset, ...args], {
      required: [["dataset", DATASET]],
      positional: [["batchSize", NUMBER], ["shuffle", BOOLEAN]],
      keywordOnly: [["generator", GENERATOR], ["dropLast", BOOLEAN], ["collate", FUNCTION], ["transform", FUNCTION], ["prefetch", NUMBER], ["keepBatches", BOOLEAN]],
    });
    const { batchSize = 1, shuffle = false, generator = defaultGenerator, dropLast = false, collate, transform, prefetch = 2, keepBatches = false } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new OptionError(`DataLoader: batchSize should be a positive integer, got ${batchSize}`);
    }
    if (!Number.isInteger(prefetch) || prefetch < 0) throw new OptionError(`DataLoader: prefetch should be an integer >= 0, got ${prefetch}`);
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.generator = generator;
    this.dropLast = dropLast;
    this.collate = collate;
    this.transform = transform;
    this.prefetch = prefetch;
    this.keepBatches = keepBatches;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /**
   * The sample indices of each batch of one epoch. Draws the shuffle from the generator, so call
   * it once per epoch (iteration does).
   */
  batchIndices(): number[][] {
    const n = this.dataset.length;
    const order = this.shuffle ? Array.from(randperm(n, { generator: this.generator }).toTypedArray()) : Array.from({ length: n }, (_, i) => i);
    const batches: number[][] = [];
    for (let b = 0; b < this.length; b++) batches.push(order.slice(b * this.batchSize, (b + 1) * this.batchSize));
    return batches;
  }

  /** Reads one batch: the dataset's getBatch when it has one and no custom collate is given. */
  private load(indices: number[]): B | Promise<B> {
    const ds = this.dataset;
    let batch: B | Promise<B>;
    if (ds.getBatch !== undefined && this.collate === undefined) {
      batch = ds.getBatch(indices) as unknown as B | Promise<B>;
    } else {
      const samples = indices.map((i) => ds.get(i));
      const collate = this.collate ?? (defaultCollate as unknown as (s: T[]) => B);
      batch = samples.some((s) => s instanceof Promise) ? Promise.all(samples).then(collate) : collate(samples as T[]);
    }
    const transform = this.transform;
    if (transform === undefined) return batch;
    return batch instanceof Promise ? batch.then(transform) : transform(batch);
  }

  /** Loads a batch in an ownership scope: returns it with the storage it made, for freeing when the next one is asked for. */
  private loadOwned(indices: number[]): { batch: B | Promise<B>; made: Storage[] } {
    const { result, made } = ownedFresh(() => this.load(indices));
    return { batch: result, made: this.keepBatches || result instanceof Promise ? [] : made };
  }

  *[Symbol.iterator](): Iterator<B> {
    for (const indices of this.batchIndices()) {
      this.freePrevious();
      const { batch, made } = this.loadOwned(indices);
      if (batch instanceof Promise) {
        throw new TypeError("DataLoader: the dataset returns promises; iterate with `for await (const batch of loader)`");
      }
      this.previous = made;
      yield batch;
    }
  }

  /** The storage of the batch handed out last, by any iteration of this loader (the next epoch's first batch frees the last one's). */
  private previous: Storage[] = [];

  private freePrevious(): void {
    freeBatch(this.previous);
    this.previous = [];
  }

  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    const all = this.batchIndices();
    const pending: Promise<{ batch: B | Promise<B>; made: Storage[] }>[] = [];
    let next = 0;
    const fill = () => {
      while (next < all.length && pending.length <= this.prefetch) {
        const indices = all[next++]!;
        const p = Promise.resolve().then(() => this.loadOwned(indices));
        // Errors surface when the batch is awaited; silence the unhandled-rejection warning meanwhile.
        p.catch(() => {});
        pending.push(p);
      }
    };
    fill();
    while (pending.length > 0) {
      const { batch, made } = await pending.shift()!;
      this.freePrevious();
      this.previous = made;
      fill();
      yield await batch;
    }
  }
}
