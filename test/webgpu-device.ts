/**
 * Starting the WebGPU device for the tests that use it: without a GPU, Dawn runs on Debian
 * Chromium's SwiftShader (set here when the file exists and nothing else was chosen).
 */
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { ready } from "../packages/nabla/src/index.js";

const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";
/** Tries at an adapter before calling the device absent, and the pause before each retry. */
const ATTEMPTS = 3;
const RETRY_AFTER_MS = 2000;
/**
 * How long one start may take before it counts as hung: seconds on SwiftShader even on a loaded
 * machine, so a start still pending after this will not finish (the tests' own limit is half an hour).
 */
const START_LIMIT_MS = 120_000;

/** Starts the device; "" when it started, else why not (the tests are then skipped with that reason). */
export async function startWebGpuDevice(): Promise<string> {
  if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  // SwiftShader's adapter is now and then refused on a loaded machine (Dawn's Vulkan start gives
  // no adapter, then one on the next try): a few tries, a pause apart, before calling the device absent
  let reason = "";
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await sleep(RETRY_AFTER_MS);
    try {
      await startWithin(START_LIMIT_MS);
      return "";
    } catch (e) {
      reason = (e as Error).message;
      if (!reason.includes("found no adapter")) return reason;
      reason = `${reason} (${attempt} tries)`;
    }
  }
  return reason;
}

/** `ready("webgpu")`, or an error once `ms` have passed without it. */
async function startWithin(ms: number): Promise<void> {
  const abort = new AbortController();
  const timeout = sleep(ms, undefined, { signal: abort.signal, ref: false }).then(() => {
    throw new Error(`webgpu: the device did not start within ${ms / 1000} s (Dawn's adapter or device request never answered)`);
  });
  try {
    await Promise.race([ready("webgpu"), timeout]);
  } finally {
    abort.abort();
    timeout.catch(() => {});
  }
}
