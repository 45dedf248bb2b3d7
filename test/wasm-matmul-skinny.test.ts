/**
 * The wasm matmul's products with a dimension of 1 (assembly/matmul-skinny.ts: the outer product
 * for k = 1, matrix-vector for n = 1, vector-matrix for m = 1), float32 and float64, on
 * contiguous, transposed, strided and offset operands, batched and broadcast: against the JS
 * kernel within the rounding bound, and bit for bit against the GEMM's order of summation
 * (each element from 0 in k order within blocks of 256, the blocks added in order), which these
 * paths keep so that a product's value does not depend on which path or thread computed it.
 */
import { describe, expect, it } from "vitest";
import { idleHelpersReady, seededRandom } from "./helpers.js";
import "../packages/nabla/src/index.js";
import type { Backend, StridedView } from "../packages/nabla/src/backend/backend.js";
import { jsBackend } from "../packages/nabla/src/backend/js/index.js";
import { wasmBackend } from "../packages/nabla/src/backend/wasm/index.js";
import { contiguousStrides, numelOf } from "../packages/nabla/src/tensor/shape.js";
import { getBackendOptions, getNumThreads, setNumThreads } from "../packages/nabla/src/index.js";

const wasm = wasmBackend as Backend;
const random = seededRandom(7); // failures reproduce

type DType = "float32" | "float64";
/** How the last two dims are stored: row-major, transposed, every other element of wider rows, or rows padded after an offset. */
type Layout = "contiguous" | "transposed" | "strided" | "offset";
const LAYOUTS: Layout[] = ["contiguous", "transposed", "strided", "offset"];

/** A random view of `shape` in wasm memory, its last two dims stored as `layout` says. */
function randomView(shape: number[], layout: Layout, dtype: DType): StridedView {
  const nd = shape.length;
  const [r, c] = [shape[nd - 2]!, shape[nd - 1]!];
  const inner = layout === "transposed" ? [c, r] : layout === "strided" ? [r, 2 * c] : layout === "offset" ? [r, c + 3] : [r, c];
  const storeShape = [...shape.slice(0, -2), ...inner];
  const offset = layout === "offset" ? 5 : 0;
  const size = numelOf(storeShape) + offset;
  const data = wasm.alloc(dtype, Math.max(size, 1024), true, "test", false) as Float32Array | Float64Array;
  for (let i = 0; i < size; i++) data[i] = (random() * 2 - 1) * 3;
  const s = contiguousStrides(storeShape);
  const batch = s.slice(0, -2);
  const strides = layout === "transposed" ? [...batch, 1, s[nd - 2]!] : layout === "strided" ? [...batch, s[nd - 2]!, 2] : s;
  return { data, shape, strides, offset };
}

/** View element [batch…, i, j] (batch as a flat index over batchShape). */
function at(v: StridedView, batchShape: number[], batch: number, i: number, j: number): number {
  let off = v.offset;
  for (let d = batchShape.length - 1, rest = batch; d >= 0; d--) {
    off += (rest % batchShape[d]!) * v.strides[d]!;
    rest = Math.floor(rest / batchShape[d]!);
  }
  const nb = batchShape.length;
  return v.data[off + i * v.strides[nb]! + j * v.strides[nb + 1]!]!;
}

/**
 * The wasm kernels' value of every element, computed in JS with the dtype's rounding at each
 * step (a multiply and an add, as the baseline build's kernels do). The GEMM's order: from +0,
 * s = s + a·b in k order within each block of 256, the blocks added in order. Where both operands
 * are contiguous in k, k ≥ 16 vectors and m ≤ 64, the dot-product kernel's (assembly/matmul.ts
 * useDot, dot1): one sum per lane over k rounded down to the lanes, the lanes added (float32's as
 * (l0 + l2) + (l1 + l3)), then the last products in order. Exact for float32 too: a float32
 * product is exact in float64, and a float32 sum rounded from float64 is the correctly rounded one.
 */
function kernelOrder(a: StridedView, b: StridedView, batchShape: number[], m: number, k: number, n: number, dtype: DType): Float64Array {
  const r = dtype === "float32" ? Math.fround : (x: number) => x;
  const lanes = dtype === "float32" ? 4 : 2;
  const nb = batchShape.length;
  const dot = a.strides[nb + 1] === 1 && b.strides[nb] === 1 && k >= 16 * lanes && m <= 64;
  const out = new Float64Array(numelOf(batchShape) * m * n);
  for (let t = 0; t < numelOf(batchShape); t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const term = (p: number): number => r(at(a, batchShape, t, i, p) * at(b, batchShape, t, p, j));
        let c = 0;
        if (dot) {
          const kv = k - (k % lanes);
          const l = new Array<number>(lanes).fill(0);
          for (let p = 0; p < kv; p++) l[p % lanes] = r(l[p % lanes]! + term(p));
          c = lanes === 4 ? r(r(l[0]! + l[2]!) + r(l[1]! + l[3]!)) : r(l[0]! + l[1]!);
          for (let p = kv; p < k; p++) c = r(c + term(p));
        } else {
          for (let p0 = 0; p0 < k; p0 += 256) {
            let s = 0;
            for (let p = p0; p < Math.min(k, p0 + 256); p++) s = r(s + term(p));
            c = p0 === 0 ? s : r(c + s);
          }
        }
        out[(t * m + i) * n + j] = c;
      }
    }
  }
  return out;
}

