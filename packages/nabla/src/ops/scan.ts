/**
 * Cumulative scans along a dim (cumsum, cumprod, cummax/cummin, logcumsumexp) and diff, their
 * inverse. Sums and products accumulate in float64 and round once per element, as PyTorch's CPU
 * kernels do in their accumulation type; logcumsumexp adds in log space (log1p(exp(min − max)) +
 * max), so it never overflows. cummax/cummin take the latest index among equal values and let a
 * NaN win from where it appears on, as PyTorch.
 */
import { isGradEnabled } from "../autograd/grad-mode.js";
import { webgpuContext } from "../backend/device.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, ShapeError } from "../errors.js";
import { isFloating, type DType, type TypedArray } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { fromRows, rowsAlong, rowsTensor } from "./along-dim.js";
import { DTYPE, INTEGER, readArgs, requireTensor, TENSOR, type WithOptions } from "./arguments.js";
import { abs, add, div, eq, exp, gt, log, lt, mul, ne, sub, toDType, where } from "./elementwise.js";
import { scatterAdd } from "./indexing.js";
import { cat, stack } from "./join.js";
import { sum } from "./reduce.js";
import { expand, narrow } from "./shape.js";
import { emptyTensor, scalarTensor } from "./helpers.js";
import { ValuesIndices } from "./values-indices.js";
import { int32Exact } from "./int32-exact.js";

type ScanKind = "sum" | "prod" | "logsumexp";

/** PyTorch's _log_add_exp_helper: log(eˣ + eʸ) without overflow; −∞ + −∞ and ∞ + ∞ stay as they are. */
function logAddExp(x: number, y: number): number {
  const min = y !== y ? y : y < x ? y : x;
  const max = y !== y ? y : x < y ? y : x;
  if (min !== max || Number.isFinite(min)) return Math.log1p(Math.exp(min - max)) + max;
  return x;
}

/**
 * Kernel: the running sum, product or log-sum-exp of each of `outer` rows of `n` values,
 * from the end of the row backwards when `reverse`.
 */
export function scanRows(kind: ScanKind, data: TypedArray, outer: number, n: number, reverse: boolean, out: TypedArray): void {
  for (let r = 0; r < outer; r++) {
    let acc = kind === "sum" ? 0 : kind === "prod" ? 1 : -Infinity;
    for (let s = 0; s < n; s++) {
      const i = r * n + (reverse ? n - 1 - s : s);
      const x = data[i]!;
      acc = kind === "sum" ? acc + x : kind === "prod" ? acc * x : logAddExp(x, acc);
      out[i] = acc;
    }
  }
}

/** Kernel: running maximum (or minimum) of each row and the latest index where it was reached. */
export function cumExtremumRows(op: "max" | "min", data: TypedArray, outer: number, n: number, values: TypedArray, indices: Int32Array): void {
  for (let r = 0; r < outer; r++) {
    const base = r * n;
    let best = data[base]!;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const x = data[base + i]!;
      // PyTorch's cummax_cummin_helper: a NaN takes over; ties move the index forward
      if (x !== x || (best === best && (op === "max" ? x >= best : x <= best))) {
        best = x;
        at = i;
      }
      values[base + i] = best;
      indices[base + i] = at;
    }
  }
}

/** Runs a scan along `d`, recording nothing. */
function scanAlong(kind: ScanKind, op: string, x: Tensor, d: number, reverse: boolean, dtype: DType): Tensor {
  const rows = rowsAlong(op, x, d);
  const out = rowsTensor(rows, dtype, rows.size, true);
  if (out.storage.device === "cpu") scanRows(kind, rows.data, rows.outer, rows.size, reverse, out.storage.data);
  else webgpuContext(op).scan(kind, rows.source.storage.gpu, rows.source.offset, rows.outer, rows.size, reverse, out.storage.gpu);
  return fromRows(out, rows);
}

/** A differentiable cumulative sum along `d`, forwards or backwards (the gradient of each is the other). */
function cumsumAlong(x: Tensor, d: number, reverse: boolean): Tensor {
  const out = scanAlong("sum", "cumsum", x, d, reverse, x.dtype);
  return recordOp("CumsumBackward0", out, [x], (g) => [cumsumAlong(g, d, !reverse)]);
}

