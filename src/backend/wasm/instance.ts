/** The one shared WebAssembly.Memory and the kernel module instantiated over it. */
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64, type Kernels } from "./kernels.generated.js";

export type { Kernels };
import { WasmJS } from "./wasm-api.js";

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
