/** `nn`: modules, layers, activations, losses, initialisation, and `nn.functional`. */
export { Module, type StateDict, type LoadResult } from "./module.js";
export { Parameter } from "./parameter.js";
export { Sequential } from "./containers.js";
export { Linear, type LinearOptions } from "./layers/linear.js";
export { Sigmoid, Tanh, ReLU, LeakyReLU, Softmax, LogSoftmax } from "./activations.js";
export { MSELoss, CrossEntropyLoss } from "./losses.js";
export * as init from "./init.js";
export * as functional from "./functional.js";
