/**
 * The direct convolution kernels (assembly/conv-direct.ts: few taps an output, column stride 1)
 * against the JS reference computed in float64: forward with bias, the input gradient (its own
 * kernel, channels in the lanes, padding rows skipped) and the weight gradient, over row
 * strides, padding, dilation, groups, output rows of every width modulo 4, tiles with fewer
 * channels than they hold, outputs bit-identical whichever tile width computed them, strided
 * and foreign operands, non-finite inputs, and the work split across two threads; the weight
 * gradient both with output columns and with output channels in the lanes, each bit-identical
 * whatever tile computed an element, and the forward with channels in the lanes bit-identical to
 * the column tiles. Each case first checks that it does run direct (the other path, im2col +
 * GEMM, has its own tests in conv-blocked.test.ts), and that with directTaps 0 the GEMM path
 * gives the same numbers.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { idleHelpersReady, seededRandom } from "./helpers.js";
import "../packages/nabla/src/index.js";
import type { Backend, StridedView } from "../packages/nabla/src/backend/backend.js";
import type { Conv2dGeometry } from "../packages/nabla/src/backend/convolution.js";
import { jsBackend } from "../packages/nabla/src/backend/js/index.js";
import { conv2d, conv2dInput, conv2dWeight, convTuning, directPath } from "../packages/nabla/src/backend/wasm/conv.js";
import { wasmBackend } from "../packages/nabla/src/backend/wasm/index.js";
import { kernels, startKernels } from "../packages/nabla/src/backend/wasm/instance.js";
import { getNumThreads, setNumThreads } from "../packages/nabla/src/index.js";
import { contiguousStrides } from "../packages/nabla/src/tensor/shape.js";

const wasm = wasmBackend as Backend;
const random = seededRandom(7);
const TAPS = convTuning.directTaps;
beforeAll(() => startKernels()); // directPath asks the module for a sample's work bytes
afterEach(() => {
  convTuning.directTaps = TAPS;
  convTuning.weightLanes = "auto";
  convTuning.forwardLanes = "auto";
});

/** n, c, h, w, o, groups, kh, kw, sh, ph, pw, dh, dw. */
type Spec = [number, number, number, number, number, number, number, number, number, number, number, number, number];

function geometry([n, c, h, w, o, groups, kh, kw, sh, ph, pw, dh, dw]: Spec): Conv2dGeometry {
  const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const ow = w + 2 * pw - dw * (kw - 1);
  return { n, c, h, w, o, groups, kh, kw, sh, sw: 1, ph, pw, dh, dw, oh, ow };
}

