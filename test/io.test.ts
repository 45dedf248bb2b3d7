/**
 * io: safetensors against files written by real PyTorch (scripts/make_io_fixtures.py), the
 * reverse direction through a committed nabla-written file that the script reads back with
 * PyTorch, validation of corrupt files, and checkpoints written atomically under injected failures.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { arange, data, Generator, io, nn, optim, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { checkpointFile, loadCheckpoint, loadFile, nodeFs, saveCheckpoint, saveFile, writeFileAtomic, type AtomicFs } from "../packages/nabla/src/node.js";
import { asyncErrorOf, errorOf, expectClose, loadFixture, values, type FixtureTensor } from "./helpers.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const fixtureBytes = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));
const expected = loadFixture<{
  tensors: Record<string, FixtureTensor>;
  metadata: Record<string, string>;
  model: { keys: string[]; input: FixtureTensor; output: FixtureTensor };
}>("io_torch.json");

const dir = mkdtempSync(join(tmpdir(), "nabla-io-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exact = { rtol: 0, atol: 0 };

function torchModel(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
}

/** Safetensors bytes from a header object and a data section, for corrupt-file tests. */
function rawSafetensors(header: unknown, dataBytes = new Uint8Array(0), headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes.length);
  new DataView(out.buffer).setUint32(0, headerLength ?? json.length, true);
  out.set(json, 8);
  out.set(dataBytes, 8 + json.length);
  return out;
}

describe("safetensors written by PyTorch", () => {
  it("reads every dtype: F32, F64, I32, I64 → int32, BOOL, F16 and BF16 → float32, 0-d and empty", () => {
    const { tensors, metadata } = io.decodeSafetensors(fixtureBytes("io_torch.safetensors"), "io_torch.safetensors");
    expect(metadata).toEqual(expected.metadata);
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected.tensors).sort());
    for (const [k, t] of Object.entries(expected.tensors)) expectClose(tensors[k], t, exact, k);
    expect(tensors.i64!.dtype).toBe("int32");
    expect(tensors.f16!.dtype).toBe("float32");
    expect(tensors.bool!.dtype).toBe("bool");
    expect(tensors.scalar!.shape).toEqual([]);
  });

  it("loads a PyTorch model's state dict into the same nabla model, which then computes PyTorch's output", async () => {
    const sd = await loadFile(join(FIXTURES, "io_torch_model.safetensors"));
    expect(Object.keys(sd).sort()).toEqual(expected.model.keys.slice().sort());
    const model = torchModel();
    model.loadStateDict(sd);
    const x = tensor(expected.model.input.data as number[]).reshape(expected.model.input.shape);
    expectClose(model.forward(x), expected.model.output, { rtol: 1e-6, atol: 1e-7 }, "output");
  });

  it("refuses an int64 value outside int32, naming the file, tensor, element and byte offset", () => {
    const e = errorOf(() => io.parseSafetensors(fixtureBytes("io_torch_int64_big.safetensors"), "big.safetensors"));
    expect(e).toBeInstanceOf(data.DataFormatError);
    expect(e.message).toMatch(/^big\.safetensors at byte offset \d+: tensor "big": int64 value 2147483648 at element 1 does not fit in int32$/);
  });

  it("decodes half floats exactly", () => {
    expect(io.halfToFloat(0x3c00)).toBe(1);
    expect(io.halfToFloat(0xc000)).toBe(-2);
    expect(io.halfToFloat(0x7bff)).toBe(65504);
    expect(io.halfToFloat(0x0001)).toBe(2 ** -24);
    expect(io.halfToFloat(0x7c00)).toBe(Infinity);
    expect(Number.isNaN(io.halfToFloat(0x7e00))).toBe(true);
    expect(Object.is(io.halfToFloat(0x8000), -0)).toBe(true);
  });
});

/** The state dict behind test/fixtures/io_nabla.safetensors; the fixture script builds the same values. */
function nablaWritten(): Record<string, Tensor> {
  const model = io.parseSafetensors(fixtureBytes("io_torch_model.safetensors"), "model");
  return {
    ...Object.fromEntries(Object.entries(model).map(([k, t]) => [`model.${k}`, t])),
    "extra.float32": arange(12).float().reshape(3, 4).div(8).sub(0.5),
    "extra.float64": tensor([1 / 3, -1e-300, 1e300], { dtype: "float64" }),
    "extra.int32": tensor([-2147483648, -1, 0, 2147483647], { dtype: "int32" }),
    "extra.bool": tensor([[true, false], [false, true]]),
    "extra.scalar": tensor(-7.25),
  };
}

