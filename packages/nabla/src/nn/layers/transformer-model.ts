/**
 * Transformer (Vaswani et al. 2017, PyTorch's nn.Transformer): an encoder of numEncoderLayers
 * layers with a final LayerNorm, and a decoder of numDecoderLayers layers with a final LayerNorm;
 *
 *   memory = encoder(src, srcMask, srcKeyPaddingMask)
 *   out    = decoder(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask)
 *
 * PyTorch's defaults (dModel 512, 8 heads, 6 + 6 layers, feed-forward 2048, dropout 0.1, relu,
 * post-norm) and initialisation (xavier_uniform for every parameter of 2 or more dims).
 * `Transformer.generateSquareSubsequentMask(n)` is the causal mask: −∞ above the diagonal, 0 elsewhere.
 */
import { formatShape, OptionError, ShapeError } from "../../errors.js";
import type { Device } from "../../backend/device.js";
import { tensor } from "../../ops/creation.js";
import { reshape } from "../../ops/shape.js";
import type { DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { BOOLEAN, FUNCTION, NUMBER, oneOf, STRING, type Slot, type WithOptions } from "../../ops/arguments.js";
import { DTYPE_OPTION, MODULE, readLayerArgs } from "../constructor-args.js";
import { xavierUniform_ } from "../init.js";
import { Module } from "../module.js";
import { LayerNorm } from "./normalization.js";
import { DECODER_MASKS, TransformerDecoder, TransformerDecoderLayer, type DecoderCallOptions } from "./transformer-decoder.js";
import { maskArgs, TransformerEncoder, TransformerEncoderLayer, type TransformerActivation } from "./transformer.js";

export interface TransformerOptions {
  dModel?: number;
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
  dimFeedforward?: number;
  dropout?: number;
  activation?: TransformerActivation;
  /** Used instead of the encoder the options describe. */
  customEncoder?: Module<[src: Tensor, options: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null }], Tensor>;
  /** Used instead of the decoder the options describe. */
  customDecoder?: Module<[tgt: Tensor, memory: Tensor, options: DecoderCallOptions], Tensor>;
  layerNormEps?: number;
  batchFirst?: boolean;
  normFirst?: boolean;
  dtype?: DType;
}

export interface TransformerCallOptions extends DecoderCallOptions {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
}

// PyTorch's positional order
const SLOTS: readonly Slot[] = [
  ["dModel", NUMBER],
  ["nhead", NUMBER],
  ["numEncoderLayers", NUMBER],
  ["numDecoderLayers", NUMBER],
  ["dimFeedforward", NUMBER],
  ["dropout", NUMBER],
  ["activation", oneOf(STRING, FUNCTION)],
  ["customEncoder", MODULE],
  ["customDecoder", MODULE],
  ["layerNormEps", NUMBER],
  ["batchFirst", BOOLEAN],
  ["normFirst", BOOLEAN],
];
const CALL_MASKS = ["srcMask", "tgtMask", "memoryMask", "srcKeyPaddingMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask"] as const;

/** What Transformer.forward takes: src, tgt, then options or PyTorch's positional masks. */
export type TransformerInputs =
  | [src: Tensor, tgt: Tensor, options?: TransformerCallOptions]
  | [src: Tensor, tgt: Tensor, srcMask?: Tensor | null, tgtMask?: Tensor | null, memoryMask?: Tensor | null, srcKeyPaddingMask?: Tensor | null, tgtKeyPaddingMask?: Tensor | null, memoryKeyPaddingMask?: Tensor | null];

