/**
 * `io.loadOnnx(bytes)`: an ONNX model (opset 13–17, the op set exportOnnx writes and PyTorch's
 * exporter writes for the same layers) as a nabla module that runs and fine-tunes. Its forward
 * interprets the graph node by node with nabla's differentiable ops; the float initializers are
 * its parameters (BatchNormalization's mean and variance its buffers) under the initializer
 * names, which for a model exported from PyTorch or nabla are the state-dict names (`0.weight`),
 * so `loadStateDict` of the original's weights works. Integer initializers and exportOnnx's
 * constants (`onnx::Constant_N`) are constants; int64 values are range-checked into int32.
 *
 * Nothing in the file is trusted: the protobuf reader checks every length (proto.ts), each node's
 * inputs must have been computed before it, ops outside the table are refused by name when the
 * model is loaded, and initializer names are set as own properties (never through a prototype).
 */
import { DataFormatError } from "../../data/format-error.js";
import * as E from "../../ops/elementwise.js";
import { callPointwise } from "../../ops/pointwise/call.js";
import { math as M } from "../../ops/pointwise/declarations/index.js";
import { fromTypedArray } from "../../ops/helpers.js";
import { matmul } from "../../ops/matmul.js";
import { cat } from "../../ops/join.js";
import { split } from "../../ops/split.js";
import { mean, sum, max as maxReduce } from "../../ops/reduce.js";
import { softmax, logSoftmax } from "../../ops/softmax.js";
import { clamp } from "../../ops/clamp.js";
import { indexSelect } from "../../ops/index-select.js";
import { expand, narrow, permute, reshape, select, slice } from "../../ops/shape.js";
import { stack } from "../../ops/join.js";
import { zeros } from "../../ops/creation.js";
import * as F from "../../nn/functional.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import type { DType } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { decodeValues } from "../safetensors.js";
import { decodeModel, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from "./proto.js";

type Op = (node: OnnxNode, inputs: (Tensor | null)[], a: Attributes) => Tensor | Tensor[];

/** A node's attributes with defaults. */
class Attributes {
  constructor(private readonly node: OnnxNode) {}
  private get(name: string, type: OnnxAttribute["type"]): OnnxAttribute | undefined {
    const a = Object.prototype.hasOwnProperty.call(this.node.attributes, name) ? this.node.attributes[name] : undefined;
    if (a !== undefined && a.type !== type) throw new OnnxImportError(`${this.node.opType} node "${this.node.name}": attribute ${name} is a ${a.type}, expected ${type}`);
    return a;
  }
  i(name: string, fallback: number): number {
    return (this.get(name, "int")?.value as number | undefined) ?? fallback;
  }
  f(name: string, fallback: number): number {
    return (this.get(name, "float")?.value as number | undefined) ?? fallback;
  }
  s(name: string, fallback: string): string {
    return (this.get(name, "string")?.value as string | undefined) ?? fallback;
  }
  ints(name: string): number[] | undefined {
    return this.get(name, "ints")?.value as number[] | undefined;
  }
  tensor(name: string): OnnxTensor | undefined {
    return this.get(name, "tensor")?.value as OnnxTensor | undefined;
  }
}

export class OnnxImportError extends Error {
  override name = "OnnxImportError";
}

/** A tensor's values as integers (shapes, axes). */
const ints = (t: Tensor | null, what: string): number[] => {
  if (t === null) throw new OnnxImportError(`${what} is missing`);
  return Array.from(t.toTypedArray(), Number);
};

const need = (t: Tensor | null | undefined, node: OnnxNode, i: number): Tensor => {
  if (!t) throw new OnnxImportError(`${node.opType} node "${node.name}": input ${i} is required`);
  return t;
};

const unary = (f: (x: Tensor) => Tensor): Op => (n, x) => f(need(x[0], n, 0));
const binary = (f: (a: Tensor, b: Tensor) => Tensor): Op => (n, x) => f(need(x[0], n, 0), need(x[1], n, 1));
const pw = (decl: Parameters<typeof callPointwise>[0]) => (x: Tensor) => callPointwise(decl, [x]);

/**
 * ONNX's LSTM, GRU and RNN (forward, reverse or bidirectional; no sequence_lens, no peepholes,
 * default activations except RNN's Relu), unrolled over time with nabla's ops, so they train.
 * Gates in ONNX's order: LSTM i,o,f,c; GRU z,r,h.
 */
function recurrentOp(kind: "LSTM" | "GRU" | "RNN"): Op {
  return (n, x, a) => {
    const X = need(x[0], n, 0);
    const W = need(x[1], n, 1);
    const R = need(x[2], n, 2);
    const B = x[3] ?? null;
    if (x[4]) throw new OnnxImportError(`${kind} node "${n.name}": sequence_lens is not supported`);
    if (x[7]) throw new OnnxImportError(`LSTM node "${n.name}": peepholes are not supported`);
    if (a.i("layout", 0) !== 0) throw new OnnxImportError(`${kind} node "${n.name}": layout 1 is not supported`);
    const H = a.i("hidden_size", R.shape[2]!);
    const direction = a.s("direction", "forward");
    const D = direction === "bidirectional" ? 2 : 1;
    const acts = (n.attributes.activations?.value as string[] | undefined) ?? [];
    const rnnAct = kind === "RNN" && acts[0] === "Relu" ? E.relu : E.tanh;
    if (acts.length > 0 && !(kind === "RNN" && acts.every((s) => s === acts[0] && (s === "Relu" || s === "Tanh")))) {
      const defaults = kind === "LSTM" ? ["Sigmoid", "Tanh", "Tanh"] : kind === "GRU" ? ["Sigmoid", "Tanh"] : ["Tanh"];
      if (!acts.every((s, i) => s === defaults[i % defaults.length])) throw new OnnxImportError(`${kind} node "${n.name}": activations ${acts.join(", ")} are not supported`);
    }
    const linearBeforeReset = a.i("linear_before_reset", 0) === 1;
    const [T, N] = [X.shape[0]!, X.shape[1]!];
    const G = kind === "LSTM" ? 4 : kind === "GRU" ? 3 : 1;
    const gate = (t: Tensor, g: number) => narrow(t, 1, g * H, H);
    const Ys: Tensor[] = [];
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let d = 0; d < D; d++) {
      const reverse = direction === "reverse" || d === 1;
      const w = select(W, 0, d);
      const r = select(R, 0, d);
      const wb = B ? narrow(select(B, 0, d), 0, 0, G * H) : null;
      const rb = B ? narrow(select(B, 0, d), 0, G * H, G * H) : null;
      let h = x[5] ? select(x[5], 0, d) : zeros([N, H], { dtype: X.dtype, device: X.device });
      let c = x[6] ? select(x[6], 0, d) : zeros([N, H], { dtype: X.dtype, device: X.device });
      const xw = matmul(X, permute(w, [1, 0])); // [T, N, G·H] for all steps at once
      const steps: Tensor[] = new Array<Tensor>(T);
      for (let k = 0; k < T; k++) {
        const t = reverse ? T - 1 - k : k;
        let xt = select(xw, 0, t);
        if (wb) xt = E.add(xt, wb);
        let hr = matmul(h, permute(r, [1, 0]));
        if (rb) hr = E.add(hr, rb);
        if (kind === "LSTM") {
          const i = E.sigmoid(E.add(gate(xt, 0), gate(hr, 0)));
          const o = E.sigmoid(E.add(gate(xt, 1), gate(hr, 1)));
          const f = E.sigmoid(E.add(gate(xt, 2), gate(hr, 2)));
          const g = E.tanh(E.add(gate(xt, 3), gate(hr, 3)));
          c = E.add(E.mul(f, c), E.mul(i, g));
          h = E.mul(o, E.tanh(c));
        } else if (kind === "GRU") {
          const z = E.sigmoid(E.add(gate(xt, 0), gate(hr, 0)));
          const rr = E.sigmoid(E.add(gate(xt, 1), gate(hr, 1)));
          let candidate: Tensor;
          if (linearBeforeReset) candidate = E.tanh(E.add(gate(xt, 2), E.mul(rr, gate(hr, 2))));
          else {
            let rh = matmul(E.mul(rr, h), permute(narrow(r, 0, 2 * H, H), [1, 0]));
            if (rb) rh = E.add(rh, narrow(rb, 0, 2 * H, H));
            candidate = E.tanh(E.add(gate(xt, 2), rh));
          }
          h = E.add(E.mul(E.sub(1, z), candidate), E.mul(z, h));
        } else h = rnnAct(E.add(xt, hr));
        steps[t] = h;
      }
      Ys.push(stack(steps, 0));
      hs.push(h);
      cs.push(c);
    }
    const outs = [stack(Ys, 1), stack(hs, 0)];
    if (kind === "LSTM") outs.push(stack(cs, 0));
    return outs;
  };
}

