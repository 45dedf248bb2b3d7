/**
 * The same seed gives PyTorch's numbers: every case of test/fixtures/random_streams.json and
 * random_init.json (made by scripts/make_random_fixtures.py with PyTorch 1.13 on this machine's
 * CPU build) run after manualSeed(seed), compared bit for bit, and the next draw compared too,
 * so that each sampler also consumes exactly PyTorch's number of draws. The float64 Box–Muller
 * paths call the C library's log, sin and cos in PyTorch and JavaScript's Math here: those are
 * compared within a few ulps (docs/PARITY.md).
 */
import { describe, expect, it } from "vitest";
import * as nb from "../packages/nabla/src/index.js";
import { F, nn, type Tensor } from "../packages/nabla/src/index.js";
import { errorOf, expectClose, fixtureData, fromFixture, loadFixture, type FixtureTensor } from "./helpers.js";

interface StreamCase {
  op: string;
  seed: number;
  out: FixtureTensor[];
  next: FixtureTensor;
  [arg: string]: unknown;
}

interface InitCase {
  module: string;
  seed: number;
  dtype: "float32" | "float64";
  state?: Record<string, FixtureTensor>;
  out?: FixtureTensor;
  p?: number;
  gain?: number;
  shape?: number[];
  next: FixtureTensor;
}

const streams = loadFixture<{ cases: StreamCase[] }>("random_streams.json").cases;
const inits = loadFixture<{ cases: InitCase[] }>("random_init.json").cases;

/**
 * Asserts equal shape, dtype and values: exactly, or (libm: true) within 2^−50·(1 + |value|),
 * a few float64 ulps of the numbers the C library's log/sin/cos went into.
 */
function expectSame(actual: Tensor, expected: FixtureTensor, label: string, libm = false): void {
  expect(actual.shape.slice(), `${label}: shape`).toEqual(expected.shape);
  expect(actual.dtype, `${label}: dtype`).toBe(expected.dtype);
  const got = actual.toTypedArray();
  const want = fixtureData(expected);
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i]!, want[i]!];
    if (g === w || (Number.isNaN(g) && Number.isNaN(w))) continue;
    if (libm && Math.abs(g - w) <= 2 ** -50 * (1 + Math.abs(w))) continue;
    throw new Error(`${label}: element ${i} is ${g}, PyTorch's is ${w}${libm ? " (beyond the libm allowance)" : ""}`);
  }
}

/** The draw after the sampler: the same as PyTorch's only if the sampler consumed what PyTorch's did. */
function expectNext(expected: FixtureTensor, label: string): void {
  expectSame(nb.randint(0, 2 ** 31 - 1, [2]), expected, `${label}: the next draw`);
}

const num = (c: StreamCase, k: string) => c[k] as number;
const tensorArg = (c: StreamCase, k: string) => fromFixture(c[k] as FixtureTensor);
const dtypeOf = (c: StreamCase) => c.dtype as "float32" | "float64";

