/**
 * Random draws on the webgpu device (issue 13; wgsl-philox.ts): Philox4x32-10 as PyTorch's CUDA
 * draws, keyed by the host generator, so a seed fixes them but they are not the CPU's numbers.
 * The kernel matches a reference Philox4x32-10 on Random123's known-answer vectors; dropout keeps
 * the right fraction at the right scale with nothing crossing inside a training step; randn's
 * moments hold at a fixed seed. Runs on a real WebGPU device and is skipped, saying why, without one.
 */
import { afterAll, describe, expect, it } from "vitest";
import { deviceTransfers, getBackend, manualSeed, nn, ones, optim, rand, randn, randnLike, setBackend, tensor, zeros, type Tensor } from "../packages/nabla/src/index.js";
import { startedWebGpu } from "../packages/nabla/src/backend/device.js";
import { deviceRandom } from "../packages/nabla/src/backend/webgpu/wgsl-philox.js";
import { defaultGenerator } from "../packages/nabla/src/tensor/random.js";
import { startWebGpuDevice } from "./webgpu-device.js";

const reason = await startWebGpuDevice();
const initial = getBackend();
afterAll(() => {
  if (getBackend() === "webgpu") setBackend(initial === "webgpu" ? "wasm" : initial);
});

/** Philox4x32-10 (Salmon et al. 2011; Random123's philox4x32_R with R = 10), in BigInt arithmetic. */
function philoxReference(counter: readonly number[], key: readonly number[]): number[] {
  let [c0, c1, c2, c3] = counter.map((c) => BigInt(c >>> 0)) as [bigint, bigint, bigint, bigint];
  let [k0, k1] = key.map((k) => BigInt(k >>> 0)) as [bigint, bigint];
  const mask = 0xffffffffn;
  for (let round = 0; round < 10; round++) {
    if (round > 0) [k0, k1] = [(k0 + 0x9e3779b9n) & mask, (k1 + 0xbb67ae85n) & mask];
    const p0 = 0xd2511f53n * c0;
    const p1 = 0xcd9e8d57n * c2;
    [c0, c1, c2, c3] = [(p1 >> 32n) ^ c1 ^ k0, p1 & mask, (p0 >> 32n) ^ c3 ^ k1, p0 & mask];
  }
  return [c0, c1, c2, c3].map(Number);
}

/** Random123's kat_vectors for philox4x32 10: counter, key, output. */
const KAT: [number[], number[], number[]][] = [
  [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
];

/** The kernel's raw words for `n` counters from `counter` on (the first word counting up). */
async function deviceWords(counter: number[], key: number[], n: number): Promise<number[]> {
  const out = zeros([4 * n], { dtype: "int32", device: "webgpu" });
  startedWebGpu()!.philox("bits", out.storage.gpu, n, [key[0]! | 0, key[1]! | 0], counter.map((c) => c | 0) as [number, number, number, number]);
  return Array.from(await out.dataAsync(), (w) => w >>> 0);
}

async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.dataAsync());
}

/** The first index where a and b differ (-1: none): a failing comparison of 10⁵ values reports one index, not a diff. */
function firstDifference(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  return a.findIndex((x, i) => !Object.is(x, b[i]));
}

function moments(v: readonly number[]): { mean: number; std: number } {
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length) };
}

