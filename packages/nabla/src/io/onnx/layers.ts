/**
 * How each nn layer becomes ONNX nodes (opset 17). Each emitter runs after the layer's real
 * forward, with its inputs and output, so shapes are known; it reads the input names from the
 * builder, adds nodes, and binds the output tensor to the last node's output. Ops that opset 17
 * lacks are decomposed (GELU through Erf, Mish through Softplus·Tanh, GroupNorm and RMSNorm
 * through ReduceMean); docs/onnx.md has the table.
 */
import * as nn from "../../nn/index.js";
import type { Module } from "../../nn/module.js";
import { Tensor } from "../../tensor/tensor.js";
import { attr, OnnxBuilder, OnnxExportError } from "./builder.js";
import type { OnnxAttribute } from "./proto.js";
import { multiheadAttention, transformer, transformerDecoder, transformerDecoderLayer, transformerEncoder, transformerEncoderLayer } from "./attention.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LayerEmitter = (b: OnnxBuilder, m: any, args: unknown[], out: unknown, path: string) => void;

/** The float32 machine epsilon, torch.finfo(torch.float32).eps (RMSNorm's default). */
const FLOAT32_EPS = 1.1920928955078125e-7;

function input(args: unknown[], layer: string): Tensor {
  const x = args[0];
  if (!(x instanceof Tensor)) throw new OnnxExportError(`exportOnnx: ${layer} was called with a ${typeof x}, not a tensor`);
  return x;
}

function output(out: unknown, layer: string): Tensor {
  if (!(out instanceof Tensor)) throw new OnnxExportError(`exportOnnx: ${layer} returned something other than one tensor`);
  return out;
}

/** A layer whose output is one node over its input. */
function unary(opType: string, attributes: (m: never) => Record<string, OnnxAttribute> = () => ({})): LayerEmitter {
  return (b, m, args, out, path) => {
    b.bind(output(out, path), b.op1(opType, [b.name(input(args, path), path)], attributes(m as never)));
  };
}

/** A layer computed by `build(b, x)` from its input's name. */
function composite(build: (b: OnnxBuilder, x: string, t: Tensor, m: never) => string): LayerEmitter {
  return (b, m, args, out, path) => {
    const t = input(args, path);
    b.bind(output(out, path), build(b, b.name(t, path), t, m as never));
  };
}

/** An int or per-dim list as `n` numbers. */
function expand(v: number | readonly number[], n: number): number[] {
  return typeof v === "number" ? new Array<number>(n).fill(v) : v.length === 1 ? new Array<number>(n).fill(v[0]!) : v.slice();
}

/**
 * A Reshape to `shape` that keeps the leading dims the input shares (as 0, "copy this dim"), so a
 * dynamic batch or sequence axis stays dynamic.
 */
export function reshapeTo(b: OnnxBuilder, x: string, from: readonly number[], shape: readonly number[]): string {
  const target = shape.slice();
  for (let i = 0; i < Math.min(from.length, target.length) && from[i] === target[i]; i++) target[i] = 0;
  return b.op1("Reshape", [x, b.int64s(target)]);
}

const gelu = (b: OnnxBuilder, x: string, t: Tensor, approximate: string): string => {
  const c = (v: number) => b.scalar(v, t.dtype);
  if (approximate === "tanh") {
    // 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
    const cube = b.op1("Mul", [b.op1("Mul", [x, x]), x]);
    const inner = b.op1("Mul", [b.op1("Add", [x, b.op1("Mul", [cube, c(0.044715)])]), c(Math.sqrt(2 / Math.PI))]);
    return b.op1("Mul", [b.op1("Mul", [x, c(0.5)]), b.op1("Add", [b.op1("Tanh", [inner]), c(1)])]);
  }
  // 0.5 x (1 + erf(x / √2)); ONNX Runtime has Erf for float32 only, so float64 goes through it (float32's 6e-8 is inside the tolerance)
  const scaled = b.op1("Div", [x, c(Math.SQRT2)]);
  const erf = t.dtype === "float64" ? b.op1("Cast", [b.op1("Erf", [b.op1("Cast", [scaled], { to: attr.i(1) })])], { to: attr.i(11) }) : b.op1("Erf", [scaled]);
  return b.op1("Mul", [b.op1("Mul", [x, b.op1("Add", [erf, c(1)])]), c(0.5)]);
};

