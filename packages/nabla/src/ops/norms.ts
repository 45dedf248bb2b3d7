/**
 * Norms: linalg.vectorNorm (any p, ±inf, 0), linalg.matrixNorm ('fro', 1, −1, inf, −inf),
 * linalg.norm (either, by PyTorch's rules) and torch.norm (`x.norm(p, dim, keepdim)`). The vector
 * norm is one node with PyTorch's gradient written out (norm_backward): at 0 the subgradient is
 * 0, the ±inf norms share the gradient among the elements that reach the extreme. Matrix norms
 * are vector norms and amax/amin, as in PyTorch; the nuclear and spectral norms ('nuc', ±2) come
 * from the singular values (svd.ts).
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { DTypeError, OptionError, ShapeError } from "../errors.js";
import { isFloating, type DType } from "../tensor/dtype.js";
import { normalizeDims } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { BOOLEAN, DIMS, FLOAT_DTYPE, NUMBER, oneOf, readArgs, requireTensor, STRING, type WithOptions } from "./arguments.js";
import { abs, div, eq, logicalOr, mul, ne, pow, sign, sqrt, toDType, where } from "./elementwise.js";
import { max, min, sum } from "./reduce.js";
import { permute, reshape } from "./shape.js";
import { svdvals } from "./svd.js";

type Dims = number | readonly number[];

export interface VectorNormOptions {
  /** The order p: any number, Infinity, -Infinity or 0 (default 2). */
  ord?: number;
  /** The dims to reduce (default all, the flattened input). */
  dim?: Dims | null;
  /** Keep reduced dims as size 1 (default false). */
  keepdim?: boolean;
  /** Compute in this (floating) dtype: the input is cast first. */
  dtype?: DType;
}

/** The largest (or smallest) values over several dims; ties share the gradient (PyTorch's amax/amin). */
function amaxAmin(op: "amax" | "amin", x: Tensor, dims: number[], keepdim: boolean): Tensor {
  const keepShape = x.shape.map((s, i) => (dims.includes(i) ? 1 : s));
  const out = noGrad(() => {
    const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
    const rows = reshape(permute(x, [...kept, ...dims]), [...kept.map((i) => x.shape[i]!), -1]);
    const picked = (op === "amax" ? max : min)(rows, -1).values;
    return reshape(picked, keepdim ? keepShape : kept.map((i) => x.shape[i]!));
  });
  return recordOp(op === "amax" ? "AmaxBackward0" : "AminBackward0", out, [x], (g) => {
    const mask = eq(x, reshape(out, keepShape));
    return [mul(div(reshape(g, keepShape), sum(mask, dims, { keepdim: true })), mask)];
  }, [x]);
}

/** The p-norm over `dims`, computed without recording; `keepdim` shape handled by the caller. */
function vectorNormValue(x: Tensor, p: number, dims: number[] | undefined, keepdim: boolean): Tensor {
  const a = abs(x);
  const all = dims ?? x.shape.map((_, i) => i);
  if (p === Infinity || p === -Infinity) {
    if (x.numel() === 0) {
      throw new ShapeError(`linalg.vectorNorm: cannot compute the ${p > 0 ? "" : "-"}inf norm on an empty tensor because the operation does not have an identity`);
    }
    if (x.ndim === 0) return a;
    return amaxAmin(p > 0 ? "amax" : "amin", a, all, keepdim);
  }
  if (p === 0) return toDType(sum(ne(x, 0), all, { keepdim }), x.dtype);
  if (p === 1) return sum(a, all, { keepdim });
  if (p === 2) return sqrt(sum(mul(x, x), all, { keepdim }));
  return pow(sum(pow(a, p), all, { keepdim }), 1 / p);
}

