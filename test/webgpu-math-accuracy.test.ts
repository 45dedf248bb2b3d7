/**
 * The accuracy of every float32 pointwise function of the webgpu device, against float64 (JS's
 * Math and scalar-math.ts) on the same float32 inputs: one dense sweep per function, one dispatch
 * each, with the edge regions where WGSL's builtins lose accuracy (|x| near 1 for asin/acos/atanh/
 * erfinv, tiny |x| for expm1/log1p/sinh/tanh/asin/atan, large |x| for tanh/sigmoid/softplus).
 *
 * The error of a result g against the float64 value r is counted in float32 ulps of r
 * (2^(⌊log₂|r|⌋ − 23)), or of `floor` where |r| is below it: a function whose float32 formula
 * cancels by design (gelu's 1 + erf(x/√2) for x ≪ 0, as PyTorch's CUDA kernel writes it) is held
 * to an absolute bound there. The bounds are what the kernels meet on SwiftShader with a margin
 * (docs/webgpu.md lists them beside what WGSL's builtins gave: acos 1270 ulps near 1, exp 61 at 76,
 * erfinv 1260 near 1, atanh near −1 and acosh past 1.8e19 wrong, pow 93); CUDA documents 1–4 ulps
 * for its float32 functions. `NABLA_PRINT_ULPS=1` prints the measured table.
 */
import { describe, expect, it } from "vitest";
import * as nabla from "../packages/nabla/src/index.js";
import { tensor, type Tensor } from "../packages/nabla/src/index.js";
import * as A from "../packages/nabla/src/ops/activations.js";
import { erf, erfc, erfinv, sigmoid } from "../packages/nabla/src/ops/pointwise/scalar-math.js";
import { startWebGpuDevice } from "./webgpu-device.js";

const reason = await startWebGpuDevice();

/** n float32 values evenly from lo to hi. */
function lin(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.fround(lo + ((hi - lo) * i) / (n - 1)));
}
/** n magnitudes log-spaced from lo to hi, each with both signs (2n values). */
function both(lo: number, hi: number, n: number): number[] {
  const m = Array.from({ length: n }, (_, i) => Math.fround(lo * (hi / lo) ** (i / (n - 1))));
  return [...m, ...m.map((v) => -v)];
}
/** log-spaced magnitudes, positive only. */
const pos = (lo: number, hi: number, n: number) => both(lo, hi, n).slice(0, n);
/** Values approaching ±1 from inside: 1 − d for d log-spaced from 2⁻²⁴ to 0.5, and each float32 just below 1. */
function nearOne(n: number): number[] {
  const d = pos(2 ** -24, 0.5, n).map((v) => Math.fround(1 - v));
  const last = Array.from({ length: 64 }, (_, i) => 1 - (i + 1) * 2 ** -24);
  return [...d, ...last, ...d.map((v) => -v), ...last.map((v) => -v)];
}

const SQRT1_2 = Math.SQRT1_2;
const softplus64 = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const tanh64 = Math.tanh;

interface Case {
  readonly name: string;
  /** one array of inputs per operand, all of one length */
  readonly inputs: () => number[][];
  readonly run: (xs: Tensor[]) => Tensor;
  readonly ref: (...v: number[]) => number;
  /** the bound on the error, in float32 ulps of max(|r|, floor) */
  readonly ulps: number;
  readonly floor?: number;
}

const unaryCase = (name: string, inputs: () => number[], run: (x: Tensor) => Tensor, ref: (x: number) => number, ulps: number, floor?: number): Case => ({
  name,
  inputs: () => [inputs()],
  run: ([x]) => run(x!),
  ref,
  ulps,
  floor,
});
const pairs = (as: number[], bs: number[]): number[][] => [as.flatMap((a) => bs.map(() => a)), as.flatMap(() => bs)];

