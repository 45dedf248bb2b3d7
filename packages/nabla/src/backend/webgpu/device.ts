/**
 * Finding a WebGPU device: the browser's `navigator.gpu`, or in Node the optional npm package
 * `webgpu` (Dawn's bindings), imported only when a device is asked for, so that the CPU backends
 * and every bundle that never asks need neither the package nor a GPU.
 *
 * Without a GPU, Dawn runs on a software Vulkan driver: Debian's Chromium ships SwiftShader's
 * (VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json); Mesa's lavapipe fails Dawn's
 * adapter check.
 */
import { platform } from "#platform";
import type { Gpu, GpuAdapter, GpuDevice } from "./gpu-types.js";

export interface DeviceOptions {
  readonly powerPreference?: "low-power" | "high-performance";
  /** Node only: Dawn's options for `create()`, e.g. `["backend=vulkan"]`. */
  readonly dawnFlags?: readonly string[];
  /**
   * Whether a worker owns the device (remote-device.ts), which lets this thread read GPU data
   * synchronously (`t.item()`), blocking until the worker answers. The default: on in Node
   * (NABLA_WEBGPU_WORKER=0 turns it off) and in a cross-origin isolated browser worker; off on a
   * page's main thread, which may never block.
   */
  readonly worker?: boolean;
}

export interface AcquiredDevice {
  readonly device: GpuDevice;
  readonly adapter: GpuAdapter;
  /**
   * The entry point the adapter came from. Held for the device's lifetime: Dawn's Node binding
   * tears its instance down when this object is collected, and the device then crashes the process.
   */
  readonly gpu: Gpu;
  /** Where the device came from, for messages. */
  readonly source: "navigator.gpu" | "webgpu (Node)";
  /** Whether a worker owns it (its buffers can then be read synchronously). */
  readonly worker: boolean;
}

interface NodeProcess {
  readonly versions?: { readonly node?: string };
  readonly env?: Record<string, string | undefined>;
}

const nodeProcess = (): NodeProcess | undefined => {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.versions?.node !== undefined ? p : undefined;
};

/**
 * Whether a worker owns the device unless the options say: in Node (unless NABLA_WEBGPU_WORKER=0),
 * and in a browser's worker that is cross-origin isolated (it may block, and share memory); never
 * on a page's main thread, which may not block, so that a worker would only add a hop there.
 */
function workerByDefault(): boolean {
  const node = nodeProcess();
  if (node !== undefined) return node.env?.NABLA_WEBGPU_WORKER !== "0";
  const scope = globalThis as { document?: unknown; crossOriginIsolated?: boolean; Worker?: unknown };
  return scope.document === undefined && scope.crossOriginIsolated === true && typeof scope.Worker === "function";
}

/** The error of a platform whose WebGPU finds no adapter. */
function noAdapter(source: AcquiredDevice["source"]): Error {
  return new Error(
    `webgpu: ${source} found no adapter. Without a GPU, Node runs on SwiftShader: set ` +
      "VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (Debian's chromium package) before the first device",
  );
}

/** The WebGPU entry point of this platform, or an error saying what is missing. */
async function findGpu(flags: readonly string[]): Promise<{ gpu: Gpu; source: AcquiredDevice["source"] }> {
  const navigatorGpu = (globalThis as { navigator?: { gpu?: Gpu } }).navigator?.gpu;
  if (navigatorGpu) return { gpu: navigatorGpu, source: "navigator.gpu" };
  const isNode = nodeProcess() !== undefined;
  if (!isNode) {
    throw new Error("webgpu: this browser has no navigator.gpu (WebGPU is off or unsupported; in headless Chromium pass --enable-unsafe-webgpu)");
  }
  // a computed specifier: bundlers and tsc leave the optional package alone
  const name = "webgpu";
  let binding: { create(flags: string[]): Gpu };
  try {
    binding = (await import(/* @vite-ignore */ name)) as typeof binding;
  } catch (e) {
    throw new Error(`webgpu: in Node the webgpu backend needs the optional package "webgpu" (npm install webgpu): ${(e as Error).message}`);
  }
  return { gpu: binding.create([...flags]), source: "webgpu (Node)" };
}

/**
 * A device with the adapter's full storage-buffer limits (the defaults cap one binding at
 * 128 MiB, below one large weight matrix).
 */
export async function acquireDevice(options: DeviceOptions = {}): Promise<AcquiredDevice> {
  if (options.worker ?? workerByDefault()) {
    const isNode = nodeProcess() !== undefined;
    const source = isNode ? "webgpu (Node)" : "navigator.gpu";
    // the module that starts a worker is loaded only when one is asked for
    const { startRemoteDevice } = await import("./remote-device.js");
    // the platform module starts the worker (#platform: no browser bundle carries the Node route)
    const started = await startRemoteDevice(platform.startDeviceWorker, options, () => noAdapter(source));
    return { ...started, source, worker: true };
  }
  const { gpu, source } = await findGpu(options.dawnFlags ?? []);
  const adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : {});
  if (adapter === null) throw noAdapter(source);
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  return { device, adapter, gpu, source, worker: false };
}