const softplus = (b: OnnxBuilder, x: string, t: Tensor, beta: number, threshold: number): string => {
  // (1/β) log(1 + exp(βx)), and x itself where βx > threshold (as PyTorch)
  const bx = beta === 1 ? x : b.op1("Mul", [x, b.scalar(beta, t.dtype)]);
  let y = b.op1("Softplus", [bx]);
  if (beta !== 1) y = b.op1("Div", [y, b.scalar(beta, t.dtype)]);
  return b.op1("Where", [b.op1("Greater", [bx, b.scalar(threshold, t.dtype)]), x, y]);
};

/** Running statistics normalization over `axes` (GroupNorm, RMSNorm) from ReduceMean (axes is an attribute up to opset 17). */
const meanOver = (b: OnnxBuilder, x: string, axes: number[]) => b.op1("ReduceMean", [x], { axes: attr.ints(axes), keepdims: attr.i(1) });

function pool(kind: "MaxPool" | "AveragePool"): LayerEmitter {
  return (b, m, args, out, path) => {
    const t = input(args, path);
    const n = t.ndim - 2;
    if (m.returnIndices) throw new OnnxExportError(`exportOnnx: ${path}: MaxPool with returnIndices is not supported`);
    if (m.divisorOverride !== undefined && m.divisorOverride !== null) throw new OnnxExportError(`exportOnnx: ${path}: AvgPool with divisorOverride is not supported`);
    const padding = expand(m.padding, n);
    const attributes = {
      kernel_shape: attr.ints(expand(m.kernelSize, n)),
      strides: attr.ints(expand(m.stride, n)),
      pads: attr.ints([...padding, ...padding]),
      ceil_mode: attr.i(m.ceilMode ? 1 : 0),
      ...(kind === "MaxPool" ? { dilations: attr.ints(expand(m.dilation, n)) } : { count_include_pad: attr.i(m.countIncludePad ? 1 : 0) }),
    };
    b.bind(output(out, path), b.op1(kind, [b.name(t, path)], attributes));
  };
}

function adaptivePool(kind: "Max" | "Average"): LayerEmitter {
  return (b, m, args, out, path) => {
    const t = input(args, path);
    const o = output(out, path);
    if (kind === "Max" && m.returnIndices) throw new OnnxExportError(`exportOnnx: ${path}: AdaptiveMaxPool2d with returnIndices is not supported`);
    const x = b.name(t, path);
    const inSize = t.shape.slice(2);
    const outSize = o.shape.slice(2);
    if (outSize.every((s) => s === 1)) return b.bind(o, b.op1(`Global${kind}Pool`, [x]));
    if (!inSize.every((s, i) => s % outSize[i]! === 0)) {
      throw new OnnxExportError(`exportOnnx: ${path}: adaptive pooling from [${inSize.join(", ")}] to [${outSize.join(", ")}] needs unequal windows, which ONNX cannot express`);
    }
    const k = inSize.map((s, i) => s / outSize[i]!);
    b.bind(o, b.op1(`${kind}Pool`, [x], { kernel_shape: attr.ints(k), strides: attr.ints(k) }));
  };
}

function conv(transposed: boolean): LayerEmitter {
  return (b, m, args, out, path) => {
    const t = input(args, path);
    const n = t.ndim - 2;
    const kernel: number[] = m.kernelSize;
    let pads: number[];
    if (m.padding === "valid") pads = new Array<number>(2 * n).fill(0);
    else if (m.padding === "same") {
      // total padding d·(k-1), the odd one on the end side, as PyTorch
      const total = kernel.map((k, i) => m.dilation[i] * (k - 1));
      pads = [...total.map((p) => Math.floor(p / 2)), ...total.map((p) => p - Math.floor(p / 2))];
    } else pads = [...m.padding, ...m.padding];
    const inputs = [b.name(t, path), b.name(m.weight, path)];
    if (m.bias) inputs.push(b.name(m.bias, path));
    const attributes = {
      kernel_shape: attr.ints(kernel),
      strides: attr.ints(m.stride),
      pads: attr.ints(pads),
      dilations: attr.ints(m.dilation),
      group: attr.i(m.groups),
      ...(transposed ? { output_padding: attr.ints(m.outputPadding) } : {}),
    };
    b.bind(output(out, path), b.op1(transposed ? "ConvTranspose" : "Conv", inputs, attributes));
  };
}