const TINY = () => both(1e-30, 1e-2, 2000);
const CASES: Case[] = [
  unaryCase("sin", () => [...lin(-100, 100, 40001), ...TINY()], nabla.sin, Math.sin, 3),
  unaryCase("cos", () => [...lin(-100, 100, 40001), ...TINY()], nabla.cos, Math.cos, 3),
  unaryCase("tan", () => [...lin(-100, 100, 40001), ...TINY()], nabla.tan, Math.tan, 4),
  unaryCase("asin", () => [...lin(-1, 1, 20001), ...nearOne(4000), ...TINY()], nabla.asin, Math.asin, 2),
  unaryCase("acos", () => [...lin(-1, 1, 20001), ...nearOne(4000), ...TINY()], nabla.acos, Math.acos, 2),
  unaryCase("atan", () => [...lin(-100, 100, 20001), ...both(1e-30, 1e30, 4000)], nabla.atan, Math.atan, 2.5),
  unaryCase("sinh", () => [...lin(-88, 88, 20001), ...TINY()], nabla.sinh, Math.sinh, 3),
  unaryCase("cosh", () => [...lin(-88, 88, 20001), ...TINY()], nabla.cosh, Math.cosh, 2),
  unaryCase("tanh", () => [...lin(-20, 20, 20001), ...both(1e-30, 100, 4000)], nabla.tanh, Math.tanh, 4),
  unaryCase("asinh", () => [...lin(-100, 100, 20001), ...both(1e-30, 1e30, 4000)], nabla.asinh, Math.asinh, 2.5),
  unaryCase("acosh", () => [...pos(1e-7, 1e30, 8000).map((d) => Math.fround(1 + d)), ...lin(1, 100, 20001)], nabla.acosh, Math.acosh, 3),
  unaryCase("atanh", () => [...lin(-0.9999, 0.9999, 20001), ...nearOne(4000).filter((v) => Math.abs(v) < 1), ...TINY()], nabla.atanh, Math.atanh, 3),
  unaryCase("exp", () => [...lin(-87, 88.5, 40001), ...TINY()], nabla.exp, Math.exp, 1.5),
  unaryCase("exp2", () => [...lin(-125, 127.5, 40001), ...TINY()], nabla.exp2, (x) => 2 ** x, 1.5),
  unaryCase("expm1", () => [...lin(-100, 88, 40001), ...TINY()], nabla.expm1, Math.expm1, 3),
  unaryCase("log", () => [...pos(1e-37, 1e38, 20000), ...lin(0.5, 2, 20001)], nabla.log, Math.log, 1),
  unaryCase("log2", () => [...pos(1e-37, 1e38, 20000), ...lin(0.5, 2, 20001)], nabla.log2, Math.log2, 2),
  unaryCase("log10", () => [...pos(1e-37, 1e38, 20000), ...lin(0.5, 2, 20001)], nabla.log10, Math.log10, 2.5),
  unaryCase("log1p", () => [...lin(-0.9999, 100, 40001), ...TINY().filter((v) => v > -1), ...nearOne(2000).filter((v) => v < 0 && v > -1)], nabla.log1p, Math.log1p, 2),
  unaryCase("sqrt", () => pos(1e-37, 1e38, 40000), nabla.sqrt, Math.sqrt, 1),
  unaryCase("rsqrt", () => pos(1e-37, 1e38, 40000), nabla.rsqrt, (x) => 1 / Math.sqrt(x), 2),
  unaryCase("erf", () => [...lin(-6, 6, 40001), ...TINY()], nabla.erf, erf, 3),
  unaryCase("erfc", () => [...lin(-6, 9, 40001), ...TINY()], nabla.erfc, erfc, 8),
  unaryCase("erfinv", () => [...lin(-1, 1, 20001).slice(1, -1), ...nearOne(4000), ...TINY()], nabla.erfinv, erfinv, 4),
  unaryCase("sigmoid", () => [...lin(-87, 100, 40001), ...TINY()], nabla.sigmoid, sigmoid, 2.5),
  unaryCase("logsigmoid", () => [...lin(-100, 100, 40001), ...TINY()], A.logsigmoid, (x) => -softplus64(-x), 3),
  unaryCase("softplus", () => [...lin(-87, 100, 40001), ...TINY()], (x) => A.softplus(x, 1, 20), (x) => (x > 20 ? x : softplus64(x)), 3),
  unaryCase("silu", () => [...lin(-87, 100, 40001), ...TINY()], A.silu, (x) => x * sigmoid(x), 3),
  unaryCase("mish", () => [...lin(-40, 40, 40001), ...TINY()], A.mish, (x) => x * tanh64(softplus64(x)), 6),
  unaryCase("elu", () => [...lin(-100, 100, 40001), ...TINY()], (x) => A.elu(x, 1), (x) => (x > 0 ? x : Math.expm1(x)), 2.5),
  // x/2·(1 + erf(x/√2)) as PyTorch's CUDA kernel: the sum cancels for x ≪ 0, held absolutely there
  unaryCase("gelu", () => [...lin(-10, 10, 40001), ...TINY()], A.gelu, (x) => 0.5 * x * erfc(-x * SQRT1_2), 32, 1e-7),
  unaryCase("gelu (tanh)", () => [...lin(-10, 10, 40001), ...TINY()], A.geluTanh, (x) => 0.5 * x * (1 + tanh64(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))), 2, 1),
  {
    name: "atan2",
    inputs: () => pairs([...lin(-100, 100, 201), ...both(1e-30, 1e30, 40)], [...lin(-100, 100, 201), ...both(1e-30, 1e30, 40)]),
    run: ([y, x]) => nabla.atan2(y!, x!),
    ref: Math.atan2,
    ulps: 2.5,
  },
  {
    name: "hypot",
    inputs: () => pairs([...lin(-100, 100, 201), ...both(1e-30, 1e30, 40)], [...lin(-100, 100, 201), ...both(1e-30, 1e30, 40)]),
    run: ([a, b]) => nabla.hypot(a!, b!),
    ref: Math.hypot,
    ulps: 2.5,
  },
  {
    name: "pow",
    inputs: () => pairs(pos(1e-3, 1e3, 200), lin(-12, 12, 201)),
    run: ([a, b]) => nabla.pow(a!, b!),
    ref: (a, b) => a ** b,
    // b·log₂ m's rounding (|log₂ m| ≤ ½) grows with |b|: ~|b|/2 ulps
    ulps: 8,
  },
  {
    name: "lerp",
    inputs: () => {
      const [s, e] = pairs(lin(-100, 100, 101), lin(-100, 100, 101));
      return [s!, e!, s!.map((_, i) => Math.fround((i % 97) / 48 - 0.5))];
    },
    run: ([s, e, w]) => nabla.lerp(s!, e!, w!),
    ref: (s, e, w) => s + w * (e - s),
    ulps: 1,
    floor: 128,
  },
];

