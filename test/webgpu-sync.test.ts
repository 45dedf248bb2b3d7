/**
 * Synchronous reads of webgpu tensors (issue 13): in Node a worker owns the device
 * (src/backend/webgpu/remote-device.ts), and `item()`, `toArray()`, `toTypedArray()`, printing
 * and `to("cpu")` block until it has copied the values into shared memory. They equal the
 * asynchronous reads, count as transfers, report the worker's errors (a shader that failed to
 * compile, the device's out-of-memory) as the asynchronous reads do, come in chunks when larger
 * than the shared area, and where a thread may not block (a browser's main thread, simulated by
 * making Atomics.wait throw as Chromium's does there) throw naming the asynchronous form. Runs on
 * a real WebGPU device (Dawn; SwiftShader without a GPU) and is skipped, saying why, without one.
 */
import { afterAll, describe, expect, it } from "vitest";
import { argmax, deviceTransfers, manualSeed, nn, optim, randn, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { startedWebGpu } from "../packages/nabla/src/backend/device.js";
import { WebGpuContext } from "../packages/nabla/src/backend/webgpu/context.js";
import { BufferUsage } from "../packages/nabla/src/backend/webgpu/gpu-types.js";
import type { RemoteDevice } from "../packages/nabla/src/backend/webgpu/remote-device.js";
import { OutOfMemoryError } from "../packages/nabla/src/errors.js";
import { browserSkipReason, runWebGpuPage } from "./webgpu-page.js";
import { startWebGpuDevice } from "./webgpu-device.js";

/** Starts the device (a worker owns it: Node's default), or says why there is none. */
async function start(): Promise<string> {
  if (process.env.NABLA_BACKEND !== undefined && process.env.NABLA_BACKEND !== "js") return "checked once, in the js project";
  if (process.env.NABLA_WEBGPU_WORKER === "0") return "NABLA_WEBGPU_WORKER=0 keeps the device on this thread, which cannot read it synchronously";
  return startWebGpuDevice();
}

const reason = await start();
const context = (): WebGpuContext => startedWebGpu()!;

/** Runs `f` as on a thread that may not block: Atomics.wait throws, as on a browser's main thread. */
function onMainThread<T>(f: () => T): T {
  const wait = Atomics.wait;
  Atomics.wait = () => {
    throw new TypeError("Atomics.wait cannot be called in this context");
  };
  try {
    return f();
  } finally {
    Atomics.wait = wait;
  }
}

/** The host→device and device→host copies `f` made. */
function transfersOf(f: () => void): { toDevice: number; toHost: number } {
  const before = deviceTransfers();
  f();
  const after = deviceTransfers();
  return { toDevice: after.toDevice - before.toDevice, toHost: after.toHost - before.toHost };
}

/** A context of its own (a worker of its own), for the errors that stay with a context. */
const own: WebGpuContext[] = [];
afterAll(() => own.forEach((c) => c.destroy()));
async function ownContext(worker = true): Promise<WebGpuContext> {
  const c = await WebGpuContext.create({ worker });
  own.push(c);
  return c;
}

describe.skipIf(reason !== "")(`synchronous reads on the webgpu device${reason ? ` (skipped: ${reason})` : ""}`, () => {
  it("a worker owns the device in Node, and this thread may block", () => {
    expect(context().acquired.worker).toBe(true);
    expect(context().syncReadRefusal()).toBeNull();
  });

  it("item, toArray, toTypedArray, printing and to('cpu') equal the asynchronous reads", async () => {
    const cases: Tensor[] = [
      tensor([[1.5, -2], [3, 4.25]]).to("webgpu"),
      tensor([[1.5, -2, 0.125], [3, 4.25, -7]]).to("webgpu").t(), // a transposed view: read in its own order
      tensor([3, -1, 7, 2147], { dtype: "int32" }).to("webgpu"),
      tensor([true, false, true]).to("webgpu"),
      randn([3, 4]).to("webgpu").mul(2).narrow(1, 1, 2), // a kernel's result, viewed off its start
    ];
    for (const g of cases) {
      expect(g.toArray()).toEqual(await g.toArrayAsync());
      expect(Array.from(g.toTypedArray())).toEqual(Array.from(await g.dataAsync()));
      const cpu = await g.toAsync("cpu");
      expect(g.to("cpu").toArray()).toEqual(cpu.toArray());
      // printed as on the CPU, naming the device as PyTorch does
      const printed = String(cpu).replace(/\)$/, "");
      expect(String(g)).toBe(g.dtype === "int32" ? printed.replace(", dtype=", ", device='webgpu', dtype=") + ")" : `${printed}, device='webgpu')`);
    }
    const s = cases[0]!.sum();
    expect(s.item()).toBe(await s.itemAsync());
    expect(s.item()).toBe(6.75);
    expect(tensor([2147483647, -2147483648], { dtype: "int32" }).to("webgpu").toArray()).toEqual([2147483647, -2147483648]);
    expect(String(tensor([1, 2]).to("webgpu").requiresGrad_())).toBe("tensor([1., 2.], device='webgpu', requires_grad=True)");
  });

  it("each synchronous read is one device→host transfer, as an asynchronous one", async () => {
    const g = tensor([[1, 2, 3], [4, 5, 6]]).to("webgpu");
    expect(transfersOf(() => g.sum().item())).toEqual({ toDevice: 0, toHost: 1 });
    expect(transfersOf(() => g.t().toArray())).toEqual({ toDevice: 0, toHost: 1 });
    expect(transfersOf(() => String(g))).toEqual({ toDevice: 0, toHost: 1 });
    const before = deviceTransfers().toHost;
    await g.dataAsync();
    expect(deviceTransfers().toHost - before).toBe(1);
  });

  it("an MLP trains on the device with its loss read by item(), as on the CPU, one transfer a step", () => {
    const run = (device: "cpu" | "webgpu") => {
      manualSeed(11);
      const model = new nn.Sequential(new nn.Linear(6, 16), new nn.ReLU(), new nn.Linear(16, 4)).to(device);
      const x = randn([10, 6]).to(device);
      const y = tensor([0, 1, 2, 3, 0, 1, 2, 3, 1, 2], { dtype: "int32" }).to(device);
      const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
      const lossFn = new nn.CrossEntropyLoss();
      const losses: number[] = [];
      const crossed: { toDevice: number; toHost: number }[] = [];
      for (let step = 0; step < 4; step++) {
        crossed.push(
          transfersOf(() => {
            optimizer.zeroGrad();
            const loss = lossFn.call(model.call(x), y);
            loss.backward();
            optimizer.step();
            losses.push(loss.item());
          }),
        );
      }
      return { losses, crossed };
    };
    const cpu = run("cpu");
    const gpu = run("webgpu");
    gpu.losses.forEach((l, i) => expect(Math.abs(l - cpu.losses[i]!)).toBeLessThan(1e-4 * Math.abs(cpu.losses[i]!) + 1e-5));
    expect(gpu.losses[3]!).toBeLessThan(gpu.losses[0]!);
    // the loss read, and nothing else
    expect(gpu.crossed).toEqual(gpu.crossed.map(() => ({ toDevice: 0, toHost: 1 })));
  });

  it("a read larger than the shared area comes in chunks", async () => {
    const remote = context().device as RemoteDevice;
    const g = randn([100, 257]).to("webgpu").mul(3);
    const expected = Array.from(await g.dataAsync());
    const area = remote.maxReplyBytes;
    remote.maxReplyBytes = 4096; // 100·257 floats: 26 chunks
    try {
      expect(Array.from(g.toTypedArray())).toEqual(expected);
    } finally {
      remote.maxReplyBytes = area;
    }
  });

  it("an index and a class weight computed on the device are checked there (nothing read back); a norm is read, counted", async () => {
    const x = tensor([[1, 5, 2], [7, 0, 3]]);
    const g = x.to("webgpu");
    const index = argmax(g, 1, true); // int32, computed on the device
    let picked: Tensor | null = null;
    // the bounds are checked by a kernel (webgpu-ops.test.ts): no read
    expect(transfersOf(() => (picked = g.gather(1, index)))).toEqual({ toDevice: 0, toHost: 0 });
    expect(await picked!.toArrayAsync()).toEqual([[5], [7]]);

    const logits = randn([5, 3]);
    const target = tensor([0, 2, 1, 2, 0], { dtype: "int32" });
    const weight = tensor([0.5, 2, 1]);
    const cpu = nn.functional.crossEntropy(logits, target, { weight }).item();
    const onDevice = nn.functional.crossEntropy(logits.to("webgpu"), target.to("webgpu"), { weight: weight.mul(1).to("webgpu") });
    expect(Math.abs(onDevice.item() - cpu)).toBeLessThan(1e-5);

    const p = new nn.Parameter(tensor([1, 2]).to("webgpu"));
    p.grad = tensor([3, Infinity]).to("webgpu");
    expect(() => nn.utils.clipGradNorm_([p], 1, { errorIfNonfinite: true })).toThrow("non-finite");
    // checked before anything changes, as PyTorch does
    expect(await p.grad.toArrayAsync()).toEqual([3, Infinity]);
    p.grad = tensor([3, 4]).to("webgpu");
    expect(nn.utils.clipGradNorm_([p], 1, { errorIfNonfinite: true }).item()).toBeCloseTo(5, 5);
  });

  it("where the thread may not block, the synchronous reads throw naming the asynchronous ones", () => {
    const g = tensor([1, 2]).to("webgpu");
    onMainThread(() => {
      expect(context().syncReadRefusal()).toContain("Atomics.wait cannot be called in this context");
      expect(() => g.sum().item()).toThrow("await t.itemAsync()");
      expect(() => g.toArray()).toThrow("await t.toArrayAsync()");
      expect(() => g.toTypedArray()).toThrow("await t.dataAsync()");
      expect(() => String(g)).toThrow('await t.toAsync("cpu")');
      expect(() => g.to("cpu")).toThrow('await t.toAsync("cpu")');
      // and the ops that would read on the host keep their error
      expect(() => nn.functional.oneHot(argmax(g, 0, true))).toThrow("oneHot: no webgpu kernel yet");
      const p = new nn.Parameter(tensor([1]).to("webgpu"));
      p.grad = tensor([1]).to("webgpu");
      expect(() => nn.utils.clipGradNorm_([p], 1, { errorIfNonfinite: true })).toThrow("clipGradNorm_: no webgpu kernel yet");
    });
    expect(() => g.storage.data).toThrow("await t.dataAsync()");
  });

  it("a device on this thread (no worker) reads asynchronously and refuses synchronous reads, naming why", async () => {
    const direct = await ownContext(false);
    expect(direct.acquired.worker).toBe(false);
    const array = direct.upload(new Float32Array([1, 2, 3]));
    expect(Array.from(await direct.read(array))).toEqual([1, 2, 3]);
    expect(direct.syncReadRefusal()).toContain("the device runs on this thread");
    expect(() => direct.readTypedSync(array)).toThrow("the device runs on this thread");
  });

  it("a shader that fails to compile in the worker fails the synchronous read as the asynchronous one", async () => {
    const c = await ownContext();
    const array = c.upload(new Float32Array([1, 2]));
    (c as unknown as { pipeline(key: string, source: () => string): unknown }).pipeline("broken", () => "this is not WGSL");
    const sync = (() => {
      try {
        c.readTypedSync(array);
        return "no error";
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(sync).toContain("webgpu: kernel broken failed to compile");
    await expect(c.readTyped(array)).rejects.toThrow(sync);
  });

  it("the device's out-of-memory, reported in the worker, fails the synchronous read with OutOfMemoryError as the asynchronous one", async () => {
    const c = await ownContext();
    const remote = c.device as RemoteDevice;
    const array = c.upload(new Float32Array([1, 2]));
    // the device refuses the next new buffer: its creation is made invalid, and the pool's
    // out-of-memory scope made to catch that (a real device was not driven out of memory here)
    const fail = (length: number) => {
      const [push, create] = [remote.pushErrorScope, remote.createBuffer];
      remote.pushErrorScope = (filter) => push.call(remote, filter === "out-of-memory" ? "validation" : filter);
      remote.createBuffer = (d) => create.call(remote, { ...d, usage: d.usage | BufferUsage.MAP_READ });
      try {
        c.alloc(length, "matmul"); // a new size class each time, so that the pool creates a buffer
      } finally {
        [remote.pushErrorScope, remote.createBuffer] = [push, create];
      }
    };
    fail(5000);
    let sync: unknown = null;
    try {
      c.readTypedSync(array);
    } catch (e) {
      sync = e;
    }
    expect(sync).toBeInstanceOf(OutOfMemoryError);
    expect((sync as Error).message).toContain("the WebGPU device is out of memory");
    fail(50_000);
    await expect(c.readTyped(array)).rejects.toThrow(OutOfMemoryError);
    // reported once; the device reads again
    expect(Array.from(c.readTypedSync(array))).toEqual([1, 2]);
  });

  it("a destroyed device refuses reads (its worker has ended)", async () => {
    const c = await ownContext();
    const array = c.upload(new Float32Array([4]));
    expect(Array.from(c.readTypedSync(array))).toEqual([4]);
    c.destroy();
    own.splice(own.indexOf(c), 1);
    expect(() => c.readTypedSync(array)).toThrow("the device was destroyed");
  });
});

const browserSkip = browserSkipReason("packages/nabla/dist/src/backend/webgpu/device-worker.js");

describe.skipIf(browserSkip !== null)(`the worker-owned device in Chromium${browserSkip ? ` (skipped: ${browserSkip})` : ""}`, () => {
  it("the page reads it asynchronously and is refused a synchronous read; a worker reads it synchronously", async () => {
    type Report = { error?: string; asyncRead: number[]; mainRefusal: string | null; mainSync: string; worker: { error?: string; refusal: string | null; values: number[]; crossOriginIsolated: boolean } };
    const { report: r, errors } = await runWebGpuPage<Report>(`<!doctype html><script type="module" src="/test/browser/webgpu-remote-page.js"></script>`);
    expect(errors).toEqual([]);
    expect(r.error).toBeUndefined();
    expect(r.asyncRead).toEqual([1, 2, 3, 4]);
    expect(r.mainRefusal).toContain("may not block");
    expect(r.mainSync).toContain("a synchronous read needs to block");
    expect(r.worker.error).toBeUndefined();
    expect(r.worker).toEqual({ refusal: null, values: [5, 6, 7, 8], crossOriginIsolated: true });
  });
});
