/** Option checks shared by the update rules: each throws an OptionError naming the optimizer and the option. */
import { OptionError } from "../errors.js";

export function checkLr(name: string, lr: number): void {
  if (!(lr >= 0)) throw new OptionError(`${name}: invalid learning rate: ${lr} (lr must be >= 0)`);
}

/** `value` must be >= 0 (weightDecay, eps, …). */
export function checkNonNegative(name: string, option: string, value: number): void {
  if (!(value >= 0)) throw new OptionError(`${name}: invalid ${option} value: ${value} (must be >= 0)`);
}

/** `value` must lie in [low, high] (or [low, high) when `openHigh`). */
export function checkRange(name: string, option: string, value: number, low: number, high: number, openHigh = false): void {
  const ok = value >= low && (openHigh ? value < high : value <= high);
  if (!ok) throw new OptionError(`${name}: invalid ${option} value: ${value} (must be in [${low}, ${high}${openHigh ? ")" : "]"})`);
}

/** A pair [β1, β2], each in [0, 1). */
export function checkBetas(name: string, betas: readonly number[], option = "betas"): void {
  if (!Array.isArray(betas) || betas.length !== 2) throw new OptionError(`${name}: ${option} must be a pair [beta1, beta2], got ${JSON.stringify(betas)}`);
  betas.forEach((beta, i) => {
    if (!(beta >= 0 && beta < 1)) throw new OptionError(`${name}: invalid beta parameter at index ${i}: ${beta} (${option} must be in [0, 1))`);
  });
}

/** A positive integer (step counts, history sizes). */
export function checkPositiveInt(name: string, option: string, value: number): void {
  if (!(Number.isInteger(value) && value > 0)) throw new OptionError(`${name}: invalid ${option} value: ${value} (must be a positive integer)`);
}