/** Runs the case's sampler the way the fixture script ran PyTorch's. */
function run(c: StreamCase): Tensor[] {
  const shape = c.shape as number[];
  switch (c.op) {
    case "randn":
      return [nb.randn(shape, { dtype: dtypeOf(c) })];
    case "rand":
      return [nb.rand(shape, { dtype: dtypeOf(c) })];
    case "normal_":
      return [nb.zeros(shape, { dtype: dtypeOf(c) }).normal_(num(c, "mean"), num(c, "std"))];
    case "uniform_":
      return [nb.zeros(shape, { dtype: dtypeOf(c) }).uniform_(num(c, "low"), num(c, "high"))];
    case "exponential_":
      return [nb.zeros(shape, { dtype: dtypeOf(c) }).exponential_(num(c, "lambd"))];
    case "bernoulli_scalar":
      return [nb.zeros(shape, { dtype: dtypeOf(c) }).bernoulli_(num(c, "p"))];
    case "bernoulli":
      return [nb.bernoulli(tensorArg(c, "p"))];
    case "randint":
      return [nb.randint(num(c, "low"), num(c, "high"), shape)];
    case "randperm":
      return [nb.randperm(num(c, "n"))];
    case "randn_sequence":
      return (c.shapes as number[][]).map((s, i) => nb.randn(s, { dtype: (c.dtypes as ("float32" | "float64")[])[i] }));
    case "normal_transposed":
      return [nb.zeros(shape).transpose(0, 1).normal_()];
    case "uniform_transposed":
      return [nb.zeros(shape, { dtype: "float64" }).transpose(0, 1).uniform_(-1, 2)];
    case "multinomial":
      return [nb.multinomial(tensorArg(c, "probs"), num(c, "numSamples"), { replacement: c.replacement as boolean })];
    case "normal_tt":
      return [nb.normal(tensorArg(c, "mean"), tensorArg(c, "std"))];
    case "normal_tn":
      return [nb.normal(tensorArg(c, "mean"), num(c, "std"))];
    case "normal_nt":
      return [nb.normal(num(c, "mean"), tensorArg(c, "std"))];
    case "normal_nn":
      return [nb.normal(num(c, "mean"), num(c, "std"), c.size as number[])];
    case "poisson":
      return [nb.poisson(tensorArg(c, "rates"))];
    default:
      throw new Error(`no runner for ${c.op}`);
  }
}

/**
 * Cases whose float64 values come out of the C library's log/sin/cos (Box–Muller in float64,
 * exponential's log): compared within a few ulps. Everything else, float32 included, is exact.
 */
function viaLibm(c: StreamCase, out: FixtureTensor): boolean {
  return out.dtype === "float64" && ["randn", "normal_", "exponential_", "randn_sequence", "normal_tt", "normal_tn", "normal_nt", "normal_nn"].includes(c.op);
}

describe("the same seed gives PyTorch's numbers", () => {
  const byOp = new Map<string, StreamCase[]>();
  for (const c of streams) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);
  for (const [op, cases] of byOp) {
    it(`${op} (${cases.length} cases)`, () => {
      for (const c of cases) {
        const label = `${op} seed ${c.seed} ${JSON.stringify(c.shape ?? c.n ?? c.numSamples ?? "")} ${c.dtype ?? ""}`;
        nb.manualSeed(c.seed);
        const outs = run(c);
        outs.forEach((o, i) => expectSame(o, c.out[i]!, label, viaLibm(c, c.out[i]!)));
        expectNext(c.next, label);
      }
    });
  }
});

/** Builds the module of an init case with PyTorch's arguments. */
function makeModule(name: string, dtype: "float32" | "float64"): nn.AnyModule {
  switch (name) {
    case "Linear":
      return new nn.Linear(7, 5, { dtype });
    case "LinearNoBias":
      return new nn.Linear(17, 3, { bias: false, dtype });
    case "LinearBig":
      return new nn.Linear(100, 64, { dtype });
    case "Conv1d":
      return new nn.Conv1d(3, 4, 5, { dtype });
    case "Conv2d":
      return new nn.Conv2d(3, 8, 3, { dtype });
    case "Conv2dGroups":
      return new nn.Conv2d(4, 6, [3, 2], { groups: 2, dtype });
    case "ConvTranspose2d":
      return new nn.ConvTranspose2d(3, 4, 3, { dtype });
    case "Embedding":
      return new nn.Embedding(10, 3, { dtype });
    case "EmbeddingPad":
      return new nn.Embedding(20, 8, { paddingIdx: 2, dtype });
    case "RNN":
      return new nn.RNN(4, 6, { dtype });
    case "LSTM":
      return new nn.LSTM(5, 7, { numLayers: 2, bidirectional: true, dtype });
    case "GRU":
      return new nn.GRU(3, 4, { numLayers: 2, dtype });
    case "RNNCell":
      return new nn.RNNCell(4, 6, { dtype });
    case "LSTMCell":
      return new nn.LSTMCell(5, 3, { dtype });
    case "GRUCell":
      return new nn.GRUCell(3, 4, { dtype });
    default:
      throw new Error(`no module ${name}`);
  }
}

