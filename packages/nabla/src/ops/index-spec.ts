/**
 * What `x.index([...])` accepts and how it is read: Python's subscript `x[1:3, None, ..., idx]`
 * written as `x.index([nb.sl(1, 3), null, "...", idx])`. Each item is a number (picks one index,
 * removing the dim), a slice (`sl(start, stop, step)` or `{ start, stop, step }`), `null` (a new
 * axis of size 1), `"..."` (as many full slices as needed), an int32 tensor or nested array of
 * numbers (advanced indexing), or a bool tensor, nested array of booleans or boolean (a mask).
 *
 * As in PyTorch, numbers, slices and new axes are applied first, as a view; the index tensors
 * (masks become the index tensors of their true elements) then broadcast together and pick from
 * that view. The picked dims go where the first index tensor was when the index tensors are next
 * to each other in the view, and to the front otherwise (NumPy's rule; a number between two index
 * tensors is applied first, so it does not separate them, unlike in NumPy).
 */
import { noGrad } from "../autograd/grad-mode.js";
import { DTypeError, formatShape, OptionError, ShapeError } from "../errors.js";
import { broadcastShapes, numelOf } from "../tensor/shape.js";
import { Tensor, type NestedArray } from "../tensor/tensor.js";
import { indexOn } from "../tensor/transfer.js";
import { fromTypedArray } from "./helpers.js";
import { nonzero } from "./nonzero.js";
import { contiguous, expand, select, slice, unsqueeze } from "./shape.js";

/** Python's slice `start:stop:step`; a missing or null part takes its default (0, the end, 1). */
export interface IndexSlice {
  start?: number | null;
  stop?: number | null;
  step?: number | null;
}

/** The ellipsis of `x[..., 0]`. */
export type Ellipsis = "...";

/** One item of an index list (see the file comment). */
export type IndexItem = number | boolean | null | Ellipsis | IndexSlice | Tensor | NestedArray[];

/** A slice item: `sl(1, 3)` is Python's `1:3`, `sl(null, null, 2)` is `::2`, `sl()` is `:`. */
export function sl(start: number | null = null, stop: number | null = null, step: number | null = null): IndexSlice {
  return { start, stop, step };
}

/**
 * An index list read against a tensor's shape: the basic part as a view function, and the
 * index tensors (broadcast, wrapped to [0, size)) with the view dims they index.
 */
export interface IndexPlan {
  /** Applies the numbers, slices and new axes to a tensor of the input's shape (a view). */
  view: (t: Tensor) => Tensor;
  /** The shape of that view. */
  viewShape: number[];
  /** The view's dims that index tensors pick from, increasing. */
  dims: number[];
  /**
   * One flat index per entry of `dims`, each of numel(indexShape) values in [0, size): read (and
   * checked) on the host when first asked for, which the webgpu device's path never does.
   */
  readonly indices: Int32Array[];
  /** The index tensors as given, one per entry of `dims`, with the size of the dim each picks from and that dim in x (for errors). */
  tensors: { index: Tensor; size: number; xdim: number; low: number }[];
  /** The op that made the plan, which its index errors name. */
  op: string;
  /** The broadcast shape of the index tensors. */
  indexShape: number[];
  /** Where the picked dims go among the others in the result: dims[0] when adjacent, else 0. */
  resultAt: number;
  /** Whether a plan without index tensors still gives a copy (a 0-d index tensor, as in PyTorch). */
  copy: boolean;
}

const isSlice = (v: unknown): v is IndexSlice =>
  typeof v === "object" && v !== null && !(v instanceof Tensor) && !Array.isArray(v);

/** A nested array of numbers (int32) or of booleans (bool) as a tensor. */
function arrayIndex(items: NestedArray[]): Tensor {
  const flat = (items as unknown[]).flat(Infinity);
  const allBool = flat.length > 0 && flat.every((v) => typeof v === "boolean");
  return tensorFromNested(items, allBool ? "bool" : "int32");
}

