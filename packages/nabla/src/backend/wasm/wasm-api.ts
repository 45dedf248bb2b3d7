/**
 * The slice of the WebAssembly JS API this backend uses, typed here because the project's
 * tsconfig (lib ES2022, Node types) does not declare the WebAssembly global.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

export const WasmJS: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
