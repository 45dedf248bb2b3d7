/**
 * The wasm backend's kernels against the JS reference, on random shapes with odd sizes
 * (1, 3, 17, 255), transposed and offset views, broadcasts, special values, and operands that
 * live outside the wasm memory. Results must agree to float32 rounding.
 */
import { describe, expect, it } from "vitest";
import { idleHelpersReady, seededRandom } from "./helpers.js";
import "../packages/nabla/src/index.js";
import type { Backend, StridedView } from "../packages/nabla/src/backend/backend.js";
import { DECLARATIONS } from "../packages/nabla/src/ops/pointwise/declarations/index.js";
import { planVariant, scalarPatterns, type Kernel } from "../packages/nabla/src/ops/pointwise/plan.js";
import { POINTWISE_KEYS } from "../packages/nabla/src/backend/wasm/pointwise-keys.generated.js";
import { jsBackend } from "../packages/nabla/src/backend/js/index.js";
import { pointwise as jsPointwise } from "../packages/nabla/src/backend/js/pointwise.js";
import { wasmBackend } from "../packages/nabla/src/backend/wasm/index.js";
import { adamStep as loopAdamStep, sgdStep as loopSgdStep } from "../packages/nabla/src/backend/js/optim-steps.js";
import { inHeap } from "../packages/nabla/src/backend/wasm/heap.js";
import { adamAtOneAndTwoThreads } from "./adam-threads.js";
import * as instance from "../packages/nabla/src/backend/wasm/instance.js";
import { poolOutputSize } from "../packages/nabla/src/nn/functional/pooling.js";
import { softmaxReference } from "../packages/nabla/src/ops/softmax.js";
import { contiguousStrides, numelOf } from "../packages/nabla/src/tensor/shape.js";
import { getBackend, getBackendOptions, getNumThreads, listBackends, setBackend, setNumThreads, tensor } from "../packages/nabla/src/index.js";

const wasm = wasmBackend as Backend;

const random = seededRandom(42); // failures reproduce


type Layout = "contiguous" | "transposed" | "offset" | "foreign";

/**
 * A random float32 view of `shape`: contiguous; with its last two dims stored transposed; at an
 * offset with padded rows (a slice); or contiguous but in a plain JS array, not wasm memory.
 */
function randomView(shape: number[], layout: Layout, scale = 3): StridedView {
  const nd = shape.length;
  let storeShape = shape.slice();
  if (layout === "transposed" && nd >= 2) storeShape = [...shape.slice(0, -2), shape[nd - 1]!, shape[nd - 2]!];
  if (layout === "offset" && nd >= 1) storeShape = [...shape.slice(0, -1), shape[nd - 1]! + 5];
  const offset = layout === "offset" ? 7 : 0;
  const size = numelOf(storeShape) + offset;
  const data = layout === "foreign" ? new Float32Array(size) : (wasm.alloc("float32", Math.max(size, 64), true, "test", false) as Float32Array);
  for (let i = 0; i < size; i++) data[i] = (random() * 2 - 1) * scale;
  let strides = contiguousStrides(storeShape);
  if (layout === "transposed" && nd >= 2) strides = [...strides.slice(0, -2), strides[nd - 1]!, strides[nd - 2]!];
  return { data, shape, strides, offset };
}

/** One float32 ulp at x's magnitude (the subnormal spacing near zero). */
function ulp(x: number): number {
  const a = Math.abs(x);
  if (a < 1.1754943508222875e-38) return 1.401298464324817e-45;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

/** Elementwise agreement within `ulps` float32 ulps (NaN matches NaN, infinities exactly), plus an absolute slack. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, ulps: number, abs = 0, what = ""): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      if (!Object.is(a, e)) expect.fail(`${what}[${i}]: got ${a}, expected ${e}`);
      continue;
    }
    if (Math.abs(a - e) > ulps * ulp(e) + abs) expect.fail(`${what}[${i}]: got ${a}, expected ${e} (diff ${a - e})`);
  }
}

/**
 * Agreement of a wasm kernel with the JS one. float64: 1e-12 relative and 1e-15 absolute (the two
 * Math libraries differ by an ulp, which 1 + erf(x) near x = −3 magnifies).
 * float32: against the JS kernel rounding every step to float32 as the wasm one does, so they
 * differ only by the float32 exp/tanh/sigmoid polynomials and AssemblyScript's Mathf (a few ulps
 * each): allow 1e-4 relative (a composition of e^z with |z| up to ~20 magnifies z's own rounding
 * |z| times) and an absolute 2e-6 where such an error meets a cancellation (1 − tanh²).
 * NaN must meet NaN and infinities must be equal.
 */
function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, wide: boolean, what: string, abs = 0): void {
  const [rel, slack] = wide ? [1e-12, 1e-15] : [1e-4, 2e-6];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e) || Number.isNaN(a) || !Number.isFinite(a)) {
      if (!Object.is(a, e) && !(a === 0 && e === 0)) expect.fail(`${what}[${i}]: got ${a}, expected ${e}`);
      continue;
    }
    if (Math.abs(a - e) > rel * Math.max(Math.abs(a), Math.abs(e)) + Math.max(slack, abs)) expect.fail(`${what}[${i}]: got ${a}, expected ${e} (diff ${a - e})`);
  }
}

/** Every kernel the wasm build generated (as assembly/codegen.mjs collects them), with parameters to run it with. */
function generatedKernels(): { kernel: Kernel; params: number[] }[] {
  const found = new Map<string, Kernel>();
  for (const decl of Object.values(DECLARATIONS)) {
    if (decl.boolResult) continue;
    for (const scalar of scalarPatterns(decl.arity)) {
      const v = planVariant(decl, scalar);
      for (const k of [v.forward, ...v.backward.map((p) => p?.kernel)]) if (k && POINTWISE_KEYS.includes(k.key)) found.set(k.key, k);
    }
  }
  // parameters as the activations take them (a slope, α and scale, bounds, β and threshold …) and numbers as operands
  const params = [0.7, 1.3, -0.4, 2.5, 0.3, 1.5, 0.2, 4];
  return [...found.values()].map((kernel) => ({ kernel, params: params.slice(0, kernel.params) }));
}

