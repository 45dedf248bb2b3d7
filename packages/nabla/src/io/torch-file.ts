/**
 * PyTorch's `.pt` files (what `torch.save` writes), bytes in and bytes out, browser-safe.
 *
 * Since PyTorch 1.6 a `.pt` file is a zip archive: `<name>/data.pkl` is a pickle of the saved
 * object in which every tensor is `torch._utils._rebuild_tensor_v2(storage, offset, size,
 * stride, …)` and every storage is a persistent id `('storage', torch.FloatStorage, key,
 * location, numel)` whose bytes are the record `<name>/data/<key>` (little-endian, row-major).
 * Before 1.6 (the "legacy" format) the file is a run of pickles — a magic number, the protocol,
 * the system info, the object, the storage keys — followed by each storage as an int64 count
 * and its bytes.
 *
 * A `.pt` file is a program: `pickle.load` (and `torch.load` without `weights_only=True`) runs
 * whatever callables it names. `loadTorch` uses a restricted unpickler (pickle.ts) that lets
 * through only the names that rebuild tensors, storages and OrderedDicts, and refuses every other
 * global by name when it is read, before anything could run. Tensors of float16 and bfloat16 are
 * widened to float32, int64 is range-checked into int32, as the safetensors reader does.
 */
import { DataFormatError } from "../data/format-error.js";
import { fromTypedArray } from "../ops/helpers.js";
import type { DType } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { nullPrototypeObject } from "./json.js";
import {
  MAX_PICKLE_DEPTH,
  PickleCall,
  PickleDict,
  PickleGlobalRef,
  PicklePersistent,
  PyDict,
  PyTuple,
  describe,
  pickle,
  unpickleAt,
  type PickleValue,
  type PyGlobal,
} from "./pickle.js";
import { READ_TYPES, decodeValues, toLittleEndianBytes } from "./safetensors.js";
import { readZip, writeZip } from "./zip.js";

/** What a `.pt` file can hold for nabla: tensors in (possibly nested) dicts and lists of plain values. */
export type TorchValue = Tensor | number | bigint | string | boolean | null | Uint8Array | TorchValue[] | { [key: string]: TorchValue };

/** PyTorch's storage classes and the safetensors dtype code of their elements. */
const STORAGE_CODES: Record<string, string> = {
  FloatStorage: "F32",
  DoubleStorage: "F64",
  HalfStorage: "F16",
  BFloat16Storage: "BF16",
  LongStorage: "I64",
  IntStorage: "I32",
  ShortStorage: "I16",
  CharStorage: "I8",
  ByteStorage: "U8",
  BoolStorage: "BOOL",
};
const CODE_STORAGES: Record<DType, string> = { float32: "FloatStorage", float64: "DoubleStorage", int32: "IntStorage", bool: "BoolStorage" };

/** A storage named by a persistent id: its element code, element count, and bytes (once found). */
class StorageRecord {
  decoded: ArrayLike<number> | null = null;
  constructor(
    readonly code: string,
    readonly key: string,
    readonly numel: number,
    public bytes: Uint8Array | null,
  ) {}
}

/** A tensor as the pickle describes it; made into a Tensor when the whole value is converted (so errors can name its key). */
class TensorRecord {
  constructor(
    readonly storage: StorageRecord,
    readonly offset: number,
    readonly size: number[],
    readonly stride: number[],
  ) {}
}

class StorageType {
  constructor(readonly code: string) {}
}

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** The allow-list: the only globals a `.pt` file may name. */
function findGlobal(module: string, name: string): PyGlobal | undefined {
  const fn = (call: (args: unknown[]) => unknown): PyGlobal => ({ module, name, call });
  if (module === "collections" && name === "OrderedDict") {
    return fn((args) => {
      if (args.length !== 0) throw new Error(`expected no arguments, got ${args.length}`);
      return new PyDict(true);
    });
  }
  if (module === "torch" && hasOwn(STORAGE_CODES, name)) {
    const type = new StorageType(STORAGE_CODES[name]!);
    return Object.assign(type, { module, name }) as unknown as PyGlobal;
  }
  if (module === "torch._utils" && name === "_rebuild_tensor_v2") return fn(rebuildTensor);
  if (module === "torch._utils" && (name === "_rebuild_parameter" || name === "_rebuild_parameter_with_state")) {
    return fn((args) => {
      if (!(args[0] instanceof TensorRecord)) throw new Error(`the data is a ${describe(args[0])}, not a tensor`);
      return args[0];
    });
  }
  if (module === "torch" && name === "Size") {
    return fn((args) => {
      if (!(args[0] instanceof PyTuple)) throw new Error("expected a tuple");
      return args[0];
    });
  }
  return undefined;
}