const padLayer: LayerEmitter = (b, m, args, out, path) => {
  const t = input(args, path);
  // PyTorch lists (left, right) of the last dim first; ONNX all begins, then all ends, first dim first.
  const begins = new Array<number>(t.ndim).fill(0);
  const ends = new Array<number>(t.ndim).fill(0);
  const p: number[] = m.padding;
  for (let i = 0; i < p.length / 2; i++) {
    begins[t.ndim - 1 - i] = p[2 * i]!;
    ends[t.ndim - 1 - i] = p[2 * i + 1]!;
  }
  if ([...begins, ...ends].some((v) => v < 0)) throw new OnnxExportError(`exportOnnx: ${path}: negative padding is not supported`);
  const mode = m.mode === "reflect" ? "reflect" : m.mode === "replicate" ? "edge" : "constant";
  const inputs = [b.name(t, path), b.int64s([...begins, ...ends])];
  if (mode === "constant") inputs.push(b.scalar(m.value ?? 0, t.dtype));
  b.bind(output(out, path), b.op1("Pad", inputs, { mode: attr.s(mode) }));
};

const batchNorm: LayerEmitter = (b, m, args, out, path) => {
  const t = input(args, path);
  if (!m.trackRunningStats || !(m.running_mean instanceof Tensor)) throw new OnnxExportError(`exportOnnx: ${path}: BatchNorm without running statistics normalizes with batch statistics in eval mode, which ONNX's BatchNormalization does not`);
  const c: number = m.numFeatures;
  const ones = () => b.constant(new Array<number>(c).fill(1), [c], t.dtype === "float64" ? "float64" : "float32");
  const zeros = () => b.constant(new Array<number>(c).fill(0), [c], t.dtype === "float64" ? "float64" : "float32");
  const inputs = [b.name(t, path), m.weight ? b.name(m.weight, path) : ones(), m.bias ? b.name(m.bias, path) : zeros(), b.name(m.running_mean, path), b.name(m.running_var, path)];
  b.bind(output(out, path), b.op1("BatchNormalization", inputs, { epsilon: attr.f(m.eps) }));
};

const layerNorm: LayerEmitter = (b, m, args, out, path) => {
  const t = input(args, path);
  const k = m.normalizedShape.length;
  const count = m.normalizedShape.reduce((a: number, s: number) => a * s, 1);
  const scale = m.weight ? b.name(m.weight, path) : b.constant(new Array<number>(count).fill(1), m.normalizedShape, t.dtype === "float64" ? "float64" : "float32");
  const inputs = [b.name(t, path), scale];
  if (m.bias) inputs.push(b.name(m.bias, path));
  b.bind(output(out, path), b.op1("LayerNormalization", inputs, { axis: attr.i(-k), epsilon: attr.f(m.eps) }));
};

const groupNorm: LayerEmitter = (b, m, args, out, path) => {
  const t = input(args, path);
  const x = b.name(t, path);
  // y = (x - mean) / √(var + ε) over each group's channels and positions, then the per-channel affine
  const grouped = b.op1("Reshape", [x, b.int64s([0, m.numGroups, -1])]);
  const mean = meanOver(b, grouped, [2]);
  const centered = b.op1("Sub", [grouped, mean]);
  const variance = meanOver(b, b.op1("Mul", [centered, centered]), [2]);
  const normalized = b.op1("Div", [centered, b.op1("Sqrt", [b.op1("Add", [variance, b.scalar(m.eps, t.dtype)])])]);
  let y = b.op1("Reshape", [normalized, b.op1("Shape", [x])]);
  if (m.affine) {
    const perChannel = [m.numChannels, ...new Array<number>(t.ndim - 2).fill(1)];
    y = b.op1("Mul", [y, b.op1("Reshape", [b.name(m.weight, path), b.int64s(perChannel)])]);
    y = b.op1("Add", [y, b.op1("Reshape", [b.name(m.bias, path), b.int64s(perChannel)])]);
  }
  b.bind(output(out, path), y);
};

