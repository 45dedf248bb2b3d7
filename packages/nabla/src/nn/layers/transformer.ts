/**
 * TransformerEncoderLayer (PyTorch's): self-attention and a feed-forward block, each with
 * dropout, a residual connection and layer norm — after the block (post-norm, the default) or
 * before it (normFirst):
 *
 *   post-norm: x = norm1(x + sa(x));  x = norm2(x + ff(x))
 *   pre-norm:  x = x + sa(norm1(x));  x = x + ff(norm2(x))
 *   ff(x) = linear2(dropout(activation(linear1(x))))
 *
 * TransformerEncoder stacks numLayers copies (layers.0, layers.1, … in the state dict): of a layer
 * given as PyTorch does (each copy starts with its weights, like PyTorch's deepcopy), or made by a
 * factory function. The decoder is in transformer-decoder.ts, the whole model in transformer-model.ts.
 */
import { OptionError } from "../../errors.js";
import { add } from "../../ops/elementwise.js";
import type { DType } from "../../tensor/dtype.js";
import { defaultGenerator } from "../../tensor/random.js";
import { Tensor } from "../../tensor/tensor.js";
import { gelu, relu } from "../functional/activations.js";
import { describeArg } from "../functional/options.js";
import { BOOLEAN, FUNCTION, NUMBER, oneOf, STRING, type Slot, type WithOptions } from "../../ops/arguments.js";
import { DTYPE_OPTION, MODULE, readLayerArgs } from "../constructor-args.js";
import { ModuleList } from "../containers.js";
import { Module, type AnyModule } from "../module.js";
import { MultiheadAttention } from "./attention.js";
import { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import { LayerNorm } from "./normalization.js";

export type TransformerActivation = "relu" | "gelu" | ((x: Tensor) => Tensor);

export interface TransformerEncoderLayerOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: TransformerActivation;
  layerNormEps?: number;
  batchFirst?: boolean;
  normFirst?: boolean;
  dtype?: DType;
}

/** The transformer layers' options in PyTorch's positional order after (dModel, nhead). */
export const LAYER_SLOTS: readonly Slot[] = [
  ["dimFeedforward", NUMBER],
  ["dropout", NUMBER],
  ["activation", oneOf(STRING, FUNCTION)],
  ["layerNormEps", NUMBER],
  ["batchFirst", BOOLEAN],
  ["normFirst", BOOLEAN],
];

/** A transformer layer's arguments after (dModel, nhead): PyTorch's positional ones, or options. */
export type LayerArgs = WithOptions<[dimFeedforward: number, dropout: number, activation: TransformerActivation, layerNormEps: number, batchFirst: boolean, normFirst: boolean], TransformerEncoderLayerOptions>;

/** A transformer layer's options from its arguments. */
export function layerOptions(layer: string, dModel: number, nhead: number, args: readonly unknown[]): TransformerEncoderLayerOptions {
  return readLayerArgs<TransformerEncoderLayerOptions>(layer, [dModel, nhead, ...args], { required: [["dModel", NUMBER], ["nhead", NUMBER]], positional: LAYER_SLOTS, keywordOnly: [DTYPE_OPTION] });
}

/** A stack's arguments: (layer or factory, numLayers, norm). PyTorch's later ones (enable_nested_tensor, mask_check) are not supported. */
export function stackArgs(stack: string, layerName: string, args: readonly unknown[]): void {
  readLayerArgs(stack, args, {
    required: [[layerName, oneOf(MODULE, FUNCTION)], ["numLayers", NUMBER]],
    positional: [["norm", MODULE]],
  });
}

export interface EncoderCallOptions {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
}

/** The feed-forward activation from its name or a function. */
export function activationOf(layer: string, activation: TransformerActivation): (x: Tensor) => Tensor {
  if (activation === "relu") return relu;
  if (activation === "gelu") return (x) => gelu(x);
  if (typeof activation === "function") return activation;
  throw new OptionError(`${layer}: activation should be relu/gelu, not ${String(activation)}`);
}

/**
 * A forward's masks: one options object, or tensors (or null) in PyTorch's positional order
 * `names`. Anything else in a mask's slot is a TypeError naming the call and the argument.
 */
export function maskArgs<T extends object>(call: string, args: readonly unknown[], names: readonly (keyof T & string)[], firstArg: number): T {
  if (args.length === 1 && typeof args[0] === "object" && args[0] !== null && !(args[0] instanceof Tensor)) return args[0] as T;
  if (args.length > names.length) throw new TypeError(`${call}: takes at most ${names.length} masks (${names.join(", ")}), got ${args.length}`);
  const out: Record<string, unknown> = {};
  args.forEach((v, i) => {
    if (v !== undefined && v !== null && !(v instanceof Tensor)) {
      throw new TypeError(`${call}: expected ${names[i]} (argument ${firstArg + i}) to be a Tensor or null, got ${describeArg(v)}`);
    }
    out[names[i]!] = v;
  });
  return out as T;
}

/** What TransformerEncoderLayer.forward takes: src, then options or PyTorch's positional masks. */
export type EncoderLayerInputs = [src: Tensor, options?: EncoderCallOptions] | [src: Tensor, srcMask?: Tensor | null, srcKeyPaddingMask?: Tensor | null];

