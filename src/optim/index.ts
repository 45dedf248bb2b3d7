/** `optim`: the weight-update rules. */
export { Optimizer, type ParamGroup, type ParamGroupSpec, type ParamState, type OptimizerStateDict } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, type AdamOptions } from "./adam.js";
export { Adagrad, type AdagradOptions } from "./adagrad.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
