/**
 * MultiheadAttention, TransformerEncoderLayer and TransformerEncoder as ONNX (opset 17 has no
 * attention op): per head, softmax(q·kᵀ/√d + mask)·v, from MatMul, Reshape, Transpose, Softmax.
 * The layers are composed from name-level pieces (a Linear on a value name, a LayerNorm, the
 * attention), because a layer's children run inside its recorded forward and are not recorded.
 * Covered: batched input ([L, N, E], or batchFirst), packed in_proj (kdim = vdim = E), an
 * attention mask (bool or additive float, [L, S]) and a key padding mask ([N, S]); bias_k/bias_v
 * and addZeroAttn are refused by name.
 */
import { gelu, relu } from "../../nn/functional/activations.js";
import * as nn from "../../nn/index.js";
import { Tensor } from "../../tensor/tensor.js";
import { tensor } from "../../ops/creation.js";
import { attr, OnnxBuilder, OnnxExportError } from "./builder.js";
import type { LayerEmitter } from "./layers.js";

/** x·Wᵀ + b on value names (any rank). */
function linearOn(b: OnnxBuilder, x: string, weight: string, bias: string | null): string {
  const y = b.op1("MatMul", [x, b.op1("Transpose", [weight], { perm: attr.ints([1, 0]) })]);
  return bias === null ? y : b.op1("Add", [y, bias]);
}

function linearLayer(b: OnnxBuilder, m: nn.Linear, x: string, path: string): string {
  return linearOn(b, x, b.name(m.weight, path), m.bias ? b.name(m.bias, path) : null);
}

function layerNormOn(b: OnnxBuilder, m: nn.LayerNorm, x: string, path: string): string {
  if (!m.weight) throw new OnnxExportError(`exportOnnx: ${path}: a LayerNorm without affine inside a Transformer layer is not supported`);
  const inputs = [x, b.name(m.weight, path)];
  if (m.bias) inputs.push(b.name(m.bias, path));
  return b.op1("LayerNormalization", inputs, { axis: attr.i(-m.normalizedShape.length), epsilon: attr.f(m.eps) });
}

interface AttentionCall {
  query: Tensor;
  key: Tensor;
  value: Tensor;
  attnMask: Tensor | null;
  keyPaddingMask: Tensor | null;
  averageAttnWeights: boolean;
}

function attentionArgs(args: unknown[]): AttentionCall {
  const [query, key, value, ...rest] = args as [Tensor, Tensor, Tensor, ...unknown[]];
  if (rest.length === 1 && typeof rest[0] === "object" && rest[0] !== null && !(rest[0] instanceof Tensor)) {
    const o = rest[0] as { attnMask?: Tensor | null; keyPaddingMask?: Tensor | null; averageAttnWeights?: boolean };
    return { query, key, value, attnMask: o.attnMask ?? null, keyPaddingMask: o.keyPaddingMask ?? null, averageAttnWeights: o.averageAttnWeights ?? true };
  }
  const [keyPaddingMask, , attnMask, average] = rest as [Tensor | null | undefined, unknown, Tensor | null | undefined, boolean | undefined];
  return { query, key, value, attnMask: attnMask ?? null, keyPaddingMask: keyPaddingMask ?? null, averageAttnWeights: average ?? true };
}

/**
 * The attention on value names q, k, v ([L, N, E] layout); returns the output name and the
 * [N·H, L, S] attention probabilities' name.
 */