const rmsNorm: LayerEmitter = (b, m, args, out, path) => {
  const t = input(args, path);
  const x = b.name(t, path);
  const axes = m.normalizedShape.map((_: number, i: number) => i - m.normalizedShape.length);
  // y = x / √(mean(x²) + ε) · w
  const ms = meanOver(b, b.op1("Mul", [x, x]), axes);
  let y = b.op1("Div", [x, b.op1("Sqrt", [b.op1("Add", [ms, b.scalar(m.eps ?? (t.dtype === "float64" ? 2.220446049250313e-16 : FLOAT32_EPS), t.dtype)])])]);
  if (m.weight) y = b.op1("Mul", [y, b.name(m.weight, path)]);
  b.bind(output(out, path), y);
};

const linear: LayerEmitter = (b, m, args, out, path) => {
  const t = input(args, path);
  const x = b.name(t, path);
  const w = b.name(m.weight, path);
  if (t.ndim === 2) {
    const inputs = [x, w];
    if (m.bias) inputs.push(b.name(m.bias, path));
    return b.bind(output(out, path), b.op1("Gemm", inputs, { alpha: attr.f(1), beta: attr.f(1), transB: attr.i(1) }));
  }
  let y = b.op1("MatMul", [x, b.op1("Transpose", [w], { perm: attr.ints([1, 0]) })]);
  if (m.bias) y = b.op1("Add", [y, b.name(m.bias, path)]);
  b.bind(output(out, path), y);
};

const embedding: LayerEmitter = (b, m, args, out, path) => {
  const t = input(args, path);
  if (m.maxNorm !== undefined && m.maxNorm !== null) throw new OnnxExportError(`exportOnnx: ${path}: Embedding with maxNorm (renormalizes its weight in forward) is not supported`);
  b.bind(output(out, path), b.op1("Gather", [b.name(m.weight, path), b.name(t, path)], { axis: attr.i(0) }));
};

const flatten: LayerEmitter = (b, _m, args, out, path) => {
  const t = input(args, path);
  b.bind(output(out, path), reshapeTo(b, b.name(t, path), t.shape, output(out, path).shape));
};

const prelu: LayerEmitter = (b, m, args, out, path) => {
  const t = input(args, path);
  let slope = b.name(m.weight, path);
  const n = m.weight.numel();
  if (n > 1 && t.ndim > 2) slope = b.op1("Reshape", [slope, b.int64s([n, ...new Array<number>(t.ndim - 2).fill(1)])]);
  b.bind(output(out, path), b.op1("PRelu", [b.name(t, path), slope]));
};

const glu = (gate: (b: OnnxBuilder, x: string, t: Tensor) => string, first = false): LayerEmitter =>
  composite((b, x, t, m: { dim: number }) => {
    const [a, g] = b.op("Split", [x], { axis: attr.i(m.dim) }, 2) as [string, string];
    return first ? b.op1("Mul", [gate(b, a, t), g]) : b.op1("Mul", [a, gate(b, g, t)]);
  });

/**
 * Upsample as Resize with the scales out/in per dim: nearest as PyTorch's (asymmetric
 * coordinates, floor), (bi)linear with half-pixel centres or aligned corners.
 */
