/**
 * F.pad (PyTorch's torch.nn.functional.pad): pads the last dims, in PyTorch's order — [left,
 * right] of the last dim, then [top, bottom] of the one before, … — with a mode:
 *
 *   constant   the value (default 0)                     any dims; negative pads crop
 *   reflect    x[1], x[0] | x[0] … x[n−1] | x[n−2]       2·k pads on a (k+1)-D or (k+2)-D input, k ≤ 3; pad < size
 *   replicate  x[0], x[0] | x[0] … x[n−1] | x[n−1]       as reflect, any pad
 *   circular   x[n−1]    | x[0] … x[n−1] | x[0]          2·k pads on a (k+2)-D input; pad ≤ size
 *
 * A negative pad crops first (in every mode). The non-constant modes re-index each padded dim
 * (reindex.ts), so their gradient sums the copies back. An unknown mode is an OptionError.
 */
import { formatShape, OptionError, ShapeError } from "../../errors.js";
import { narrow } from "../../ops/shape.js";
import { pad as constantPad } from "../../ops/unfold.js";
import type { Tensor } from "../../tensor/tensor.js";
import { describeArg } from "./options.js";
import { checkOptions, optionKeys } from "../../ops/options.js";
import { reindexDims, type DimMap } from "./reindex.js";

export type PadMode = "constant" | "reflect" | "replicate" | "circular";

export interface PadOptions {
  mode?: PadMode;
  /** The fill value of mode "constant" (default 0). */
  value?: number;
}

const PAD_KEYS = optionKeys<PadOptions>({ mode: true, value: true });

const MODES: readonly string[] = ["constant", "reflect", "replicate", "circular"];

/** Reads `pad(x, pads, options)`, `pad(x, pads, mode, value)` (PyTorch's order) and `pad(x, pads, value)`. */
function padArgs(args: readonly unknown[]): { mode: string; value: number | undefined } {
  const [first, second] = args;
  if (args.length > 2) throw new TypeError(`pad: takes at most 2 arguments after the paddings (mode, value), got ${args.length}`);
  if (first === undefined) return { mode: "constant", value: second as number | undefined };
  if (typeof first === "string") return { mode: first, value: second as number | undefined };
  if (typeof first === "number" && args.length === 1) return { mode: "constant", value: first };
  if (typeof first === "object" && first !== null && !Array.isArray(first) && args.length === 1) {
    checkOptions("pad", first, PAD_KEYS);
    const { mode = "constant", value } = first as PadOptions;
    return { mode, value };
  }
  throw new TypeError(`pad: expected a mode string or an options object { mode, value } after the paddings, got ${describeArg(first)}${args.length > 1 ? ` and ${describeArg(second)}` : ""}`);
}