export interface ScanOptions {
  /** The dim to scan along (required). */
  dim?: number;
  /** Cast the input to this dtype first (cumsum and cumprod). */
  dtype?: DType;
}

/** Reads `(dim)` / `({ dim, dtype })`; dim is required, as in PyTorch. */
function readScanArgs(op: string, x: unknown, args: readonly unknown[], withDtype: boolean): { x: Tensor; d: number; dtype?: DType } {
  const t = requireTensor(op, "input", x);
  const { dim, dtype } = readArgs<ScanOptions>(op, args, [["dim", INTEGER]], withDtype ? [["dtype", DTYPE]] : []);
  if (dim === undefined) throw new TypeError(`${op}: missing required argument 'dim'`);
  return { x: t, d: normalizeDim(op, dim, t.ndim), dtype };
}

/** Integer and bool inputs scan in int32 (PyTorch: int64; past int32 an error, int32-exact.ts); `dtype` casts first. */
function scanInput(x: Tensor, dtype: DType | undefined): Tensor {
  if (dtype !== undefined) return toDType(x, dtype);
  return isFloating(x.dtype) ? x : toDType(x, "int32");
}

type ScanArgs = WithOptions<[dim: number], ScanOptions>;

/** Running sums along `dim`: out[i] = x[0] + … + x[i]. */
export function cumsum(input: Tensor, ...args: ScanArgs): Tensor {
  const { x, d, dtype } = readScanArgs("cumsum", input, args, true);
  const scanned = scanInput(x, dtype);
  if (scanned.dtype === "int32" && scanned.storage.device === "cpu") return int32Exact("cumsum", scanned, (wide) => cumsumAlong(wide, d, false));
  return cumsumAlong(scanned, d, false);
}

/** Running products along `dim`; the gradient is exact with zeros in the input, as PyTorch's. */
export function cumprod(input: Tensor, ...args: ScanArgs): Tensor {
  const { x: raw, d, dtype } = readScanArgs("cumprod", input, args, true);
  const x = scanInput(raw, dtype);
  if (x.dtype === "int32" && x.storage.device === "cpu") return int32Exact("cumprod", x, (wide) => scanAlong("prod", "cumprod", wide, d, false, "float64"));
  const out = scanAlong("prod", "cumprod", x, d, false, x.dtype);
  return recordOp("CumprodBackward0", out, [x], (g) => [cumprodBackward(g, x, out, d)], [x, out]);
}

/**
 * d/dx_k of Σ_j g_j·Π_{i≤j} x_i = Σ_{j≥k} g_j·Π_{i≤j, i≠k} x_i (PyTorch's cumprod_backward).
 * Without zeros that is reverseCumsum(g·out)/x. With zeros, a kernel (O(n)) unless the
 * backward is being recorded, where the sum is written out with differentiable ops (O(n²)).
 */
