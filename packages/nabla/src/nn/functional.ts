/** `nn.functional` (imported as F): the function form of every layer, activation and loss. */
export * from "./functional/activations.js";
export * from "./functional/losses.js";
export * from "./functional/layers.js";
export { conv1d, conv2d, convTranspose1d, convTranspose2d, type Conv2dOptions, type ConvTranspose1dOptions, type ConvTranspose2dOptions } from "./functional/conv.js";
export { conv3d, type Conv3dOptions } from "./functional/conv3d.js";
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
export { batchNorm, instanceNorm, layerNorm, groupNorm, rmsNorm, type InstanceNormOptions } from "./functional/normalization.js";
export { dropout, dropout2d, type DropoutOptions } from "./functional/dropout.js";
export { embedding, embeddingBag, type EmbeddingBagOptions } from "./functional/embedding.js";
export { pad, type PadMode, type PadOptions } from "./functional/padding.js";
export { oneHot } from "./functional/one-hot.js";
export {
  normalize,
  cosineSimilarity,
  pairwiseDistance,
  cdist,
  type NormalizeOptions,
  type CosineSimilarityOptions,
  type PairwiseDistanceOptions,
  type CdistOptions,
} from "./functional/distance.js";
export { interpolate, type InterpolateMode, type InterpolateOptions } from "./functional/interpolate.js";
export { pixelShuffle, pixelUnshuffle } from "./functional/pixel-shuffle.js";
export { unfold, fold, type FoldOptions } from "./functional/fold.js";
export { gridSample, affineGrid, type GridSampleOptions, type AffineGridOptions } from "./functional/grid-sample.js";
export { bilinear } from "./layers/basic.js";
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from "./functional/attention.js";
export {
  localResponseNorm,
  alphaDropout,
  channelShuffle,
  multiMarginLoss,
  gumbelSoftmax,
  type LocalResponseNormOptions,
  type AlphaDropoutOptions,
  type MultiMarginLossOptions,
  type GumbelSoftmaxOptions,
} from "./functional/extras.js";