/** `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`. */
function rebuildTensor(args: unknown[]): TensorRecord {
  if (args.length < 4) throw new Error(`expected at least 4 arguments, got ${args.length}`);
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRecord)) throw new Error(`the storage is a ${describe(storage)}`);
  const ints = (v: unknown, what: string): number[] => {
    const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : null;
    if (items === null || !items.every((x) => Number.isSafeInteger(x) && (x as number) >= 0)) throw new Error(`${what} must be a tuple of non-negative integers`);
    return items as number[];
  };
  if (!Number.isSafeInteger(offset) || (offset as number) < 0) throw new Error(`storage_offset must be a non-negative integer, got ${String(offset)}`);
  const shape = ints(size, "size");
  const strides = ints(stride, "stride");
  if (shape.length !== strides.length) throw new Error(`size [${shape.join(", ")}] and stride [${strides.join(", ")}] differ in length`);
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel > 0) {
    const last = shape.reduce((m, s, i) => m + (s - 1) * strides[i]!, offset as number);
    if (last >= storage.numel) {
      throw new Error(`size [${shape.join(", ")}], stride [${strides.join(", ")}] and offset ${offset as number} reach element ${last} of a storage of ${storage.numel}`);
    }
  }
  return new TensorRecord(storage, offset as number, shape, strides);
}

/**
 * Reads a `.pt` file written by `torch.save` (zip or legacy format): a state dict, a dict of
 * state dicts (`{ model, optimizer }`), or any nesting of dicts, lists and tuples (as arrays),
 * numbers, strings and tensors. Dicts become objects without a prototype, keyed by the string of
 * each key (an optimizer's `state` keys 0, 1, … become "0", "1", …). `file` names it in errors.
 */
export function loadTorch(bytes: Uint8Array, file = "checkpoint.pt"): TorchValue {
  const fail = (reason: string, offset?: number): never => {
    throw new DataFormatError(file, reason, offset === undefined ? {} : { offset });
  };
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return loadZip(bytes, file, fail);
  if (bytes.length >= 2 && bytes[0] === 0x80) return loadLegacy(bytes, file, fail);
  return fail("not a torch.save file (neither a zip archive nor a pickle)", 0);
}

function loadZip(bytes: Uint8Array, file: string, fail: (reason: string, offset?: number) => never): TorchValue {
  const entries = readZip(bytes, file);
  const first = entries.keys().next().value as string | undefined;
  const slash = first === undefined ? -1 : first.indexOf("/");
  if (slash < 0) fail("the archive has no <name>/data.pkl record (is it a torch.save file?)");
  const prefix = first!.slice(0, slash);
  const data = entries.get(`${prefix}/data.pkl`);
  if (data === undefined) fail(`the archive has no ${prefix}/data.pkl record`);
  const byteorder = entries.get(`${prefix}/byteorder`);
  if (byteorder !== undefined && new TextDecoder().decode(byteorder) !== "little") fail(`the storages are big-endian (${prefix}/byteorder); nabla reads little-endian ones`);
  const storages = new Map<string, StorageRecord>();
  const { value } = unpickleAt(data!, 0, `${file}:${prefix}/data.pkl`, {
    findGlobal,
    persistentLoad(pid) {
      const items = pid instanceof PyTuple ? pid.items : [];
      const [tag, type, key, , numel] = items;
      if (items.length !== 5 || tag !== "storage" || !(type instanceof StorageType) || typeof key !== "string" || !Number.isSafeInteger(numel) || (numel as number) < 0) {
        throw new DataFormatError(file, `a persistent id that is not ('storage', type, key, location, numel)`);
      }
      let record = storages.get(key);
      if (record === undefined) {
        const raw = entries.get(`${prefix}/data/${key}`);
        if (raw === undefined) throw new DataFormatError(file, `storage ${key} has no record ${prefix}/data/${key}`);
        const size = READ_TYPES[type.code]!.bytes;
        if (raw.length !== (numel as number) * size) {
          throw new DataFormatError(file, `storage ${key}: ${numel as number} elements of ${type.code} need ${(numel as number) * size} bytes, the record has ${raw.length}`);
        }
        record = new StorageRecord(type.code, key, numel as number, raw);
        storages.set(key, record);
      } else if (record.code !== type.code || record.numel !== numel) {
        throw new DataFormatError(file, `storage ${key} is named twice with different types or sizes`);
      }
      return record;
    },
  });
  return toTorchValue(value, file);
}

