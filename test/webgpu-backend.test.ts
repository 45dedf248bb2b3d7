/**
 * The webgpu backend (issue 13): tensors whose storage lives on the GPU. An MLP trains on the
 * webgpu device step for step as on the CPU, within float32 tolerance, with nothing crossing
 * between host and device inside a training step but the loss read; ops on two devices are
 * refused with PyTorch's message; tensors and modules move and read back. Runs on a real WebGPU
 * device (Dawn in Node; SwiftShader without a GPU) and is skipped, saying why, without one.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  data,
  deviceTransfers,
  getBackend,
  manualSeed,
  nn,
  optim,
  randint,
  randn,
  setBackend,
  tensor,
  train as training,
  zeros,
  ones,
  type Tensor,
  memory,
  where,
} from "../packages/nabla/src/index.js";
import { startedWebGpu } from "../packages/nabla/src/backend/device.js";
import { browserSkipReason, runWebGpuPage } from "./webgpu-page.js";
import { startWebGpuDevice } from "./webgpu-device.js";

const reason = await startWebGpuDevice();
const initial = getBackend();
afterAll(() => {
  // the default device goes back to the CPU for whatever runs next in this worker
  if (getBackend() === "webgpu") setBackend(initial === "webgpu" ? "wasm" : initial);
});

async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.dataAsync());
}

function closeTo(actual: number[], expected: number[], rtol = 1e-4, atol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    if (Math.abs(a - e) > atol + rtol * Math.abs(e)) expect.fail(`element ${i}: ${a} vs ${e}`);
  });
}

const mlp = () => new nn.Sequential(new nn.Linear(6, 16), new nn.ReLU(), new nn.Linear(16, 4));

/** A small CNN: convolution (with padding and stride), max-pooling, average pooling, a linear head. */
const cnn = () =>
  new nn.Sequential(
    new nn.Conv2d(2, 4, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(4, 4, 3, { stride: 2, padding: 1 }),
    new nn.AvgPool2d(2),
    new nn.Flatten(),
    new nn.Linear(4, 4),
  );

/** The same model, data and optimizer; `device` where it trains. Returns the losses and the final weights. */
async function train(
  device: "cpu" | "webgpu",
  makeOptimizer: (params: nn.Parameter[]) => optim.Optimizer,
  steps: number,
  makeModel: () => nn.Module = mlp,
  inputShape: number[] = [10, 6],
) {
  manualSeed(7);
  const model = makeModel();
  const x = randn(inputShape);
  const y = tensor([0, 1, 2, 3, 0, 1, 2, 3, 1, 2], { dtype: "int32" });
  model.to(device);
  const xs = x.to(device);
  const ys = y.to(device);
  const optimizer = makeOptimizer(model.parameters());
  const lossFn = new nn.CrossEntropyLoss();
  const losses: number[] = [];
  const inside: { toDevice: number; toHost: number }[] = [];
  for (let s = 0; s < steps; s++) {
    const before = deviceTransfers();
    optimizer.zeroGrad();
    const loss = lossFn.call(model.call(xs), ys);
    loss.backward();
    optimizer.step();
    const after = deviceTransfers();
    inside.push({ toDevice: after.toDevice - before.toDevice, toHost: after.toHost - before.toHost });
    losses.push(await loss.itemAsync());
  }
  const weights: number[][] = [];
  for (const p of model.parameters()) weights.push(await values(p));
  return { losses, weights, inside, model };
}

describe.skipIf(reason !== "")(`the webgpu backend${reason ? ` (skipped: ${reason})` : ""}`, () => {
  for (const [name, makeOptimizer] of [
    ["SGD with momentum", (p: nn.Parameter[]) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 })],
    ["Adam", (p: nn.Parameter[]) => new optim.Adam(p, { lr: 0.01 })],
  ] as const) {
    it(`an MLP trains with ${name} as on the CPU, nothing crossing inside a step`, async () => {
      const cpu = await train("cpu", makeOptimizer, 4);
      const gpu = await train("webgpu", makeOptimizer, 4);
      closeTo(gpu.losses, cpu.losses, 1e-4, 1e-5);
      gpu.weights.forEach((w, i) => closeTo(w, cpu.weights[i]!, 1e-3, 1e-5));
      // the loss decreases (the check that training happened at all)
      expect(gpu.losses[3]!).toBeLessThan(gpu.losses[0]!);
      // inside a step (forward, backward, optimizer step): no transfer at all; the loss read comes after
      expect(gpu.inside).toEqual(gpu.inside.map(() => ({ toDevice: 0, toHost: 0 })));
      expect(gpu.model.parameters().every((p) => p.device === "webgpu")).toBe(true);
    });
  }

  it("a CNN (convolution, max and average pooling) trains with SGD as on the CPU, nothing crossing inside a step", async () => {
    const sgd = (p: nn.Parameter[]) => new optim.SGD(p, { lr: 0.05, momentum: 0.9 });
    const cpu = await train("cpu", sgd, 3, cnn, [10, 2, 8, 8]);
    const gpu = await train("webgpu", sgd, 3, cnn, [10, 2, 8, 8]);
    closeTo(gpu.losses, cpu.losses, 1e-4, 1e-5);
    gpu.weights.forEach((w, i) => closeTo(w, cpu.weights[i]!, 1e-3, 1e-5));
    expect(gpu.inside).toEqual(gpu.inside.map(() => ({ toDevice: 0, toHost: 0 })));
  });

  it.each(["LSTM", "GRU"] as const)("the %s language-model step asks the device for work in proportion to its data: kernels per time step, few workgroups each", async (kind) => {
    // Embedding → 2-layer LSTM (or GRU) → Linear → cross-entropy → SGD, batch 4, at two sequence
    // lengths. A reduction of short rows (a bias's gradient over the batch, a batched matmul's
    // weight gradient over the steps) once ran one 256-thread workgroup per row: ~10,000
    // workgroups for this step of ~2,000-element tensors, 16 s on SwiftShader. Every tensor here
    // fits in 8 pointwise workgroups, so a step that averages more than 4 per kernel is that again.
    const context = startedWebGpu()!;
    const step = async (T: number) => {
      manualSeed(5);
      const rnn = kind === "LSTM" ? new nn.LSTM(32, 32, { numLayers: 2 }) : new nn.GRU(32, 32, { numLayers: 2 });
      const [emb, head] = [new nn.Embedding(50, 32), new nn.Linear(32, 50)];
      for (const m of [emb, rnn, head]) m.to("webgpu");
      const sgd = new optim.SGD([...emb.parameters(), ...rnn.parameters(), ...head.parameters()], { lr: 0.1 });
      const x = randint(0, 50, [T, 4], { dtype: "int32" }).to("webgpu");
      const y = randint(0, 50, [T * 4], { dtype: "int32" }).to("webgpu");
      const counts: { kernels: number; workgroups: number; toDevice: number; toHost: number }[] = [];
      for (let s = 0; s < 2; s++) {
        const [before, moved] = [{ ...context.dispatched }, deviceTransfers()];
        sgd.zeroGrad();
        const [out] = rnn.call(emb.call(x)); // no initial state: zeros made on the device
        const loss = new nn.CrossEntropyLoss().call(head.call(out.reshape([T * 4, 32])), y);
        loss.backward();
        sgd.step();
        const after = deviceTransfers();
        counts.push({
          kernels: context.dispatched.kernels - before.kernels,
          workgroups: context.dispatched.workgroups - before.workgroups,
          toDevice: after.toDevice - moved.toDevice,
          toHost: after.toHost - moved.toHost,
        });
        expect(Number.isFinite(await loss.itemAsync())).toBe(true);
      }
      expect(counts[1]).toEqual(counts[0]); // the same work every step
      return counts[0]!;
    };
    const [short, long] = [await step(3), await step(6)];
    for (const c of [short, long]) {
      expect(c.toDevice + c.toHost).toBe(0);
      expect(c.workgroups).toBeLessThanOrEqual(4 * c.kernels);
    }
    // kernels grow with the sequence by a bounded number per layer and time step: the fused cell
    // (nn/functional/rnn-cell-webgpu.ts) one kernel each way and the two matmuls, the rest the
    // gradients' plumbing (a view's gradient zero-filled and copied into, sums of two uses);
    // 22 for the LSTM and 19 for the GRU measured (49 and 53 when the cell was ~10 ops forward)
    expect(long.kernels - short.kernels).toBeLessThanOrEqual(24 * 2 * 3);
    expect(short.kernels).toBeLessThanOrEqual(24 * 2 * 3 + 60);
  });

  it("dropout draws its mask on the device (Philox, test/webgpu-random.test.ts): nothing uploaded, a seed fixes it", async () => {
    const onGpu = randn([4, 8]).to("webgpu");
    manualSeed(3);
    const before = deviceTransfers().toDevice;
    const gpu = nn.functional.dropout(onGpu, { p: 0.5 });
    expect(deviceTransfers().toDevice - before).toBe(0);
    manualSeed(3);
    expect(Array.from(await gpu.dataAsync())).toEqual(Array.from(await nn.functional.dropout(onGpu, { p: 0.5 }).dataAsync()));
  });

  it("GPU buffers go back to the pool: t.free(), and training steps hold the first step's buffers", async () => {
    const context = startedWebGpu()!;
    const pool = context.pool;
    const t = zeros([1000], { device: "webgpu" });
    context.flush();
    const held = pool.stats().allocated;
    t.free();
    context.flush(); // a buffer released while kernels are recorded returns once they are submitted
    expect(pool.stats().allocated).toBe(held - 4096);
    expect(() => t.storage.gpu).toThrow("freed");
    // ten steps of the MLP: what a step makes and drops is given back, by the library or the collector
    manualSeed(2);
    const model = mlp().to("webgpu");
    const sgd = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const [x, y] = [randn([10, 6]).to("webgpu"), tensor([0, 1, 2, 3, 0, 1, 2, 3, 1, 2], { dtype: "int32" }).to("webgpu")];
    const live: number[] = [];
    for (let s = 0; s < 10; s++) {
      sgd.zeroGrad();
      const loss = new nn.CrossEntropyLoss().call(model.call(x), y);
      loss.backward();
      sgd.step();
      await loss.itemAsync();
      memory.collect();
      context.flush();
      live.push(pool.stats().allocated);
    }
    expect(live[9]).toBe(live[2]);
  });

  it("memory.stats/resetPeak/setLimit/summary take the device: the webgpu pool's counters and its limit", () => {
    const context = startedWebGpu()!;
    context.flush();
    const before = memory.stats("webgpu");
    expect(before).toEqual(context.pool.stats());
    const t = zeros([1 << 16], { device: "webgpu" });
    context.flush();
    expect(memory.stats("webgpu").allocated).toBe(before.allocated + 4 * (1 << 16));
    expect(memory.stats("cpu").allocated).toBe(memory.stats().allocated); // the CPU heap is the default
    memory.resetPeak("webgpu");
    expect(memory.stats("webgpu").peak).toBe(memory.stats("webgpu").allocated);
    expect(memory.summary("webgpu")).toMatch(/webgpu buffer pool[\s\S]*Allocated memory[\s\S]*Limit\s+none/);
    memory.setLimit(memory.stats("webgpu").allocated + 1024, "webgpu");
    try {
      expect(() => zeros([1 << 20], { device: "webgpu" })).toThrow(/zeros: out of memory: tried to allocate 4\.0 MiB/);
    } finally {
      memory.setLimit(null, "webgpu");
    }
    t.free();
    expect(() => memory.stats("gpu" as "webgpu")).toThrow(/memory\.stats: device must be "cpu" or "webgpu", got gpu/);
  });

  it("clipGradNorm_ clips on the device as on the CPU, reading nothing back", async () => {
    for (const normType of [2, 1, Infinity]) {
      const results: { total: number; grads: number[][] }[] = [];
      for (const device of ["cpu", "webgpu"] as const) {
        manualSeed(5);
        const model = mlp().to(device);
        new nn.CrossEntropyLoss().call(model.call(randn([10, 6]).to(device)), tensor([0, 1, 2, 3, 0, 1, 2, 3, 1, 2], { dtype: "int32" }).to(device)).backward();
        const before = deviceTransfers();
        const total = nn.utils.clipGradNorm_(model.parameters(), 0.05, { normType });
        expect(deviceTransfers()).toEqual(before);
        const grads: number[][] = [];
        for (const p of model.parameters()) grads.push(await values(p.grad!));
        results.push({ total: await total.itemAsync(), grads });
      }
      expect(results[0]!.total).toBeGreaterThan(0.05); // so the gradients were scaled
      closeTo([results[1]!.total], [results[0]!.total], 1e-5, 1e-7);
      results[1]!.grads.forEach((g, i) => closeTo(g, results[0]!.grads[i]!, 1e-4, 1e-7));
    }
  });

  it("max along a dim, its indices and its gradient on the device", async () => {
    const x = tensor([[1, 5, 5], [-2, -1, -3]]);
    const g = x.to("webgpu").requiresGrad_();
    const { values: v, indices } = g.max(1);
    expect(Array.from(await v.dataAsync())).toEqual([5, -1]);
    expect(Array.from(await indices.dataAsync())).toEqual([1, 1]);
    v.mul(tensor([2, 3]).to("webgpu")).sum().backward();
    expect(await g.grad!.toArrayAsync()).toEqual([[0, 2, 0], [0, 3, 0]]);
  });

  it("refuses an op on tensors of two devices with PyTorch's message", () => {
    const a = ones([2, 3]).to("webgpu");
    const b = ones([2, 3], { device: "cpu" }); // whatever the default device
    const message = "Expected all tensors to be on the same device, but found at least two devices, webgpu and cpu!";
    expect(() => a.add(b)).toThrow(message);
    expect(() => b.mul(a)).toThrow(message);
    expect(() => a.matmul(ones([3, 2], { device: "cpu" }))).toThrow(message);
  });

  it("float64 stays on the cpu with webgpu the default, pulls its ops there; a 0-d cpu tensor joins webgpu ops", async () => {
    await setBackend("webgpu");
    try {
      // every creation path agrees: float64 stays on the cpu unless the device is asked for
      for (const t of [tensor([1, 2], { dtype: "float64" }), zeros([2], { dtype: "float64" }), ones([2], { dtype: "float64" }), randn([2], { dtype: "float64" })]) {
        expect([t.device, t.dtype]).toEqual(["cpu", "float64"]);
      }
      expect(() => zeros([2], { dtype: "float64", device: "webgpu" })).toThrow("float64");
      const g = tensor([1.5, -2, 4]);
      expect(g.device).toBe("webgpu");
      const before = deviceTransfers().toHost;
      const mixed = tensor([2, 2, 2], { dtype: "float64" }).mul(g);
      expect([mixed.device, mixed.dtype]).toEqual(["cpu", "float64"]);
      expect(mixed.toArray()).toEqual([3, -4, 8]);
      expect(deviceTransfers().toHost).toBe(before + 1);
      // a 0-d float64 one too (the result is float64): a float64 model's additive attention mask
      const masked = where(g.gt(0), tensor(-Infinity, { dtype: "float64" }), 0);
      expect([masked.device, masked.dtype, masked.toArray()]).toEqual(["cpu", "float64", [-Infinity, 0, -Infinity]]);
      // PyTorch's CPU scalars: a 0-d cpu tensor joins an op on the device
      const scaled = g.mul(tensor(3, { device: "cpu" }));
      expect(scaled.device).toBe("webgpu");
      expect(await scaled.toArrayAsync()).toEqual([4.5, -6, 12]);
      // a float32 cpu tensor with dims is still PyTorch's device error
      expect(() => g.add(tensor([1, 1, 1], { device: "cpu" }))).toThrow("Expected all tensors to be on the same device");
    } finally {
      setBackend(initial === "webgpu" ? "wasm" : initial);
    }
  });

  it("an index (class targets; gather, scatter, index_select, embedding indices) follows its data's device, moved there and counted", async () => {
    await setBackend("webgpu");
    try {
      // float64 data stays on the cpu, while its int32 indices are made on the default device
      const logits = tensor([[1, 2, 0.5], [0.1, -1, 3]], { dtype: "float64" }).requiresGrad_();
      const target = tensor([1, 2], { dtype: "int32" });
      const hostTarget = tensor([1, 2], { dtype: "int32", device: "cpu" });
      expect([logits.device, target.device]).toEqual(["cpu", "webgpu"]);
      let before = deviceTransfers();
      const loss = nn.functional.crossEntropy(logits, target, { labelSmoothing: 0.1 });
      // a target uploaded from the host (and unchanged) moves back from its host values: nothing crosses
      expect(deviceTransfers()).toEqual(before);
      expect([loss.device, loss.dtype]).toEqual(["cpu", "float64"]);
      expect(loss.item()).toBe(nn.functional.crossEntropy(logits, hostTarget, { labelSmoothing: 0.1 }).item());
      expect(nn.functional.nllLoss(logits, target, { reduction: "sum" }).item()).toBe(-5);
      loss.backward();
      expect(logits.grad!.device).toBe("cpu");

      const x = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" });
      const rows = tensor([1, 0, 1], { dtype: "int32" });
      expect(x.indexSelect(0, rows).toArray()).toEqual([[4, 5, 6], [1, 2, 3], [4, 5, 6]]);
      const table = new nn.Embedding(3, 2, { dtype: "float64" });
      expect([table.weight.device, table.call(rows).device]).toEqual(["cpu", "cpu"]);
      // index_add and advanced indexing take theirs the same way
      const [columns, twice] = [tensor([2, 0], { dtype: "int32" }), tensor([1, 1], { dtype: "int32" })];
      before = deviceTransfers();
      expect(x.indexAdd(1, columns, x.narrow(1, 0, 2)).toArray()).toEqual([[3, 2, 4], [9, 5, 10]]);
      expect(x.index([twice]).toArray()).toEqual([[4, 5, 6], [4, 5, 6]]);
      expect(deviceTransfers()).toEqual(before);
      if (startedWebGpu()!.syncReadRefusal() === null) {
        // an index computed on the device has no host values: one counted read back
        const index = tensor([[2, 0], [1, 1]], { dtype: "int32" }).add(0);
        before = deviceTransfers();
        expect(x.gather(1, index).toArray()).toEqual([[3, 1], [5, 5]]);
        expect(deviceTransfers().toHost).toBe(before.toHost + 1);
        expect(x.scatter(1, index, 0).toArray()).toEqual([[0, 2, 0], [4, 0, 6]]);
        expect(x.scatterReduce(1, index, x.narrow(1, 0, 2), "sum").toArray()).toEqual([[3, 2, 4], [4, 14, 6]]);
      }
      // the other way: an index on the cpu goes up to data on the device, one counted upload
      const g = tensor([[1, 2, 3], [4, 5, 6]]);
      before = deviceTransfers();
      const picked = g.gather(1, tensor([[2], [0]], { dtype: "int32", device: "cpu" }));
      expect(deviceTransfers().toDevice).toBe(before.toDevice + 1);
      expect([picked.device, await picked.toArrayAsync()]).toEqual(["webgpu", [[3], [4]]]);
      // a class weight is no index: on another device it is still PyTorch's error
      expect(() => nn.functional.crossEntropy(logits, target, { weight: tensor([1, 1, 1]) })).toThrow("Expected all tensors to be on the same device");
    } finally {
      setBackend(initial === "webgpu" ? "wasm" : initial);
    }
  });

  it("copy_ and the in-place ops copy across devices, as PyTorch's copy_: BatchNorm's running stats on the device meet float64 data", async () => {
    await setBackend("webgpu");
    try {
      const onDevice = zeros([3]);
      onDevice.copy_(tensor([1.5, -2, 0.25], { dtype: "float64" }));
      expect([onDevice.device, onDevice.dtype, await onDevice.toArrayAsync()]).toEqual(["webgpu", "float32", [1.5, -2, 0.25]]);
      if (startedWebGpu()!.syncReadRefusal() === null) {
        const onHost = zeros([3], { dtype: "float64" });
        const before = deviceTransfers().toHost;
        onHost.copy_(onDevice.mul(2));
        expect(deviceTransfers().toHost).toBe(before + 1);
        expect([onHost.device, onHost.toArray()]).toEqual(["cpu", [3, -4, 0.5]]);
      }
      // the running stats (made on the device) take the float64 batch's statistics, computed on the cpu
      const bn = new nn.BatchNorm1d(2);
      expect(bn.running_mean!.device).toBe("webgpu");
      bn.call(tensor([[1, 2], [3, 6]], { dtype: "float64" }));
      expect(await bn.running_mean!.toArrayAsync()).toEqual([Math.fround(0.2), Math.fround(0.4)]);
      expect(bn.running_mean!.device).toBe("webgpu");
    } finally {
      setBackend(initial === "webgpu" ? "wasm" : initial);
    }
  });

  it("moves tensors there and back and reads them asynchronously", async () => {
    const t = tensor([[1.5, -2], [3, 4.25]]);
    const g = t.to("webgpu");
    expect(g.device).toBe("webgpu");
    expect(g.to("webgpu")).toBe(g);
    expect(Array.from(await g.dataAsync())).toEqual([1.5, -2, 3, 4.25]);
    expect(await g.toArrayAsync()).toEqual([[1.5, -2], [3, 4.25]]);
    const back = await g.toAsync("cpu");
    expect(back.device).toBe("cpu");
    expect(back.toArray()).toEqual([[1.5, -2], [3, 4.25]]);
    // a transposed view reads in its own order
    expect(Array.from(await g.t().dataAsync())).toEqual([1.5, 3, -2, 4.25]);
    expect(await g.sum().itemAsync()).toBe(6.75);
    const ints = tensor([3, -1, 7], { dtype: "int32" }).to("webgpu");
    expect(Array.from(await ints.dataAsync())).toEqual([3, -1, 7]);
    expect(await tensor([true, false]).to("webgpu").toArrayAsync()).toEqual([true, false]);
  });

  it("GPU storage's data cannot be taken directly: it names the reads (item, toArray … are test/webgpu-sync.test.ts's)", () => {
    const g = tensor([1, 2]).to("webgpu");
    expect(() => g.storage.data).toThrow("await t.dataAsync()");
    expect(() => tensor([1], { dtype: "float64" }).to("webgpu")).toThrow("float64");
  });

  it("creation ops make tensors on a device, and setBackend makes it the default", async () => {
    expect(Array.from(await zeros([3], { device: "webgpu" }).dataAsync())).toEqual([0, 0, 0]);
    expect(Array.from(await ones([2], { device: "webgpu" }).add(1).dataAsync())).toEqual([2, 2]);
    await setBackend("webgpu");
    try {
      expect(getBackend()).toBe("webgpu");
      const t = tensor([1, 2, 3]);
      expect(t.device).toBe("webgpu");
      expect(zeros([2]).device).toBe("webgpu");
      expect(zeros([2], { device: "cpu" }).device).toBe("cpu");
      // so do the masks made for a model (PyTorch's generate_square_subsequent_mask(sz, device=))
      expect(nn.Transformer.generateSquareSubsequentMask(2).device).toBe("webgpu");
      expect(nn.Transformer.generateSquareSubsequentMask(2, { device: "cpu" }).toArray()).toEqual([[0, -Infinity], [0, 0]]);
      expect(Array.from(await t.mul(t).dataAsync())).toEqual([1, 4, 9]);
      // a model built with webgpu the default has its parameters there, and trains
      const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
      expect(model.parameters().every((p) => p.device === "webgpu")).toBe(true);
      const sgd = new optim.SGD(model.parameters(), { lr: 0.1 });
      const [x, y] = [randn([5, 3]), tensor([0, 1, 1, 0, 1], { dtype: "int32" })];
      expect([x.device, y.device]).toEqual(["webgpu", "webgpu"]);
      const loss = () => nn.functional.crossEntropy(model.call(x), y);
      const first = await loss().itemAsync();
      for (let i = 0; i < 10; i++) {
        sgd.zeroGrad();
        loss().backward();
        sgd.step();
      }
      expect(await loss().itemAsync()).toBeLessThan(first);
    } finally {
      setBackend(initial === "webgpu" ? "wasm" : initial);
    }
    expect(tensor([1]).device).toBe("cpu");
  });

  it("newZeros/newOnes/newFull/newEmpty keep the tensor's device (an LSTM's initHidden from its weight), unless told", async () => {
    const w = zeros([2], { device: "webgpu" });
    expect([w.newZeros([2]), w.newOnes([2]), w.newFull([2], 3), w.newEmpty([2])].map((t) => t.device)).toEqual(["webgpu", "webgpu", "webgpu", "webgpu"]);
    expect(Array.from(await w.newFull([2], 3).dataAsync())).toEqual([3, 3]);
    expect(w.newZeros([2], { device: "cpu" }).device).toBe("cpu");
    expect(zeros([2]).newOnes([1]).device).toBe("cpu");
  });

  it("fit and evaluate move each batch of a CPU data set to the model's device (as Keras's and Lightning's fit)", async () => {
    manualSeed(0);
    const x = randn([32, 3], { device: "cpu" });
    const y = tensor(Int32Array.from({ length: 32 }, (_, i) => i % 2), { device: "cpu" });
    const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 8 });
    const model = new nn.Linear(3, 2).to("webgpu");
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
    const history = await training.fit(model, loader, { optimizer, loss: new nn.CrossEntropyLoss(), epochs: 2 });
    expect(history.epochs.map((e) => Number.isFinite(e.loss))).toEqual([true, true]);
    expect(model.weight.device).toBe("webgpu");
    const result = await training.evaluate(model, loader, { loss: new nn.CrossEntropyLoss() });
    expect(result.samples).toBe(32);
  });

  it("module.to moves parameters in place, keeping their identity; toAsync brings them back", async () => {
    manualSeed(1);
    const layer = new nn.Linear(3, 2);
    const weight = layer.weight;
    const before = layer.weight.toTypedArray();
    expect(layer.to("webgpu")).toBe(layer);
    expect(layer.weight).toBe(weight);
    expect(layer.weight.device).toBe("webgpu");
    expect(layer.bias!.device).toBe("webgpu");
    expect(layer.weight.requiresGrad).toBe(true);
    expect(Array.from(await layer.weight.dataAsync())).toEqual(Array.from(before));
    await layer.toAsync("cpu");
    expect(layer.weight).toBe(weight);
    expect(layer.weight.device).toBe("cpu");
    expect(Array.from(layer.weight.toTypedArray())).toEqual(Array.from(before));
  });

  it("optimizer state made before the model moved is refused with the device error", () => {
    const layer = new nn.Linear(3, 2);
    const sgd = new optim.SGD(layer.parameters(), { lr: 0.1, momentum: 0.9 });
    layer.call(ones([4, 3])).sum().backward();
    sgd.step(); // the momentum buffers are made on the CPU
    layer.to("webgpu");
    layer.zeroGrad();
    layer.call(ones([4, 3]).to("webgpu")).sum().backward();
    expect(() => sgd.step()).toThrow("Expected all tensors to be on the same device, but found at least two devices, webgpu and cpu!");
  });

  it("int32 and bool tensors: arithmetic, comparisons, where, sums and conversions on the device", async () => {
    const i = tensor([3, -1, 7, 2], { dtype: "int32" }).to("webgpu");
    const f = tensor([0.5, -1.5, 2.25, 0]).to("webgpu");
    expect(await i.mul(2).add(1).toArrayAsync()).toEqual([7, -1, 15, 5]);
    const big = i.gt(1);
    expect(big.dtype).toBe("bool");
    expect(await big.toArrayAsync()).toEqual([true, false, true, true]);
    expect(await where(big, f, 9).toArrayAsync()).toEqual([0.5, 9, 2.25, 0]);
    expect(await i.sum().itemAsync()).toBe(11);
    expect(await f.to("int32").toArrayAsync()).toEqual([0, -1, 2, 0]);
    expect(await i.to("float32").div(2).toArrayAsync()).toEqual([1.5, -0.5, 3.5, 1]);
    expect(await big.sum().itemAsync()).toBe(3);
    // a cast to float64 lands on the cpu (WGSL has no f64), read back where the thread may block
    if (startedWebGpu()!.syncReadRefusal() !== null) expect(() => f.to("float64")).toThrow('await t.toAsync("cpu")');
    else {
      const d = f.to("float64");
      expect([d.device, d.dtype]).toEqual(["cpu", "float64"]);
      expect(d.toArray()).toEqual([0.5, -1.5, 2.25, 0]);
    }
  });

  it("gather with an index computed on the device runs there, reading nothing back (its bounds are checked there)", async () => {
    const g = tensor([[1, 2], [3, 4]]).to("webgpu");
    const index = tensor([[0], [1]], { dtype: "int32" }).to("webgpu").add(0);
    const before = deviceTransfers();
    const picked = g.gather(1, index);
    expect(deviceTransfers()).toEqual(before);
    expect(await picked.toArrayAsync()).toEqual([[1], [4]]);
  });

  it("oneHot with numClasses -1 of indices computed on the device reads them back, or says it cannot", async () => {
    // the class count is the largest index + 1: PyTorch's CUDA form waits for the device here too
    const index = tensor([[0], [2]], { dtype: "int32" }).to("webgpu").add(0);
    if (startedWebGpu()!.syncReadRefusal() !== null) expect(() => nn.functional.oneHot(index)).toThrow(/oneHot: no webgpu kernel yet/);
    else expect(await nn.functional.oneHot(index).toArrayAsync()).toEqual([[[1, 0, 0]], [[0, 0, 1]]]);
  });
});

const browserSkip = browserSkipReason("packages/nabla/dist/src/index.js");
const imports = { "#nabla": "/packages/nabla/dist/src/index.js", "#platform": "/packages/nabla/dist/src/backend/wasm/platform-browser.js" };

describe.skipIf(browserSkip !== null)(`the webgpu backend in Chromium on navigator.gpu${browserSkip ? ` (skipped: ${browserSkip})` : ""}`, () => {
  it("an MLP trains on the device as on the CPU, nothing crossing inside a step", async () => {
    type Run = { losses: number[]; crossed: number; device: string };
    const { report: r, errors } = await runWebGpuPage<{ error?: string; cpu: Run; gpu: Run }>(
      `<!doctype html><script type="importmap">${JSON.stringify({ imports })}</script><script type="module" src="/test/browser/webgpu-train-page.js"></script>`,
    );
    expect(errors).toEqual([]);
    expect(r.error).toBeUndefined();
    expect(r.gpu.device).toBe("webgpu");
    expect(r.gpu.crossed).toBe(0);
    closeTo(r.gpu.losses, r.cpu.losses, 1e-4, 1e-5);
    expect(r.gpu.losses[4]!).toBeLessThan(r.gpu.losses[0]!);
  });
});
