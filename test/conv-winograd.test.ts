/**
 * The Winograd F(2×2, 3×3) convolution kernels (assembly/conv-winograd.ts, src/backend/wasm/
 * conv-winograd.ts) against the JS reference computed in float64: the forward with bias, the
 * input gradient (the forward on gy with the weight transposed and flipped) and the weight
 * gradient, over padding 0 to 2, odd output sizes (partial tiles and partial groups of four
 * tiles), groups, strided and foreign operands, batches cut into many chunks, two threads (which
 * must give exactly the one-thread numbers) and non-finite or huge values (which must leave the
 * transforms to the exact kernels, so that inf and NaN land where the reference puts them).
 * winogradTuning.channels is lowered so that small layers take the transforms.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { idleHelpersReady, seededRandom } from "./helpers.js";
import "../packages/nabla/src/index.js";
import type { Backend, StridedView } from "../packages/nabla/src/backend/backend.js";
import type { Conv2dGeometry } from "../packages/nabla/src/backend/convolution.js";
import { jsBackend } from "../packages/nabla/src/backend/js/index.js";
import { conv2d, conv2dInput, conv2dWeight, winogradPath } from "../packages/nabla/src/backend/wasm/conv.js";
import { winogradConv2d, winogradConv2dInput, winogradConv2dWeight, winogradTuning } from "../packages/nabla/src/backend/wasm/conv-winograd.js";
import { wasmBackend } from "../packages/nabla/src/backend/wasm/index.js";
import { startKernels } from "../packages/nabla/src/backend/wasm/instance.js";
import { getConvolutionScratch, getNumThreads, setConvolutionScratch, setNumThreads } from "../packages/nabla/src/index.js";
import { contiguousStrides } from "../packages/nabla/src/tensor/shape.js";

const wasm = wasmBackend as Backend;
const random = seededRandom(11);
const TUNING = { ...winogradTuning };
beforeAll(() => startKernels());
afterEach(() => Object.assign(winogradTuning, TUNING));

/** n, c, h, w, o, groups, padding (both). */
type Spec = [number, number, number, number, number, number, number];

function geometry([n, c, h, w, o, groups, p]: Spec): Conv2dGeometry {
  return { n, c, h, w, o, groups, kh: 3, kw: 3, sh: 1, sw: 1, ph: p, pw: p, dh: 1, dw: 1, oh: h + 2 * p - 2, ow: w + 2 * p - 2 };
}

const CASES: Record<string, Spec> = {
  "MNIST's conv2 shape, smaller: 16→16 on 10×10": [2, 16, 10, 10, 16, 1, 0],
  "padding 1, 9×7 (odd rows and columns: partial tiles)": [3, 5, 9, 7, 7, 1, 1],
  "padding 2 on 5×6": [2, 4, 5, 6, 3, 1, 2],
  "13 output columns (a partial group of four tiles)": [2, 3, 6, 15, 4, 1, 0],
  "one output (a single tile, mostly past the output)": [2, 3, 3, 3, 2, 1, 0],
  "groups 2": [2, 6, 8, 9, 4, 2, 1],
  "depthwise": [2, 3, 7, 8, 3, 3, 1],
};

/** Random values in [-1, 1) in wasm memory (float32) and as float64, with some entries replaced. */
function values(count: number, special: Record<number, number> = {}): { f32: Float32Array; f64: Float64Array } {
  const f32 = wasm.alloc("float32", count) as Float32Array;
  for (let i = 0; i < count; i++) f32[i] = special[i] ?? 2 * random() - 1;
  return { f32, f64: Float64Array.from(f32) };
}

const view = (data: Float32Array | Float64Array, shape: number[]): StridedView => ({ data, shape, strides: contiguousStrides(shape), offset: 0 });

/** The same values as view(data, shape) but stored with the last two dims transposed. */
function transposedView(data: Float32Array, shape: number[]): StridedView {
  const [a, b, r, c] = shape as [number, number, number, number];
  const stored = wasm.alloc("float32", data.length) as Float32Array;
  for (let i = 0; i < a * b; i++) {
    for (let y = 0; y < r; y++) for (let x = 0; x < c; x++) stored[i * r * c + x * r + y] = data[i * r * c + y * c + x]!;
  }
  return { data: stored, shape, strides: [b * r * c, r * c, 1, r], offset: 0 };
}

