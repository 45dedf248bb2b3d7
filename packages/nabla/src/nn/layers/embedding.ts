/**
 * Embedding tables: Embedding (a row per index; PyTorch's default init N(0, 1), the padding row
 * zero and never updated) and EmbeddingBag (sum, mean or max of each bag of rows).
 */
import { noGrad } from "../../autograd/grad-mode.js";
import { formatShape, OptionError, ShapeError } from "../../errors.js";
import { zeros } from "../../ops/creation.js";
import { BOOLEAN, NUMBER, STRING, TENSOR, type Slot, type WithOptions } from "../../ops/arguments.js";
import { DTYPE_OPTION, readLayerArgs } from "../constructor-args.js";
import type { DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { embeddingBagImpl, embeddingImpl, normalizePaddingIdx, type BagMode } from "../functional/embedding.js";
import { normal_ } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";

export interface EmbeddingOptions {
  /** This row is zero at initialisation and gets no gradient (PyTorch's padding_idx). */
  paddingIdx?: number | null;
  dtype?: DType;
  /** A weight to start from (PyTorch's _weight / Embedding.from_pretrained). */
  weight?: Tensor;
}

const SIZES: readonly Slot[] = [["numEmbeddings", NUMBER], ["embeddingDim", NUMBER]];
const TABLE_OPTIONS: readonly Slot[] = [["weight", TENSOR], DTYPE_OPTION];

function checkSizes(layer: string, n: number, d: number): void {
  for (const [what, v] of [["num_embeddings", n], ["embedding_dim", d]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new OptionError(`${layer}: ${what} must be a positive integer, got ${v}`);
  }
}

function initTable(n: number, d: number, pad: number | null, options: EmbeddingOptions): Parameter {
  if (options.weight && (options.weight.ndim !== 2 || options.weight.shape[0] !== n || options.weight.shape[1] !== d)) {
    throw new ShapeError(`Embedding: weight ${formatShape(options.weight.shape)} does not match [num_embeddings, embedding_dim] = [${n}, ${d}]`);
  }
  const weight = new Parameter(options.weight ? options.weight.clone() : zeros([n, d], { dtype: options.dtype ?? "float32" }));
  if (!options.weight) normal_(weight);
  if (pad !== null && !options.weight) noGrad(() => weight.select(0, pad).zero_());
  return weight;
}

/** Looks up rows of a [numEmbeddings, embeddingDim] table: int32 indices [...] → [..., embeddingDim]. */
export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;
  /**
   * PyTorch's `(numEmbeddings, embeddingDim, paddingIdx)`, or options after the sizes. PyTorch's
   * next positional arguments (max_norm, …) are not supported, so the positional form stops there.
   */
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, ...args: WithOptions<[paddingIdx: number | null], EmbeddingOptions>) {
    super();
    const options = readLayerArgs<EmbeddingOptions>("Embedding", [numEmbeddings, embeddingDim, ...args], { required: SIZES, positional: [["paddingIdx", NUMBER]], keywordOnly: TABLE_OPTIONS });
    checkSizes("Embedding", numEmbeddings, embeddingDim);
    this.paddingIdx = normalizePaddingIdx("Embedding", options.paddingIdx, numEmbeddings);
    this.weight = initTable(numEmbeddings, embeddingDim, this.paddingIdx, options);
  }
  /** A table over given vectors [num, dim] (copied), frozen unless freeze is false (PyTorch's from_pretrained). */
  static fromPretrained(embeddings: Tensor, { freeze = true, paddingIdx = null }: { freeze?: boolean; paddingIdx?: number | null } = {}): Embedding {
    if (embeddings.ndim !== 2) throw new ShapeError(`Embedding.fromPretrained: embeddings must be 2-D, got ${formatShape(embeddings.shape)}`);
    const e = new Embedding(embeddings.shape[0]!, embeddings.shape[1]!, { paddingIdx, weight: embeddings, dtype: embeddings.dtype });
    e.weight.requiresGrad = !freeze;
    return e;
  }

  forward(input: Tensor): Tensor {
    return embeddingImpl("Embedding", input, this.weight, this.paddingIdx);
  }
  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ""}`;
  }
}

export interface EmbeddingBagOptions extends EmbeddingOptions {
  mode?: BagMode;
  includeLastOffset?: boolean;
}

/** Sums, averages or takes the max of bags of embedding rows. */
export class EmbeddingBag extends Module<[input: Tensor, offsets?: Tensor | null, perSampleWeights?: Tensor | null], Tensor> {
  weight: Parameter;
  readonly paddingIdx: number | null;
  readonly mode: BagMode;
  readonly includeLastOffset: boolean;
  /** Options after the sizes: PyTorch's next positional argument, max_norm, is not supported, so there is no positional form. */
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, ...args: WithOptions<[], EmbeddingBagOptions>) {
    super();
    const options = readLayerArgs<EmbeddingBagOptions>("EmbeddingBag", [numEmbeddings, embeddingDim, ...args], {
      required: SIZES,
      keywordOnly: [["mode", STRING], ["includeLastOffset", BOOLEAN], ["paddingIdx", NUMBER], ...TABLE_OPTIONS],
    });
    checkSizes("EmbeddingBag", numEmbeddings, embeddingDim);
    this.mode = options.mode ?? "mean";
    this.includeLastOffset = options.includeLastOffset ?? false;
    this.paddingIdx = normalizePaddingIdx("EmbeddingBag", options.paddingIdx, numEmbeddings);
    this.weight = initTable(numEmbeddings, embeddingDim, this.paddingIdx, options);
  }
  forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    return embeddingBagImpl("EmbeddingBag", input, this.weight, {
      offsets,
      perSampleWeights,
      mode: this.mode,
      includeLastOffset: this.includeLastOffset,
      paddingIdx: this.paddingIdx,
    });
  }
  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}, mode='${this.mode}'${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ""}`;
  }
}
