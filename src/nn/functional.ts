/** `nn.functional` (imported as F): the function form of every layer, activation and loss. */
export * from "./functional/activations.js";
export * from "./functional/losses.js";
export * from "./functional/layers.js";
export { conv1d, conv2d, convTranspose2d, type Conv2dOptions, type ConvTranspose2dOptions } from "./functional/conv.js";
export {
  maxPool1d,
  maxPool2d,
  maxPool1dWithIndices,
  maxPool2dWithIndices,
  avgPool1d,
  avgPool2d,
  adaptiveAvgPool2d,
  adaptiveMaxPool2d,
  adaptiveMaxPool2dWithIndices,
  type MaxPool2dOptions,
  type AvgPool2dOptions,
} from "./functional/pooling.js";
export { batchNorm, layerNorm, groupNorm, rmsNorm } from "./functional/normalization.js";
export { dropout, dropout2d, type DropoutOptions } from "./functional/dropout.js";
export { embedding, embeddingBag, type EmbeddingBagOptions } from "./functional/embedding.js";
export { pad } from "../ops/unfold.js";
export { bilinear } from "./layers/basic.js";
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from "./functional/attention.js";