/** ONNX pads [b1, b2, …, e1, e2, …] as F.pad's list (last dim first); null when symmetric (then the begins are the op's padding). */
function asymmetricPads(pads: number[] | undefined, spatial: number): number[] | null {
  if (pads === undefined) return null;
  const begins = pads.slice(0, spatial);
  const ends = pads.slice(spatial);
  if (begins.every((p, i) => p === ends[i])) return null;
  const out: number[] = [];
  for (let i = spatial - 1; i >= 0; i--) out.push(begins[i]!, ends[i]!);
  return out;
}

function convolution(transposed: boolean): Op {
  return (n, x, a) => {
    let input = need(x[0], n, 0);
    const w = need(x[1], n, 1);
    const b = x[2] ?? null;
    const spatial = w.ndim - 2;
    if (a.s("auto_pad", "NOTSET") !== "NOTSET") throw new OnnxImportError(`${n.opType} node "${n.name}": auto_pad is not supported (explicit pads only)`);
    const pads = a.ints("pads") ?? new Array<number>(2 * spatial).fill(0);
    const asym = asymmetricPads(pads, spatial);
    if (asym !== null) {
      if (transposed) throw new OnnxImportError(`ConvTranspose node "${n.name}": asymmetric pads are not supported`);
      input = F.pad(input, asym);
    }
    const padding = asym === null ? pads.slice(0, spatial) : new Array<number>(spatial).fill(0);
    const options = { stride: a.ints("strides") ?? 1, padding, dilation: a.ints("dilations") ?? 1, groups: a.i("group", 1) };
    if (transposed) {
      const t = { ...options, outputPadding: a.ints("output_padding") ?? 0 };
      if (spatial === 1) return F.convTranspose1d(input, w, b, t);
      if (spatial === 2) return F.convTranspose2d(input, w, b, t);
    } else {
      if (spatial === 1) return F.conv1d(input, w, b, options);
      if (spatial === 2) return F.conv2d(input, w, b, options);
      if (spatial === 3) return F.conv3d(input, w, b, options);
    }
    throw new OnnxImportError(`${n.opType} node "${n.name}": ${spatial}-d ${n.opType} is not supported`);
  };
}