const upsample: LayerEmitter = (b, m, args, out, path) => {
  const t = input(args, path);
  const o = output(out, path);
  const linear = m.mode === "linear" || m.mode === "bilinear";
  if (m.mode !== "nearest" && !linear) throw new OnnxExportError(`exportOnnx: ${path}: Upsample mode ${m.mode} is not supported (nearest, linear, bilinear are)`);
  // whole-number scales keep a dynamic batch axis general; other sizes are given as sizes
  const ratios = o.shape.map((s, i) => s / t.shape[i]!);
  const whole = ratios.every((r) => Number.isInteger(r));
  const attributes: Record<string, OnnxAttribute> = linear
    ? { mode: attr.s("linear"), coordinate_transformation_mode: attr.s(m.alignCorners ? "align_corners" : "pytorch_half_pixel") }
    : { mode: attr.s("nearest"), coordinate_transformation_mode: attr.s("asymmetric"), nearest_mode: attr.s("floor") };
  const inputs = whole ? [b.name(t, path), "", b.constant(ratios, [t.ndim], "float32")] : [b.name(t, path), "", "", b.int64s(o.shape)];
  b.bind(o, b.op1("Resize", inputs, attributes));
};

/**
 * RNNCell, LSTMCell, GRUCell: one step written out with MatMul and the gate functions, in
 * PyTorch's gate order (the cells' weights are used as they are). Without a state the h·W_hhᵀ
 * term is just b_hh and the cell state term vanishes, so no zeros of a fixed batch are needed.
 */
const cell: LayerEmitter = (b, m, args, out, path) => {
  const t = input(args, path);
  if (t.ndim !== 2) throw new OnnxExportError(`exportOnnx: ${path}: only batched (2-d) cell input is supported`);
  const mode: string = m.mode;
  const state = args[1] as Tensor | [Tensor, Tensor] | null | undefined;
  const h = mode === "LSTM" ? ((state as [Tensor, Tensor] | null | undefined)?.[0] ?? null) : ((state as Tensor | null | undefined) ?? null);
  const c = mode === "LSTM" ? ((state as [Tensor, Tensor] | null | undefined)?.[1] ?? null) : null;
  const project = (x: string, w: Tensor, bias: Tensor | null) => {
    const y = b.op1("MatMul", [x, b.op1("Transpose", [b.name(w, path)], { perm: attr.ints([1, 0]) })]);
    return bias ? b.op1("Add", [y, b.name(bias, path)]) : y;
  };
  const xw = project(b.name(t, path), m.weight_ih, m.bias_ih);
  const hw = h !== null ? project(b.name(h, path), m.weight_hh, m.bias_hh) : m.bias_hh ? b.name(m.bias_hh, path) : null;
  const gates = (v: string | null, n: number) => (v === null ? new Array<string | null>(n).fill(null) : b.op("Split", [v], { axis: attr.i(-1) }, n));
  const plus = (p: string, q: string | null) => (q === null ? p : b.op1("Add", [p, q]));
  if (mode === "LSTM") {
    const [xi, xf, xg, xo] = gates(xw, 4) as string[];
    const [hi, hf, hg, ho] = gates(hw, 4);
    const i = b.op1("Sigmoid", [plus(xi!, hi!)]);
    const f = b.op1("Sigmoid", [plus(xf!, hf!)]);
    const g = b.op1("Tanh", [plus(xg!, hg!)]);
    const o = b.op1("Sigmoid", [plus(xo!, ho!)]);
    const ig = b.op1("Mul", [i, g]);
    const c2 = c === null ? ig : b.op1("Add", [b.op1("Mul", [f, b.name(c, path)]), ig]);
    const [hOut, cOut] = out as [Tensor, Tensor];
    b.bind(hOut, b.op1("Mul", [o, b.op1("Tanh", [c2])]));
    b.bind(cOut, c2);
    return;
  }
  if (mode === "GRU") {
    const [xr, xz, xn] = gates(xw, 3) as string[];
    const [hr, hz, hn] = gates(hw, 3);
    const r = b.op1("Sigmoid", [plus(xr!, hr!)]);
    const z = b.op1("Sigmoid", [plus(xz!, hz!)]);
    const n = b.op1("Tanh", [plus(xn!, hn === null ? null : b.op1("Mul", [r, hn!]))]);
    // (1 − z)·n + z·h = n + z·(h − n)
    const hPrev = h === null ? null : b.name(h, path);
    b.bind(output(out, path), hPrev === null ? b.op1("Sub", [n, b.op1("Mul", [z, n])]) : b.op1("Add", [n, b.op1("Mul", [z, b.op1("Sub", [hPrev, n])])]));
    return;
  }
  b.bind(output(out, path), b.op1(mode === "RNN_RELU" ? "Relu" : "Tanh", [plus(xw, hw)]));
};

