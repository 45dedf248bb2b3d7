/**
 * A restricted Python unpickler, and the small pickler `saveTorch` needs.
 *
 * A pickle is a program for a stack machine: it can name any importable Python callable (the
 * GLOBAL opcodes) and call it (REDUCE), so `pickle.load` of a hostile file runs `os.system`. This
 * reader never runs anything of its own accord: every GLOBAL is looked up in the caller's
 * allow-list (`globals`) when the opcode is read, and any name missing from it is refused there,
 * naming `module.name`, before any later opcode runs. The allowed names are plain functions of
 * this module's values (for `torch.save` files: rebuilding tensors, storages and OrderedDicts).
 * Instances of classes (NEWOBJ, INST, OBJ), extension codes and out-of-band buffers are refused
 * outright; BUILD is allowed only on dicts (PyTorch's OrderedDict carries `_metadata` that way)
 * and its state is kept aside, not applied.
 *
 * Opcodes of protocols 2 to 5 are read (torch.save writes protocol 2); the text opcodes of
 * protocol 0 and 1 other than GLOBAL are refused. Every length is checked against the bytes left,
 * and the value is converted to JavaScript without recursion limits being trusted (nesting is
 * bounded, cycles refused).
 */
import { DataFormatError } from "../data/format-error.js";

/** A Python dict (or OrderedDict): insertion-ordered, keys are str, int, float, bool or None. */
export class PyDict {
  readonly entries = new Map<PyKey, unknown>();
  /** State given by BUILD (an OrderedDict's `_metadata`), kept but not applied. */
  attributes: unknown = undefined;
  constructor(readonly ordered = false) {}
}

export type PyKey = string | number | bigint | boolean | null;

/** A Python tuple (a list is a plain array). */
export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** A global the allow-list let through: `call` runs for REDUCE; a global never called is just a marker. */
export interface PyGlobal {
  readonly module: string;
  readonly name: string;
  call?(args: unknown[]): unknown;
}

export interface UnpickleOptions {
  /** The allow-list: returns the global for `module.name`, or undefined to refuse it. */
  findGlobal(module: string, name: string): PyGlobal | undefined;
  /** Resolves a persistent id (BINPERSID): for torch.save, a storage record. */
  persistentLoad?(pid: unknown): unknown;
}

/** The deepest nesting of containers a pickle may build (torch state dicts nest 3 or 4 levels). */
export const MAX_PICKLE_DEPTH = 100;

const MARK = Symbol("mark");

/** Runs the pickle program in `bytes` with only the allowed globals. `file` names the file in errors. */
export function unpickle(bytes: Uint8Array, file: string, options: UnpickleOptions): unknown {
  return unpickleAt(bytes, 0, file, options).value;
}

