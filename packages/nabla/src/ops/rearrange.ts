/**
 * Views that move dims around, by the names PyTorch gives them: movedim (moveaxis), swapaxes and
 * swapdims (transpose), unflatten (one dim into several), and t as a function. All are views
 * sharing storage, their gradients the inverse rearrangement.
 */
import { ShapeError } from "../errors.js";
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { permute, reshape, transpose } from "./shape.js";

/**
 * Moves the dims at `source` to the places `destination` names, the others keeping their order
 * (torch.movedim); a dim or a list of them on each side.
 */
export function movedim(x: Tensor, source: number | readonly number[], destination: number | readonly number[]): Tensor {
  const src = (typeof source === "number" ? [source] : source).map((d) => normalizeDim("movedim", d, x.ndim));
  const dst = (typeof destination === "number" ? [destination] : destination).map((d) => normalizeDim("movedim", d, x.ndim));
  if (src.length !== dst.length) {
    throw new ShapeError(`movedim: Invalid source or destination dims: source (${src.length} dims) should contain the same number of dims as destination (${dst.length} dims)`);
  }
  if (new Set(src).size !== src.length) throw new ShapeError(`movedim: repeated dim in source [${src.join(", ")}]`);
  if (new Set(dst).size !== dst.length) throw new ShapeError(`movedim: repeated dim in destination [${dst.join(", ")}]`);
  const order = new Array<number>(x.ndim).fill(-1);
  src.forEach((s, i) => (order[dst[i]!] = s));
  const rest = x.shape.map((_, i) => i).filter((i) => !src.includes(i));
  let k = 0;
  for (let i = 0; i < order.length; i++) if (order[i] === -1) order[i] = rest[k++]!;
  return permute(x, order);
}

/** NumPy's name for movedim. */
export const moveaxis = movedim;

/** transpose by NumPy's name. */
export function swapaxes(x: Tensor, axis0: number, axis1: number): Tensor {
  return transpose(x, axis0, axis1);
}

/** transpose by another of PyTorch's names. */
export function swapdims(x: Tensor, dim0: number, dim1: number): Tensor {
  return transpose(x, dim0, dim1);
}

/** dim split into `sizes` (one may be −1), as torch.unflatten. */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim("unflatten", dim, x.ndim);
  if (sizes.length === 0) throw new ShapeError("unflatten: sizes must be non-empty");
  const inferred = sizes.filter((s) => s === -1).length;
  if (inferred > 1) throw new ShapeError(`unflatten: only one dimension can be inferred, got sizes [${sizes.join(", ")}]`);
  const known = sizes.reduce((p, s) => (s === -1 ? p : p * s), 1);
  const size = x.shape[d]!;
  if (inferred === 0 ? known !== size : known === 0 || size % known !== 0) {
    throw new ShapeError(`unflatten: provided sizes [${sizes.join(", ")}] don't multiply up to the size of dim ${dim} (${size}) in the input tensor`);
  }
  return reshape(x, [...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)]);
}

/** The transpose of a tensor of at most 2 dims (torch.t). */
export function t(x: Tensor): Tensor {
  return x.t();
}

/** The number of elements (torch.numel). */
export function numel(x: Tensor): number {
  return x.numel();
}
