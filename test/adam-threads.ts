/**
 * The fused Adam step on twin states, once at one thread and once at two: Adam is elementwise, so
 * how its chunks fall between threads must not change a bit (test/wasm.test.ts for float32,
 * test/wasm-float64.test.ts for float64). `buffer(n)` makes the step's operands in the wasm heap.
 */
import { setNumThreads } from "../packages/nabla/src/index.js";
import type { Backend } from "../packages/nabla/src/backend/backend.js";
import { seededRandom } from "./helpers.js";

type Buffer = Float32Array | Float64Array;

export function adamAtOneAndTwoThreads(wasm: Backend, buffer: (n: number) => Buffer, n: number) {
  const state = (seed: number) => {
    const s = seededRandom(seed);
    const fill = (positive = false) => {
      const a = buffer(n);
      for (let i = 0; i < n; i++) a[i] = positive ? s() : s() * 2 - 1;
      return a;
    };
    return { param: fill(), grad: fill(), expAvg: fill(), expAvgSq: fill(true), maxExpAvgSq: fill(true) };
  };
  const one = state(7);
  const two = state(7);
  const options = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, maximize: false, step: 3 };
  setNumThreads(1);
  wasm.fused!.adamStep!({ ...one, ...options });
  setNumThreads(2);
  wasm.fused!.adamStep!({ ...two, ...options });
  return { one, two, keys: ["param", "expAvg", "expAvgSq", "maxExpAvgSq"] as const };
}