/** Shape and row-major values of a rectangular nested array. */
function tensorFromNested(items: NestedArray[], dtype: "bool" | "int32"): Tensor {
  const shape: number[] = [];
  for (let level: NestedArray = items; Array.isArray(level); level = level[0]!) {
    shape.push(level.length);
    if (level.length === 0) break;
  }
  const values = (items as unknown[]).flat(Infinity) as (number | boolean)[];
  if (values.length !== numelOf(shape)) throw new ShapeError(`index: a nested array index must be rectangular, got ${JSON.stringify(items)}`);
  values.forEach((v) => {
    if (dtype === "int32" && (typeof v !== "number" || !Number.isInteger(v))) {
      throw new DTypeError(`index: array indices must be integers (or all booleans for a mask), got ${JSON.stringify(v)}`);
    }
  });
  return fromTypedArray(values.map(Number), shape, dtype);
}

type Item =
  | { kind: "int"; value: number; copy?: boolean }
  | { kind: "slice"; start: number; stop: number; step: number }
  | { kind: "new" }
  | { kind: "ellipsis" }
  | { kind: "tensor"; index: Tensor }
  | { kind: "mask"; mask: Tensor };

function readItem(op: string, item: IndexItem, position: number): Item {
  if (item === null) return { kind: "new" };
  if (item === "...") return { kind: "ellipsis" };
  if (typeof item === "number") {
    if (!Number.isInteger(item)) throw new OptionError(`${op}: index ${item} at position ${position} is not an integer`);
    return { kind: "int", value: item };
  }
  if (typeof item === "boolean") return { kind: "mask", mask: fromTypedArray([item ? 1 : 0], [], "bool") };
  if (Array.isArray(item)) {
    const t = arrayIndex(item);
    return t.dtype === "bool" ? { kind: "mask", mask: t } : { kind: "tensor", index: t };
  }
  if (item instanceof Tensor) {
    if (item.dtype === "bool") return { kind: "mask", mask: item };
    if (item.dtype !== "int32") {
      throw new DTypeError(`${op}: tensors used as indices must be int32 or bool tensors, got ${item.dtype} at position ${position} (make them with { dtype: "int32" })`);
    }
    // a 0-d integer tensor picks like a number (PyTorch's rule), but the result is a copy
    if (item.ndim === 0) return { kind: "int", value: item.item(), copy: true };
    return { kind: "tensor", index: item };
  }
  if (isSlice(item)) {
    const part = (name: "start" | "stop" | "step", fallback: number): number => {
      const v = item[name];
      if (v === null || v === undefined) return fallback;
      if (!Number.isInteger(v)) throw new OptionError(`${op}: slice ${name} must be an integer or null, got ${String(v)}`);
      return v;
    };
    const step = part("step", 1);
    if (step <= 0) throw new OptionError(`${op}: slice step must be greater than zero, got ${step}`);
    return { kind: "slice", start: part("start", 0), stop: part("stop", Number.MAX_SAFE_INTEGER), step };
  }
  throw new TypeError(`${op}: cannot index with ${typeof item} at position ${position}; expected a number, sl(…), null, "...", a Tensor or an array`);
}

