/**
 * The safetensors format (what PyTorch users share weights in), bytes in and bytes out, so it
 * works in the browser too: an 8-byte little-endian header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { str: str } }`, then the
 * data, little-endian, row-major. Nothing from the file is trusted: the header length, every
 * offset, every shape and dtype size is checked against the bytes before any tensor is made; a
 * header nested deeper than MAX_JSON_DEPTH is refused before it is parsed, so the work is linear
 * in the file's size; tensor and metadata names (`__proto__` included) are ordinary keys of
 * objects without a prototype.
 */
import { fromTypedArray } from "../ops/helpers.js";
import { DataFormatError } from "../data/format-error.js";
import type { DType, TypedArray } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import type { StateDict } from "../nn/module.js";
import { MAX_JSON_DEPTH, nullPrototypeObject, parseUntrustedJson } from "./json.js";

export type { StateDict };
export type SafetensorsMetadata = Record<string, string>;

/** The safetensors library's own limit on the header (100 MB). */
const MAX_HEADER = 100_000_000;

/** Bytes per element of each safetensors dtype nabla reads, and the nabla dtype it becomes. */
export const READ_TYPES: Record<string, { bytes: number; dtype: DType }> = {
  F64: { bytes: 8, dtype: "float64" },
  F32: { bytes: 4, dtype: "float32" },
  F16: { bytes: 2, dtype: "float32" },
  BF16: { bytes: 2, dtype: "float32" },
  I64: { bytes: 8, dtype: "int32" },
  I32: { bytes: 4, dtype: "int32" },
  I16: { bytes: 2, dtype: "int32" },
  I8: { bytes: 1, dtype: "int32" },
  U8: { bytes: 1, dtype: "int32" },
  BOOL: { bytes: 1, dtype: "bool" },
};

/** What each nabla dtype is written as. */
export const WRITE_TYPES: Record<DType, string> = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Parses safetensors bytes into tensors and the `__metadata__` strings. `name` is used in errors. */
export function decodeSafetensors(bytes: Uint8Array, name: string): { tensors: StateDict; metadata: SafetensorsMetadata } {
  const fail = (reason: string, offset?: number): never => {
    throw new DataFormatError(name, reason, offset === undefined ? {} : { offset });
  };
  if (bytes.length < 8) fail(`truncated safetensors file: ${bytes.length} bytes, the header length needs 8`, bytes.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > MAX_HEADER) fail(`header length ${headerLength} exceeds the limit of ${MAX_HEADER} bytes`, 0);
  if (8 + headerLength > bytes.length) fail(`header length ${headerLength} runs past the end of the ${bytes.length}-byte file`, 0);
  if (headerLength < 2 || bytes[8] !== 0x7b /* { */) fail("the header must be a JSON object starting with '{'", 8);
  let header: unknown;
  try {
    header = parseUntrustedJson(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)), MAX_JSON_DEPTH);
  } catch (e) {
    fail(`the header is not valid UTF-8 JSON of at most ${MAX_JSON_DEPTH} levels (${(e as Error).message})`, 8);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("the header must be a JSON object", 8);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;

  const metadata: SafetensorsMetadata = nullPrototypeObject();
  const entries: { key: string; type: { bytes: number; dtype: DType }; code: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [key, value] of Object.entries(header as Record<string, unknown>)) {
    if (key === "__metadata__") {
      if (typeof value !== "object" || value === null || Array.isArray(value)) fail("__metadata__ must be an object of strings", 8);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`__metadata__ value for "${k}" is not a string`, 8);
        metadata[k] = v as string;
      }
      continue;
    }
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info !== "object" || info === null) fail(`tensor "${key}": header entry is not an object`, 8);
    const code = info.dtype;
    if (typeof code !== "string") fail(`tensor "${key}": missing dtype`, 8);
    const type = Object.prototype.hasOwnProperty.call(READ_TYPES, code as string) ? READ_TYPES[code as string] : undefined;
    if (type === undefined) fail(`tensor "${key}": unsupported dtype ${code} (nabla reads ${Object.keys(READ_TYPES).join(", ")})`, 8);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) fail(`tensor "${key}": shape must be a list of non-negative integers`, 8);
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`tensor "${key}": data_offsets must be two non-negative integers`, 8);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) fail(`tensor "${key}": data_offsets [${begin}, ${end}] are reversed`, 8);
    if (end > dataLength) fail(`tensor "${key}": data_offsets [${begin}, ${end}] run past the ${dataLength} data bytes`, dataStart + begin);
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    if (numel * type!.bytes !== end - begin) {
      fail(`tensor "${key}": shape [${(shape as number[]).join(", ")}] of ${code} needs ${numel * type!.bytes} bytes, data_offsets give ${end - begin}`, dataStart + begin);
    }
    entries.push({ key, type: type!, code: code as string, shape: shape as number[], begin, end });
  }
  // The data must be covered exactly once: sorted by offset, each tensor starts where the last ended.
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) {
      fail(
        e.begin < at ? `tensor "${e.key}" overlaps the tensor before it (data_offsets start at ${e.begin}, previous ends at ${at})` : `a gap of ${e.begin - at} bytes before tensor "${e.key}"`,
        dataStart + Math.min(at, e.begin),
      );
    }
    at = e.end;
  }
  if (at !== dataLength) fail(`${dataLength - at} bytes after the last tensor are not described by the header`, dataStart + at);

  const tensors: StateDict = nullPrototypeObject();
  for (const e of entries) {
    const raw = bytes.subarray(dataStart + e.begin, dataStart + e.end);
    tensors[e.key] = fromTypedArray(decodeValues(raw, e.code, e.key, name, dataStart + e.begin), e.shape, e.type.dtype);
  }
  return { tensors, metadata };
}