/** The legacy (pre-1.6) format: pickles in a row, then the storages' bytes. */
function loadLegacy(bytes: Uint8Array, file: string, fail: (reason: string, offset?: number) => never): TorchValue {
  const plain = { findGlobal: () => undefined };
  const magic = unpickleAt(bytes, 0, file, plain);
  if (magic.value !== 0x1950a86a20f9469cfc6cn) fail("not a torch.save file (a pickle without PyTorch's magic number)", 0);
  const protocol = unpickleAt(bytes, magic.end, file, plain);
  if (protocol.value !== 1001) fail(`legacy protocol version ${String(protocol.value)} (nabla reads 1001)`, magic.end);
  const info = unpickleAt(bytes, protocol.end, file, plain);
  if (info.value instanceof PyDict && info.value.entries.get("little_endian") === false) fail("the storages are big-endian; nabla reads little-endian ones", protocol.end);
  const storages = new Map<string, StorageRecord>();
  const main = unpickleAt(bytes, info.end, file, {
    findGlobal,
    persistentLoad(pid) {
      const items = pid instanceof PyTuple ? pid.items : [];
      const [tag, type, key, , numel, viewMetadata] = items;
      if (items.length !== 6 || tag !== "storage" || !(type instanceof StorageType) || typeof key !== "string" || !Number.isSafeInteger(numel) || (numel as number) < 0) {
        throw new DataFormatError(file, `a persistent id that is not ('storage', type, key, location, numel, view)`);
      }
      if (viewMetadata !== null) throw new DataFormatError(file, `storage ${key} is a view of another storage (legacy storage views are not supported)`);
      let record = storages.get(key);
      if (record === undefined) {
        record = new StorageRecord(type.code, key, numel as number, null);
        storages.set(key, record);
      }
      return record;
    },
  });
  const keys = unpickleAt(bytes, main.end, file, plain);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === "string")) fail("the storage key list is not a list of strings", main.end);
  let at = keys.end;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of keys.value as string[]) {
    const record = storages.get(key);
    if (record === undefined) fail(`storage ${key} is listed but no tensor uses it`, at);
    if (at + 8 > bytes.length) fail(`storage ${key}: its element count runs past the end of the file`, at);
    const count = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
    if (count !== record!.numel) fail(`storage ${key} holds ${count} elements, the pickle says ${record!.numel}`, at);
    const length = count * READ_TYPES[record!.code]!.bytes;
    if (at + 8 + length > bytes.length) fail(`storage ${key}: ${length} bytes run past the end of the file`, at + 8);
    record!.bytes = bytes.subarray(at + 8, at + 8 + length);
    at += 8 + length;
  }
  for (const [key, record] of storages) if (record.bytes === null) fail(`storage ${key} has no data`);
  return toTorchValue(main.value, file);
}

/** Converts the unpickled value into TorchValue, making tensors; nesting bounded, cycles refused. */
function toTorchValue(value: unknown, file: string): TorchValue {
  const active = new Set<object>();
  const convert = (v: unknown, path: string, depth: number): TorchValue => {
    if (depth > MAX_PICKLE_DEPTH) throw new DataFormatError(file, `${path || "the value"}: nested deeper than ${MAX_PICKLE_DEPTH} levels`);
    if (v === null || typeof v === "number" || typeof v === "bigint" || typeof v === "string" || typeof v === "boolean" || v instanceof Uint8Array) return v;
    if (v instanceof TensorRecord) return makeTensor(v, path || "the tensor", file);
    if (typeof v !== "object") throw new DataFormatError(file, `${path}: a ${describe(v)} is not a value nabla reads`);
    if (active.has(v)) throw new DataFormatError(file, `${path}: the value contains itself`);
    active.add(v);
    try {
      if (v instanceof PyTuple || Array.isArray(v)) {
        const items = v instanceof PyTuple ? v.items : v;
        return items.map((x, i) => convert(x, `${path}[${i}]`, depth + 1));
      }
      if (v instanceof PyDict) {
        const out = nullPrototypeObject() as Record<string, TorchValue>;
        for (const [k, x] of v.entries) {
          const key = String(k);
          if (hasOwn(out, key)) throw new DataFormatError(file, `${path}: two keys read as "${key}"`);
          out[key] = convert(x, path ? `${path}.${key}` : key, depth + 1);
        }
        return out;
      }
    } finally {
      active.delete(v);
    }
    throw new DataFormatError(file, `${path || "the value"}: a ${describe(v)} is not a value nabla reads`);
  };
  return convert(value, "", 0);
}