/** Each element of actual close to the float64 reference, or non-finite exactly where it is (NaN where it is NaN). */
function expectNear(actual: Float32Array, expected: Float64Array, scale: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const [a, e] = [actual[i]!, expected[i]!];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Number.isFinite(e) ? Math.abs(a - e) <= 1e-5 * scale * (1 + Math.abs(e)) : a === e;
    if (!ok) expect.fail(`${what}[${i}]: ${a}, the reference ${e}`);
  }
}

type Pair = { f32: Float32Array; f64: Float64Array };
interface Operands {
  g: Conv2dGeometry;
  x: Pair;
  w: Pair;
  b: Pair;
  gy: Pair;
}

function operands(spec: Spec, special: { x?: Record<number, number>; w?: Record<number, number>; gy?: Record<number, number> } = {}): Operands {
  const g = geometry(spec);
  return {
    g,
    x: values(g.n * g.c * g.h * g.w, special.x),
    w: values(g.o * (g.c / g.groups) * 9, special.w),
    b: values(g.o),
    gy: values(g.n * g.o * g.oh * g.ow, special.gy),
  };
}

type Layout = "contiguous" | "transposed" | "foreign";
type Run = (g: Conv2dGeometry, x: StridedView, w: StridedView, b: StridedView, gy: StridedView, y: Float32Array, gx: Float32Array, gw: Float32Array) => void;

/** The Winograd functions themselves, which must take every case here (return true). */
const direct: Run = (g, x, w, b, gy, y, gx, gw) => {
  expect(winogradConv2d(g, x, w, b, y)).toBe(true);
  expect(winogradConv2dInput(g, gy, w, gx)).toBe(true);
  expect(winogradConv2dWeight(g, x, gy, gw)).toBe(true);
};
/** The backend's entry points, which fall back to the exact kernels where the transforms decline. */
const dispatched: Run = (g, x, w, b, gy, y, gx, gw) => {
  conv2d(g, x, w, b, y);
  conv2dInput(g, gy, w, gx);
  conv2dWeight(g, x, gy, gw);
};

/** The three kernels, x, gy and the weight stored as `layout` says, into fresh arrays. */
function runWasm({ g, x, w, b, gy }: Operands, layout: Layout, run: Run = direct) {
  const as = (data: Float32Array, shape: number[]): StridedView =>
    layout === "transposed" ? transposedView(data, shape) : view(layout === "foreign" ? Float32Array.from(data) : data, shape);
  const y = new Float32Array(g.n * g.o * g.oh * g.ow);
  const gx = new Float32Array(g.n * g.c * g.h * g.w);
  const gw = new Float32Array(w.f32.length);
  const ws = as(w.f32, [g.o, g.c / g.groups, 3, 3]);
  run(g, as(x.f32, [g.n, g.c, g.h, g.w]), ws, view(b.f32, [g.o]), as(gy.f32, [g.n, g.o, g.oh, g.ow]), y, gx, gw);
  return { y, gx, gw };
}

function check(ops: Operands, layout: Layout, run: Run = direct): void {
  const { g, x, w, b, gy } = ops;
  const got = runWasm(ops, layout, run);
  const xv = view(x.f64, [g.n, g.c, g.h, g.w]);
  const wv = view(w.f64, [g.o, g.c / g.groups, 3, 3]);
  const gyv = view(gy.f64, [g.n, g.o, g.oh, g.ow]);
  const want = { y: new Float64Array(got.y.length), gx: new Float64Array(got.gx.length), gw: new Float64Array(got.gw.length) };
  jsBackend.conv2d(g, xv, wv, view(b.f64, [g.o]), want.y);
  jsBackend.conv2dInput(g, gyv, wv, want.gx);
  jsBackend.conv2dWeight(g, xv, gyv, want.gw);
  // a sum of K products of values below 1 in magnitude: float32 rounding grows with K (the
  // transforms add a few roundings of sums of up to 9 such values)
  expectNear(got.y, want.y, 4 * (g.c / g.groups) * 9, "y");
  expectNear(got.gx, want.gx, 4 * (g.o / g.groups) * 9, "gx");
  expectNear(got.gw, want.gw, 4 * g.n * g.oh * g.ow, "gw");
}

