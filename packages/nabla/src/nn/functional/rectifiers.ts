/** Rectifiers whose negative slope is learned (PReLU) or random (RReLU). */
import { OptionError } from "../../errors.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { rand } from "../../ops/creation.js";
import { add, le, leakyRelu, mul, where } from "../../ops/elementwise.js";
import { requireFloating } from "../../ops/helpers.js";
import type { Generator } from "../../tensor/random.js";
import type { Tensor } from "../../tensor/tensor.js";
import { positionalOrOptions } from "./options.js";

/** PReLU: x for x > 0, a·x otherwise (see src/ops/activations.ts). */
export { prelu } from "../../ops/activations.js";

export interface RreluOptions {
  /** Lower bound of the random slope. Default 1/8. */
  lower?: number;
  /** Upper bound of the random slope. Default 1/3. */
  upper?: number;
  /** Random slopes (training) or the fixed slope (lower + upper)/2. Default false, as F.rrelu. */
  training?: boolean;
  generator?: Generator;
}

/**
 * RReLU (randomized leaky ReLU): x for x > 0, a·x otherwise, where in training a ~ U(lower, upper)
 * is drawn per element (x ≤ 0), and in evaluation a = (lower + upper)/2. ∂/∂x = x > 0 ? 1 : a.
 */
export function rrelu(x: Tensor, options?: RreluOptions): Tensor;
export function rrelu(x: Tensor, lower?: number, upper?: number, training?: boolean): Tensor;
export function rrelu(x: Tensor, ...args: unknown[]): Tensor {
  const { lower = 1 / 8, upper = 1 / 3, training = false, generator } = positionalOrOptions<RreluOptions>("rrelu", args, ["lower", "upper", "training"], ["generator"]);
  requireFloating("rrelu", x);
  if (!Number.isFinite(lower) || !Number.isFinite(upper) || lower > upper) {
    throw new OptionError(`rrelu: lower must be ≤ upper (both finite), got lower=${lower} and upper=${upper}`);
  }
  if (!training) return leakyRelu(x, (lower + upper) / 2);
  const noise = noGrad(() => {
    const slopes = add(mul(rand(x.shape, { dtype: x.dtype, generator }), upper - lower), lower);
    return where(le(x, 0), slopes, 1);
  });
  return mul(x, noise);
}
