/**
 * Ops on webgpu tensors that used to read `storage.data` on the host or had no kernel (issue 13):
 * indexing (gather, scatter, scatterAdd, indexSelect, embedding) with indices computed on the
 * device, their bounds checked there; scans (cumsum, cumprod, cummax/cummin, logcumsumexp);
 * sort/argsort/topk; and the ops that only allocated their result on the wrong device or
 * re-index along dims (cat, stack, pad, flip, roll, repeat, diag, maskedFill). Each runs on the
 * device and on the CPU from the same inputs: int32 and bool exactly, float32 within a few
 * roundings. Indices and masks on the device are made there (a clone), so no host copy of their
 * values exists and the device path is the one taken.
 */
import { describe, expect, it } from "vitest";
import {
  all,
  any,
  argsort,
  argmax,
  argmin,
  bernoulli,
  clamp,
  bincount,
  deviceSizeReads,
  digamma,
  expand,
  full,
  gt,
  histc,
  lgamma,
  lt,
  manualSeed,
  maskedSelect,
  mode,
  multinomial,
  nonzero,
  polygamma,
  reshape,
  sum,
  unique,
  uniqueConsecutive,
  zeros,
  cat,
  cummax,
  cummin,
  cumprod,
  cumsum,
  deviceTransfers,
  diag,
  flip,
  gather,
  index,
  indexAdd,
  indexCopy,
  indexFill,
  indexPut,
  indexSelect,
  logcumsumexp,
  kthvalue,
  median,
  nanmedian,
  isinf,
  isnan,
  isneginf,
  isposinf,
  maskedFill,
  nanToNum,
  narrow,
  nn,
  randn,
  repeat,
  roll,
  scatter,
  scatterAdd,
  scatterReduce,
  searchsorted,
  bucketize,
  sl,
  sort,
  stack,
  tensor,
  topk,
  tril,
  triu,
  where,
  type Tensor,
} from "../packages/nabla/src/index.js";
import * as nabla from "../packages/nabla/src/index.js";
import { clone } from "../packages/nabla/src/ops/shape.js";
import { startedWebGpu } from "../packages/nabla/src/backend/device.js";
import { startWebGpuDevice } from "./webgpu-device.js";

const reason = await startWebGpuDevice();
const F = nn.functional;
type Device = "cpu" | "webgpu";

/** A copy of `t` on `device`; on the webgpu device computed there (a clone), so that no host mirror of its values exists. */
function on(t: Tensor, device: Device): Tensor {
  return clone(device === "cpu" ? t : t.to("webgpu"));
}

/** A tensor's values with NaN kept (toEqual treats NaN as equal to NaN). */
async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.dataAsync());
}

function closeTo(actual: number[], expected: number[], rtol = 1e-5, atol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    if (Number.isNaN(e) ? !Number.isNaN(a) : Math.abs(a - e) > atol + rtol * Math.abs(e)) expect.fail(`element ${i}: ${a} vs ${e}`);
  });
}

/**
 * Runs `op` on the CPU and on the device from the same inputs and compares every tensor it
 * returns: exactly (int32, bool; float32 where the op only moves values), else within tolerance.
 */
async function same(op: (d: Device) => Tensor | readonly Tensor[] | { values: Tensor; indices: Tensor }, exact = true): Promise<void> {
  const list = (r: ReturnType<typeof op>): Tensor[] => (r instanceof Array ? [...r] : "shape" in r ? [r as Tensor] : [r.values, r.indices]);
  const cpu = list(op("cpu"));
  const gpu = list(op("webgpu"));
  expect(gpu.length).toBe(cpu.length);
  for (let i = 0; i < cpu.length; i++) {
    expect(gpu[i]!.device).toBe("webgpu");
    expect(gpu[i]!.dtype).toBe(cpu[i]!.dtype);
    expect(gpu[i]!.shape).toEqual(cpu[i]!.shape);
    if (exact || cpu[i]!.dtype !== "float32") expect(await values(gpu[i]!)).toEqual(await values(cpu[i]!));
    else closeTo(await values(gpu[i]!), await values(cpu[i]!));
  }
}

/** The error `op` throws on the CPU; on the device the same error comes from the next read. */
async function sameError(op: (d: Device) => Tensor): Promise<void> {
  let message = "";
  try {
    op("cpu");
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).not.toBe("");
  await expect(async () => values(op("webgpu"))).rejects.toThrow(message);
  // the flag is cleared: the next read succeeds
  expect(await values(on(tensor([1, 2]), "webgpu"))).toEqual([1, 2]);
}

type Values = Parameters<typeof tensor>[0];
const int = (v: Values, d: Device) => on(tensor(v, { dtype: "int32" }), d);
const flt = (v: Values, d: Device) => on(tensor(v), d);
const bool = (v: Values, d: Device) => on(tensor(v, { dtype: "bool" }), d);

