/**
 * F.gridSample and F.affineGrid (spatial transformer networks, Jaderberg et al. 2015), PyTorch's:
 *
 *   gridSample(x [N, C, H, W], grid [N, Ho, Wo, 2]) → [N, C, Ho, Wo]    (5-D: [N, C, D, H, W], grid [..., 3])
 *
 * Each grid point holds (x, y[, z]) in [−1, 1], the input's corners; it is unnormalised to a pixel
 * position u = (g + 1)·(size − 1)/2 (alignCorners) or ((g + 1)·size − 1)/2, put back inside by the
 * padding mode (zeros: no change, out-of-range taps read 0; border: clamped to [0, size − 1];
 * reflection: reflected at the edges, then clamped), and sampled:
 *
 *   bilinear  Σ over the 2ᵏ corners ⌊u⌋ + b of x[corner]·Π_j (b_j ? u_j − ⌊u_j⌋ : 1 − (u_j − ⌊u_j⌋))
 *   nearest   x[round-half-to-even(u)]  (no gradient for the grid, as in PyTorch)
 *
 * The corners are gathered from the flattened input, so the gradients for the input (scatter-add)
 * and the grid (through the weights) come from the ops; the reflection and clamp carry PyTorch's
 * gradient rules (±1 per reflection; 0 at and beyond the clamp's bounds).
 *
 *   affineGrid(θ [N, 2, 3], [N, C, H, W]) → grid [N, H, W, 2] = [x, y, 1]·θᵀ over the pixel centres
 */
import { noGrad } from "../../autograd/grad-mode.js";
import { recordOp } from "../../autograd/node.js";
import { DTypeError, formatShape, OptionError, ShapeError } from "../../errors.js";
import { add, mul, sub, where } from "../../ops/elementwise.js";
import { fromTypedArray } from "../../ops/helpers.js";
import { gather } from "../../ops/indexing.js";
import { matmul } from "../../ops/matmul.js";
import { expand, reshape, select, transpose, unsqueeze } from "../../ops/shape.js";
import { isFloating } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { positionalOrOptions } from "./options.js";

export interface GridSampleOptions {
  mode?: "bilinear" | "nearest";
  paddingMode?: "zeros" | "border" | "reflection";
  alignCorners?: boolean;
}

const PADDING_MODES: readonly string[] = ["zeros", "border", "reflection"];