const SHAPES: number[][] = [[1], [3], [17], [255], [1, 255], [17, 3], [3, 17, 5], [17, 255], [255, 17], [2, 3, 255]];
const LAYOUTS: Layout[] = ["contiguous", "transposed", "offset", "foreign"];

describe("wasm backend", () => {
  it("is registered, the default unless NABLA_BACKEND=js, and setBackend switches", () => {
    expect(wasmBackend).not.toBeNull();
    expect(listBackends()).toEqual(expect.arrayContaining(["js", "wasm"]));
    expect(getBackend()).toBe(process.env.NABLA_BACKEND === "js" ? "js" : "wasm");
    const before = getBackend();
    setBackend("js");
    expect(getBackend()).toBe("js");
    setBackend("wasm");
    expect(tensor([[1, 2], [3, 4]]).matmul(tensor([[1], [1]])).toArray()).toEqual([[3], [7]]);
    setBackend(before);
  });

  it("loads the relaxed-SIMD build (fused multiply-add) when asked (NABLA_RELAXED_SIMD=1 here) and switches on setBackend", () => {
    // Node 20 has relaxed SIMD behind a V8 flag that only an explicit request sets; Node 22+ has it on
    const asked = process.env.NABLA_RELAXED_SIMD;
    if (asked === "1") expect(instance.usesRelaxedSimd).toBe(true);
    if (asked === "0") expect(instance.usesRelaxedSimd).toBe(false);
    const before = instance.usesRelaxedSimd;
    const a = randomView([67, 33], "contiguous");
    const b = randomView([33, 129], "contiguous");
    const product = () => {
      const out = wasm.alloc("float32", 67 * 129) as Float32Array;
      wasm.matmul({ a, b, out, batchShape: [], m: 67, k: 33, n: 129 });
      return out;
    };
    for (const on of [!before, before]) {
      setBackend("wasm", { relaxedSimd: on });
      expect(getBackendOptions().relaxedSimd).toBe(on);
      expect(instance.usesRelaxedSimd).toBe(on);
      // the new module (and the helper threads restarted on it) computes the same product
      const expected = new Float32Array(67 * 129);
      jsBackend.matmul({ a, b, out: expected, batchShape: [], m: 67, k: 33, n: 129 });
      expectClose(product(), expected, 64, 1e-5, `matmul after relaxedSimd: ${on}`);
    }
    setBackend(process.env.NABLA_BACKEND === "js" ? "js" : "wasm");
  });

  it("keeps float32, float64 and int32 storage in wasm memory, zeroed, and bool on the JS heap", () => {
    const a = wasm.alloc("float32", 4000) as Float32Array;
    expect(inHeap(a)).toBe(true);
    expect(a.every((v) => v === 0)).toBe(true);
    const d = wasm.alloc("float64", 4000) as Float64Array;
    expect(inHeap(d)).toBe(true);
    expect(d.every((v) => v === 0)).toBe(true);
    // int32 too: max pooling's indices stay there from its forward kernel to its backward
    const i = wasm.alloc("int32", 4000) as Int32Array;
    expect(inHeap(i)).toBe(true);
    expect(i.every((v) => v === 0)).toBe(true);
    expect(inHeap(wasm.alloc("bool", 4000))).toBe(false);
    // small tensors are plain typed arrays: the garbage collector reclaims them by itself
    expect(inHeap(wasm.alloc("float32", 1000))).toBe(false);
  });

  it("gather and scatterAdd agree with the JS kernels, and run in wasm when every operand is there", () => {
    for (const [outer, inner, k] of [[1, 1, 1], [3, 17, 5], [17, 255, 3], [64, 144, 36]] as const) {
      const s = seededRandom(outer * 1000 + inner);
      const x = wasm.alloc("float32", Math.max(1024, outer * inner), true, "test", false).subarray(0, outer * inner) as Float32Array;
      for (let i = 0; i < x.length; i++) x[i] = s() * 2 - 1;
      const index = wasm.alloc("int32", Math.max(1024, outer * k), true, "test", false).subarray(0, outer * k) as Int32Array;
      for (let i = 0; i < index.length; i++) index[i] = Math.floor(s() * inner); // repeats: scatterAdd must sum them
      const src = wasm.alloc("float32", Math.max(1024, outer * k), true, "test", false).subarray(0, outer * k) as Float32Array;
      for (let i = 0; i < src.length; i++) src[i] = s() * 2 - 1;
      expect([x, index, src].every(inHeap)).toBe(true);
      const gotGather = wasm.alloc("float32", Math.max(1024, outer * k), true, "test", false).subarray(0, outer * k) as Float32Array;
      const refGather = new Float32Array(outer * k);
      wasm.gather(x, index, outer, inner, k, gotGather);
      jsBackend.gather(x, index, outer, inner, k, refGather);
      expect(Array.from(gotGather)).toEqual(Array.from(refGather));
      const gotScatter = wasm.alloc("float32", Math.max(1024, outer * inner), true, "test", false).subarray(0, outer * inner) as Float32Array;
      const refScatter = new Float32Array(outer * inner);
      wasm.scatterAdd(src, index, outer, inner, k, gotScatter);
      jsBackend.scatterAdd(src, index, outer, inner, k, refScatter);
      // the same additions in the same order, each rounded to float32
      expect(Array.from(gotScatter)).toEqual(Array.from(refScatter));
    }
  });

  // Every kernel the build generated from the ops' declarations, against the JS kernel compiled
  // from the same expression: float32 (whose transcendental functions are SIMD polynomials, a
  // few ulps from the JS reference computed in float64 and rounded) and float64 (lane by lane on
  // AssemblyScript's Math).
  const generated = generatedKernels();
  it("generates a wasm kernel for every declared op's forward and backward", () => {
    expect(generated.length).toBe(POINTWISE_KEYS.length);
    for (const name of ["add(in0,in1)", "maximum(in0,0)", "mul(in0,sigmoid(in0))", "select(gt(in1,0),in0,0)"]) {
      expect(POINTWISE_KEYS).toContain(name);
    }
  });

  /** A random view of `shape` and `type` for a kernel's input, in wasm memory or not, maybe strided. */
  function operand(shape: number[], layout: Layout, wide: boolean, scale: number): StridedView {
    const v = randomView(shape, layout, scale);
    if (!wide) return v;
    const data = layout === "foreign" ? new Float64Array(v.data.length) : (wasm.alloc("float64", Math.max(v.data.length, 64), true, "test", false) as Float64Array);
    data.set(v.data);
    return { ...v, data };
  }

  for (const wide of [false, true]) {
    const type = wide ? "float64" : "float32";
    it(`every generated ${type} pointwise kernel agrees with the JS kernel, over layouts and broadcasts`, () => {
      for (const { kernel, params } of generated) {
        for (const shape of [[3], [17, 5], [2, 3, 67]]) {
          for (const layout of LAYOUTS) {
            const inputs = Array.from({ length: kernel.arity }, (_, i) => {
              const v = operand(shape, i === 0 ? layout : LAYOUTS[(LAYOUTS.indexOf(layout) + i) % LAYOUTS.length]!, wide, 3);
              // the second input broadcast along the last dim, the third along the first
              if (i === 1 && shape.length > 1) return { ...v, strides: [...v.strides.slice(0, -1), 0] };
              if (i === 2) return { ...v, strides: [0, ...v.strides.slice(1)] };
              return v;
            });
            const size = numelOf(shape);
            const expected = wide ? new Float64Array(size) : new Float32Array(size);
            const actual = wasm.alloc(type, Math.max(size, 64), true, "test", false).subarray(0, size) as Float32Array | Float64Array;
            jsPointwise(kernel, inputs, expected, wide ? params : params.map(Math.fround), !wide);
            wasm.pointwise(kernel, inputs, actual, params);
            expectNear(actual, expected, wide, `${kernel.key} ${type} ${shape} ${layout}`);
          }
        }
      }
    });

    it(`every generated ${type} pointwise kernel keeps special values as the JS kernel does (±100, ±0, 1e-7, ±inf, NaN)`, () => {
      const specials = [100, -100, 0, -0, 1e-7, -1e-7, 1e-30, Infinity, -Infinity, NaN, 88, -88, 89, -104, 20, -20, 0.6, -0.625, 3, -3, 0.5];
      const size = 128;
      for (const { kernel, params } of generated) {
        const inputs = Array.from({ length: kernel.arity }, (_, i): StridedView => {
          const data = wide ? new Float64Array(size) : new Float32Array(size);
          for (let j = 0; j < size; j++) data[j] = specials[(j * (i + 1) + i) % specials.length]!;
          return { data, shape: [size], strides: [1], offset: 0 };
        });
        const expected = wide ? new Float64Array(size) : new Float32Array(size);
        const actual = wide ? new Float64Array(size) : new Float32Array(size);
        jsPointwise(kernel, inputs, expected, wide ? params : params.map(Math.fround), !wide);
        wasm.pointwise(kernel, inputs, actual, params);
        // subnormal results (e^-100 and the like) agree in absolute terms only
        expectNear(actual, expected, wide, `${kernel.key} ${type} specials`, 1e-37);
      }
    });
  }

  it("copy of a strided view agrees with the JS kernel", () => {
    for (const shape of [...SHAPES, [64, 33, 2], [2, 3, 17, 5]]) {
      for (const layout of LAYOUTS) {
        const x = randomView(shape, layout);
        const expected = new Float32Array(numelOf(shape));
        const actual = wasm.alloc("float32", Math.max(64, numelOf(shape)), true, "test", false).subarray(0, numelOf(shape)) as Float32Array;
        jsBackend.copy(x, expected);
        wasm.copy(x, actual);
        expect(Array.from(actual), `${shape} ${layout}`).toEqual(Array.from(expected));
      }
    }
  });

  it("assign into a strided view agrees with the JS kernel", () => {
    for (const shape of [[17, 3], [3, 17, 5], [255, 17], [2, 3, 255]]) {
      for (const [ld, ls] of [["transposed", "contiguous"], ["offset", "transposed"], ["contiguous", "offset"]] as const) {
        const src = randomView(shape, ls);
        const dst1 = randomView(shape, ld);
        const dst2: StridedView = { ...dst1, data: (dst1.data as Float32Array).slice() };
        const copyInHeap = wasm.alloc("float32", Math.max(64, dst1.data.length), true, "test", false).subarray(0, dst1.data.length) as Float32Array;
        copyInHeap.set(dst1.data as Float32Array);
        jsBackend.assign(dst2, src);
        wasm.assign({ ...dst1, data: copyInHeap }, src);
        expect(Array.from(copyInHeap), `${shape} ${ld} ${ls}`).toEqual(Array.from(dst2.data));
      }
    }
  });

  for (const op of ["sum", "max"] as const) {
    it(`reduce ${op} agrees with the JS kernel`, () => {
      for (const [outer, inner] of [[1, 1], [1, 3], [3, 17], [17, 255], [255, 3], [255, 1], [2, 1000]]) {
        for (const foreign of [false, true]) {
          const x = randomView([outer!, inner!], foreign ? "foreign" : "contiguous").data;
          const expected = new Float32Array(outer!);
          const actual = wasm.alloc("float32", outer!) as Float32Array;
          jsBackend.reduce(op, x, outer!, inner!, expected);
          wasm.reduce(op, x, outer!, inner!, actual);
          expectClose(actual, expected, 1, 0, `${op} ${outer}x${inner}`);
        }
      }
    });
  }

  for (const op of ["max", "min"] as const) {
    it(`argReduce ${op} agrees with the JS kernel, first index on ties, NaN winning`, () => {
      for (const [outer, inner] of [[1, 1], [3, 17], [255, 4], [17, 255], [1000, 4]]) {
        const x = randomView([outer!, inner!], "contiguous").data as Float32Array;
        for (let i = 0; i < x.length; i += 7) x[i] = Math.round(x[i]!); // ties
        if (x.length > 40) x[40] = NaN;
        const ev = new Float32Array(outer!);
        const ei = new Int32Array(outer!);
        const av = wasm.alloc("float32", Math.max(64, outer!), true, "test", false).subarray(0, outer!) as Float32Array;
        const ai = new Int32Array(outer!);
        jsBackend.argReduce(op, x, outer!, inner!, ev, ei);
        wasm.argReduce(op, x, outer!, inner!, av, ai);
        expect(Array.from(av)).toEqual(Array.from(ev));
        expect(Array.from(ai)).toEqual(Array.from(ei));
      }
    });
  }

  it("the fused Adam/AdamW step agrees with the plain loop over several steps", () => {
    // 100,003 floats: big enough to be split across threads (pool.ts), with a ragged end
    for (const n of [1, 3, 17, 255, 1000, 100_003]) {
      for (const [decoupled, weightDecay, amsgrad, maximize] of [
        [false, 0, false, false],
        [false, 0.01, true, false],
        [true, 0.01, false, true],
        [true, 0.1, true, false],
      ] as const) {
        const fresh = (seed: number) => {
          const s = seededRandom(seed);
          const buf = (scale: number, positive = false) => {
            const a = wasm.alloc("float32", Math.max(64, n), true, "test", false).subarray(0, n) as Float32Array;
            for (let i = 0; i < n; i++) a[i] = positive ? s() * scale : (s() * 2 - 1) * scale;
            return a;
          };
          return { param: buf(1), grad: buf(1), expAvg: buf(0.1), expAvgSq: buf(0.01, true), maxExpAvgSq: amsgrad ? buf(0.01, true) : null };
        };
        const ref = fresh(n);
        const got = fresh(n);
        for (let step = 1; step <= 3; step++) {
          const options = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, decoupled, maximize, step };
          loopAdamStep({ ...ref, ...options });
          wasm.fused!.adamStep!({ ...got, ...options });
        }
        const what = `n=${n} decoupled=${decoupled} wd=${weightDecay} amsgrad=${amsgrad}`;
        // β·m + (1 − β)·g may cancel: the slack is a few ulps of the terms (≤ 0.1 here)
        expectClose(got.param, ref.param, 16, 1e-7, `param ${what}`);
        expectClose(got.expAvg, ref.expAvg, 4, 4e-8, `m ${what}`);
        expectClose(got.expAvgSq, ref.expAvgSq, 4, 4e-9, `v ${what}`);
      }
    }
  });

  it("max propagates NaN like the JS kernel", () => {
    const x = new Float32Array(300).fill(1);
    x[123] = NaN;
    const expected = new Float32Array(3);
    const actual = new Float32Array(3);
    jsBackend.reduce("max", x, 3, 100, expected);
    wasm.reduce("max", x, 3, 100, actual);
    expect(Array.from(actual)).toEqual(Array.from(expected));
  });

  it("fold2d (col2im) agrees with the JS kernel on odd sizes, strides, dilations and strided views", () => {
    // [n, c, kh, kw, oh, ow, sh, sw, dh, dw]
    const cases = [
      [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
      [2, 3, 5, 5, 3, 7, 1, 1, 1, 1],
      [3, 2, 3, 2, 5, 17, 2, 3, 1, 1],
      [1, 17, 2, 3, 4, 5, 1, 2, 2, 3],
      [4, 8, 5, 5, 8, 8, 1, 1, 1, 1],
      [1, 1, 3, 3, 1, 255, 1, 1, 1, 1],
    ];
    for (const [n, c, kh, kw, oh, ow, sh, sw, dh, dw] of cases as number[][]) {
      const shape = [n!, c!, kh!, kw!, oh!, ow!];
      const size = [(oh! - 1) * sh! + (kh! - 1) * dh! + 2, (ow! - 1) * sw! + (kw! - 1) * dw! + 1];
      const count = n! * c! * size[0]! * size[1]!;
      // taps stored last ([n, c, oh, ow, kh, kw]) is the permuted, non-contiguous case
      const stored = randomView([n!, c!, oh!, ow!, kh!, kw!], "contiguous");
      const permuted: StridedView = { ...stored, shape, strides: [0, 1, 4, 5, 2, 3].map((d) => stored.strides[d]!) };
      const views: [string, StridedView][] = [
        ["contiguous", randomView(shape, "contiguous")],
        ["offset", randomView(shape, "offset")],
        ["foreign", randomView(shape, "foreign")],
        ["transposed", randomView(shape, "transposed")],
        ["permuted", permuted],
      ];
      for (const [layout, cols] of views) {
        const expected = new Float32Array(count);
        const actual = wasm.alloc("float32", Math.max(64, count), true, "test", false).subarray(0, count) as Float32Array;
        jsBackend.fold2d(cols, size, [sh!, sw!], [dh!, dw!], expected);
        wasm.fold2d(cols, size, [sh!, sw!], [dh!, dw!], actual);
        expect(Array.from(actual), `${shape} s=${sh},${sw} d=${dh},${dw} ${layout}`).toEqual(Array.from(expected));
      }
    }
  });

  it("maxPool2d's 2×2 kernel picks the JS kernel's window element among ties, signed zeros and NaNs, on rows of any width", () => {
    // assembly/pool.ts maxPool2x2: each window's pairs of rows, then the two; a row's ragged end as
    // its last four outputs again. Values from five, so that most windows hold ties.
    const choices = [-1, -0, 0, 1, NaN];
    for (const [n, c, h, w] of [[2, 3, 28, 28], [3, 5, 10, 10], [2, 2, 6, 6], [1, 4, 8, 9], [2, 2, 9, 14], [1, 1, 2, 16]] as const) {
      const s = seededRandom(h * 100 + w);
      const x = randomView([n, c, h, w], "contiguous");
      for (let i = 0; i < x.data.length; i++) x.data[i] = choices[Math.floor(s() * (i % 7 === 0 ? 5 : 4))]!;
      const out = [Math.floor(h / 2), Math.floor(w / 2)];
      const count = n * c * out[0]! * out[1]!;
      const expected = { values: new Float32Array(count), indices: new Int32Array(count) };
      const actual = { values: wasm.alloc("float32", count) as Float32Array, indices: new Int32Array(count) };
      const args = { x, kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], out };
      jsBackend.maxPool2d({ ...args, ...expected });
      wasm.maxPool2d({ ...args, ...actual });
      const what = `[${n}, ${c}, ${h}, ${w}]`;
      // Object.is: -0 and 0 differ
      expect(Array.from(actual.values.subarray(0, count)).every((v, i) => Object.is(v, expected.values[i])), what).toBe(true);
      expect(Array.from(actual.indices), what).toEqual(Array.from(expected.indices));
    }
  });

  it("maxPool2d agrees with the JS kernel on odd sizes, strided views, padding, dilation and ceil mode", () => {
    type Geo = { k: number[]; s: number[]; p: number[]; d: number[]; ceil: boolean };
    const geos: Geo[] = [
      { k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1], ceil: false },
      { k: [3, 3], s: [2, 2], p: [1, 1], d: [1, 1], ceil: true },
      { k: [2, 2], s: [1, 1], p: [0, 0], d: [2, 2], ceil: false },
      { k: [3, 1], s: [1, 2], p: [1, 0], d: [1, 1], ceil: true },
      { k: [1, 1], s: [1, 1], p: [0, 0], d: [1, 1], ceil: false },
    ];
    const shapes = [[1, 1, 1, 1], [1, 3, 5, 7], [3, 1, 17, 3], [2, 3, 17, 255], [4, 8, 24, 24]];
    for (const shape of shapes) {
      for (const g of geos) {
        const out = [0, 1].map((i) => poolOutputSize(shape[2 + i]!, g.k[i]!, g.p[i]!, g.s[i]!, g.d[i]!, g.ceil));
        if (out.some((o) => o <= 0)) continue;
        for (const layout of ["contiguous", "transposed", "offset", "foreign"] as const) {
          const x = randomView(shape, layout);
          // ties and NaN: the first largest, or the first NaN, wins
          if (x.data.length > 40) {
            x.data[x.offset + 3] = x.data[x.offset + 4]!;
            x.data[x.offset + 6] = x.data[x.offset + 7]!;
            x.data[x.offset + 20] = NaN;
            x.data[x.offset + 21] = NaN;
          }
          const count = numelOf(shape.slice(0, 2)) * out[0]! * out[1]!;
          const expected = { values: new Float32Array(count), indices: new Int32Array(count) };
          const actual = { values: wasm.alloc("float32", count) as Float32Array, indices: new Int32Array(count) };
          const args = { x, kernel: g.k, stride: g.s, padding: g.p, dilation: g.d, out };
          jsBackend.maxPool2d({ ...args, ...expected });
          wasm.maxPool2d({ ...args, ...actual });
          const what = `${shape} ${JSON.stringify(g)} ${layout}`;
          expect(Array.from(actual.values.subarray(0, count)), what).toEqual(Array.from(expected.values));
          expect(Array.from(actual.indices), what).toEqual(Array.from(expected.indices));
          expect(expected.indices.every((i) => i >= 0 && i < shape[2]! * shape[3]!), what).toBe(true);
        }
      }
    }
  });

  for (const log of [false, true]) {
    const name = log ? "logSoftmax" : "softmax";
    it(`the fused ${name} forward agrees with the reference written in ops`, () => {
      for (const [outer, inner] of [[1, 1], [3, 1], [1, 3], [64, 10], [17, 17], [3, 255], [2, 1000]]) {
        const x = randomView([outer!, inner!], "contiguous", 30).data;
        x[0] = 100;
        if (inner! > 1) x[1] = -100;
        if (inner! > 2) x[2] = -Infinity;
        const n = outer! * inner!;
        const actual = wasm.alloc("float32", Math.max(n, 64), true, "test", false).subarray(0, n) as Float32Array;
        expect(wasm.fused!.softmax!(x, outer!, inner!, actual, log)).toBe(n >= 64);
        if (n < 64) continue;
        const reference = softmaxReference(tensor(x.slice(0, n)).reshape(outer!, inner!), 1, log);
        expectClose(actual, reference.toTypedArray(), 8, 1e-7, `${name} ${outer}x${inner}`);
      }
    });
  }

  /** Float32 matmul error bound per element: k roundings of terms at most Σ|a||b|. */
  function matmulTolerance(a: StridedView, b: StridedView, m: number, k: number, n: number, batchShape: number[]): Float64Array {
    const absView = (v: StridedView): StridedView => ({ ...v, data: Float64Array.from(v.data, Math.abs) });
    const out = new Float64Array(numelOf(batchShape) * m * n);
    jsBackend.matmul({ a: absView(a), b: absView(b), out, batchShape, m, k, n });
    return out.map((v) => 2 * k * 2 ** -24 * v + 1e-30);
  }

  /**
   * Checks wasm.matmul against the JS kernel (which sums in float64) within the float32 bound;
   * `poison` writes ±inf and NaN into the operands first, and then a non-finite expected element
   * must come out the same non-finite value.
   */
  function checkMatmul(m: number, k: number, n: number, la: Layout, lb: Layout, batchShape: number[] = [], broadcastB = false, poison = false): void {
    const a = randomView([...batchShape, m, k], la);
    let b = randomView([...batchShape, k, n], lb);
    if (broadcastB) b = { ...b, strides: [...batchShape.map(() => 0), ...b.strides.slice(-2)] };
    if (poison) {
      // A[m-1, 0] = +inf, A[0, k-1] = NaN, B[k-1, n-1] = −inf (in every batch: the same offsets)
      a.data[a.offset + (m - 1) * a.strides[batchShape.length]!] = Infinity;
      a.data[a.offset + (k - 1) * a.strides[batchShape.length + 1]!] = NaN;
      b.data[b.offset + (k - 1) * b.strides[batchShape.length]! + (n - 1) * b.strides[batchShape.length + 1]!] = -Infinity;
    }
    const size = numelOf(batchShape) * m * n;
    const expected = new Float32Array(size);
    const actual = wasm.alloc("float32", Math.max(size, 1), true, "test", false).subarray(0, size) as Float32Array;
    jsBackend.matmul({ a, b, out: expected, batchShape, m, k, n });
    wasm.matmul({ a, b, out: actual, batchShape, m, k, n });
    const tol = matmulTolerance(a, b, m, k, n, batchShape);
    for (let i = 0; i < size; i++) {
      const ok = Number.isFinite(expected[i]!) ? Math.abs(actual[i]! - expected[i]!) <= tol[i]! : Object.is(actual[i], expected[i]);
      if (!ok) expect.fail(`matmul ${m}x${k}x${n} ${la}/${lb}${poison ? " with inf/NaN" : ""} [${i}]: got ${actual[i]}, expected ${expected[i]}`);
    }
  }

  // The kernel paths (assembly/matmul.ts): the dot-product kernel where A and B are both
  // contiguous in k, k ≥ 64 and m ≤ 64; B read in place where it is row-major and m ≤ 32; the
  // packed GEMM otherwise. Sizes on and off the tiles (4 rows, 8 columns, 4 k) and the thresholds.
  const PATHS: [number, number, number, Layout, Layout][] = [
    // dot: x·Wᵀ at the LSTM's batch, k % 4 ≠ 0, m % 4 ≠ 0, n odd, the threshold rows and k
    [20, 200, 800, "contiguous", "transposed"], [5, 67, 9, "offset", "transposed"], [64, 130, 3, "contiguous", "transposed"],
    [1, 64, 1, "contiguous", "transposed"], [63, 64, 31, "foreign", "transposed"], [65, 64, 17, "contiguous", "transposed"],
    [20, 63, 17, "contiguous", "transposed"],
    // B in place: g·W at the LSTM's batch, partial column panels, k across the 256 block, 32/33 rows
    [20, 800, 200, "contiguous", "contiguous"], [3, 20, 13, "transposed", "offset"], [32, 300, 9, "offset", "contiguous"],
    [33, 40, 16, "contiguous", "contiguous"], [1, 7, 1000, "transposed", "contiguous"],
    // packed: gᵀ·h (weight gradients), the float64 LSTMCell's and the MLP's shapes
    [200, 20, 40, "transposed", "contiguous"], [97, 51, 204, "contiguous", "transposed"], [128, 64, 70, "transposed", "contiguous"],
    [35, 51, 97, "transposed", "transposed"],
  ];

  it("matmul on each kernel path, on and off its tiles and thresholds", () => {
    for (const [m, k, n, la, lb] of PATHS) checkMatmul(m, k, n, la, lb);
  });

  it("matmul propagates inf and NaN as the JS kernel on each kernel path", () => {
    for (const [m, k, n, la, lb] of PATHS) checkMatmul(m, k, n, la, lb, [], false, true);
    checkMatmul(5, 70, 6, "contiguous", "transposed", [2], true, true);
  });

  it("matmul agrees with the JS kernel on odd sizes and all four transpose combinations", () => {
    const sizes = [1, 3, 17, 255];
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

  it("matmul crosses the cache blocks (k > 256, m > 128) and takes offset and foreign operands", () => {
    checkMatmul(300, 600, 70, "contiguous", "contiguous");
    checkMatmul(131, 257, 9, "transposed", "transposed");
    checkMatmul(64, 784, 130, "offset", "transposed");
    checkMatmul(40, 33, 29, "foreign", "offset");
    checkMatmul(33, 40, 29, "transposed", "foreign");
  });

  it("batched matmul with broadcast batch dims agrees with the JS kernel", () => {
    checkMatmul(17, 3, 255, "contiguous", "transposed", [2, 3]);
    checkMatmul(5, 17, 9, "transposed", "contiguous", [3], true);
    checkMatmul(255, 17, 3, "offset", "contiguous", [2]);
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
      const one = wasm.alloc("float32", m * n) as Float32Array;
      const two = wasm.alloc("float32", m * n) as Float32Array;
      setNumThreads(1);
      wasm.matmul({ a, b, out: one, batchShape: [], m, k, n });
      setNumThreads(2);
      wasm.matmul({ a, b, out: two, batchShape: [], m, k, n });
      expect(Array.from(two)).toEqual(Array.from(one));
      checkMatmul(m, k, n, la, lb);
    }
    setNumThreads(before);
  });

  it("maxPool2d split across two threads gives the JS kernel's values and indices", async () => {
    // whole planes a chunk (assembly/pool.ts: poolShared): each plane pooled as one thread pools it
    const before = getNumThreads();
    setNumThreads(2);
    expect(await idleHelpersReady()).toBeGreaterThanOrEqual(1);
    try {
      for (const [shape, k, s, p, layout, wide] of [
        [[64, 6, 28, 28], 2, 2, 0, "contiguous", false], // LeNet's first pooling: the 2×2 kernel
        [[9, 5, 30, 26], 3, 2, 1, "transposed", false], // window by window, planes not a multiple of the chunks
        [[16, 8, 24, 22], 2, 2, 0, "contiguous", true], // float64
      ] as const) {
        // each at least PARALLEL_POOL (64K) elements read, so that it is shared
        const x32 = randomView([...shape], layout);
        const x = wide ? { ...x32, data: Float64Array.from(x32.data) } : x32;
        x.data[x.offset + 100] = NaN;
        const out = [2, 3].map((i) => poolOutputSize(shape[i]!, k, p, s, 1, false));
        const count = shape[0] * shape[1] * out[0]! * out[1]!;
        const args = { x, kernel: [k, k], stride: [s, s], padding: [p, p], dilation: [1, 1], out };
        const expected = { values: new (wide ? Float64Array : Float32Array)(count), indices: new Int32Array(count) };
        const actual = { values: wasm.alloc(wide ? "float64" : "float32", count) as Float32Array | Float64Array, indices: wasm.alloc("int32", count) as Int32Array };
        jsBackend.maxPool2d({ ...args, ...expected });
        wasm.maxPool2d({ ...args, ...actual });
        const what = `${shape} ${k}×${k} ${layout}${wide ? " float64" : ""}`;
        expect(Array.from(actual.values.subarray(0, count)), what).toEqual(Array.from(expected.values));
        expect(Array.from(actual.indices.subarray(0, count)), what).toEqual(Array.from(expected.indices));
      }
    } finally {
      setNumThreads(before);
    }
  });

  /** Two threads, once a helper is idle; returns the thread count to restore. */
  async function twoThreads(): Promise<number> {
    const before = getNumThreads();
    setNumThreads(2);
    expect(await idleHelpersReady()).toBeGreaterThanOrEqual(1);
    return before;
  }

  /** A float array in wasm memory (heap arrays have at least 1024 elements), `fill` at each place. */
  function heapArray(dtype: "float32" | "float64" | "int32", length: number, fill: (i: number) => number): Float32Array | Float64Array | Int32Array {
    const a = wasm.alloc(dtype, Math.max(1024, length), true, "test", false).subarray(0, length) as Float32Array | Float64Array | Int32Array;
    for (let i = 0; i < length; i++) a[i] = fill(i);
    expect(inHeap(a)).toBe(true);
    return a;
  }

  it("scatterAdd split across two threads gives the one-thread bits, zeroing out first where asked", async () => {
    // whole rows a chunk (assembly/scatter.ts): each row added in the one-thread kernel's order
    const before = await twoThreads();
    try {
      for (const [outer, inner, k, zeroFirst, wide] of [
        [384, 784, 196, true, false], // LeNet's first pooling's backward: 301K zeroed, shared
        [1024, 100, 25, true, false], // its second: 102K zeroed, shared
        [81, 809, 809, true, false], // 65,529 zeroed: just below PARALLEL_SCATTER (64K), on the caller in chunks
        [65, 1009, 1009, false, false], // 65,585 added into a result that holds values: shared
        [64, 1000, 1023, false, false], // 65,472 added: just below, one call
        [37, 2000, 1800, true, true], // float64, rows not a multiple of the chunks
      ] as const) {
        const s = seededRandom(outer * 7 + k);
        const type = wide ? "float64" : "float32";
        const src = heapArray(type, outer * k, () => s() * 2 - 1);
        // repeats: the additions into one place must keep their order
        const index = heapArray("int32", outer * k, () => Math.floor(s() * inner)) as Int32Array;
        const start = Array.from({ length: outer * inner }, () => s() * 2 - 1);
        const results = [1, 2].map((threads) => {
          setNumThreads(threads);
          // a result that holds nothing yet starts as garbage: the kernel must zero all of it
          const out = heapArray(type, outer * inner, (i) => (zeroFirst ? NaN : start[i]!));
          wasm.scatterAdd(src, index, outer, inner, k, out, zeroFirst);
          return Array.from(out);
        });
        const reference = wide ? new Float64Array(outer * inner) : new Float32Array(outer * inner);
        if (!zeroFirst) reference.set(start);
        jsBackend.scatterAdd(src, index, outer, inner, k, reference);
        const what = `[${outer}, ${inner}] k ${k}${zeroFirst ? " zeroFirst" : ""}${wide ? " float64" : ""}`;
        expect(results[1], what).toEqual(results[0]);
        expect(results[0], what).toEqual(Array.from(reference));
      }
    } finally {
      setNumThreads(before);
    }
  });

  it("row reductions split across two threads give the one-thread bits", async () => {
    // whole rows a chunk (assembly/reduce.ts: rowsShared): each row reduced as one thread reduces it
    const before = await twoThreads();
    try {
      for (const [outer, inner, op, wide] of [
        [384, 784, "sum", false], // LeNet's first bias gradient (gy summed over its planes): shared
        [1024, 100, "sum", false], // its second
        [65, 1009, "max", false], // 65,585 elements: just above PARALLEL_POINTWISE (64K)
        [64, 1023, "sum", false], // 65,472: just below, one call
        [1, 70000, "sum", false], // one row: never shared
        [37, 2000, "sum", true], // float64, rows not a multiple of the chunks
        [37, 2000, "prod", true],
        [37, 2000, "logsumexp", true],
        [37, 2000, "max", true],
        [37, 2000, "min", true],
      ] as const) {
        const s = seededRandom(outer + inner);
        const type = wide ? "float64" : "float32";
        // prod: factors near 1, so that rows of 2,000 neither overflow nor vanish
        const x = heapArray(type, outer * inner, () => (op === "prod" ? 1 + (s() - 0.5) / 64 : s() * 2 - 1));
        x[outer * inner - 5] = NaN; // the last row's extremes and sums are NaN
        const [one, two] = [1, 2].map((threads) => {
          setNumThreads(threads);
          const out = heapArray(type, outer, () => NaN);
          wasm.reduce(op, x, outer, inner, out);
          return Array.from(out);
        }) as [number[], number[]];
        const what = `${op} [${outer}, ${inner}]${wide ? " float64" : ""}`;
        expect(two, what).toEqual(one);
        expect(one.slice(0, -1).every(Number.isFinite), what).toBe(true);
      }
    } finally {
      setNumThreads(before);
    }
  });

  it("the fused SGD step agrees with the plain loop over several steps", () => {
    for (const n of [1, 3, 17, 255, 1000]) {
      for (const [momentum, dampening, weightDecay, nesterov, maximize] of [
        [0, 0, 0, false, false],
        [0.9, 0, 0.01, false, false],
        [0.9, 0, 0, true, true],
        [0.5, 0.3, 0.1, false, false],
      ] as const) {
        const fresh = (seed: number) => {
          const s = seededRandom(seed);
          const buf = () => {
            const a = wasm.alloc("float32", Math.max(64, n), true, "test", false).subarray(0, n) as Float32Array;
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
        expectClose(got.param, ref.param, 8, 1e-7, `param ${what}`);
        if (ref.momentumBuffer) expectClose(got.momentumBuffer!, ref.momentumBuffer, 8, 1e-7, `buffer ${what}`);
      }
    }
  });

  it("an Adam step split across two threads gives exactly the one-thread result", async () => {
    const before = getNumThreads();
    setNumThreads(2);
    expect(await idleHelpersReady()).toBeGreaterThanOrEqual(1);
    // a big buffer, and one just past the threshold (16K, which LeNet-5's 48,000-float fc1 weight
    // passes); neither is a whole number of chunks or vectors
    for (const n of [300_001, 20_001]) {
      const { one, two, keys } = adamAtOneAndTwoThreads(wasm, (size) => wasm.alloc("float32", size) as Float32Array, n);
      for (const key of keys) {
        expect(two[key]!.every((v, i) => Object.is(v, one[key]![i])), `${key} of ${n}`).toBe(true);
      }
    }
    setNumThreads(before);
  });

  it("every generated pointwise kernel on a big dense run split across two threads gives exactly the one-thread result", async () => {
    const before = getNumThreads();
    setNumThreads(2);
    expect(await idleHelpersReady()).toBeGreaterThanOrEqual(1);
    const n = 70_001; // past the threshold (64K), with a tail that is no whole chunk or vector
    for (const wide of [false, true]) {
      const type = wide ? "float64" : "float32";
      // dense inputs at an offset (a slice), as the kernels read them in place
      const inputs = [0, 1, 2].map((k): StridedView => {
        const data = wasm.alloc(type, n + 3, true, "test", false);
        for (let i = 0; i < n + 3; i++) data[i] = (random() * 2 - 1) * 3;
        return { data, shape: [n], strides: [1], offset: k + 1 };
      });
      const one = wasm.alloc(type, n, true, "test", false);
      const two = wasm.alloc(type, n, true, "test", false);
      for (const { kernel, params } of generated) {
        const operands = inputs.slice(0, kernel.arity);
        setNumThreads(1);
        wasm.pointwise(kernel, operands, one, params);
        setNumThreads(2);
        wasm.pointwise(kernel, operands, two, params);
        for (let i = 0; i < n; i++) if (!Object.is(one[i], two[i])) expect.fail(`${kernel.key} ${type}[${i}]: two threads ${two[i]}, one ${one[i]}`);
      }
    }
    setNumThreads(before);
  });

  it("setNumThreads rejects what is not a positive integer", () => {
    expect(() => setNumThreads(0)).toThrow(RangeError);
    expect(() => setNumThreads(1.5)).toThrow(RangeError);
  });

  it("matmul with k = 0 gives zeros", () => {
    const out = new Float32Array(12 * 9).fill(7);
    wasm.matmul({
      a: { data: new Float32Array(0), shape: [12, 0], strides: [0, 1], offset: 0 },
      b: { data: new Float32Array(0), shape: [0, 9], strides: [9, 1], offset: 0 },
      out,
      batchShape: [],
      m: 12,
      k: 0,
      n: 9,
    });
    expect(out.every((v) => v === 0)).toBe(true);
  });

  it("runs a forward and backward pass through the ops on either backend with the same result", () => {
    const run = (): number[] => {
      const x = tensor(Float32Array.from({ length: 64 * 100 }, (_, i) => Math.sin(i))).reshape([64, 100]);
      const w = tensor(Array.from({ length: 100 }, (_, i) => Array.from({ length: 30 }, (_, j) => Math.cos(i * 30 + j) / 10)), {
        requiresGrad: true,
      });
      const loss = x.matmul(w).tanh().softmax(1).sum();
      loss.backward();
      return Array.from(w.grad!.storage.data as Float32Array).slice(0, 50);
    };
    const before = getBackend();
    setBackend("js");
    const viaJs = run();
    setBackend("wasm");
    const viaWasm = run();
    setBackend(before);
    expectClose(viaWasm, viaJs, 64, 1e-6, "grad");
  });
});