export class Transformer extends Module<TransformerInputs, Tensor> {
  encoder: Module<[src: Tensor, options: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null }], Tensor>;
  decoder: Module<[tgt: Tensor, memory: Tensor, options: DecoderCallOptions], Tensor>;
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  /** PyTorch's positional order (dModel, nhead, numEncoderLayers, numDecoderLayers, dimFeedforward, dropout, activation, customEncoder, customDecoder, layerNormEps, batchFirst, normFirst), or options. */
  constructor(
    ...args: WithOptions<
      [
        dModel: number,
        nhead: number,
        numEncoderLayers: number,
        numDecoderLayers: number,
        dimFeedforward: number,
        dropout: number,
        activation: TransformerActivation,
        customEncoder: TransformerOptions["customEncoder"] | null,
        customDecoder: TransformerOptions["customDecoder"] | null,
        layerNormEps: number,
        batchFirst: boolean,
        normFirst: boolean,
      ],
      TransformerOptions
    >
  ) {
    super();
    const o = readLayerArgs<TransformerOptions>("Transformer", args, { positional: SLOTS, keywordOnly: [DTYPE_OPTION] });
    const { dModel = 512, nhead = 8, numEncoderLayers = 6, numDecoderLayers = 6, dimFeedforward = 2048, dropout = 0.1, activation = "relu" } = o;
    const { layerNormEps = 1e-5, batchFirst = false, normFirst = false, dtype = "float32" } = o;
    for (const [what, v] of [["numEncoderLayers", numEncoderLayers], ["numDecoderLayers", numDecoderLayers]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new OptionError(`Transformer: ${what} must be a non-negative integer, got ${v}`);
    }
    const layer = { dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, dtype };
    // one layer made, then copied, as PyTorch does (the same draws from the generator)
    this.encoder =
      o.customEncoder ??
      new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, layer), numEncoderLayers, new LayerNorm(dModel, { eps: layerNormEps, dtype }));
    this.decoder =
      o.customDecoder ??
      new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, layer), numDecoderLayers, new LayerNorm(dModel, { eps: layerNormEps, dtype }));
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = batchFirst;
    this.resetParameters();
  }

  /** PyTorch's _reset_parameters: xavier_uniform for every parameter with 2 or more dims. */
  resetParameters(): void {
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p);
  }

  /**
   * src [S, N, E] and tgt [T, N, E] ([N, S, E], [N, T, E] with batchFirst; or unbatched) → [T, N, E].
   * Masks as an options object, or in PyTorch's positional order (srcMask, tgtMask, memoryMask,
   * srcKeyPaddingMask, tgtKeyPaddingMask, memoryKeyPaddingMask).
   */
  forward(src: Tensor, tgt: Tensor, options?: TransformerCallOptions): Tensor;
  forward(
    src: Tensor,
    tgt: Tensor,
    srcMask?: Tensor | null,
    tgtMask?: Tensor | null,
    memoryMask?: Tensor | null,
    srcKeyPaddingMask?: Tensor | null,
    tgtKeyPaddingMask?: Tensor | null,
    memoryKeyPaddingMask?: Tensor | null,
  ): Tensor;
  forward(src: Tensor, tgt: Tensor, ...args: unknown[]): Tensor {
    const o = maskArgs<TransformerCallOptions>("Transformer.forward", args, CALL_MASKS, 3);
    const batched = src.ndim === 3;
    const batchDim = this.batchFirst ? 0 : 1;
    if (batched && src.shape[batchDim] !== tgt.shape[batchDim]) {
      throw new ShapeError(`Transformer: the batch size of src ${formatShape(src.shape)} and tgt ${formatShape(tgt.shape)} must be equal (dim ${batchDim}${this.batchFirst ? ", batchFirst" : ""})`);
    }
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel) {
      throw new ShapeError(`Transformer: the feature size of src ${formatShape(src.shape)} and tgt ${formatShape(tgt.shape)} must equal dModel (${this.dModel})`);
    }
    const memory = this.encoder.forward(src, { mask: o.srcMask ?? null, srcKeyPaddingMask: o.srcKeyPaddingMask ?? null });
    const decoderMasks = Object.fromEntries(DECODER_MASKS.map((k) => [k, o[k] ?? null])) as DecoderCallOptions;
    return this.decoder.forward(tgt, memory, decoderMasks);
  }

  /** The causal mask [n, n]: −∞ above the diagonal (a position may not attend to later ones), 0 elsewhere. */
  static generateSquareSubsequentMask(n: number, { dtype = "float32", device }: { dtype?: DType; device?: Device } = {}): Tensor {
    if (!Number.isInteger(n) || n < 0) throw new OptionError(`Transformer.generateSquareSubsequentMask: size must be a non-negative integer, got ${n}`);
    const values = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) values[i * n + j] = -Infinity;
    // made as a creation function makes it: on `device`, else the default device (as PyTorch's
    // torch.full), so it meets the model's activations there
    return reshape(tensor(values, { dtype, device }), [n, n]);
  }
}