/**
 * PyTorch's norm_backward: the gradient of ‖x‖_p, with g and the norm already in keepdim shape.
 * p = 2: g·x/‖x‖ (0 where ‖x‖ = 0); p = 1: g·sgn(x); ±inf: g·sgn(x) shared among the extremes;
 * 0: none; other p: g·sgn(x)|x|^(p−1)/‖x‖^(p−1).
 */
function vectorNormBackward(g: Tensor, x: Tensor, norm: Tensor, p: number, dims: number[]): Tensor | null {
  if (p === 0) return null; // the count of non-zeros is flat: no gradient, as PyTorch's (None)
  if (p === 1) return mul(sign(x), g);
  const zeroNorm = eq(norm, 0);
  if (p === 2) return mul(g, where(zeroNorm, 0, div(x, norm)));
  if (p === Infinity || p === -Infinity) {
    const a = abs(x);
    const mask = logicalOr(eq(a, norm), ne(a, a));
    return mul(sign(x), mul(div(g, sum(mask, dims, { keepdim: true })), mask));
  }
  if (p < 1) {
    const scaledX = mul(sign(x), where(eq(x, 0), 0, pow(abs(x), p - 1)));
    return mul(mul(scaledX, g), pow(norm, 1 - p));
  }
  const scaledX = p < 2 ? mul(sign(x), pow(abs(x), p - 1)) : mul(x, pow(abs(x), p - 2));
  return mul(scaledX, where(zeroNorm, 0, div(g, pow(norm, p - 1))));
}

/** ‖x‖_p over `dim` as one recorded node named `node`. */
function vectorNormNode(node: string, op: string, input: Tensor, p: number, dim: Dims | undefined, keepdim: boolean, dtype: DType | undefined): Tensor {
  if (!isFloating(input.dtype)) {
    throw new DTypeError(`${op}: expected a floating point tensor as input, got ${input.dtype}`);
  }
  if (Number.isNaN(p)) throw new OptionError(`${op}: ord must be a number, got NaN`);
  const x = dtype === undefined ? input : toDType(input, dtype);
  const dims = dim === undefined ? undefined : normalizeDims(op, dim, x.ndim);
  const all = dims ?? x.shape.map((_, i) => i);
  const out = noGrad(() => vectorNormValue(x, p, dims, keepdim));
  const keepShape = x.shape.map((s, i) => (all.includes(i) ? 1 : s));
  return recordOp(node, out, [x], (g) => [vectorNormBackward(reshape(g, keepShape), x, reshape(out, keepShape), p, all)], [x, out]);
}

type VectorNormArgs = WithOptions<[ord: number, dim: Dims | null, keepdim: boolean], VectorNormOptions>;

/** ‖x‖_p = (Σ|x|^p)^(1/p) over `dim` (default every element); ±inf the largest/smallest |x|, 0 the count of non-zeros. */
export function vectorNorm(x: Tensor, ...args: VectorNormArgs): Tensor {
  requireTensor("linalg.vectorNorm", "x", x);
  const { ord = 2, dim, keepdim = false, dtype } = readArgs<VectorNormOptions>(
    "linalg.vectorNorm",
    args,
    [
      ["ord", NUMBER],
      ["dim", DIMS],
      ["keepdim", BOOLEAN],
    ],
    [["dtype", FLOAT_DTYPE]],
  );
  return vectorNormNode("LinalgVectorNormBackward0", "linalg.vectorNorm", x, ord, dim ?? undefined, keepdim, dtype);
}

export type MatrixOrd = "fro" | "nuc" | number;

export interface MatrixNormOptions {
  /** 'fro' (default), 'nuc', 1, -1, 2, -2, Infinity, -Infinity. */
  ord?: MatrixOrd;
  /** The two dims holding the matrices (default [-2, -1]). */
  dim?: readonly [number, number] | readonly number[];
  keepdim?: boolean;
  dtype?: DType;
}

const ORD = oneOf(NUMBER, STRING);

