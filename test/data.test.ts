/** data: datasets, randomSplit, the DataLoader (sync and async), collate and transforms. */
import { describe, expect, it } from "vitest";
import { arange, data, Generator, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { values } from "./helpers.js";

const { TensorDataset, Subset, ConcatDataset, MapDataset, DataLoader, randomSplit, defaultCollate, transforms } = data;

/** 10 samples: x[i] = [2i, 2i+1] (float32), y[i] = i (int32). */
function tenSamples() {
  const x = arange(20).float().reshape(10, 2);
  const y = arange(10);
  return { x, y, ds: new TensorDataset(x, y) };
}

/** A dataset of plain samples without a batch fast path, optionally async. */
function plainDataset(n: number, { async = false, delayMs = 0, started }: { async?: boolean; delayMs?: number; started?: number[] } = {}) {
  return {
    length: n,
    get(i: number): [Tensor, Tensor] | Promise<[Tensor, Tensor]> {
      const sample: [Tensor, Tensor] = [tensor([2 * i, 2 * i + 1]), tensor(i, { dtype: "int32" })];
      started?.push(i);
      if (!async) return sample;
      return new Promise((resolve) => setTimeout(() => resolve(sample), delayMs));
    },
  };
}

describe("TensorDataset, Subset, ConcatDataset, MapDataset", () => {
  it("gives the i-th rows and batches by indexSelect", () => {
    const { ds } = tenSamples();
    expect(ds.length).toBe(10);
    const [x3, y3] = ds.get(3);
    expect(values(x3)).toEqual([6, 7]);
    expect(y3.item()).toBe(3);
    const [xb, yb] = ds.getBatch([4, 0, 9]);
    expect(xb.shape).toEqual([3, 2]);
    expect(values(xb)).toEqual([8, 9, 0, 1, 18, 19]);
    expect(values(yb)).toEqual([4, 0, 9]);
    expect(yb.dtype).toBe("int32");
  });

  it("batches strided (non-contiguous) tensors the same way", () => {
    const x = arange(20).float().reshape(2, 10).t(); // [10, 2], column-major view
    const [xb] = new TensorDataset(x).getBatch([3, 1]);
    expect(values(xb)).toEqual([3, 13, 1, 11]);
    expect(values(new TensorDataset(x.contiguous()).getBatch([3, 1])[0])).toEqual([3, 13, 1, 11]);
  });

  it("rejects tensors of different lengths and indices out of range", () => {
    expect(() => new TensorDataset(arange(3), arange(4))).toThrow(/tensor 0 has 3 samples, tensor 1 has 4/);
    const { ds } = tenSamples();
    expect(() => ds.get(10)).toThrow(/index 10 is out of range for a dataset of length 10/);
    expect(() => ds.getBatch([1, -1])).toThrow(/index -1 is out of range/);
  });

  it("Subset maps indices and keeps the batch fast path", () => {
    const { ds } = tenSamples();
    const sub = new Subset(ds, [7, 2, 5]);
    expect(sub.length).toBe(3);
    expect((sub.get(1) as Tensor[])[1]!.item()).toBe(2);
    expect(sub.getBatch).toBeDefined();
    expect(values((sub.getBatch!([2, 0]) as Tensor[])[1]!)).toEqual([5, 7]);
    expect(new Subset(plainDataset(4), [1]).getBatch).toBeUndefined();
    expect(() => new Subset(ds, [10])).toThrow(/out of range/);
  });

  it("ConcatDataset reads across its parts", () => {
    const { ds } = tenSamples();
    const cat = new ConcatDataset([new Subset(ds, [0, 1]), new Subset(ds, [5, 6, 7])]);
    expect(cat.length).toBe(5);
    expect(cat.cumulativeSizes).toEqual([2, 5]);
    expect([0, 1, 2, 3, 4].map((i) => ((cat.get(i) as Tensor[])[1] as Tensor).item())).toEqual([0, 1, 5, 6, 7]);
    expect(() => cat.get(5)).toThrow(/out of range/);
  });

  it("MapDataset applies a transform per sample", () => {
    const { ds } = tenSamples();
    const doubled = new MapDataset(ds, ([x, y]: Tensor[]) => [x!.mul(2), y!]);
    expect(values((doubled.get(1) as Tensor[])[0]!)).toEqual([4, 6]);
  });
});

describe("randomSplit", () => {
  it("splits by counts into disjoint subsets covering the dataset, reproducibly", () => {
    const { ds } = tenSamples();
    const [a, b] = randomSplit(ds, [7, 3], new Generator(42));
    expect(a!.length).toBe(7);
    expect(b!.length).toBe(3);
    expect([...a!.indices, ...b!.indices].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const [a2] = randomSplit(ds, [7, 3], new Generator(42));
    expect(a2!.indices).toEqual(a!.indices);
    const [a3] = randomSplit(ds, [7, 3], new Generator(43));
    expect(a3!.indices).not.toEqual(a!.indices);
  });

  it("splits by fractions, handing out the remainder", () => {
    const { ds } = tenSamples();
    expect(randomSplit(ds, [0.55, 0.45], new Generator(0)).map((s) => s.length)).toEqual([6, 4]);
    expect(randomSplit(ds, [1 / 3, 1 / 3, 1 / 3], new Generator(0)).map((s) => s.length)).toEqual([4, 3, 3]);
  });

  it("rejects lengths that don't add up", () => {
    const { ds } = tenSamples();
    expect(() => randomSplit(ds, [5, 4])).toThrow(/sum of input lengths \(9\) does not equal the length of the input dataset \(10\)/);
  });
});

describe("DataLoader", () => {
  // these tests keep every batch to compare them after the loop: keepBatches, since a loader frees
  // the batches it made when the next is asked for (every batch on the webgpu device, where all
  // storage is pooled; on the CPU only those in the wasm heap)
  it("batches in order, with the last batch short unless dropLast", () => {
    const { ds } = tenSamples();
    const loader = new DataLoader(ds, { batchSize: 4, keepBatches: true });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map(([, y]) => values(y!))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(batches[0]![0]!.shape).toEqual([4, 2]);
    const dropped = new DataLoader(ds, { batchSize: 4, keepBatches: true, dropLast: true });
    expect(dropped.length).toBe(2);
    expect([...dropped].map(([, y]) => y!.shape[0])).toEqual([4, 4]);
  });

  it("shuffles with a seeded generator: a permutation per epoch, the same for the same seed", () => {
    const { ds } = tenSamples();
    const epochOrder = (loader: Iterable<Tensor[]>) => [...loader].flatMap(([, y]) => values(y!));
    const loader = new DataLoader(ds, { batchSize: 3, keepBatches: true, shuffle: true, generator: new Generator(7) });
    const e1 = epochOrder(loader);
    const e2 = epochOrder(loader);
    expect([...e1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e1).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e2).not.toEqual(e1);
    const again = new DataLoader(ds, { batchSize: 3, keepBatches: true, shuffle: true, generator: new Generator(7) });
    expect(epochOrder(again)).toEqual(e1);
    expect(epochOrder(again)).toEqual(e2);
  });

  it("collates samples of a plain dataset like the indexSelect fast path", () => {
    const { ds } = tenSamples();
    const fast = [...new DataLoader(ds, { batchSize: 4, keepBatches: true })];
    const slow = [...new DataLoader(plainDataset(10), { batchSize: 4, keepBatches: true })];
    slow.forEach(([x, y], i) => {
      expect(values(x!)).toEqual(values(fast[i]![0]!));
      expect(values(y!)).toEqual(values(fast[i]![1]!));
      expect(y!.dtype).toBe("int32");
    });
  });

  it("uses a custom collate function and a batch transform", () => {
    const { ds } = tenSamples();
    const loader = new DataLoader<Tensor[], number[]>(ds, { batchSize: 5, collate: (samples) => samples.map(([, y]) => y!.item()) });
    expect([...loader]).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]);
    const scaled = new DataLoader(ds, { batchSize: 5, keepBatches: true, transform: transforms.onInput((x) => x.mul(10)) });
    expect(values([...scaled][0]![0]!).slice(0, 3)).toEqual([0, 10, 20]);
  });

  it("defaultCollate stacks tensors, numbers, arrays and objects", () => {
    const batch = defaultCollate([{ x: tensor([1, 2]), n: 1, f: 0.5 }, { x: tensor([3, 4]), n: 2, f: 1.5 }]);
    expect(batch.x.shape).toEqual([2, 2]);
    expect(batch.n.dtype).toBe("int32");
    expect(batch.f.dtype).toBe("float32");
    expect(() => defaultCollate([[tensor(1)], [tensor(1), tensor(2)]])).toThrow(/each sample should have 1 elements/);
  });

  it("iterates with for await, giving the same batches as sync iteration", async () => {
    const { ds } = tenSamples();
    const sync = [...new DataLoader(ds, { batchSize: 4, keepBatches: true, shuffle: true, generator: new Generator(3) })];
    const out: Tensor[][] = [];
    for await (const b of new DataLoader(ds, { batchSize: 4, keepBatches: true, shuffle: true, generator: new Generator(3) })) out.push(b);
    expect(out.map(([, y]) => values(y!))).toEqual(sync.map(([, y]) => values(y!)));
  });

  it("reads an async dataset ahead while the consumer works, and refuses it in sync iteration", async () => {
    const started: number[] = [];
    const loader = new DataLoader(plainDataset(8, { async: true, delayMs: 5, started }), { batchSize: 2, prefetch: 2 });
    expect(() => [...loader]).toThrow(/use `for await|iterate with `for await/);
    started.length = 0;
    const seenAtFirstBatch: number[] = [];
    const labels: number[] = [];
    for await (const [, y] of loader) {
      if (labels.length === 0) seenAtFirstBatch.push(...started);
      labels.push(...values(y!));
      await new Promise((r) => setTimeout(r, 10)); // "compute"
    }
    expect(labels).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // While the first batch is consumed, the next two are already loading.
    expect(seenAtFirstBatch.length).toBeGreaterThanOrEqual(6);
  });

  it("rejects a bad batch size", () => {
    expect(() => new DataLoader(tenSamples().ds, { batchSize: 0 })).toThrow(/batchSize should be a positive integer, got 0/);
  });
});