function pool(kind: "max" | "avg"): Op {
  return (n, x, a) => {
    let input = need(x[0], n, 0);
    const kernel = a.ints("kernel_shape") ?? [];
    const spatial = kernel.length;
    if (a.s("auto_pad", "NOTSET") !== "NOTSET") throw new OnnxImportError(`${n.opType} node "${n.name}": auto_pad is not supported`);
    const pads = a.ints("pads") ?? new Array<number>(2 * spatial).fill(0);
    const asym = asymmetricPads(pads, spatial);
    if (asym !== null) {
      if (kind === "avg" && a.i("count_include_pad", 0) === 0) throw new OnnxImportError(`AveragePool node "${n.name}": asymmetric pads without count_include_pad are not supported`);
      input = F.pad(input, asym, kind === "max" ? -Infinity : 0);
    }
    const padding = asym === null ? pads.slice(0, spatial) : 0;
    const stride = a.ints("strides") ?? 1;
    const ceilMode = a.i("ceil_mode", 0) === 1;
    if (kind === "max") {
      const options = { stride, padding, dilation: a.ints("dilations") ?? 1, ceilMode };
      if (spatial === 1) return F.maxPool1d(input, kernel, options);
      if (spatial === 2) return F.maxPool2d(input, kernel, options);
    } else {
      const options = { stride, padding, ceilMode, countIncludePad: a.i("count_include_pad", 0) === 1 };
      if (spatial === 1) return F.avgPool1d(input, kernel, options);
      if (spatial === 2) return F.avgPool2d(input, kernel, options);
    }
    throw new OnnxImportError(`${n.opType} node "${n.name}": ${spatial}-d pooling is not supported`);
  };
}

