/**
 * The IDX format of MNIST and Fashion-MNIST: two zero bytes, a type byte, the number of dims,
 * each dim as a big-endian uint32, then the values big-endian. The parser takes bytes and a name
 * (for errors), so it runs in the browser on fetched bytes as well as in Node; it trusts no size
 * from the file: every count is checked against the bytes actually there before anything is made.
 */
import { fromTypedArray } from "../ops/helpers.js";
import type { DType, TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { DataFormatError, isGzip } from "./format-error.js";

interface IdxType {
  name: string;
  bytes: number;
  dtype: DType;
  read(view: DataView, at: number): number;
}

/** IDX type codes → how to read one value (big-endian) and the nabla dtype that holds it. */
const IDX_TYPES: Record<number, IdxType> = {
  0x08: { name: "unsigned byte", bytes: 1, dtype: "int32", read: (v, at) => v.getUint8(at) },
  0x09: { name: "signed byte", bytes: 1, dtype: "int32", read: (v, at) => v.getInt8(at) },
  0x0b: { name: "short", bytes: 2, dtype: "int32", read: (v, at) => v.getInt16(at, false) },
  0x0c: { name: "int", bytes: 4, dtype: "int32", read: (v, at) => v.getInt32(at, false) },
  0x0d: { name: "float", bytes: 4, dtype: "float32", read: (v, at) => v.getFloat32(at, false) },
  0x0e: { name: "double", bytes: 8, dtype: "float64", read: (v, at) => v.getFloat64(at, false) },
};

/** More dims than any real IDX file has; guards against a garbage dims byte. */
const MAX_DIMS = 8;

/** What the header of a checked IDX file says: the shape, the value type, and where the data starts. */
export interface IdxHeader {
  shape: number[];
  /** The IDX type code (0x08 unsigned byte … 0x0e double). */
  typeCode: number;
  dtype: DType;
  /** Byte offset of the first value. */
  dataStart: number;
  /** Number of values. */
  count: number;
}

/**
 * Reads and checks an IDX header against the bytes actually there: the data must be exactly as
 * long as the dims say. Throws a DataFormatError naming `name` and the byte offset.
 */
export function readIdxHeader(bytes: Uint8Array, name: string): IdxHeader {
  if (isGzip(bytes)) {
    throw new DataFormatError(name, "the data is gzip-compressed; gunzip it first (readIdxFile from 'nabla/node' does)", { offset: 0 });
  }
  if (bytes.length < 4) throw new DataFormatError(name, `truncated IDX header: the file has ${bytes.length} bytes, the magic number needs 4`, { offset: bytes.length });
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataFormatError(name, `not an IDX file: the magic number must start with two zero bytes, got 0x${hex(bytes[0]!)} 0x${hex(bytes[1]!)}`, { offset: 0 });
  }
  const type = IDX_TYPES[bytes[2]!];
  if (type === undefined) throw new DataFormatError(name, `unknown IDX data type 0x${hex(bytes[2]!)}`, { offset: 2 });
  const ndim = bytes[3]!;
  if (ndim === 0 || ndim > MAX_DIMS) throw new DataFormatError(name, `IDX file claims ${ndim} dimensions (expected 1 to ${MAX_DIMS})`, { offset: 3 });
  const headerEnd = 4 + 4 * ndim;
  if (bytes.length < headerEnd) {
    throw new DataFormatError(name, `truncated IDX header: ${ndim} dimension sizes need ${headerEnd} bytes, the file ends`, { offset: bytes.length });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    shape.push(size);
    count *= size;
  }
  const dataBytes = bytes.length - headerEnd;
  // Compare in floating point: the product of claimed sizes can exceed any real length.
  const expected = count * type.bytes;
  if (expected > dataBytes) {
    throw new DataFormatError(
      name,
      `truncated IDX data: shape [${shape.join(", ")}] of ${type.name}s needs ${expected} bytes after the ${headerEnd}-byte header, ` +
        `only ${dataBytes} are there`,
      { offset: bytes.length },
    );
  }
  if (expected < dataBytes) {
    throw new DataFormatError(name, `${dataBytes - expected} unexpected trailing bytes after the data of shape [${shape.join(", ")}]`, {
      offset: headerEnd + expected,
    });
  }
  return { shape, typeCode: bytes[2]!, dtype: type.dtype, dataStart: headerEnd, count };
}

/**
 * Parses an IDX file into a tensor: unsigned/signed bytes, shorts and ints as int32, floats as
 * float32, doubles as float64. Throws a DataFormatError naming `name` and the byte offset.
 */
export function parseIdx(bytes: Uint8Array, name: string): Tensor {
  const header = readIdxHeader(bytes, name);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return fromTypedArray(readValues(bytes, view, header.dataStart, header.count, IDX_TYPES[header.typeCode]!, header.typeCode), header.shape, header.dtype);
}

function readValues(bytes: Uint8Array, view: DataView, start: number, count: number, type: IdxType, code: number): ArrayLike<number> {
  // Unsigned bytes (every MNIST file) are copied straight; the rest go through DataView for big-endian order.
  if (code === 0x08) return bytes.subarray(start, start + count);
  const out: TypedArray = type.dtype === "float64" ? new Float64Array(count) : type.dtype === "float32" ? new Float32Array(count) : new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = type.read(view, start + i * type.bytes);
  return out;
}

/** Encodes a tensor as IDX bytes (int32 as "int", float32 as "float", float64 as "double"; `ubyte` stores int32 0–255 as bytes). */
export function serializeIdx(t: Tensor, { ubyte = false }: { ubyte?: boolean } = {}): Uint8Array {
  const code = ubyte ? 0x08 : t.dtype === "float64" ? 0x0e : t.dtype === "float32" ? 0x0d : 0x0c;
  const type = IDX_TYPES[code]!;
  const values = t.toTypedArray();
  const headerEnd = 4 + 4 * t.ndim;
  const out = new Uint8Array(headerEnd + values.length * type.bytes);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = t.ndim;
  t.shape.forEach((s, d) => view.setUint32(4 + 4 * d, s, false));
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const at = headerEnd + i * type.bytes;
    if (code === 0x08) {
      if (!(v >= 0 && v <= 255 && Number.isInteger(v))) throw new RangeError(`serializeIdx: value ${v} does not fit an unsigned byte`);
      view.setUint8(at, v);
    } else if (code === 0x0c) view.setInt32(at, v, false);
    else if (code === 0x0d) view.setFloat32(at, v, false);
    else view.setFloat64(at, v, false);
  }
  return out;
}

function hex(b: number): string {
  return b.toString(16).padStart(2, "0");
}