/** Runs the pickle that starts at `start`; returns its value and the offset just past its STOP. */
export function unpickleAt(bytes: Uint8Array, start: number, file: string, options: UnpickleOptions): { value: unknown; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = start;
  let opStart = 0;
  const fail = (reason: string): never => {
    throw new DataFormatError(file, `pickle: ${reason}`, { offset: opStart });
  };
  const need = (n: number, what: string) => {
    if (!(n >= 0 && pos + n <= bytes.length)) fail(`${what} of ${n} bytes runs past the end of the ${bytes.length}-byte pickle`);
  };
  const u8 = () => {
    need(1, "an argument");
    return bytes[pos++]!;
  };
  const u16 = () => {
    need(2, "an argument");
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = () => {
    need(4, "an argument");
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = () => {
    const lo = u32();
    const hi = u32();
    if (hi >= 0x200000) fail(`a length of ${hi} * 2^32 is out of range`);
    return hi * 2 ** 32 + lo;
  };
  const take = (n: number, what: string) => {
    need(n, what);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const text = (raw: Uint8Array) => {
    try {
      return utf8.decode(raw);
    } catch {
      return fail("a string is not valid UTF-8");
    }
  };
  /** A newline-terminated ASCII argument (GLOBAL's module and name). */
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail("a GLOBAL argument has no newline");
    const s = text(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };

  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  const pop = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) fail("pop from an empty stack (or past a MARK)");
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) fail("the stack is empty (or has a MARK on top)");
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const m = marks.pop();
    if (m === undefined) fail("no MARK on the stack");
    const items = stack.splice(m!);
    items.shift(); // the MARK itself
    return items;
  };
  const global = (module: string, name: string) => {
    const g = options.findGlobal(module, name);
    if (g === undefined) fail(`refused the global ${module}.${name}: a .pt file is a program, and nabla rebuilds only tensors, storages, OrderedDicts and plain containers`);
    return g!;
  };
  const integer = (raw: Uint8Array): number | bigint => {
    // little-endian two's complement of any length
    let v = 0n;
    for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]!);
    if (raw.length > 0 && raw[raw.length - 1]! & 0x80) v -= 1n << BigInt(8 * raw.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const dictOf = (target: unknown, op: string): PyDict => {
    if (!(target instanceof PyDict)) fail(`${op} on a ${describe(target)}, not a dict`);
    return target as PyDict;
  };
  const setItems = (dict: PyDict, items: unknown[]) => {
    if (items.length % 2 !== 0) fail("SETITEMS with an odd number of items");
    for (let i = 0; i < items.length; i += 2) dict.entries.set(keyOf(items[i], fail), items[i + 1]);
  };
  const listOf = (target: unknown, op: string): unknown[] => {
    if (!Array.isArray(target)) fail(`${op} on a ${describe(target)}, not a list`);
    return target as unknown[];
  };

  for (;;) {
    opStart = pos;
    if (pos >= bytes.length) fail("the pickle ends without STOP");
    const op = bytes[pos++]!;
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail("pickle protocol above 5");
        break;
      case 0x95: // FRAME: a length hint only
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length !== 0) fail(`STOP with ${stack.length} values on the stack`);
        return { value: stack[0], end: pos };
      case 0x28: // MARK
        marks.push(stack.length);
        stack.push(MARK);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        need(4, "BININT");
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(integer(take(u8(), "LONG1")));
        break;
      case 0x8b: {
        // LONG4: a length past 64 bytes is no integer a state dict holds
        const n = u32();
        if (n > 64) fail(`LONG4 of ${n} bytes`);
        stack.push(integer(take(n, "LONG4")));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8, "BINFLOAT");
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(text(take(u32(), "BINUNICODE")));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(take(u8(), "SHORT_BINUNICODE")));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(take(u64(), "BINUNICODE8")));
        break;
      case 0x54: // BINSTRING (Python 2 str): read as text
        stack.push(text(take(u32(), "BINSTRING")));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(text(take(u8(), "SHORT_BINSTRING")));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32(), "BINBYTES").slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8(), "SHORT_BINBYTES").slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(take(u64(), "BINBYTES8").slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b, c]));
        break;
      }
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        listOf(top(), "APPEND").push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = listOf(top(), "APPENDS");
        for (const v of items) list.push(v);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const d = new PyDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        dictOf(top(), "SETITEM").entries.set(keyOf(k, fail), v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(dictOf(top(), "SETITEMS"), items);
        break;
      }
      case 0x8f: // EMPTY_SET: a set becomes a list
        stack.push([]);
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const set = listOf(top(), "ADDITEMS");
        for (const v of items) set.push(v);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(popMark());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const i = op === 0x68 ? u8() : u32();
        if (!memo.has(i)) fail(`memo entry ${i} was never stored`);
        stack.push(memo.get(i));
        break;
      }
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        const name = line();
        stack.push(global(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") fail("STACK_GLOBAL needs two strings");
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE: call an allowed global
        const args = pop();
        const fn = pop() as PyGlobal;
        if (!isGlobal(fn)) fail(`REDUCE calls a ${describe(fn)}, not an allowed global`);
        if (!(args instanceof PyTuple)) fail(`REDUCE of ${fn.module}.${fn.name} with arguments that are not a tuple`);
        if (fn.call === undefined) fail(`${fn.module}.${fn.name} cannot be called`);
        try {
          stack.push(fn.call!((args as PyTuple).items));
        } catch (e) {
          if (e instanceof DataFormatError) throw e;
          fail(`${fn.module}.${fn.name}: ${(e as Error).message}`);
        }
        break;
      }
      case 0x62: {
        // BUILD: only a dict's attributes (OrderedDict._metadata), kept aside
        const state = pop();
        dictOf(top(), "BUILD").attributes = state;
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (options.persistentLoad === undefined) fail("a persistent id, but this file has no storages");
        stack.push(options.persistentLoad!(pid));
        break;
      }
      default: {
        const names: Record<number, string> = {
          0x81: "NEWOBJ",
          0x92: "NEWOBJ_EX",
          0x69: "INST",
          0x6f: "OBJ",
          0x82: "EXT1",
          0x83: "EXT2",
          0x84: "EXT4",
          0x50: "PERSID",
          0x96: "BYTEARRAY8",
          0x97: "NEXT_BUFFER",
          0x98: "READONLY_BUFFER",
        };
        fail(`opcode ${names[op] ?? `0x${op.toString(16).padStart(2, "0")}`} is not supported (nabla reads the binary opcodes of protocols 2 to 5 and builds no class instances)`);
      }
    }
  }
}

function isGlobal(v: unknown): v is PyGlobal {
  return typeof v === "object" && v !== null && typeof (v as PyGlobal).module === "string" && typeof (v as PyGlobal).name === "string" && !(v instanceof PyDict);
}

function keyOf(k: unknown, fail: (reason: string) => never): PyKey {
  if (typeof k === "string" || typeof k === "number" || typeof k === "bigint" || typeof k === "boolean" || k === null) return k;
  return fail(`a dict key that is a ${describe(k)} (nabla reads str, int, float, bool and None keys)`);
}

