/**
 * Multi-head attention (PyTorch's nn.MultiheadAttention):
 *
 *   q, k, v = x_q·W_qᵀ + b_q, x_k·W_kᵀ + b_k, x_v·W_vᵀ + b_v
 *   per head h:  A_h = softmax(q_h·k_hᵀ / √d + mask) ,  o_h = A_h·v_h     (d = embedDim / numHeads)
 *   out = concat_h(o_h)·W_oᵀ + b_o                                        (out_proj)
 *
 * W_q, W_k, W_v are stacked in in_proj_weight [3E, E] when keys and values have the query's
 * width; with kdim or vdim they are separate (q_proj_weight [E, E], k_proj_weight [E, kdim],
 * v_proj_weight [E, vdim]), PyTorch's names either way. addBiasKv appends a learned key and value
 * (bias_k, bias_v [1, 1, E]) to every sequence; addZeroAttn appends a zero key and value per head.
 *
 * Masks: attnMask [L, S] or [N·heads, L, S], bool (true = may not attend) or float (added);
 * keyPaddingMask [N, S], bool (true = padding) or float (added); both are widened with
 * "may attend" columns for the appended keys. Returns the output and the attention weights
 * (averaged over heads unless averageAttnWeights is false), or null weights when needWeights is
 * false. Initialisation: xavier_uniform for the projection weights, zero biases, xavier_normal
 * for bias_k and bias_v.
 */
import { DTypeError, formatShape, OptionError, ShapeError } from "../../errors.js";
import { zeros } from "../../ops/creation.js";
import { scalarTensor } from "../../ops/helpers.js";
import { add, div, where } from "../../ops/elementwise.js";
import { cat } from "../../ops/join.js";
import { matmul } from "../../ops/matmul.js";
import { sum } from "../../ops/reduce.js";
import { softmax } from "../../ops/softmax.js";
import { expand, narrow, reshape, squeeze, transpose, unsqueeze } from "../../ops/shape.js";
import type { DType } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../functional/dropout.js";
import { linear } from "../functional/layers.js";
import { describeArg } from "../functional/options.js";
import { BOOLEAN, NUMBER, type WithOptions } from "../../ops/arguments.js";
import { DTYPE_OPTION, readLayerArgs } from "../constructor-args.js";
import { pad } from "../functional/padding.js";
import { constant_, xavierNormal_, xavierUniform_ } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { Linear } from "./linear.js";

export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights, in training. */
  dropout?: number;
  bias?: boolean;
  /** Append a learned key and value (bias_k, bias_v) to every sequence. */
  addBiasKv?: boolean;
  /** Append a zero key and value to every sequence, per head. */
  addZeroAttn?: boolean;
  /** The width of the keys (default embedDim). */
  kdim?: number;
  /** The width of the values (default embedDim). */
  vdim?: number;
  /** Inputs and output are [N, L, E] instead of [L, N, E]. */
  batchFirst?: boolean;
  dtype?: DType;
}

export interface AttentionCallOptions {
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  attnMask?: Tensor | null;
  averageAttnWeights?: boolean;
}

/** A bool mask as an additive one: −∞ where true, 0 where false; a float mask as is. */
function additive(mask: Tensor, dtype: DType, what: string): Tensor {
  if (mask.dtype === "bool") return where(mask, scalarTensor(-Infinity, dtype), 0);
  if (mask.dtype !== dtype) throw new DTypeError(`MultiheadAttention: ${what} must be bool or ${dtype}, got ${mask.dtype}`);
  return mask;
}

/** One "may attend" column on the right of a mask, for an appended key. */
const widen = (mask: Tensor | null) => (mask === null ? null : pad(mask, [0, 1]));

/** What MultiheadAttention.forward takes: query, key, value, then options or PyTorch's positional arguments. */
export type MultiheadAttentionInputs =
  | [query: Tensor, key: Tensor, value: Tensor, options?: AttentionCallOptions]
  | [query: Tensor, key: Tensor, value: Tensor, keyPaddingMask?: Tensor | null, needWeights?: boolean, attnMask?: Tensor | null, averageAttnWeights?: boolean];

