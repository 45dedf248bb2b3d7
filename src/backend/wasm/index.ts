/**
 * The WebAssembly SIMD backend: matmul, activations, elementwise arithmetic, reductions, softmax,
 * strided copies, gather/scatterAdd, max pooling, col2im and the Adam/SGD steps run as wasm
 * kernels in float32 (f32x4) and float64 (f64x2) over storage that lives in the wasm memory;
 * every other kernel (other dtypes, mixed float types, the float32 prod/min/logsumexp
 * reductions) is the JS backend's.
 *
 * Chosen by default where the engine validates SIMD and shared memory; NABLA_BACKEND=js|wasm
 * in the environment picks one at startup, setBackend("js") at any time.
 */
import { registerBackend, setBackend, type Backend } from "../backend.js";
import { jsBackend } from "../js/index.js";
import { allocTyped, type DType, type TypedArray } from "../../tensor/dtype.js";
import { wasmSimdAvailable } from "./simd.js";

/**
 * Below this many elements storage stays on the JS heap: tiny tensors run on the JS kernels
 * anyway, and the garbage collector reclaims them by itself (a loop's per-step losses and small
 * outputs never pile up in the wasm heap waiting for finalizers).
 */
const MIN_WASM_STORAGE = 1024;

async function makeWasmBackend(): Promise<Backend> {
  // loaded only where wasm SIMD exists: instantiating the module needs it
  const { allocInHeap, heapStats, inHeap, releaseArray, resetHeapPeak, setHeapLimit } = await import("./heap.js");
  const instance = await import("./instance.js");
  const { useRelaxedSimd } = instance;
  const { pointwise } = await import("./elementwise.js");
  const { argReduce, reduce, softmax } = await import("./reduce.js");
  const { matmul } = await import("./matmul.js");
  const { assign, copy } = await import("./copy.js");
  const { adamStep, sgdStep } = await import("./optim.js");
  const { fold2d, gather, maxPool2d, scatterAdd } = await import("./pooling.js");
  const { conv2d, conv2dInput, conv2dWeight } = await import("./conv.js");
  return {
    ...jsBackend,
    name: "wasm",
    alloc(dtype: DType, size: number, zeroed = true, op = "alloc"): TypedArray {
      if (dtype === "bool" || size < MIN_WASM_STORAGE) return allocTyped(dtype, size);
      // past the heap's reach (4 GiB of wasm32), storage goes to the JS heap, where kernels copy it in
      return allocInHeap(dtype, size, zeroed, op) ?? allocTyped(dtype, size);
    },
    release: releaseArray,
    inHeap,
    memory: { stats: heapStats, resetPeak: resetHeapPeak, setLimit: setHeapLimit },
    memoryHeld() {
      const s = heapStats();
      return { live: s.allocated, cached: s.cached, limit: s.limit };
    },
    copy,
    assign,
    pointwise,
    reduce,
    argReduce,
    matmul,
    fold2d,
    maxPool2d,
    conv2d,
    conv2dInput,
    conv2dWeight,
    gather,
    scatterAdd,
    fused: { softmax, adamStep, sgdStep },
    configure({ relaxedSimd }) {
      if (relaxedSimd !== undefined) useRelaxedSimd(relaxedSimd);
    },
    options: () => ({ relaxedSimd: instance.usesRelaxedSimd }),
  };
}

function requested(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NABLA_BACKEND;
}

/** The wasm backend, or null where the engine cannot run it. */
export const wasmBackend: Backend | null = wasmSimdAvailable() ? await makeWasmBackend() : null;

if (wasmBackend !== null) {
  registerBackend(wasmBackend);
  if (requested() !== "js") setBackend("wasm");
} else if (requested() === "wasm") {
  throw new Error("nabla: NABLA_BACKEND=wasm, but this engine lacks WebAssembly SIMD or SharedArrayBuffer");
}