function cumprodBackward(g: Tensor, x: Tensor, out: Tensor, d: number): Tensor {
  const size = x.ndim === 0 ? 1 : x.shape[d]!;
  if (x.numel() <= 1 || size === 1) return g;
  if (x.storage.device !== "cpu" && !isGradEnabled()) {
    // on the webgpu device: the row kernel, which handles zeros, without reading x on the host
    const rows = rowsAlong("cumprod", x, d);
    const gRows = rowsAlong("cumprod", g, d);
    const result = rowsTensor(rows, g.dtype);
    webgpuContext("cumprod").cumprodGrad(rows.source.storage.gpu, rows.source.offset, gRows.source.storage.gpu, gRows.source.offset, rows.outer, rows.size, result.storage.gpu);
    return fromRows(result, rows);
  }
  // (on the device, a recorded backward takes the differentiable form: whether x holds zeros is not known on the host)
  const zeros = x.storage.device !== "cpu" || eq(x, 0).toTypedArray().some((v) => v !== 0);
  if (!zeros) return div(cumsumAlong(mul(out, g), d, true), x);
  if (!isGradEnabled()) {
    const rows = rowsAlong("cumprod", x, d);
    const gRows = rowsAlong("cumprod", g, d);
    const result = rowsTensor(rows, g.dtype);
    cumprodGradRows(rows.data, gRows.data, rows.outer, rows.size, result.storage.data);
    return fromRows(result, rows);
  }
  const ones = expand(scalarTensor(1, x.dtype, x.storage.device), x.shape.map((s, i) => (i === d ? 1 : s)));
  const columns: Tensor[] = [];
  for (let k = 0; k < size; k++) {
    // the products Π_{i≤j, i≠k} x_i for j = k … n−1: (x_0 ⋯ x_{k−1}) · cumprod(x_{k+1} ⋯ x_j)
    const before = k === 0 ? ones : narrow(cumprod(narrow(x, d, 0, k), d), d, k - 1, 1);
    const after = k === size - 1 ? null : cumprod(narrow(x, d, k + 1, size - k - 1), d);
    const omitted = after === null ? before : cat([before, mul(before, after)], d);
    columns.push(sum(mul(narrow(g, d, k, size - k), omitted), d));
  }
  return stack(columns, d);
}

/** Kernel: cumprod's input gradient for rows that may hold zeros (see cumprodBackward). */
export function cumprodGradRows(x: TypedArray, g: TypedArray, outer: number, n: number, result: TypedArray): void {
  for (let r = 0; r < outer; r++) {
    const base = r * n;
    let zero = n;
    for (let i = 0; i < n; i++) {
      if (x[base + i] === 0) {
        zero = i;
        break;
      }
    }
    // k < first zero: (Σ_{j=k}^{zero−1} g_j·out_j) / x_k; every later out_j is 0
    let prefix = 1;
    const out = new Float64Array(zero);
    for (let j = 0; j < zero; j++) out[j] = prefix *= x[base + j]!;
    let tail = 0;
    for (let k = zero - 1; k >= 0; k--) {
      tail += g[base + k]! * out[k]!;
      result[base + k] = tail / x[base + k]!;
    }
    if (zero === n) continue;
    // k = first zero: out_{zero−1} · Σ_{j≥zero} g_j·Π_{zero<i≤j} x_i
    let product = 1;
    let acc = 0;
    for (let j = zero; j < n; j++) {
      if (j > zero) product *= x[base + j]!;
      acc += g[base + j]! * product;
    }
    result[base + zero] = (zero === 0 ? 1 : out[zero - 1]!) * acc;
    // k > first zero: every product holds x_zero = 0
    for (let k = zero + 1; k < n; k++) result[base + k] = 0;
  }
}

function cumExtremum(op: "cummax" | "cummin", input: Tensor, args: readonly unknown[]): ValuesIndices {
  const { x, d } = readScanArgs(op, input, args, false);
  const rows = rowsAlong(op, x, d);
  const values = rowsTensor(rows, x.dtype);
  const indices = rowsTensor(rows, "int32");
  if (x.storage.device === "cpu") cumExtremumRows(op === "cummax" ? "max" : "min", rows.data, rows.outer, rows.size, values.storage.data, indices.storage.data as Int32Array);
  else webgpuContext(op).cumExtremum(op === "cummax" ? "max" : "min", rows.source.storage.gpu, rows.source.offset, rows.outer, rows.size, values.storage.gpu, indices.storage.gpu);
  const v = fromRows(values, rows);
  const i = fromRows(indices, rows);
  // each output's gradient goes to the element it copied (scatter-add: one element may feed many)
  recordOp(op === "cummax" ? "CummaxBackward0" : "CumminBackward0", v, [x], (g) => [
    x.ndim === 0 ? g : scatterAdd(emptyTensor(x.shape, g.dtype, "scan", g.storage.device), d, i, g),
  ]);
  return new ValuesIndices(v, i);
}

/** The running maximum along `dim` and the (latest) index where it was reached. */
export function cummax(input: Tensor, ...args: WithOptions<[dim: number], { dim?: number }>): ValuesIndices {
  return cumExtremum("cummax", input, args);
}