export class MultiheadAttention extends Module<MultiheadAttentionInputs, [Tensor, Tensor | null]> {
  in_proj_weight: Parameter | null;
  q_proj_weight: Parameter | null;
  k_proj_weight: Parameter | null;
  v_proj_weight: Parameter | null;
  in_proj_bias: Parameter | null;
  bias_k: Parameter | null;
  bias_v: Parameter | null;
  out_proj: Linear;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly kdim: number;
  readonly vdim: number;
  readonly addZeroAttn: boolean;

  /** PyTorch's `(embedDim, numHeads, dropout, bias, addBiasKv, addZeroAttn, kdim, vdim, batchFirst)`, or options after the sizes. */
  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    ...args: WithOptions<[dropout: number, bias: boolean, addBiasKv: boolean, addZeroAttn: boolean, kdim: number | null, vdim: number | null, batchFirst: boolean], MultiheadAttentionOptions>
  ) {
    super();
    const o = readLayerArgs<MultiheadAttentionOptions>("MultiheadAttention", [embedDim, numHeads, ...args], {
      required: [["embedDim", NUMBER], ["numHeads", NUMBER]],
      positional: [["dropout", NUMBER], ["bias", BOOLEAN], ["addBiasKv", BOOLEAN], ["addZeroAttn", BOOLEAN], ["kdim", NUMBER], ["vdim", NUMBER], ["batchFirst", BOOLEAN]],
      keywordOnly: [DTYPE_OPTION],
    });
    const { dropout: p = 0, bias = true, addBiasKv = false, addZeroAttn = false, kdim = embedDim, vdim = embedDim, batchFirst = false, dtype = "float32" } = o;
    if (!Number.isInteger(embedDim) || embedDim <= 0 || !Number.isInteger(numHeads) || numHeads <= 0 || embedDim % numHeads !== 0) {
      throw new OptionError(`MultiheadAttention: embed_dim (${embedDim}) must be divisible by num_heads (${numHeads})`);
    }
    if (!(p >= 0 && p <= 1)) throw new OptionError(`MultiheadAttention: dropout must be in [0, 1], got ${p}`);
    for (const [what, v] of [["kdim", kdim], ["vdim", vdim]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new OptionError(`MultiheadAttention: ${what} must be a positive integer, got ${v}`);
    }
    // out_proj is made (and initialised) first, as in PyTorch; the fields' declaration order
    // puts it last in the state dict
    this.out_proj = new Linear(embedDim, embedDim, { bias, dtype });
    const packed = kdim === embedDim && vdim === embedDim;
    const weight = (cols: number, rows = embedDim) => new Parameter(zeros([rows, cols], { dtype }));
    this.in_proj_weight = packed ? weight(embedDim, 3 * embedDim) : null;
    this.q_proj_weight = packed ? null : weight(embedDim);
    this.k_proj_weight = packed ? null : weight(kdim);
    this.v_proj_weight = packed ? null : weight(vdim);
    this.in_proj_bias = bias ? new Parameter(zeros([3 * embedDim], { dtype })) : null;
    this.bias_k = addBiasKv ? new Parameter(zeros([1, 1, embedDim], { dtype })) : null;
    this.bias_v = addBiasKv ? new Parameter(zeros([1, 1, embedDim], { dtype })) : null;
    this.headDim = embedDim / numHeads;
    this.dropout = p;
    this.batchFirst = batchFirst;
    this.kdim = kdim;
    this.vdim = vdim;
    this.addZeroAttn = addZeroAttn;
    this.resetParameters();
  }

  /** PyTorch's _reset_parameters. */
  resetParameters(): void {
    for (const w of [this.in_proj_weight, this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) if (w) xavierUniform_(w);
    if (this.in_proj_bias) {
      constant_(this.in_proj_bias, 0);
      if (this.out_proj.bias) constant_(this.out_proj.bias, 0);
    }
    if (this.bias_k) xavierNormal_(this.bias_k);
    if (this.bias_v) xavierNormal_(this.bias_v);
  }

  /**
   * query [L, N, E], key [S, N, kdim] and value [S, N, vdim] (batchFirst: [N, L, E], …; unbatched:
   * [L, E], [S, kdim], [S, vdim]). Options as an object, or PyTorch's positional order
   * (keyPaddingMask, needWeights, attnMask, averageAttnWeights).
   * Returns [output like query, weights [N, L, S] (or [N, heads, L, S]) or null].
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options?: AttentionCallOptions): [Tensor, Tensor | null];
  forward(query: Tensor, key: Tensor, value: Tensor, keyPaddingMask?: Tensor | null, needWeights?: boolean, attnMask?: Tensor | null, averageAttnWeights?: boolean): [Tensor, Tensor | null];
  forward(query: Tensor, key: Tensor, value: Tensor, ...args: unknown[]): [Tensor, Tensor | null] {
    const options = callOptions(args);
    const { keyPaddingMask = null, needWeights = true, attnMask = null, averageAttnWeights = true } = options;
    const E = this.embedDim;
    const unbatched = query.ndim === 2;
    const rank = unbatched ? 2 : 3;
    const layout = unbatched ? "[L, %]" : this.batchFirst ? "[N, L, %]" : "[L, N, %]";
    for (const [what, t, width] of [["query", query, E], ["key", key, this.kdim], ["value", value, this.vdim]] as const) {
      if (t.ndim !== rank || t.shape[rank - 1] !== width) {
        const name = what === "query" ? "E" : what === "key" ? "kdim" : "vdim";
        throw new ShapeError(`MultiheadAttention: expected ${what} of shape ${layout.replace("%", name)} with ${name} = ${width}, got ${formatShape(t.shape)} (query ${formatShape(query.shape)})`);
      }
    }
    if (key.shape.slice(0, -1).join() !== value.shape.slice(0, -1).join()) {
      throw new ShapeError(`MultiheadAttention: key ${formatShape(key.shape)} and value ${formatShape(value.shape)} must agree in all but the last dim`);
    }
    // To [L, N, E].
    const toLNE = (t: Tensor) => (unbatched ? unsqueeze(t, 1) : this.batchFirst ? transpose(t, 0, 1) : t);
    const [q0, k0, v0] = [toLNE(query), toLNE(key), toLNE(value)];
    const [L, N] = [q0.shape[0]!, q0.shape[1]!];
    let S = k0.shape[0]!;
    if (k0.shape[1] !== N) throw new ShapeError(`MultiheadAttention: query ${formatShape(query.shape)} and key ${formatShape(key.shape)} must have the same batch size`);
    const H = this.numHeads;
    const d = this.headDim;
    if (attnMask !== null) {
      const ok2 = attnMask.ndim === 2 && attnMask.shape[0] === L && attnMask.shape[1] === S;
      const ok3 = attnMask.ndim === 3 && attnMask.shape.join() === [N * H, L, S].join();
      if (!ok2 && !ok3) throw new ShapeError(`MultiheadAttention: attn_mask should be of shape [${L}, ${S}] or [${N * H}, ${L}, ${S}], got ${formatShape(attnMask.shape)}`);
    }
    const expectedKpm = unbatched ? [S] : [N, S];
    if (keyPaddingMask !== null && keyPaddingMask.shape.join() !== expectedKpm.join()) {
      throw new ShapeError(`MultiheadAttention: expected key_padding_mask of shape ${formatShape(expectedKpm)}, got ${formatShape(keyPaddingMask.shape)} (key ${formatShape(key.shape)})`);
    }
    let mask = attnMask;
    let kpm = keyPaddingMask === null ? null : reshape(keyPaddingMask, [N, S]);
    const part = (t: Tensor | null, i: number) => (t === null ? null : narrow(t, 0, i * E, E));
    const weightOf = (i: number) => (this.in_proj_weight ? part(this.in_proj_weight, i)! : [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight][i]!);
    let q = linear(q0, weightOf(0), part(this.in_proj_bias, 0));
    let k = linear(k0, weightOf(1), part(this.in_proj_bias, 1));
    let v = linear(v0, weightOf(2), part(this.in_proj_bias, 2));
    if (this.bias_k && this.bias_v) {
      k = cat([k, expand(this.bias_k, [1, N, E])]);
      v = cat([v, expand(this.bias_v, [1, N, E])]);
      [mask, kpm, S] = [widen(mask), widen(kpm), S + 1];
    }
    // [len, N, E] → [N·H, len, d]
    const heads = (t: Tensor) => transpose(reshape(t, [t.shape[0]!, N * H, d]), 0, 1);
    [q, k, v] = [heads(q), heads(k), heads(v)];
    if (this.addZeroAttn) {
      k = cat([k, zeros([N * H, 1, d], { dtype: k.dtype })], 1);
      v = cat([v, zeros([N * H, 1, d], { dtype: v.dtype })], 1);
      [mask, kpm, S] = [widen(mask), widen(kpm), S + 1];
    }
    let scores = matmul(div(q, Math.sqrt(d)), transpose(k, 1, 2)); // [N·H, L, S]
    if (mask !== null) scores = add(scores, additive(mask, scores.dtype, "attn_mask"));
    if (kpm !== null) {
      const m = reshape(additive(kpm, scores.dtype, "key_padding_mask"), [N, 1, 1, S]);
      scores = reshape(add(reshape(scores, [N, H, L, S]), m), [N * H, L, S]);
    }
    let weights = softmax(scores, -1);
    if (this.dropout > 0 && this.training) weights = dropout(weights, { p: this.dropout });
    const o = reshape(transpose(matmul(weights, v), 0, 1), [L, N, E]); // [L, N·H, d] → [L, N, E]
    let out = this.out_proj.forward(o);
    out = unbatched ? squeeze(out, 1) : this.batchFirst ? transpose(out, 0, 1) : out;
    if (!needWeights) return [out, null];
    let w = reshape(weights, [N, H, L, S]);
    if (averageAttnWeights) w = div(sum(w, 1), H);
    return [out, unbatched ? squeeze(w, 0) : w];
  }
}

/** The call's options: one object, or PyTorch's positional (keyPaddingMask, needWeights, attnMask, averageAttnWeights). */
function callOptions(args: readonly unknown[]): AttentionCallOptions {
  const [first] = args;
  if (args.length <= 1 && (first === undefined || (typeof first === "object" && first !== null && !(first instanceof Tensor) && !Array.isArray(first)))) {
    return (first ?? {}) as AttentionCallOptions;
  }
  const [keyPaddingMask, needWeights, attnMask, averageAttnWeights] = args;
  const check = (v: unknown, what: string, ok: boolean) => {
    if (v !== undefined && !ok) throw new TypeError(`MultiheadAttention.forward: expected ${what}, got ${describeArg(v)}`);
  };
  check(keyPaddingMask, "keyPaddingMask (argument 4) to be a Tensor or null", keyPaddingMask === null || keyPaddingMask instanceof Tensor);
  check(needWeights, "needWeights (argument 5) to be a boolean", typeof needWeights === "boolean");
  check(attnMask, "attnMask (argument 6) to be a Tensor or null", attnMask === null || attnMask instanceof Tensor);
  check(averageAttnWeights, "averageAttnWeights (argument 7) to be a boolean", typeof averageAttnWeights === "boolean");
  return { keyPaddingMask, needWeights, attnMask, averageAttnWeights } as AttentionCallOptions;
}