/** The tensor a record describes, gathered into contiguous storage of nabla's dtype. */
function makeTensor(r: TensorRecord, path: string, file: string): Tensor {
  const s = r.storage;
  if (s.decoded === null) s.decoded = decodeValues(s.bytes!, s.code, path, file, 0);
  const values = s.decoded;
  const numel = r.size.reduce((a, b) => a * b, 1);
  const dtype = READ_TYPES[s.code]!.dtype;
  const contiguous = r.size.every((_, i) => r.stride[i] === r.size.slice(i + 1).reduce((a, b) => a * b, 1) || r.size[i] === 1);
  let out: ArrayLike<number>;
  if (contiguous) {
    out = ArrayBuffer.isView(values) ? (values as Float64Array).subarray(r.offset, r.offset + numel) : Array.from(values).slice(r.offset, r.offset + numel);
  } else {
    const gathered = new Float64Array(numel);
    const index = new Array<number>(r.size.length).fill(0);
    for (let n = 0; n < numel; n++) {
      let at = r.offset;
      for (let d = 0; d < index.length; d++) at += index[d]! * r.stride[d]!;
      gathered[n] = values[at]!;
      for (let d = index.length - 1; d >= 0; d--) {
        if (++index[d]! < r.size[d]!) break;
        index[d] = 0;
      }
    }
    out = gathered;
  }
  return fromTypedArray(out, r.size, dtype);
}

// ---- writing ---------------------------------------------------------------------------------

/** What `saveTorch` writes: tensors in nested objects, Maps (keys kept as numbers), arrays and plain values. */
export type TorchSaveValue = Tensor | number | string | boolean | null | TorchSaveValue[] | Map<string | number, TorchSaveValue> | { [key: string]: TorchSaveValue };

/**
 * Writes a state dict (or a nesting of them: `{ model, optimizer }`) as a `torch.save` zip file
 * that `torch.load(path, weights_only=True)` reads. An object whose values are all tensors becomes
 * an OrderedDict (as `state_dict()` returns), other objects dicts with string keys, Maps dicts
 * with their keys as they are (numbers as ints, for an optimizer's `state`), arrays lists.
 * Whole numbers are written as ints, others as floats. A tensor that appears twice (tied weights)
 * is written once and shares its storage when loaded.
 */
export function saveTorch(value: TorchSaveValue, archiveName = "archive"): Uint8Array {
  const storages = new Map<Tensor, { key: string; bytes: Uint8Array }>();
  const convert = (v: TorchSaveValue, path: string, depth: number): PickleValue => {
    if (depth > MAX_PICKLE_DEPTH) throw new RangeError(`saveTorch: ${path} is nested deeper than ${MAX_PICKLE_DEPTH} levels`);
    if (v instanceof Tensor) {
      let s = storages.get(v);
      if (s === undefined) {
        s = { key: String(storages.size), bytes: toLittleEndianBytes(v.contiguous().toTypedArray(), v.dtype).slice() };
        storages.set(v, s);
      }
      const strides = v.shape.map((_, i) => v.shape.slice(i + 1).reduce((a, b) => a * b, 1));
      const pid = new PyTuple(["storage", new PickleGlobalRef("torch", CODE_STORAGES[v.dtype]), s.key, "cpu", v.numel()]);
      return new PickleCall(new PickleGlobalRef("torch._utils", "_rebuild_tensor_v2"), [
        new PicklePersistent(pid),
        0,
        new PyTuple(v.shape.slice()),
        new PyTuple(strides),
        false,
        new PickleCall(new PickleGlobalRef("collections", "OrderedDict"), []),
      ]);
    }
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") return v;
    if (Array.isArray(v)) return v.map((x, i) => convert(x, `${path}[${i}]`, depth + 1));
    if (v instanceof Map) {
      return new PickleDict(
        Array.from(v, ([k, x]) => {
          if (typeof k === "number" && !Number.isSafeInteger(k)) throw new TypeError(`saveTorch: ${path} has the key ${k}; number keys must be integers`);
          return [k, convert(x, `${path}.${k}`, depth + 1)] as [string | number, PickleValue];
        }),
      );
    }
    if (typeof v === "object") {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw new TypeError(`saveTorch: ${path || "the value"} is a ${describe(v)}; expected tensors, plain objects, Maps, arrays, numbers, strings, booleans or null`);
      const entries = Object.entries(v);
      const allTensors = entries.length > 0 && entries.every(([, x]) => x instanceof Tensor);
      return new PickleDict(
        entries.map(([k, x]) => [k, convert(x, path ? `${path}.${k}` : k, depth + 1)]),
        allTensors,
      );
    }
    throw new TypeError(`saveTorch: ${path || "the value"} is a ${typeof v}`);
  };
  const pickled = pickle(convert(value, "", 0));
  const entries: [string, Uint8Array][] = [[`${archiveName}/data.pkl`, pickled]];
  for (const { key, bytes } of storages.values()) entries.push([`${archiveName}/data/${key}`, bytes]);
  entries.push([`${archiveName}/version`, new TextEncoder().encode("3\n")]);
  return writeZip(entries);
}
