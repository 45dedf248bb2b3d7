/**
 * The `webgpu` project's setup: every test file runs with the WebGPU device as the default for new
 * tensors (NABLA_BACKEND=webgpu picks it at import; this waits for the adapter), so the whole suite
 * checks the device kernels against the same fixtures. The project runs by name (`npm run
 * test:webgpu`), where a device is expected: a device that cannot start fails every file.
 *
 * The files share one process (vitest.config.ts: `isolate: false`), so this runs before each file
 * with the modules, the device and its compiled pipelines already there: the device starts once.
 * process-settings.ts gives each file the settings the first one found and fails a file that
 * leaves one changed.
 */
import { afterAll } from "vitest";
import { startWebGpuDevice } from "./webgpu-device.js";
import { endFile, startFile } from "./process-settings.js";
import { deviceRandom } from "../packages/nabla/src/backend/webgpu/wgsl-philox.js";

const reason = await startWebGpuDevice();
if (reason !== "") throw new Error(`the webgpu project could not start the device: ${reason}`);

// The suite's seeded fixtures are PyTorch's CPU draws: here the device's random draws are the
// host's, uploaded (wgsl-philox.ts); test/webgpu-random.test.ts checks the device's own Philox draws.
deviceRandom.enabled = false;

// before the file is imported: a file may draw random numbers as it loads
startFile();
afterAll(endFile);