/** PyTorch's gate order → ONNX's: LSTM i,f,g,o → i,o,f,c; GRU r,z,n → z,r,h. */
const GATE_ORDER: Record<string, number[]> = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN_TANH: [0], RNN_RELU: [0] };

/**
 * LSTM, GRU and RNN as ONNX's LSTM, GRU and RNN ops, one per layer (both directions in one op).
 * The initializers stay PyTorch's tensors under PyTorch's names; the gate reordering ONNX needs
 * is done in the graph (Split, Concat), and GRU uses linear_before_reset=1, PyTorch's
 * n = tanh(W_in·x + b_in + r·(W_hn·h + b_hn)).
 */
const recurrent: LayerEmitter = (b, m, args, out, path) => {
  const t = input(args, path);
  if (t.ndim !== 3) throw new OnnxExportError(`exportOnnx: ${path}: only batched (3-d) input is supported, got shape [${t.shape.join(", ")}]`);
  const mode: string = m.mode;
  const order = GATE_ORDER[mode]!;
  const gates = order.length;
  const H: number = m.hiddenSize;

  const D = m.bidirectional ? 2 : 1;
  const lstm = mode === "LSTM";
  const [output_, state] = out as [Tensor, Tensor | [Tensor, Tensor]];
  const [h0, c0] = lstm ? ((args[1] as [Tensor, Tensor] | null | undefined) ?? [null, null]) : [(args[1] as Tensor | null | undefined) ?? null, null];
  const reorder = (w: Tensor) => {
    const name = b.name(w, path);
    if (gates === 1) return name;
    const parts = b.op("Split", [name], { axis: attr.i(0) }, gates);
    return b.op1("Concat", order.map((g) => parts[g]!), { axis: attr.i(0) });
  };
  const stackDirections = (per: string[]) => (per.length === 1 ? b.op1("Unsqueeze", [per[0]!, b.int64s([0])]) : b.op1("Concat", per.map((p) => b.op1("Unsqueeze", [p, b.int64s([0])])), { axis: attr.i(0) }));
  let x = b.name(t, path);
  if (m.batchFirst) x = b.op1("Transpose", [x], { perm: attr.ints([1, 0, 2]) });
  const hN: string[] = [];
  const cN: string[] = [];
  for (let l = 0; l < m.numLayers; l++) {
    const dirs = Array.from({ length: D }, (_, d) => `_l${l}${d === 1 ? "_reverse" : ""}`);
    const W = stackDirections(dirs.map((s) => reorder(m.param(`weight_ih${s}`))));
    const R = stackDirections(dirs.map((s) => reorder(m.param(`weight_hh${s}`))));
    const B = m.bias ? stackDirections(dirs.map((s) => b.op1("Concat", [reorder(m.param(`bias_ih${s}`)), reorder(m.param(`bias_hh${s}`))], { axis: attr.i(0) }))) : "";
    const rows = (s: Tensor | null) => (s === null ? "" : b.op1("Slice", [b.name(s, path), b.int64s([l * D]), b.int64s([(l + 1) * D]), b.int64s([0])]));
    const inputs = [x, W, R, B, "", rows(h0)];
    if (lstm) inputs.push(rows(c0));
    while (inputs[inputs.length - 1] === "") inputs.pop();
    const attributes: Record<string, OnnxAttribute> = { hidden_size: attr.i(H), direction: attr.s(D === 2 ? "bidirectional" : "forward") };
    if (mode === "GRU") attributes.linear_before_reset = attr.i(1);
    if (mode === "RNN_RELU") attributes.activations = attr.strings(new Array<string>(D).fill("Relu"));
    const outs = b.op(lstm ? "LSTM" : mode === "GRU" ? "GRU" : "RNN", inputs, attributes, lstm ? 3 : 2);
    // Y is [T, D, N, H]; the next layer (and the output) takes [T, N, D·H]
    x = b.op1("Reshape", [b.op1("Transpose", [outs[0]!], { perm: attr.ints([0, 2, 1, 3]) }), b.int64s([0, 0, -1])]);
    hN.push(outs[1]!);
    if (lstm) cN.push(outs[2]!);
  }
  if (m.batchFirst) x = b.op1("Transpose", [x], { perm: attr.ints([1, 0, 2]) });
  b.bind(output_, x);
  const concat = (parts: string[]) => (parts.length === 1 ? b.op1("Identity", [parts[0]!]) : b.op1("Concat", parts, { axis: attr.i(0) }));
  if (lstm) {
    const [h, c] = state as [Tensor, Tensor];
    b.bind(h, concat(hN));
    b.bind(c, concat(cN));
  } else b.bind(state as Tensor, concat(hN));
};

