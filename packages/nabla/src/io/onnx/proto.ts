/**
 * The ONNX protobuf messages nabla writes and reads, encoded by hand (no protobuf dependency in
 * the core). Protobuf's wire format: each field is a key `(field_number << 3) | wire_type`
 * (a varint) then its value — wire type 0 a varint, 1 eight bytes, 2 a varint length and that
 * many bytes (strings, bytes, nested messages, packed numbers), 5 four bytes. Field numbers are
 * onnx.proto's (ONNX IR version 8, opset 17).
 */

/** An attribute value, tagged with its ONNX type (AttributeProto.AttributeType). */
export type OnnxAttribute =
  | { type: "float"; value: number }
  | { type: "int"; value: number }
  | { type: "string"; value: string }
  | { type: "floats"; value: number[] }
  | { type: "ints"; value: number[] }
  | { type: "strings"; value: string[] }
  | { type: "tensor"; value: OnnxTensor };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes: Record<string, OnnxAttribute>;
  domain?: string;
}

/** TensorProto.DataType codes nabla uses. */
export const ONNX_TYPES = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11 } as const;
export type OnnxElementType = keyof typeof ONNX_TYPES;

export interface OnnxTensor {
  name: string;
  type: OnnxElementType;
  dims: number[];
  /** Little-endian element bytes (raw_data). */
  raw: Uint8Array;
}

export interface OnnxValueInfo {
  name: string;
  type: OnnxElementType;
  /** A number, or a name for a dynamic axis. */
  shape: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  graph: OnnxGraph;
}

// ---- writing ---------------------------------------------------------------------------------

