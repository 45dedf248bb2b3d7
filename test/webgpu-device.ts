/**
 * Starting the WebGPU device for the tests that use it: without a GPU, Dawn runs on Debian
 * Chromium's SwiftShader (set here when the file exists and nothing else was chosen).
 */
import { existsSync } from "node:fs";
import { ready } from "../packages/nabla/src/index.js";

const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

/** Starts the device; "" when it started, else why not (the tests are then skipped with that reason). */
export async function startWebGpuDevice(): Promise<string> {
  if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  // SwiftShader's adapter is now and then refused on a loaded machine (Dawn's Vulkan start gives
  // no adapter, then one on the next try): three tries before calling the device absent
  let reason = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await ready("webgpu");
      return "";
    } catch (e) {
      reason = (e as Error).message;
      if (!reason.includes("found no adapter")) return reason;
    }
  }
  return reason;
}