function matrixNormWith(op: string, A: Tensor, ord: MatrixOrd, dim: readonly number[], keepdim: boolean, dtype: DType | undefined): Tensor {
  if (A.ndim < 2) throw new ShapeError(`${op}: the input tensor A must have at least 2 dimensions, but got ${A.ndim}`);
  if (dim.length !== 2) throw new ShapeError(`${op}: dim must be a 2-tuple, but got [${dim.join(", ")}]`);
  const [d0, d1] = normalizeDimsInOrder(op, dim, A.ndim) as [number, number];
  if (d0 === d1) throw new ShapeError(`${op}: dims must be different, but got (${dim[0]}, ${dim[1]})`);
  if (ord === "fro") return vectorNormNode("LinalgVectorNormBackward0", op, A, 2, [d0, d1], keepdim, dtype);
  if (ord === "nuc" || ord === 2 || ord === -2) return singularValueNorm(A, ord, d0, d1, keepdim, dtype);
  if (typeof ord === "string" || Math.abs(ord) !== 1 && Math.abs(ord) !== Infinity) {
    throw new OptionError(`${op}: order ${typeof ord === "string" ? `'${ord}'` : ord} not supported (use 'fro', 'nuc', 1, -1, 2, -2, Infinity or -Infinity)`);
  }
  // 1: the largest column sum of |A| (sum over rows d0, then max over d1); inf: rows and columns swapped
  const sumDim = Math.abs(ord) === Infinity ? d1 : d0;
  let extremeDim = Math.abs(ord) === Infinity ? d0 : d1;
  const colSums = vectorNormNode("LinalgVectorNormBackward0", op, A, 1, sumDim, keepdim, dtype);
  if (!keepdim && sumDim < extremeDim) extremeDim--;
  return amaxAmin(ord > 0 ? "amax" : "amin", colSums, [extremeDim], keepdim);
}

/**
 * The nuclear norm (the sum of the singular values) and the spectral norms (the largest, 2, or
 * the smallest, −2), as PyTorch: the two dims moved last, svdvals, then sum, amax or amin.
 */
function singularValueNorm(A: Tensor, ord: "nuc" | 2 | -2, d0: number, d1: number, keepdim: boolean, dtype: DType | undefined): Tensor {
  const order = [...A.shape.keys()].filter((d) => d !== d0 && d !== d1).concat([d0, d1]);
  const values = svdvals(permute(dtype === undefined ? A : toDType(A, dtype), order));
  const result = ord === "nuc" ? sum(values, -1) : amaxAmin(ord === 2 ? "amax" : "amin", values, [values.ndim - 1], false);
  if (!keepdim) return result;
  // back in place, the two dims of size 1
  const shape = A.shape.map((s, d) => (d === d0 || d === d1 ? 1 : s));
  return reshape(result, shape);
}

/** Normalises dims keeping their order (matrix norms care which dim is rows). */
function normalizeDimsInOrder(op: string, dims: readonly number[], ndim: number): number[] {
  return dims.map((d) => normalizeDims(op, d, ndim)[0]!);
}

type MatrixNormArgs = WithOptions<[ord: MatrixOrd, dim: readonly number[], keepdim: boolean], MatrixNormOptions>;

/** A norm of each matrix in the two dims `dim`: Frobenius (default), max column sum (1), max row sum (inf), or their minima (−1, −inf). */
export function matrixNorm(A: Tensor, ...args: MatrixNormArgs): Tensor {
  requireTensor("linalg.matrixNorm", "A", A);
  const { ord = "fro", dim = [-2, -1], keepdim = false, dtype } = readArgs<MatrixNormOptions>(
    "linalg.matrixNorm",
    args,
    [
      ["ord", ORD],
      ["dim", DIMS],
      ["keepdim", BOOLEAN],
    ],
    [["dtype", FLOAT_DTYPE]],
  );
  return matrixNormWith("linalg.matrixNorm", A, ord, typeof dim === "number" ? [dim] : dim, keepdim, dtype);
}