/** Pads (or, with negative values, crops) the last dims of `input`. */
export function pad(input: Tensor, pads: readonly number[], options?: PadOptions): Tensor;
export function pad(input: Tensor, pads: readonly number[], mode: PadMode, value?: number): Tensor;
export function pad(input: Tensor, pads: readonly number[], value: number): Tensor;
export function pad(input: Tensor, pads: readonly number[], ...args: unknown[]): Tensor {
  if (!Array.isArray(pads) || pads.some((p) => !Number.isInteger(p))) throw new TypeError(`pad: expected the paddings to be an array of integers, got ${Array.isArray(pads) ? JSON.stringify(pads) : describeArg(pads)}`);
  const { mode, value } = padArgs(args);
  if (!MODES.includes(mode)) throw new OptionError(`pad: unknown mode ${JSON.stringify(mode)}; expected one of ${MODES.map((m) => `"${m}"`).join(", ")}`);
  if (value !== undefined && typeof value !== "number") throw new TypeError(`pad: expected value to be a number, got ${describeArg(value)}`);
  if (pads.length % 2 !== 0) throw new ShapeError(`pad: padding length must be divisible by 2, got ${pads.length} (${formatShape(pads)})`);
  const k = pads.length / 2;
  if (k > input.ndim) throw new ShapeError(`pad: padding length too large: ${pads.length} values pad ${k} dims of a ${input.ndim}-D input ${formatShape(input.shape)}`);
  if (mode === "constant") return constantWithCrop(input, pads, value ?? 0);
  if (value !== undefined && value !== 0) throw new OptionError(`pad: mode "${mode}" doesn't take a value, got ${value}`);
  const dimsOk = mode === "circular" ? input.ndim === k + 2 : input.ndim === k + 1 || input.ndim === k + 2;
  if (k < 1 || k > 3 || !dimsOk) {
    const need = mode === "circular" ? `a ${k + 2}-D input` : `a ${k + 1}-D or ${k + 2}-D input`;
    throw new ShapeError(`pad: ${mode} padding of ${k} dim${k === 1 ? "" : "s"} (${pads.length} values) needs ${k >= 1 && k <= 3 ? need : "2, 4 or 6 values"}, got input ${formatShape(input.shape)}`);
  }
  const maps: DimMap[] = [];
  for (let i = 0; i < k; i++) {
    const d = input.ndim - 1 - i;
    maps.push([d, padMap(mode, input, d, pads[2 * i]!, pads[2 * i + 1]!)]);
  }
  // (PyTorch 1.13 pads circularly by copying slices into a new tensor: its node is CopySlices)
  if (mode === "circular") return reindexDims("CopySlices", input, maps);
  return reindexDims(`${mode === "reflect" ? "ReflectionPad" : "ReplicationPad"}${k}DBackward0`, input, maps);
}

/** Constant padding; negative pads first narrow the input. */
function constantWithCrop(input: Tensor, pads: readonly number[], value: number): Tensor {
  let x = input;
  const positive = pads.map((p) => Math.max(p, 0));
  for (let i = 0; i < pads.length / 2; i++) {
    const d = input.ndim - 1 - i;
    const [l, r] = [pads[2 * i]!, pads[2 * i + 1]!];
    if (l >= 0 && r >= 0) continue;
    const length = x.shape[d]! - Math.max(-l, 0) - Math.max(-r, 0);
    if (length + positive[2 * i]! + positive[2 * i + 1]! < 0) {
      throw new ShapeError(`pad: the input size ${x.shape[d]} at dim ${d} plus padding (${l}, ${r}) is negative (input ${formatShape(input.shape)})`);
    }
    x = narrow(x, d, Math.max(-l, 0), Math.max(length, 0));
  }
  return constantPad(x, positive, value);
}

/** For each output position along d, the input position the mode reads (after cropping negative pads). */
function padMap(mode: string, input: Tensor, d: number, left: number, right: number): Int32Array {
  const size = input.shape[d]!;
  const start = Math.max(-left, 0);
  const n = size - start - Math.max(-right, 0); // the cropped length
  const [l, r] = [Math.max(left, 0), Math.max(right, 0)];
  const where = `padding (${left}, ${right}) at dim ${d} of input ${formatShape(input.shape)}`;
  if (n < 0 || n + l + r < 0) throw new ShapeError(`pad: ${where} leaves a negative size`);
  if (n === 0 && l + r > 0) throw new ShapeError(`pad: ${mode} padding needs a non-empty input dim: ${where}`);
  if (mode === "reflect" && (l >= n || r >= n)) throw new ShapeError(`pad: padding size should be less than the corresponding input dimension for mode "reflect": ${where}`);
  if (mode === "circular" && (l > n || r > n)) throw new ShapeError(`pad: padding value causes wrapping around more than once (mode "circular"): ${where}`);
  const map = new Int32Array(l + n + r);
  for (let j = 0; j < map.length; j++) {
    const k = j - l; // position relative to the cropped input
    let src: number;
    if (mode === "reflect") src = k < 0 ? -k : k >= n ? 2 * (n - 1) - k : k;
    else if (mode === "replicate") src = Math.min(Math.max(k, 0), n - 1);
    else src = ((k % n) + n) % n;
    map[j] = start + src;
  }
  return map;
}
