// A worker that reads a worker-owned WebGPU device synchronously (webgpu-remote-page.js starts it).
import { blockingRefusal, startRemoteDevice } from "/packages/nabla/dist/src/backend/webgpu/remote-device.js";
import { platform } from "/packages/nabla/dist/src/backend/wasm/platform-browser.js";

try {
  const { device } = await startRemoteDevice(platform.startDeviceWorker, {}, () => new Error("no adapter"));
  const buffer = device.createBuffer({ size: 16, usage: 0x80 | 0x4 | 0x8 });
  device.queue.writeBuffer(buffer, 0, new Float32Array([5, 6, 7, 8]));
  device.maxReplyBytes = 8; // two chunks
  const values = Array.from(new Float32Array(device.readSync(buffer, 0, 16)));
  device.destroy();
  postMessage({ refusal: blockingRefusal(), values, crossOriginIsolated: globalThis.crossOriginIsolated });
} catch (e) {
  postMessage({ error: String(e.stack ?? e) });
}