export interface NormOptions {
  /** Without it: the 2-norm of the flattened input (or Frobenius). A string or a 2-dim `dim` picks a matrix norm. */
  ord?: MatrixOrd | null;
  dim?: Dims | null;
  keepdim?: boolean;
  dtype?: DType;
}

type NormArgs = WithOptions<[ord: MatrixOrd | null, dim: Dims | null, keepdim: boolean], NormOptions>;

/**
 * PyTorch's linalg.norm: a matrix norm when `ord` is given and `dim` has two dims (or, without
 * dim, A is 2-D), else a vector norm (ord 2 by default) over `dim`.
 */
export function linalgNorm(A: Tensor, ...args: NormArgs): Tensor {
  const op = "linalg.norm";
  requireTensor(op, "A", A);
  const { ord: given, dim, keepdim = false, dtype } = readArgs<NormOptions>(
    op,
    args,
    [
      ["ord", ORD],
      ["dim", DIMS],
      ["keepdim", BOOLEAN],
    ],
    [["dtype", FLOAT_DTYPE]],
  );
  const ord = given ?? undefined; // null is PyTorch's None
  const dims = dim === undefined || dim === null ? undefined : typeof dim === "number" ? [dim] : dim;
  if (dims !== undefined && dims.length !== 1 && dims.length !== 2) {
    throw new ShapeError(`${op}: if dim is specified, it must be of length 1 or 2, but got [${dims.join(", ")}]`);
  }
  if (dims === undefined && ord !== undefined && A.ndim !== 1 && A.ndim !== 2) {
    throw new ShapeError(`${op}: if dim is not specified but ord is, the input must be 1D or 2D, but got ${A.ndim}D`);
  }
  if (ord !== undefined && ((dims !== undefined && dims.length === 2) || (dims === undefined && A.ndim === 2))) {
    return matrixNormWith(op, A, ord, dims ?? [0, 1], keepdim, dtype);
  }
  if (typeof ord === "string") throw new OptionError(`${op}: ord '${ord}' is a matrix norm and needs a 2-D input or two dims`);
  return vectorNormNode("LinalgVectorNormBackward0", op, A, ord ?? 2, dims, keepdim, dtype);
}

export interface TorchNormOptions {
  /** A number (a vector p-norm over `dim`) or 'fro' (default; the 2-norm over at most 2 dims). */
  p?: number | "fro" | "nuc";
  dim?: Dims | null;
  keepdim?: boolean;
  dtype?: DType;
}

/** torch.norm / `x.norm(p, dim, keepdim)`: the p-norm over `dim` (default every element); 'fro' the Frobenius norm. */
export function norm(input: Tensor, ...args: WithOptions<[p: number | "fro" | "nuc", dim: Dims | null, keepdim: boolean], TorchNormOptions>): Tensor {
  requireTensor("norm", "input", input);
  const { p = "fro", dim, keepdim = false, dtype } = readArgs<TorchNormOptions>(
    "norm",
    args,
    [
      ["p", ORD],
      ["dim", DIMS],
      ["keepdim", BOOLEAN],
    ],
    [["dtype", FLOAT_DTYPE]],
  );
  const dims = dim === undefined || dim === null ? undefined : typeof dim === "number" ? [dim] : dim;
  if (typeof p === "number") return vectorNormNode("NormBackward1", "norm", input, p, dims, keepdim, dtype);
  if (p === "fro") {
    if (dims !== undefined && dims.length > 2) throw new ShapeError(`norm: 'fro' takes at most 2 dims, but got [${dims.join(", ")}]`);
    return vectorNormNode("NormBackward1", "norm", input, 2, dims, keepdim, dtype);
  }
  if (p === "nuc") return matrixNormWith("norm", input, "nuc", dims ?? input.shape.map((_, i) => i), keepdim, dtype);
  throw new OptionError(`norm: only valid string values are 'fro' and 'nuc', found '${String(p)}'`);
}
