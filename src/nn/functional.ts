/** `nn.functional` (imported as F): the function form of every layer, activation and loss. */
export * from "./functional/activations.js";
export * from "./functional/losses.js";
export * from "./functional/layers.js";
