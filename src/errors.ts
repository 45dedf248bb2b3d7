/**
 * Typed errors that say what was expected and what was given, PyTorch-style.
 * Every message starts with the op's name: `matmul: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)`.
 */

/** A shape that does not fit the op (mismatched, out of range, wrong rank). */
export class ShapeError extends RangeError {
  override name = "ShapeError";
}

/** A dtype the op cannot take (float class indices, gradients for int tensors, …). */
export class DTypeError extends TypeError {
  override name = "DTypeError";
}

/** An option or argument with a value the op cannot take (negative lr, unknown reduction, …). */
export class OptionError extends RangeError {
  override name = "OptionError";
}

/** Formats a shape the way PyTorch's error messages do: `[2, 3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