/** Axes of a reduction: the attribute (up to opset 17 for ReduceMean) or the second input (ReduceSum, opset 18). */
function reduction(f: typeof mean): Op {
  return (n, x, a) => {
    const input = need(x[0], n, 0);
    let axes = a.ints("axes") ?? (x[1] ? ints(x[1], "axes") : undefined);
    const keepdim = a.i("keepdims", 1) === 1;
    if (axes === undefined || axes.length === 0) {
      if (a.i("noop_with_empty_axes", 0) === 1) return input;
      axes = input.shape.map((_, i) => i);
    }
    return f(input, axes, { keepdim });
  };
}


/** The op table: ONNX op type → nabla. */
const OPS: Record<string, Op> = {
  Identity: unary((x) => x),
  Dropout: unary((x) => x),
  Add: binary(E.add),
  Sub: binary(E.sub),
  Mul: binary(E.mul),
  Div: binary(E.div),
  Pow: binary(E.pow),
  Max: (n, x) => x.slice(1).reduce<Tensor>((acc, t, i) => E.maximum(acc, need(t, n, i + 1)), need(x[0], n, 0)),
  Min: (n, x) => x.slice(1).reduce<Tensor>((acc, t, i) => E.minimum(acc, need(t, n, i + 1)), need(x[0], n, 0)),
  MatMul: binary(matmul),
  Neg: unary(E.neg),
  Exp: unary(E.exp),
  Log: unary(E.log),
  Sqrt: unary(E.sqrt),
  Abs: unary(E.abs),
  Sign: unary(E.sign),
  Erf: unary(pw(M.erf)),
  Relu: unary(E.relu),
  Sigmoid: unary(E.sigmoid),
  Tanh: unary(E.tanh),
  Softplus: unary((x) => F.softplus(x, { threshold: Infinity })),
  Softsign: unary(F.softsign),
  HardSwish: unary(F.hardswish),
  LeakyRelu: (n, x, a) => F.leakyRelu(need(x[0], n, 0), { negativeSlope: a.f("alpha", 0.01) }),
  Elu: (n, x, a) => F.elu(need(x[0], n, 0), { alpha: a.f("alpha", 1) }),
  Celu: (n, x, a) => F.celu(need(x[0], n, 0), { alpha: a.f("alpha", 1) }),
  Selu: (n, x, a) => E.mul(F.elu(need(x[0], n, 0), { alpha: a.f("alpha", 1.67326319217681884765625) }), a.f("gamma", 1.05070102214813232421875)),
  HardSigmoid: (n, x, a) => clamp(E.add(E.mul(need(x[0], n, 0), a.f("alpha", 0.2)), a.f("beta", 0.5)), 0, 1),
  PRelu: (n, x) => {
    const input = need(x[0], n, 0);
    const slope = need(x[1], n, 1);
    return E.where(E.ge(input, 0), input, E.mul(input, slope));
  },
  Shrink: (n, x, a) => {
    const input = need(x[0], n, 0);
    const lambd = a.f("lambd", 0.5);
    const bias = a.f("bias", 0);
    return E.where(E.lt(input, -lambd), E.add(input, bias), E.where(E.gt(input, lambd), E.sub(input, bias), E.mul(input, 0)));
  },
  Clip: (n, x) => {
    const input = need(x[0], n, 0);
    const lo = x[1] ? Number(x[1].item()) : undefined;
    const hi = x[2] ? Number(x[2].item()) : undefined;
    return clamp(input, lo ?? null, hi ?? null);
  },
  Where: (n, x) => E.where(need(x[0], n, 0), need(x[1], n, 1), need(x[2], n, 2)),
  Greater: binary(E.gt),
  Less: binary(E.lt),
  Equal: binary(E.eq),
  Softmax: (n, x, a) => softmax(need(x[0], n, 0), a.i("axis", -1)),
  LogSoftmax: (n, x, a) => logSoftmax(need(x[0], n, 0), a.i("axis", -1)),
  Gemm: (n, x, a) => {
    let A = need(x[0], n, 0);
    let B = need(x[1], n, 1);
    if (a.i("transA", 0)) A = permute(A, [1, 0]);
    if (a.i("transB", 0)) B = permute(B, [1, 0]);
    let y = matmul(A, B);
    const alpha = a.f("alpha", 1);
    if (alpha !== 1) y = E.mul(y, alpha);
    if (x[2]) {
      const beta = a.f("beta", 1);
      y = E.add(y, beta === 1 ? x[2] : E.mul(x[2], beta));
    }
    return y;
  },
  Conv: convolution(false),
  ConvTranspose: convolution(true),
  MaxPool: pool("max"),
  AveragePool: pool("avg"),
  GlobalAveragePool: unary((x) => mean(x, x.shape.slice(2).map((_, i) => i + 2), { keepdim: true })),
  GlobalMaxPool: unary((x) => x.shape.slice(2).reduce<Tensor>((acc, _, i) => maxReduce(acc, i + 2, { keepdim: true }).values, x)),
  BatchNormalization: (n, x, a) => {
    if (a.i("training_mode", 0) === 1) throw new OnnxImportError(`BatchNormalization node "${n.name}": training_mode is not supported`);
    return F.batchNorm(need(x[0], n, 0), need(x[3], n, 3), need(x[4], n, 4), { weight: need(x[1], n, 1), bias: need(x[2], n, 2), eps: a.f("epsilon", 1e-5), training: false });
  },
  LayerNormalization: (n, x, a) => {
    const input = need(x[0], n, 0);
    let axis = a.i("axis", -1);
    if (axis < 0) axis += input.ndim;
    return F.layerNorm(input, input.shape.slice(axis), { weight: need(x[1], n, 1), bias: x[2] ?? null, eps: a.f("epsilon", 1e-5) });
  },
  ReduceMean: reduction(mean),
  ReduceSum: reduction(sum),
  Reshape: (n, x, a) => {
    const input = need(x[0], n, 0);
    const shape = ints(x[1] ?? null, `Reshape node "${n.name}": shape`).map((s, i) => (s === 0 && a.i("allowzero", 0) === 0 ? input.shape[i]! : s));
    return reshape(input, shape);
  },
  Flatten: (n, x, a) => {
    const input = need(x[0], n, 0);
    let axis = a.i("axis", 1);
    if (axis < 0) axis += input.ndim;
    const lead = input.shape.slice(0, axis).reduce((p, s) => p * s, 1);
    return reshape(input, [lead, -1]);
  },
  Transpose: (n, x, a) => {
    const input = need(x[0], n, 0);
    return permute(input, a.ints("perm") ?? input.shape.map((_, i) => input.ndim - 1 - i));
  },
  Unsqueeze: (n, x, a) => {
    const input = need(x[0], n, 0);
    const axes = (a.ints("axes") ?? ints(x[1] ?? null, `Unsqueeze node "${n.name}": axes`)).slice();
    const rank = input.ndim + axes.length;
    const norm = axes.map((d) => (d < 0 ? d + rank : d)).sort((p, q) => p - q);
    const shape = input.shape.slice();
    for (const d of norm) shape.splice(d, 0, 1);
    return reshape(input, shape);
  },
  Squeeze: (n, x, a) => {
    const input = need(x[0], n, 0);
    const axes = a.ints("axes") ?? (x[1] ? ints(x[1], "axes") : input.shape.flatMap((s, i) => (s === 1 ? [i] : [])));
    const drop = new Set(axes.map((d) => (d < 0 ? d + input.ndim : d)));
    return reshape(input, input.shape.filter((_, i) => !drop.has(i)));
  },
  Concat: (n, x, a) => cat(x.map((t, i) => need(t, n, i)), a.i("axis", 0)),
  Split: (n, x, a) => {
    const input = need(x[0], n, 0);
    let axis = a.i("axis", 0);
    if (axis < 0) axis += input.ndim;
    const sizes = a.ints("split") ?? (x[1] ? ints(x[1], "split") : undefined);
    if (sizes !== undefined) return split(input, sizes, axis);
    const parts = n.outputs.length;
    if (input.shape[axis]! % parts !== 0) throw new OnnxImportError(`Split node "${n.name}": ${input.shape[axis]} does not split into ${parts} equal parts`);
    return split(input, input.shape[axis]! / parts, axis);
  },
  Slice: (n, x) => {
    let out = need(x[0], n, 0);
    const starts = ints(x[1] ?? null, "starts");
    const ends = ints(x[2] ?? null, "ends");
    const axes = x[3] ? ints(x[3], "axes") : starts.map((_, i) => i);
    const steps = x[4] ? ints(x[4], "steps") : starts.map(() => 1);
    axes.forEach((axis, i) => {
      const d = axis < 0 ? axis + out.ndim : axis;
      const size = out.shape[d]!;
      if (steps[i]! < 1) throw new OnnxImportError(`Slice node "${n.name}": negative steps are not supported`);
      const clampIndex = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
      out = slice(out, d, clampIndex(starts[i]!), clampIndex(ends[i]!), steps[i]!);
    });
    return out;
  },
  Gather: (n, x, a) => {
    const data = need(x[0], n, 0);
    const indices = need(x[1], n, 1);
    let axis = a.i("axis", 0);
    if (axis < 0) axis += data.ndim;
    const flat = reshape(indices, [-1]);
    const wrapped = E.where(E.lt(flat, 0), E.add(flat, data.shape[axis]!), flat);
    const picked = indexSelect(data, axis, wrapped);
    return reshape(picked, [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)]);
  },
  Shape: unary((x) => fromTypedArray(x.shape, [x.ndim], "int32")),
  Cast: (n, x, a) => {
    const to = a.i("to", 1);
    const dtype: DType | undefined = ({ 1: "float32", 11: "float64", 6: "int32", 7: "int32", 9: "bool" } as Record<number, DType>)[to];
    if (dtype === undefined) throw new OnnxImportError(`Cast node "${n.name}": to type ${to} is not supported`);
    return E.toDType(need(x[0], n, 0), dtype);
  },
  Expand: (n, x) => {
    const input = need(x[0], n, 0);
    const shape = ints(x[1] ?? null, "shape");
    const rank = Math.max(shape.length, input.ndim);
    const full = new Array<number>(rank - input.ndim).fill(1).concat(input.shape);
    const target = Array.from({ length: rank }, (_, i) => {
      const s = shape[i - (rank - shape.length)] ?? 1;
      return s === 1 ? full[i]! : s;
    });
    return expand(reshape(input, full), target);
  },
  Pad: (n, x, a) => {
    const input = need(x[0], n, 0);
    const pads = ints(x[1] ?? null, "pads");
    const r = input.ndim;
    const list: number[] = [];
    for (let i = r - 1; i >= 0; i--) list.push(pads[i]!, pads[r + i]!);
    while (list.length > 2 && list[list.length - 1] === 0 && list[list.length - 2] === 0) list.length -= 2;
    const mode = a.s("mode", "constant");
    if (mode === "constant") return F.pad(input, list, x[2] ? Number(x[2].item()) : 0);
    if (mode === "reflect") return F.pad(input, list, "reflect");
    if (mode === "edge") return F.pad(input, list, "replicate");
    throw new OnnxImportError(`Pad node "${n.name}": mode ${mode} is not supported`);
  },
  Resize: (n, x, a) => {
    const input = need(x[0], n, 0);
    const spatial = input.ndim - 2;
    const scales = x[2] && x[2].numel() > 0 ? ints(x[2], "scales") : null;
    const sizes = x[3] ? ints(x[3], "sizes") : null;
    if (scales !== null && (scales[0] !== 1 || scales[1] !== 1)) throw new OnnxImportError(`Resize node "${n.name}": only the spatial dims may be resized`);
    const mode = a.s("mode", "nearest");
    const coordinates = a.s("coordinate_transformation_mode", "half_pixel");
    const options =
      mode === "nearest" && coordinates === "asymmetric" && a.s("nearest_mode", "round_prefer_floor") === "floor"
        ? { mode: "nearest" as const }
        : mode === "linear" && (coordinates === "pytorch_half_pixel" || coordinates === "half_pixel" || coordinates === "align_corners")
          ? { mode: (spatial === 1 ? "linear" : "bilinear") as "linear" | "bilinear", alignCorners: coordinates === "align_corners" }
          : null;
    if (options === null) throw new OnnxImportError(`Resize node "${n.name}": mode ${mode} with ${coordinates} coordinates is not supported (PyTorch's nearest and (bi)linear are)`);
    const size = sizes !== null ? sizes.slice(2) : input.shape.slice(2).map((s, i) => Math.floor(s * scales![i + 2]!));
    return F.interpolate(input, { ...options, size });
  },
  ConstantOfShape: (n, x, a) => {
    const shape = ints(x[0] ?? null, `ConstantOfShape node "${n.name}": shape`);
    const value = a.tensor("value");
    const filler = value === undefined ? fromTypedArray([0], [], "float32") : toTensor(value, "ConstantOfShape");
    if (filler.numel() !== 1) throw new OnnxImportError(`ConstantOfShape node "${n.name}": value must hold one element`);
    return expand(reshape(filler, shape.map(() => 1)), shape).contiguous();
  },
  LSTM: recurrentOp("LSTM"),
  GRU: recurrentOp("GRU"),
  RNN: recurrentOp("RNN"),
  DepthToSpace: (n, x, a) => {
    if (a.s("mode", "DCR") !== "CRD") throw new OnnxImportError(`DepthToSpace node "${n.name}": only mode CRD (PyTorch's pixel_shuffle) is supported`);
    return F.pixelShuffle(need(x[0], n, 0), a.i("blocksize", 1));
  },
};