/** Samples `input` at the points of `grid` (PyTorch's F.grid_sample). Also `gridSample(x, grid, mode, paddingMode, alignCorners)`. */
export function gridSample(input: Tensor, grid: Tensor, options?: GridSampleOptions): Tensor;
export function gridSample(input: Tensor, grid: Tensor, mode?: GridSampleOptions["mode"], paddingMode?: GridSampleOptions["paddingMode"], alignCorners?: boolean): Tensor;
export function gridSample(input: Tensor, grid: Tensor, ...args: unknown[]): Tensor {
  const { mode = "bilinear", paddingMode = "zeros", alignCorners = false } = positionalOrOptions<GridSampleOptions>("gridSample", args, ["mode", "paddingMode", "alignCorners"]);
  if (mode !== "bilinear" && mode !== "nearest") throw new OptionError(`gridSample: mode must be "bilinear" or "nearest", got ${JSON.stringify(mode)}`);
  if (!PADDING_MODES.includes(paddingMode)) throw new OptionError(`gridSample: paddingMode must be one of "zeros", "border", "reflection", got ${JSON.stringify(paddingMode)}`);
  if (!isFloating(input.dtype) || input.dtype !== grid.dtype) {
    throw new DTypeError(`gridSample: expected input and grid of the same floating point dtype, got ${input.dtype} and ${grid.dtype}`);
  }
  const k = input.ndim - 2;
  if ((k !== 2 && k !== 3) || grid.ndim !== input.ndim || grid.shape[grid.ndim - 1] !== k || grid.shape[0] !== input.shape[0]) {
    throw new ShapeError(
      `gridSample: expected input [N, C, H, W] with grid [N, Ho, Wo, 2], or input [N, C, D, H, W] with grid [N, Do, Ho, Wo, 3], ` +
        `got input ${formatShape(input.shape)} and grid ${formatShape(grid.shape)}`,
    );
  }
  const [n, c] = input.shape as [number, number];
  const spatial = input.shape.slice(2); // [(D,) H, W]
  const outSpatial = grid.shape.slice(1, -1);
  const points = outSpatial.reduce((a, b) => a * b, 1);
  // Coordinate j (x, y, z) addresses spatial dim k − 1 − j; u[j] is [N, points].
  const u = Array.from({ length: k }, (_, j) => {
    const size = spatial[k - 1 - j]!;
    return placeInside(unnormalize(reshape(select(grid, -1, j), [n, points]), size, alignCorners), size, paddingMode, alignCorners);
  });
  const flat = reshape(input, [n, c, spatial.reduce((a, b) => a * b, 1)]);
  const strides = spatial.map((_, d) => spatial.slice(d + 1).reduce((a, b) => a * b, 1));
  const sample = (position: (j: number, p: number) => number): [Tensor, Tensor] => {
    const index = new Int32Array(n * points);
    const inside = new Uint8Array(n * points);
    for (let p = 0; p < n * points; p++) {
      let flatIndex = 0;
      let ok = 1;
      for (let j = 0; j < k; j++) {
        const size = spatial[k - 1 - j]!;
        const at = position(j, p);
        if (!(at >= 0 && at < size)) {
          ok = 0; // outside (or NaN): reads 0
          continue;
        }
        flatIndex += at * strides[k - 1 - j]!;
      }
      index[p] = flatIndex;
      inside[p] = ok;
    }
    const idx = expand(reshape(fromTypedArray(index, [n, points], "int32").to(flat.storage.device), [n, 1, points]), [n, c, points]);
    return [gather(flat, 2, idx), reshape(fromTypedArray(inside, [n, points], "bool").to(flat.storage.device), [n, 1, points])];
  };
  const values = u.map((t) => t.toTypedArray());
  let out: Tensor;
  if (mode === "nearest") {
    const [v, inside] = sample((j, p) => roundHalfEven(values[j]![p]!));
    out = where(inside, v, 0);
  } else {
    const floors = values.map((vals) => vals.map(Math.floor));
    // the fractional parts u − ⌊u⌋ carry the gradient for the grid
    const frac = u.map((t, j) => sub(t, fromTypedArray(floors[j]!, [n, points], t.dtype).to(t.storage.device)));
    let sum: Tensor | null = null;
    for (let corner = 0; corner < 1 << k; corner++) {
      const bit = (j: number) => (corner >> j) & 1;
      const [v, inside] = sample((j, p) => floors[j]![p]! + bit(j));
      let weight: Tensor | null = null;
      for (let j = k - 1; j >= 0; j--) {
        const f = bit(j) ? frac[j]! : sub(1, frac[j]!);
        weight = weight === null ? f : mul(weight, f);
      }
      const term = mul(where(inside, v, 0), unsqueeze(weight!, 1));
      sum = sum === null ? term : add(sum, term);
    }
    out = sum!;
  }
  return reshape(out, [n, c, ...outSpatial]);
}

/** Grid value g ∈ [−1, 1] → pixel position: (g + 1)·(size − 1)/2, or (g + 1)·size/2 − ½. */
function unnormalize(g: Tensor, size: number, alignCorners: boolean): Tensor {
  return alignCorners ? mul(add(g, 1), (size - 1) / 2) : sub(mul(add(g, 1), size / 2), 0.5);
}

function placeInside(u: Tensor, size: number, paddingMode: string, alignCorners: boolean): Tensor {
  if (paddingMode === "zeros") return u;
  if (paddingMode === "border") return clipCoordinates(u, size - 1);
  return clipCoordinates(reflectCoordinates(u, size, alignCorners), size - 1);
}

/** Clamps to [0, limit]; the gradient passes strictly inside only (PyTorch: "borders are out of bounds"). */
function clipCoordinates(u: Tensor, limit: number): Tensor {
  const values = u.toTypedArray();
  const clipped = new Float64Array(values.length);
  const inside = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    clipped[i] = Math.min(Math.max(v, 0), limit);
    inside[i] = v > 0 && v < limit ? 1 : 0;
  }
  const mask = fromTypedArray(inside, u.shape, "bool").to(u.storage.device);
  return recordOp("ClampBackward1", fromTypedArray(clipped, u.shape, u.dtype).to(u.storage.device), [u], (g) => [where(mask, g, 0)]);
}

/**
 * Reflects positions into [0, size − 1] (alignCorners) or [−½, size − ½], folding as often as
 * needed; the gradient is ±1, the sign of the number of folds (PyTorch's reflect_coordinates).
 */