/** A short name of a value's Python type, for errors. */
export function describe(v: unknown): string {
  if (v === MARK) return "MARK";
  if (v === null) return "None";
  if (v instanceof PyDict) return v.ordered ? "OrderedDict" : "dict";
  if (v instanceof PyTuple) return "tuple";
  if (Array.isArray(v)) return "list";
  if (v instanceof Uint8Array) return "bytes";
  if (isGlobal(v)) return `global ${v.module}.${v.name}`;
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "bigint") return "int";
  return typeof v === "object" ? (v as object).constructor?.name ?? "object" : typeof v;
}

// ---- writing ---------------------------------------------------------------------------------

/** What the pickler writes: plain values, plus these markers for Python's own kinds. */
export type PickleValue =
  | null
  | boolean
  | number
  | string
  | PickleValue[]
  | PyTuple
  | PickleFloat
  | PickleGlobalRef
  | PickleCall
  | PicklePersistent
  | PickleDict;

/** A number written as a Python float even when it is whole (1.0, not 1). */
export class PickleFloat {
  constructor(readonly value: number) {}
}
/** A reference to `module.name` (GLOBAL). */
export class PickleGlobalRef {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}
/** `fn(*args)` (REDUCE). */
export class PickleCall {
  constructor(
    readonly fn: PickleGlobalRef,
    readonly args: PickleValue[],
  ) {}
}
/** A persistent id (BINPERSID). */
export class PicklePersistent {
  constructor(readonly pid: PickleValue) {}
}
/** A dict (or, with `ordered`, a collections.OrderedDict) with str or int keys, in order. */
export class PickleDict {
  constructor(
    readonly entries: [string | number, PickleValue][],
    readonly ordered = false,
  ) {}
}

/** Pickles a value with protocol 2 (what torch.save writes, and torch 1.13's weights_only reader takes). */
export function pickle(value: PickleValue): Uint8Array {
  const out: number[] = [0x80, 2];
  const encoder = new TextEncoder();
  const u32 = (n: number) => out.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  const str = (s: string) => {
    const b = encoder.encode(s);
    out.push(0x58);
    u32(b.length);
    for (const x of b) out.push(x);
  };
  const write = (v: PickleValue, depth: number): void => {
    if (depth > MAX_PICKLE_DEPTH) throw new RangeError(`pickle: values nested deeper than ${MAX_PICKLE_DEPTH} levels`);
    if (v === null) out.push(0x4e);
    else if (v === true) out.push(0x88);
    else if (v === false) out.push(0x89);
    else if (typeof v === "string") str(v);
    else if (typeof v === "number") {
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) writeInt(v);
      else writeFloat(v);
    } else if (v instanceof PickleFloat) writeFloat(v.value);
    else if (Array.isArray(v)) {
      out.push(0x5d); // EMPTY_LIST
      if (v.length > 0) {
        out.push(0x28);
        for (const x of v) write(x, depth + 1);
        out.push(0x65); // APPENDS
      }
    } else if (v instanceof PyTuple) {
      out.push(0x28);
      for (const x of v.items) write(x as PickleValue, depth + 1);
      out.push(0x74);
    } else if (v instanceof PickleGlobalRef) {
      for (const c of `c${v.module}\n${v.name}\n`) out.push(c.charCodeAt(0));
    } else if (v instanceof PickleCall) {
      write(v.fn, depth + 1);
      write(new PyTuple(v.args), depth + 1);
      out.push(0x52);
    } else if (v instanceof PicklePersistent) {
      write(v.pid, depth + 1);
      out.push(0x51);
    } else if (v instanceof PickleDict) {
      if (v.ordered) write(new PickleCall(new PickleGlobalRef("collections", "OrderedDict"), []), depth + 1);
      else out.push(0x7d);
      if (v.entries.length > 0) {
        out.push(0x28);
        for (const [k, x] of v.entries) {
          write(k, depth + 1);
          write(x, depth + 1);
        }
        out.push(0x75); // SETITEMS
      }
    } else throw new TypeError(`pickle: cannot write a ${describe(v)}`);
  };
  const writeInt = (n: number) => {
    if (n >= 0 && n < 256) out.push(0x4b, n);
    else if (n >= 0 && n < 65536) out.push(0x4d, n & 0xff, n >>> 8);
    else if (n >= -(2 ** 31) && n < 2 ** 31) {
      out.push(0x4a);
      u32(n);
    } else {
      // LONG1: little-endian two's complement, as short as the sign allows
      let b = BigInt(n);
      const bytes: number[] = [];
      for (;;) {
        bytes.push(Number(b & 0xffn));
        b >>= 8n;
        const sign = bytes[bytes.length - 1]! & 0x80;
        if ((b === 0n && !sign) || (b === -1n && sign)) break;
      }
      out.push(0x8a, bytes.length, ...bytes);
    }
  };
  const writeFloat = (x: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, false);
    out.push(0x47, ...b);
  };
  write(value, 0);
  out.push(0x2e);
  return Uint8Array.from(out);
}
