/**
 * The Tensor methods the ONNX tracer records (a model's own `forward` between layers): each is
 * wrapped on Tensor.prototype for the duration of an export, runs as usual, and emits its node
 * when called outside a recorded op. In-place methods are refused (the trace could not see the
 * change).
 */
import { Tensor } from "../../tensor/tensor.js";
import { normalizeDim } from "../../tensor/shape.js";
import { attr, OnnxBuilder, OnnxExportError } from "./builder.js";
import { reshapeTo } from "./layers.js";

type Emit = (b: OnnxBuilder, self: Tensor, args: unknown[], out: Tensor) => string;

const operand = (b: OnnxBuilder, self: Tensor, other: unknown, method: string): string => {
  if (other instanceof Tensor) return b.name(other, method);
  if (typeof other === "number") return b.scalar(other, self.dtype);
  throw new OnnxExportError(`exportOnnx: Tensor.${method} with a ${typeof other} operand is not supported`);
};

const binary = (opType: string, method: string): Emit => (b, self, args) => {
  if (args.length > 1 && args[1] !== undefined) throw new OnnxExportError(`exportOnnx: Tensor.${method} with options is not supported`);
  return b.op1(opType, [b.name(self, method), operand(b, self, args[0], method)]);
};

const unary = (opType: string, method: string): Emit => (b, self) => b.op1(opType, [b.name(self, method)]);

/** The view-like methods: a Reshape to the output's shape. */
const reshape = (method: string): Emit => (b, self, _args, out) => reshapeTo(b, b.name(self, method), self.shape, out.shape);

const dimsOf = (args: unknown[]): number[] => (Array.isArray(args[0]) ? (args[0] as number[]) : (args as number[]));

const reduce = (method: "sum" | "mean"): Emit => (b, self, args) => {
  const [dim, options] = args as [number | number[] | undefined, { keepdim?: boolean } | undefined];
  const keepdims = attr.i(options?.keepdim ? 1 : 0);
  const axes = dim === undefined ? undefined : (Array.isArray(dim) ? dim : [dim]).map((d) => normalizeDim(method, d, self.ndim));
  const x = b.name(self, method);
  if (method === "mean") return b.op1("ReduceMean", [x], axes === undefined ? { keepdims } : { axes: attr.ints(axes), keepdims });
  return b.op1("ReduceSum", axes === undefined ? [x] : [x, b.int64s(axes)], { keepdims });
};

