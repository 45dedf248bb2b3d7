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

/** What an allocator holds when a request fails, in bytes. */
export interface MemoryHeld {
  /** Bytes in storage that is in use. */
  readonly live: number;
  /** Bytes freed and kept for reuse. */
  readonly cached: number;
  /** The most the allocator may hold. */
  readonly limit: number;
}

const MiB = 1024 * 1024;
const formatBytes = (bytes: number): string =>
  bytes >= 1024 * MiB ? `${(bytes / (1024 * MiB)).toFixed(2)} GiB` : `${(bytes / MiB).toFixed(1)} MiB`;

/**
 * Memory ran out (or a request could never fit): names the op, the bytes it asked for and what
 * the allocator holds. Thrown before anything changed, so the library stays usable: a smaller
 * request afterwards works.
 */
export class OutOfMemoryError extends RangeError {
  override name = "OutOfMemoryError";

  constructor(
    readonly op: string,
    readonly requested: number,
    readonly held: MemoryHeld,
    detail = "",
  ) {
    super(
      `${op}: out of memory: tried to allocate ${formatBytes(requested)} (${requested} bytes); ` +
        `the allocator holds ${formatBytes(held.live)} live and ${formatBytes(held.cached)} cached of a ${formatBytes(held.limit)} limit` +
        (detail ? `; ${detail}` : ""),
    );
  }
}

/** A linear-algebra routine could not complete (PyTorch's torch.linalg.LinAlgError): a matrix that is not positive-definite, … */
export class LinAlgError extends RangeError {
  override name = "LinAlgError";
}