describe("safetensors written by nabla", () => {
  it("writes the bytes that PyTorch read back (test/fixtures/io_nabla.safetensors, checked by the fixture script)", () => {
    const bytes = io.serializeSafetensors(nablaWritten(), { writer: "nabla", purpose: "read back by PyTorch" });
    const path = join(FIXTURES, "io_nabla.safetensors");
    if (process.env.NABLA_WRITE_IO_FIXTURES === "1") writeFileSync(path, bytes);
    expect(existsSync(path), "run NABLA_WRITE_IO_FIXTURES=1 npx vitest run test/io.test.ts, then scripts/make_io_fixtures.py").toBe(true);
    expect(Buffer.from(bytes).equals(readFileSync(path))).toBe(true);
  });

  it("round-trips F32, F64, I32 and BOOL with NaN, infinities, -0, 0-d, empty and strided tensors", () => {
    const sd = {
      a: tensor([NaN, Infinity, -Infinity, -0, 1e-45, 3.4e38]),
      b: tensor([[1, 2], [3, 4]], { dtype: "float64" }).t(),
      c: tensor([-5, 7], { dtype: "int32" }),
      d: tensor([true, false, true]),
      e: tensor(3),
      f: arange(0).float().reshape(0, 3),
    };
    const bytes = io.serializeSafetensors(sd, { k: "v" });
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    expect(headerLength % 8).toBe(0);
    const back = io.decodeSafetensors(bytes, "rt");
    expect(back.metadata).toEqual({ k: "v" });
    for (const [k, t] of Object.entries(sd)) {
      expect(back.tensors[k]!.dtype, k).toBe(t.dtype);
      expect(back.tensors[k]!.shape, k).toEqual(t.shape);
      expect(values(back.tensors[k]!).map(String), k).toEqual(values(t).map(String));
    }
    expect(Object.is(values(back.tensors.a!)[3], -0)).toBe(true);
  });

  it("saves and loads files", async () => {
    const path = join(dir, "weights.safetensors");
    await saveFile(path, { w: tensor([1, 2, 3]) }, { metadata: { epoch: "3" } });
    expect(values((await loadFile(path)).w!)).toEqual([1, 2, 3]);
  });
});