/** The ONNX element types as nabla reads them (the safetensors decoder's codes). */
const CODES: Record<string, string> = { float32: "F32", float64: "F64", int32: "I32", int64: "I64", bool: "BOOL", uint8: "U8", int8: "I8", float16: "F16" };

function toTensor(t: OnnxTensor, file: string): Tensor {
  const values = decodeValues(t.raw, CODES[t.type]!, t.name, file, 0);
  const dtype: DType = t.type === "float64" ? "float64" : t.type === "bool" ? "bool" : t.type === "float32" || t.type === "float16" ? "float32" : "int32";
  return fromTypedArray(values, t.dims, dtype);
}

/** The module an ONNX graph becomes (see the file comment). */
export class OnnxModule extends Module<Tensor[], Tensor | Tensor[]> {
  declare private readonly model: OnnxModel;
  declare private readonly constants: Map<string, Tensor>;
  /** Initializer name → the field holding it (a Parameter or a buffer). */
  declare private readonly stateNames: Set<string>;

  constructor(model: OnnxModel, file: string) {
    super();
    Object.defineProperty(this, "model", { value: model, enumerable: false });
    Object.defineProperty(this, "constants", { value: new Map<string, Tensor>(), enumerable: false });
    Object.defineProperty(this, "stateNames", { value: new Set<string>(), enumerable: false });
    const buffers = new Set<string>();
    for (const node of model.graph.nodes) {
      if (!Object.prototype.hasOwnProperty.call(OPS, node.opType) && node.opType !== "Constant") {
        throw new OnnxImportError(`loadOnnx: ${file}: op ${node.opType} (node "${node.name}") is not supported (docs/onnx.md lists the ops nabla reads)`);
      }
      if (node.domain) throw new OnnxImportError(`loadOnnx: ${file}: op ${node.domain}.${node.opType} of a custom domain is not supported`);
      if (node.opType === "BatchNormalization") for (const i of [3, 4]) if (node.inputs[i]) buffers.add(node.inputs[i]!);
    }
    for (const init of model.graph.initializers) {
      const t = toTensor(init, file);
      const isState = (t.dtype === "float32" || t.dtype === "float64") && !init.name.startsWith("onnx::Constant");
      if (!isState) {
        this.constants.set(init.name, t);
        continue;
      }
      if (init.name in this) throw new OnnxImportError(`loadOnnx: ${file}: the initializer name "${init.name}" collides with a property of nn.Module`);
      if (buffers.has(init.name)) this.registerBuffer(init.name, t);
      else Object.defineProperty(this, init.name, { value: new Parameter(t), enumerable: true, writable: true, configurable: true });
      this.stateNames.add(init.name);
    }
  }

