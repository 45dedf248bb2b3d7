// The wasm kernels that take the maximum against a number (relu, relu², hardsigmoid, hardswish)
// compile it to pmax plus +0 rather than WebAssembly's max (assembly/codegen.mjs): these check
// that they still give exactly what the JS kernels give on the values where the two could part,
// NaN and ±0, as well as ±∞, subnormals and ordinary numbers.
import { describe, expect, it } from "vitest";
import "../packages/nabla/src/index.js";
import type { Backend, StridedView } from "../packages/nabla/src/backend/backend.js";
import { DECLARATIONS } from "../packages/nabla/src/ops/pointwise/declarations/index.js";
import { planVariant, scalarPatterns, type Kernel } from "../packages/nabla/src/ops/pointwise/plan.js";
import { pointwise as jsPointwise } from "../packages/nabla/src/backend/js/pointwise.js";
import { wasmBackend } from "../packages/nabla/src/backend/wasm/index.js";

/** Kernels of exact operations only (no transcendental functions), each with a maximum against a number. */
const KEYS = [
  "maximum(in0,0)",
  "mul(maximum(in0,0),maximum(in0,0))",
  "div(minimum(maximum(add(in0,3),0),6),6)",
  "div(mul(in0,minimum(maximum(add(in0,3),0),6)),6)",
  "mul(in0,add(mul(maximum(in1,0),select(gt(in1,0),1,select(eq(in1,0),0.5,0))),mul(maximum(in1,0),select(gt(in1,0),1,select(eq(in1,0),0.5,0)))))",
];

function kernelsByKey(): Map<string, Kernel> {
  const found = new Map<string, Kernel>();
  for (const decl of Object.values(DECLARATIONS)) {
    if (decl.boolResult) continue;
    for (const scalar of scalarPatterns(decl.arity)) {
      const v = planVariant(decl, scalar);
      for (const k of [v.forward, ...v.backward.map((p) => p?.kernel)]) if (k && KEYS.includes(k.key)) found.set(k.key, k);
    }
  }
  return found;
}

/** A value as the failure message shows it, −0 told apart from 0. */
const show = (v: number): string => (Object.is(v, -0) ? "-0" : String(v));

const SPECIAL = [-0, 0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 2.5, -2.5, -3, 3, 6, -6, 1e30, -1e30];

describe.skipIf(wasmBackend === null)("wasm maximum against a number", () => {
  const wasm = wasmBackend as Backend;
  const kernels = kernelsByKey();

  it("finds every kernel it checks", () => {
    expect([...kernels.keys()].sort()).toEqual([...KEYS].sort());
  });

  for (const type of ["float32", "float64"] as const) {
    it(`gives the JS kernel's ${type} values bit for bit on NaN, ±0, ±∞ and subnormals`, () => {
      const n = 16 * SPECIAL.length + 3; // whole vectors, the unrolled loop and a ragged tail
      const inputs = [0, 1].map((k): StridedView => {
        const data = wasm.alloc(type, n, true, "test", false);
        for (let i = 0; i < n; i++) data[i] = SPECIAL[(i * (k + 1) + k) % SPECIAL.length]!;
        return { data, shape: [n], strides: [1], offset: 0 };
      });
      for (const [key, kernel] of kernels) {
        const operands = inputs.slice(0, kernel.arity);
        const expected = type === "float32" ? new Float32Array(n) : new Float64Array(n);
        const actual = wasm.alloc(type, n, true, "test", false);
        jsPointwise(kernel, operands, expected, [], type === "float32");
        wasm.pointwise(kernel, operands, actual, []);
        for (let i = 0; i < n; i++) {
          const [a, e] = [actual[i]!, expected[i]!];
          if (!Object.is(a, e) && !(Number.isNaN(a) && Number.isNaN(e))) {
            expect.fail(`${key} ${type}[${i}] of ${operands.map((v) => show(v.data[i]!)).join(", ")}: wasm ${show(a)}, JS ${show(e)}`);
          }
        }
      }
    });
  }
});
