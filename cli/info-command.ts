/** `nabla info`: the backend, the threads, and the versions in use. */
import { readFileSync } from "node:fs";
import { getBackend, getNumThreads, listBackends } from "../src/index.js";

export function runInfo(log: (text: string) => void): void {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  const wasm = (globalThis as unknown as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  const simd = !!wasm?.validate(
    // (module (func (result v128) i32.const 0 i8x16.splat)): accepted only where SIMD is
    new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11]),
  );
  // (module (func (result v128) v128.const 0 ×3 f32x4.relaxed_madd)): the fused multiply-add the
  // matmul kernel uses; nabla turns it on where the engine has it (NABLA_RELAXED_SIMD=0 keeps it off)
  const zeros = (): number[] => [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
  const body = [0x00, ...zeros(), ...zeros(), ...zeros(), 0xfd, 0x85, 0x02, 0x0b];
  const relaxed =
    process.env.NABLA_RELAXED_SIMD !== "0" &&
    !!wasm?.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, body.length + 2, 1, body.length, ...body]));
  log(`nabla ${pkg.version}`);
  log(`backend: ${getBackend()} (available: ${listBackends().join(", ")})`);
  log(`threads: ${getNumThreads()} (setNumThreads; matmuls are split across them on the wasm backend)`);
  log(`WebAssembly SIMD: ${simd ? "yes" : "no"}; relaxed SIMD (fused multiply-add in matmul): ${relaxed ? "yes" : "no"}`);
  log(`node ${process.versions.node}, v8 ${process.versions.v8}, ${process.platform} ${process.arch}`);
}