function attentionOn(b: OnnxBuilder, m: nn.MultiheadAttention, names: [string, string, string], attnMask: Tensor | null, path: string, keyPaddingMask: Tensor | null = null): { out: string; probs: string } {
  if (!m.in_proj_weight) throw new OnnxExportError(`exportOnnx: ${path}: MultiheadAttention with kdim or vdim different from embedDim is not supported`);
  if (m.bias_k || m.addZeroAttn) throw new OnnxExportError(`exportOnnx: ${path}: MultiheadAttention with addBiasKv or addZeroAttn is not supported`);
  const E = m.embedDim;
  const d = m.headDim;
  const [wq, wk, wv] = b.op("Split", [b.name(m.in_proj_weight, path)], { axis: attr.i(0) }, 3) as [string, string, string];
  const biases = m.in_proj_bias ? (b.op("Split", [b.name(m.in_proj_bias, path)], { axis: attr.i(0) }, 3) as [string, string, string]) : [null, null, null];
  // [len, N, E] → [N·H, len, d]
  const heads = (t: string) => b.op1("Transpose", [b.op1("Reshape", [t, b.int64s([0, -1, d])])], { perm: attr.ints([1, 0, 2]) });
  const q = heads(linearOn(b, names[0], wq, biases[0]));
  const k = heads(linearOn(b, names[1], wk, biases[1]));
  const v = heads(linearOn(b, names[2], wv, biases[2]));
  let scores = b.op1("MatMul", [b.op1("Div", [q, b.scalar(Math.sqrt(d), m.in_proj_weight.dtype)]), b.op1("Transpose", [k], { perm: attr.ints([0, 2, 1]) })]);
  if (attnMask !== null) {
    const mask = b.name(attnMask, path);
    const additive = attnMask.dtype === "bool" ? b.op1("Where", [mask, b.scalar(-Infinity, m.in_proj_weight.dtype), b.scalar(0, m.in_proj_weight.dtype)]) : mask;
    scores = b.op1("Add", [scores, additive]);
  }
  if (keyPaddingMask !== null) {
    // [N, S] → per head [N·H, 1, S]: Unsqueeze, Expand over the heads, Reshape (S copied)
    const kpm = b.name(keyPaddingMask, path);
    const additive = keyPaddingMask.dtype === "bool" ? b.op1("Where", [kpm, b.scalar(-Infinity, m.in_proj_weight.dtype), b.scalar(0, m.in_proj_weight.dtype)]) : kpm;
    const perHead = b.op1("Expand", [b.op1("Unsqueeze", [additive, b.int64s([1])]), b.int64s([1, m.numHeads, 1])]);
    scores = b.op1("Add", [scores, b.op1("Reshape", [perHead, b.int64s([-1, 1, 0])])]);
  }
  const probs = b.op1("Softmax", [scores], { axis: attr.i(-1) });
  // [N·H, L, d] → [L, N, E]
  const merged = b.op1("Reshape", [b.op1("Transpose", [b.op1("MatMul", [probs, v])], { perm: attr.ints([1, 0, 2]) }), b.int64s([0, -1, E])]);
  return { out: linearLayer(b, m.out_proj, merged, path), probs };
}

const toLNE = (b: OnnxBuilder, x: string, batchFirst: boolean) => (batchFirst ? b.op1("Transpose", [x], { perm: attr.ints([1, 0, 2]) }) : x);

export const multiheadAttention: LayerEmitter = (b, m: nn.MultiheadAttention, args, out, path) => {
  const call = attentionArgs(args);
  if (call.query.ndim !== 3) throw new OnnxExportError(`exportOnnx: ${path}: only batched (3-d) attention input is supported`);
  const names = [call.query, call.key, call.value].map((t) => toLNE(b, b.name(t, path), m.batchFirst)) as [string, string, string];
  const { out: y, probs } = attentionOn(b, m, names, call.attnMask, path, call.keyPaddingMask);
  const [output, weights] = out as [Tensor, Tensor | null];
  b.bind(output, m.batchFirst ? b.op1("Transpose", [y], { perm: attr.ints([1, 0, 2]) }) : y);
  if (weights instanceof Tensor) {
    // [N·H, L, S] → [N, H, L, S], averaged over heads unless asked not to
    const perHead = b.op1("Reshape", [probs, b.int64s([-1, m.numHeads, ...weights.shape.slice(-2)])]);
    b.bind(weights, call.averageAttnWeights ? b.op1("ReduceMean", [perHead], { axes: attr.ints([1]), keepdims: attr.i(0) }) : perHead);
  }
};

/** Which activation a Transformer layer uses: relu by identity, gelu (or relu) by its values on a probe. */
function activationOf(b: OnnxBuilder, fn: (x: Tensor) => Tensor, x: string, path: string): string {
  if (fn === relu) return b.op1("Relu", [x]);
  const probe = tensor([-2, -0.5, 0, 0.5, 2]);
  const same = (a: Tensor, c: Tensor) => Array.from(a.toTypedArray()).every((v, i) => v === c.toTypedArray()[i]);
  const got = fn(probe);
  if (same(got, relu(probe))) return b.op1("Relu", [x]);
  if (same(got, gelu(probe))) {
    const c = (v: number) => b.scalar(v, "float32");
    return b.op1("Mul", [b.op1("Mul", [x, b.op1("Add", [b.op1("Erf", [b.op1("Div", [x, c(Math.SQRT2)])]), c(1)])]), c(0.5)]);
  }
  throw new OnnxExportError(`exportOnnx: ${path}: a custom feed-forward activation function cannot be exported (use "relu" or "gelu")`);
}

