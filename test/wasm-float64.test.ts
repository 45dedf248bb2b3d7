/**
 * The wasm backend's float64 kernels (f64x2) against the JS reference: matmul (every transpose,
 * the cache blocks, batches with broadcast dims, two threads), the reductions, the arg-reductions,
 * the fused softmax, the Adam/AdamW and SGD steps, strided copies, gather/scatterAdd, col2im,
 * max pooling and the f64x2 exp/tanh/sigmoid, on odd
 * sizes, strided, offset and broadcast views, storage outside the wasm memory and empty shapes.
 * Each case also checks that the JS kernel was not called: float64 stays in wasm.
 * Agreement: 1e-12 relative where the wasm kernel reorders sums (measured against the sum of
 * magnitudes, the honest scale of a sum's rounding), bit for bit where it does not.
 * The PyTorch check (test/fixtures/float64.json, scripts/make_float64_fixtures.py) is at the end.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { idleHelpersReady, seededRandom } from "./helpers.js";
import { adamAtOneAndTwoThreads } from "./adam-threads.js";
import "../packages/nabla/src/index.js";
import type { Backend, StridedView } from "../packages/nabla/src/backend/backend.js";
import { jsBackend } from "../packages/nabla/src/backend/js/index.js";
import { wasmBackend } from "../packages/nabla/src/backend/wasm/index.js";
import { adamStep as loopAdamStep, sgdStep as loopSgdStep } from "../packages/nabla/src/backend/js/optim-steps.js";
import { inHeap } from "../packages/nabla/src/backend/wasm/heap.js";
import { softmaxReference } from "../packages/nabla/src/ops/softmax.js";
import { contiguousStrides, numelOf } from "../packages/nabla/src/tensor/shape.js";
import {
  argmax, getBackend, getNumThreads, logSoftmax, logsumexp, matmul, max, min, nn, optim, setBackend, setNumThreads, softmax, sum, tensor,
  type Tensor,
} from "../packages/nabla/src/index.js";

const wasm = wasmBackend as Backend;
const onWasm = process.env.NABLA_BACKEND !== "js";

const random = seededRandom(64); // failures reproduce

type Layout = "contiguous" | "transposed" | "offset" | "foreign";

/**
 * A float64 array of `n` in wasm memory (the backend keeps fewer than 1,024 elements on the JS
 * heap). Untracked: the collector would free the block once the full array is unreachable, while
 * the subarray handed out still reads it.
 */
function heap64(n: number): Float64Array {
  return (wasm.alloc("float64", Math.max(1024, n), true, "test", false) as Float64Array).subarray(0, n);
}

/** Random float64 values of `n` in wasm memory (or a plain array when foreign), uniform in ±scale. */
function filled(n: number, scale = 3, foreign = false): Float64Array {
  const a = foreign ? new Float64Array(n) : heap64(n);
  for (let i = 0; i < n; i++) a[i] = (random() * 2 - 1) * scale;
  return a;
}

/** A random float64 view of `shape`: contiguous, its last two dims stored transposed, at an offset with padded rows, or contiguous outside wasm memory. */
function randomView(shape: number[], layout: Layout, scale = 3): StridedView {
  const nd = shape.length;
  let storeShape = shape.slice();
  if (layout === "transposed" && nd >= 2) storeShape = [...shape.slice(0, -2), shape[nd - 1]!, shape[nd - 2]!];
  if (layout === "offset" && nd >= 1) storeShape = [...shape.slice(0, -1), shape[nd - 1]! + 5];
  const offset = layout === "offset" ? 7 : 0;
  const data = filled(numelOf(storeShape) + offset, scale, layout === "foreign");
  let strides = contiguousStrides(storeShape);
  if (layout === "transposed" && nd >= 2) strides = [...strides.slice(0, -2), strides[nd - 1]!, strides[nd - 2]!];
  return { data, shape, strides, offset };
}

/** |a − e| ≤ rel·scale[i] (scale defaults to |e|) + abs; NaN meets NaN, infinities are equal. */
function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, { rel = 1e-12, abs = 1e-300, scale }: { rel?: number; abs?: number; scale?: ArrayLike<number> } = {}): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (!Object.is(a, e)) expect.fail(`${what}[${i}]: got ${a}, expected ${e}`);
      continue;
    }
    const s = scale ? scale[i]! : Math.max(Math.abs(a), Math.abs(e));
    if (!(Math.abs(a - e) <= rel * s + abs)) expect.fail(`${what}[${i}]: got ${a}, expected ${e} (diff ${a - e})`);
  }
}

