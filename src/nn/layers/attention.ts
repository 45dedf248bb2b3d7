/**
 * Multi-head attention (PyTorch's nn.MultiheadAttention with kdim = vdim = embedDim):
 *
 *   q, k, v = x_q·W_qᵀ + b_q, x_k·W_kᵀ + b_k, x_v·W_vᵀ + b_v     (W_q,k,v stacked in in_proj_weight)
 *   per head h:  A_h = softmax(q_h·k_hᵀ / √d + mask) ,  o_h = A_h·v_h     (d = embedDim / numHeads)
 *   out = concat_h(o_h)·W_oᵀ + b_o                                        (out_proj)
 *
 * Masks: attnMask [L, S] or [N·heads, L, S], bool (true = may not attend) or float (added);
 * keyPaddingMask [N, S], bool (true = padding) or float (added). Returns the output and the
 * attention weights (averaged over heads unless averageAttnWeights is false), or null weights
 * when needWeights is false. Initialisation: xavier_uniform for in_proj_weight, zero biases.
 */
import { DTypeError, formatShape, OptionError, ShapeError } from "../../errors.js";
import { zeros } from "../../ops/creation.js";
import { scalarTensor } from "../../ops/helpers.js";
import { add, div, where } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { mean } from "../../ops/reduce.js";
import { softmax } from "../../ops/softmax.js";
import { narrow, reshape, squeeze, transpose, unsqueeze } from "../../ops/shape.js";
import type { DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout } from "../functional/dropout.js";
import { linear } from "../functional/layers.js";
import { constant_, xavierUniform_ } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { Linear } from "./linear.js";

export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights, in training. */
  dropout?: number;
  bias?: boolean;
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

export class MultiheadAttention extends Module {
  in_proj_weight: Parameter;
  in_proj_bias: Parameter | null;
  out_proj: Linear;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;

  constructor(readonly embedDim: number, readonly numHeads: number, { dropout: p = 0, bias = true, batchFirst = false, dtype = "float32" }: MultiheadAttentionOptions = {}) {
    super();
    if (!Number.isInteger(embedDim) || embedDim <= 0 || !Number.isInteger(numHeads) || numHeads <= 0 || embedDim % numHeads !== 0) {
      throw new OptionError(`MultiheadAttention: embed_dim (${embedDim}) must be divisible by num_heads (${numHeads})`);
    }
    if (!(p >= 0 && p <= 1)) throw new OptionError(`MultiheadAttention: dropout must be in [0, 1], got ${p}`);
    this.in_proj_weight = new Parameter(zeros([3 * embedDim, embedDim], { dtype }));
    this.in_proj_bias = bias ? new Parameter(zeros([3 * embedDim], { dtype })) : null;
    this.out_proj = new Linear(embedDim, embedDim, { bias, dtype });
    this.headDim = embedDim / numHeads;
    this.dropout = p;
    this.batchFirst = batchFirst;
    xavierUniform_(this.in_proj_weight);
    if (this.out_proj.bias) constant_(this.out_proj.bias, 0);
  }

  /**
   * query [L, N, E], key and value [S, N, E] (batchFirst: [N, L, E], [N, S, E]; unbatched: [L, E], [S, E]).
   * Returns [output like query, weights [N, L, S] (or [N, heads, L, S]) or null].
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: AttentionCallOptions = {}): [Tensor, Tensor | null] {
    const { keyPaddingMask = null, needWeights = true, attnMask = null, averageAttnWeights = true } = options;
    const E = this.embedDim;
    const unbatched = query.ndim === 2;
    const rank = unbatched ? 2 : 3;
    for (const [what, t] of [["query", query], ["key", key], ["value", value]] as const) {
      if (t.ndim !== rank || t.shape[rank - 1] !== E) {
        throw new ShapeError(`MultiheadAttention: expected ${what} of shape ${unbatched ? "[L, E]" : this.batchFirst ? "[N, L, E]" : "[L, N, E]"} with E = ${E}, got ${formatShape(t.shape)} (query ${formatShape(query.shape)})`);
      }
    }
    if (key.shape.join() !== value.shape.join()) throw new ShapeError(`MultiheadAttention: key ${formatShape(key.shape)} and value ${formatShape(value.shape)} must have the same shape`);
    // To [L, N, E].
    const toLNE = (t: Tensor) => (unbatched ? unsqueeze(t, 1) : this.batchFirst ? transpose(t, 0, 1) : t);
    const [q0, k0, v0] = [toLNE(query), toLNE(key), toLNE(value)];
    const [L, N] = [q0.shape[0]!, q0.shape[1]!];
    const S = k0.shape[0]!;
    if (k0.shape[1] !== N) throw new ShapeError(`MultiheadAttention: query ${formatShape(query.shape)} and key ${formatShape(key.shape)} must have the same batch size`);
    const H = this.numHeads;
    const d = this.headDim;
    const part = (t: Tensor | null, i: number) => (t === null ? null : narrow(t, 0, i * E, E));
    // [L, N, E] → [N·H, L, d]
    const heads = (t: Tensor, len: number) => transpose(reshape(t, [len, N * H, d]), 0, 1);
    const q = heads(linear(q0, part(this.in_proj_weight, 0)!, part(this.in_proj_bias, 0)), L);
    const k = heads(linear(k0, part(this.in_proj_weight, 1)!, part(this.in_proj_bias, 1)), S);
    const v = heads(linear(v0, part(this.in_proj_weight, 2)!, part(this.in_proj_bias, 2)), S);
    let scores = matmul(div(q, Math.sqrt(d)), transpose(k, 1, 2)); // [N·H, L, S]
    if (attnMask !== null) {
      const ok2 = attnMask.ndim === 2 && attnMask.shape[0] === L && attnMask.shape[1] === S;
      const ok3 = attnMask.ndim === 3 && attnMask.shape.join() === [N * H, L, S].join();
      if (!ok2 && !ok3) {
        throw new ShapeError(`MultiheadAttention: attn_mask should be of shape [${L}, ${S}] or [${N * H}, ${L}, ${S}], got ${formatShape(attnMask.shape)}`);
      }
      scores = add(scores, additive(attnMask, scores.dtype, "attn_mask"));
    }
    if (keyPaddingMask !== null) {
      const expected = unbatched ? [S] : [N, S];
      if (keyPaddingMask.shape.join() !== expected.join()) {
        throw new ShapeError(`MultiheadAttention: expected key_padding_mask of shape ${formatShape(expected)}, got ${formatShape(keyPaddingMask.shape)} (key ${formatShape(key.shape)})`);
      }
      const m = reshape(additive(keyPaddingMask, scores.dtype, "key_padding_mask"), [N, 1, 1, S]);
      scores = reshape(add(reshape(scores, [N, H, L, S]), m), [N * H, L, S]);
    }
    let weights = softmax(scores, -1);
    if (this.dropout > 0 && this.training) weights = dropout(weights, { p: this.dropout });
    const o = reshape(transpose(matmul(weights, v), 0, 1), [L, N, E]); // [L, N·H, d] → [L, N, E]
    let out = this.out_proj.forward(o);
    out = unbatched ? squeeze(out, 1) : this.batchFirst ? transpose(out, 0, 1) : out;
    if (!needWeights) return [out, null];
    let w = reshape(weights, [N, H, L, S]);
    if (averageAttnWeights) w = mean(w, 1);
    return [out, unbatched ? squeeze(w, 0) : w];
  }
}
