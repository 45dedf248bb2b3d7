/**
 * The WebAssembly SIMD backend: matmul, activations, elementwise arithmetic, reductions, softmax,
 * strided copies, gather/scatterAdd, max pooling, col2im, the Adam/SGD/Adadelta steps and dropout's
 * mask (MT19937 drawn in bulk) run as wasm kernels in float32 (f32x4) and float64 (f64x2) over
 * storage that lives in the wasm memory; every other kernel (other dtypes, mixed float types, the
 * float32 prod/min/logsumexp reductions) is the JS backend's.
 *
 * Chosen by default where the engine validates SIMD and shared memory; NABLA_BACKEND=js|wasm
 * in the environment picks one at startup, setBackend("js") at any time.
 *
 * Importing nabla compiles nothing: the kernels start on the first op (synchronously, in Node)
 * or with `await ready()`, which a browser must call before its first op (it fetches the kernel
 * build as a chunk of its own, and pages limit synchronous WebAssembly compilation); an op
 * before it throws, saying so.
 */
import { registerBackend, setBackend, type Backend, type FusedKernels } from "../backend.js";
import { jsBackend } from "../js/index.js";
import { allocTyped, type DType, type TypedArray } from "../../tensor/dtype.js";
import { wasmSimdAvailable } from "./simd.js";
import { allocInHeap, heapStats, inHeap, releaseArray, resetHeapPeak, setHeapLimit, trackArray } from "./heap.js";
import * as instance from "./instance.js";
import { pointwise } from "./elementwise.js";
import { argReduce, reduce, softmax } from "./reduce.js";
import { matmul } from "./matmul.js";
import { assign, copy } from "./copy.js";
import { adadeltaStep, adamStep, sgdStep } from "./optim.js";
import { lstmCell, lstmCellBackward } from "./lstm-cell.js";
import { gruCell, gruCellBackward } from "./gru-cell.js";
import { batchNorm, batchNormBackward } from "./batch-norm.js";
import { keepMask } from "./random.js";
import { fold2d, gather, maxPool2d, scatterAdd } from "./pooling.js";
import { conv2d, conv2dInput, conv2dWeight } from "./conv.js";

/**
 * Below this many elements storage stays on the JS heap: tiny tensors run on the JS kernels
 * anyway, and the garbage collector reclaims them by itself (a loop's per-step losses and small
 * outputs never pile up in the wasm heap waiting for finalizers).
 */
const MIN_WASM_STORAGE = 1024;

/** The backend's methods that run kernels (or place storage in the wasm memory): they need the kernels started. */
type KernelMethod =
  | "alloc" | "copy" | "assign" | "pointwise" | "reduce" | "argReduce" | "matmul"
  | "fold2d" | "maxPool2d" | "conv2d" | "conv2dInput" | "conv2dWeight" | "gather" | "scatterAdd";

const kernelMethods: Pick<Backend, KernelMethod> = {
  alloc(dtype: DType, size: number, zeroed = true, op = "alloc", tracked = true): TypedArray {
    if (dtype === "bool" || size < MIN_WASM_STORAGE) return allocTyped(dtype, size);
    // past the heap's reach (4 GiB of wasm32), storage goes to the JS heap, where kernels copy it in
    return allocInHeap(dtype, size, zeroed, op, tracked) ?? allocTyped(dtype, size);
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
};

const fusedKernels: Required<FusedKernels> = { softmax, adamStep, sgdStep, adadeltaStep, lstmCell, lstmCellBackward, gruCell, gruCellBackward, batchNorm, batchNormBackward, keepMask };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Whether the real methods have replaced the stubs. */
let installed = false;

/**
 * Starts the kernels where this thread may compile them synchronously, and puts the real
 * methods in place of the stubs (so that after the first op no call pays for the check).
 */
function start(kernel: string): void {
  if (installed) return; // a stub kept from before the start
  if (!instance.started) {
    if (!instance.canStartSynchronously()) {
      throw new Error(
        `nabla: ${kernel} ran before the wasm backend started. In a browser, \`await ready()\` (exported by nabla) once ` +
          `before the first op: the kernels are fetched and compiled asynchronously there. Or setBackend("js") to run without them.`,
      );
    }
    instance.startKernels();
  }
  Object.assign(backend, kernelMethods, { fused: fusedKernels });
  installed = true;
}

/** Until the kernels start, each kernel method starts them and then runs. */
function stub<K extends KernelMethod>(name: K): Backend[K] {
  const run = (...args: unknown[]): unknown => {
    start(name);
    return (kernelMethods[name] as (...a: unknown[]) => unknown)(...args);
  };
  return run as Backend[K];
}

const backend: Mutable<Backend> = {
  ...jsBackend,
  name: "wasm",
  ...(Object.fromEntries(Object.keys(kernelMethods).map((name) => [name, stub(name as KernelMethod)])) as Pick<Backend, KernelMethod>),
  fused: {
    softmax: (...args) => (start("softmax"), softmax(...args)),
    adamStep: (...args) => (start("adamStep"), adamStep(...args)),
    sgdStep: (...args) => (start("sgdStep"), sgdStep(...args)),
    adadeltaStep: (...args) => (start("adadeltaStep"), adadeltaStep(...args)),
    lstmCell: (...args) => (start("lstmCell"), lstmCell(...args)),
    lstmCellBackward: (...args) => (start("lstmCellBackward"), lstmCellBackward(...args)),
    gruCell: (...args) => (start("gruCell"), gruCell(...args)),
    gruCellBackward: (...args) => (start("gruCellBackward"), gruCellBackward(...args)),
    batchNorm: (...args) => (start("batchNorm"), batchNorm(...args)),
    batchNormBackward: (...args) => (start("batchNormBackward"), batchNormBackward(...args)),
    keepMask: (...args) => (start("keepMask"), keepMask(...args)),
  },
  release: releaseArray,
  track: trackArray,
  inHeap,
  memory: { stats: heapStats, resetPeak: resetHeapPeak, setLimit: setHeapLimit },
  memoryHeld() {
    const s = heapStats();
    return { live: s.allocated, cached: s.cached, limit: s.limit };
  },
  configure({ relaxedSimd }) {
    if (relaxedSimd !== undefined) instance.useRelaxedSimd(relaxedSimd);
  },
  options: () => ({ relaxedSimd: instance.relaxedSimdChosen() }),
};

function requested(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NABLA_BACKEND;
}

/** The wasm backend, or null where the engine cannot run it. */
export const wasmBackend: Backend | null = wasmSimdAvailable() ? backend : null;

if (wasmBackend !== null) {
  registerBackend(wasmBackend);
  if (requested() !== "js") setBackend("wasm");
} else if (requested() === "wasm") {
  throw new Error("nabla: NABLA_BACKEND=wasm, but this engine lacks WebAssembly SIMD or SharedArrayBuffer");
}

/**
 * Starts the wasm kernels without blocking: in a browser, `await ready()` once before the first
 * op (an op before it throws). In Node the first op starts them by itself, and ready() only
 * moves the compilation off the critical path. Resolves at once where there is no wasm backend
 * (everything runs on the JS one).
 */
export async function ready(): Promise<void> {
  if (wasmBackend === null) return;
  await instance.startKernelsAsync();
  start("ready");
}