function reflectCoordinates(u: Tensor, size: number, alignCorners: boolean): Tensor {
  const twiceSpan = alignCorners ? 2 * (size - 1) : 2 * size;
  const shift = alignCorners ? 0 : 0.5;
  const values = u.toTypedArray();
  const reflected = new Float64Array(values.length);
  const sign = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    if (twiceSpan === 0) continue; // a single pixel: position 0, no gradient
    const shifted = values[i]! + shift;
    const abs = Math.abs(shifted);
    const extra = abs - Math.trunc(abs / twiceSpan) * twiceSpan;
    const flipped = twiceSpan - extra;
    const oneMoreFlip = extra > flipped;
    reflected[i] = (oneMoreFlip ? flipped : extra) - shift;
    sign[i] = oneMoreFlip !== shifted < 0 ? -1 : 1;
  }
  const s = fromTypedArray(sign, u.shape, u.dtype).to(u.storage.device);
  return recordOp("ReflectCoordinatesBackward", fromTypedArray(reflected, u.shape, u.dtype).to(u.storage.device), [u], (g) => [mul(g, s)]);
}

/** Rounds to the nearest integer, ties to even (C's nearbyint, which PyTorch uses). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface AffineGridOptions {
  alignCorners?: boolean;
}

/**
 * The sampling grid of an affine transform (PyTorch's F.affine_grid): θ [N, 2, 3] and size
 * [N, C, H, W] give [N, H, W, 2]; θ [N, 3, 4] and [N, C, D, H, W] give [N, D, H, W, 3]. Also
 * `affineGrid(theta, size, alignCorners)`.
 */
export function affineGrid(theta: Tensor, size: readonly number[], options?: AffineGridOptions): Tensor;
export function affineGrid(theta: Tensor, size: readonly number[], alignCorners?: boolean): Tensor;
export function affineGrid(theta: Tensor, size: readonly number[], ...args: unknown[]): Tensor {
  const { alignCorners = false } = positionalOrOptions<AffineGridOptions>("affineGrid", args, ["alignCorners"]);
  if (!isFloating(theta.dtype)) throw new DTypeError(`affineGrid: expected theta of a floating point dtype, got ${theta.dtype}`);
  const k = size.length - 2;
  if ((k !== 2 && k !== 3) || size.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new ShapeError(`affineGrid: expected size [N, C, H, W] or [N, C, D, H, W] of positive integers, got ${formatShape(size)}`);
  }
  const n = size[0]!;
  if (theta.ndim !== 3 || theta.shape[0] !== n || theta.shape[1] !== k || theta.shape[2] !== k + 1) {
    throw new ShapeError(`affineGrid: expected a batch of ${k}-D affine matrices of shape [${n}, ${k}, ${k + 1}] for size ${formatShape(size)}, got ${formatShape(theta.shape)}`);
  }
  const spatial = size.slice(2); // [(D,) H, W]
  const points = spatial.reduce((a, b) => a * b, 1);
  const r = theta.dtype === "float32" ? Math.fround : (v: number) => v;
  // base[p] = (x, y[, z], 1) at pixel p; x runs along the last dim
  const axes = spatial.map((s) => linspaceFromNegOne(s, alignCorners, r));
  const base = new Float64Array(points * (k + 1));
  for (let p = 0; p < points; p++) {
    let rest = p;
    for (let d = k - 1; d >= 0; d--) {
      const i = rest % spatial[d]!;
      rest = Math.floor(rest / spatial[d]!);
      base[p * (k + 1) + (k - 1 - d)] = axes[d]![i]!;
    }
    base[p * (k + 1) + k] = 1;
  }
  const grid = noGrad(() => fromTypedArray(base, [points, k + 1], theta.dtype).to(theta.storage.device));
  return reshape(matmul(grid, transpose(theta, 1, 2)), [n, ...spatial, k]);
}

/** linspace(−1, 1, steps) as PyTorch computes it, scaled by (steps − 1)/steps unless alignCorners. */
function linspaceFromNegOne(steps: number, alignCorners: boolean, r: (v: number) => number): number[] {
  if (steps <= 1) return [0];
  const step = r(2 / (steps - 1));
  const halfway = Math.floor(steps / 2);
  return Array.from({ length: steps }, (_, i) => {
    const v = i < halfway ? r(-1 + r(step * i)) : r(1 - r(step * (steps - i - 1)));
    return alignCorners ? v : r(r(v * (steps - 1)) / steps);
  });
}