/** wasm.matmul of the operands into a fresh output in wasm memory. */
function product(a: StridedView, b: StridedView, batchShape: number[], m: number, k: number, n: number, dtype: DType): Float32Array | Float64Array {
  const size = numelOf(batchShape) * m * n;
  const out = (wasm.alloc(dtype, Math.max(size, 1024), true, "test", false) as Float32Array | Float64Array).subarray(0, size);
  wasm.matmul({ a, b, out, batchShape, m, k, n });
  return out;
}

/**
 * Checks one product: within the dtype's rounding bound of the JS kernel (which sums in float64),
 * and, where the build's multiply-add is a multiply and an add (the baseline build; with relaxed
 * SIMD's fused one only at k = 1, where both are a·b + 0), bit for bit the kernels' order.
 */
function check(m: number, k: number, n: number, la: Layout, lb: Layout, dtype: DType, batchShape: number[] = [], broadcastB = false): void {
  const a = randomView([...batchShape, m, k], la, dtype);
  let b = randomView([...batchShape, k, n], lb, dtype);
  if (broadcastB) b = { ...b, strides: [...batchShape.map(() => 0), ...b.strides.slice(-2)] };
  const what = `${dtype} ${batchShape.length ? `[${batchShape}]×` : ""}${m}x${k}x${n} ${la}/${lb}${broadcastB ? " broadcast" : ""}`;
  const actual = product(a, b, batchShape, m, k, n, dtype);
  const expected = new Float64Array(actual.length);
  jsBackend.matmul({ a, b, out: expected, batchShape, m, k, n });
  const abs = new Float64Array(actual.length);
  const absView = (v: StridedView): StridedView => ({ ...v, data: Float64Array.from(v.data, Math.abs) });
  jsBackend.matmul({ a: absView(a), b: absView(b), out: abs, batchShape, m, k, n });
  const eps = dtype === "float32" ? 2 ** -24 : 2 ** -53;
  for (let i = 0; i < actual.length; i++) {
    if (Math.abs(actual[i]! - expected[i]!) > 2 * k * eps * abs[i]! + 1e-300) expect.fail(`${what} [${i}]: got ${actual[i]}, expected ${expected[i]}`);
  }
  if (getBackendOptions().relaxedSimd && k > 1) return;
  const exact = kernelOrder(a, b, batchShape, m, k, n, dtype);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], exact[i])) expect.fail(`${what} [${i}]: got ${actual[i]}, the kernels' order gives ${exact[i]}`);
  }
}

/** [m, k, n], each at least the 512 multiply-adds below which the backend runs the JS kernel. */
const SHAPES = [
  // k = 1: a GRUCell's x[97,1]·W_ihᵀ, columns off the lanes, a row, a column (n = 1 as well)
  [97, 1, 153], [23, 1, 31], [1, 1, 700], [700, 1, 1],
  // n = 1: a Linear(51→1) head, its weight gradient's shapes, k across the 256 block, m = 1 as well
  [97, 51, 1], [153, 97, 1], [13, 700, 1], [600, 300, 1], [1, 513, 1],
  // m = 1: the head's weight gradient gᵀ·h, k across the block, columns off the lanes
  [1, 97, 51], [1, 600, 3], [1, 300, 77],
];

describe.each(["float32", "float64"] as const)("wasm matmul with a dimension of 1, %s", (dtype) => {
  it("agrees with the JS kernel and keeps the GEMM's summation order, every layout", () => {
    for (const [m, k, n] of SHAPES) {
      for (const la of LAYOUTS) {
        for (const lb of LAYOUTS) check(m!, k!, n!, la, lb, dtype);
      }
    }
  });

  it("batched, and with B broadcast over the batch", () => {
    check(40, 1, 30, "contiguous", "transposed", dtype, [3]);
    check(40, 70, 1, "strided", "contiguous", dtype, [2, 3], true);
    check(1, 70, 40, "transposed", "offset", dtype, [4]);
    check(9, 1, 70, "offset", "strided", dtype, [2], true);
  });

  it("split across two threads gives exactly the one-thread result", async () => {
    const before = getNumThreads();
    try {
      setNumThreads(2);
      expect(await idleHelpersReady()).toBeGreaterThanOrEqual(1);
      for (const [m, k, n, la, lb] of [
        [2000, 1, 300, "contiguous", "transposed"], // k = 1, split by rows
        [3, 1, 20000, "transposed", "contiguous"], // k = 1, split by columns
        [3000, 300, 1, "contiguous", "strided"], // n = 1, split by rows
        [1, 300, 3000, "strided", "transposed"], // m = 1, split by columns
      ] as const) {
        const a = randomView([m, k], la, dtype);
        const b = randomView([k, n], lb, dtype);
        setNumThreads(1);
        const one = Array.from(product(a, b, [], m, k, n, dtype));
        setNumThreads(2);
        expect(Array.from(product(a, b, [], m, k, n, dtype))).toEqual(one);
      }
    } finally {
      setNumThreads(before);
    }
  });
});