const METHODS: Record<string, Emit> = {
  view: reshape("view"),
  reshape: reshape("reshape"),
  flatten: reshape("flatten"),
  squeeze: reshape("squeeze"),
  unsqueeze: reshape("unsqueeze"),
  contiguous: unary("Identity", "contiguous"),
  clone: unary("Identity", "clone"),
  permute: (b, self, args) => b.op1("Transpose", [b.name(self, "permute")], { perm: attr.ints(dimsOf(args).map((d) => normalizeDim("permute", d, self.ndim))) }),
  transpose: (b, self, args) => {
    const perm = self.shape.map((_, i) => i);
    const a = normalizeDim("transpose", args[0] as number, self.ndim);
    const c = normalizeDim("transpose", args[1] as number, self.ndim);
    [perm[a], perm[c]] = [perm[c]!, perm[a]!];
    return b.op1("Transpose", [b.name(self, "transpose")], { perm: attr.ints(perm) });
  },
  t: (b, self) => (self.ndim < 2 ? b.op1("Identity", [b.name(self, "t")]) : b.op1("Transpose", [b.name(self, "t")], { perm: attr.ints([1, 0]) })),
  expand: (b, self, _args, out) => b.op1("Expand", [b.name(self, "expand"), b.int64s(out.shape)]),
  slice: (b, self, args) => {
    const [dim, start, end, step] = args as [number, number | undefined, number | undefined, number | undefined];
    const d = normalizeDim("slice", dim, self.ndim);
    return b.op1("Slice", [b.name(self, "slice"), b.int64s([start ?? 0]), b.int64s([end ?? 2 ** 53 - 1]), b.int64s([d]), b.int64s([step ?? 1])]);
  },
  narrow: (b, self, args) => {
    const [dim, start, length] = args as [number, number, number];
    const d = normalizeDim("narrow", dim, self.ndim);
    const s = start < 0 ? start + self.shape[d]! : start;
    return b.op1("Slice", [b.name(self, "narrow"), b.int64s([s]), b.int64s([s + length]), b.int64s([d])]);
  },
  select: (b, self, args) => b.op1("Gather", [b.name(self, "select"), b.constant([args[1] as number], [], "int64")], { axis: attr.i(normalizeDim("select", args[0] as number, self.ndim)) }),
  add: binary("Add", "add"),
  sub: binary("Sub", "sub"),
  mul: binary("Mul", "mul"),
  div: binary("Div", "div"),
  pow: binary("Pow", "pow"),
  maximum: binary("Max", "maximum"),
  minimum: binary("Min", "minimum"),
  matmul: binary("MatMul", "matmul"),
  neg: unary("Neg", "neg"),
  exp: unary("Exp", "exp"),
  log: unary("Log", "log"),
  sqrt: unary("Sqrt", "sqrt"),
  abs: unary("Abs", "abs"),
  sign: unary("Sign", "sign"),
  sigmoid: unary("Sigmoid", "sigmoid"),
  tanh: unary("Tanh", "tanh"),
  relu: unary("Relu", "relu"),
  softmax: (b, self, args) => b.op1("Softmax", [b.name(self, "softmax")], { axis: attr.i(args[0] as number) }),
  logSoftmax: (b, self, args) => b.op1("LogSoftmax", [b.name(self, "logSoftmax")], { axis: attr.i(args[0] as number) }),
  sum: reduce("sum"),
  mean: reduce("mean"),
  clamp: (b, self, args) => {
    const bounds = typeof args[0] === "object" && args[0] !== null && !(args[0] instanceof Tensor) ? (args[0] as { min?: unknown; max?: unknown }) : { min: args[0], max: args[1] };
    const bound = (v: unknown) => (v === undefined || v === null ? "" : operand(b, self, v, "clamp"));
    return b.op1("Clip", [b.name(self, "clamp"), bound(bounds.min), bound(bounds.max)]);
  },
  float: (b, self) => b.op1("Cast", [b.name(self, "float")], { to: attr.i(1) }),
  double: (b, self) => b.op1("Cast", [b.name(self, "double")], { to: attr.i(11) }),
};

const IN_PLACE = ["add_", "sub_", "mul_", "div_", "clamp_", "fill_", "zero_", "copy_", "assign", "uniform_", "normal_"];

/** Wraps the methods on Tensor.prototype; returns the undo. */
export function installMethodTracing(builder: OnnxBuilder, depth: { value: number }): () => void {
  const proto = Tensor.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  for (const [method, emit] of Object.entries(METHODS)) {
    const original = proto[method]!;
    originals.set(method, original);
    proto[method] = function (this: Tensor, ...args: unknown[]): unknown {
      if (depth.value > 0) return original.apply(this, args);
      depth.value++;
      let out: unknown;
      try {
        out = original.apply(this, args);
      } finally {
        depth.value--;
      }
      if (out instanceof Tensor) builder.bind(out, emit(builder, this, args, out));
      return out;
    };
  }
  for (const method of IN_PLACE) {
    const original = proto[method]!;
    originals.set(method, original);
    proto[method] = function (this: Tensor, ...args: unknown[]): unknown {
      if (depth.value === 0 && builder.has(this)) throw new OnnxExportError(`exportOnnx: the in-place Tensor.${method} on a traced tensor cannot be exported; use the out-of-place method`);
      return original.apply(this, args);
    };
  }
  return () => {
    for (const [method, original] of originals) proto[method] = original;
  };
}