describe("Winograd convolution kernels match the float64 reference", () => {
  it.each(Object.entries(CASES))("%s", (_, spec) => {
    winogradTuning.channels = 1;
    const g = geometry(spec);
    expect(winogradPath(g, "forward")).toBe(true);
    expect(winogradPath(g, "input")).toBe(true);
    expect(winogradPath(g, "weight")).toBe(true);
    for (const layout of ["contiguous", "transposed", "foreign"] as const) check(operands(spec), layout);
  });

  it("takes MNIST's 32→64 layer by default and leaves thin, strided, dilated and non-3×3 layers alone", () => {
    const mnist = geometry([64, 32, 26, 26, 64, 1, 0]);
    for (const op of ["forward", "input", "weight"] as const) expect(winogradPath(mnist, op)).toBe(true);
    expect(winogradPath(geometry([64, 1, 28, 28, 32, 1, 0]), "forward")).toBe(false); // conv1: one input channel
    expect(winogradPath({ ...mnist, sh: 2, oh: 12 }, "forward")).toBe(false);
    expect(winogradPath({ ...mnist, dh: 2, oh: 22 }, "forward")).toBe(false);
    expect(winogradPath({ ...mnist, kh: 5, kw: 5, oh: 22, ow: 22 }, "forward")).toBe(false);
    expect(winogradPath({ ...mnist, ph: 3, pw: 3, oh: 30, ow: 30 }, "forward")).toBe(false);
  });

  it("a batch cut into many chunks of samples, one sample each", () => {
    winogradTuning.channels = 1;
    winogradTuning.blockBytes = 1;
    check(operands([7, 3, 6, 7, 5, 1, 1]), "contiguous");
  });

  it("a weight gradient whose chunks would pass the scratch budget leaves it to the blocked GEMM path", () => {
    winogradTuning.channels = 1;
    const spec: Spec = [200, 2, 4, 4, 2, 1, 0]; // 64 chunks of at least 4 samples
    const before = getConvolutionScratch();
    setConvolutionScratch(1);
    try {
      const ops = operands(spec);
      runWasm(ops, "contiguous", (g, x, w, b, gy, y, _gx, gw) => {
        expect(winogradConv2d(g, x, w, b, y)).toBe(true);
        expect(winogradConv2dWeight(g, x, gy, gw)).toBe(false);
      });
      check(ops, "contiguous", dispatched);
    } finally {
      setConvolutionScratch(before);
    }
  });

  it("non-finite and huge values leave the transforms: inf and NaN land where the reference puts them", () => {
    winogradTuning.channels = 1;
    const spec: Spec = [2, 3, 6, 7, 4, 1, 1];
    const g = geometry(spec);
    const at = (n: number, c: number, y: number, x: number) => ((n * g.c + c) * g.h + y) * g.w + x;
    // an inf in one corner of a tile would reach all four of its outputs through the transforms
    const x = { [at(0, 1, 2, 2)]: Infinity, [at(1, 0, 4, 5)]: NaN };
    for (const special of [{ x }, { gy: { 7: -Infinity } }, { w: { 4: NaN } }, { x: { [at(1, 2, 3, 3)]: 2 ** 41 } }]) {
      const ops = operands(spec, special);
      // each kernel declines exactly when a value it reads is out of range
      const [inX, inW, inGy] = ["x" in special, "w" in special, "gy" in special];
      runWasm(ops, "contiguous", (gg, xs, ws, bs, gys, y, gx, gw) => {
        expect(winogradConv2d(gg, xs, ws, bs, y)).toBe(!inX && !inW);
        expect(winogradConv2dInput(gg, gys, ws, gx)).toBe(!inGy && !inW);
        expect(winogradConv2dWeight(gg, xs, gys, gw)).toBe(!inX && !inGy);
      });
      check(ops, "contiguous", dispatched);
    }
  });

  it("split across two threads gives exactly the one-thread result", async () => {
    winogradTuning.channels = 1;
    winogradTuning.blockBytes = 1 << 16; // several chunks of a few samples
    const before = getNumThreads();
    setNumThreads(2);
    expect(await idleHelpersReady()).toBeGreaterThanOrEqual(1);
    try {
      const ops = operands([12, 16, 14, 15, 16, 1, 1]);
      const two = runWasm(ops, "contiguous");
      setNumThreads(1);
      const one = runWasm(ops, "contiguous");
      expect(Array.from(two.y)).toEqual(Array.from(one.y));
      expect(Array.from(two.gx)).toEqual(Array.from(one.gx));
      expect(Array.from(two.gw)).toEqual(Array.from(one.gw));
      check(ops, "contiguous");
    } finally {
      setNumThreads(before);
    }
  });
});