describe("default initialisation equals PyTorch's for the same seed", () => {
  const modules = [...new Set(inits.map((c) => c.module))];
  for (const name of modules) {
    it(name, () => {
      for (const c of inits.filter((k) => k.module === name)) {
        const label = `${name} seed ${c.seed} ${c.dtype}`;
        nb.manualSeed(c.seed);
        if (name === "orthogonal_") {
          // PyTorch's normal draws, then a QR: LAPACK's Householder there, Gram–Schmidt here
          const w = nn.init.orthogonal_(nb.zeros(c.shape!, { dtype: c.dtype }), c.gain!);
          expectClose(w, c.out!, c.dtype === "float32" ? { rtol: 1e-5, atol: 1e-6 } : { rtol: 1e-12, atol: 1e-13 }, label);
        } else if (name === "dropout" || name === "dropout2d") {
          const x = nb.ones(c.shape!, { dtype: c.dtype });
          const y = name === "dropout" ? F.dropout(x, { p: c.p! }) : F.dropout2d(x, { p: c.p! });
          expectSame(y, c.out!, label);
        } else {
          const state = makeModule(name, c.dtype).stateDict();
          expect(Object.keys(state), `${label}: parameter names`).toEqual(Object.keys(c.state!));
          // Embedding's N(0, 1) rows in float64 go through the C library's log/sin/cos
          const libm = c.dtype === "float64" && name.startsWith("Embedding");
          for (const [k, v] of Object.entries(c.state!)) expectSame(state[k]!, v, `${label}: ${k}`, libm);
        }
        expectNext(c.next, label);
      }
    });
  }
});

describe("dropout's mask drawn in bulk (the backend's sampler) is the one drawn a double at a time", () => {
  it("across twists, from odd positions, in float32 and float64, leaving the generator where the draws leave it", () => {
    // sizes past one block of 624 words (312 draws) and a few thousand, so that draws straddle twists
    const cases: [number, number, "float32" | "float64", boolean][] = [
      [1, 0.5, "float32", false], [3, 0.25, "float32", true], [311, 0.5, "float32", true], [5000, 0.5, "float32", false],
      [1249, 0.3, "float32", true], [20000, 0.25, "float32", true], [777, 0.5, "float64", false], [2001, 0.1, "float64", true],
    ];
    const bulk = new nb.Generator(11);
    const single = new nb.Generator(11);
    for (const [n, p, dtype, odd] of cases) {
      const label = `${n} ${dtype} p ${p}${odd ? " from an odd position" : ""}`;
      if (odd) {
        bulk.nextUint32();
        single.nextUint32();
      }
      const mask = F.dropout(nb.ones([n], { dtype }), { p, generator: bulk }).flatten().toArray() as number[];
      const keep = 1 - p;
      const scale = dtype === "float32" ? Math.fround(1 / Math.fround(keep)) : 1 / keep;
      const want = Array.from({ length: n }, () => (single.nextDouble() < keep ? scale : 0));
      expect(mask, label).toEqual(want);
      expect(bulk.nextUint32(), `${label}: the next word`).toBe(single.nextUint32());
    }
  });
});