const MIN_NORMAL = 2 ** -126;

/** One float32 ulp at |r| (a normal float32). */
function ulpOf(r: number): number {
  return 2 ** (Math.floor(Math.log2(Math.abs(r))) - 23);
}

interface Measured {
  ulps: number;
  rel: number;
  abs: number;
  worstAt: number[];
  got: number;
  want: number;
}

function measure(c: Case): Measured {
  const inputs = c.inputs();
  const got = c.run(inputs.map((v) => tensor(v, { device: "webgpu" }))).to("cpu").toTypedArray() as Float32Array;
  const out: Measured = { ulps: 0, rel: 0, abs: 0, worstAt: [], got: 0, want: 0 };
  for (let i = 0; i < got.length; i++) {
    const args = inputs.map((v) => v[i]!);
    const want = c.ref(...args);
    const g = got[i]!;
    // past float32's range the float32 result is ±inf
    const w32 = Math.fround(want);
    let err: number;
    if (!Number.isFinite(w32) || !Number.isFinite(g)) err = Object.is(g, w32) ? 0 : Infinity;
    // below float32's normal range a result may be flushed to 0 (WGSL allows it): counted in 2⁻¹²⁶
    else if (Math.abs(want) < MIN_NORMAL) err = Math.abs(g - want) / MIN_NORMAL;
    else err = Math.abs(g - want) / ulpOf(Math.max(Math.abs(want), c.floor ?? 0));
    const abs = Math.abs(g - want);
    if (want !== 0 && Number.isFinite(abs)) out.rel = Math.max(out.rel, abs / Math.abs(want));
    if (Number.isFinite(abs)) out.abs = Math.max(out.abs, abs);
    if (!(err <= out.ulps)) Object.assign(out, { ulps: err, worstAt: args, got: g, want });
  }
  return out;
}

describe.skipIf(reason !== "")(`float32 pointwise accuracy on the webgpu device${reason === "" ? "" : ` (skipped: ${reason})`}`, () => {
  it("every function within its bound in float32 ulps of float64", () => {
    const rows = CASES.map((c) => ({ c, m: measure(c) }));
    if (process.env.NABLA_PRINT_ULPS === "1") {
      const f = (v: number) => v.toPrecision(3);
      console.log(
        rows.map(({ c, m }) => `${c.name.padEnd(12)} ulps ${f(m.ulps).padStart(9)}  rel ${f(m.rel)}  abs ${f(m.abs)}  worst at ${m.worstAt.map(f).join(", ")}: ${m.got} vs ${m.want}`).join("\n"),
      );
    }
    const over = rows
      .filter(({ c, m }) => !(m.ulps <= c.ulps))
      .map(({ c, m }) => `${c.name}: ${m.ulps.toPrecision(3)} ulps > ${c.ulps} at (${m.worstAt.join(", ")}): ${m.got}, float64 ${m.want}`);
    expect(over).toEqual([]);
  });

  it("sin(−0) is −0, and the odd functions keep −0", () => {
    const negZero = tensor([-0], { device: "webgpu" });
    for (const f of [nabla.sin, nabla.tan, nabla.asin, nabla.atan, nabla.sinh, nabla.tanh, nabla.asinh, nabla.atanh, nabla.erf, nabla.expm1, nabla.log1p, nabla.erfinv]) {
      expect(Object.is(f(negZero).to("cpu").toTypedArray()[0], -0), f.name).toBe(true);
    }
  });
});