describe.skipIf(reason !== "")(`random draws on the webgpu device${reason ? ` (skipped: ${reason})` : ""}`, () => {
  it("the reference Philox4x32-10 gives Random123's published known answers", () => {
    for (const [counter, key, expected] of KAT) expect(philoxReference(counter, key)).toEqual(expected);
  });

  it("the WGSL Philox4x32-10 gives the known answers, and the reference's words for successive counters", async () => {
    for (const [counter, key, expected] of KAT) expect(await deviceWords(counter, key, 1)).toEqual(expected);
    // 300 threads (more than a workgroup): thread t's counter is (c0 + t, c1, c2, c3), wrapping at 2³²
    const [counter, key] = [[0xffffff00, 7, 0, 3], [0x12345678, 0x9abcdef0]];
    const words = await deviceWords(counter, key, 300);
    const expected = Array.from({ length: 300 }, (_, t) => philoxReference([(counter[0]! + t) >>> 0, ...counter.slice(1)], key)).flat();
    expect(words).toEqual(expected);
  });

  it("rand on the device is each counter's first word's top 24 bits · 2⁻²⁴, keyed by the generator's next two words", async () => {
    manualSeed(5);
    const u = await values(rand([64], { device: "webgpu" }));
    manualSeed(5);
    const key = [defaultGenerator.nextUint32(), defaultGenerator.nextUint32()];
    expect(u).toEqual(Array.from({ length: 64 }, (_, i) => (philoxReference([i, 0, 0, 0], key)[0]! >>> 8) / 2 ** 24));
  });

  it("randn on the device: mean 0 and standard deviation 1 within statistical bounds, a seed fixes it, nothing uploaded", async () => {
    manualSeed(0);
    const before = deviceTransfers().toDevice;
    const z = randn([200000], { device: "webgpu" });
    expect(z.device).toBe("webgpu");
    expect(deviceTransfers().toDevice).toBe(before);
    const v = await values(z);
    const { mean, std } = moments(v);
    // within 5 standard errors: 1/√n for the mean, 1/√(2n) for a normal sample's standard deviation
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(v.length));
    expect(Math.abs(std - 1)).toBeLessThan(5 / Math.sqrt(2 * v.length) + 1e-3);
    // tails: about 4.55% beyond 2σ
    const beyond = v.filter((x) => Math.abs(x) > 2).length / v.length;
    expect(Math.abs(beyond - 0.0455)).toBeLessThan(0.003);
    manualSeed(0);
    expect(firstDifference(await values(randn([200000], { device: "webgpu" })), v)).toBe(-1);
    // the next call draws anew; randnLike of a device tensor draws on the device
    const next = randnLike(z);
    expect(next.device).toBe("webgpu");
    expect((await values(next)).slice(0, 8)).not.toEqual(v.slice(0, 8));
  });

  it("normal_ and uniform_ of a device tensor fill it on the device with the given parameters", async () => {
    manualSeed(1);
    const t = zeros([100000], { device: "webgpu" });
    const before = deviceTransfers().toDevice;
    t.normal_(2, 3);
    expect(deviceTransfers().toDevice).toBe(before);
    const { mean, std } = moments(await values(t));
    expect(Math.abs(mean - 2)).toBeLessThan((5 * 3) / Math.sqrt(100000));
    expect(Math.abs(std - 3)).toBeLessThan(0.05);
    t.uniform_(-1, 3);
    const u = await values(t);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThan(3);
    expect(Math.abs(moments(u).mean - 1)).toBeLessThan(0.03);
  });

  it("dropout on the device keeps about 1 − p of the elements, scaled by 1/(1 − p), the same mask for the same seed", async () => {
    const x = ones([100000], { device: "webgpu", requiresGrad: true });
    manualSeed(3);
    const before = deviceTransfers().toDevice;
    const y = nn.functional.dropout(x, { p: 0.3 });
    expect(deviceTransfers().toDevice).toBe(before);
    const v = await values(y);
    const scale = Math.fround(1 / Math.fround(0.7));
    expect(v.every((e) => e === 0 || e === scale)).toBe(true);
    const kept = v.filter((e) => e !== 0).length / v.length;
    expect(Math.abs(kept - 0.7)).toBeLessThan(5 * Math.sqrt((0.3 * 0.7) / v.length));
    // the gradient is the same mask
    y.sum().backward();
    expect(firstDifference(await values(x.grad!), v)).toBe(-1);
    manualSeed(3);
    expect(firstDifference(await values(nn.functional.dropout(x, { p: 0.3 })), v)).toBe(-1);
    // the next call draws another mask; p = 1 drops everything
    expect(firstDifference(await values(nn.functional.dropout(x, { p: 0.3 })), v)).not.toBe(-1);
    expect(new Set(await values(nn.functional.dropout(x, { p: 1 })))).toEqual(new Set([0]));
  });

  it("a training step with dropout on the device makes no transfer; the loss read is the only one", async () => {
    manualSeed(7);
    const model = new nn.Sequential(new nn.Linear(6, 16), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(16, 4)).to("webgpu");
    const x = randn([10, 6]).to("webgpu");
    const y = tensor([0, 1, 2, 3, 0, 1, 2, 3, 1, 2], { dtype: "int32" }).to("webgpu");
    const sgd = new optim.SGD(model.parameters(), { lr: 0.1 });
    const losses: number[] = [];
    for (let s = 0; s < 3; s++) {
      const before = deviceTransfers();
      sgd.zeroGrad();
      const loss = new nn.CrossEntropyLoss().call(model.call(x), y);
      loss.backward();
      sgd.step();
      expect(deviceTransfers()).toEqual(before);
      losses.push(await loss.itemAsync());
    }
    expect(losses.every(Number.isFinite)).toBe(true);
  });

  it("with deviceRandom off, the device's draws are the host's (PyTorch's CPU numbers) uploaded", async () => {
    deviceRandom.enabled = false;
    try {
      manualSeed(4);
      const cpu = randn([32]);
      manualSeed(4);
      expect(await values(randn([32], { device: "webgpu" }))).toEqual(Array.from(cpu.toTypedArray()));
    } finally {
      deviceRandom.enabled = true;
    }
  });
});
