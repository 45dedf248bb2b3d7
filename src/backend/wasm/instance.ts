/** The one shared WebAssembly.Memory and the kernel module instantiated over it. */
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64, type Kernels } from "./kernels.generated.js";

export type { Kernels };
import { WasmJS, type WasmMemory } from "./wasm-api.js";

/** 64 KiB pages: the most a wasm32 memory can address. Shared memory is reserved, not committed. */
const MAX_PAGES = 65536;

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The one memory, shared so that it never moves when it grows: typed-array views handed out
 * stay valid. Made by `startKernels` (not at import: an engine without shared wasm memory would
 * throw, and a program on the JS backend never needs it).
 */
export let memory: WasmMemory;

const proc = (globalThis as { process?: { versions?: { node?: string }; env?: Record<string, string | undefined> } })
  .process;

// decoded when first needed: a program on the JS backend never pays for it
let baselineBytes: Uint8Array | null = null;
let relaxedBytes: Uint8Array | null = null;
const baseline = (): Uint8Array => (baselineBytes ??= decodeBase64(KERNELS_WASM_BASE64));
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
export let moduleBytes: Uint8Array;

export let kernels: Kernels;

const listeners: (() => void)[] = [];

/** Calls `f` whenever the module is swapped (the worker pool restarts its helpers on the new one). */
export function onModuleChange(f: () => void): void {
  listeners.push(f);
}

function instantiate(bytes: Uint8Array, exports: Record<string, unknown>): void {
  kernels = exports as unknown as Kernels;
  moduleBytes = bytes;
  usesRelaxedSimd = bytes !== baseline();
  for (const f of listeners) f();
}

/**
 * Switches between the relaxed-SIMD build and the baseline, instantiating the chosen one over the
 * same memory (synchronously: fine in Node and in workers; a browser's main thread validates
 * relaxed SIMD without flags, so it keeps the build it loaded). Returns whether relaxed SIMD is on.
 */
export function useRelaxedSimd(on: boolean): boolean {
  if (!started) {
    wantRelaxed = on; // applied when the kernels start
    return on;
  }
  if (on === usesRelaxedSimd) return on;
  let bytes = baseline();
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

/** Whether the kernels are instantiated (by startKernels or startKernelsAsync). */
export let started = false;

/**
 * The build to start with: relaxed SIMD where the engine validates it as it is, unless
 * NABLA_RELAXED_SIMD=0; with NABLA_RELAXED_SIMD=1 (or setBackend's relaxedSimd: true before
 * the start) Node 20's flag is set first.
 */
let wantRelaxed: boolean | undefined =
  proc?.env?.NABLA_RELAXED_SIMD === "1" ? true : proc?.env?.NABLA_RELAXED_SIMD === "0" ? false : undefined;

function startingBytes(): Uint8Array {
  if (wantRelaxed === false) return baseline();
  if (wantRelaxed === true && !WasmJS!.validate(relaxed()) && proc?.versions?.node !== undefined) enableRelaxedFlag();
  return WasmJS!.validate(relaxed()) ? relaxed() : baseline();
}

/**
 * Whether this thread may compile the kernels synchronously: everywhere but a browser page's
 * main thread, where engines limit synchronous compilation and `await ready()` starts them.
 */
export function canStartSynchronously(): boolean {
  return proc?.versions?.node !== undefined || !("document" in globalThis);
}

function createMemory(): void {
  memory ??= new WasmJS!.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });
}

/** Instantiates the kernels synchronously (Node, workers; see canStartSynchronously). */
export function startKernels(): void {
  if (started) return;
  createMemory();
  const bytes = startingBytes();
  instantiate(bytes, new WasmJS!.Instance(new WasmJS!.Module(bytes), { env: { memory } }).exports);
  started = true;
}

/** Instantiates the kernels without blocking (compiling off the main thread where the engine can). */
export async function startKernelsAsync(): Promise<void> {
  if (started) return;
  createMemory();
  const bytes = startingBytes();
  const { instance } = await WasmJS!.instantiate(bytes, { env: { memory } });
  if (started) return; // started synchronously while this one compiled
  instantiate(bytes, instance.exports);
  started = true;
}