export class TransformerEncoderLayer extends Module<EncoderLayerInputs, Tensor> {
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
  /** The options it was made with (to make copies of it). */
  readonly options: TransformerEncoderLayerOptions;

  /** PyTorch's `(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst)`, or options after the sizes. */
  constructor(readonly dModel: number, readonly nhead: number, ...args: LayerArgs) {
    super();
    const options = layerOptions("TransformerEncoderLayer", dModel, nhead, args);
    const { dimFeedforward = 2048, dropout: p = 0.1, activation = "relu", layerNormEps = 1e-5, batchFirst = false, normFirst = false, dtype = "float32" } = options;
    this.options = options;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst, dtype });
    this.linear1 = new Linear(dModel, dimFeedforward, { dtype });
    this.dropout = new Dropout({ p });
    this.linear2 = new Linear(dimFeedforward, dModel, { dtype });
    this.normFirst = normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.dropout1 = new Dropout({ p });
    this.dropout2 = new Dropout({ p });
    this.activation = activationOf("TransformerEncoderLayer", activation);
  }

  /** src [S, N, E] ([N, S, E] with batchFirst, or [S, E]); srcMask [S, S]; srcKeyPaddingMask [N, S]. Also `forward(src, srcMask, srcKeyPaddingMask)`. */
  forward(src: Tensor, options?: EncoderCallOptions): Tensor;
  forward(src: Tensor, srcMask?: Tensor | null, srcKeyPaddingMask?: Tensor | null): Tensor;
  forward(src: Tensor, ...args: unknown[]): Tensor {
    const { srcMask = null, srcKeyPaddingMask = null } = maskArgs<EncoderCallOptions>("TransformerEncoderLayer.forward", args, ["srcMask", "srcKeyPaddingMask"], 2);
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

/**
 * numLayers copies of a layer, as PyTorch's deepcopy makes them: a new layer with the same
 * options and dtype, holding the same weights, in the same mode. A function makes each layer itself.
 */
export function layerCopies<L extends AnyModule>(layer: L | (() => L), numLayers: number, copy: (layer: L) => L): L[] {
  if (!Number.isInteger(numLayers) || numLayers < 0) throw new OptionError(`numLayers must be a non-negative integer, got ${numLayers}`);
  if (typeof layer === "function") return Array.from({ length: numLayers }, layer);
  return Array.from({ length: numLayers }, () => {
    // a copy draws no random numbers (its initial weights are overwritten), as PyTorch's deepcopy
    const state = defaultGenerator.getState();
    const c = copy(layer);
    defaultGenerator.setState(state);
    c.loadStateDict(layer.stateDict());
    return c.train(layer.training);
  });
}

/** The dtype of a layer's weights, for its copies. */
export const dtypeOf = (m: AnyModule): DType => m.parameters()[0]?.dtype ?? "float32";

export interface EncoderStackCallOptions extends EncoderCallOptions {
  /** PyTorch's name for the encoder's srcMask. */
  mask?: Tensor | null;
}

/** numLayers encoder layers: copies of `layer` (PyTorch's call) or made by a factory. */
/** What TransformerEncoder.forward takes: src, then options or PyTorch's positional masks. */
export type EncoderInputs = [src: Tensor, options?: EncoderStackCallOptions] | [src: Tensor, mask?: Tensor | null, srcKeyPaddingMask?: Tensor | null];

export class TransformerEncoder extends Module<EncoderInputs, Tensor> {
  layers: ModuleList;
  // A plain field (not a constructor parameter property) so that it comes after `layers` in the state dict.
  norm: LayerNorm | null;
  constructor(layer: TransformerEncoderLayer | (() => TransformerEncoderLayer), readonly numLayers: number, norm: LayerNorm | null = null, ...rest: []) {
    super();
    stackArgs("TransformerEncoder", "encoderLayer", [layer, numLayers, norm, ...rest]);
    const copy = (l: TransformerEncoderLayer) => new TransformerEncoderLayer(l.dModel, l.nhead, { ...l.options, dtype: dtypeOf(l) });
    this.layers = new ModuleList(layerCopies(layer, numLayers, copy));
    this.norm = norm;
  }

  /** Runs the layers in turn. Also `forward(src, mask, srcKeyPaddingMask)`. */
  forward(src: Tensor, options?: EncoderStackCallOptions): Tensor;
  forward(src: Tensor, mask?: Tensor | null, srcKeyPaddingMask?: Tensor | null): Tensor;
  forward(src: Tensor, ...args: unknown[]): Tensor {
    const o = maskArgs<EncoderStackCallOptions>("TransformerEncoder.forward", args, ["mask", "srcKeyPaddingMask"], 2);
    const call = { srcMask: o.mask ?? o.srcMask ?? null, srcKeyPaddingMask: o.srcKeyPaddingMask ?? null };
    let x = src;
    for (const layer of this.layers) x = (layer as TransformerEncoderLayer).forward(x, call);
    return this.norm ? this.norm.forward(x) : x;
  }
}