function encoderLayerOn(b: OnnxBuilder, m: nn.TransformerEncoderLayer, x: string, [mask, padding]: [Tensor | null, Tensor | null], path: string): string {
  const sa = (h: string) => attentionOn(b, m.self_attn, [h, h, h], mask, `${path}.self_attn`, padding).out;
  const ff = (h: string) => linearLayer(b, m.linear2, activationOf(b, m.activation, linearLayer(b, m.linear1, h, path), path), path);
  const norm1 = (h: string) => layerNormOn(b, m.norm1, h, path);
  const norm2 = (h: string) => layerNormOn(b, m.norm2, h, path);
  if (m.normFirst) {
    const h = b.op1("Add", [x, sa(norm1(x))]);
    return b.op1("Add", [h, ff(norm2(h))]);
  }
  const h = norm1(b.op1("Add", [x, sa(x)]));
  return norm2(b.op1("Add", [h, ff(h)]));
}

function encoderMasks(args: unknown[], names: [string, string]): [Tensor | null, Tensor | null] {
  const rest = args.slice(1);
  let mask: Tensor | null = null;
  let padding: Tensor | null = null;
  if (rest.length === 1 && typeof rest[0] === "object" && rest[0] !== null && !(rest[0] instanceof Tensor)) {
    const o = rest[0] as Record<string, Tensor | null | undefined>;
    mask = o[names[0]] ?? o.srcMask ?? null;
    padding = o[names[1]] ?? null;
  } else [mask = null, padding = null] = rest as [Tensor | null | undefined, Tensor | null | undefined] as [Tensor | null, Tensor | null];
  return [mask, padding];
}

export const transformerEncoderLayer: LayerEmitter = (b, m: nn.TransformerEncoderLayer, args, out, path) => {
  const src = args[0] as Tensor;
  if (src.ndim !== 3) throw new OnnxExportError(`exportOnnx: ${path}: only batched (3-d) input is supported`);
  const batchFirst = m.self_attn.batchFirst;
  const y = encoderLayerOn(b, m, toLNE(b, b.name(src, path), batchFirst), encoderMasks(args, ["srcMask", "srcKeyPaddingMask"]), path);
  b.bind(out as Tensor, batchFirst ? b.op1("Transpose", [y], { perm: attr.ints([1, 0, 2]) }) : y);
};

export const transformerEncoder: LayerEmitter = (b, m: nn.TransformerEncoder, args, out, path) => {
  const src = args[0] as Tensor;
  const layers = Array.from(m.layers.children()) as nn.TransformerEncoderLayer[];
  if (src.ndim !== 3) throw new OnnxExportError(`exportOnnx: ${path}: only batched (3-d) input is supported`);
  const batchFirst = layers[0]?.self_attn.batchFirst ?? false;
  const mask = encoderMasks(args, ["mask", "srcKeyPaddingMask"]);
  let y = toLNE(b, b.name(src, path), batchFirst);
  layers.forEach((layer, i) => {
    y = encoderLayerOn(b, layer, y, mask, `${path}.layers.${i}`);
  });
  if (m.norm) y = layerNormOn(b, m.norm, y, path);
  b.bind(out as Tensor, batchFirst ? b.op1("Transpose", [y], { perm: attr.ints([1, 0, 2]) }) : y);
};

/** Masks of a call: an options object at `start`, or tensors (or null) in `names`' order from there. */
function masksAt(args: unknown[], start: number, names: readonly string[]): Record<string, Tensor | null> {
  const rest = args.slice(start);
  const out: Record<string, Tensor | null> = {};
  if (rest.length === 1 && typeof rest[0] === "object" && rest[0] !== null && !(rest[0] instanceof Tensor)) {
    const o = rest[0] as Record<string, Tensor | null | undefined>;
    for (const n of names) out[n] = o[n] ?? null;
  } else names.forEach((n, i) => (out[n] = (rest[i] as Tensor | null | undefined) ?? null));
  return out;
}

const DECODER_MASKS = ["tgtMask", "memoryMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask"] as const;