describe.skipIf(reason !== "")(`webgpu ops${reason ? ` (skipped: ${reason})` : ""}`, () => {
  const x2 = [[1.5, -2, 3, 0.25], [4, NaN, -1, 8], [0, 2, 2, -3]];
  const i2 = [[3, 0, 3], [1, 1, 0], [2, 2, 2]];

  it("gather along each dim with an index computed on the device, every dtype", async () => {
    for (const dim of [0, 1]) {
      const index = dim === 0 ? [[2, 0, 1, 1], [0, 0, 2, 1]] : i2;
      await same((d) => gather(flt(x2, d), dim, int(index, d)));
      await same((d) => gather(int([[1, -2, 3, 7], [4, 5, -6, 0], [9, 9, 2, 1]], d), dim, int(index, d)));
      await same((d) => gather(bool([[1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 0]], d), dim, int(index, d)));
    }
  });

  it("scatter writes the last of repeated positions, as the CPU loop; scatterAdd sums them (bool as or)", async () => {
    const src = [[10, 20, 30], [40, 50, 60], [70, 80, 90]];
    await same((d) => scatter(flt(x2, d), 1, int(i2, d), flt(src, d)));
    await same((d) => scatter(int([[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]], d), 0, int([[2, 0, 1], [0, 0, 0]], d), int(src, d)));
    await same((d) => scatter(flt(x2, d), 1, int(i2, d), 7.5));
    await same((d) => scatter(bool([[1, 1, 1, 1], [0, 0, 0, 0], [1, 0, 1, 0]], d), 1, int(i2, d), bool([[0, 1, 0], [1, 1, 0], [0, 0, 1]], d)));
    await same((d) => scatter(flt(x2, d), 1, int(i2, d), flt(src, d), { reduce: "multiply" }));
    await same((d) => scatter(int([[1, 2, 3, 4], [5, 6, 7, 8], [1, 1, 1, 1]], d), 1, int(i2, d), int(src, d), { reduce: "add" }));
    await same((d) => scatterAdd(int([[1, 2, 3, 4], [5, 6, 7, 8], [1, 1, 1, 1]], d), 1, int(i2, d), int(src, d)));
    await same((d) => scatterAdd(bool([[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]], d), 1, int(i2, d), bool([[1, 0, 1], [0, 0, 0], [0, 1, 0]], d)));
    // float sums of colliding positions: the order of the additions is the hardware's
    await same((d) => scatterAdd(flt(x2.map((r) => r.map((v) => (Number.isNaN(v) ? 1 : v))), d), 1, int(i2, d), flt(src, d)), false);
  });

  it("scatterReduce: sum, prod, mean, amax and amin, with and without self, and their gradients", async () => {
    const base = [[1, -2, 3, 0.5], [4, NaN, -1, 8], [0, 2, 2, -3]];
    const src = [[10, -20, 30], [NaN, 5, 6], [7, 0.5, 2]];
    const ints = [[1, -2, 3, 4], [5, 6, -7, 8], [0, 2, 2, -3]];
    const isrc = [[10, -20, 30], [1, 5, 6], [-7, 3, 2]];
    for (const reduce of ["sum", "prod", "mean", "amax", "amin"] as const) {
      for (const includeSelf of [true, false]) {
        await same((d) => scatterReduce(flt(base, d), 1, int(i2, d), flt(src, d), reduce, { includeSelf }), false);
        await same((d) => scatterReduce(int(ints, d), 1, int(i2, d), int(isrc, d), reduce, { includeSelf }));
        await same((d) => scatterReduce(int(ints, d), 0, int([[2, 0, 2], [2, 2, 0]], d), int(isrc, d), reduce, { includeSelf }));
        await same((d) => {
          const x = on(tensor([[1, 2, 3, 4], [5, 6, 7, 8]]), d).requiresGrad_();
          const s = on(tensor([[3, 2, 9], [0.5, 6, 1]]), d).requiresGrad_();
          scatterReduce(x, 1, int([[0, 0, 3], [1, 1, 1]], d), s, reduce, { includeSelf }).mul(on(tensor([1, 2, 3, 4]), d)).sum().backward();
          return [x.grad!, s.grad!];
        }, false);
      }
    }
  });

  it("indexSelect and embedding read rows where they lie and add gradients back, duplicates included", async () => {
    await same((d) => indexSelect(flt(x2, d), 1, int([3, 0, 3, 2], d)));
    // a contiguous view that starts inside its buffer, and an index that does too
    await same((d) => indexSelect(narrow(flt(x2, d), 0, 1, 2), 1, narrow(int([9, 3, 0, 3, 2], d), 0, 1, 4)));
    await same((d) => indexSelect(int([[1, 2, 3], [4, 5, 6]], d), 0, int([1, 1, 0], d)));
    await same((d) => indexSelect(bool([[1, 0], [0, 1]], d), 1, int([1], d)));
    const table = randn([5, 3]);
    for (const paddingIdx of [null, 2]) {
      await same((d) => {
        const w = on(table, d).requiresGrad_();
        const out = F.embedding(int([[4, 2, 4], [0, 1, 2]], d), w, { paddingIdx });
        out.mul(on(tensor([1, 2, 3]), d)).sum().backward();
        return [out, w.grad!];
      }, false);
    }
    await same((d) => {
      const x = on(tensor(x2.map((r) => r.map((v) => (Number.isNaN(v) ? 1 : v)))), d).requiresGrad_();
      indexSelect(x, 1, int([3, 0, 3], d)).sum().backward();
      return x.grad!;
    });
  });

  it("an index out of range gives the CPU's error, from the next read on the device", async () => {
    await sameError((d) => gather(flt(x2, d), 1, int([[0, 4, 1], [0, 0, 0], [-1, 0, 0]], d)));
    await sameError((d) => scatter(flt(x2, d), 0, int([[0, 3, 1]], d), 1));
    await sameError((d) => indexSelect(flt(x2, d), 0, int([0, 2, 5, -7], d)));
    const table = randn([4, 2]);
    await sameError((d) => F.embedding(int([1, 9], d), on(table, d)));
    // a synchronous read (a worker-owned device) reports it too
    if (startedWebGpu()!.syncReadRefusal() === null) {
      const bad = gather(flt(x2, "webgpu"), 1, int([[0, 4, 1]], "webgpu"));
      expect(() => bad.toArray()).toThrow("gather: index 4 is out of bounds for dimension 1 with size 4 (found by the webgpu device");
      expect(on(tensor([3]), "webgpu").item()).toBe(3);
    }
    // an index uploaded from the host is still checked synchronously, from its host values
    expect(() => gather(flt(x2, "webgpu"), 1, tensor([[0, 4]], { dtype: "int32" }).to("webgpu"))).toThrow("index 4 is out of bounds for dimension 1 with size 4");
  });

  it("cumsum, cumprod (with zeros, and its gradient), logcumsumexp, cummax and cummin", async () => {
    const x = [[1.5, -2, 0.5, 3, 0.25], [2, 0, 3, 0, -1], [-Infinity, 1, NaN, 2, 2]];
    for (const dim of [0, 1]) {
      await same((d) => cumsum(flt(x, d), dim), false);
      // up to int32's edge: past it the CPU refuses (int32-exact.ts) where the device wraps
      await same((d) => cumsum(int([[1, -2, 2147483640, 1], [5, 6, 7, 8]], d), dim));
      await same((d) => cumsum(bool([[1, 0, 1], [1, 1, 1]], d), dim));
      await same((d) => cumprod(int([[3, -2, 256, 256], [1, 2, 3, 4]], d), dim));
      await same((d) => logcumsumexp(flt(x, d), dim), false);
      await same((d) => cummax(flt(x, d), dim));
      await same((d) => cummin(int([[3, 1, 1, 5], [0, 0, -1, -1]], d), dim));
    }
    await same((d) => {
      const t = on(tensor([[1.5, -2, 0.5, 3], [2, 0, 3, 0], [0.5, 2, 0, 4]]), d).requiresGrad_();
      cumprod(t, 1).mul(on(tensor([1, -1, 2, 0.5]), d)).sum().backward();
      return [cumprod(t, 1), t.grad!];
    }, false);
    await same((d) => {
      const t = on(tensor([[1.5, -2, 0.5], [2, 0, 3]]), d).requiresGrad_();
      cumsum(t, 1).mul(on(tensor([1, -1, 2]), d)).sum().backward();
      return t.grad!;
    }, false);
  });

  it("sort and argsort: NaN last (first descending), ties in input order as the stable sort", async () => {
    const x = [[3, NaN, 1, 3, -0, 0, -Infinity, 1], [2, 2, 2, NaN, NaN, 5, -1, Infinity]];
    for (const descending of [false, true]) {
      for (const dim of [0, 1]) {
        await same((d) => sort(flt(x, d), { dim, descending, stable: true }));
        await same((d) => sort(int([[3, 1, 3, -5, 1], [0, 0, 7, -5, 2]], d), { dim, descending, stable: true }));
        await same((d) => sort(bool([[1, 0, 1, 0], [0, 0, 1, 1]], d), { dim, descending, stable: true }));
        await same((d) => argsort(flt(x, d), { dim, descending, stable: true }));
      }
      // unstable: the same values (the tie order is free)
      const cpu = sort(tensor(x), 1, descending);
      const gpu = sort(on(tensor(x), "webgpu"), 1, descending);
      expect(await values(gpu.values)).toEqual(await values(cpu.values));
    }
    await same((d) => {
      const t = on(tensor([[0.5, -1, 2, 0.5], [3, 1, 2, -2]]), d).requiresGrad_();
      sort(t, 1, true).values.mul(on(tensor([1, 2, 3, 4]), d)).sum().backward();
      return t.grad!;
    });
  });

  it("kthvalue, median and nanmedian pick from the sorted rows: NaN last, the lower median, NaN rows as the CPU's", async () => {
    // (indices checked against the CPU's, which are PyTorch's; an all-NaN row's nanmedian index is
    // whichever NaN std::nth_element leaves there, so that row is compared by value below)
    const x = [[3, 1, 2, 5], [NaN, 1, 4, NaN], [2, NaN, NaN, NaN]];
    const distinct = [[3, 1, 2, 5], [7, -1, 4, 0], [2, 8, 6, 3]];
    for (const dim of [0, 1]) {
      for (const k of [1, 2, 3]) await same((d) => kthvalue(flt(distinct, d), k, dim, true));
      await same((d) => median(flt(x, d), dim));
      await same((d) => nanmedian(flt(x, d), dim));
      await same((d) => median(int([[4, 4, 1], [2, 9, 9]], d), dim).values);
    }
    await same((d) => nanmedian(flt([[1, NaN, 3], [NaN, NaN, NaN]], d), 1).values);
    for (const op of [median, nanmedian]) {
      await same((d) => op(flt([[3, 1, 2], [5, 1, 2]], d)));
      await same((d) => op(flt([[3, NaN, 2], [5, 1, NaN]], d)));
      await same((d) => {
        const t = on(tensor([[3, 1, 2], [2, 1, 2]]), d).requiresGrad_();
        op(t).backward();
        return t.grad!;
      });
    }
    // ties: the values agree, and the index picks the value
    const tied = topk(on(tensor([[2, 2, 1, 2]]), "webgpu"), 1, 1).values;
    const kth = kthvalue(on(tensor([[2, 2, 1, 2]]), "webgpu"), 3, 1);
    expect(await values(kth.values)).toEqual(await values(tied));
    expect(await values(gather(on(tensor([[2, 2, 1, 2]]), "webgpu"), 1, kth.indices.unsqueeze(1)))).toEqual([2]);
  });

  it("searchsorted and bucketize: shared and per-row boundaries, both sides, NaN, a sorter", async () => {
    const seq = [1, 2, 2, 3, 5];
    const vals = [[0, 2, 2.5], [5, NaN, 9]];
    for (const right of [false, true]) {
      await same((d) => searchsorted(flt(seq, d), flt(vals, d), { right }));
      await same((d) => searchsorted(flt([[1, 3, NaN], [-1, 0, 0]], d), flt([[3, NaN, 4], [0, -2, 1]], d), { right }));
      await same((d) => searchsorted(int(seq, d), int([[2, 7, -1]], d), { right }));
      await same((d) => bucketize(flt(vals, d), flt(seq, d), { right }));
      await same((d) => searchsorted(flt([5, 1, 3, 2], d), flt([2, 4], d), { right, sorter: int([1, 3, 2, 0], d) }));
    }
    await same((d) => searchsorted(flt(seq, d), 2.5));
    await sameError((d) => searchsorted(flt([5, 1, 3, 2], d), flt([2, 4], d), { sorter: int([1, 4, 2, 0], d) }));
  });

  it("topk: the k largest or smallest, NaN counted largest, ties by position; indices pick the values", async () => {
    // (no ±0 pair: the CPU's heap select orders them its own way, and toEqual tells them apart)
    const x = [[3, NaN, 1, 3, -4, 0, 7, 1], [2, 2, 2, 9, 9, 5, -1, 1]];
    for (const largest of [true, false]) {
      for (const k of [0, 1, 3, 8]) {
        const cpu = topk(tensor(x), k, 1, largest);
        const gpu = topk(on(tensor(x), "webgpu"), k, 1, largest);
        expect(await values(gpu.values)).toEqual(await values(cpu.values));
        const picked = gather(on(tensor(x), "webgpu"), 1, gpu.indices);
        expect(await values(picked)).toEqual(await values(gpu.values));
      }
    }
    await same((d) => topk(int([[4, 1, 4, 2], [0, -3, 8, 8]], d), 2, 1), true);
  });

  it("cat, stack, pad, flip, roll, repeat, diag and maskedFill keep float32, int32 and bool on the device", async () => {
    const ints = [[1, 2, 3], [4, 5, 6]];
    const bools = [[1, 0, 1], [0, 0, 1]];
    for (const make of [(d: Device) => flt(ints, d), (d: Device) => int(ints, d), (d: Device) => bool(bools, d)]) {
      await same((d) => cat([make(d), make(d)], 1));
      await same((d) => stack([make(d), make(d)], 0));
      await same((d) => F.pad(make(d), [1, 2]));
      await same((d) => flip(make(d), [0, 1]));
      await same((d) => roll(make(d), 1, 1));
      await same((d) => repeat(make(d), [2, 1]));
      await same((d) => maskedFill(make(d), bool([[1, 0, 0], [0, 1, 1]], d), 1));
    }
    await same((d) => diag(int([1, 2, 3], d), 1));
    await same((d) => F.pad(on(tensor([[[1, 2, 3], [4, 5, 6]]]), d), [2, 1], "reflect"));
    await same((d) => {
      const t = on(tensor([[1, 2, 3], [4, 5, 6]]), d).requiresGrad_();
      cat([flip(t, [1]), F.pad(t, [1, 0])], 1).mul(on(tensor([1, 2, 3, 4, 5, 6, 7]), d)).sum().backward();
      return t.grad!;
    });
  });

  it("cross-entropy and NLL with class weights, ignored targets, label smoothing and targets computed on the device", async () => {
    const logits = randn([5, 4]);
    const targets = [3, 0, -100, 2, 3];
    const weight = [0.5, 2, 1, 3];
    for (const options of [{}, { weight: true }, { labelSmoothing: 0.2 }, { weight: true, labelSmoothing: 0.1 }] as const) {
      for (const reduction of ["mean", "sum", "none"] as const) {
        await same((d) => {
          const x = on(logits, d).requiresGrad_();
          const w = "weight" in options ? on(tensor(weight), d) : null;
          const smoothing = "labelSmoothing" in options ? options.labelSmoothing : 0;
          const loss = F.crossEntropy(x, int(targets, d), { weight: w, reduction, labelSmoothing: smoothing });
          loss.sum().backward();
          return [loss, x.grad!];
        }, false);
      }
    }
    await same((d) => F.nllLoss(on(logits, d), int([1, 1, 0, 3, 2], d), { weight: on(tensor(weight), d), ignoreIndex: 1 }), false);
    await sameError((d) => F.crossEntropy(on(logits, d), int([0, 1, 4, 0, 0], d)));
  });

  it("oneHot, any, all, tril, triu, nanToNum, isnan/isinf of integers and where with a number (forward and backward) on the device", async () => {
    await same((d) => F.oneHot(int([[2, 0], [1, 2]], d), 4));
    await same((d) => F.oneHot(tensor([2, 0, 3], { dtype: "int32" }).to(d), -1));
    await sameError((d) => F.oneHot(int([2, 5], d), 4));
    const b = [[1, 0, 1], [0, 0, 0], [1, 1, 1]];
    for (const dim of [undefined, 0, 1]) {
      await same((d) => any(bool(b, d), dim));
      await same((d) => all(bool(b, d), dim));
      await same((d) => all(flt([[1, NaN, 2], [0, 1, 1], [3, 3, 3]], d), dim));
    }
    await same((d) => any(flt([], d)));
    await same((d) => all(flt([], d)));
    for (const diagonal of [-1, 0, 2]) {
      await same((d) => tril(flt([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]], d), diagonal));
      await same((d) => triu(int([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [1, 2, 3]]], d), diagonal));
      await same((d) => tril(bool([[1, 1, 1], [1, 1, 1]], d), diagonal));
    }
    const special = [[1, NaN, Infinity], [-Infinity, -0, 3e38]];
    await same((d) => nanToNum(flt(special, d)));
    await same((d) => nanToNum(flt(special, d), { nan: 7, posinf: 1, neginf: -2 }));
    for (const make of [(d: Device) => int([[1, 2]], d), (d: Device) => bool([[1, 0]], d)]) {
      await same((d) => [isnan(make(d)), isinf(make(d)), isposinf(make(d)), isneginf(make(d)), nanToNum(make(d))]);
    }
    await same((d) => {
      const x = on(tensor([[1, 2, 3], [4, 5, 6]]), d).requiresGrad_();
      where(bool(b.slice(0, 2), d), x, 0).mul(on(tensor([1, 2, 3]), d)).sum().backward();
      return x.grad!;
    });
  });

  it("advanced indexing, indexPut (written and accumulated), indexAdd, indexCopy and indexFill with device indices", async () => {
    const x = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]];
    await same((d) => index(int(x, d), [int([2, 0, -1], d)]));
    await same((d) => index(flt(x, d), [sl(), int([[3, 0], [-4, 3]], d)]));
    await same((d) => index(bool([[1, 0, 1, 0], [0, 1, 1, 0], [1, 1, 1, 1]], d), [int([0, 2], d), int([1, 3], d)]));
    const r = randn([3, 2, 4]);
    await same((d) => index(on(r, d), [int([0, 2], d), sl(), int([1, -1], d)]));
    await same((d) => index(flt(x, d), [sl(1), int([1, 1], d)]));
    await sameError((d) => index(flt(x, d), [int([0, 3], d)]));
    await same((d) => indexPut(int(x, d), [int([0, 2, 0], d)], int([[1], [2], [3]], d)));
    await same((d) => indexPut(int(x, d), [sl(), int([1, 1, 3], d)], int([10, 20, 30], d), { accumulate: true }));
    await same((d) => indexPut(bool([[1, 0], [0, 1]], d), [int([1], d), int([0], d)], bool([1], d)));
    await same((d) => indexAdd(int(x, d), 1, int([3, 3, 0], d), int([[1, 2, 3], [4, 5, 6], [7, 8, 9]], d)));
    await same((d) => indexCopy(flt(x, d), 0, int([2, 0], d), flt([[0.5, 0.5, 0.5, 0.5], [-1, -1, -1, -1]], d)));
    await same((d) => indexFill(int(x, d), 1, int([-1, 0], d), 7));
    await sameError((d) => indexAdd(int(x, d), 0, int([3], d), int([[1, 1, 1, 1]], d)));
    await same((d) => {
      const t = on(tensor(x), d).requiresGrad_();
      const v = on(tensor([1.5, -2]), d).requiresGrad_();
      const y = indexPut(t, [int([2, 0], d), int([1, 1], d)], v);
      index(y, [int([0, 0, 2], d)]).mul(on(tensor([1, 2, 3, 4]), d)).sum().backward();
      return [y, t.grad!, v.grad!];
    });
  });

  it("binary cross-entropy checks its input range on the device: the CPU's error at the next read", async () => {
    const p = [[0.25, 0.5], [0.9, 0]];
    const y = [[0, 1], [1, 0]];
    for (const reduction of ["mean", "none"] as const) {
      await same((d) => {
        const x = on(tensor(p), d).requiresGrad_();
        const loss = F.binaryCrossEntropy(x, flt(y, d), { reduction });
        loss.sum().backward();
        return [loss, x.grad!];
      }, false);
    }
    await sameError((d) => F.binaryCrossEntropy(flt([[0.5, 1.5], [NaN, 0.5]], d), flt(y, d)));
    await sameError((d) => F.binaryCrossEntropy(flt([[0.5, 0.5], [NaN, 0.5]], d), flt(y, d)));
  });

  it("clamp is one kernel per call (number or tensor bounds, min or max alone, broadcast); NaN stays NaN; gradients as the CPU's", async () => {
    const context = startedWebGpu()!;
    // ties at both bounds, min > max (index 5), NaN in x and in each bound
    const xs = [-2, -0.5, 0, 0.5, 1, 2, NaN, 0.25, 0.25];
    const los = [-1, -0.5, 0.5, 0.5, 0, 3, 0, NaN, 0];
    const his = [1, 1, 0.5, 0.4, 1, 1, 1, 1, NaN];
    const cases: [string, (x: Tensor, lo: Tensor, hi: Tensor) => Tensor][] = [
      ["numbers", (x) => clamp(x, -0.5, 0.5)],
      ["min number", (x) => clamp(x, { min: 0 })],
      ["max number", (x) => x.clamp(null, 0.5)],
      ["tensors", (x, lo, hi) => clamp(x, lo, hi)],
      ["min tensor", (x, lo) => clamp(x, lo)],
      ["max tensor", (x, _lo, hi) => clamp(x, { max: hi })],
      ["tensor and number", (x, lo) => clamp(x, lo, 0.75)],
      ["broadcast bounds", (x, lo, hi) => clamp(x.reshape([9, 1]), narrow(lo, 0, 0, 3), narrow(hi, 0, 3, 3).reshape([3, 1, 1]))],
    ];
    for (const [name, op] of cases) {
      const run = (d: Device) => {
        const [x, lo, hi] = [flt(xs, d).requiresGrad_(), flt(los, d).requiresGrad_(), flt(his, d).requiresGrad_()];
        const before = context.dispatched.kernels;
        const y = op(x, lo, hi);
        const kernels = context.dispatched.kernels - before;
        nabla.mul(y, y).sum().backward(); // y·2 where a gradient passes, so a wrong mask shows
        return { y, kernels, grads: [x.grad, lo.grad, hi.grad] };
      };
      const [cpu, gpu] = [run("cpu"), run("webgpu")];
      expect(gpu.kernels, name).toBe(1);
      expect(gpu.y.shape, name).toEqual(cpu.y.shape);
      expect(await values(gpu.y), name).toEqual(await values(cpu.y));
      for (let i = 0; i < 3; i++) {
        expect(gpu.grads[i] === null, `${name}: grad ${i}`).toBe(cpu.grads[i] === null);
        if (cpu.grads[i]) expect(await values(gpu.grads[i]!), `${name}: grad ${i}`).toEqual(await values(cpu.grads[i]!));
      }
    }
    // int32 with an int32 bound, and clamp_ (the clamp kernel, then the copy every in-place op makes)
    await same((d) => clamp(int([-3, 0, 4, 9], d), int([0, 1, 2, 3], d), 5));
    for (const d of ["cpu", "webgpu"] as const) {
      const x = flt(xs, d);
      const before = context.dispatched.kernels;
      x.clamp_(flt(los, d), 0.75);
      if (d === "webgpu") expect(context.dispatched.kernels - before).toBe(2);
      expect(await values(x)).toEqual(await values(clamp(flt(xs, "cpu"), flt(los, "cpu"), 0.75)));
    }
  });

  it("argmax/argmin: rows of up to 64 take a thread each, longer a workgroup each; the first extreme wins, NaN counts as the extreme", async () => {
    const context = startedWebGpu()!;
    // rows with ties, NaN (one, two), ±inf, all equal, -inf only; then lengths around 64
    const rows = [
      [1, 3, 3, 2, 3],
      [0, NaN, 5, NaN, -1],
      [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
      [Infinity, 2, Infinity, -Infinity, 7],
      [4, 4, 4, 4, 4],
      [-2, -7, -7, 1, NaN],
    ];
    const counted = (f: () => Tensor) => {
      const [kernels, workgroups] = [context.dispatched.kernels, context.dispatched.workgroups];
      const r = f();
      return { r, kernels: context.dispatched.kernels - kernels, workgroups: context.dispatched.workgroups - workgroups };
    };
    for (const [name, op] of [["argmax", argmax], ["argmin", argmin]] as const) {
      const short = counted(() => op(flt(rows, "webgpu"), 1));
      expect(short.kernels, name).toBe(1);
      expect(short.workgroups, name).toBe(1); // 6 rows: one workgroup of 64 threads, not 6 of 256
      expect(await values(short.r), name).toEqual(await values(op(flt(rows, "cpu"), 1)));
      for (const n of [1, 63, 64, 65, 300]) {
        // small integers: many ties; a NaN in every third row
        const data = Array.from({ length: 130 * n }, (_, i) => (i % (3 * n) === n - 1 ? NaN : Math.floor(((i * 7919) % 13) / 3)));
        const x = (d: Device) => flt(data, d).reshape([130, n]);
        const run = counted(() => op(x("webgpu"), 1));
        expect(run.kernels, `${name} n=${n}`).toBe(1);
        expect(run.workgroups, `${name} n=${n}`).toBe(n <= 64 ? Math.ceil(130 / 64) : 130);
        expect(await values(run.r), `${name} n=${n}`).toEqual(await values(op(x("cpu"), 1)));
        await same((d) => op(int(data.map((v) => (Number.isNaN(v) ? 9 : v)), d).reshape([130, n]), 1));
      }
      await same((d) => op(bool([[false, true, true], [false, false, false], [true, true, false]], d), 1));
      await same((d) => op(flt(rows, d), 0));
    }
  });

  it("re-indexing ops upload their position map once per device, then reuse it", async () => {
    const x = on(tensor([[1, 2, 3], [4, 5, 6]]), "webgpu");
    flip(x, [1]);
    const before = deviceTransfers();
    const again = flip(x, [1]);
    expect(deviceTransfers()).toEqual(before);
    expect(await values(again)).toEqual([3, 2, 1, 6, 5, 4]);
  });

  it("embeddingBag: fixed-length and offset bags, sum/mean/max, padding, per-sample weights, empty bags, gradients", async () => {
    const table = randn([6, 3]);
    for (const mode of ["sum", "mean", "max"] as const) {
      for (const paddingIdx of [null, 2]) {
        await same((d) => {
          const w = on(table, d).requiresGrad_();
          const out = F.embeddingBag(int([[1, 2, 5], [2, 2, 2], [0, 0, 4]], d), w, { mode, paddingIdx });
          out.mul(on(tensor([1, -2, 3]), d)).sum().backward();
          return [out, w.grad!];
        }, false);
        await same((d) => {
          const w = on(table, d).requiresGrad_();
          // offsets uploaded from the host (their bounds are read there); an empty bag (3, 3)
          const offsets = tensor([0, 3, 3, 5], { dtype: "int32" }).to(d);
          const out = F.embeddingBag(int([1, 2, 5, 2, 4, 0, 2], d), w, { mode, paddingIdx, offsets });
          out.mul(on(tensor([1, -2, 3]), d)).sum().backward();
          return [out, w.grad!];
        }, false);
      }
    }
    await same((d) => F.embeddingBag(int([[1, 2], [3, 4]], d), on(table, d), { mode: "sum", perSampleWeights: on(tensor([[0.5, 2], [-1, 1]]), d) }), false);
  });

  it("an embedding lookup and its gradient with device-made indices upload nothing", async () => {
    const w = randn([6, 4]).to("webgpu").requiresGrad_();
    const idx = clone(tensor([[5, 0], [2, 2]], { dtype: "int32" }).to("webgpu"));
    const before = deviceTransfers();
    F.embedding(idx, w).sum().backward();
    const after = deviceTransfers();
    expect(after).toEqual(before);
    expect(await values(w.grad!)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });
  /** The size of the result read back once (deviceSizeReads), nothing else crossing. */
  async function oneSizeRead<R>(run: () => R): Promise<R> {
    const before = deviceTransfers();
    const reads = deviceSizeReads();
    const result = run();
    expect(deviceSizeReads() - reads).toBe(1);
    expect(deviceTransfers()).toEqual(before);
    return result;
  }

  it("nonzero, maskedSelect and boolean-mask indexing compact on the device, one count read each", async () => {
    const x = [[1.5, 0, NaN, 0], [0, 0, -1, 2], [0, 3, 0, -0]];
    await same((d) => nonzero(flt(x, d)));
    await same((d) => nonzero(flt(x, d), { asTuple: true }));
    await same((d) => nonzero(bool([[1, 0, 1], [0, 0, 0]], d)));
    await same((d) => nonzero(int([0, 7, 0, -2], d)));
    await same((d) => nonzero(flt(0, d)));
    await same((d) => nonzero(flt(0, d), { asTuple: true }));
    await same((d) => nonzero(flt([0, 0], d)));
    await same((d) => maskedSelect(flt(x, d), gt(flt(x, d), 0)));
    await same((d) => maskedSelect(int([[1, 2, 3], [4, 5, 6]], d), bool([1, 0, 1], d)));
    await same((d) => index(flt(x, d), [lt(flt(x, d), 1)]));
    await same((d) => index(flt(x, d), [bool([1, 0, 1], d)]));
    const w = on(tensor(x), "webgpu").requiresGrad_();
    const picked = await oneSizeRead(() => maskedSelect(w, gt(w.detach(), 0)));
    picked.mul(on(tensor([1, 2, 3]), "webgpu")).sum().backward();
    expect(await values(w.grad!)).toEqual([1, 0, 0, 0, 0, 0, 0, 2, 0, 3, 0, 0]);
  });

  it("unique and uniqueConsecutive group on the device (flat and along a dim, inverse and counts), one count read each", async () => {
    const all = { returnInverse: true, returnCounts: true } as const;
    const x = [[3, 1, NaN, 1], [0, -0, 2, NaN], [3, 3, 1, 2]];
    const rows = [[3, 1, 5, 1], [0, -0, 2, 1], [3, 1, 5, 1]];
    for (const make of [flt, int, bool]) {
      const data = make === bool ? [[1, 0, 1, 1], [0, 0, 1, 1], [1, 0, 1, 1]] : make === int ? rows : x;
      await same((d) => unique(make(data, d), all));
      await same((d) => unique(make(data, d)));
      await same((d) => uniqueConsecutive(make(data, d), all));
      // NaN has no order among slices on the CPU (its comparator calls NaN equal to everything): slices without one
      await same((d) => unique(make(make === flt ? rows : data, d), { dim: 0, ...all }));
      await same((d) => unique(make(make === flt ? rows : data, d), { dim: 1, ...all }));
      await same((d) => uniqueConsecutive(make(make === flt ? rows : data, d), { dim: 1, ...all }));
    }
    await same((d) => unique(flt([], d), all));
    const device = on(tensor(rows), "webgpu");
    await oneSizeRead(() => unique(device));
  });

  it("mode takes the longest run of the device's sorted rows; its index holds the value", async () => {
    // (no NaN: the CPU's std::sort with NaN keys leaves an order that splits equal values' runs)
    const x = [[3, 1, 2, 1, 3], [0, 5, 5, 2, 2], [7, 7, 7, 1, 1], [4, 9, 9, 4, 0]];
    for (const make of [flt, int]) {
      for (const dim of [0, 1]) {
        await same((d) => mode(make(x, d), dim).values);
        const m = mode(make(x, "webgpu"), dim, true);
        expect(await values(gather(make(x, "webgpu"), dim, m.indices))).toEqual(await values(m.values));
      }
    }
    await same((d) => mode(bool([[1, 0, 1], [0, 0, 1]], d), 1).values);
    // the gradient goes to the reported index
    const w = on(tensor([[1, 2, 2], [3, 3, 1]]), "webgpu").requiresGrad_();
    mode(w, 1).values.sum().backward();
    expect(await values(w.grad!)).toEqual([0, 0, 1, 0, 1, 0]);
  });

  it("bincount and histc count on the device (exactly; weights summed in the CPU's order), one size read where the data sets it", async () => {
    const v = [3, 0, 1, 1, 5, 3, 3];
    await same((d) => bincount(int(v, d)));
    await same((d) => bincount(int(v, d), { minlength: 9 }));
    await same((d) => bincount(int(v, d), { weights: flt([0.1, 0.2, 0.3, 1e8, 0.5, 1, 1e-3], d) }));
    await same((d) => bincount(int([], d)));
    await same((d) => bincount(int([], d), { minlength: 2 }));
    expect(() => bincount(int([1, -2], "webgpu"))).toThrow("bincount: only supports 1-d non-negative integral inputs, but got the value -2");
    const h = [1, 2, 1, 3, 0.5, NaN, 2.9999, -4, 8];
    await same((d) => histc(flt(h.slice(0, 5), d), { bins: 4 }));
    await same((d) => histc(flt(h, d), { bins: 4, min: 0, max: 3 }));
    await same((d) => histc(flt(h, d), { bins: 7, min: -4, max: 8 }));
    await same((d) => histc(flt([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], d), { bins: 10 }));
    await same((d) => histc(flt([2, 2], d), { bins: 3 }));
    const r = randn([2000]);
    await same((d) => histc(on(r, d), { bins: 13 }));
    expect(() => histc(flt([1, NaN], "webgpu"))).toThrow("histc: range of [NaN, NaN] is not finite");
    const device = on(r, "webgpu");
    await oneSizeRead(() => histc(device, { bins: 5 }));
  });

  it("lgamma, digamma and trigamma in float32 WGSL agree with the CPU's float64 rounded once (docs/PARITY.md), gradients included", async () => {
    const xs: number[] = [];
    for (let i = -300; i <= 300; i++) if (i % 30 !== 0) xs.push(i / 29.7);
    xs.push(1, 2, 3, 0.5, 1e-30, 1e-7, 1e10, 1e30, 12345.678, 1.4616321, -1e6 - 0.5, 0, -0, -2, Infinity, -Infinity, NaN);
    const poles = (f: string) => (v: number) => f === "lgamma" || !(v <= 0 && Number.isInteger(v));
    for (const [name, f] of [["lgamma", lgamma], ["digamma", digamma], ["trigamma", (t: Tensor) => polygamma(1, t)]] as const) {
      // trigamma and digamma at a pole: the CPU's float64 sin/tan give a huge finite value or NaN, the float32 forms inf
      const kept = xs.filter(poles(name));
      const cpu = await values(f(on(tensor(kept), "cpu")));
      const gpu = await values(f(on(tensor(kept), "webgpu")));
      try {
        closeTo(gpu, cpu, 1e-6, 1e-6);
      } catch (e) {
        throw new Error(`${name}: ${(e as Error).message}`);
      }
    }
    await same((d) => lgamma(int([1, 2, 5, -3], d)), false);
    await same((d) => {
      const x = on(tensor([0.3, 2.5, 7, -1.5]), d).requiresGrad_();
      digamma(lgamma(x)).sum().backward();
      return [x.grad!];
    }, false);
    // n ≥ 2: the WGSL Hurwitz zeta (test/webgpu-host-free.test.ts checks it against PyTorch)
    const high = polygamma(2, on(tensor([0.5, 1, 3.25]), "webgpu"));
    expect(high.device).toBe("webgpu");
    closeTo(await values(high), await values(polygamma(2, tensor([0.5, 1, 3.25]))), 1e-6, 0);
  });

  /**
   * The device's draws are Philox's, not the CPU's MT19937 (docs/PARITY.md): checked by their
   * distribution, from fixed seeds (so the checks are deterministic), with bounds of 5 standard
   * deviations.
   */
  it("bernoulli and multinomial draw on the device: the right distributions, one result per seed", async () => {
    const within = (count: number, n: number, p: number, what: string) => {
      const sd = Math.sqrt(n * p * (1 - p));
      if (Math.abs(count - n * p) > 5 * sd + 1e-9) expect.fail(`${what}: ${count} of ${n}, expected ${n * p} ± ${5 * sd}`);
    };
    manualSeed(7);
    const probs = [0.1, 0.5, 0.9, 0, 1];
    const b = bernoulli(expand(reshape(on(tensor(probs), "webgpu"), [5, 1]), [5, 4000]));
    expect(b.device).toBe("webgpu");
    const means = await values(sum(b, 1));
    probs.forEach((p, i) => within(means[i]!, 4000, p, `bernoulli p=${p}`));
    const half = await values(bernoulli(zeros([4000], { device: "webgpu" }), 0.3));
    within(half.reduce((a, v) => a + v, 0), 4000, 0.3, "bernoulli(x, 0.3)");
    manualSeed(7);
    const again = await values(bernoulli(expand(reshape(on(tensor(probs), "webgpu"), [5, 1]), [5, 4000])));
    expect(await values(b)).toEqual(again);
    expect(await values(bernoulli(full([64], 0.5, { device: "webgpu" })))).not.toEqual(await values(bernoulli(full([64], 0.5, { device: "webgpu" }))));

    const weights = [[1, 2, 3, 4, 0], [0, 0, 5, 0, 5]];
    const drawn = multinomial(on(tensor(weights), "webgpu"), 20000, true);
    expect(drawn.shape).toEqual([2, 20000]);
    for (let r = 0; r < 2; r++) {
      const counts = await values(bincount(reshape(narrow(drawn, 0, r, 1), [-1]), { minlength: 5 }));
      const total = weights[r]!.reduce((a, w) => a + w, 0);
      weights[r]!.forEach((w, j) => within(counts[j]!, 20000, w / total, `multinomial row ${r} category ${j}`));
    }
    // without replacement: distinct categories per row, the first drawn with probability w / Σw
    const rows = await values(multinomial(expand(on(tensor([[1, 2, 3, 4, 0]]), "webgpu"), [5000, 5]), 3));
    const first = [0, 0, 0, 0, 0];
    for (let r = 0; r < 5000; r++) {
      const picks = rows.slice(r * 3, r * 3 + 3);
      expect(new Set(picks).size).toBe(3);
      expect(picks).not.toContain(4);
      first[picks[0]!]!++;
    }
    [1, 2, 3, 4, 0].forEach((w, j) => within(first[j]!, 5000, w / 10, `multinomial without replacement, first pick ${j}`));
    await expect(async () => values(multinomial(on(tensor([[1, -1]]), "webgpu"), 1))).rejects.toThrow("multinomial: probability tensor contains either `inf`, `nan` or element < 0");
    await expect(async () => values(multinomial(on(tensor([[0, 0]]), "webgpu"), 1, true))).rejects.toThrow("multinomial: invalid multinomial distribution (sum of probabilities <= 0)");
    await expect(async () => values(bernoulli(on(tensor([0.5, 1.5]), "webgpu")))).rejects.toThrow("bernoulli_: expected all probabilities in [0, 1], got 1.5");
  });

  /**
   * Every public op family on small device-computed float32, int32 and bool tensors (and the
   * backward of the common ones): each runs on the device, its results there, with nothing
   * crossing but the uploads the list names (host-made data: randint's and randperm's draws, a
   * re-indexing map the first time), except the ops listed as still reading the host: refused
   * (an op reading storage.data, or any read where the thread may not block) or reading back
   * synchronously (counted). A kernel added or broken changes the list (update docs/webgpu.md's
   * with it).
   */
  it("every op family runs on the device but the listed ones, which still read the host", async () => {
    let made = 0;
    const g = (v: Parameters<typeof tensor>[0], dtype: "float32" | "int32") => {
      made++;
      return tensor(v, { dtype }).to("webgpu");
    };
    const T = nabla;
    const f = () => T.add(g([[1.5, -2, 3], [0.5, 4, -1]], "float32"), 0);
    const i = () => T.add(g([[2, 0, 1], [1, 1, 0]], "int32"), 0);
    const i1 = () => T.add(g([2, 0, 1], "int32"), 0);
    const b = () => T.gt(g([[1, 0, 1], [0, 1, 1]], "int32"), 0);
    const fg = () => f().requiresGrad_();
    const cases: [string, () => unknown][] = [
      ["cat f", () => T.cat([f(), f()], 1)], ["cat i", () => T.cat([i(), i()], 0)], ["cat b", () => T.cat([b(), b()], 0)],
      ["stack f", () => T.stack([f(), f()], 0)],
      ["split f", () => T.split(f(), 1, 1)], ["chunk", () => T.chunk(f(), 3, 1)],
      ["repeat", () => T.repeat(f(), [2, 1])], ["tile", () => T.tile(f(), [2])], ["repeatInterleave int", () => T.repeatInterleave(f(), 2, { dim: 0 })],
      ["flip f", () => T.flip(f(), [1])], ["flip b", () => T.flip(b(), [0])], ["roll", () => T.roll(f(), 1, 1)],
      ["tril", () => T.tril(f())], ["triu i", () => T.triu(i())], ["tril b", () => T.tril(b())],
      ["diag", () => T.diag(i1())], ["diagonal", () => T.diagonal(f())], ["diagEmbed", () => T.diagEmbed(f())],
      ["where f", () => T.where(b(), f(), f())], ["where i", () => T.where(b(), i(), i())], ["where b", () => T.where(b(), b(), b())],
      ["maskedFill f", () => T.maskedFill(f(), b(), 0)], ["maskedFill i", () => T.maskedFill(i(), b(), 7)], ["maskedFill b", () => T.maskedFill(b(), b(), false)],
      ["maskedSelect", () => T.maskedSelect(f(), b())], ["nonzero", () => T.nonzero(b())],
      ["any", () => T.any(b())], ["all", () => T.all(b(), 1)],
      ["isnan", () => T.isnan(f())], ["nanToNum", () => T.nanToNum(f())], ["clamp", () => T.clamp(f(), -1, 1)], ["clamp i", () => T.clamp(i(), 0, 1)],
      ["gather f", () => T.gather(f(), 1, i())], ["gather i dim0", () => T.gather(i(), 0, T.sub(i(), 1).abs())], ["gather b", () => T.gather(b(), 1, i())],
      ["scatterAdd f", () => T.scatterAdd(f(), 1, i(), f())], ["scatterAdd i", () => T.scatterAdd(i(), 1, i(), i())], ["scatterAdd b", () => T.scatterAdd(b(), 1, i(), b())],
      ["scatter f", () => T.scatter(f(), 1, i(), f())], ["scatter value", () => T.scatter(f(), 1, i(), 5)], ["scatter b", () => T.scatter(b(), 1, i(), b())],
      ["scatterReduce", () => T.scatterReduce(f(), 1, i(), f(), "amax")],
      ["indexSelect f", () => T.indexSelect(f(), 1, i1())], ["indexSelect i", () => T.indexSelect(i(), 1, i1())], ["indexSelect b", () => T.indexSelect(b(), 1, i1())],
      ["index adv", () => T.index(f(), [T.sl(), i1()])], ["index bool mask", () => T.index(f(), [b()])],
      ["indexPut", () => T.indexPut(f(), [T.sub(i1(), 1).abs()] as any, g([9], "float32"))],
      ["indexAdd", () => T.indexAdd(f(), 1, i1(), f())], ["indexCopy", () => T.indexCopy(f(), 1, i1(), f())], ["indexFill", () => T.indexFill(f(), 1, i1(), 3)],
      ["sort f", () => T.sort(f(), 1)], ["sort i", () => T.sort(i(), 1)], ["argsort", () => T.argsort(f(), 1)], ["msort", () => T.msort(f())], ["topk", () => T.topk(f(), 2, 1)],
      ["kthvalue", () => T.kthvalue(f(), 2, 1)], ["median", () => T.median(f(), 1)], ["mode", () => T.mode(i(), 1)],
      ["cumsum f", () => T.cumsum(f(), 1)], ["cumsum i", () => T.cumsum(i(), 0)], ["cumsum b", () => T.cumsum(b(), 1)], ["cumprod", () => T.cumprod(f(), 1)],
      ["cummax", () => T.cummax(f(), 1)], ["logcumsumexp", () => T.logcumsumexp(f(), 1)], ["diff", () => T.diff(f(), 1, 1)],
      ["unique", () => T.unique(i())], ["bincount", () => T.bincount(i1())], ["histc", () => T.histc(f())], ["searchsorted", () => T.searchsorted(g([1, 2, 3], "float32"), f())],
      ["mm", () => T.mm(f(), T.transpose(f(), 0, 1))], ["einsum", () => T.einsum("ij,kj->ik", f(), f())], ["kron", () => T.kron(f(), f())], ["trace", () => T.trace(f())],
      ["norm", () => T.norm(f())], ["std", () => T.std(f())], ["var", () => T.var(f(), 1)], ["logsumexp", () => T.logsumexp(f(), 1)],
      ["argmax", () => T.argmax(f(), 1)], ["max dim", () => T.max(f(), 1)], ["sum i", () => T.sum(i(), 1)], ["mean", () => T.mean(f())],
      ["lgamma", () => T.lgamma(f())], ["digamma", () => T.digamma(f())], ["polygamma 3", () => T.polygamma(3, f())],
      ["F.oneHot numClasses", () => F.oneHot(i1(), 4)], ["F.oneHot -1", () => F.oneHot(i1())],
      ["F.embedding", () => F.embedding(i1(), f().reshape([3, 2]))], ["F.embedding pad", () => F.embedding(i1(), f().reshape([3, 2]), { paddingIdx: 0 })],
      ["F.embeddingBag", () => F.embeddingBag(i(), f().reshape([3, 2]))],
      ["F.pad const", () => F.pad(f(), [1, 1])], ["F.pad reflect", () => F.pad(f().reshape([1, 2, 3]), [1, 1], "reflect")], ["F.pad replicate", () => F.pad(f().reshape([1, 2, 3]), [1, 1], "replicate")],
      ["F.crossEntropy", () => F.crossEntropy(f(), i1().narrow(0, 0, 2))], ["F.crossEntropy weight", () => F.crossEntropy(f(), i1().narrow(0, 0, 2), { weight: g([1, 2, 3], "float32") })],
      ["F.nllLoss ignore", () => F.nllLoss(f(), i1().narrow(0, 0, 2), { ignoreIndex: 1 })], ["F.crossEntropy probs", () => F.crossEntropy(f(), T.softmax(f(), 1))],
      ["F.crossEntropy smoothing", () => F.crossEntropy(f(), i1().narrow(0, 0, 2), { labelSmoothing: 0.1 })],
      ["F.bce", () => F.binaryCrossEntropy(T.sigmoid(f()), T.sigmoid(f()))], ["F.mse", () => F.mseLoss(f(), f())], ["F.l1", () => F.l1Loss(f(), f())], ["F.smoothL1", () => F.smoothL1Loss(f(), f())],
      ["F.layerNorm", () => F.layerNorm(f(), [3])], ["F.batchNorm", () => F.batchNorm(f(), null, null, { training: true })], ["F.groupNorm", () => F.groupNorm(f().reshape([1, 2, 3]), 1)],
      ["F.gelu", () => F.gelu(f())], ["F.softmax", () => F.softmax(f(), 1)], ["F.sdpa", () => F.scaledDotProductAttention(f().reshape([1, 2, 3]), f().reshape([1, 2, 3]), f().reshape([1, 2, 3]))],
      ["F.dropout", () => F.dropout(f(), { p: 0.5, training: true })], ["F.interpolate", () => F.interpolate(f().reshape([1, 1, 2, 3]), { scaleFactor: 2 })],
      ["F.unfold", () => F.unfold(f().reshape([1, 1, 2, 3]), 2)], ["F.adaptiveAvgPool2d", () => F.adaptiveAvgPool2d(f().reshape([1, 1, 2, 3]), 1)],
      ["F.conv1d", () => F.conv1d(f().reshape([1, 2, 3]), f().reshape([1, 2, 3]))], ["F.pixelShuffle", () => F.pixelShuffle(T.cat([f(), f()], 0).reshape([1, 4, 1, 3]), 2)],
      ["F.cosineSimilarity", () => F.cosineSimilarity(f(), f())], ["F.normalize", () => F.normalize(f())], ["F.glu", () => F.glu(T.cat([f(), f()], 1))],
      ["F.gridSample", () => F.gridSample(f().reshape([1, 1, 2, 3]), T.zeros([1, 1, 1, 2], { device: "webgpu" }))],
      ["F.gridSample reflection", () => F.gridSample(f().reshape([1, 1, 2, 3]), T.zeros([1, 1, 1, 2], { device: "webgpu" }), { paddingMode: "reflection" })],
      ["F.affineGrid", () => F.affineGrid(f().reshape([1, 2, 3]), [1, 1, 2, 3])],
      ["rand on device", () => T.rand([3], { device: "webgpu" })], ["randn", () => T.randn([3], { device: "webgpu" })], ["randint", () => T.randint(0, 5, [3], { device: "webgpu" })],
      ["randperm", () => T.randperm(4, { device: "webgpu" })], ["arange", () => T.arange(0, 4, 1, { device: "webgpu" })], ["eye", () => T.eye(3, 3, { device: "webgpu" })],
      ["multinomial", () => T.multinomial(T.softmax(f(), 1), 1)], ["bernoulli", () => T.bernoulli(T.sigmoid(f()))],
      ["to int", () => f().int()], ["to bool", () => f().bool()],
      ["backward gather", () => { const x = fg(); T.gather(x, 1, i()).sum().backward(); return x.grad; }],
      ["backward embedding", () => { const w = T.randn([3, 2]).to("webgpu").requiresGrad_(); F.embedding(i1(), w).sum().backward(); return w.grad; }],
      ["backward sort", () => { const x = fg(); T.sort(x, 1).values.sum().backward(); return x.grad; }],
      ["backward cumsum", () => { const x = fg(); T.cumsum(x, 1).sum().backward(); return x.grad; }],
      ["backward cat", () => { const x = fg(); T.cat([x, x], 1).sum().backward(); return x.grad; }],
      ["backward indexSelect", () => { const x = fg(); T.indexSelect(x, 1, i1()).sum().backward(); return x.grad; }],
      ["backward maxdim", () => { const x = fg(); T.max(x, 1).values.sum().backward(); return x.grad; }],
      ["backward pad", () => { const x = fg(); F.pad(x, [1, 1]).sum().backward(); return x.grad; }],
      ["backward flip", () => { const x = fg(); T.flip(x, [1]).sum().backward(); return x.grad; }],
      ["backward where", () => { const x = fg(); T.where(b(), x, 0).sum().backward(); return x.grad; }],
      ["backward cumprod", () => { const x = fg(); T.cumprod(x, 1).sum().backward(); return x.grad; }],
    ];
    const stillOnHost: string[] = [];
    const uploads: string[] = [];
    const sizeRead: string[] = [];
    for (const [name, run] of cases) {
      const before = deviceTransfers();
      const reads = deviceSizeReads();
      made = 0;
      let result: unknown;
      try {
        result = run();
      } catch (e) {
        const message = (e as Error).message;
        // only the two refusals an op on the device may give: no kernel, or a read of the host
        if (!/no webgpu kernel yet|cannot be read synchronously/.test(message)) expect.fail(`${name}: ${message}`);
        stillOnHost.push(name);
        continue;
      }
      const after = deviceTransfers();
      // a synchronous read back (a worker-owned device in Node) is a round trip through the host too
      if (after.toHost !== before.toHost) {
        stillOnHost.push(name);
        continue;
      }
      if (after.toDevice - before.toDevice > made) uploads.push(name);
      if (deviceSizeReads() !== reads) sizeRead.push(name);
      const outs = result instanceof Array ? result : result instanceof nabla.Tensor ? [result] : Object.values(result as object);
      for (const t of outs as Tensor[]) {
        expect(t.device, name).toBe("webgpu");
        await t.dataAsync();
      }
    }
    expect(stillOnHost).toEqual(["F.oneHot -1"]);
    // the ops whose result's size depends on the data read that size once (PyTorch's CUDA forms wait there too)
    expect(sizeRead).toEqual(["maskedSelect", "nonzero", "index bool mask", "unique", "bincount", "histc"]);
    // host-made data: randint/randperm's draws, arange/eye's values, the re-indexing ops' maps
    // (uploaded the first time a map is seen in this process), the embedding case's table; rand,
    // randn and dropout's mask are Philox draws made on the device (wgsl-philox.ts): no upload
    const mayUpload = new Set([
      "repeat", "tile", "repeatInterleave int", "flip f", "flip b", "roll", "F.pad reflect", "F.pad replicate",
      "F.interpolate", "randint", "randperm", "arange", "eye", "backward embedding", "backward flip",
    ]);
    expect(uploads.filter((name) => !mayUpload.has(name))).toEqual([]);
  });
});
