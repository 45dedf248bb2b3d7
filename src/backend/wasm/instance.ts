/** The one shared WebAssembly.Memory and the kernel module instantiated over it. */
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from "./kernels.generated.js";
import { WasmJS } from "./wasm-api.js";

/** The kernel module's exports (assembly/index.ts); pointers are byte addresses into `memory`. */
export interface Kernels {
  pointwiseF32(code: number, ndim: number, meta: number, x0: number, x1: number, x2: number, out: number, params: number): void;
  pointwiseF64(code: number, ndim: number, meta: number, x0: number, x1: number, x2: number, out: number, params: number): void;
  sumRows(x: number, outer: number, inner: number, out: number): void;
  maxRows(x: number, outer: number, inner: number, out: number): void;
  argRows(x: number, outer: number, inner: number, values: number, indices: number, isMax: number): void;
  softmax(x: number, outer: number, inner: number, out: number, log: number): void;
  matmul(a: number, sam: number, sak: number, b: number, sbk: number, sbn: number, c: number, ldc: number, m: number, k: number, n: number, work: number): void;
  runJob(job: number, work: number): void;
  workBytes(): number;
  copyF32(src: number, step: number, dst: number, n: number): void;
  zeroBytes(ptr: number, n: number): void;
  scatterAdd(src: number, index: number, outer: number, inner: number, k: number, out: number): void;
  gather(x: number, index: number, outer: number, inner: number, k: number, out: number): void;
  copyND(src: number, dst: number, ndim: number, meta: number): void;
  fold2d(
    cols: number, c0: number, c1: number, c2: number, c3: number, c4: number, c5: number,
    n: number, c: number, kh: number, kw: number, oh: number, ow: number,
    h: number, w: number, sh: number, sw: number, dh: number, dw: number, out: number,
  ): void;
  maxPool2d(
    x: number, s0: number, s1: number, s2: number, s3: number, n: number, c: number, h: number, w: number,
    kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, dh: number, dw: number,
    oh: number, ow: number, values: number, indices: number,
  ): void;
  sgdStep(
    param: number, grad: number, buf: number, n: number,
    lr: number, mu: number, oneMinusTau: number, weightDecay: number, nesterov: number, maximize: number, firstStep: number,
  ): void;
  adamStep(
    param: number, grad: number, m: number, v: number, vmax: number, n: number,
    beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, eps: number,
    weightDecay: number, decay: number, decoupled: number, maximize: number, stepSize: number, bc2: number,
  ): void;
}

/** 64 KiB pages: the most a wasm32 memory can address. Shared memory is reserved, not committed. */
const MAX_PAGES = 65536;

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// Shared, so that it never moves when it grows: typed-array views handed out stay valid.
export const memory = new WasmJS!.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });

const proc = (globalThis as { process?: { versions?: { node?: string }; env?: Record<string, string | undefined> } })
  .process;

/**
 * Whether to load the build with relaxed SIMD (its fused multiply-add makes the matmul
 * micro-kernel ~20% faster). Browsers (Chrome 114+) and Node 22+ have it on; Node 20's V8 has
 * it behind a flag that can still be set at run time, before any module using it is compiled.
 * NABLA_RELAXED_SIMD=0 keeps the baseline build (products then round exactly as mul + add).
 */
async function relaxedSimd(bytes: Uint8Array): Promise<boolean> {
  if (proc?.env?.NABLA_RELAXED_SIMD === "0") return false;
  if (proc?.versions?.node !== undefined && !WasmJS!.validate(bytes)) {
    try {
      const v8 = await import("node:v8");
      v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
    } catch {
      return false;
    }
  }
  return WasmJS!.validate(bytes);
}

const relaxedBytes = decodeBase64(KERNELS_RELAXED_WASM_BASE64);

/** Whether the kernels use relaxed SIMD (fused multiply-add) on this engine. */
export const usesRelaxedSimd = await relaxedSimd(relaxedBytes);

/** The module's bytes, for workers that instantiate it again over the same memory. */
export const moduleBytes = usesRelaxedSimd ? relaxedBytes : decodeBase64(KERNELS_WASM_BASE64);

const { instance } = await WasmJS!.instantiate(moduleBytes, { env: { memory } });
export const kernels = instance.exports as unknown as Kernels;
