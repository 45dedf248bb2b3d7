// The worker-owned WebGPU device in Chromium (test/webgpu-sync.test.ts): on the page's thread the
// device runs in a worker (device-worker.js) and reads asynchronously, while a synchronous read is
// refused (a page's main thread may not block); in a worker, a synchronous read blocks and answers.
import { blockingRefusal, startRemoteDevice } from "/packages/nabla/dist/src/backend/webgpu/remote-device.js";
import { platform } from "/packages/nabla/dist/src/backend/wasm/platform-browser.js";

const STORAGE = 0x80 | 0x4 | 0x8;

/** A buffer holding `values`, on the worker-owned `device`. */
function filled(device, values) {
  const buffer = device.createBuffer({ size: values.byteLength, usage: STORAGE });
  device.queue.writeBuffer(buffer, 0, values);
  return buffer;
}

const report = {};
try {
  const { device } = await startRemoteDevice(platform.startDeviceWorker, {}, () => new Error("no adapter"));
  const buffer = filled(device, new Float32Array([1, 2, 3, 4]));
  const staging = device.createBuffer({ size: 16, usage: 0x1 | 0x8 });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, 16);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(0x1);
  report.asyncRead = Array.from(new Float32Array(staging.getMappedRange().slice(0)));
  staging.unmap();
  report.mainRefusal = blockingRefusal();
  try {
    device.readSync(buffer, 0, 16);
    report.mainSync = "no error";
  } catch (e) {
    report.mainSync = e.message;
  }
  device.destroy();
  const worker = new Worker("/test/browser/webgpu-remote-worker.js", { type: "module" });
  report.worker = await new Promise((resolve) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => resolve({ error: e.message ?? "worker error" });
  });
} catch (e) {
  report.error = String(e.stack ?? e);
}
globalThis.report = report;
