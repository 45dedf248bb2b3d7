import { WasmJS } from "./wasm-api.js";

/** Whether this engine runs WebAssembly SIMD and threads (shared memory), which the wasm backend needs. */

// (module (memory 1 1 shared) (func (result v128) (v128.const i32x4 0 0 0 0)))
const PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x05, 0x04, 0x01, 0x03, 0x01, 0x01, // memory: shared, min 1, max 1
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b, // v128.const 0
]);

export function wasmSimdAvailable(): boolean {
  try {
    if (WasmJS === undefined || !WasmJS.validate(PROBE)) return false;
    // Creating the shared memory is the real test: a page that is not cross-origin isolated
    // hides the SharedArrayBuffer constructor, yet Chromium still gives it shared wasm memory
    // (one thread, no workers); engines that refuse throw here.
    new WasmJS.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/** A v128 function of three v128.const and an f32x4.relaxed_madd: valid only where relaxed SIMD is. */
const zeros = (): number[] => [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const RELAXED_BODY = [0x00, ...zeros(), ...zeros(), ...zeros(), 0xfd, 0x85, 0x02, 0x0b];
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x0a, RELAXED_BODY.length + 2, 0x01, RELAXED_BODY.length, ...RELAXED_BODY,
]);

/** Whether this engine validates relaxed SIMD now (without compiling the kernels to find out). */
export function relaxedSimdAvailable(): boolean {
  return WasmJS?.validate(RELAXED_PROBE) ?? false;
}