describe("transforms", () => {
  it("normalize: one number, or per channel for images and per column for rows", () => {
    expect(values(transforms.normalize(0.5, 0.25)(tensor([0.5, 1])))).toEqual([0, 2]);
    const img = tensor([[[1, 1]], [[3, 3]]]); // [C=2, H=1, W=2]
    expect(values(transforms.normalize([1, 2], [1, 0.5])(img))).toEqual([0, 0, 2, 2]);
    const batch = img.unsqueeze(0).expand(3, 2, 1, 2).contiguous(); // [N=3, C=2, 1, 2]
    expect(values(transforms.normalize([1, 2], [1, 0.5])(batch))).toEqual([0, 0, 2, 2, 0, 0, 2, 2, 0, 0, 2, 2]);
    expect(values(transforms.normalize([1, 2], [1, 2])(tensor([[1, 2], [3, 6]])))).toEqual([0, 0, 2, 2]);
    expect(() => transforms.normalize([1, 2, 3], [1, 1, 1])(img)).toThrow(/3 means for 2 channels/);
    expect(() => transforms.normalize(0, 0)).toThrow(/std evaluated to zero/);
  });

  it("oneHot", () => {
    const oh = transforms.oneHot(3)(tensor([2, 0], { dtype: "int32" }));
    expect(oh.shape).toEqual([2, 3]);
    expect(values(oh)).toEqual([0, 0, 1, 1, 0, 0]);
    expect(() => transforms.oneHotEncode(tensor([3], { dtype: "int32" }), 3)).toThrow(/class value 3 is out of range for 3 classes/);
  });

  it("randomCrop: windows of the zero-padded image, a new position per image, seeded", () => {
    // One 1×3×3 image with values 1..9, cropped to 3×3 after padding 1: a shifted window.
    const img = arange(1, 10).float().reshape(1, 1, 3, 3);
    const batch = img.expand(50, 1, 3, 3).contiguous();
    const crops = transforms.randomCrop(3, { padding: 1, generator: new Generator(1) })(batch);
    expect(crops.shape).toEqual([50, 1, 3, 3]);
    const windows = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const c = values(crops.select(0, i));
      windows.add(c.join(","));
      // Every value is 0 (padding) or the pixel at its shifted place.
      expect(c.filter((v) => v !== 0).every((v, _, a) => a.indexOf(v) >= 0)).toBe(true);
    }
    expect(windows.size).toBeGreaterThan(3);
    expect(windows.has("1,2,3,4,5,6,7,8,9")).toBe(true); // the centre crop
    expect(windows.has("0,0,0,0,1,2,0,4,5")).toBe(true); // shifted down-right by one
    const again = transforms.randomCrop(3, { padding: 1, generator: new Generator(1) })(batch);
    expect(values(again)).toEqual(values(crops));
    expect(transforms.randomCrop(2)(arange(9).float().reshape(1, 3, 3)).shape).toEqual([1, 2, 2]);
    expect(() => transforms.randomCrop(5)(img)).toThrow(/crop size \[5, 5\] is larger than the padded image \[3, 3\]/);
  });

  it("randomHorizontalFlip mirrors rows with probability p, per image", () => {
    const img = arange(6).float().reshape(1, 1, 2, 3);
    expect(values(transforms.randomHorizontalFlip({ p: 1 })(img))).toEqual([2, 1, 0, 5, 4, 3]);
    expect(values(transforms.randomHorizontalFlip({ p: 0 })(img))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(values(img)).toEqual([0, 1, 2, 3, 4, 5]); // the input is not changed
    const flips = transforms.randomHorizontalFlip({ generator: new Generator(5) })(img.expand(40, 1, 2, 3).contiguous());
    const flipped = Array.from({ length: 40 }, (_, i) => values(flips.select(0, i))[0] === 2).filter(Boolean).length;
    expect(flipped).toBeGreaterThan(5);
    expect(flipped).toBeLessThan(35);
  });
});
