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
 * gradient rules (±1 per reflection; 0 at and beyond the clamp's bounds). Everything is computed
 * on the grid's device: on webgpu no value is read back and nothing is uploaded (issue 13).
 *
 *   affineGrid(θ [N, 2, 3], [N, C, H, W]) → grid [N, H, W, 2] = [x, y, 1]·θᵀ over the pixel centres
 */
import { noGrad } from "../../autograd/grad-mode.js";
import type { Device } from "../../backend/device.js";
import { DTypeError, formatShape, OptionError, ShapeError } from "../../errors.js";
import { add, div, lt, mul, sub, toDType, where } from "../../ops/elementwise.js";
import { filledTensor, fromTypedArray } from "../../ops/helpers.js";
import { gather } from "../../ops/indexing.js";
import { stack } from "../../ops/join.js";
import { matmul } from "../../ops/matmul.js";
import { callPointwise } from "../../ops/pointwise/call.js";
import { floor as floorOp, round as roundOp } from "../../ops/pointwise/declarations/math.js";
import { cumsum } from "../../ops/scan.js";
import { expand, reshape, select, transpose, unsqueeze } from "../../ops/shape.js";
import { isFloating, type DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { clipCoordinates, reflectCoordinates, tapIndex2, tapIndex3, tapInside2, tapInside3, tapPosition } from "./grid-sample-coordinates.js";
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
  const sizes = Array.from({ length: k }, (_, j) => spatial[k - 1 - j]!);
  const u = sizes.map((size, j) => placeInside(unnormalize(reshape(select(grid, -1, j), [n, points]), size, alignCorners), size, paddingMode, alignCorners));
  const flat = reshape(input, [n, c, spatial.reduce((a, b) => a * b, 1)]);
  const strides = sizes.map((_, j) => spatial.slice(k - j).reduce((a, b) => a * b, 1));
  let out: Tensor;
  if (mode === "nearest") {
    // round half to even (C's nearbyint, which PyTorch uses; WGSL's round); no gradient for the grid
    const taps = new Taps(flat, sizes, strides, noGrad(() => u.map((t) => callPointwise(roundOp, [t]))));
    out = taps.sample(sizes.map(() => 0));
  } else {
    const floors = noGrad(() => u.map((t) => callPointwise(floorOp, [t])));
    const taps = new Taps(flat, sizes, strides, floors);
    // the fractional parts u − ⌊u⌋ carry the gradient for the grid
    const frac = u.map((t, j) => sub(t, floors[j]!));
    let sum: Tensor | null = null;
    for (let corner = 0; corner < 1 << k; corner++) {
      const bit = (j: number) => (corner >> j) & 1;
      let weight: Tensor | null = null;
      for (let j = k - 1; j >= 0; j--) {
        const f = bit(j) ? frac[j]! : sub(1, frac[j]!);
        weight = weight === null ? f : mul(weight, f);
      }
      const term = mul(taps.sample(sizes.map((_, j) => bit(j))), unsqueeze(weight!, 1));
      sum = sum === null ? term : add(sum, term);
    }
    out = sum!;
  }
  return reshape(out, [n, c, ...outSpatial]);
}

/**
 * Reads the input at the integer points base + shift (base: each coordinate's floored or rounded
 * position [N, points], shift 0 or 1 per coordinate); a point with a coordinate outside [0, size)
 * (or NaN) reads index 0 and is masked to 0 (zeros padding). On the webgpu device each
 * coordinate's offset (position · stride, −1 outside) and each point's flat index are fused
 * kernels over int32 (grid-sample-coordinates.ts), so nothing is read back or uploaded; on the
 * CPU one loop over the positions' values makes them (cheaper there than a dozen small kernels).
 */
class Taps {
  private readonly n: number;
  private readonly points: number;
  /** webgpu: the int32 offsets by coordinate and shift, shared by the corners. */
  private readonly offsets = new Map<string, Tensor>();

  constructor(
    private readonly flat: Tensor,
    private readonly sizes: readonly number[],
    private readonly strides: readonly number[],
    private readonly base: readonly Tensor[],
  ) {
    [this.n, this.points] = base[0]!.shape as [number, number];
  }

  /** x at the points base + shifts: [N, C, points]. */
  sample(shifts: readonly number[]): Tensor {
    const { n, points } = this;
    const c = this.flat.shape[1]!;
    const [index, inside] = noGrad(() => (this.flat.storage.device === "cpu" ? this.onHost(shifts) : this.onDevice(shifts)));
    return where(reshape(inside, [n, 1, points]), gather(this.flat, 2, expand(reshape(index, [n, 1, points]), [n, c, points])), 0);
  }

  private onDevice(shifts: readonly number[]): [Tensor, Tensor] {
    const offsets = shifts.map((shift, j) => {
      const key = `${j}:${shift}`;
      let offset = this.offsets.get(key);
      if (offset === undefined) {
        const p = toDType(callPointwise(tapPosition, [this.base[j]!], [this.sizes[j]!, shift]), "int32");
        // −1 stays negative under the (positive) stride
        offset = this.strides[j] === 1 ? p : mul(p, this.strides[j]!);
        this.offsets.set(key, offset);
      }
      return offset;
    });
    const [index, inside] = offsets.length === 2 ? [tapIndex2, tapInside2] : [tapIndex3, tapInside3];
    return [callPointwise(index, offsets), callPointwise(inside, offsets)];
  }

  private onHost(shifts: readonly number[]): [Tensor, Tensor] {
    const values = this.base.map((t) => t.toTypedArray());
    const total = this.n * this.points;
    const index = new Int32Array(total);
    const inside = new Uint8Array(total);
    for (let p = 0; p < total; p++) {
      let flatIndex = 0;
      let ok = 1;
      for (let j = 0; j < shifts.length; j++) {
        const at = values[j]![p]! + shifts[j]!;
        if (!(at >= 0 && at < this.sizes[j]!)) {
          ok = 0;
          continue;
        }
        flatIndex += at * this.strides[j]!;
      }
      index[p] = flatIndex;
      inside[p] = ok;
    }
    return [fromTypedArray(index, [this.n, this.points], "int32"), fromTypedArray(inside, [this.n, this.points], "bool")];
  }
}

/** Grid value g ∈ [−1, 1] → pixel position: (g + 1)·(size − 1)/2, or (g + 1)·size/2 − ½. */
function unnormalize(g: Tensor, size: number, alignCorners: boolean): Tensor {
  return alignCorners ? mul(add(g, 1), (size - 1) / 2) : sub(mul(add(g, 1), size / 2), 0.5);
}

/** The padding mode's position (grid-sample-coordinates.ts): unchanged (zeros), clamped (border), reflected then clamped. */
function placeInside(u: Tensor, size: number, paddingMode: string, alignCorners: boolean): Tensor {
  if (paddingMode === "zeros") return u;
  const inside = paddingMode === "border" ? u : callPointwise(reflectCoordinates, [u], [alignCorners ? 2 * (size - 1) : 2 * size, alignCorners ? 0 : 0.5]);
  return callPointwise(clipCoordinates, [inside], [size - 1]);
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
  const grid = noGrad(() => baseGrid(spatial, alignCorners, theta.dtype, theta.storage.device));
  return reshape(matmul(grid, transpose(theta, 1, 2)), [n, ...spatial, k]);
}

/**
 * base[p] = (x, y[, z], 1) at pixel p, x running along the last dim: [points, k + 1], made on
 * `device` from a fill and a cumulative sum (no upload).
 */
function baseGrid(spatial: readonly number[], alignCorners: boolean, dtype: DType, device: Device): Tensor {
  const k = spatial.length;
  const columns = Array.from({ length: k }, (_, j) => {
    const d = k - 1 - j; // coordinate j runs along spatial dim d
    const axis = linspaceFromNegOne(spatial[d]!, alignCorners, dtype, device);
    return expand(reshape(axis, spatial.map((s, e) => (e === d ? s : 1))), spatial);
  });
  columns.push(filledTensor(spatial, dtype, 1, device));
  return reshape(stack(columns, -1), [spatial.reduce((a, b) => a * b, 1), k + 1]);
}

/**
 * linspace(−1, 1, steps) as PyTorch computes it (the first half from −1, the second from 1, in the
 * dtype's arithmetic), scaled by (steps − 1)/steps unless alignCorners.
 */
function linspaceFromNegOne(steps: number, alignCorners: boolean, dtype: DType, device: Device): Tensor {
  if (steps <= 1) return filledTensor([1], dtype, 0, device);
  const i = sub(cumsum(filledTensor([steps], dtype, 1, device), 0), 1);
  // the step is the dtype's: float32 rounds 2/(steps − 1) first, as PyTorch's float linspace
  const step = dtype === "float32" ? Math.fround(2 / (steps - 1)) : 2 / (steps - 1);
  const v = where(lt(i, Math.floor(steps / 2)), add(mul(i, step), -1), sub(1, mul(sub(steps - 1, i), step)));
  return alignCorners ? v : div(mul(v, steps - 1), steps);
}
