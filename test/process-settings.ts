/**
 * The library's process-wide settings, for a project whose test files share one process (every
 * project but `wasm-fresh` runs with `isolate: false`, vitest.config.ts: one module graph, and in
 * the `webgpu` project one device start, for the whole suite instead of one per file). A file
 * that changes a setting and leaves it changed would change what the files after it run (another
 * backend, no gradients, a memory cap), so each file starts from the settings the first one
 * found, with the default generator's initial state as a fresh process has it, and a file that
 * leaves a setting changed fails, naming it.
 */
import { defaultGenerator, Generator, getBackend, getBackendOptions, getConvolutionScratch, getNumThreads, isAnomalyEnabled, isGradEnabled, memory, optim, setBackend, setConvolutionScratch, setDetectAnomaly, setGradEnabled, setNumThreads, type BackendOptions } from "../packages/nabla/src/index.js";
import { backend } from "../packages/nabla/src/backend/backend.js";
import { collectionMode } from "../packages/nabla/src/memory/collection.js";
import { setDefaultDevice } from "../packages/nabla/src/backend/device.js";

/** Each setting: how to read it, and how to put back a value read earlier. */
const SETTINGS: Record<string, { read: () => unknown; restore: (value: never) => void }> = {
  backend: { read: () => getBackend(), restore: (name: string) => (name === "webgpu" ? setDefaultDevice("webgpu") : setBackend(name)) },
  backendOptions: { read: () => JSON.stringify(getBackendOptions()), restore: () => restoreBackendOptions() },
  numThreads: { read: () => getNumThreads(), restore: (n: number) => setNumThreads(n) },
  convolutionScratch: { read: () => getConvolutionScratch(), restore: (bytes: number) => setConvolutionScratch(bytes) },
  gradEnabled: { read: () => isGradEnabled(), restore: (on: boolean) => setGradEnabled(on) },
  anomalyDetection: { read: () => isAnomalyEnabled(), restore: (on: boolean) => setDetectAnomaly(on) },
  fusedOptimizerSteps: { read: () => optim.fusedStepsEnabled(), restore: (on: boolean) => optim.setFusedSteps(on) },
  memoryCollection: { read: () => collectionMode(), restore: (mode: "auto" | "off") => void memory.setCollection(mode) },
  // both start uncapped: null puts that back (a device not started yet reads the limit it will
  // start with: in the CPU projects a WebGPU test file starts it midway)
  cpuMemoryLimit: { read: () => memory.stats("cpu").limit, restore: () => memory.setLimit(null, "cpu") },
  webgpuMemoryLimit: { read: () => memory.stats("webgpu").limit, restore: () => memory.setLimit(null, "webgpu") },
};

let found: Record<string, unknown> | null = null;
const initialGenerator = new Generator().getState();

/** Configures the CPU backend with the options first found, leaving the default device as it is. */
function restoreBackendOptions(): void {
  const device = getBackend();
  setBackend(backend().name, JSON.parse(found!.backendOptions as string) as BackendOptions);
  if (device === "webgpu") setDefaultDevice("webgpu");
}

/**
 * Called as a file starts: the first call records the settings; every call puts the default
 * generator back to a fresh process's state.
 */
export function startFile(): void {
  found ??= Object.fromEntries(Object.entries(SETTINGS).map(([name, s]) => [name, s.read()]));
  defaultGenerator.setState(initialGenerator);
}

/** Called as a file ends: puts back every setting it changed, and throws naming them. */
export function endFile(): void {
  if (found === null) return;
  const changed: string[] = [];
  for (const [name, setting] of Object.entries(SETTINGS)) {
    const now = setting.read();
    if (now === found[name]) continue;
    changed.push(`${name}: ${String(found[name])} → ${String(now)}`);
    setting.restore(found[name] as never);
  }
  if (changed.length > 0) {
    throw new Error(`this file left process-wide settings changed, which would change the files after it (restored now): ${changed.join("; ")}`);
  }
}
