/**
 * TransformerDecoderLayer (PyTorch's): self-attention over the target, attention over the
 * encoder's output (memory), and a feed-forward block, each with dropout, a residual connection
 * and layer norm, after the block (post-norm, the default) or before it (normFirst):
 *
 *   post-norm: x = norm1(x + sa(x));  x = norm2(x + mha(x, mem));  x = norm3(x + ff(x))
 *   pre-norm:  x = x + sa(norm1(x));  x = x + mha(norm2(x), mem);  x = x + ff(norm3(x))
 *
 * TransformerDecoder stacks numLayers copies (layers.0, …) and an optional final norm.
 */
import { add } from "../../ops/elementwise.js";
import type { Tensor } from "../../tensor/tensor.js";
import { ModuleList } from "../containers.js";
import { Module } from "../module.js";
import { MultiheadAttention } from "./attention.js";
import { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import { LayerNorm } from "./normalization.js";
import { activationOf, dtypeOf, layerCopies, layerOptions, maskArgs, stackArgs, type LayerArgs, type TransformerEncoderLayerOptions } from "./transformer.js";

export type TransformerDecoderLayerOptions = TransformerEncoderLayerOptions;

export interface DecoderCallOptions {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
}

/** The decoder's masks in PyTorch's positional order. */
export const DECODER_MASKS = ["tgtMask", "memoryMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask"] as const;

/** What TransformerDecoderLayer.forward and TransformerDecoder.forward take: tgt, memory, then options or PyTorch's positional masks. */
export type DecoderInputs =
  | [tgt: Tensor, memory: Tensor, options?: DecoderCallOptions]
  | [tgt: Tensor, memory: Tensor, tgtMask?: Tensor | null, memoryMask?: Tensor | null, tgtKeyPaddingMask?: Tensor | null, memoryKeyPaddingMask?: Tensor | null];

export class TransformerDecoderLayer extends Module<DecoderInputs, Tensor> {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  readonly activation: (x: Tensor) => Tensor;
  /** The options it was made with (to make copies of it). */
  readonly options: TransformerDecoderLayerOptions;

  /** PyTorch's `(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst)`, or options after the sizes. */
  constructor(readonly dModel: number, readonly nhead: number, ...args: LayerArgs) {
    super();
    const options = layerOptions("TransformerDecoderLayer", dModel, nhead, args);
    const { dimFeedforward = 2048, dropout: p = 0.1, activation = "relu", layerNormEps = 1e-5, batchFirst = false, normFirst = false, dtype = "float32" } = options;
    this.options = options;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst, dtype });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst, dtype });
    this.linear1 = new Linear(dModel, dimFeedforward, { dtype });
    this.dropout = new Dropout({ p });
    this.linear2 = new Linear(dimFeedforward, dModel, { dtype });
    this.normFirst = normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.norm3 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.dropout1 = new Dropout({ p });
    this.dropout2 = new Dropout({ p });
    this.dropout3 = new Dropout({ p });
    this.activation = activationOf("TransformerDecoderLayer", activation);
  }

  /**
   * tgt [T, N, E] and memory [S, N, E] ([N, T, E], [N, S, E] with batchFirst; or unbatched);
   * tgtMask [T, T], memoryMask [T, S], tgtKeyPaddingMask [N, T], memoryKeyPaddingMask [N, S].
   * Also `forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask)`.
   */
  forward(tgt: Tensor, memory: Tensor, options?: DecoderCallOptions): Tensor;
  forward(tgt: Tensor, memory: Tensor, tgtMask?: Tensor | null, memoryMask?: Tensor | null, tgtKeyPaddingMask?: Tensor | null, memoryKeyPaddingMask?: Tensor | null): Tensor;
  forward(tgt: Tensor, memory: Tensor, ...args: unknown[]): Tensor {
    const o = maskArgs<DecoderCallOptions>("TransformerDecoderLayer.forward", args, DECODER_MASKS, 3);
    const sa = (x: Tensor) =>
      this.dropout1.forward(this.self_attn.forward(x, x, x, { attnMask: o.tgtMask ?? null, keyPaddingMask: o.tgtKeyPaddingMask ?? null, needWeights: false })[0]);
    const mha = (x: Tensor) =>
      this.dropout2.forward(this.multihead_attn.forward(x, memory, memory, { attnMask: o.memoryMask ?? null, keyPaddingMask: o.memoryKeyPaddingMask ?? null, needWeights: false })[0]);
    const ff = (x: Tensor) => this.dropout3.forward(this.linear2.forward(this.dropout.forward(this.activation(this.linear1.forward(x)))));
    let x = tgt;
    if (this.normFirst) {
      x = add(x, sa(this.norm1.forward(x)));
      x = add(x, mha(this.norm2.forward(x)));
      x = add(x, ff(this.norm3.forward(x)));
    } else {
      x = this.norm1.forward(add(x, sa(x)));
      x = this.norm2.forward(add(x, mha(x)));
      x = this.norm3.forward(add(x, ff(x)));
    }
    return x;
  }
}

/** numLayers decoder layers: copies of `layer` (PyTorch's call) or made by a factory; then an optional norm. */
export class TransformerDecoder extends Module<DecoderInputs, Tensor> {
  layers: ModuleList;
  // A plain field (not a constructor parameter property) so that it comes after `layers` in the state dict.
  norm: LayerNorm | null;
  constructor(layer: TransformerDecoderLayer | (() => TransformerDecoderLayer), readonly numLayers: number, norm: LayerNorm | null = null, ...rest: []) {
    super();
    stackArgs("TransformerDecoder", "decoderLayer", [layer, numLayers, norm, ...rest]);
    const copy = (l: TransformerDecoderLayer) => new TransformerDecoderLayer(l.dModel, l.nhead, { ...l.options, dtype: dtypeOf(l) });
    this.layers = new ModuleList(layerCopies(layer, numLayers, copy));
    this.norm = norm;
  }

  /** Runs the layers in turn over the same memory. Also `forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask)`. */
  forward(tgt: Tensor, memory: Tensor, options?: DecoderCallOptions): Tensor;
  forward(tgt: Tensor, memory: Tensor, tgtMask?: Tensor | null, memoryMask?: Tensor | null, tgtKeyPaddingMask?: Tensor | null, memoryKeyPaddingMask?: Tensor | null): Tensor;
  forward(tgt: Tensor, memory: Tensor, ...args: unknown[]): Tensor {
    const o = maskArgs<DecoderCallOptions>("TransformerDecoder.forward", args, DECODER_MASKS, 3);
    let x = tgt;
    for (const layer of this.layers) x = (layer as TransformerDecoderLayer).forward(x, memory, o);
    return this.norm ? this.norm.forward(x) : x;
  }
}
