/** The element types a tensor can hold, and the rules for mixing them. */

export type DType = "float32" | "float64" | "int32" | "bool";

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

/** Allocates zeroed storage for `size` elements of `dtype`. */
export function allocTyped(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
    case "bool":
      return new Uint8Array(size);
  }
}

/** Bytes one element of `dtype` takes. */
export function bytesPerElement(dtype: DType): number {
  return dtype === "float64" ? 8 : dtype === "bool" ? 1 : 4;
}

export function isFloating(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

export function isDType(value: unknown): value is DType {
  return typeof value === "string" && (DTYPES as readonly string[]).includes(value);
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** PyTorch's type promotion between two tensors: bool < int32 < float32 < float64. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Promotion of a tensor with a plain number, which PyTorch treats as a "weak" scalar:
 * it never widens a float tensor, but turns an int or bool tensor into float32 when the
 * number has a fraction, and a bool tensor into int32 when it is an integer.
 */
export function promoteWithScalar(dtype: DType, scalar: number): DType {
  if (isFloating(dtype)) return dtype;
  if (!Number.isInteger(scalar)) return "float32";
  return dtype === "bool" ? "int32" : dtype;
}

/**
 * PyTorch's canCast for an in-place op's result: never from a floating type to an integral one,
 * nor from anything but bool to bool (x_int.mul_(0.5) is an error there, not a truncation).
 */
export function canCastResult(from: DType, to: DType): boolean {
  if (isFloating(from) && !isFloating(to)) return false;
  return to !== "bool" || from === "bool";
}

/** The dtype name as PyTorch prints it (`torch.float32`). */
export function torchDTypeName(dtype: DType): string {
  return `torch.${dtype}`;
}

/** The float epsilon of a dtype (torch.finfo(dtype).eps): the gap between 1 and the next value. */
export function finfoEps(dtype: DType): number {
  return dtype === "float64" ? 2 ** -52 : 2 ** -23;
}

/** The smallest normal number of a dtype (torch.finfo(dtype).tiny). */
export function finfoTiny(dtype: DType): number {
  return dtype === "float64" ? 2.2250738585072014e-308 : 1.1754943508222875e-38;
}
