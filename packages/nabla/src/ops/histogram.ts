/**
 * Counting values: bincount (occurrences of each non-negative integer, optionally weighted) and
 * histc (equal-width bins between min and max). Both follow PyTorch's CPU kernels number for
 * number: bincount adds float32 weights in float32, histc finds a value's bin by PyTorch's
 * division (x − min)·bins/(max − min) in the input's precision, the last bin closed on the right,
 * values outside [min, max] left out. NaNs are left out too, as in PyTorch 2 (1.13's kernel counts
 * them into the first bin). Neither is differentiable (nor in PyTorch).
 */
import { sameDevice, webgpuContext } from "../backend/device.js";
import { BINCOUNT_SHADER, BINCOUNT_WEIGHTED_SHADER, HISTC_SHADER } from "../backend/webgpu/wgsl-histogram.js";
import { DTypeError, OptionError, ShapeError } from "../errors.js";
import { isFloating, type TypedArray } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { INTEGER, NUMBER, readArgs, requireTensor, TENSOR, type WithOptions } from "./arguments.js";
import { toDType } from "./elementwise.js";
import { emptyTensor } from "./helpers.js";
import { max as maxOf, min as minOf } from "./reduce.js";
import { stack } from "./join.js";
import { contiguous } from "./shape.js";
import { indexOn } from "../tensor/transfer.js";

/**
 * The smallest and largest value of x on the webgpu device, read back (int32 bits; the one
 * synchronous read bincount and histc's default range make: the result depends on them, as
 * PyTorch's CUDA forms read them too).
 */
function extremesOnDevice(op: string, x: Tensor): Int32Array {
  const both = contiguous(stack([minOf(x), maxOf(x)]));
  return webgpuContext(op).readSizeSync(op, both.storage.gpu, both.offset, 2);
}

export interface BincountOptions {
  /** A weight per input element, summed instead of counting 1. */
  weights?: Tensor;
  /** The output has at least this many bins (default 0). */
  minlength?: number;
}

/** Kernel: adds weights[i] (or 1) into out[values[i]]; out's own type rounds each sum. */
export function bincountInto(values: TypedArray, weights: TypedArray | null, out: TypedArray): void {
  for (let i = 0; i < values.length; i++) out[values[i]!]! += weights === null ? 1 : weights[i]!;
}

/**
 * How often each value 0 … max(x) occurs in the 1-D int32 tensor x (int32 counts), or the sum of
 * its weights (float32 for float32 weights, float64 otherwise, as PyTorch).
 */
export function bincount(input: Tensor, ...args: WithOptions<[weights: Tensor, minlength: number], BincountOptions>): Tensor {
  const x = requireTensor("bincount", "input", input);
  const { weights: given, minlength = 0 } = readArgs<BincountOptions>("bincount", args, [
    ["weights", TENSOR],
    ["minlength", INTEGER],
  ]);
  let weights = given;
  if (minlength < 0) throw new OptionError(`bincount: minlength should be >= 0, but got ${minlength}`);
  if (x.ndim !== 1 || x.dtype !== "int32") {
    throw new DTypeError(`bincount: only supports 1-d non-negative integral inputs (int32), but got a ${x.ndim}-d ${x.dtype} tensor`);
  }
  if (weights !== undefined && (weights.ndim !== 1 || weights.shape[0] !== x.shape[0])) {
    throw new ShapeError(`bincount: weights should be 1-d and have the same length as input (${x.shape[0]}), but got shape [${weights.shape.join(", ")}]`);
  }
  let counted = x;
  if (weights !== undefined && weights.dtype !== "float32") {
    // weights other than float32 sum in float64, which stays on the CPU (WGSL has no f64): the
    // values follow there as an index does, and device weights are read back (counted)
    counted = indexOn("bincount", x, "cpu");
    if (weights.storage.device !== "cpu") weights = weights.detach().to("cpu");
  } else if (x.storage.device !== "cpu") return bincountOnDevice(x, weights, minlength);
  const values = counted.toTypedArray();
  let top = -1;
  for (const v of values) {
    if (v < 0) throw new ShapeError(`bincount: only supports 1-d non-negative integral inputs, but got the value ${v}`);
    top = Math.max(top, v);
  }
  const dtype = weights === undefined ? "int32" : weights.dtype === "float32" ? "float32" : "float64";
  const out = emptyTensor([Math.max(top + 1, minlength)], dtype);
  bincountInto(values, weights === undefined ? null : weights.toTypedArray(), out.storage.data);
  return out;
}

/**
 * bincount on the webgpu device (wgsl-histogram.ts): the smallest and largest value read back
 * (the result's length, and the CPU's error for a negative value), then counted with integer
 * atomics, or float32 weights summed per bin in input order (other weights make a float64
 * result, computed on the CPU by bincount).
 */