/** Bit-for-bit equality (NaN meets NaN, and −0 must be −0). */
function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) expect.fail(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]}`);
}

/** Runs `f` and checks that it did not hand `method` to the JS backend. */
function staysInWasm<T>(method: keyof Backend, f: () => T): T {
  const spy = vi.spyOn(jsBackend as unknown as Record<string, (...args: unknown[]) => unknown>, method as string);
  try {
    const result = f();
    expect(spy, `${String(method)} went to the JS backend`).not.toHaveBeenCalled();
    return result;
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => setBackend(onWasm ? "wasm" : "js"));

describe("float64 wasm kernels agree with the JS reference", () => {
  /** Σ|a||b| per element: the scale a k-term float64 dot product's rounding is measured against. */
  function magnitude(a: StridedView, b: StridedView, m: number, k: number, n: number, batchShape: number[]): Float64Array {
    const absView = (v: StridedView): StridedView => ({ ...v, data: Float64Array.from(v.data, Math.abs) });
    const out = new Float64Array(numelOf(batchShape) * m * n);
    jsBackend.matmul({ a: absView(a), b: absView(b), out, batchShape, m, k, n });
    return out;
  }

  /** `poison` writes ±inf and NaN into the operands first (expectNear then wants non-finite elements exactly). */
  function checkMatmul(m: number, k: number, n: number, la: Layout, lb: Layout, batchShape: number[] = [], broadcast: "" | "a" | "b" = "", poison = false): void {
    let a = randomView([...batchShape, m, k], la);
    let b = randomView([...batchShape, k, n], lb);
    const zeroBatch = (v: StridedView): StridedView => ({ ...v, strides: [...batchShape.map(() => 0), ...v.strides.slice(-2)] });
    if (broadcast === "a") a = zeroBatch(a);
    if (broadcast === "b") b = zeroBatch(b);
    if (poison) {
      // A[m-1, 0] = +inf, A[0, k-1] = NaN, B[k-1, n-1] = −inf
      const nb = batchShape.length;
      a.data[a.offset + (m - 1) * a.strides[nb]!] = Infinity;
      a.data[a.offset + (k - 1) * a.strides[nb + 1]!] = NaN;
      b.data[b.offset + (k - 1) * b.strides[nb]! + (n - 1) * b.strides[nb + 1]!] = -Infinity;
    }
    const size = numelOf(batchShape) * m * n;
    const expected = new Float64Array(size);
    const actual = heap64(size);
    jsBackend.matmul({ a, b, out: expected, batchShape, m, k, n });
    const run = () => wasm.matmul({ a, b, out: actual, batchShape, m, k, n });
    // below 512 multiply-adds (or with k = 0) the JS loop runs by design
    if (m * n * k >= 512) staysInWasm("matmul", run);
    else run();
    expectNear(actual, expected, `matmul ${batchShape}×${m}x${k}x${n} ${la}/${lb}${broadcast}`, { rel: 1e-13, scale: magnitude(a, b, m, k, n, batchShape) });
  }

  it("matmul on odd sizes and all four transpose combinations", () => {
    const sizes = [1, 3, 17, 66];
    for (const m of sizes) {
      for (const k of sizes) {
        for (const n of sizes) {
          for (const la of ["contiguous", "transposed"] as const) {
            for (const lb of ["contiguous", "transposed"] as const) checkMatmul(m, k, n, la, lb);
          }
        }
      }
    }
  });

  // The kernel paths (assembly/matmul.ts, at float64): the dot-product kernel where A and B are both
  // contiguous in k, k ≥ 32 and m ≤ 64; B read in place where it is row-major and m ≤ 32; the
  // packed GEMM otherwise. Sizes on and off the tiles (4 rows, 4 columns, 2 k) and the thresholds.
  const PATHS: [number, number, number, Layout, Layout][] = [
    // dot: x·Wᵀ at the LSTM's batch, odd k, m % 4 ≠ 0, the threshold rows and k
    [20, 200, 800, "contiguous", "transposed"], [5, 33, 9, "offset", "transposed"], [64, 130, 3, "contiguous", "transposed"],
    [1, 32, 1, "contiguous", "transposed"], [63, 32, 31, "foreign", "transposed"], [65, 64, 17, "contiguous", "transposed"],
    [20, 31, 17, "contiguous", "transposed"],
    // B in place: g·W at the LSTM's batch, partial column panels, k across the 256 block, 32/33 rows
    [20, 800, 200, "contiguous", "contiguous"], [3, 20, 13, "transposed", "offset"], [32, 300, 9, "offset", "contiguous"],
    [33, 40, 16, "contiguous", "contiguous"], [1, 7, 1030, "transposed", "contiguous"],
    // packed: gᵀ·h (weight gradients), the LSTMCell program's and the MLP's shapes
    [200, 20, 40, "transposed", "contiguous"], [97, 51, 204, "contiguous", "transposed"], [204, 97, 51, "transposed", "contiguous"],
    [35, 51, 97, "transposed", "transposed"],
  ];

  it("matmul on each kernel path, on and off its tiles and thresholds", () => {
    for (const [m, k, n, la, lb] of PATHS) checkMatmul(m, k, n, la, lb);
  });

  it("matmul propagates inf and NaN as the JS reference on each kernel path", () => {
    for (const [m, k, n, la, lb] of PATHS) checkMatmul(m, k, n, la, lb, [], "", true);
    checkMatmul(5, 70, 6, "contiguous", "transposed", [2], "", true);
  });

  it("matmul across the cache blocks (k > 256, n > 1024, m > 64), offset and foreign operands", () => {
    checkMatmul(130, 300, 70, "contiguous", "contiguous");
    checkMatmul(67, 257, 9, "transposed", "transposed");
    checkMatmul(5, 19, 1100, "contiguous", "transposed");
    checkMatmul(9, 600, 1030, "offset", "contiguous");
    checkMatmul(40, 33, 29, "foreign", "offset");
    checkMatmul(33, 40, 29, "transposed", "foreign");
  });

  it("batched matmul with broadcast batch dims", () => {
    checkMatmul(17, 3, 65, "contiguous", "transposed", [2, 3]);
    checkMatmul(5, 17, 9, "transposed", "contiguous", [3], "b");
    checkMatmul(65, 17, 3, "offset", "contiguous", [2], "a");
    checkMatmul(7, 9, 11, "contiguous", "contiguous", [2, 1, 3]);
  });

  it("matmul with an empty dim (m, n or k = 0) and with k = 0 gives zeros", () => {
    for (const [m, k, n] of [[0, 5, 7], [7, 5, 0], [12, 0, 9]] as const) {
      const out = heap64(m * n).fill(7);
      wasm.matmul({ a: randomView([m, k], "contiguous"), b: randomView([k, n], "contiguous"), out, batchShape: [], m, k, n });
      expect(Array.from(out)).toEqual(new Array(m * n).fill(0));
    }
    // k = 0 at a size the GEMM would take
    const out = heap64(64 * 64).fill(7);
    wasm.matmul({ a: randomView([64, 0], "contiguous"), b: randomView([0, 64], "contiguous"), out, batchShape: [], m: 64, k: 0, n: 64 });
    expect(out.every((v) => v === 0)).toBe(true);
  });

  it("matmul split across two threads gives exactly the one-thread result", async () => {
    const before = getNumThreads();
    setNumThreads(2);
    expect(await idleHelpersReady()).toBeGreaterThanOrEqual(1);
    for (const [m, k, n, la, lb] of [
      [255, 300, 17, "contiguous", "transposed"], // split by rows
      [17, 300, 255, "transposed", "contiguous"], // split by columns
      [129, 257, 131, "offset", "contiguous"],
      [20, 200, 800, "contiguous", "transposed"], // the dot kernel, split by columns
      [64, 100, 50, "contiguous", "transposed"], // the dot kernel, split by rows
      [100, 130, 60, "contiguous", "transposed"], // the GEMM: a thread's 52 rows must not take the dot kernel
      [30, 300, 200, "contiguous", "contiguous"], // B in place
    ] as const) {
      const a = randomView([m, k], la);
      const b = randomView([k, n], lb);
      const one = heap64(m * n);
      const two = heap64(m * n);
      setNumThreads(1);
      wasm.matmul({ a, b, out: one, batchShape: [], m, k, n });
      setNumThreads(2);
      wasm.matmul({ a, b, out: two, batchShape: [], m, k, n });
      expectSame(two, one, `two threads ${m}x${k}x${n}`);
      checkMatmul(m, k, n, la, lb);
    }
    setNumThreads(before);
  });

  const SHAPES = [[1, 1], [1, 3], [3, 17], [17, 255], [255, 3], [255, 1], [2, 1001], [1, 64]] as const;

  for (const op of ["sum", "prod", "max", "min", "logsumexp"] as const) {
    it(`reduce ${op}, with ±inf and NaN rows, in place and from outside wasm memory`, () => {
      for (const [outer, inner] of SHAPES) {
        for (const foreign of [false, true]) {
          // prod of 1000 values of ±3 would overflow: keep its factors near 1
          const x = filled(outer * inner, op === "prod" ? 1 : 3, foreign);
          if (op === "prod") for (let i = 0; i < x.length; i++) x[i] = 1 + x[i]! / 4;
          if (outer >= 17) {
            x[inner] = Infinity; // row 1
            x[2 * inner] = -Infinity; // row 2: every element −inf in row 2 when inner is 1
            x[3 * inner + inner - 1] = NaN; // row 3
            if (inner > 1) x.fill(-Infinity, 4 * inner, 5 * inner); // row 4: all −inf
          }
          const expected = new Float64Array(outer);
          const actual = heap64(outer);
          jsBackend.reduce(op, x, outer, inner, expected);
          const run = () => wasm.reduce(op, x, outer, inner, actual);
          if (outer * inner >= 64) staysInWasm("reduce", run);
          else run();
          // a sum is held to its terms' magnitudes: the wasm one adds in four lanes
          const scale = op === "sum" ? Float64Array.from({ length: outer }, (_, o) => x.subarray(o * inner, (o + 1) * inner).reduce((s, v) => s + Math.abs(v), 0)) : undefined;
          if (op === "max" || op === "min" || op === "prod") expectSame(actual.map((v) => v + 0), expected.map((v) => v + 0), `${op} ${outer}x${inner}`);
          else expectNear(actual, expected, `${op} ${outer}x${inner} ${foreign ? "foreign" : ""}`, { scale });
        }
      }
    });
  }

  for (const op of ["max", "min"] as const) {
    it(`argReduce ${op}: first index on ties, NaN winning`, () => {
      for (const [outer, inner] of [[1, 64], [5, 17], [255, 4], [17, 255], [1000, 3]] as const) {
        const x = filled(outer * inner);
        for (let i = 0; i < x.length; i += 7) x[i] = Math.round(x[i]!); // ties
        if (x.length > 40) x[40] = NaN;
        const ev = new Float64Array(outer);
        const ei = new Int32Array(outer);
        const av = heap64(outer);
        const ai = new Int32Array(outer);
        jsBackend.argReduce(op, x, outer, inner, ev, ei);
        staysInWasm("argReduce", () => wasm.argReduce(op, x, outer, inner, av, ai));
        expectSame(av, ev, `${op} values`);
        expect(Array.from(ai)).toEqual(Array.from(ei));
      }
    });
  }

  for (const log of [false, true]) {
    const name = log ? "logSoftmax" : "softmax";
    it(`the fused ${name} forward agrees with the reference written in ops on the JS backend`, () => {
      for (const [outer, inner] of [[1, 64], [64, 1], [64, 10], [17, 17], [3, 255], [2, 1001]] as const) {
        const n = outer * inner;
        const x = filled(n, 30);
        x[0] = 100;
        if (inner > 1) x[1] = -100;
        if (inner > 2) x[2] = -Infinity;
        if (outer > 1 && inner > 1) x.fill(-Infinity, inner, 2 * inner); // a row of −inf: NaN, as the reference gives
        const actual = heap64(n);
        expect(wasm.fused!.softmax!(x, outer, inner, actual, log)).toBe(true);
        setBackend("js");
        const reference = softmaxReference(tensor(x.slice(), { dtype: "float64" }).reshape(outer, inner), 1, log).toTypedArray();
        // log-softmax near 0 is (x − m) − log Σ, a cancellation: log Σ's rounding (Σ adds in another order) shows absolutely
        expectNear(actual, reference, `${name} ${outer}x${inner}`, { abs: log ? 1e-13 : 1e-300 });
      }
    });
  }

  it("the fused Adam/AdamW (AMSGrad, maximize, weight decay) step gives the plain loop's bits over several steps", () => {
    // 100,003 doubles: split across threads (pool.ts), with an odd end
    for (const n of [1, 3, 17, 255, 1001, 100_003]) {
      for (const [decoupled, weightDecay, amsgrad, maximize] of [
        [false, 0, false, false],
        [false, 0.01, true, false],
        [true, 0.01, false, true],
        [true, 0.1, true, false],
      ] as const) {
        const fresh = (seed: number) => {
          const s = seededRandom(seed);
          const buf = (positive = false) => {
            const a = heap64(n);
            for (let i = 0; i < n; i++) a[i] = positive ? s() : s() * 2 - 1;
            return a;
          };
          return { param: buf(), grad: buf(), expAvg: buf(), expAvgSq: buf(true), maxExpAvgSq: amsgrad ? buf(true) : null };
        };
        const ref = fresh(n);
        const got = fresh(n);
        for (let step = 1; step <= 3; step++) {
          const options = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, decoupled, maximize, step };
          loopAdamStep({ ...ref, ...options });
          wasm.fused!.adamStep!({ ...got, ...options });
        }
        const what = `n=${n} decoupled=${decoupled} wd=${weightDecay} amsgrad=${amsgrad}`;
        for (const key of ["param", "expAvg", "expAvgSq", "maxExpAvgSq"] as const) {
          if (ref[key]) expectSame(got[key]!, ref[key]!, `${key} ${what}`);
        }
      }
    }
  });

  it("an Adam step split across two threads gives exactly the one-thread result", async () => {
    const before = getNumThreads();
    setNumThreads(2);
    await idleHelpersReady();
    const { one, two, keys } = adamAtOneAndTwoThreads(wasm, heap64, 200_001);
    for (const key of keys) expectSame(two[key], one[key], key);
    setNumThreads(before);
  });

  it("the fused SGD step (momentum, dampening, Nesterov, weight decay, maximize) gives the plain loop's bits", () => {
    for (const n of [1, 3, 17, 255, 1001]) {
      for (const [momentum, dampening, weightDecay, nesterov, maximize] of [
        [0, 0, 0, false, false],
        [0.9, 0, 0.01, false, false],
        [0.9, 0, 0, true, true],
        [0.5, 0.3, 0.1, false, false],
      ] as const) {
        const fresh = (seed: number) => {
          const s = seededRandom(seed);
          const buf = () => {
            const a = heap64(n);
            for (let i = 0; i < n; i++) a[i] = s() * 2 - 1;
            return a;
          };
          return { param: buf(), grad: buf(), momentumBuffer: momentum !== 0 ? buf() : null };
        };
        const ref = fresh(n);
        const got = fresh(n);
        for (let step = 1; step <= 3; step++) {
          const options = { lr: 0.1, momentum, dampening, weightDecay, nesterov, maximize, firstStep: step === 1 };
          loopSgdStep({ ...ref, ...options });
          wasm.fused!.sgdStep!({ ...got, ...options });
        }
        const what = `n=${n} momentum=${momentum} dampening=${dampening} wd=${weightDecay} nesterov=${nesterov}`;
        expectSame(got.param, ref.param, `param ${what}`);
        if (ref.momentumBuffer) expectSame(got.momentumBuffer!, ref.momentumBuffer, `buffer ${what}`);
      }
    }
  });

  it("copy of a strided view and assign into one give the JS kernel's bits", () => {
    for (const shape of [[3], [17, 3], [3, 17, 5], [66, 33, 2], [2, 3, 17, 5], [255, 17]]) {
      for (const layout of ["contiguous", "transposed", "offset"] as const) {
        const x = randomView(shape, layout);
        const expected = new Float64Array(numelOf(shape));
        const actual = heap64(numelOf(shape));
        jsBackend.copy(x, expected);
        staysInWasm("copy", () => wasm.copy(x, actual));
        expectSame(actual, expected, `copy ${shape} ${layout}`);
        // a broadcast source (stride 0 in the first dim) into the transposed destination
        const src: StridedView = { ...randomView(shape, layout), strides: [0, ...contiguousStrides(shape).slice(1)] };
        const dst = randomView(shape, "transposed");
        const dstRef = { ...dst, data: (dst.data as Float64Array).slice() };
        jsBackend.assign(dstRef, src);
        staysInWasm("assign", () => wasm.assign(dst, src));
        expectSame(dst.data as Float64Array, dstRef.data, `assign ${shape} ${layout}`);
      }
    }
  });

  it("a transposing copy (walked in 8×8 tiles, float32 and float64) gives the JS kernel's bits", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const shape of [[8, 8], [9, 17], [17, 9], [8, 100], [2, 3, 17, 9], [5, 64, 70]]) {
        const nd = shape.length;
        const stored = [...shape.slice(0, -2), shape[nd - 1]! + 3, shape[nd - 2]!]; // padded: not coalescible
        const size = numelOf(stored) + 5;
        const data = wasm.alloc(dtype, Math.max(1024, size), true, "test", false).subarray(0, size) as Float32Array | Float64Array;
        for (let i = 0; i < size; i++) data[i] = random();
        const st = contiguousStrides(stored);
        const view: StridedView = { data, shape, strides: [...st.slice(0, -2), st[nd - 1]!, st[nd - 2]!], offset: 5 };
        const numel = numelOf(shape);
        const expected = dtype === "float32" ? new Float32Array(numel) : new Float64Array(numel);
        const actual = wasm.alloc(dtype, Math.max(1024, numel), true, "test", false).subarray(0, numel) as Float32Array | Float64Array;
        jsBackend.copy(view, expected);
        staysInWasm("copy", () => wasm.copy(view, actual));
        expectSame(actual, expected, `${dtype} copy ${shape}`);
      }
    }
  });

  it("gather and scatterAdd give the JS kernel's bits", () => {
    for (const [outer, inner, k] of [[1, 1, 1], [3, 17, 5], [17, 255, 3], [64, 144, 36]] as const) {
      const s = seededRandom(outer * 1000 + inner);
      const x = filled(outer * inner);
      const index = (wasm.alloc("int32", Math.max(1024, outer * k), true, "test", false) as Int32Array).subarray(0, outer * k);
      for (let i = 0; i < index.length; i++) index[i] = Math.floor(s() * inner); // repeats: scatterAdd must sum them
      const src = filled(outer * k);
      expect([x, index, src].every(inHeap)).toBe(true);
      const gotGather = heap64(outer * k);
      const refGather = new Float64Array(outer * k);
      staysInWasm("gather", () => wasm.gather(x, index, outer, inner, k, gotGather));
      jsBackend.gather(x, index, outer, inner, k, refGather);
      expectSame(gotGather, refGather, "gather");
      const gotScatter = heap64(outer * inner);
      const refScatter = new Float64Array(outer * inner);
      staysInWasm("scatterAdd", () => wasm.scatterAdd(src, index, outer, inner, k, gotScatter));
      jsBackend.scatterAdd(src, index, outer, inner, k, refScatter);
      expectSame(gotScatter, refScatter, "scatterAdd");
    }
  });

  it("fold2d (col2im) gives the JS kernel's bits on odd sizes, strides, dilations and strided views", () => {
    // [n, c, kh, kw, oh, ow, sh, sw, dh, dw]
    const cases = [
      [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
      [2, 3, 5, 5, 3, 7, 1, 1, 1, 1],
      [3, 2, 3, 2, 5, 17, 2, 3, 1, 1],
      [1, 17, 2, 3, 4, 5, 1, 2, 2, 3],
      [1, 1, 3, 3, 1, 255, 1, 1, 1, 1],
    ];
    for (const [n, c, kh, kw, oh, ow, sh, sw, dh, dw] of cases as number[][]) {
      const shape = [n!, c!, kh!, kw!, oh!, ow!];
      const size = [(oh! - 1) * sh! + (kh! - 1) * dh! + 2, (ow! - 1) * sw! + (kw! - 1) * dw! + 1];
      const count = n! * c! * size[0]! * size[1]!;
      const stored = randomView([n!, c!, oh!, ow!, kh!, kw!], "contiguous");
      const permuted: StridedView = { ...stored, shape, strides: [0, 1, 4, 5, 2, 3].map((d) => stored.strides[d]!) };
      for (const [layout, cols] of [["contiguous", randomView(shape, "contiguous")], ["offset", randomView(shape, "offset")], ["permuted", permuted]] as const) {
        const expected = new Float64Array(count);
        const actual = heap64(count);
        jsBackend.fold2d(cols, size, [sh!, sw!], [dh!, dw!], expected);
        staysInWasm("fold2d", () => wasm.fold2d(cols, size, [sh!, sw!], [dh!, dw!], actual));
        expectSame(actual, expected, `fold2d ${shape} s=${sh},${sw} d=${dh},${dw} ${layout}`);
      }
    }
  });

  it("maxPool2d gives the JS kernel's values and indices with padding, dilation, ties and NaN", () => {
    const geos = [
      { k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1], out: (h: number, w: number) => [h >> 1, w >> 1] },
      { k: [3, 3], s: [2, 2], p: [1, 1], d: [1, 1], out: (h: number, w: number) => [Math.floor((h - 1) / 2) + 1, Math.floor((w - 1) / 2) + 1] },
      { k: [2, 2], s: [1, 1], p: [0, 0], d: [2, 2], out: (h: number, w: number) => [h - 2, w - 2] },
    ];
    for (const shape of [[1, 3, 5, 7], [3, 1, 17, 3], [2, 3, 17, 33]]) {
      for (const g of geos) {
        const out = g.out(shape[2]!, shape[3]!);
        if (out.some((o) => o <= 0)) continue;
        for (const layout of ["contiguous", "transposed", "offset"] as const) {
          const x = randomView(shape, layout);
          x.data[x.offset + 3] = x.data[x.offset + 4]!; // a tie
          x.data[x.offset + 20] = NaN;
          const count = shape[0]! * shape[1]! * out[0]! * out[1]!;
          const expected = { values: new Float64Array(count), indices: new Int32Array(count) };
          const actual = { values: heap64(count), indices: new Int32Array(count) };
          const args = { x, kernel: g.k, stride: g.s, padding: g.p, dilation: g.d, out };
          jsBackend.maxPool2d({ ...args, ...expected });
          staysInWasm("maxPool2d", () => wasm.maxPool2d({ ...args, ...actual }));
          expectSame(actual.values, expected.values, `maxPool2d ${shape} ${g.k} ${layout}`);
          expect(Array.from(actual.indices)).toEqual(Array.from(expected.indices));
        }
      }
    }
  });

  it("exp, tanh and sigmoid (f64x2 polynomials) stay within a few ulps of Math over their whole range", () => {
    setBackend("wasm");
    const xs: number[] = [0, -0, 1e-300, -1e-300, 1e-7, -1e-7, 0.3, -0.3, 0.29999999999999993, 0.30000000000000004, 709.78, 709.79, -708.4, -745.1, -745.2, 800, -800, Infinity, -Infinity, NaN];
    const s = seededRandom(11);
    for (let i = 0; i < 20_000; i++) xs.push((s() * 2 - 1) * [1, 20, 750][i % 3]!);
    const x = tensor(xs, { dtype: "float64" });
    const ulp = (e: number) => Math.max(Number.MIN_VALUE, 2 ** (Math.floor(Math.log2(Math.abs(e))) - 52));
    const sigmoid = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
    for (const [name, f, ref, ulps] of [["exp", (t: Tensor) => t.exp(), Math.exp, 1], ["tanh", (t: Tensor) => t.tanh(), Math.tanh, 4], ["sigmoid", (t: Tensor) => t.sigmoid(), sigmoid, 2]] as const) {
      const got = staysInWasm("pointwise", () => f(x)).toTypedArray();
      for (let i = 0; i < xs.length; i++) {
        const e = ref(xs[i]!);
        const a = got[i]!;
        if (Number.isNaN(e) || !Number.isFinite(e) || e === 0) {
          if (!Object.is(a, e)) expect.fail(`${name}(${xs[i]}): got ${a}, expected ${e}`);
        } else if (Math.abs(a - e) > ulps * ulp(e)) expect.fail(`${name}(${xs[i]}): got ${a}, expected ${e} (${Math.abs(a - e) / ulp(e)} ulps)`);
      }
    }
  });

  it("a float64 LSTMCell's forward and backward and an Adam step agree between the two backends", () => {
    const run = (name: "js" | "wasm") => {
      setBackend(name);
      const s = seededRandom(5);
      const cell = new nn.LSTMCell(7, 33, { dtype: "float64" });
      for (const p of cell.parameters()) p.storage.data.set(Array.from({ length: p.numel() }, () => s() - 0.5));
      const x = tensor(Array.from({ length: 13 * 7 }, () => s() * 2 - 1), { dtype: "float64" }).reshape(13, 7);
      let [h, c] = [tensor(new Float64Array(13 * 33), { dtype: "float64" }).reshape(13, 33), tensor(new Float64Array(13 * 33), { dtype: "float64" }).reshape(13, 33)];
      for (let t = 0; t < 4; t++) [h, c] = cell.forward(x, [h, c]);
      const loss = sum(h.mul(h)).add(logsumexp(c, 1).sum());
      loss.backward();
      const opt = new optim.Adam(cell.parameters(), { lr: 0.01 });
      opt.step();
      return { loss: loss.item(), h: h.toTypedArray(), params: cell.parameters().map((p) => p.toTypedArray()) };
    };
    const ref = run("js");
    const got = run("wasm");
    expectNear([got.loss], [ref.loss], "loss", { rel: 1e-12 });
    expectNear(got.h, ref.h, "h", { rel: 1e-12, abs: 1e-15 });
    got.params.forEach((p, i) => expectNear(p, ref.params[i]!, `param ${i} after a step`, { rel: 1e-10, abs: 1e-15 }));
  });
});

// ---------------------------------------------------------------------------------------------
// PyTorch 1.13 on the same inputs (scripts/make_float64_fixtures.py), on whichever backend runs.

interface Encoded {
  dtype: string;
  shape: number[];
  data: (number | string)[];
}
const decode = (e: Encoded): Tensor => {
  const values = e.data.map((v) => (typeof v === "string" ? Number(v.replace("inf", "Infinity")) : v));
  return tensor(values, { dtype: e.dtype === "int32" ? "int32" : "float64" }).reshape(e.shape);
};
const fixtures = JSON.parse(readFileSync(new URL("./fixtures/float64.json", import.meta.url), "utf8")) as Record<string, Record<string, Encoded>>;
const near = (got: Tensor, want: Encoded, what: string, rel = 1e-12) => {
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  expect(got.dtype, `${what}: dtype`).toBe(want.dtype);
  expectNear(got.toTypedArray(), decode(want).toTypedArray(), what, { rel, abs: 1e-14 });
};

describe(`float64 against PyTorch (${getBackend()} backend)`, () => {
  it("matmul, a batched matmul with a broadcast batch dim, and a transposed operand", () => {
    const f = fixtures.matmul!;
    near(matmul(decode(f.a!), decode(f.b!)), f.ab!, "a·b");
    near(matmul(decode(f.a!).t(), decode(f.c!)), f.atc!, "aᵀ·c");
    near(matmul(decode(f.ba!), decode(f.bb!)), f.bab!, "batched");
  });

  it("reductions, arg-reductions and softmax along each dim", () => {
    const f = fixtures.reduce!;
    const x = decode(f.x!);
    near(sum(x, 1), f.sum1!, "sum(x, 1)");
    near(sum(x, 0), f.sum0!, "sum(x, 0)");
    near(max(x, 1).values, f.max1!, "max(x, 1)");
    near(min(x, 0).values, f.min0!, "min(x, 0)");
    expect(Array.from(argmax(x, 1).toTypedArray())).toEqual(f.argmax1!.data);
    near(logsumexp(x, 1), f.logsumexp1!, "logsumexp(x, 1)");
    near(softmax(x, 1), f.softmax1!, "softmax(x, 1)");
    near(logSoftmax(x, 0), f.logSoftmax0!, "logSoftmax(x, 0)");
  });

  it("Adam, AdamW and SGD with Nesterov momentum over three steps", () => {
    const f = fixtures.optim!;
    for (const name of ["adam", "adamw", "sgd"] as const) {
      const p = new nn.Parameter(decode(f.p0!));
      const opt =
        name === "adam" ? new optim.Adam([p], { lr: 0.01, weightDecay: 0.1, amsgrad: true })
        : name === "adamw" ? new optim.AdamW([p], { lr: 0.01, weightDecay: 0.1 })
        : new optim.SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
      for (let step = 0; step < 3; step++) {
        opt.zeroGrad();
        p.mul(p).mul(decode(f.w!)).sum().backward();
        opt.step();
      }
      near(p.detach(), f[name]!, name);
    }
  });

  it("an LSTMCell forward and backward", () => {
    const f = fixtures.lstm!;
    const cell = new nn.LSTMCell(5, 19, { dtype: "float64" });
    const names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"] as const;
    const params = { weight_ih: cell.weight_ih, weight_hh: cell.weight_hh, bias_ih: cell.bias_ih!, bias_hh: cell.bias_hh! };
    for (const name of names) params[name].storage.data.set(decode(f[name]!).toTypedArray());
    let h = decode(f.h0!);
    let c = decode(f.c0!);
    const x = decode(f.x!);
    for (let t = 0; t < 3; t++) [h, c] = cell.forward(x, [h, c]);
    h.mul(h).sum().add(c.sum()).backward();
    near(h.detach(), f.h!, "h");
    near(c.detach(), f.c!, "c");
    for (const name of names) {
      near(params[name].grad!, f[`grad_${name}`]!, `grad ${name}`, 1e-11);
    }
  });
});
