/**
 * Every state a user can load besides the optimizer's — a module's state dict, a scheduler's, a
 * generator's, a checkpoint — is checked before anything changes, and a refusal names the key and
 * the value; sizes and ranges given to the creation functions are checked before anything is
 * allocated (a ShapeError naming the op and the argument, never a raw RangeError or a wasm error).
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  arange, eye, full, Generator, io, linspace, nn, ones, optim, OptionError, rand, randint, randn, randperm, ShapeError, tensor, Tensor, zeros,
} from "../packages/nabla/src/index.js";
import { errorOf, values } from "./helpers.js";

const { lrScheduler } = optim;

describe("Module.loadStateDict", () => {
  const model = () => new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2));
  const snapshot = (m: nn.Module) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, values(t)]));

  it("refuses what is not a state dict, naming the model", () => {
    const m = model();
    for (const [bad, got] of [[null, "null"], [undefined, "undefined"], [3, "3"], [[], "a list"], [tensor([1]), "a Tensor"], [new Map(), "an object of another class"]] as const) {
      const e = errorOf(() => m.loadStateDict(bad as never));
      expect(e).toBeInstanceOf(OptionError);
      expect(e.message).toBe(`loadStateDict: expected a state dict (a plain object of named tensors) for Sequential, got ${got}`);
    }
  });

  it("takes only the state dict's own keys, never ones reached through its prototype", () => {
    const m = model();
    const good = m.stateDict();
    // A key on a custom prototype: the object is not a plain state dict.
    const inherited = Object.setPrototypeOf({ ...good }, { "0.weight": zeros([2, 2]) });
    delete inherited["0.weight"];
    expect(() => m.loadStateDict(inherited)).toThrow(OptionError);
    // A key on Object.prototype itself (polluted by other code) is not in the state dict.
    const { "0.weight": _w, ...rest } = good;
    const polluted = Object.prototype as Record<string, unknown>;
    polluted["0.weight"] = zeros([2, 2]);
    try {
      const e = errorOf(() => m.loadStateDict(rest));
      expect(e).toBeInstanceOf(ShapeError);
      expect(e.message).toContain('Missing key(s) in state_dict: "0.weight"');
      expect(m.loadStateDict(rest, { strict: false }).missingKeys).toEqual(["0.weight"]);
    } finally {
      delete polluted["0.weight"];
    }
  });

  it("lists a floating value for an integer buffer, and a non-tensor, with the other problems; changes nothing", () => {
    const m = model();
    const before = snapshot(m);
    const sd = { ...m.stateDict(), "1.num_batches_tracked": tensor(3), "0.bias": [1, 2] as unknown as Tensor };
    const e = errorOf(() => m.loadStateDict(sd));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain("value for '0.bias' is not a Tensor (got object)");
    expect(e.message).toContain("dtype mismatch for 1.num_batches_tracked: copying a tensor of dtype float32 into one of dtype int32");
    expect(snapshot(m)).toEqual(before);
    // float64 into float32 converts, as PyTorch's copy does.
    const sd64 = Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, t.dtype === "float32" ? t.double().add(1) : t]));
    m.loadStateDict(sd64);
    expect(m.stateDict()["0.bias"]!.dtype).toBe("float32");
    expect(values(m.stateDict()["0.bias"]!)).toEqual(before["0.bias"]!.map((v) => Math.fround(v + 1)));
  });

  it("a tensor named __proto__ read from a file is an unexpected key, not the state dict's prototype", () => {
    const m = model();
    const file = io.serializeSafetensors(Object.defineProperty({ ...m.stateDict() }, "__proto__", { value: zeros([1]), enumerable: true }));
    const sd = io.parseSafetensors(file, "m.safetensors");
    expect(Object.getPrototypeOf(sd)).toBeNull();
    expect(Object.keys(sd)).toContain("__proto__");
    expect(() => m.loadStateDict(sd)).toThrow(/Unexpected key\(s\) in state_dict: "__proto__"/);
    expect(m.loadStateDict(sd, { strict: false }).unexpectedKeys).toEqual(["__proto__"]);
  });
});

describe("scheduler.loadStateDict", () => {
  const optimizer = () => new optim.SGD([new nn.Parameter(tensor([1, 2]))], { lr: 0.1, momentum: 0.9 });

  function expectRefused(s: { loadStateDict(x: never): void; stateDict(): object; getLastLr(): number[] }, bad: unknown, message: RegExp): void {
    const before = JSON.stringify(s.stateDict());
    const e = errorOf(() => s.loadStateDict(bad as never));
    expect(e, String(e)).toBeInstanceOf(OptionError);
    expect(e.message).toMatch(message);
    expect(JSON.stringify(s.stateDict())).toBe(before);
  }

  it("StepLR: every key's type and range, the group count, the scheduler's name", () => {
    const s = new lrScheduler.StepLR(optimizer(), { stepSize: 2 });
    s.step();
    const good = s.stateDict();
    const cases: [unknown, RegExp][] = [
      [null, /^StepLR\.loadStateDict: expected a state dict \{ lastEpoch, baseLrs, lastLr \}, got null$/],
      [{ ...good, lastEpoch: "5" }, /^StepLR\.loadStateDict: lastEpoch must be a non-negative integer, got "5"$/],
      [{ ...good, lastEpoch: -1 }, /lastEpoch must be a non-negative integer, got -1/],
      [{ ...good, lastEpoch: 1.5 }, /lastEpoch must be a non-negative integer, got 1.5/],
      [{ ...good, baseLrs: [0.1, 0.2] }, /baseLrs must be a list of 1 learning rates \(one per group\), got \[0.1, 0.2\]/],
      [{ ...good, baseLrs: ["0.1"] }, /baseLrs\[0\] must be a finite number >= 0, got "0.1"/],
      [{ ...good, lastLr: [NaN] }, /lastLr\[0\] must be a finite number >= 0, got NaN/],
      [{ ...good, lastLr: [-1] }, /lastLr\[0\] must be a finite number >= 0, got -1/],
      [{ ...good, gamma: 0.5 }, /unexpected key 'gamma' in the state dict \(expected lastEpoch, baseLrs, lastLr\)/],
      [{ lastEpoch: 1, baseLrs: [0.1] }, /the state dict has no 'lastLr'/],
      [{ ...good, name: "ExponentialLR" }, /the state dict is from "ExponentialLR", not StepLR/],
    ];
    for (const [bad, message] of cases) expectRefused(s, bad, message);
  });

  it("OneCycleLR: totalSteps must be this scheduler's, and lastEpoch within it", () => {
    const s = new lrScheduler.OneCycleLR(optimizer(), { maxLr: 0.1, totalSteps: 10 });
    expectRefused(s, { ...s.stateDict(), totalSteps: 20 }, /^OneCycleLR\.loadStateDict: totalSteps is 20 in the state dict and 10 here$/);
    expectRefused(s, { ...s.stateDict(), lastEpoch: 11 }, /lastEpoch 11 is past totalSteps 10/);
  });

  it("SequentialLR: a bad inner state is refused before the outer one changes", () => {
    const opt = optimizer();
    const make = () => new lrScheduler.SequentialLR(opt, { schedulers: [new lrScheduler.LinearLR(opt), new lrScheduler.ExponentialLR(opt, { gamma: 0.9 })], milestones: [3] });
    const s = make();
    for (let i = 0; i < 4; i++) s.step();
    const state = JSON.parse(JSON.stringify(s.stateDict()));
    const fresh = make();
    state.schedulers[1].lastEpoch = "x";
    expectRefused(fresh, state, /^SequentialLR\.loadStateDict: schedulers\[1\]: ExponentialLR\.loadStateDict: lastEpoch must be a non-negative integer, got "x"$/);
    expect(fresh.lastEpoch).toBe(0);
    expectRefused(fresh, { ...s.stateDict(), schedulers: [] }, /schedulers must be a list of 2 state dicts, got \[\]/);
  });

  it("ReduceLROnPlateau: counters are counts, best is a number (never the wrong infinity)", () => {
    const s = new lrScheduler.ReduceLROnPlateau(optimizer());
    const good = s.stateDict();
    expectRefused(s, { ...good, best: "x" }, /^ReduceLROnPlateau\.loadStateDict: best must be a number \(mode min\), got "x"$/);
    expectRefused(s, { ...good, best: -Infinity }, /best must be a number \(mode min\), got -Infinity/);
    expectRefused(s, { ...good, numBadEpochs: -1 }, /numBadEpochs must be a non-negative integer, got -1/);
    expectRefused(s, { ...good, cooldownCounter: 0.5 }, /cooldownCounter must be a non-negative integer, got 0.5/);
    expectRefused(s, null, /expected a state dict/);
  });
});

describe("Generator.setState", () => {
  it("refuses a state getState() could not have returned, and keeps its own", () => {
    const g = new Generator(3);
    g.nextUint32();
    const good = g.getState();
    const mt = (edit: (words: number[]) => void) => {
      const words = good.mt.slice();
      edit(words);
      return { ...good, mt: words };
    };
    const cases: [unknown, RegExp][] = [
      [null, /^Generator\.setState: expected \{ mt, index, spareNormal \}, got null$/],
      [{ ...good, mt: good.mt.slice(1) }, /expected 624 state words in mt, got 623/],
      [mt((w) => (w[5] = -1)), /mt\[5\] must be an integer in \[0, 2\^32\), got -1/],
      [mt((w) => (w[7] = 2 ** 32)), /mt\[7\] must be an integer in \[0, 2\^32\), got 4294967296/],
      [mt((w) => (w[0] = 1.5)), /mt\[0\] must be an integer in \[0, 2\^32\), got 1.5/],
      [mt((w) => ((w as unknown[])[1] = "7")), /mt\[1\] must be an integer in \[0, 2\^32\), got 7/],
      [{ ...good, mt: new Array(624).fill(0) }, /mt is all zeros/],
      [{ ...good, index: 625 }, /index must be an integer in \[0, 624\], got 625/],
      [{ ...good, index: "3" }, /index must be an integer in \[0, 624\], got 3/],
      [{ ...good, spareNormal: NaN }, /spareNormal must be null or a finite number, got NaN/],
    ];
    for (const [bad, message] of cases) {
      const e = errorOf(() => g.setState(bad as never));
      expect(e).toBeInstanceOf(OptionError);
      expect(e.message).toMatch(message);
      expect(g.getState()).toEqual(good);
    }
  });
});

describe("checkpoints", () => {
  const parts = () => {
    const model = new nn.Linear(2, 1);
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
    model.forward(tensor([[1, 2]])).sum().backward();
    optimizer.step();
    return { model, optimizer, generators: { g: new Generator(1) } };
  };
  const snapshot = (t: ReturnType<typeof parts>) =>
    JSON.stringify({ m: t.model.stateDict(), o: t.optimizer.stateDict(), g: t.generators.g.getState() }, (_k, v: unknown) => (v instanceof Tensor ? values(v) : v));
  /** A checkpoint file whose metadata was edited by `edit`. */
  const withMetadata = (edit: (info: Record<string, unknown>) => unknown) => {
    const { tensors, metadata } = io.decodeSafetensors(io.serializeCheckpoint(io.makeCheckpoint({ ...parts(), epoch: 2 })), "c");
    const info = JSON.parse(metadata["nabla.checkpoint"]!);
    const edited = edit(info) ?? info;
    return io.serializeSafetensors(tensors, { "nabla.checkpoint": typeof edited === "string" ? edited : JSON.stringify(edited) });
  };

  it("a malformed checkpoint is a DataFormatError naming the entry", () => {
    const cases: [Uint8Array, RegExp][] = [
      [withMetadata((i) => void (i.epoch = -1)), /the checkpoint's epoch must be a non-negative integer, got -1/],
      [withMetadata((i) => void (i.epoch = "2")), /the checkpoint's epoch must be a non-negative integer, got "2"/],
      [withMetadata((i) => void (i.surprise = 1)), /unexpected entry "surprise" in the checkpoint metadata/],
      [withMetadata((i) => void (i.optimizer = [1])), /the checkpoint's optimizer entry is not an object/],
      [withMetadata((i) => void (i.generators = { g: 5 })), /the checkpoint's state of generator "g" is not an object/],
      [withMetadata(() => "[".repeat(65) + "]".repeat(65)), /the checkpoint metadata is not valid JSON \(JSON nested deeper than 64 levels\)/],
      [withMetadata((i) => void ((i.optimizer as { state: object }).state = { 0: { $tensor: "constructor" } })), /refers to a missing tensor "constructor"/],
    ];
    for (const [bytes, message] of cases) {
      const e = errorOf(() => io.parseCheckpoint(bytes, "c.safetensors"));
      expect(e.name).toBe("DataFormatError");
      expect(e.message).toMatch(message);
    }
  });

  it("objects read from a checkpoint have no prototype; `__proto__` in extra round-trips as a key", () => {
    const ckpt = io.makeCheckpoint({ ...parts(), epoch: 1, extra: JSON.parse('{"__proto__": {"x": 1}, "constructor": 2}') });
    const back = io.parseCheckpoint(io.serializeCheckpoint(ckpt), "c");
    expect(Object.getPrototypeOf(back.extra)).toBeNull();
    expect(Object.getPrototypeOf(back.optimizer!.state)).toBeNull();
    expect(Object.keys(back.extra!)).toEqual(["__proto__", "constructor"]);
    expect((back.extra as Record<string, { x: number }>)["__proto__"]!.x).toBe(1);
  });

  it("restoring refuses a bad part before changing any (optimizer state of another rule, a bad option, a bad generator state)", () => {
    const source = parts();
    const good = io.parseCheckpoint(io.serializeCheckpoint(io.makeCheckpoint({ ...source, epoch: 1 })), "c");
    const sgdModel = new nn.Linear(2, 1);
    const sgd = new optim.SGD(sgdModel.parameters(), { lr: 0.1 });
    const badOption = JSON.parse(JSON.stringify(good.optimizer, (_k, v: unknown) => (v instanceof Tensor ? undefined : v)));
    const cases: [unknown, RegExp][] = [
      [{ ...good, optimizer: sgd.stateDict() }, /^Adam\.loadStateDict: the state dict is from "SGD", not Adam$/],
      [{ ...good, optimizer: { ...good.optimizer!, paramGroups: [{ ...badOption.paramGroups[0], lr: "fast" }] } }, /^Adam\.loadStateDict: paramGroups\[0\]: invalid lr: "fast"/],
      [{ ...good, generators: { g: { ...good.generators!.g!, index: 9999 } } }, /^Generator\.setState: index must be an integer in \[0, 624\], got 9999$/],
    ];
    for (const [ckpt, message] of cases) {
      const target = parts();
      const before = snapshot(target);
      const e = errorOf(() => io.restoreCheckpoint(ckpt as io.Checkpoint, target));
      expect(e).toBeInstanceOf(OptionError);
      expect(e.message).toMatch(message);
      expect(snapshot(target)).toBe(before);
    }
  });
});

describe("creation: sizes and ranges are checked before allocating", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["negative size", () => zeros([2, -1]), /^zeros: size of dimension 1 must be a non-negative integer, got -1 \(shape \[2, -1\]\)$/],
    ["fractional size", () => ones([2.5]), /^full: size of dimension 0 must be a non-negative integer, got 2.5/],
    ["NaN size", () => rand([NaN]), /^rand: size of dimension 0 must be a non-negative integer, got NaN/],
    ["infinite size", () => randn(Infinity), /^randn: size must be a non-negative integer, got Infinity/],
    ["a shape that is not a list", () => zeros("3" as never), /^zeros: argument 1 must be a size \(a number\), as in zeros\(2, 3\), or the options object last, but got the string "3"$/],
    ["full with a null shape", () => full(null as never, 1), /^full: shape must be a number or a list of numbers, got null/],
    ["arange to Infinity", () => arange(0, Infinity), /^arange: end must be a finite number, got Infinity$/],
    ["arange(Infinity)", () => arange(Infinity), /^arange: end must be a finite number, got Infinity$/],
    ["arange from NaN", () => arange(NaN, 3), /^arange: start must be a finite number, got NaN$/],
    ["arange by NaN", () => arange(0, 3, NaN), /^arange: step must be a finite number, got NaN$/],
    ["arange with more elements than a number counts", () => arange(-1e308, 1e308, 1e-300), /^arange: the range from -1e\+308 to 1e\+308 by 1e-300 has Infinity elements/],
    ["linspace to Infinity", () => linspace(0, Infinity, 5), /^linspace: end must be a finite number, got Infinity$/],
    ["linspace with fractional steps", () => linspace(0, 1, 2.5), /^linspace: number of steps must be a non-negative integer, got 2.5$/],
    ["linspace with NaN steps", () => linspace(0, 1, NaN), /^linspace: number of steps must be a non-negative integer, got NaN$/],
    ["eye(-1)", () => eye(-1), /^eye: n must be a non-negative integer, got -1$/],
    ["eye(2, 1.5)", () => eye(2, 1.5), /^eye: m must be a non-negative integer, got 1.5$/],
    ["randint to Infinity", () => randint(0, Infinity, [2]), /^randint: high must be a finite number, got Infinity$/],
    ["randint from 0.5", () => randint(0.5, 3, [2]), /^randint: low must be an integer, got 0.5$/],
    ["randint of a negative size", () => randint(0, 3, [-1]), /^randint: size of dimension 0 must be a non-negative integer, got -1/],
    ["randperm(-1)", () => randperm(-1), /^randperm: n must be a non-negative integer, got -1$/],
    ["randperm(Infinity)", () => randperm(Infinity), /^randperm: n must be a non-negative integer, got Infinity$/],
  ];
  it.each(cases)("%s", (_name, make, message) => {
    const e = errorOf(make);
    expect(e, String(e)).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(message);
  });
});

afterEach(() => {
  expect(Object.prototype).not.toHaveProperty("0.weight");
});