/** Parses safetensors bytes into a state dict (see decodeSafetensors for the metadata too). */
export function parseSafetensors(bytes: Uint8Array, name: string): StateDict {
  return decodeSafetensors(bytes, name).tensors;
}

/** A little-endian typed array over a copy of `raw` (copied so it is aligned). */
function littleEndian<T>(raw: Uint8Array, make: (buffer: ArrayBuffer) => T, bytes: number, read: (v: DataView, at: number) => number): T | number[] {
  if (LITTLE_ENDIAN) return make(raw.slice().buffer);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: raw.length / bytes }, (_, i) => read(v, i * bytes));
}

export function decodeValues(raw: Uint8Array, code: string, key: string, file: string, offset: number): ArrayLike<number> {
  switch (code) {
    case "F64":
      return littleEndian(raw, (b) => new Float64Array(b), 8, (v, at) => v.getFloat64(at, true));
    case "F32":
      return littleEndian(raw, (b) => new Float32Array(b), 4, (v, at) => v.getFloat32(at, true));
    case "I32":
      return littleEndian(raw, (b) => new Int32Array(b), 4, (v, at) => v.getInt32(at, true));
    case "I16":
      return littleEndian(raw, (b) => new Int16Array(b), 2, (v, at) => v.getInt16(at, true));
    case "I8":
      return new Int8Array(raw.slice().buffer);
    case "U8":
      return raw;
    case "BOOL":
      return raw;
    case "I64": {
      // int32 holds what nabla's indices need; anything outside its range is an error, not a wrap.
      const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const out = new Int32Array(raw.length / 8);
      for (let i = 0; i < out.length; i++) {
        const lo = v.getUint32(8 * i, true);
        const hi = v.getInt32(8 * i + 4, true);
        if (!((hi === 0 && lo < 0x80000000) || (hi === -1 && lo >= 0x80000000))) {
          const value = BigInt(hi) * 4294967296n + BigInt(lo);
          throw new DataFormatError(file, `tensor "${key}": int64 value ${value} at element ${i} does not fit in int32`, { offset: offset + 8 * i });
        }
        out[i] = lo | 0;
      }
      return out;
    }
    case "F16": {
      const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      return Float32Array.from({ length: raw.length / 2 }, (_, i) => halfToFloat(v.getUint16(2 * i, true)));
    }
    case "BF16": {
      // bfloat16 is the top half of a float32.
      const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const bits = new Uint32Array(raw.length / 2);
      for (let i = 0; i < bits.length; i++) bits[i] = v.getUint16(2 * i, true) << 16;
      return new Float32Array(bits.buffer);
    }
  }
  throw new Error(`safetensors: no decoder for ${code}`);
}

/** IEEE 754 half precision → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal (or zero)
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * Encodes tensors (float32 as F32, float64 as F64, int32 as I32, bool as BOOL) and string
 * metadata as safetensors bytes, in the state dict's order; the header is padded with spaces to
 * a multiple of 8 bytes, as the safetensors library does, so the data is aligned.
 */
export function serializeSafetensors(stateDict: StateDict, metadata?: SafetensorsMetadata): Uint8Array {
  const header: Record<string, unknown> = nullPrototypeObject(); // a tensor may be named "__proto__"
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new TypeError(`serializeSafetensors: metadata value for "${k}" must be a string, got ${typeof v}`);
    }
    header.__metadata__ = metadata;
  }
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [key, t] of Object.entries(stateDict)) {
    if (key === "__metadata__") throw new RangeError('serializeSafetensors: "__metadata__" cannot be a tensor name');
    if (!(t instanceof Tensor)) throw new TypeError(`serializeSafetensors: value for "${key}" is not a Tensor`);
    const values = t.toTypedArray();
    const data = toLittleEndianBytes(values, t.dtype);
    header[key] = { dtype: WRITE_TYPES[t.dtype], shape: t.shape.slice(), data_offsets: [offset, offset + data.length] };
    parts.push(data);
    offset += data.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function toLittleEndianBytes(values: TypedArray, dtype: DType): Uint8Array {
  if (dtype === "bool") return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const size = values.BYTES_PER_ELEMENT;
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (dtype === "float64") v.setFloat64(i * size, values[i]!, true);
    else if (dtype === "float32") v.setFloat32(i * size, values[i]!, true);
    else v.setInt32(i * size, values[i]!, true);
  }
  return out;
}
