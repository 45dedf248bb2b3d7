/**
 * F.interpolate (PyTorch 1.13's): resizes the spatial dims of [N, C, L], [N, C, H, W] or
 * [N, C, D, H, W] to `size`, or by `scaleFactor`, with a mode:
 *
 *   nearest         src = min(⌊dst·s⌋, in − 1)             (s = in/out, or 1/scaleFactor; float32 maths)
 *   nearest-exact   src = min(⌊(dst + ½)·s⌋, in − 1)
 *   linear, bilinear, trilinear (3-, 4-, 5-D)
 *                   x(src) = (1 − λ)·x[i] + λ·x[i + 1],  src = s·(dst + ½) − ½ clamped at 0, i = ⌊src⌋
 *                   (alignCorners: src = dst·(in − 1)/(out − 1))
 *   bicubic (4-D)   4 taps x[i − 1 … i + 2] (clamped to the edge) with Keys' cubic, A = −0.75
 *   area            adaptive average pooling to the output size
 *
 * The interpolating modes are separable: each spatial dim, innermost first, is resampled by a
 * weighted sum of taps (resample.ts) — PyTorch's order of operations, in its precision (the
 * weights in float32 for float32 inputs). Nearest re-indexes (reindex.ts). Both carry their own
 * linear gradients.
 */
import { formatShape, OptionError, ShapeError } from "../../errors.js";
import { requireFloating } from "../../ops/helpers.js";
import { clone, reshape, squeeze, unsqueeze } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { positionalOrOptions } from "./options.js";
import { adaptiveAvgPool2d } from "./pooling.js";
import { reindexDims, type DimMap } from "./reindex.js";
import { resampleDim, type Taps } from "./resample.js";

export type InterpolateMode = "nearest" | "nearest-exact" | "linear" | "bilinear" | "bicubic" | "trilinear" | "area";

export interface InterpolateOptions {
  /** The output's spatial size (one number for every spatial dim, or one per dim). */
  size?: number | readonly number[];
  /** Multiplier of each spatial size (output size ⌊in·scaleFactor⌋). Give size or scaleFactor. */
  scaleFactor?: number | readonly number[];
  mode?: InterpolateMode;
  /** linear modes only: align the corner pixels' centres instead of their edges (default false). */
  alignCorners?: boolean;
  /** Compute the sampling from the output size instead of the given scaleFactor. */
  recomputeScaleFactor?: boolean;
}

const MODES: readonly string[] = ["nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area"];
/** The input rank each interpolating mode needs. */
const RANK: Record<string, number> = { linear: 3, bilinear: 4, bicubic: 4, trilinear: 5 };

/** One spatial dim: its sizes and the scale factor handed to the sampling (PyTorch's `scales`). */
interface Axis {
  dim: number;
  inSize: number;
  outSize: number;
  scale: number | undefined;
}

