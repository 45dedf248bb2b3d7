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
