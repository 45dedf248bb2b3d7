/**
 * The one shared WebAssembly.Memory and the kernel module instantiated over it. Nothing is
 * compiled at import: the kernels start on the first op where the platform has their bytes at
 * hand (Node: `startKernels`, synchronously), or through `ready()` (`startKernelsAsync`), which a
 * browser page awaits once, since it fetches the build it runs and engines limit synchronous
 * compilation on a page's main thread.
 */
import { platform } from "#platform";
import type { Kernels } from "./kernels.generated.js";
import { relaxedSimdAvailable } from "./simd.js";
import { WasmJS, type WasmMemory } from "./wasm-api.js";

export type { Kernels };

/** 64 KiB pages: the most a wasm32 memory can address. Shared memory is reserved, not committed. */
const MAX_PAGES = 65536;

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const proc = (globalThis as { process?: { versions?: { node?: string }; env?: Record<string, string | undefined> } })
  .process;

/**
 * The one memory, shared so that it never moves when it grows: typed-array views handed out
 * stay valid. Made when the kernels start (an engine without shared wasm memory would throw at
 * import, and a program on the JS backend never needs it).
 */
export let memory: WasmMemory;

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

/** Whether the kernels are instantiated. */
export let started = false;

/** The build asked for before the start (NABLA_RELAXED_SIMD, or setBackend's relaxedSimd); undefined: the engine's best. */
let wantRelaxed: boolean | undefined =
  proc?.env?.NABLA_RELAXED_SIMD === "1" ? true : proc?.env?.NABLA_RELAXED_SIMD === "0" ? false : undefined;

const listeners: (() => void)[] = [];

/** Calls `f` whenever a module is instantiated (the heap takes the memory's buffer; the pool restarts its helpers). */
export function onModuleChange(f: () => void): void {
  listeners.push(f);
}

const decoded = new Map<boolean, Uint8Array>();

function bytesOf(relaxed: boolean, base64: string): Uint8Array {
  let bytes = decoded.get(relaxed);
  if (bytes === undefined) decoded.set(relaxed, (bytes = decodeBase64(base64)));
  return bytes;
}

function instantiate(relaxed: boolean, bytes: Uint8Array, exports: Record<string, unknown>): void {
  kernels = exports as unknown as Kernels;
  moduleBytes = bytes;
  usesRelaxedSimd = relaxed;
  started = true;
  for (const f of listeners) f();
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

/** Whether relaxed SIMD can run, setting Node 20's flag first when `ask`. */
function relaxedRuns(ask: boolean): boolean {
  if (ask && !relaxedSimdAvailable() && proc?.versions?.node !== undefined) enableRelaxedFlag();
  return relaxedSimdAvailable();
}

/** The build to start with: relaxed where it runs, unless the baseline was asked for. */
function startingBuild(): boolean {
  return wantRelaxed !== false && relaxedRuns(wantRelaxed === true);
}

/** Whether the kernels run (or, before they start, will run) the relaxed-SIMD build. */
export function relaxedSimdChosen(): boolean {
  return started ? usesRelaxedSimd : startingBuild();
}

function createMemory(): void {
  memory ??= new WasmJS!.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });
}

/** Whether `startKernels` can run: the platform has the bytes at hand (always in Node; in a browser after ready()). */
export function canStartSynchronously(): boolean {
  return platform.kernelsNow(startingBuild()) !== null;
}

/** Instantiates the kernels synchronously (see canStartSynchronously). */
export function startKernels(): void {
  if (started) return;
  const relaxed = startingBuild();
  const base64 = platform.kernelsNow(relaxed);
  if (base64 === null) throw new Error("nabla: the kernels' bytes are not loaded (await ready())");
  createMemory();
  const bytes = bytesOf(relaxed, base64);
  instantiate(relaxed, bytes, new WasmJS!.Instance(new WasmJS!.Module(bytes), { env: { memory } }).exports);
}

/** Loads the build's bytes where they are not at hand and instantiates it without blocking. */
export async function startKernelsAsync(): Promise<void> {
  if (started) return;
  const relaxed = startingBuild();
  const bytes = bytesOf(relaxed, await platform.loadKernels(relaxed));
  createMemory();
  const { instance } = await WasmJS!.instantiate(bytes, { env: { memory } });
  if (!started) instantiate(relaxed, bytes, instance.exports); // unless the first op started them meanwhile
}

/**
 * Switches between the relaxed-SIMD build and the baseline. Before the start it records the
 * choice; after, it instantiates the other build over the same memory, synchronously, which needs
 * its bytes at hand: in a browser, choose before `ready()`. Returns whether relaxed SIMD is on.
 */
export function useRelaxedSimd(on: boolean): boolean {
  if (!started) {
    wantRelaxed = on;
    return on && relaxedRuns(true);
  }
  if (on === usesRelaxedSimd) return on;
  if (on && !relaxedRuns(true)) return false;
  const base64 = platform.kernelsNow(on);
  if (base64 === null) {
    throw new Error(
      `setBackend("wasm", { relaxedSimd: ${on} }): on a browser page the kernel build is chosen before \`await ready()\`; ` +
        `this page started the ${usesRelaxedSimd ? "relaxed-SIMD" : "baseline"} build`,
    );
  }
  const bytes = bytesOf(on, base64);
  instantiate(on, bytes, new WasmJS!.Instance(new WasmJS!.Module(bytes), { env: { memory } }).exports);
  return usesRelaxedSimd;
}