/** The running minimum along `dim` and the (latest) index where it was reached. */
export function cummin(input: Tensor, ...args: WithOptions<[dim: number], { dim?: number }>): ValuesIndices {
  return cumExtremum("cummin", input, args);
}

/** The most negative finite value of a float dtype (C++'s numeric_limits::lowest). */
const lowest = (dtype: DType) => (dtype === "float32" ? -3.4028234663852886e38 : -Number.MAX_VALUE);

/** log Σ_{i≤j} exp(x_i) along `d`, forwards or backwards; differentiable. */
function logcumsumexpAlong(x: Tensor, d: number, reverse: boolean): Tensor {
  const out = scanAlong("logsumexp", "logcumsumexp", x, d, reverse, x.dtype);
  // PyTorch's logcumsumexp_backward: Σ_{j≥k} g_j·exp(x_k − out_j), the positive and negative
  // parts of g each summed in log space so that nothing overflows
  return recordOp("LogcumsumexpBackward0", out, [x], (g) => {
    if (g.ndim === 0 || g.numel() === 0) return [g];
    const logAbs = log(abs(g));
    const floor = scalarTensor(lowest(g.dtype), g.dtype, g.storage.device);
    const part = (mask: Tensor) => exp(add(logcumsumexpAlong(sub(where(mask, logAbs, floor), out), d, !reverse), x));
    return [sub(part(gt(g, 0)), part(lt(g, 0)))];
  }, [x, out]);
}

/** log(exp(x_0) + … + exp(x_i)) along `dim`, computed without overflow. */
export function logcumsumexp(input: Tensor, ...args: WithOptions<[dim: number], { dim?: number }>): Tensor {
  const { x, d } = readScanArgs("logcumsumexp", input, args, false);
  if (!isFloating(x.dtype)) throw new DTypeError(`logcumsumexp: expected a floating point input (float32 or float64), got ${x.dtype}`);
  return logcumsumexpAlong(x, d, false);
}

export interface DiffOptions {
  /** How many times to take differences (default 1). */
  n?: number;
  /** The dim (default -1). */
  dim?: number;
  /** Values put before the input along dim first (same number of dims). */
  prepend?: Tensor;
  /** Values put after it. */
  append?: Tensor;
}

/**
 * The n-th forward difference along `dim`: out[i] = x[i+1] − x[i], n times (for bool tensors
 * x[i+1] ≠ x[i]), after putting `prepend` and `append` around x. Differentiable through sub.
 */
export function diff(input: Tensor, ...args: WithOptions<[n: number, dim: number, prepend: Tensor, append: Tensor], DiffOptions>): Tensor {
  const x = requireTensor("diff", "input", input);
  const { n = 1, dim = -1, prepend, append } = readArgs<DiffOptions>("diff", args, [
    ["n", INTEGER],
    ["dim", INTEGER],
    ["prepend", TENSOR],
    ["append", TENSOR],
  ]);
  if (x.ndim === 0) throw new ShapeError("diff: expects input to be at least one-dimensional");
  if (n < 0) throw new ShapeError(`diff: order n must be non-negative, but got ${n}`);
  const d = normalizeDim("diff", dim, x.ndim);
  const asEdge = (v: Tensor, name: string): Tensor => {
    if (v.ndim !== x.ndim) {
      throw new ShapeError(`diff: expects ${name} to have the same number of dimensions as input (${x.ndim}), but got ${v.ndim}`);
    }
    return v;
  };
  const parts = [...(prepend === undefined ? [] : [asEdge(prepend, "prepend")]), x, ...(append === undefined ? [] : [asEdge(append, "append")])];
  let out = parts.length === 1 ? x : cat(parts, d);
  for (let i = 0; i < n && out.shape[d]! > 0; i++) {
    const len = out.shape[d]! - 1;
    const later = narrow(out, d, 1, len);
    const earlier = narrow(out, d, 0, len);
    out = out.dtype === "bool" ? ne(later, earlier) : sub(later, earlier);
  }
  return out;
}
