/**
 * `await ready()`: starts the wasm kernels (a browser must, before its first op); `await
 * ready("webgpu")` starts the WebGPU device (everywhere: WebGPU hands out devices through
 * promises only), as `await setBackend("webgpu")` does without making it the default device.
 */
import { setDefaultDevice, startWebGpu } from "./device.js";
import { ready as wasmReady } from "./wasm/index.js";

export async function ready(backend?: "wasm" | "js" | "webgpu"): Promise<void> {
  if (backend === "webgpu") {
    await startWebGpu();
    return;
  }
  await wasmReady();
}

/**
 * NABLA_BACKEND=webgpu: the CPU backend is wasm where it runs (else js) and the default device is
 * webgpu from the start; the device starts now and `await ready("webgpu")` waits for it. Here,
 * not in device.ts: this module runs after the wasm backend has made itself the current one.
 */
function requestedAtStartup(): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NABLA_BACKEND;
}

if (requestedAtStartup() === "webgpu") {
  setDefaultDevice("webgpu");
  // a failure is reported by ready("webgpu") and by the first op on the device
  startWebGpu().catch(() => {});
}
