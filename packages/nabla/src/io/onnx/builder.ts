/**
 * The graph a trace builds: ONNX nodes, initializers (the model's parameters and buffers under
 * their state-dict names, and constants), and the map from each traced tensor to the ONNX value
 * that computes it. A tensor that reaches an op without a name is a parameter or buffer (an
 * initializer), a tensor that some op outside the trace made (an error naming that op, from its
 * gradient node), or a constant made inside forward (embedded as an initializer).
 */
import type { DType } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { toLittleEndianBytes } from "../safetensors.js";
import type { OnnxAttribute, OnnxElementType, OnnxNode, OnnxTensor } from "./proto.js";

/** Attribute constructors. */
export const attr = {
  f: (value: number): OnnxAttribute => ({ type: "float", value }),
  i: (value: number): OnnxAttribute => ({ type: "int", value }),
  s: (value: string): OnnxAttribute => ({ type: "string", value }),
  ints: (value: readonly number[]): OnnxAttribute => ({ type: "ints", value: value.slice() }),
  floats: (value: readonly number[]): OnnxAttribute => ({ type: "floats", value: value.slice() }),
  strings: (value: readonly string[]): OnnxAttribute => ({ type: "strings", value: value.slice() }),
};

/** The error for what the exporter cannot express. */
export class OnnxExportError extends Error {
  override name = "OnnxExportError";
}

const ELEMENT: Record<DType, OnnxElementType> = { float32: "float32", float64: "float64", int32: "int32", bool: "bool" };

export function elementType(dtype: DType): OnnxElementType {
  return ELEMENT[dtype];
}

export class OnnxBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  /** The ONNX value computing each traced tensor. */
  private readonly values = new Map<Tensor, string>();
  private readonly initialized = new Set<Tensor>();
  private readonly nodeNames = new Map<string, number>();
  private constants = 0;
  /** The module path of the op being emitted ("fc1"), for node names as torch.onnx gives them. */
  scope = "";
  /** Gradient-node names of ops outside the trace that `infer` can still express (cat). */
  infer: (t: Tensor) => string | undefined = () => undefined;

  constructor(
    /** Parameters and buffers with their state-dict names. */
    private readonly params: Map<Tensor, string>,
  ) {}

  bind(t: Tensor, name: string): void {
    this.values.set(t, name);
  }

  has(t: Tensor): boolean {
    return this.values.has(t) || this.params.has(t);
  }

  /** The ONNX value of a tensor (see the file comment). `consumer` names the op in errors. */
  name(t: Tensor, consumer: string): string {
    const known = this.values.get(t);
    if (known !== undefined) return known;
    const param = this.params.get(t);
    if (param !== undefined) {
      if (!this.initialized.has(t)) {
        this.initialized.add(t);
        this.initializers.push(tensorProto(param, t));
      }
      return param;
    }
    if (t.gradFn !== null) {
      const inferred = this.infer(t);
      if (inferred !== undefined) return inferred;
      throw new OnnxExportError(
        `exportOnnx: ${consumer} takes a tensor of shape [${t.shape.join(", ")}] made by ${t.gradFn.name.replace(/Backward\d*$/, "")}, ` +
          `an op the tracer does not record (call it through an nn layer or a Tensor method the exporter knows; docs/onnx.md lists them)`,
      );
    }
    const name = `onnx::Constant_${this.constants++}`;
    this.initializers.push(tensorProto(name, t));
    this.values.set(t, name);
    return name;
  }

  /** A constant initializer. */
  constant(values: ArrayLike<number>, dims: readonly number[], type: OnnxElementType): string {
    const name = `onnx::Constant_${this.constants++}`;
    this.initializers.push({ name, type, dims: dims.slice(), raw: rawBytes(values, type) });
    return name;
  }

  /** A 1-d int64 constant (shapes, axes, pads). */
  int64s(values: readonly number[]): string {
    return this.constant(values, [values.length], "int64");
  }

  /** A 0-d constant of `dtype` (a scalar operand). */
  scalar(value: number, dtype: DType): string {
    return this.constant([value], [], ELEMENT[dtype]);
  }

  /** Adds a node; returns its output names. */
  op(opType: string, inputs: string[], attributes: Record<string, OnnxAttribute> = {}, outputs = 1): string[] {
    const base = `${this.scope ? `/${this.scope.replace(/\./g, "/")}` : ""}/${opType}`;
    const n = this.nodeNames.get(base) ?? 0;
    this.nodeNames.set(base, n + 1);
    const name = n === 0 ? base : `${base}_${n}`;
    const outs = Array.from({ length: outputs }, (_, i) => `${name}_output_${i}`);
    this.nodes.push({ opType, inputs, outputs: outs, name, attributes });
    return outs;
  }

  /** One-output node. */
  op1(opType: string, inputs: string[], attributes: Record<string, OnnxAttribute> = {}): string {
    return this.op(opType, inputs, attributes)[0]!;
  }
}

function rawBytes(values: ArrayLike<number>, type: OnnxElementType): Uint8Array {
  switch (type) {
    case "float32":
      return new Uint8Array(Float32Array.from(values).buffer);
    case "float64":
      return new Uint8Array(Float64Array.from(values).buffer);
    case "int32":
      return new Uint8Array(Int32Array.from(values).buffer);
    case "int64":
      return new Uint8Array(BigInt64Array.from(Array.from(values, (v) => BigInt(v))).buffer);
    case "bool":
    case "uint8":
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
    default:
      throw new OnnxExportError(`exportOnnx: no constant of type ${type}`);
  }
}

/** A tensor as an initializer. */
export function tensorProto(name: string, t: Tensor): OnnxTensor {
  return { name, type: ELEMENT[t.dtype], dims: t.shape.slice(), raw: toLittleEndianBytes(t.contiguous().toTypedArray(), t.dtype).slice() };
}
