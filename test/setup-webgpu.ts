/**
 * The `webgpu` project's setup: every test file runs with the WebGPU device as the default for new
 * tensors (NABLA_BACKEND=webgpu picks it at import; this waits for the adapter), so the whole suite
 * checks the device kernels against the same fixtures. The project runs by name (`npm run
 * test:webgpu`), where a device is expected: a device that cannot start fails every file.
 */
import { startWebGpuDevice } from "./webgpu-device.js";
import { deviceRandom } from "../packages/nabla/src/backend/webgpu/wgsl-philox.js";

const reason = await startWebGpuDevice();
if (reason !== "") throw new Error(`the webgpu project could not start the device: ${reason}`);

// The suite's seeded fixtures are PyTorch's CPU draws: here the device's random draws are the
// host's, uploaded (wgsl-philox.ts); test/webgpu-random.test.ts checks the device's own Philox draws.
deviceRandom.enabled = false;
