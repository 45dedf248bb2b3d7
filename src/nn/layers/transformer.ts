/**
 * TransformerEncoderLayer (PyTorch's): self-attention and a feed-forward block, each with
 * dropout, a residual connection and layer norm — after the block (post-norm, the default) or
 * before it (normFirst):
 *
 *   post-norm: x = norm1(x + sa(x));  x = norm2(x + ff(x))
 *   pre-norm:  x = x + sa(norm1(x));  x = x + ff(norm2(x))
 *   ff(x) = linear2(dropout(activation(linear1(x))))
 *
 * TransformerEncoder stacks numLayers copies (layers.0, layers.1, … in the state dict).
 */
import { OptionError } from "../../errors.js";
import { add } from "../../ops/elementwise.js";
import type { DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { gelu, relu } from "../functional/activations.js";
import { ModuleList } from "../containers.js";
import { Module } from "../module.js";
import { MultiheadAttention } from "./attention.js";
import { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import { LayerNorm } from "./normalization.js";

export interface TransformerEncoderLayerOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: "relu" | "gelu" | ((x: Tensor) => Tensor);
  layerNormEps?: number;
  batchFirst?: boolean;
  normFirst?: boolean;
  dtype?: DType;
}

export interface EncoderCallOptions {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
}

export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly activation: (x: Tensor) => Tensor;

  constructor(readonly dModel: number, readonly nhead: number, options: TransformerEncoderLayerOptions = {}) {
    super();
    const { dimFeedforward = 2048, dropout: p = 0.1, activation = "relu", layerNormEps = 1e-5, batchFirst = false, normFirst = false, dtype = "float32" } = options;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst, dtype });
    this.linear1 = new Linear(dModel, dimFeedforward, { dtype });
    this.dropout = new Dropout({ p });
    this.linear2 = new Linear(dimFeedforward, dModel, { dtype });
    this.normFirst = normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.dropout1 = new Dropout({ p });
    this.dropout2 = new Dropout({ p });
    if (activation === "relu") this.activation = relu;
    else if (activation === "gelu") this.activation = (x) => gelu(x);
    else if (typeof activation === "function") this.activation = activation;
    else throw new OptionError(`TransformerEncoderLayer: activation should be relu/gelu, not ${String(activation)}`);
  }

  /** src [S, N, E] ([N, S, E] with batchFirst, or [S, E]); srcMask [S, S]; srcKeyPaddingMask [N, S]. */
  forward(src: Tensor, { srcMask = null, srcKeyPaddingMask = null }: EncoderCallOptions = {}): Tensor {
    const sa = (x: Tensor) => this.dropout1.forward(this.self_attn.forward(x, x, x, { attnMask: srcMask, keyPaddingMask: srcKeyPaddingMask, needWeights: false })[0]);
    const ff = (x: Tensor) => this.dropout2.forward(this.linear2.forward(this.dropout.forward(this.activation(this.linear1.forward(x)))));
    let x = src;
    if (this.normFirst) {
      x = add(x, sa(this.norm1.forward(x)));
      x = add(x, ff(this.norm2.forward(x)));
    } else {
      x = this.norm1.forward(add(x, sa(x)));
      x = this.norm2.forward(add(x, ff(x)));
    }
    return x;
  }
}

/** numLayers encoder layers built by `makeLayer` (PyTorch deep-copies one layer; pass a factory here). */
export class TransformerEncoder extends Module {
  layers: ModuleList;
  // A plain field (not a constructor parameter property) so that it comes after `layers` in the state dict.
  norm: LayerNorm | null;
  constructor(makeLayer: () => TransformerEncoderLayer, readonly numLayers: number, norm: LayerNorm | null = null) {
    super();
    this.layers = new ModuleList(Array.from({ length: numLayers }, makeLayer));
    this.norm = norm;
  }
  forward(src: Tensor, options: EncoderCallOptions = {}): Tensor {
    let x = src;
    for (const layer of this.layers) x = (layer as TransformerEncoderLayer).forward(x, options);
    return this.norm ? this.norm.forward(x) : x;
  }
}