/** Resizes `input` (PyTorch's F.interpolate). Also `interpolate(x, size, scaleFactor, mode, alignCorners, recomputeScaleFactor)`. */
export function interpolate(input: Tensor, options?: InterpolateOptions): Tensor;
export function interpolate(
  input: Tensor,
  size?: number | readonly number[] | null,
  scaleFactor?: number | readonly number[] | null,
  mode?: InterpolateMode,
  alignCorners?: boolean | null,
  recomputeScaleFactor?: boolean | null,
): Tensor;
export function interpolate(input: Tensor, ...args: unknown[]): Tensor {
  const options = positionalOrOptions<InterpolateOptions>("interpolate", args.map((a) => (a === null ? undefined : a)), ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor"]);
  return interpolateImpl("interpolate", input, options);
}

/** The body of F.interpolate and nn.Upsample; `name` starts every error message. */
export function interpolateImpl(name: string, input: Tensor, options: InterpolateOptions): Tensor {
  const { size, scaleFactor, mode = "nearest", alignCorners, recomputeScaleFactor } = options;
  if (!MODES.includes(mode)) throw new OptionError(`${name}: unknown mode ${JSON.stringify(mode)}; expected one of ${MODES.join(", ")}`);
  const linear = mode in RANK;
  if (!linear && alignCorners !== undefined) {
    throw new OptionError(`${name}: alignCorners can only be set with the interpolating modes linear, bilinear, bicubic and trilinear (mode is "${mode}")`);
  }
  if (input.ndim < 3 || input.ndim > 5) {
    throw new ShapeError(`${name}: expected a 3-D, 4-D or 5-D input [N, C, ...spatial], got ${formatShape(input.shape)} (mode "${mode}")`);
  }
  if (linear && input.ndim !== RANK[mode]) throw new ShapeError(`${name}: got a ${input.ndim}-D input ${formatShape(input.shape)}, but ${mode} mode needs a ${RANK[mode]}-D input`);
  if (mode !== "nearest" && mode !== "nearest-exact") requireFloating(name, input);
  if (recomputeScaleFactor === true && size !== undefined) throw new OptionError(`${name}: recomputeScaleFactor is not meaningful with an explicit size`);
  // area pools to the output size: the scale factor only sizes the output
  const axes = outputAxes(name, input, size, scaleFactor, recomputeScaleFactor === true || mode === "area");
  if (mode === "area") return area(input, axes.map((a) => a.outSize));
  if (mode === "nearest" || mode === "nearest-exact") {
    const exact = mode === "nearest-exact";
    const maps: DimMap[] = axes.filter((a) => exact || a.outSize !== a.inSize).map((a) => [a.dim, nearestMap(a, exact)]);
    const k = axes.length;
    if (maps.length === 0) return clone(input);
    return reindexDims(exact ? `UpsampleNearestExact${k}DBackward1` : `UpsampleNearest${k}DBackward1`, input, maps);
  }
  const f32 = input.dtype === "float32";
  const node = `Upsample${mode[0]!.toUpperCase()}${mode.slice(1)}${axes.length}DBackward1`;
  let out = input;
  // innermost dim first, as PyTorch's kernel nests its sums
  const steps = axes
    .slice()
    .reverse()
    .map((axis) => [axis, mode === "bicubic" ? cubicTaps(axis, alignCorners ?? false, f32) : linearTaps(axis, alignCorners ?? false, f32)] as const)
    .filter(([, taps]) => taps !== null);
  steps.forEach(([axis, taps], i) => (out = resampleDim(i === steps.length - 1 ? node : "ResampleBackward", out, axis.dim, taps!)));
  return out === input ? clone(input) : out;
}

/** The output size of each spatial dim, and the scale factor the sampling sees. */
function outputAxes(name: string, input: Tensor, size: InterpolateOptions["size"], scaleFactor: InterpolateOptions["scaleFactor"], recompute: boolean): Axis[] {
  const k = input.ndim - 2;
  const perDim = (v: number | readonly number[], what: string): number[] => {
    const list = typeof v === "number" ? new Array<number>(k).fill(v) : Array.isArray(v) ? v.slice() : null;
    if (list === null) throw new TypeError(`${name}: expected ${what} to be a number or an array of ${k} numbers, got ${typeof v}`);
    if (list.length !== k) {
      throw new ShapeError(`${name}: the input has ${k} spatial dim${k === 1 ? "" : "s"} (${formatShape(input.shape)}) but ${what} has ${list.length} values (${formatShape(list)})`);
    }
    return list;
  };
  if (size !== undefined && scaleFactor !== undefined) throw new OptionError(`${name}: only one of size or scaleFactor should be given`);
  if (size === undefined && scaleFactor === undefined) throw new OptionError(`${name}: either size or scaleFactor should be given`);
  const spatial = input.shape.slice(2);
  let axes: Axis[];
  if (size !== undefined) {
    axes = perDim(size, "size").map((s, i) => ({ dim: i + 2, inSize: spatial[i]!, outSize: s, scale: undefined }));
  } else {
    const factors = perDim(scaleFactor!, "scaleFactor");
    if (factors.some((f) => !(f > 0) || !Number.isFinite(f))) throw new OptionError(`${name}: scaleFactor must be positive, got ${formatShape(factors)}`);
    axes = factors.map((f, i) => ({ dim: i + 2, inSize: spatial[i]!, outSize: Math.floor(spatial[i]! * f), scale: recompute ? undefined : f }));
  }
  if (axes.some((a) => !Number.isInteger(a.outSize) || a.outSize <= 0 || a.inSize <= 0)) {
    throw new ShapeError(`${name}: input and output sizes should be greater than 0, but got input ${formatShape(spatial)} and output ${formatShape(axes.map((a) => a.outSize))}`);
  }
  return axes;
}

const fround = Math.fround;
const identity = (v: number) => v;

/** in/out, or 1/scale when a scale factor was given (PyTorch's compute_scales_value). */
function scaleOf(a: Axis, round: (v: number) => number): number {
  return a.scale !== undefined && a.scale > 0 ? round(1 / a.scale) : round(a.inSize / a.outSize);
}

/** Source positions of nearest(-exact), computed in float32 as PyTorch does for every dtype. */
function nearestMap(a: Axis, exact: boolean): Int32Array {
  const map = new Int32Array(a.outSize);
  const scale = scaleOf(a, fround);
  for (let i = 0; i < a.outSize; i++) {
    if (!exact && a.outSize === 2 * a.inSize) map[i] = i >> 1;
    else map[i] = Math.min(Math.floor(fround((exact ? fround(i + 0.5) : i) * scale)), a.inSize - 1);
  }
  return map;
}

/** Where output i samples the input (PyTorch's area_pixel_compute_source_index), in the op's precision. */
function sourcePosition(a: Axis, alignCorners: boolean, cubic: boolean, r: (v: number) => number): (i: number) => number {
  if (alignCorners) {
    const scale = a.outSize > 1 ? r((a.inSize - 1) / (a.outSize - 1)) : 0;
    return (i) => r(scale * i);
  }
  const scale = scaleOf(a, r);
  return (i) => {
    // scale·(dst + 0.5) − 0.5 with a double 0.5, so in double, rounded once (C++'s promotion)
    const src = r(scale * (i + 0.5) - 0.5);
    return !cubic && src < 0 ? 0 : src;
  };
}

/** Two taps per output: (1 − λ) at ⌊src⌋ and λ at the next (the same at the last). Null when sizes are equal (a copy). */
function linearTaps(a: Axis, alignCorners: boolean, f32: boolean): Taps | null {
  if (a.outSize === a.inSize) return null;
  const r = f32 ? fround : identity;
  const at = sourcePosition(a, alignCorners, false, r);
  const taps: Taps = { index: [new Int32Array(a.outSize), new Int32Array(a.outSize)], weight: [new Float64Array(a.outSize), new Float64Array(a.outSize)] };
  for (let i = 0; i < a.outSize; i++) {
    const src = at(i);
    const i0 = Math.trunc(src);
    const lambda1 = Math.min(Math.max(r(src - i0), 0), 1);
    taps.index[0]![i] = i0;
    taps.index[1]![i] = i0 + (i0 < a.inSize - 1 ? 1 : 0);
    taps.weight[0]![i] = r(1 - lambda1);
    taps.weight[1]![i] = lambda1;
  }
  return taps;
}

/** Keys' cubic convolution weights of the four taps around src, A = −0.75 (PyTorch's get_cubic_upsample_coefficients). */
function cubicTaps(a: Axis, alignCorners: boolean, f32: boolean): Taps {
  const r = f32 ? fround : identity;
  const A = -0.75;
  const near = (x: number) => r(r(r(r(r(r((A + 2) * x) - (A + 3)) * x) * x) + 1)); // |x| ≤ 1
  const far = (x: number) => r(r(r(r(r(r(r(A * x) - 5 * A) * x) + 8 * A) * x) - 4 * A)); // 1 < |x| < 2
  const at = sourcePosition(a, alignCorners, true, r);
  const taps: Taps = { index: [0, 1, 2, 3].map(() => new Int32Array(a.outSize)), weight: [0, 1, 2, 3].map(() => new Float64Array(a.outSize)) };
  for (let i = 0; i < a.outSize; i++) {
    const src = at(i);
    const i0 = Math.min(Math.floor(src), a.inSize - 1);
    const t = Math.min(Math.max(r(src - i0), 0), 1);
    const w = [far(r(t + 1)), near(t), near(r(1 - t)), far(r(r(1 - t) + 1))];
    for (let k = 0; k < 4; k++) {
      taps.index[k]![i] = Math.max(Math.min(i0 + k - 1, a.inSize - 1), 0);
      taps.weight[k]![i] = w[k]!;
    }
  }
  return taps;
}

/** Adaptive average pooling to `size`: 3-D and 4-D directly, 5-D as (H, W) then D. */
function area(input: Tensor, size: number[]): Tensor {
  if (input.ndim === 3) return squeeze(adaptiveAvgPool2d(unsqueeze(input, 2), [1, size[0]!]), 2);
  if (input.ndim === 4) return adaptiveAvgPool2d(input, size);
  const [n, c, d, h, w] = input.shape as [number, number, number, number, number];
  const [od, oh, ow] = size as [number, number, number];
  const planes = adaptiveAvgPool2d(reshape(input, [n, c * d, h, w]), [oh, ow]);
  const depth = adaptiveAvgPool2d(reshape(planes, [n, c, d, oh * ow]), [od, oh * ow]);
  return reshape(depth, [n, c, od, oh, ow]);
}