/** The emitter of each supported layer class (exact class, not subclasses). */
export const LAYER_EMITTERS = new Map<Function, LayerEmitter>([
  [nn.Linear, linear],
  [nn.Conv1d, conv(false)],
  [nn.Conv2d, conv(false)],
  [nn.Conv3d, conv(false)],
  [nn.ConvTranspose1d, conv(true)],
  [nn.ConvTranspose2d, conv(true)],
  [nn.MaxPool1d, pool("MaxPool")],
  [nn.MaxPool2d, pool("MaxPool")],
  [nn.AvgPool1d, pool("AveragePool")],
  [nn.AvgPool2d, pool("AveragePool")],
  [nn.AdaptiveAvgPool2d, adaptivePool("Average")],
  [nn.AdaptiveMaxPool2d, adaptivePool("Max")],
  [nn.BatchNorm1d, batchNorm],
  [nn.BatchNorm2d, batchNorm],
  [nn.LayerNorm, layerNorm],
  [nn.GroupNorm, groupNorm],
  [nn.RMSNorm, rmsNorm],
  [nn.Dropout, unary("Identity")],
  [nn.Dropout2d, unary("Identity")],
  [nn.Identity, unary("Identity")],
  [nn.Embedding, embedding],
  [nn.Flatten, flatten],
  [nn.Unflatten, flatten],
  [nn.ReflectionPad1d, padLayer],
  [nn.ReflectionPad2d, padLayer],
  [nn.ReflectionPad3d, padLayer],
  [nn.ReplicationPad1d, padLayer],
  [nn.ReplicationPad2d, padLayer],
  [nn.ReplicationPad3d, padLayer],
  [nn.ConstantPad1d, padLayer],
  [nn.ConstantPad2d, padLayer],
  [nn.ConstantPad3d, padLayer],
  [nn.ZeroPad2d, padLayer],
  [nn.PixelShuffle, unary("DepthToSpace", (m: { upscaleFactor: number }) => ({ blocksize: attr.i(m.upscaleFactor), mode: attr.s("CRD") }))],
  [nn.PReLU, prelu],
  [nn.Upsample, upsample],
  [nn.UpsamplingNearest2d, upsample],
  [nn.UpsamplingBilinear2d, upsample],
  [nn.MultiheadAttention, multiheadAttention],
  [nn.TransformerEncoderLayer, transformerEncoderLayer],
  [nn.TransformerEncoder, transformerEncoder],
  [nn.TransformerDecoderLayer, transformerDecoderLayer],
  [nn.TransformerDecoder, transformerDecoder],
  [nn.Transformer, transformer],
  [nn.LSTMCell, cell],
  [nn.GRUCell, cell],
  [nn.RNNCell, cell],
  [nn.LSTM, recurrent],
  [nn.GRU, recurrent],
  [nn.RNN, recurrent],
  // activations
  [nn.ReLU, unary("Relu")],
  [nn.Sigmoid, unary("Sigmoid")],
  [nn.Tanh, unary("Tanh")],
  [nn.Softsign, unary("Softsign")],
  [nn.Hardswish, unary("HardSwish")],
  [nn.Hardsigmoid, unary("HardSigmoid", () => ({ alpha: attr.f(1 / 6), beta: attr.f(0.5) }))],
  [nn.LeakyReLU, unary("LeakyRelu", (m: { negativeSlope: number }) => ({ alpha: attr.f(m.negativeSlope) }))],
  [nn.ELU, unary("Elu", (m: { alpha: number }) => ({ alpha: attr.f(m.alpha) }))],
  [nn.CELU, unary("Celu", (m: { alpha: number }) => ({ alpha: attr.f(m.alpha) }))],
  [nn.SELU, unary("Selu", () => ({ alpha: attr.f(1.6732632423543772), gamma: attr.f(1.0507009873554805) }))],
  [nn.RReLU, unary("LeakyRelu", (m: { lower: number; upper: number }) => ({ alpha: attr.f((m.lower + m.upper) / 2) }))], // eval: the mean slope
  [nn.Hardshrink, unary("Shrink", (m: { lambd: number }) => ({ lambd: attr.f(m.lambd), bias: attr.f(0) }))],
  [nn.Softshrink, unary("Shrink", (m: { lambd: number }) => ({ lambd: attr.f(m.lambd), bias: attr.f(m.lambd) }))],
  [nn.Softmax, unary("Softmax", (m: { dim: number }) => ({ axis: attr.i(m.dim) }))],
  [nn.LogSoftmax, unary("LogSoftmax", (m: { dim: number }) => ({ axis: attr.i(m.dim) }))],
  [nn.Softmin, composite((b, x, _t, m: { dim: number }) => b.op1("Softmax", [b.op1("Neg", [x])], { axis: attr.i(m.dim) }))],
  [nn.ReLU6, composite((b, x, t) => b.op1("Clip", [x, b.scalar(0, t.dtype), b.scalar(6, t.dtype)]))],
  [nn.Hardtanh, composite((b, x, t, m: { minVal: number; maxVal: number }) => b.op1("Clip", [x, b.scalar(m.minVal, t.dtype), b.scalar(m.maxVal, t.dtype)]))],
  [nn.ReLUSquared, composite((b, x) => { const r = b.op1("Relu", [x]); return b.op1("Mul", [r, r]); })],
  [nn.SiLU, composite((b, x) => b.op1("Mul", [x, b.op1("Sigmoid", [x])]))],
  [nn.Mish, composite((b, x) => b.op1("Mul", [x, b.op1("Tanh", [b.op1("Softplus", [x])])]))],
  [nn.LogSigmoid, composite((b, x) => b.op1("Neg", [b.op1("Softplus", [b.op1("Neg", [x])])]))],
  [nn.Tanhshrink, composite((b, x) => b.op1("Sub", [x, b.op1("Tanh", [x])]))],
  [nn.GELU, composite((b, x, t, m: { approximate: string }) => gelu(b, x, t, m.approximate))],
  [nn.Softplus, composite((b, x, t, m: { beta: number; threshold: number }) => softplus(b, x, t, m.beta, m.threshold))],
  [nn.Threshold, composite((b, x, t, m: { threshold: number; value: number }) => b.op1("Where", [b.op1("Greater", [x, b.scalar(m.threshold, t.dtype)]), x, b.scalar(m.value, t.dtype)]))],
  [nn.GLU, glu((b, g) => b.op1("Sigmoid", [g]))],
  [nn.SwiGLU, glu((b, g) => b.op1("Mul", [g, b.op1("Sigmoid", [g])]))],
  [nn.GeGLU, glu((b, g, t) => gelu(b, g, t, "none"))],
]);

/** Containers: their forward is traced through. */
export const CONTAINERS = new Set<Function>([nn.Sequential]);

/** Every nn layer class, to tell the library's unsupported layers (an error) from a user's own modules (traced through). */
export const LIBRARY_LAYERS = new Map<Function, string>(
  Object.entries(nn).filter(([, v]) => typeof v === "function" && (v as { prototype?: unknown }).prototype instanceof (nn.Module as Function)).map(([k, v]) => [v as Function, k]),
);

export type { Module };