const CASES: Record<string, Spec> = {
  "LeNet conv1: 1→6, 5×5, padding 2": [3, 1, 28, 28, 6, 1, 5, 5, 1, 2, 2, 1, 1],
  "LeNet conv2: 6→16, 5×5": [2, 6, 14, 14, 16, 1, 5, 5, 1, 0, 0, 1, 1],
  "3×3, padding 1, 9 columns (a partial vector)": [2, 3, 7, 9, 5, 1, 3, 3, 1, 1, 1, 1, 1],
  "one output column": [2, 2, 5, 3, 3, 1, 3, 3, 1, 0, 0, 1, 1],
  "1×1 kernel on two output columns": [1, 2, 4, 2, 2, 1, 1, 1, 1, 0, 0, 1, 1],
  "row stride 2, padding 1": [2, 2, 9, 11, 6, 1, 3, 3, 2, 1, 1, 1, 1],
  "dilation 2 × 3, uneven padding": [2, 2, 11, 13, 5, 1, 3, 2, 1, 2, 1, 2, 3],
  "groups 2, 3 channels a group (a single-channel tile)": [2, 4, 8, 10, 6, 2, 3, 3, 1, 1, 1, 1, 1],
  "groups 3, depthwise": [2, 3, 6, 7, 3, 3, 3, 3, 1, 1, 1, 1, 1],
  "1×7 kernel (two column tiles)": [2, 2, 5, 12, 3, 1, 1, 7, 1, 0, 3, 1, 1],
  "7×1 kernel": [2, 2, 12, 5, 3, 1, 7, 1, 1, 3, 0, 1, 1],
  "padding past the kernel's reach": [2, 2, 5, 6, 3, 1, 3, 3, 1, 3, 3, 1, 1],
  "5×5 of 13 output rows and 13 columns": [1, 3, 13, 13, 9, 1, 5, 5, 1, 2, 2, 1, 1],
  "3 output columns (one vector, three lanes)": [2, 2, 6, 7, 5, 1, 5, 5, 1, 0, 0, 1, 1],
  "10 output columns (a pair and a one-vector remainder)": [2, 6, 12, 14, 16, 1, 5, 5, 1, 0, 0, 1, 1],
  "11 output columns, padding 2": [2, 2, 7, 11, 7, 1, 5, 5, 1, 2, 2, 1, 1],
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

interface Operands {
  g: Conv2dGeometry;
  x: { f32: Float32Array; f64: Float64Array };
  w: { f32: Float32Array; f64: Float64Array };
  b: { f32: Float32Array; f64: Float64Array };
  gy: { f32: Float32Array; f64: Float64Array };
}

function operands(spec: Spec, xSpecial: Record<number, number> = {}, gySpecial: Record<number, number> = {}): Operands {
  const g = geometry(spec);
  return {
    g,
    x: values(g.n * g.c * g.h * g.w, xSpecial),
    w: values(g.o * (g.c / g.groups) * g.kh * g.kw),
    b: values(g.o),
    gy: values(g.n * g.o * g.oh * g.ow, gySpecial),
  };
}

/** The three kernels on the wasm backend, x and gy stored as `layout` says, into fresh arrays. */
function runWasm({ g, x, w, b, gy }: Operands, layout: "contiguous" | "transposed" | "foreign") {
  const xShape = [g.n, g.c, g.h, g.w];
  const gyShape = [g.n, g.o, g.oh, g.ow];
  const wShape = [g.o, g.c / g.groups, g.kh, g.kw];
  const as = (data: Float32Array, shape: number[]): StridedView =>
    layout === "transposed" ? transposedView(data, shape) : view(layout === "foreign" ? Float32Array.from(data) : data, shape);
  const y = new Float32Array(g.n * g.o * g.oh * g.ow);
  const gx = new Float32Array(g.n * g.c * g.h * g.w);
  const gw = new Float32Array(w.f32.length);
  conv2d(g, as(x.f32, xShape), view(w.f32, wShape), view(b.f32, [g.o]), y);
  conv2dInput(g, as(gy.f32, gyShape), view(w.f32, wShape), gx);
  conv2dWeight(g, as(x.f32, xShape), as(gy.f32, gyShape), gw);
  return { y, gx, gw };
}

function runReference({ g, x, w, b, gy }: Operands) {
  const xv = view(x.f64, [g.n, g.c, g.h, g.w]);
  const wv = view(w.f64, [g.o, g.c / g.groups, g.kh, g.kw]);
  const gyv = view(gy.f64, [g.n, g.o, g.oh, g.ow]);
  const y = new Float64Array(g.n * g.o * g.oh * g.ow);
  const gx = new Float64Array(g.n * g.c * g.h * g.w);
  const gw = new Float64Array(w.f64.length);
  jsBackend.conv2d(g, xv, wv, view(b.f64, [g.o]), y);
  jsBackend.conv2dInput(g, gyv, wv, gx);
  jsBackend.conv2dWeight(g, xv, gyv, gw);
  return { y, gx, gw };
}

function check(ops: Operands, layout: "contiguous" | "transposed" | "foreign"): void {
  const { g } = ops;
  const got = runWasm(ops, layout);
  const want = runReference(ops);
  // a sum of K products of values below 1 in magnitude: float32 rounding grows with K
  const k = (g.c / g.groups) * g.kh * g.kw;
  expectNear(got.y, want.y, k, "y");
  expectNear(got.gx, want.gx, g.o * g.kh * g.kw, "gx");
  expectNear(got.gw, want.gw, g.n * g.oh * g.ow, "gw");
}

describe("direct convolution kernels match the float64 reference", () => {
  it.each(Object.entries(CASES))("%s", (_, spec) => {
    convTuning.directTaps = 10_000;
    const g = geometry(spec);
    expect(directPath(g, "forward")).toBe(true);
    expect(directPath(g, "weight")).toBe(true);
    // the input gradient runs direct for row stride 1
    expect(directPath(g, "input")).toBe(g.sh === 1);
    // the weight gradient both ways: output columns in the lanes, and output channels
    for (const lanes of ["columns", "channels"] as const) {
      convTuning.weightLanes = lanes;
      for (const layout of ["contiguous", "transposed", "foreign"] as const) check(operands(spec), layout);
    }
    convTuning.weightLanes = "auto";
    // and the im2col + GEMM path agrees on the same operands
    const ops = operands(spec);
    const direct = runWasm(ops, "contiguous");
    convTuning.directTaps = 0;
    expect(directPath(g, "forward") || directPath(g, "weight") || directPath(g, "input")).toBe(false);
    const gemm = runWasm(ops, "contiguous");
    const scale = (g.c / g.groups) * g.kh * g.kw + g.o * g.kh * g.kw + g.n * g.oh * g.ow;
    expectNear(direct.y, Float64Array.from(gemm.y), scale, "y (direct vs GEMM)");
    expectNear(direct.gx, Float64Array.from(gemm.gx), scale, "gx (direct vs GEMM)");
    expectNear(direct.gw, Float64Array.from(gemm.gw), scale, "gw (direct vs GEMM)");
  });

  it.each([1, 2, 3, 9, 10, 11, 12, 13])("an output row of %i columns: each output bit-identical to the same output computed in a pair of vectors", (ow) => {
    // A row's odd last vector runs as a one-vector tile; it must sum the same taps in the same
    // order as the two-vector tiles do. The same input widened on the right (so ow rounds up to
    // whole pairs) computes the first ow columns in pairs only: they must agree bit for bit.
    convTuning.directTaps = 10_000;
    const wide = Math.ceil(ow / 8) * 8;
    for (const [c, o, k, p] of [[6, 16, 5, 0], [1, 6, 5, 2], [2, 5, 3, 1]] as const) {
      const narrow = geometry([2, c, 6, ow + k - 1 - 2 * p, o, 1, k, k, 1, p, p, 1, 1]);
      const widened = geometry([2, c, 6, wide + k - 1 - 2 * p, o, 1, k, k, 1, p, p, 1, 1]);
      expect(narrow.ow).toBe(ow);
      expect(directPath(narrow, "forward") && directPath(widened, "forward")).toBe(true);
      const xw = values(widened.n * c * widened.h * widened.w);
      const xn = wasm.alloc("float32", narrow.n * c * narrow.h * narrow.w) as Float32Array;
      const columns = narrow.w;
      // the narrow input is the widened one's first columns; with padding p the narrow row's last
      // padded column (zero) must be zero in the wide input too
      for (let r = 0; r < narrow.n * c * narrow.h; r++) {
        for (let cc = 0; cc < columns; cc++) xn[r * columns + cc] = xw.f32[r * widened.w + cc]!;
        for (let cc = columns; cc < Math.min(columns + p, widened.w); cc++) xw.f32[r * widened.w + cc] = 0;
      }
      const w = values(o * c * k * k);
      const b = values(o);
      const yn = new Float32Array(narrow.n * o * narrow.oh * ow);
      const yw = new Float32Array(widened.n * o * widened.oh * wide);
      conv2d(narrow, view(xn, [narrow.n, c, narrow.h, narrow.w]), view(w.f32, [o, c, k, k]), view(b.f32, [o]), yn);
      conv2d(widened, view(xw.f32, [widened.n, c, widened.h, widened.w]), view(w.f32, [o, c, k, k]), view(b.f32, [o]), yw);
      for (let r = 0; r < narrow.n * o * narrow.oh; r++) {
        for (let cc = 0; cc < ow; cc++) {
          const [a, e] = [yn[r * ow + cc]!, yw[r * wide + cc]!];
          if (!Object.is(a, e)) expect.fail(`${c}→${o} ${k}×${k} padding ${p}, row ${r} column ${cc}: ${a}, in pairs ${e}`);
        }
      }
    }
  });

  it.each([
    ["LeNet conv2 (5×5, 12 columns)", [2, 6, 12, 12, 16, 1, 5, 5, 1, 0, 0, 1, 1]],
    ["3×3, padding 1, 9 columns", [2, 3, 7, 9, 5, 1, 3, 3, 1, 1, 1, 1, 1]],
    ["5×5, padding 2, 11 columns", [2, 2, 7, 11, 7, 1, 5, 5, 1, 2, 2, 1, 1]],
    ["5×5, 6 columns (both edges in one tile)", [2, 2, 6, 6, 5, 1, 5, 5, 1, 0, 0, 1, 1]],
    ["3×3, 3 columns (a plane narrower than a tile)", [2, 3, 5, 3, 6, 1, 3, 3, 1, 0, 0, 1, 1]],
    ["1×7, padding 3, 14 columns", [2, 2, 4, 14, 3, 1, 1, 7, 1, 0, 3, 1, 1]],
    ["row dilation 2, padding 1 × 2", [2, 2, 9, 10, 5, 1, 3, 5, 1, 1, 2, 2, 1]],
    ["padding past the kernel's reach", [2, 2, 5, 6, 3, 1, 3, 3, 1, 3, 3, 1, 1]],
    ["column dilation 3 (a run a tap)", [2, 2, 6, 13, 5, 1, 3, 3, 1, 1, 2, 1, 3]],
    ["groups 2, 3 channels a group", [2, 6, 8, 10, 6, 2, 3, 3, 1, 1, 1, 1, 1]],
  ] as [string, Spec][])("input gradient at a plane's edge, %s: bit-identical to the same outputs inside a wider plane", (_, spec) => {
    // Edge tiles leave out the taps that reach past gy (products of zeros). gy widened by 4 zero
    // columns on each side (x by 8 columns) puts the same outputs 4 columns on, in tiles at the
    // same place modulo 4 that reach no edge: those sum every product, zeros included, in the
    // same order, and must agree bit for bit with the edge tiles.
    convTuning.directTaps = 10_000;
    const g = geometry(spec);
    const [n, c, h, w, o, groups, kh, kw, , ph, pw, dh, dw] = spec;
    const wide = geometry([n, c, h, w + 8, o, groups, kh, kw, 1, ph, pw, dh, dw]);
    expect(wide.ow).toBe(g.ow + 8);
    expect(directPath(g, "input") && directPath(wide, "input")).toBe(true);
    const gy = values(n * o * g.oh * g.ow);
    const gyWide = wasm.alloc("float32", n * o * g.oh * wide.ow) as Float32Array;
    for (let r = 0; r < n * o * g.oh; r++) {
      for (let x = 0; x < g.ow; x++) gyWide[r * wide.ow + x + 4] = gy.f32[r * g.ow + x]!;
    }
    const weight = values(o * (c / groups) * kh * kw);
    const wShape = [o, c / groups, kh, kw];
    const gx = new Float32Array(n * c * h * w);
    const gxWide = new Float32Array(n * c * h * wide.w);
    conv2dInput(g, view(gy.f32, [n, o, g.oh, g.ow]), view(weight.f32, wShape), gx);
    conv2dInput(wide, view(gyWide, [n, o, g.oh, wide.ow]), view(weight.f32, wShape), gxWide);
    for (let r = 0; r < n * c * h; r++) {
      for (let x = 0; x < w; x++) {
        const [a, e] = [gx[r * w + x]!, gxWide[r * wide.w + x + 4]!];
        if (!Object.is(a, e)) expect.fail(`row ${r} column ${x}: ${a}, inside the wider plane ${e}`);
      }
    }
  });

  it.each([1, 2, 3])("a weight gradient of %i kernel columns (narrow tiles) is bit-identical to a 5-column kernel's first columns, columns in the lanes", (kw) => {
    // With output columns in the lanes, kernels of at most 3 columns run 2×3 tiles, 5 columns 2×5;
    // each tile column must sum the same products in the same order. Input widened by 5 − kw
    // columns keeps ow, so the 5-column kernel's dW[..., j] for j < kw sums exactly what the
    // narrow kernel's does.
    convTuning.directTaps = 10_000;
    convTuning.weightLanes = "columns";
    for (const [c, o, ow] of [[1, 32, 26], [2, 3, 9], [3, 5, 2]] as const) {
      const narrow = geometry([2, c, 5, ow + kw - 1, o, 1, 3, kw, 1, 0, 0, 1, 1]);
      const wide = geometry([2, c, 5, ow + 4, o, 1, 3, 5, 1, 0, 0, 1, 1]);
      expect(narrow.ow === ow && wide.ow === ow).toBe(true);
      expect(directPath(narrow, "weight") && directPath(wide, "weight")).toBe(true);
      const xw = values(wide.n * c * wide.h * wide.w);
      const xn = wasm.alloc("float32", narrow.n * c * narrow.h * narrow.w) as Float32Array;
      for (let r = 0; r < narrow.n * c * narrow.h; r++) {
        for (let cc = 0; cc < narrow.w; cc++) xn[r * narrow.w + cc] = xw.f32[r * wide.w + cc]!;
      }
      const gy = values(narrow.n * o * narrow.oh * ow);
      const gyShape = [narrow.n, o, narrow.oh, ow];
      const dn = new Float32Array(o * c * 3 * kw);
      const dw = new Float32Array(o * c * 3 * 5);
      conv2dWeight(narrow, view(xn, [narrow.n, c, narrow.h, narrow.w]), view(gy.f32, gyShape), dn);
      conv2dWeight(wide, view(xw.f32, [wide.n, c, wide.h, wide.w]), view(gy.f32, gyShape), dw);
      for (let r = 0; r < o * c * 3; r++) {
        for (let j = 0; j < kw; j++) {
          const [a, e] = [dn[r * kw + j]!, dw[r * 5 + j]!];
          if (!Object.is(a, e)) expect.fail(`${c}→${o}, ${ow} columns, dW row ${r} column ${j}: ${a}, in 2×5 tiles ${e}`);
        }
      }
    }
  });

  it("forward tiles of 3 output channels give each output bit-identical to tiles of 4", () => {
    // 6 or 9 channels a group run in tiles of 3 (no empty slot), 8 or 12 in tiles of 4: the
    // first 6 of 8 channels' weights and biases alone (o = 6) must give the same outputs.
    convTuning.directTaps = 10_000;
    const [n, c, h, w, k] = [2, 2, 8, 11, 5];
    const x = values(n * c * h * w);
    for (const [few, many] of [[6, 8], [9, 12]] as const) {
      const wt = values(many * c * k * k);
      const b = values(many);
      const y = (o: number): Float32Array => {
        const g = geometry([n, c, h, w, o, 1, k, k, 1, 2, 2, 1, 1]);
        expect(directPath(g, "forward")).toBe(true);
        const out = new Float32Array(n * o * g.oh * g.ow);
        conv2d(g, view(x.f32, [n, c, h, w]), view(wt.f32.subarray(0, o * c * k * k), [o, c, k, k]), view(b.f32.subarray(0, o), [o]), out);
        return out;
      };
      const [a, e] = [y(few), y(many)];
      const plane = a.length / (n * few);
      for (let s = 0; s < n; s++) {
        for (let i = 0; i < few * plane; i++) {
          const [got, want] = [a[s * few * plane + i]!, e[s * many * plane + i]!];
          if (!Object.is(got, want)) expect.fail(`${few} channels, sample ${s}, element ${i}: ${got}, in tiles of 4 ${want}`);
        }
      }
    }
  });

  it.each([
    ["LeNet conv2: 10 columns", [2, 6, 14, 14, 16, 1, 5, 5, 1, 0, 0, 1, 1]],
    ["an odd number of positions (7 × 7), padding 2", [2, 3, 7, 7, 16, 1, 5, 5, 1, 2, 2, 1, 1]],
    ["two groups of 16, row stride 2, dilation 2 × 1", [2, 4, 13, 11, 32, 2, 3, 3, 2, 1, 1, 2, 1]],
    ["32 channels, 1 × 1 kernel on 9 columns", [1, 5, 3, 9, 32, 1, 1, 1, 1, 0, 0, 1, 1]],
  ] as [string, Spec][])("a forward with channels in the lanes gives each output bit-identical to the column tiles: %s", (_, spec) => {
    // The lane tiles (16 channels × 2 positions) add each output's taps in the same order, from
    // the same bias, as the column tiles (4 channels × 8 columns): the same numbers bit for bit,
    // and both within the float64 reference's bound.
    convTuning.directTaps = 10_000;
    const ops = operands(spec);
    const { g } = ops;
    expect(directPath(g, "forward")).toBe(true);
    const xv = view(ops.x.f32, [g.n, g.c, g.h, g.w]);
    const wv = view(ops.w.f32, [g.o, g.c / g.groups, g.kh, g.kw]);
    const y = (lanes: "columns" | "channels"): Float32Array => {
      convTuning.forwardLanes = lanes;
      const out = new Float32Array(g.n * g.o * g.oh * g.ow);
      conv2d(g, xv, wv, view(ops.b.f32, [g.o]), out);
      return out;
    };
    const [byColumns, byChannels] = [y("columns"), y("channels")];
    for (let i = 0; i < byColumns.length; i++) {
      if (!Object.is(byChannels[i], byColumns[i])) expect.fail(`y[${i}]: ${byChannels[i]}, by columns ${byColumns[i]}`);
    }
    expectNear(byChannels, runReference(ops).y, (g.c / g.groups) * g.kh * g.kw, "y");
  });

  it("a forward takes channels in the lanes where the column tiles waste lanes over many taps", () => {
    startKernels();
    // LeNet conv2: 10 columns (12 computed), 150 taps, 16 channels
    expect(Boolean(kernels.forwardByChannels(16, 150, 10))).toBe(true);
    // whole vectors, few taps, or channels that do not fill whole tiles of 16
    expect(Boolean(kernels.forwardByChannels(16, 150, 12))).toBe(false);
    expect(Boolean(kernels.forwardByChannels(32, 9, 26))).toBe(false);
    expect(Boolean(kernels.forwardByChannels(6, 150, 10))).toBe(false);
  });

  it("a weight gradient with channels in the lanes is bit-identical whichever tile shape computed it", () => {
    // Tiles hold 4 channel vectors × 2 taps, 2 × 4 or 1 × 8 (a group's last 3 vectors run as 4):
    // each dW element must sum the same products in the same order in any of them. The first
    // 4 of 16 channels' gy alone (o = 4: 1 × 8 tiles), the first 8 (2 × 4) and the first 12
    // (4 × 2 over 3 vectors) give the same dW rows as all 16 (4 × 2 tiles).
    convTuning.directTaps = 10_000;
    convTuning.weightLanes = "channels";
    const [n, c, h, w, k] = [2, 3, 9, 11, 5];
    const x = values(n * c * h * w);
    const gy16 = values(n * 16 * (h - k + 1) * (w - k + 1));
    const dW = (o: number): Float32Array => {
      const g = geometry([n, c, h, w, o, 1, k, k, 1, 0, 0, 1, 1]);
      expect(directPath(g, "weight")).toBe(true);
      const p = g.oh * g.ow;
      const gy = wasm.alloc("float32", n * o * p) as Float32Array;
      for (let s = 0; s < n; s++) gy.set(gy16.f32.subarray(s * 16 * p, s * 16 * p + o * p), s * o * p);
      const out = new Float32Array(o * c * k * k);
      conv2dWeight(g, view(x.f32, [n, c, h, w]), view(gy, [n, o, g.oh, g.ow]), out);
      return out;
    };
    const all = dW(16);
    for (const o of [4, 8, 12]) {
      const part = dW(o);
      for (let i = 0; i < part.length; i++) {
        if (!Object.is(part[i], all[i])) expect.fail(`o = ${o}, dW[${i}]: ${part[i]}, with 16 channels ${all[i]}`);
      }
    }
  });

  it("leaves column strides and products with many taps to im2col + GEMM", () => {
    const strided: Conv2dGeometry = { ...geometry([1, 2, 9, 9, 3, 1, 3, 3, 1, 1, 1, 1, 1]), sw: 2, ow: 5 };
    expect(directPath(strided, "forward")).toBe(false);
    expect(directPath(strided, "weight")).toBe(false);
    expect(directPath(strided, "input")).toBe(false);
    const wide = geometry([1, 64, 9, 9, 8, 1, 3, 3, 1, 1, 1, 1, 1]); // 576 taps
    expect(directPath(wide, "forward")).toBe(false);
    expect(directPath(wide, "weight")).toBe(false);
  });

  it("a non-finite input reaches exactly the outputs and weight gradients the reference says", () => {
    convTuning.directTaps = 10_000;
    // 9 output columns: with columns in the lanes the weight gradient's last vector of each row
    // has lanes past ow, which read real x values (here inf and NaN) that must not meet the zero
    // gy there; with channels in the lanes, 3 channels leave a lane of zero gy
    const spec: Spec = [2, 2, 6, 11, 3, 1, 3, 3, 1, 0, 0, 1, 1];
    const g = geometry(spec);
    expect(g.ow % 4).not.toBe(0);
    const at = (n: number, c: number, y: number, x: number) => ((n * g.c + c) * g.h + y) * g.w + x;
    const ops = operands(spec, { [at(0, 1, 2, 10)]: Infinity, [at(1, 0, 4, 9)]: NaN, [at(1, 1, 0, 0)]: -Infinity }, { 5: Infinity });
    for (const lanes of ["columns", "channels"] as const) {
      convTuning.weightLanes = lanes;
      check(ops, "contiguous");
    }
  });

  it("split across two threads gives exactly the one-thread result", async () => {
    convTuning.directTaps = 10_000;
    const before = getNumThreads();
    setNumThreads(2);
    expect(await idleHelpersReady()).toBeGreaterThanOrEqual(1);
    try {
      // enough multiply-adds to share: chunks of samples forward, of dW's channel tiles or
      // units backward, the forward and the weight gradient both ways
      const ops = operands([16, 3, 20, 22, 16, 1, 5, 5, 1, 2, 2, 1, 1]);
      for (const lanes of ["columns", "channels"] as const) {
        convTuning.weightLanes = lanes;
        convTuning.forwardLanes = lanes;
        setNumThreads(2);
        const two = runWasm(ops, "contiguous");
        setNumThreads(1);
        const one = runWasm(ops, "contiguous");
        expect(Array.from(two.y)).toEqual(Array.from(one.y));
        expect(Array.from(two.gx)).toEqual(Array.from(one.gx));
        expect(Array.from(two.gw)).toEqual(Array.from(one.gw));
      }
    } finally {
      setNumThreads(before);
    }
  });
});