function decoderLayerOn(b: OnnxBuilder, m: nn.TransformerDecoderLayer, x: string, memory: string, masks: Record<string, Tensor | null>, path: string): string {
  const sa = (h: string) => attentionOn(b, m.self_attn, [h, h, h], masks.tgtMask!, `${path}.self_attn`, masks.tgtKeyPaddingMask!).out;
  const mha = (h: string) => attentionOn(b, m.multihead_attn, [h, memory, memory], masks.memoryMask!, `${path}.multihead_attn`, masks.memoryKeyPaddingMask!).out;
  const ff = (h: string) => linearLayer(b, m.linear2, activationOf(b, m.activation, linearLayer(b, m.linear1, h, path), path), path);
  const [n1, n2, n3] = [m.norm1, m.norm2, m.norm3].map((norm) => (h: string) => layerNormOn(b, norm, h, path)) as [(h: string) => string, (h: string) => string, (h: string) => string];
  if (m.normFirst) {
    let h = b.op1("Add", [x, sa(n1(x))]);
    h = b.op1("Add", [h, mha(n2(h))]);
    return b.op1("Add", [h, ff(n3(h))]);
  }
  let h = n1(b.op1("Add", [x, sa(x)]));
  h = n2(b.op1("Add", [h, mha(h)]));
  return n3(b.op1("Add", [h, ff(h)]));
}

function decoderOn(b: OnnxBuilder, m: nn.TransformerDecoder, x: string, memory: string, masks: Record<string, Tensor | null>, path: string): string {
  let y = x;
  Array.from(m.layers.children()).forEach((layer, i) => {
    y = decoderLayerOn(b, layer as nn.TransformerDecoderLayer, y, memory, masks, `${path}.layers.${i}`);
  });
  return m.norm ? layerNormOn(b, m.norm, y, path) : y;
}

function encoderOn(b: OnnxBuilder, m: nn.TransformerEncoder, x: string, masks: [Tensor | null, Tensor | null], path: string): string {
  let y = x;
  Array.from(m.layers.children()).forEach((layer, i) => {
    y = encoderLayerOn(b, layer as nn.TransformerEncoderLayer, y, masks, `${path}.layers.${i}`);
  });
  return m.norm ? layerNormOn(b, m.norm, y, path) : y;
}

const batched = (t: Tensor, path: string) => {
  if (t.ndim !== 3) throw new OnnxExportError(`exportOnnx: ${path}: only batched (3-d) input is supported`);
};

export const transformerDecoderLayer: LayerEmitter = (b, m: nn.TransformerDecoderLayer, args, out, path) => {
  const [tgt, memory] = args as [Tensor, Tensor];
  batched(tgt, path);
  const bf = m.self_attn.batchFirst;
  const y = decoderLayerOn(b, m, toLNE(b, b.name(tgt, path), bf), toLNE(b, b.name(memory, path), bf), masksAt(args, 2, DECODER_MASKS), path);
  b.bind(out as Tensor, bf ? b.op1("Transpose", [y], { perm: attr.ints([1, 0, 2]) }) : y);
};

export const transformerDecoder: LayerEmitter = (b, m: nn.TransformerDecoder, args, out, path) => {
  const [tgt, memory] = args as [Tensor, Tensor];
  batched(tgt, path);
  const bf = (m.layers.children().next().value as nn.TransformerDecoderLayer | undefined)?.self_attn.batchFirst ?? false;
  const y = decoderOn(b, m, toLNE(b, b.name(tgt, path), bf), toLNE(b, b.name(memory, path), bf), masksAt(args, 2, DECODER_MASKS), path);
  b.bind(out as Tensor, bf ? b.op1("Transpose", [y], { perm: attr.ints([1, 0, 2]) }) : y);
};

export const transformer: LayerEmitter = (b, m: nn.Transformer, args, out, path) => {
  const [src, tgt] = args as [Tensor, Tensor];
  batched(src, path);
  if (!(m.encoder instanceof nn.TransformerEncoder) || !(m.decoder instanceof nn.TransformerDecoder)) {
    throw new OnnxExportError(`exportOnnx: ${path}: a Transformer with a custom encoder or decoder is not supported`);
  }
  const masks = masksAt(args, 2, ["srcMask", "tgtMask", "memoryMask", "srcKeyPaddingMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask"]);
  const bf = m.batchFirst;
  const memory = encoderOn(b, m.encoder, toLNE(b, b.name(src, path), bf), [masks.srcMask!, masks.srcKeyPaddingMask!], `${path}.encoder`);
  const y = decoderOn(b, m.decoder, toLNE(b, b.name(tgt, path), bf), memory, masks, `${path}.decoder`);
  b.bind(out as Tensor, bf ? b.op1("Transpose", [y], { perm: attr.ints([1, 0, 2]) }) : y);
};
