/**
 * io.loadTorch / io.saveTorch: `.pt` files written by real PyTorch (scripts/make_torch_fixtures.py)
 * — state dicts, a {model, optimizer} checkpoint, every storage type, views, the legacy format —
 * hostile pickles refused without running, corrupt zips refused, and nabla's own files loaded by
 * `torch.load(..., weights_only=True)` in /usr/bin/python3 (skipped when it has no torch).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { arange, io, nn, tensor, Tensor, zeros } from "../packages/nabla/src/index.js";
import { DataFormatError } from "../packages/nabla/src/data/format-error.js";
import { crc32, readZip, writeZip } from "../packages/nabla/src/io/zip.js";
import { pickle, unpickle, PyTuple } from "../packages/nabla/src/io/pickle.js";
import { errorOf, expectClose, loadFixture, type FixtureTensor } from "./helpers.js";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const FIXTURES = join(ROOT, "test", "fixtures");
const fixtureBytes = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));
const expected = loadFixture<{
  state_dict: Record<string, FixtureTensor>;
  checkpoint: {
    model: Record<string, FixtureTensor>;
    optimizer: { state: Record<string, Record<string, FixtureTensor>>; param_groups: Record<string, unknown>[] };
    epoch: number;
    loss: number;
    note: string;
  };
  dtypes: Record<string, FixtureTensor>;
  input: FixtureTensor;
  output: FixtureTensor;
  pwned: string;
}>("torch_fixtures.json");

const exact = { rtol: 0, atol: 0 };
const dir = mkdtempSync(join(tmpdir(), "nabla-io-torch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function torchModel(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3), new nn.ReLU(), new nn.Linear(3, 2));
}

function expectStateDict(actual: unknown, want: Record<string, FixtureTensor>, label: string): void {
  expect(Object.keys(actual as object)).toEqual(Object.keys(want));
  for (const [k, t] of Object.entries(want)) expectClose((actual as Record<string, Tensor>)[k], t, exact, `${label}.${k}`);
}

describe("loadTorch reads files written by torch.save", () => {
  it("a state dict (zip format), which runs in nabla as in PyTorch", () => {
    const sd = io.loadTorch(fixtureBytes("torch_state_dict.pt"), "torch_state_dict.pt") as Record<string, Tensor>;
    expectStateDict(sd, expected.state_dict, "state_dict");
    expect(sd["1.num_batches_tracked"]!.dtype).toBe("int32"); // int64 in PyTorch
    const model = torchModel();
    model.loadStateDict(sd);
    model.eval();
    expectClose(model.forward(tensor(expected.input.data as number[]).reshape(expected.input.shape)), expected.output, { rtol: 1e-5, atol: 1e-6 });
  });

  it("a dict of state dicts with an optimizer's, and plain values", () => {
    const ckpt = io.loadTorch(fixtureBytes("torch_checkpoint.pt")) as Record<string, unknown>;
    expectStateDict(ckpt.model, expected.checkpoint.model, "model");
    expect(ckpt.epoch).toBe(2);
    expect(ckpt.loss).toBe(0.25);
    expect(ckpt.note).toBe("nabla fixture");
    const opt = ckpt.optimizer as { state: Record<string, Record<string, unknown>>; param_groups: Record<string, unknown>[] };
    expect(Object.keys(opt.state)).toEqual(Object.keys(expected.checkpoint.optimizer.state));
    for (const [i, s] of Object.entries(expected.checkpoint.optimizer.state)) {
      for (const [name, t] of Object.entries(s)) expectClose(opt.state[i]![name] as Tensor, t, exact, `state.${i}.${name}`);
    }
    expect(opt.param_groups).toEqual(expected.checkpoint.optimizer.param_groups);
    expect(Object.getPrototypeOf(ckpt)).toBe(null);
  });

  it("every storage type (16-bit floats widened, int64 range-checked), views, shared storages, 0-d and empty tensors", () => {
    const got = io.loadTorch(fixtureBytes("torch_dtypes.pt")) as Record<string, Tensor>;
    expectStateDict(got, expected.dtypes, "dtypes");
    expect(got.f16!.dtype).toBe("float32");
    expect(got.bf16!.dtype).toBe("float32");
    expect(got.i64!.dtype).toBe("int32");
    expect(got.u8!.dtype).toBe("int32");
    expect(got.bool!.dtype).toBe("bool");
    expect(got.f64!.dtype).toBe("float64");
  });

  it("the legacy (pre-1.6) format", () => {
    expectStateDict(io.loadTorch(fixtureBytes("torch_legacy.pt")), expected.state_dict, "legacy");
  });

  it("refuses an int64 outside int32, naming the tensor", () => {
    const e = errorOf<DataFormatError>(() => io.loadTorch(fixtureBytes("torch_int64_big.pt"), "big.pt"));
    expect(e).toBeInstanceOf(DataFormatError);
    expect(e.message).toMatch(/"big": int64 value 2147483648 at element 1 does not fit in int32/);
  });
});

describe("loadTorch refuses hostile files without running them", () => {
  for (const [name, refused] of [
    ["torch_hostile_system.pt", /refused the global (posix|os)\.system/],
    ["torch_hostile_legacy.pt", /refused the global (posix|os)\.system/],
    ["torch_hostile_eval.pt", /refused the global (__builtin__|builtins)\.eval/],
  ] as const) {
    it(name, () => {
      const e = errorOf<DataFormatError>(() => io.loadTorch(fixtureBytes(name), name));
      expect(e).toBeInstanceOf(DataFormatError);
      expect(e.message).toMatch(refused);
      expect(e.message).toMatch(/a \.pt file is a program/);
      expect(existsSync(expected.pwned)).toBe(false);
    });
  }

  it("refuses a whole pickled module (torch.save(model)) by its class name", () => {
    const bytes = io.saveTorch({ w: zeros(2) });
    // a pickle that names a class: GLOBAL torch.nn.modules.linear Linear
    const entries = readZip(bytes, "x");
    const evil = new Uint8Array([0x80, 0x02, ...new TextEncoder().encode("ctorch.nn.modules.linear\nLinear\n"), 0x29, 0x81, 0x2e]);
    const rebuilt = writeZip([["archive/data.pkl", evil], ...[...entries].filter(([k]) => k !== "archive/data.pkl")]);
    expect(errorOf(() => io.loadTorch(rebuilt)).message).toMatch(/refused the global torch\.nn\.modules\.linear\.Linear/);
  });

  it("refuses instance-building opcodes, calls of non-callables and malformed stacks", () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const run = (bytes: number[]) => errorOf(() => unpickle(Uint8Array.from(bytes), "p", { findGlobal: () => undefined })).message;
    expect(run([0x80, 2, 0x29, 0x29, 0x81, 0x2e])).toMatch(/opcode NEWOBJ is not supported/);
    expect(run([0x80, 2, 0x4b, 1, 0x29, 0x52, 0x2e])).toMatch(/REDUCE calls a int/);
    expect(run([0x80, 2, 0x28, 0x30, 0x2e])).toMatch(/pop from an empty stack/);
    expect(run([0x80, 2, 0x68, 3, 0x2e])).toMatch(/memo entry 3 was never stored/);
    expect(run([0x80, 2, 0x58, 0xff, 0xff, 0xff, 0x7f])).toMatch(/BINUNICODE of 2147483647 bytes runs past the end/);
    expect(run([0x80, 2, 0x4e])).toMatch(/ends without STOP/);
    expect(run([0x80, 2, ...enc("cos\nsystem\n"), 0x2e])).toMatch(/refused the global os\.system/);
    // a list that contains itself, and one nested past the depth limit
    const pt = (program: number[]) => writeZip([["archive/data.pkl", Uint8Array.from(program)]]);
    expect(errorOf(() => io.loadTorch(pt([0x80, 2, 0x5d, 0x71, 0, 0x68, 0, 0x61, 0x2e]))).message).toMatch(/\[0\]: the value contains itself/);
    const deep = [0x80, 2, ...Array<number>(200).fill(0x5d), ...Array<number>(199).fill(0x61), 0x2e];
    expect(errorOf(() => io.loadTorch(pt(deep))).message).toMatch(/nested deeper than 100 levels/);
  });

  it("refuses corrupt zips: truncated, bad CRC, compressed entries, offsets past the end", () => {
    const good = fixtureBytes("torch_state_dict.pt");
    expect(errorOf(() => io.loadTorch(good.subarray(0, good.length - 30), "t.pt")).message).toMatch(/no end-of-central-directory record|runs past/);
    const flipped = good.slice();
    const entries = readZip(good, "g");
    const data = entries.get("torch_state_dict/data/0")!;
    flipped[data.byteOffset + 3]! ^= 0xff;
    expect(errorOf(() => io.loadTorch(flipped, "t.pt")).message).toMatch(/CRC-32 mismatch/);
    // the central directory's offset pointed past the end
    const moved = good.slice();
    const view = new DataView(moved.buffer);
    let eocd = moved.length - 22;
    while (view.getUint32(eocd, true) !== 0x06054b50) eocd--;
    view.setUint32(eocd + 16, 0x7ffffff0, true);
    expect(errorOf(() => io.loadTorch(moved, "t.pt")).message).toMatch(/central directory \(\d+ bytes at offset 2147483632\) runs past the end/);
    // a stored entry marked as deflated
    const deflated = good.slice();
    const dview = new DataView(deflated.buffer);
    const cd = dview.getUint32(eocd + 16, true);
    dview.setUint16(cd + 10, 8, true);
    expect(errorOf(() => io.loadTorch(deflated, "t.pt")).message).toMatch(/is compressed \(method 8\)/);
    expect(errorOf(() => io.loadTorch(new Uint8Array([1, 2, 3]), "t.pt")).message).toMatch(/not a torch\.save file/);
  });

  it("refuses a tensor whose size and stride reach past its storage", () => {
    const sd = { w: arange(6).reshape([2, 3]) };
    const bytes = io.saveTorch(sd);
    const entries = new Map(readZip(bytes, "x"));
    // rewrite the pickle with a size of [3, 3] over the same 6-element storage
    const text = entries.get("archive/data.pkl")!.slice();
    const at = text.findIndex((b, i) => b === 0x4b && text[i + 1] === 2 && text[i + 2] === 0x4b && text[i + 3] === 3);
    text[at + 1] = 3;
    entries.set("archive/data.pkl", text);
    expect(errorOf(() => io.loadTorch(writeZip([...entries]))).message).toMatch(/size \[3, 3\], stride \[3, 1\] and offset 0 reach element 8 of a storage of 6/);
  });
});

describe("saveTorch", () => {
  it("round-trips through loadTorch: dtypes, nesting, Maps with int keys, shared tensors", () => {
    const w = tensor([[1, 2], [3, 4]]);
    const value = {
      model: { "0.weight": w, "0.bias": tensor([0.5, -0.5], { dtype: "float64" }), steps: tensor([7], { dtype: "int32" }), mask: tensor([true, false]) },
      optimizer: { state: new Map([[0, { step: tensor(3), exp_avg: zeros([2, 2]) }]]), param_groups: [{ lr: 0.001, betas: [0.9, 0.999], params: [0] }] },
      tied: w,
      epoch: 4,
      name: "run",
      none: null,
    };
    const back = io.loadTorch(io.saveTorch(value)) as Record<string, Record<string, unknown>>;
    expect(Object.keys(back)).toEqual(["model", "optimizer", "tied", "epoch", "name", "none"]);
    expect((back.model!["0.weight"] as Tensor).toArray()).toEqual([[1, 2], [3, 4]]);
    expect((back.model!["0.bias"] as Tensor).dtype).toBe("float64");
    expect((back.model!.mask as Tensor).toArray()).toEqual([true, false]);
    expect(((back.optimizer!.state as Record<string, Record<string, Tensor>>)["0"]!.step!).item()).toBe(3);
    expect(back.optimizer!.param_groups).toEqual([{ lr: 0.001, betas: [0.9, 0.999], params: [0] }]);
    expect(back.epoch).toBe(4);
  });

  it("writes a zip whose data records are 64-byte aligned with correct CRCs", () => {
    const bytes = io.saveTorch({ a: arange(5), b: zeros([3, 3]) });
    const entries = readZip(bytes, "x");
    expect([...entries.keys()]).toEqual(["archive/data.pkl", "archive/data/0", "archive/data/1", "archive/version"]);
    for (const [, d] of entries) expect(d.byteOffset % 64).toBe(0);
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("refuses values it cannot write, naming them", () => {
    expect(errorOf(() => io.saveTorch({ m: new Date() as never })).message).toMatch(/saveTorch: m is a Date/);
    expect(pickle(new PyTuple([1, "a"]))).toBeInstanceOf(Uint8Array);
  });

  const python = "/usr/bin/python3";
  const hasTorch = existsSync(python) && spawnSync(python, ["-c", "import torch"]).status === 0;
  it.skipIf(!hasTorch)("writes files that torch.load(weights_only=True) reads (PyTorch in /usr/bin/python3)", () => {
    const model = torchModel();
    const sd = model.stateDict();
    const file = join(dir, "nabla.pt");
    writeFileSync(file, io.saveTorch({ model: sd, epoch: 3, name: "run", state: new Map([[0, { step: tensor(2) }]]) }));
    const run = spawnSync(python, [join(ROOT, "scripts", "make_torch_fixtures.py"), "check", file], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    const loaded = JSON.parse(run.stdout) as { model: Record<string, FixtureTensor>; epoch: number; name: string; state: Record<string, { step: FixtureTensor }> };
    expect(Object.keys(loaded.model)).toEqual(Object.keys(sd));
    for (const [k, t] of Object.entries(sd)) expectClose(t, loaded.model[k]!, exact, k);
    expect(loaded.epoch).toBe(3);
    expect(loaded.name).toBe("run");
    expect(loaded.state["0"]!.step.data).toEqual([2]);
  });

  // torch 1.13's weights-only reader has no BINFLOAT (PyTorch's own optimizer state dicts fail it
  // too), so a file with plain floats is checked with the full reader: it is our own file.
  it.skipIf(!hasTorch)("writes plain floats that torch.load reads (weights_only=False: torch 1.13's safe reader lacks BINFLOAT)", () => {
    const file = join(dir, "floats.pt");
    writeFileSync(file, io.saveTorch({ lrs: [0.1, 1e-300, -2.5], big: 2 ** 40, neg: -70000, w: tensor([1.5]) }));
    const run = spawnSync(python, [join(ROOT, "scripts", "make_torch_fixtures.py"), "check-unsafe", file], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ lrs: [0.1, 1e-300, -2.5], big: 2 ** 40, neg: -70000, w: { dtype: "float32", shape: [1], data: [1.5] } });
  });
  if (!hasTorch) it.skip("torch.load round trip: /usr/bin/python3 has no torch, so nabla's .pt files are not checked against PyTorch here", () => {});
});