  /** The graph's inputs that are not initializers, in order. */
  get inputNames(): string[] {
    const initialized = new Set(this.model.graph.initializers.map((t) => t.name));
    return this.model.graph.inputs.map((v) => v.name).filter((n) => !initialized.has(n));
  }

  get outputNames(): string[] {
    return this.model.graph.outputs.map((v) => v.name);
  }

  /** Runs the graph; one output is returned as a tensor, several as a list. */
  forward(...inputs: Tensor[]): Tensor | Tensor[] {
    const names = this.inputNames;
    if (inputs.length !== names.length) throw new OnnxImportError(`OnnxModule: the graph takes ${names.length} input(s) (${names.join(", ")}), got ${inputs.length}`);
    const values = new Map<string, Tensor>(this.constants);
    for (const name of this.stateNames) values.set(name, (this as unknown as Record<string, Tensor>)[name]!);
    names.forEach((n, i) => values.set(n, inputs[i]!));
    for (const node of this.model.graph.nodes) {
      const a = new Attributes(node);
      let outs: Tensor | Tensor[];
      if (node.opType === "Constant") {
        const t = a.tensor("value");
        if (t !== undefined) outs = toTensor(t, "Constant");
        else if (node.attributes.value_float) outs = fromTypedArray([a.f("value_float", 0)], [], "float32");
        else if (node.attributes.value_int) outs = fromTypedArray([a.i("value_int", 0)], [], "int32");
        else if (node.attributes.value_ints) outs = fromTypedArray(a.ints("value_ints")!, [a.ints("value_ints")!.length], "int32");
        else throw new OnnxImportError(`Constant node "${node.name}": no value`);
      } else {
        const args = node.inputs.map((name) => {
          if (name === "") return null;
          const v = values.get(name);
          if (v === undefined) throw new OnnxImportError(`${node.opType} node "${node.name}": input "${name}" is not computed before it (the graph must be topologically sorted)`);
          return v;
        });
        try {
          outs = OPS[node.opType]!(node, args, a);
        } catch (e) {
          if (e instanceof OnnxImportError) throw e;
          throw new OnnxImportError(`${node.opType} node "${node.name}": ${(e as Error).message}`);
        }
      }
      const list = outs instanceof Tensor ? [outs] : outs;
      node.outputs.forEach((name, i) => {
        if (name !== "" && list[i] !== undefined) values.set(name, list[i]!);
      });
    }
    const results = this.outputNames.map((name) => {
      const v = values.get(name);
      if (v === undefined) throw new OnnxImportError(`OnnxModule: the graph output "${name}" is never computed`);
      return v;
    });
    return results.length === 1 ? results[0]! : results;
  }
}

/**
 * Reads ONNX model bytes into an OnnxModule (see the file comment). `file` names it in errors.
 * Unsupported ops are refused here, by name, before anything runs.
 */
export function loadOnnx(bytes: Uint8Array, file = "model.onnx"): OnnxModule {
  const model = decodeModel(bytes, (reason, offset) => {
    throw new DataFormatError(file, reason, offset === undefined ? {} : { offset });
  });
  if (model.opset !== 0 && (model.opset < 13 || model.opset > 17)) throw new OnnxImportError(`loadOnnx: ${file}: opset ${model.opset} is not supported (nabla reads opsets 13 to 17)`);
  return new OnnxModule(model, file);
}
