/**
 * Dropout: in training, zeroes each element with probability p and scales the rest by 1/(1 − p)
 * so that the expected value is unchanged; in evaluation it is the identity. The gradient is the
 * same mask times the same scale (it flows through the recorded multiply).
 */
import { backend } from "../../backend/backend.js";
import { OptionError } from "../../errors.js";
import { mul } from "../../ops/elementwise.js";
import { emptyTensor } from "../../ops/helpers.js";
import { drawOnDevice, drawsOnDevice } from "../../ops/random-device.js";
import { defaultGenerator, type Generator } from "../../tensor/random.js";
import type { Tensor } from "../../tensor/tensor.js";
import { positionalOrOptions } from "./options.js";

export interface DropoutOptions {
  p?: number;
  training?: boolean;
  generator?: Generator;
}

function checkP(name: string, p: number): void {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new OptionError(`${name}: dropout probability has to be between 0 and 1, but got ${p}`);
}

/**
 * A mask of `shape` with 1/(1 − p) where kept and 0 where dropped, drawn as PyTorch draws it
 * (bernoulli_(1 − p): an element is kept when its double uniform is below 1 − p; then divided
 * by 1 − p in the input's dtype), so the same seed drops the same elements. p = 1 draws nothing.
 * Drawn on the host, by the backend's bulk sampler where it has one (the same draws, the twister
 * in wasm instead of a JS call per word).
 * For a float32 input on the webgpu device the mask is drawn there instead (Philox, as PyTorch's
 * CUDA draws it: random-device.ts), so nothing crosses inside a training step.
 */
function keepMask(shape: readonly number[], p: number, like: Tensor, generator: Generator): Tensor {
  const device = like.storage.device;
  if (drawsOnDevice(device, like.dtype)) {
    const keep = Math.fround(1 - p);
    return drawOnDevice("dropout", shape, device, "keepMask", keep, p === 1 ? 0 : Math.fround(1 / keep), generator);
  }
  const mask = emptyTensor(shape, like.dtype);
  if (p !== 1) {
    const data = mask.storage.data;
    const keep = 1 - p;
    const scale = like.dtype === "float32" ? Math.fround(1 / Math.fround(keep)) : 1 / keep;
    const bulk = backend().fused?.keepMask;
    if (bulk === undefined || !generator.drawInBulk((mt, index) => bulk(mt, index, data, keep, scale))) {
      for (let i = 0; i < data.length; i++) data[i] = generator.nextDouble() < keep ? scale : 0;
    }
  }
  return like.storage.device === "cpu" ? mask : mask.to(like.storage.device);
}

const DROPOUT_ARGS = ["p", "training"] as const;

/** Also PyTorch's positional `dropout(x, 0.5)` and `dropout(x, 0.5, training)`. */
export function dropout(input: Tensor, options?: DropoutOptions): Tensor;
export function dropout(input: Tensor, p?: number, training?: boolean): Tensor;
export function dropout(input: Tensor, ...args: unknown[]): Tensor {
  const { p = 0.5, training = true, generator = defaultGenerator } = positionalOrOptions<DropoutOptions>("dropout", args, DROPOUT_ARGS, ["generator"]);
  checkP("dropout", p);
  if (!training || p === 0) return input;
  return mul(input, keepMask(input.shape, p, input, generator));
}

/**
 * Channel dropout for [N, C, H, W] (or [C, H, W]): whole feature maps are zeroed together, which
 * suits convolutional features whose neighbours are correlated.
 */
export function dropout2d(input: Tensor, options?: DropoutOptions): Tensor;
export function dropout2d(input: Tensor, p?: number, training?: boolean): Tensor;
export function dropout2d(input: Tensor, ...args: unknown[]): Tensor {
  const { p = 0.5, training = true, generator = defaultGenerator } = positionalOrOptions<DropoutOptions>("dropout2d", args, DROPOUT_ARGS, ["generator"]);
  checkP("dropout2d", p);
  if (!training || p === 0) return input;
  const shape = input.shape.map((s, i) => (i < input.ndim - 2 ? s : 1));
  return mul(input, keepMask(shape, p, input, generator));
}