describe("safetensors validation: nothing from the file is trusted", () => {
  const f32 = (n: number) => new Uint8Array(4 * n);
  const cases: [string, Uint8Array, RegExp][] = [
    ["shorter than the length field", new Uint8Array(5), /at byte offset 5: truncated safetensors file: 5 bytes/],
    ["header length past the end", rawSafetensors({}, new Uint8Array(0), 999), /at byte offset 0: header length 999 runs past the end of the 10-byte file/],
    ["huge header length", (() => { const b = rawSafetensors({}); new DataView(b.buffer).setUint32(4, 1, true); return b; })(), /header length 4294967298 exceeds the limit/],
    ["not JSON", rawSafetensors("{nope"), /at byte offset 8: the header is not valid UTF-8 JSON/],
    ["not an object", rawSafetensors("[1,2]"), /must be a JSON object starting with '\{'/],
    ["unknown dtype", rawSafetensors({ x: { dtype: "C64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), /tensor "x": unsupported dtype C64/],
    ["offsets past the data", rawSafetensors({ x: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, f32(1)), /tensor "x": data_offsets \[0, 8\] run past the 4 data bytes/],
    ["size not matching the shape", rawSafetensors({ x: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, f32(2)), /shape \[3\] of F32 needs 12 bytes, data_offsets give 8/],
    [
      "overlapping tensors",
      rawSafetensors({ x: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, y: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }, f32(3)),
      /tensor "y" overlaps the tensor before it/,
    ],
    ["a gap", rawSafetensors({ x: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, f32(2)), /a gap of 4 bytes before tensor "x"/],
    ["trailing bytes", rawSafetensors({ x: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, f32(2)), /4 bytes after the last tensor are not described/],
    ["negative shape", rawSafetensors({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, f32(1)), /shape must be a list of non-negative integers/],
    ["reversed offsets", rawSafetensors({ x: { dtype: "F32", shape: [0], data_offsets: [4, 0] } }, f32(1)), /data_offsets \[4, 0\] are reversed/],
    ["metadata not strings", rawSafetensors({ __metadata__: { a: 1 } }), /__metadata__ value for "a" is not a string/],
  ];
  it.each(cases)("%s", (_what, bytes, message) => {
    const e = errorOf(() => io.parseSafetensors(bytes, "bad.safetensors"));
    expect(e).toBeInstanceOf(data.DataFormatError);
    expect(e.message.startsWith("bad.safetensors")).toBe(true);
    expect(e.message).toMatch(message);
  });

  it("refuses to write what it cannot", () => {
    expect(() => io.serializeSafetensors({ __metadata__: tensor([1]) })).toThrow(/cannot be a tensor name/);
    expect(() => io.serializeSafetensors({ x: 3 as unknown as Tensor })).toThrow(/value for "x" is not a Tensor/);
  });
});

/** A small model, an Adam optimizer after two steps, a fake scheduler with an Infinity in its state. */
function trainingState(seed: number) {
  const g = new Generator(seed);
  const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2));
  for (const p of model.parameters()) p.detach().copy_(arange(p.numel()).float().reshape(p.shape).mul(0.01 * seed));
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const x = tensor([[1, 2, 3], [0.5, -1, 2]]);
  for (let i = 0; i < 2; i++) {
    optimizer.zeroGrad();
    model.forward(x).pow(2).sum().backward();
    optimizer.step();
  }
  const scheduler = {
    state: { best: Infinity, bad: seed, lrs: [0.01] } as Record<string, unknown>,
    stateDict() {
      return this.state;
    },
    loadStateDict(s: Record<string, unknown>) {
      if (s.bad === -1) throw new Error("scheduler refuses this state");
      this.state = s;
    },
  };
  return { model, optimizer, scheduler, generators: { loader: g } };
}

const snapshot = (m: nn.Module) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, values(t)]));

describe("checkpoints", () => {
  it("round-trip model, optimizer, scheduler (with Infinity), epoch, generator states and extra data", () => {
    const a = trainingState(1);
    a.generators.loader.nextUint32();
    const ckpt = io.makeCheckpoint({ ...a, epoch: 4, extra: { note: "hi" } });
    const back = io.parseCheckpoint(io.serializeCheckpoint(ckpt), "ckpt");
    expect(back.epoch).toBe(4);
    expect(back.extra).toEqual({ note: "hi" });
    expect(back.scheduler).toEqual({ best: Infinity, bad: 1, lrs: [0.01] });
    expect(back.generators!.loader).toEqual(a.generators.loader.getState());

    const b = trainingState(2);
    io.restoreCheckpoint(back, b);
    expect(snapshot(b.model)).toEqual(snapshot(a.model));
    expect(b.generators.loader.nextUint32()).toBe(a.generators.loader.nextUint32());
    // The optimizer continues exactly as the original would.
    const x = tensor([[0.1, 0.2, 0.3]]);
    for (const s of [a, b]) {
      s.optimizer.zeroGrad();
      s.model.forward(x).sum().backward();
      s.optimizer.step();
    }
    expect(snapshot(b.model)).toEqual(snapshot(a.model));
  });

  it("restores all or nothing: a failing part leaves model, optimizer and generators as they were", () => {
    const source = trainingState(1);
    const good = io.parseCheckpoint(io.serializeCheckpoint(io.makeCheckpoint({ ...source, epoch: 1 })), "ckpt");
    const target = trainingState(3);
    const before = { model: snapshot(target.model), opt: JSON.stringify(target.optimizer.stateDict(), (_k, v) => (v instanceof Object && "storage" in v ? values(v) : v)), gen: target.generators.loader.getState() };
    const unchanged = () => {
      expect(snapshot(target.model)).toEqual(before.model);
      expect(JSON.stringify(target.optimizer.stateDict(), (_k, v) => (v instanceof Object && "storage" in v ? values(v) : v))).toBe(before.opt);
      expect(target.generators.loader.getState()).toEqual(before.gen);
    };
    // The scheduler fails after model and optimizer were loaded: both are put back.
    expect(() => io.restoreCheckpoint({ ...good, scheduler: { bad: -1 } }, target)).toThrow(/scheduler refuses this state/);
    unchanged();
    // A model of another shape fails first.
    const other = { ...good, model: new nn.Sequential(new nn.Linear(3, 5)).stateDict() };
    expect(() => io.restoreCheckpoint(other, target)).toThrow(/loadStateDict/);
    unchanged();
    // An optimizer state for other parameters fails after the model was loaded.
    const wrongOpt = { ...good, optimizer: { ...good.optimizer!, paramGroups: [] } };
    expect(() => io.restoreCheckpoint(wrongOpt, target)).toThrow(/parameter groups/);
    unchanged();
    // A missing part is refused before anything changes.
    expect(() => io.restoreCheckpoint({ epoch: 1, model: good.model }, target)).toThrow(/holds no optimizer state/);
    unchanged();
  });

  it("refuses a safetensors file that is not a checkpoint, or holds stray tensors", () => {
    expect(() => io.parseCheckpoint(io.serializeSafetensors({ w: tensor([1]) }), "plain.safetensors")).toThrow(/plain\.safetensors: not a nabla checkpoint/);
    const ckpt = io.serializeCheckpoint(io.makeCheckpoint({ model: new nn.Linear(1, 1), epoch: 0 }));
    const { tensors, metadata } = io.decodeSafetensors(ckpt, "c");
    expect(() => io.parseCheckpoint(io.serializeSafetensors({ ...tensors, stray: tensor([1]) }, metadata), "c")).toThrow(/unexpected tensor "stray"/);
  });
});

describe("atomic writes", () => {
  /** nodeFs, but the data write stops halfway and fails like a full disk. */
  const fullDisk: AtomicFs = {
    ...nodeFs,
    async writeAndSync(path, bytes) {
      const handle = await open(path, "wx");
      await handle.write(bytes, 0, Math.floor(bytes.length / 2));
      await handle.close();
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    },
  };
  const failingRename: AtomicFs = {
    ...nodeFs,
    async rename() {
      throw new Error("EIO: rename failed");
    },
  };

  it("a failed write or rename leaves the previous file intact and no temp file behind", async () => {
    const sub = mkdtempSync(join(dir, "atomic-"));
    const path = join(sub, "file.bin");
    await writeFileAtomic(path, Uint8Array.from([1, 2, 3]));
    for (const fs of [fullDisk, failingRename]) {
      const e = await asyncErrorOf(writeFileAtomic(path, new Uint8Array(1000).fill(9), { fs }));
      expect(e.message).toMatch(/ENOSPC|EIO/);
      expect([...readFileSync(path)]).toEqual([1, 2, 3]);
      expect(readdirSync(sub)).toEqual(["file.bin"]);
    }
  });

  it("a checkpoint save that fails in the middle leaves the previous checkpoint loadable", async () => {
    const sub = mkdtempSync(join(dir, "ckpt-"));
    const path = join(sub, "last.safetensors");
    const first = trainingState(1);
    await saveCheckpoint(path, { ...first, epoch: 1 });
    const second = trainingState(2);
    await expect(saveCheckpoint(path, { ...second, epoch: 2 }, { fs: fullDisk })).rejects.toThrow(/ENOSPC/);
    const target = trainingState(3);
    const ckpt = await loadCheckpoint(path, target);
    expect(ckpt.epoch).toBe(1);
    expect(snapshot(target.model)).toEqual(snapshot(first.model));
    expect(readdirSync(sub)).toEqual(["last.safetensors"]);
  });

  it("checkpointFile gives ModelCheckpoint an atomic file writer", async () => {
    const sub = mkdtempSync(join(dir, "cbfile-"));
    const path = join(sub, "best.safetensors");
    const s = trainingState(4);
    await checkpointFile(path)(io.makeCheckpoint({ ...s, epoch: 7 }));
    const target = trainingState(5);
    expect((await loadCheckpoint(path, { model: target.model, optimizer: target.optimizer })).epoch).toBe(7);
    expect(snapshot(target.model)).toEqual(snapshot(s.model));
  });

  it("a truncated checkpoint file is an error naming it, and the targets stay untouched", async () => {
    const sub = mkdtempSync(join(dir, "trunc-"));
    const path = join(sub, "c.safetensors");
    await saveCheckpoint(path, { ...trainingState(1), epoch: 1 });
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    const target = trainingState(3);
    const before = snapshot(target.model);
    expect((await asyncErrorOf(loadCheckpoint(path, target))).message).toMatch(new RegExp(`^${path} at byte offset \\d+: `));
    expect(snapshot(target.model)).toEqual(before);
  });
});
