/** `nn`: modules, layers, activations, losses, initialisation, and `nn.functional`. */
export { Module, type StateDict, type LoadResult } from "./module.js";
export { Parameter } from "./parameter.js";
export { Sequential } from "./containers.js";
export { Linear, type LinearOptions } from "./layers/linear.js";
export {
  Sigmoid,
  Tanh,
  ReLU,
  ReLU6,
  LeakyReLU,
  RReLU,
  ELU,
  SELU,
  CELU,
  GELU,
  SiLU,
  Mish,
  Softplus,
  Softsign,
  Hardtanh,
  Hardsigmoid,
  Hardswish,
  LogSigmoid,
  Tanhshrink,
  Softshrink,
  Hardshrink,
  Threshold,
  GLU,
  SwiGLU,
  GeGLU,
  Softmax,
  LogSoftmax,
  Softmin,
} from "./activations.js";
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
