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

const baselineBytes = decodeBase64(KERNELS_WASM_BASE64);
let relaxedBytes: Uint8Array | null = null;
const relaxed = (): Uint8Array => (relaxedBytes ??= decodeBase64(KERNELS_RELAXED_WASM_BASE64));

/**
 * The build in use: the baseline (SIMD + threads), or the one with relaxed SIMD, whose fused
 * multiply-add makes the matmul micro-kernel ~20% faster. Relaxed SIMD is used by default only
 * where the engine validates it as it is (browsers since Chrome 114, Node 22+); on Node 20 it sits
 * behind a V8 flag, which nabla sets only when asked: `setBackend("wasm", { relaxedSimd: true })`
 * or NABLA_RELAXED_SIMD=1. NABLA_RELAXED_SIMD=0 keeps the baseline everywhere.
 */
export let usesRelaxedSimd = false;

/** The module's bytes, for workers that instantiate it again over the same memory. */
export let moduleBytes: Uint8Array = baselineBytes;

export let kernels: Kernels;

const listeners: (() => void)[] = [];

/** Calls `f` whenever the module is swapped (the worker pool restarts its helpers on the new one). */
export function onModuleChange(f: () => void): void {
  listeners.push(f);
}

function instantiate(bytes: Uint8Array, exports: Record<string, unknown>): void {
  kernels = exports as unknown as Kernels;
  moduleBytes = bytes;
  usesRelaxedSimd = bytes !== baselineBytes;
  for (const f of listeners) f();
}

/**
 * Switches between the relaxed-SIMD build and the baseline, instantiating the chosen one over the
 * same memory (synchronously: fine in Node and in workers; a browser's main thread validates
 * relaxed SIMD without flags, so it keeps the build it loaded). Returns whether relaxed SIMD is on.
 */
export function useRelaxedSimd(on: boolean): boolean {
  if (on === usesRelaxedSimd) return on;
  let bytes = baselineBytes;
  if (on) {
    if (!WasmJS!.validate(relaxed()) && proc?.versions?.node !== undefined) enableRelaxedFlag();
    if (!WasmJS!.validate(relaxed())) return false;
    bytes = relaxed();
  }
  const module = new WasmJS!.Module(bytes);
  instantiate(bytes, new WasmJS!.Instance(module, { env: { memory } }).exports);
  return usesRelaxedSimd;
}

/** Node 20's V8 has relaxed SIMD behind a flag that can be set at run time, before a module using it is compiled. */
function enableRelaxedFlag(): void {
  const nodeProcess = proc as { getBuiltinModule?: (name: string) => { setFlagsFromString(flag: string): void } | undefined };
  try {
    nodeProcess.getBuiltinModule?.("node:v8")?.setFlagsFromString("--experimental-wasm-relaxed-simd");
  } catch {
    // an engine that refuses keeps the baseline
  }
}

const wanted = proc?.env?.NABLA_RELAXED_SIMD;
const startWith = wanted !== "0" && WasmJS!.validate(relaxed()) ? relaxed() : baselineBytes;
{
  const { instance } = await WasmJS!.instantiate(startWith, { env: { memory } });
  instantiate(startWith, instance.exports);
}
if (wanted === "1" && !usesRelaxedSimd) useRelaxedSimd(true);