describe("call forms and errors", () => {
  it("randint(high, shape) starts at 0; randperm takes a dtype; bernoulli takes p; methods", () => {
    nb.manualSeed(5);
    const a = nb.randint(10, [6]);
    nb.manualSeed(5);
    expect(a.toArray()).toEqual(nb.randint(0, 10, [6]).toArray());
    expect(nb.randperm(4, { dtype: "float32" }).dtype).toBe("float32");
    const x = nb.zeros([3]);
    nb.manualSeed(1);
    const b = nb.bernoulli(x, 0.5);
    nb.manualSeed(1);
    expect(x.bernoulli_(0.5).toArray()).toEqual(b.toArray());
    nb.manualSeed(1);
    expect(nb.tensor([0.2, 0.8]).multinomial(2).toArray()).toHaveLength(2);
  });

  it("names the op, the argument and the value", () => {
    expect(errorOf(() => nb.multinomial(nb.tensor([0.5, 0.5]), 3)).message).toBe(
      "multinomial: cannot sample numSamples (3) > prob_dist.size(-1) (2) samples without replacement",
    );
    expect(errorOf(() => nb.multinomial(nb.tensor([0.5, -1]), 1, { replacement: true })).message).toBe(
      "multinomial: invalid multinomial distribution (encountering probability entry < 0): -1 in row 0",
    );
    expect(errorOf(() => nb.multinomial(nb.zeros([2, 3]), 1)).message).toBe("multinomial: invalid multinomial distribution (sum of probabilities <= 0) in row 0");
    expect(errorOf(() => nb.multinomial(nb.zeros([2, 3, 4]), 1)).message).toBe("multinomial: prob_dist must be 1 or 2 dim, got shape [2, 3, 4]");
    expect(errorOf(() => nb.zeros([2]).bernoulli_(1.5)).message).toBe("bernoulli_: expects p to be in [0, 1], but got p=1.5");
    expect(errorOf(() => nb.bernoulli(nb.tensor([0.5, 2]))).message).toBe("bernoulli_: expected all probabilities in [0, 1], got 2 at index 1");
    expect(errorOf(() => nb.normal(0, -1, [2])).message).toBe("normal: expects std >= 0.0, but found std -1");
    expect(errorOf(() => nb.normal(nb.zeros([2]), nb.tensor([1, -2]))).message).toBe("normal: expects all elements of std >= 0.0, but found -2 at index 1");
    expect(errorOf(() => nb.normal("0" as unknown as number, 1))).toBeInstanceOf(TypeError);
    expect(errorOf(() => nb.poisson(nb.tensor([1, -1]))).message).toBe("poisson: invalid Poisson rate, expected rate to be non-negative, got -1 at index 1");
    expect(errorOf(() => nb.zeros([2]).uniform_(1, 0)).message).toBe("uniform_: expects to return a [from, to) range, but found from=1 > to=0");
    expect(errorOf(() => nb.zeros([2], { dtype: "int32" }).normal_())).toBeInstanceOf(nb.DTypeError);
    expect(errorOf(() => nb.tensor([1, 2], { requiresGrad: true }).normal_()).message).toContain("normal_: a leaf tensor that requires grad");
  });
});

describe("the fused multiply–add emulation (float-math.ts)", () => {
  it("rounds once, also when the float64 sum lands exactly half-way between two float32s", async () => {
    const { fmaf, fma } = await import("../packages/nabla/src/tensor/float-math.js");
    const [a, b, c] = [2 ** -24 + 2 ** -47, 1 - 2 ** -23, 1 + 2 ** -23];
    // a·b + c = 1 + 2^−23 + 2^−24 − 2^−70: just below the tie, so it rounds down (C's fmaf agrees)
    expect(fmaf(a, b, c)).toBe(1 + 2 ** -23);
    expect(fmaf(-a, b, -c)).toBe(-(1 + 2 ** -23));
    expect(Math.fround(a * b + c)).toBe(1 + 2 ** -22); // rounding twice goes the wrong way
    // float64: (1 + 2^−52)(1 − 2^−53) + 2^−53 = 1 + 2^−52 − 2^−105, which rounds to 1 + 2^−52;
    // rounding the product first gives 1, then 1 + 2^−53, a tie that rounds to 1 (C's fma agrees)
    expect(fma(1 + 2 ** -52, 1 - 2 ** -53, 2 ** -53)).toBe(1 + 2 ** -52);
    expect((1 + 2 ** -52) * (1 - 2 ** -53) + 2 ** -53).toBe(1);
    expect(fma(0.1, 10, -1)).toBe(5.551115123125783e-17); // the rounding error of 0.1, which 0.1·10 − 1 loses
  });
});