/** Reads an index list against x (see the file comment). */
export function planIndex(op: string, x: Tensor, items: readonly IndexItem[]): IndexPlan {
  if (!Array.isArray(items)) throw new TypeError(`${op}: expected an array of index items, got ${typeof items}`);
  const read = items.map((item, i) => readItem(op, item, i));
  const ellipses = read.filter((r) => r.kind === "ellipsis").length;
  if (ellipses > 1) throw new OptionError(`${op}: an index can only have a single ellipsis ("...")`);
  const consumed = read.reduce((n, r) => n + (r.kind === "mask" ? r.mask.ndim : r.kind === "new" || r.kind === "ellipsis" ? 0 : 1), 0);
  if (consumed > x.ndim) throw new ShapeError(`${op}: too many indices for tensor of dimension ${x.ndim} (got ${consumed})`);

  const steps: ((t: Tensor) => Tensor)[] = [];
  const advanced: { vdim: number; xdim: number; index: Tensor }[] = [];
  let vdim = 0;
  let xdim = 0;
  for (const r of read) {
    const at = vdim;
    switch (r.kind) {
      case "int": {
        const size = x.shape[xdim]!;
        if (r.value < -size || r.value >= size) throw new ShapeError(`${op}: index ${r.value} is out of bounds for dimension ${xdim} with size ${size}`);
        steps.push((t) => select(t, at, r.value));
        xdim++;
        break;
      }
      case "slice":
        steps.push((t) => slice(t, at, r.start, r.stop, r.step));
        vdim++;
        xdim++;
        break;
      case "new":
        steps.push((t) => unsqueeze(t, at));
        vdim++;
        break;
      case "ellipsis":
        vdim += x.ndim - consumed;
        xdim += x.ndim - consumed;
        break;
      case "tensor":
        advanced.push({ vdim: at, xdim, index: r.index });
        vdim++;
        xdim++;
        break;
      case "mask": {
        const { mask } = r;
        if (mask.ndim === 0) {
          // a single true or false: a new axis indexed by [0] or by nothing
          steps.push((t) => unsqueeze(t, at));
          advanced.push({ vdim: at, xdim, index: fromTypedArray(mask.item() ? [0] : [], [mask.item() ? 1 : 0], "int32") });
          vdim++;
          break;
        }
        mask.shape.forEach((s, j) => {
          if (s !== x.shape[xdim + j]) {
            throw new ShapeError(
              `${op}: the shape of the mask ${formatShape(mask.shape)} at index ${j} does not match the shape of the indexed tensor ${formatShape(x.shape)} at index ${xdim + j}`,
            );
          }
        });
        nonzero(mask, { asTuple: true }).forEach((index, j) => advanced.push({ vdim: at + j, xdim: xdim + j, index }));
        vdim += mask.ndim;
        xdim += mask.ndim;
        break;
      }
    }
  }
  const view = (t: Tensor) => steps.reduce((v, step) => step(v), t);
  const viewShape = noGrad(() => view(x)).shape.slice();
  const copy = read.some((r) => r.kind === "int" && r.copy === true);
  const plan = readIndices(op, advanced, { view, viewShape, copy });
  // on the CPU the values are read and checked now, as before any other work
  if (x.storage.device === "cpu") void plan.indices;
  return plan;
}

/** Broadcasts the index tensors together and wraps and checks their values. */
function readIndices(op: string, advanced: { vdim: number; xdim: number; index: Tensor }[], base: Pick<IndexPlan, "view" | "viewShape" | "copy">): IndexPlan {
  const viewShape = base.viewShape;
  const dims = advanced.map((a) => a.vdim);
  let indexShape: number[] = [];
  try {
    indexShape = advanced.reduce((s, a) => broadcastShapes(op, s, a.index.shape), [] as number[]);
  } catch {
    throw new ShapeError(`${op}: shape mismatch: indexing tensors could not be broadcast together with shapes ${advanced.map((a) => formatShape(a.index.shape)).join(", ")}`);
  }
  const hostIndices = () =>
    advanced.map((a) => {
      const size = viewShape[a.vdim]!;
      // read for the CPU's path only: an index made on the device comes back as an index operand (indexOn)
      const values = contiguous(expand(indexOn(op, a.index, "cpu"), indexShape)).toTypedArray() as Int32Array; // a fresh copy
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v < -size || v >= size) throw new ShapeError(`${op}: index ${v} is out of bounds for dimension ${a.xdim} with size ${size}`);
        if (v < 0) values[i] = v + size;
      }
      return values;
    });
  let indices: Int32Array[] | null = null;
  const adjacent = dims.every((d, i) => i === 0 || d === dims[i - 1]! + 1);
  return {
    ...base,
    op,
    dims,
    get indices() {
      return (indices ??= hostIndices());
    },
    tensors: advanced.map((a) => ({ index: a.index, size: viewShape[a.vdim]!, xdim: a.xdim, low: -viewShape[a.vdim]! })),
    indexShape,
    resultAt: adjacent && dims.length > 0 ? dims[0]! : 0,
  };
}
