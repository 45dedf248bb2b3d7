/** `nn`: modules, layers, activations, losses, initialisation, and `nn.functional`. */
export { Module, type AnyModule, type StateDict, type LoadResult } from "./module.js";
export { Parameter } from "./parameter.js";
export { Sequential, ModuleList, ModuleDict } from "./containers.js";
export { ParameterList, ParameterDict } from "./parameter-containers.js";
export type { RemovableHandle, ForwardHook, ForwardPreHook, BackwardHook } from "./hooks.js";
export { Linear, type LinearOptions } from "./layers/linear.js";
export { Identity, Flatten, Unflatten, Bilinear } from "./layers/basic.js";
export { Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, type ConvOptions, type ConvTransposeOptions } from "./layers/conv.js";
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, PixelShuffle, PixelUnshuffle } from "./layers/resampling.js";
export { Unfold, Fold } from "./layers/fold.js";
export { CosineSimilarity, PairwiseDistance } from "./layers/distance.js";
export {
  ReflectionPad1d,
  ReflectionPad2d,
  ReflectionPad3d,
  ReplicationPad1d,
  ReplicationPad2d,
  ReplicationPad3d,
  ConstantPad1d,
  ConstantPad2d,
  ConstantPad3d,
  ZeroPad2d,
} from "./layers/padding.js";
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, type MaxPoolOptions, type PoolOutput } from "./layers/pooling.js";
export { BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LayerNorm, GroupNorm, RMSNorm, type BatchNormOptions, type LayerNormOptions } from "./layers/normalization.js";
export { Dropout, Dropout2d } from "./layers/dropout.js";
export { Embedding, EmbeddingBag, type EmbeddingOptions, type EmbeddingBagOptions } from "./layers/embedding.js";
export { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type RNNOptions, type LSTMState } from "./layers/rnn.js";
export { MultiheadAttention, type MultiheadAttentionOptions, type AttentionCallOptions, type MultiheadAttentionInputs } from "./layers/attention.js";
export { TransformerEncoderLayer, TransformerEncoder, type TransformerEncoderLayerOptions, type TransformerActivation, type EncoderLayerInputs, type EncoderInputs } from "./layers/transformer.js";
export { TransformerDecoderLayer, TransformerDecoder, type TransformerDecoderLayerOptions, type DecoderCallOptions, type DecoderInputs } from "./layers/transformer-decoder.js";
export { Transformer, type TransformerOptions, type TransformerCallOptions, type TransformerInputs } from "./layers/transformer-model.js";
export * from "./activations.js";
export { PReLU, PAU, type PReLUOptions, type PAUOptions } from "./learnable-activations.js";
export {
  MSELoss,
  L1Loss,
  SmoothL1Loss,
  HuberLoss,
  BCELoss,
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  NLLLoss,
  KLDivLoss,
  MarginRankingLoss,
  HingeEmbeddingLoss,
  CosineEmbeddingLoss,
  SoftMarginLoss,
  MultiLabelSoftMarginLoss,
  TripletMarginLoss,
  PoissonNLLLoss,
  GaussianNLLLoss,
} from "./losses.js";
export * as init from "./init.js";
export * as functional from "./functional.js";
export * as utils from "./utils/index.js";
export { Softmax2d, ChannelShuffle, LocalResponseNorm, AlphaDropout, MultiMarginLoss } from "./layers/extras.js";
