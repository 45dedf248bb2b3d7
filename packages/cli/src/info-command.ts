/** `nabla info`: the backend, the threads, and the versions in use. */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { getBackend, getBackendOptions, getNumThreads, listBackends } from "nabla";

export function runInfo(log: (text: string) => void): void {
  const pkg = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("nabla/package.json"), "utf8")) as { version: string };
  const wasm = (globalThis as unknown as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  const simd = !!wasm?.validate(
    // (module (func (result v128) i32.const 0 i8x16.splat)): accepted only where SIMD is
    new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11]),
  );
  const relaxed = getBackendOptions().relaxedSimd === true;
  log(`nabla ${pkg.version}`);
  log(`backend: ${getBackend()} (available: ${listBackends().join(", ")})`);
  log(`threads: ${getNumThreads()} (setNumThreads; matmuls are split across them on the wasm backend)`);
  log(`WebAssembly SIMD: ${simd ? "yes" : "no"}; relaxed SIMD (fused multiply-add in matmul): ${relaxed ? "on" : "off"}`);
  log(`node ${process.versions.node}, v8 ${process.versions.v8}, ${process.platform} ${process.arch}`);
}