/** A growable byte buffer with protobuf's primitives. */
class Writer {
  private buf = new Uint8Array(256);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  /** A varint of a non-negative safe integer, or a negative one as 64-bit two's complement (10 bytes). */
  varint(n: number): void {
    if (n < 0) {
      let v = BigInt.asUintN(64, BigInt(n));
      while (v >= 0x80n) {
        this.byte(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      this.byte(Number(v));
      return;
    }
    while (n >= 0x80) {
      this.byte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.byte(n);
  }

  key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const encoder = new TextEncoder();

/** Field helpers: each writes one field of the message being built in `w`. */
function fieldVarint(w: Writer, field: number, n: number): void {
  w.key(field, 0);
  w.varint(n);
}
function fieldBytes(w: Writer, field: number, b: Uint8Array): void {
  w.key(field, 2);
  w.varint(b.length);
  w.bytes(b);
}
function fieldString(w: Writer, field: number, s: string): void {
  fieldBytes(w, field, encoder.encode(s));
}
function fieldMessage(w: Writer, field: number, build: (inner: Writer) => void): void {
  const inner = new Writer();
  build(inner);
  fieldBytes(w, field, inner.finish());
}
function fieldFloat(w: Writer, field: number, x: number): void {
  w.key(field, 5);
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, x, true);
  w.bytes(b);
}

function writeTensor(w: Writer, t: OnnxTensor): void {
  for (const d of t.dims) fieldVarint(w, 1, d);
  fieldVarint(w, 2, ONNX_TYPES[t.type]);
  fieldString(w, 8, t.name);
  fieldBytes(w, 9, t.raw);
}

const ATTRIBUTE_TYPES = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7, strings: 8 } as const;

function writeAttribute(w: Writer, name: string, a: OnnxAttribute): void {
  fieldString(w, 1, name);
  switch (a.type) {
    case "float":
      fieldFloat(w, 2, a.value);
      break;
    case "int":
      fieldVarint(w, 3, a.value);
      break;
    case "string":
      fieldString(w, 4, a.value);
      break;
    case "tensor":
      fieldMessage(w, 5, (m) => writeTensor(m, a.value));
      break;
    case "floats":
      for (const x of a.value) fieldFloat(w, 7, x);
      break;
    case "ints":
      for (const x of a.value) fieldVarint(w, 8, x);
      break;
    case "strings":
      for (const x of a.value) fieldString(w, 9, x);
      break;
  }
  fieldVarint(w, 20, ATTRIBUTE_TYPES[a.type]);
}

function writeNode(w: Writer, n: OnnxNode): void {
  for (const i of n.inputs) fieldString(w, 1, i);
  for (const o of n.outputs) fieldString(w, 2, o);
  fieldString(w, 3, n.name);
  fieldString(w, 4, n.opType);
  for (const [name, a] of Object.entries(n.attributes)) fieldMessage(w, 5, (m) => writeAttribute(m, name, a));
  if (n.domain) fieldString(w, 7, n.domain);
}

function writeValueInfo(w: Writer, v: OnnxValueInfo): void {
  fieldString(w, 1, v.name);
  fieldMessage(w, 2, (type) =>
    fieldMessage(type, 1, (tensorType) => {
      fieldVarint(tensorType, 1, ONNX_TYPES[v.type]);
      fieldMessage(tensorType, 2, (shape) => {
        for (const d of v.shape) fieldMessage(shape, 1, (dim) => (typeof d === "number" ? fieldVarint(dim, 1, d) : fieldString(dim, 2, d)));
      });
    }),
  );
}

/** The bytes of an ONNX ModelProto. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const w = new Writer();
  fieldVarint(w, 1, model.irVersion);
  fieldString(w, 2, model.producerName);
  fieldString(w, 3, model.producerVersion);
  fieldMessage(w, 7, (g) => {
    for (const n of model.graph.nodes) fieldMessage(g, 1, (m) => writeNode(m, n));
    fieldString(g, 2, model.graph.name);
    for (const t of model.graph.initializers) fieldMessage(g, 5, (m) => writeTensor(m, t));
    for (const v of model.graph.inputs) fieldMessage(g, 11, (m) => writeValueInfo(m, v));
    for (const v of model.graph.outputs) fieldMessage(g, 12, (m) => writeValueInfo(m, v));
  });
  fieldMessage(w, 8, (o) => {
    fieldString(o, 1, "");
    fieldVarint(o, 2, model.opset);
  });
  return w.finish();
}

// ---- reading ---------------------------------------------------------------------------------

/** The deepest nesting of messages read (a model is 5 deep: model, graph, node, attribute, tensor). */
const MAX_MESSAGE_DEPTH = 8;

type Field = number | Uint8Array;

/**
 * One message's fields by number, in order. Every length is checked against the bytes; 64-bit
 * varints past 2^53 are refused; groups (wire types 3, 4) are refused.
 */
function readFields(bytes: Uint8Array, fail: (reason: string, offset: number) => never): Map<number, Field[]> {
  const fields = new Map<number, Field[]>();
  let pos = 0;
  const varint = (): number => {
    let result = 0n;
    for (let i = 0, shift = 0n; i < 10; i++, shift += 7n) {
      if (pos >= bytes.length) fail("a varint runs past the end of its message", pos);
      const b = bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        const signed = BigInt.asIntN(64, result); // int64 fields hold negative numbers as 10-byte varints
        if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) fail("a varint outside ±2^53", pos);
        return Number(signed);
      }
    }
    return fail("a varint longer than 10 bytes", pos);
  };
  while (pos < bytes.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let value: Field;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const n = varint();
      if (n < 0 || pos + n > bytes.length) fail(`a field of ${n} bytes runs past the end of its message`, pos);
      value = bytes.subarray(pos, pos + n);
      pos += n;
    } else if (wire === 5) {
      if (pos + 4 > bytes.length) fail("a fixed32 runs past the end", pos);
      value = new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getFloat32(0, true);
      pos += 4;
    } else if (wire === 1) {
      if (pos + 8 > bytes.length) fail("a fixed64 runs past the end", pos);
      value = new DataView(bytes.buffer, bytes.byteOffset + pos, 8).getFloat64(0, true);
      pos += 8;
    } else return fail(`wire type ${wire} is not supported`, pos);
    if (!fields.has(field)) fields.set(field, []);
    fields.get(field)!.push(value);
  }
  return fields;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const CODE_TYPES = new Map<number, OnnxElementType>(Object.entries(ONNX_TYPES).map(([k, v]) => [v, k as OnnxElementType]));