function bincountOnDevice(x: Tensor, weights: Tensor | undefined, minlength: number): Tensor {
  const device = sameDevice("bincount", weights === undefined ? [x] : [x, weights]);
  const n = x.numel();
  let top = -1;
  if (n > 0) {
    const [low, high] = extremesOnDevice("bincount", x);
    if (low! < 0) throw new ShapeError(`bincount: only supports 1-d non-negative integral inputs, but got the value ${low}`);
    top = high!;
  }
  const bins = Math.max(top + 1, minlength);
  const out = emptyTensor([bins], weights === undefined ? "int32" : "float32", "bincount", device);
  if (n === 0 || bins === 0) return out;
  const gpu = webgpuContext("bincount");
  const values = contiguous(x);
  if (weights === undefined) {
    gpu.threads("bincount", () => BINCOUNT_SHADER, [values.storage.gpu, out.storage.gpu], [n, values.offset, bins, 0], n);
  } else {
    const w = contiguous(weights.detach());
    gpu.threads("bincount:weighted", () => BINCOUNT_WEIGHTED_SHADER, [values.storage.gpu, out.storage.gpu, w.storage.gpu], [n, values.offset, bins, w.offset], bins);
  }
  return out;
}

export interface HistcOptions {
  /** Number of equal-width bins (default 100). */
  bins?: number;
  /** Lower edge; with max equal to it (both 0 by default) the data's minimum and maximum are used. */
  min?: number;
  /** Upper edge. */
  max?: number;
}

/**
 * Kernel: counts each value of `data` into its bin between `lo` and `hi` (already in the
 * input's precision); `round` rounds every step to that precision (Math.fround for float32).
 */
export function histcInto(data: TypedArray, lo: number, hi: number, bins: number, round: (v: number) => number, out: TypedArray): void {
  const width = round(hi - lo);
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!(x >= lo && x <= hi)) continue;
    let pos = Math.trunc(round(round(round(x - lo) * bins) / width));
    if (pos === bins) pos -= 1; // the last bin holds its right edge
    out[pos]!++;
  }
}

/** A histogram of the values of a float tensor: `bins` equal-width bins over [min, max]. */
export function histc(input: Tensor, ...args: WithOptions<[bins: number, min: number, max: number], HistcOptions>): Tensor {
  const x = requireTensor("histc", "input", input);
  const { bins = 100, min = 0, max = 0 } = readArgs<HistcOptions>("histc", args, [
    ["bins", INTEGER],
    ["min", NUMBER],
    ["max", NUMBER],
  ]);
  if (!isFloating(x.dtype)) throw new DTypeError(`histc: expected a floating point input (float32 or float64), got ${x.dtype}`);
  if (bins <= 0) throw new OptionError(`histc: bins must be > 0, but got ${bins}`);
  const onDevice = x.storage.device !== "cpu";
  const data = onDevice ? null : x.toTypedArray();
  let lo = min;
  let hi = max;
  if (onDevice && lo === hi && x.numel() > 0) {
    // aminmax on the device (a NaN makes both NaN), read back
    const extremes = new Float32Array(extremesOnDevice("histc", x.detach()).buffer);
    lo = extremes[0]!;
    hi = extremes[1]!;
  } else if (data !== null && lo === hi && data.length > 0) {
    lo = Infinity;
    hi = -Infinity;
    for (const v of data) {
      // aminmax: a NaN makes both NaN
      if (v !== v) lo = hi = NaN;
      else if (lo === lo) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new OptionError(`histc: range of [${lo}, ${hi}] is not finite`);
  if (!(lo < hi)) throw new OptionError(`histc: max must be larger than min (got min ${lo}, max ${hi})`);
  const round = x.dtype === "float32" ? Math.fround : (v: number) => v;
  if (data === null) return histcOnDevice(x, round(lo), round(hi), bins);
  const out = emptyTensor([bins], x.dtype);
  histcInto(data, round(lo), round(hi), bins, round, out.storage.data);
  return out;
}

/** histc on the webgpu device: u32 counts added atomically per bin (exact), then float32 (wgsl-histogram.ts). */
function histcOnDevice(x: Tensor, lo: number, hi: number, bins: number): Tensor {
  const values = contiguous(x.detach());
  const counts = emptyTensor([bins], "int32", "histc", x.storage.device);
  const bounds = new Int32Array(new Float32Array([lo, hi]).buffer);
  webgpuContext("histc").threads("histc", () => HISTC_SHADER, [values.storage.gpu, counts.storage.gpu], [values.numel(), values.offset, bins, bounds[0]!, bounds[1]!], values.numel());
  return toDType(counts, "float32");
}