/** Parses ONNX ModelProto bytes (what `encodeModel` writes and PyTorch's exporter writes); `fail` throws. */
export function decodeModel(bytes: Uint8Array, fail: (reason: string, offset?: number) => never): OnnxModel {
  let depth = 0;
  const message = (b: Uint8Array, what: string): Map<number, Field[]> => {
    if (++depth > MAX_MESSAGE_DEPTH) fail(`${what} nested deeper than ${MAX_MESSAGE_DEPTH} messages`);
    try {
      return readFields(b, (reason, offset) => fail(`${what}: ${reason}`, b.byteOffset - bytes.byteOffset + offset));
    } finally {
      depth--;
    }
  };
  const bytesOf = (f: Map<number, Field[]>, n: number, what: string): Uint8Array[] =>
    (f.get(n) ?? []).map((v) => (v instanceof Uint8Array ? v : fail(`${what}: field ${n} should be length-delimited`)));
  const numbersOf = (f: Map<number, Field[]>, n: number, what: string): number[] => {
    const out: number[] = [];
    for (const v of f.get(n) ?? []) {
      if (typeof v === "number") out.push(v);
      else {
        // packed repeated varints
        const inner = readFields(concatKey(n, v), (reason) => fail(`${what}: packed field ${n}: ${reason}`));
        for (const x of inner.get(n) ?? []) out.push(x as number);
      }
    }
    return out;
  };
  const str = (f: Map<number, Field[]>, n: number, what: string): string => {
    const all = bytesOf(f, n, what);
    if (all.length === 0) return "";
    try {
      return utf8.decode(all[all.length - 1]);
    } catch {
      return fail(`${what}: a string that is not UTF-8`);
    }
  };
  const strs = (f: Map<number, Field[]>, n: number, what: string): string[] =>
    bytesOf(f, n, what).map((b) => {
      try {
        return utf8.decode(b);
      } catch {
        return fail(`${what}: a string that is not UTF-8`);
      }
    });
  const tensor = (b: Uint8Array, what: string): OnnxTensor => {
    const f = message(b, what);
    const name = str(f, 8, what);
    const code = numbersOf(f, 2, what)[0] ?? 0;
    const type = CODE_TYPES.get(code);
    if (type === undefined) fail(`${what} "${name}": element type ${code} is not supported (nabla reads float, double, int32, int64, bool, uint8, int8, float16)`);
    const dims = numbersOf(f, 1, what);
    if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`${what} "${name}": dims must be non-negative integers`);
    if (f.has(13)) fail(`${what} "${name}": external data is not supported`);
    const numel = dims.reduce((a, d) => a * d, 1);
    const size = { float32: 4, float64: 8, int32: 4, int64: 8, bool: 1, uint8: 1, int8: 1, float16: 2 }[type!];
    let raw = bytesOf(f, 9, what)[0];
    if (raw === undefined) {
      // typed fields: float_data (4), int32_data (5), int64_data (7), double_data (10)
      const values = type === "float32" ? numbersOf(f, 4, what) : type === "float64" ? numbersOf(f, 10, what) : type === "int64" ? numbersOf(f, 7, what) : numbersOf(f, 5, what);
      if (type === "float32" && f.get(4)?.some((v) => v instanceof Uint8Array)) {
        // packed floats
        const packed = bytesOf(f, 4, what).map((p) => p.slice());
        const all = new Uint8Array(packed.reduce((a, p) => a + p.length, 0));
        let at = 0;
        for (const p of packed) {
          all.set(p, at);
          at += p.length;
        }
        raw = all;
      } else if (type === "float64" && f.get(10)?.some((v) => v instanceof Uint8Array)) {
        raw = bytesOf(f, 10, what)[0]!.slice();
      } else {
        raw = new Uint8Array(numel * size);
        const view = new DataView(raw.buffer);
        values.forEach((v, i) => {
          if (i >= numel) return;
          if (type === "float32") view.setFloat32(4 * i, v, true);
          else if (type === "float64") view.setFloat64(8 * i, v, true);
          else if (type === "int64") view.setBigInt64(8 * i, BigInt(v), true);
          else if (type === "int32") view.setInt32(4 * i, v, true);
          else if (type === "float16") view.setUint16(2 * i, v, true);
          else view.setUint8(i, v);
        });
      }
    }
    if (raw.length !== numel * size) fail(`${what} "${name}": dims [${dims.join(", ")}] of ${type} need ${numel * size} bytes, the data has ${raw.length}`);
    return { name, type: type!, dims, raw };
  };
  const attribute = (b: Uint8Array, what: string): [string, OnnxAttribute] => {
    const f = message(b, what);
    const name = str(f, 1, what);
    const type = numbersOf(f, 20, what)[0];
    const float = (v: Field) => (typeof v === "number" ? v : fail(`${what} ${name}: a float should be fixed32`));
    switch (type) {
      case 1:
        return [name, { type: "float", value: float((f.get(2) ?? [0])[0]!) }];
      case 2:
        return [name, { type: "int", value: numbersOf(f, 3, what)[0] ?? 0 }];
      case 3:
        return [name, { type: "string", value: str(f, 4, what) }];
      case 4:
        return [name, { type: "tensor", value: tensor(bytesOf(f, 5, what)[0] ?? new Uint8Array(0), `${what} ${name}`) }];
      case 6: {
        const values: number[] = [];
        for (const v of f.get(7) ?? []) {
          if (typeof v === "number") values.push(v);
          else for (let i = 0; i + 4 <= v.length; i += 4) values.push(new DataView(v.buffer, v.byteOffset + i, 4).getFloat32(0, true));
        }
        return [name, { type: "floats", value: values }];
      }
      case 7:
        return [name, { type: "ints", value: numbersOf(f, 8, what) }];
      case 8:
        return [name, { type: "strings", value: strs(f, 9, what) }];
      default:
        return fail(`${what} ${name}: attribute type ${type} is not supported (graphs, sparse tensors and type protos are not)`);
    }
  };
  const valueInfo = (b: Uint8Array, what: string): OnnxValueInfo => {
    const f = message(b, what);
    const name = str(f, 1, what);
    const typeProto = bytesOf(f, 2, what)[0];
    let type: OnnxElementType = "float32";
    const shape: (number | string)[] = [];
    if (typeProto !== undefined) {
      const tensorType = bytesOf(message(typeProto, what), 1, what)[0];
      if (tensorType === undefined) fail(`${what} "${name}": only tensor types are supported`);
      const tt = message(tensorType!, what);
      const code = numbersOf(tt, 1, what)[0] ?? 1;
      type = CODE_TYPES.get(code) ?? fail(`${what} "${name}": element type ${code} is not supported`);
      const shapeProto = bytesOf(tt, 2, what)[0];
      if (shapeProto !== undefined) {
        for (const dim of bytesOf(message(shapeProto, what), 1, what)) {
          const d = message(dim, what);
          shape.push(d.has(1) ? numbersOf(d, 1, what)[0]! : str(d, 2, what) || "?");
        }
      }
    }
    return { name, type, shape };
  };

  const model = message(bytes, "ModelProto");
  const graphBytes = bytesOf(model, 7, "ModelProto")[0];
  if (graphBytes === undefined) fail("not an ONNX model: no graph");
  const opsets = bytesOf(model, 8, "ModelProto").map((b) => message(b, "OperatorSetId"));
  const defaultOpset = opsets.find((o) => str(o, 1, "OperatorSetId") === "");
  const g = message(graphBytes!, "GraphProto");
  const nodes = bytesOf(g, 1, "GraphProto").map((b, i): OnnxNode => {
    const f = message(b, `node ${i}`);
    const attributes: Record<string, OnnxAttribute> = Object.create(null) as Record<string, OnnxAttribute>;
    for (const a of bytesOf(f, 5, `node ${i}`)) {
      const [name, value] = attribute(a, `node ${i} attribute`);
      attributes[name] = value;
    }
    return { inputs: strs(f, 1, `node ${i}`), outputs: strs(f, 2, `node ${i}`), name: str(f, 3, `node ${i}`), opType: str(f, 4, `node ${i}`), attributes, domain: str(f, 7, `node ${i}`) };
  });
  return {
    irVersion: numbersOf(model, 1, "ModelProto")[0] ?? 0,
    producerName: str(model, 2, "ModelProto"),
    producerVersion: str(model, 3, "ModelProto"),
    opset: defaultOpset === undefined ? 0 : numbersOf(defaultOpset, 2, "OperatorSetId")[0] ?? 0,
    graph: {
      name: str(g, 2, "GraphProto"),
      nodes,
      initializers: bytesOf(g, 5, "GraphProto").map((b, i) => tensor(b, `initializer ${i}`)),
      inputs: bytesOf(g, 11, "GraphProto").map((b, i) => valueInfo(b, `graph input ${i}`)),
      outputs: bytesOf(g, 12, "GraphProto").map((b, i) => valueInfo(b, `graph output ${i}`)),
    },
  };
}

/** A packed repeated varint field's bytes as a message of that field's (unpacked) values. */
function concatKey(field: number, packed: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < packed.length) {
    out.push(field * 8);
    do out.push(packed[i]!);
    while (packed[i++]! >= 0x80 && i < packed.length);
  }
  return Uint8Array.from(out);
}
