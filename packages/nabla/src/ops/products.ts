/**
 * The named products around matmul: mm, bmm, mv, dot, vdot, outer, inner, addmm, addmv, baddbmm,
 * addbmm, tensordot, kron and trace. Each checks its operands' ranks and sizes first, with
 * PyTorch's messages (`mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)`), then runs
 * on the fast `matmul` op. Those PyTorch records as one node (MmBackward0, AddmmBackward0, …) are
 * one node here too: the forward runs unrecorded and the gradient is written out beside it, with
 * differentiable ops; the rest are compositions of recorded ops.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp, type BackwardFn } from "../autograd/node.js";
import { DTypeError, formatShape, ShapeError } from "../errors.js";
import { shapeByX } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { DIMS, NUMBER, readArgs, requireTensor, type WithOptions } from "./arguments.js";
import { diagonal } from "./diagonal.js";
import { add, mul } from "./elementwise.js";
import { eye } from "./creation.js";
import { matmul } from "./matmul.js";
import { sum, sumToShape } from "./reduce.js";
import { expand, permute, reshape, transpose, unsqueeze } from "./shape.js";

/** Runs `forward` unrecorded and records it as one node named as PyTorch names it. */
function oneNode(name: string, inputs: readonly Tensor[], forward: () => Tensor, backward: BackwardFn, saved: readonly Tensor[]): Tensor {
  return recordOp(name, noGrad(forward), inputs, backward, saved);
}

function sameDType(op: string, a: Tensor, b: Tensor, what = "both operands"): void {
  if (a.dtype !== b.dtype) throw new DTypeError(`${op}: expected ${what} to have the same dtype, but got ${a.dtype} and ${b.dtype}`);
}

function checkRank(op: string, t: Tensor, rank: number, message: string): void {
  if (t.ndim !== rank) throw new ShapeError(`${op}: ${message}, but got a ${t.ndim}-D tensor of shape ${formatShape(t.shape)}`);
}

const scaled = (t: Tensor, s: number) => (s === 1 ? t : mul(t, s));

/** Checks that `input` broadcasts to the product's shape. */
function checkBroadcastsTo(op: string, input: Tensor, shape: readonly number[]): void {
  const lead = shape.length - input.ndim;
  if (lead < 0 || input.shape.some((s, i) => s !== 1 && s !== shape[lead + i])) {
    throw new ShapeError(`${op}: input of shape ${formatShape(input.shape)} cannot be broadcast to the product's shape ${formatShape(shape)}`);
  }
}

// ---- matrix · matrix ----------------------------------------------------------------------------

function checkMm(op: string, a: Tensor, b: Tensor, names = ["mat1", "mat2"]): void {
  checkRank(op, a, 2, `${names[0]} must be a matrix`);
  checkRank(op, b, 2, `${names[1]} must be a matrix`);
  if (a.shape[1] !== b.shape[0]) throw new ShapeError(`${op}: mat1 and mat2 shapes cannot be multiplied (${shapeByX(a.shape)} and ${shapeByX(b.shape)})`);
  sameDType(op, a, b);
}

/** The matrix product of two 2-D tensors. */
export function mm(input: Tensor, mat2: Tensor): Tensor {
  requireTensor("mm", "input", input);
  requireTensor("mm", "mat2", mat2);
  checkMm("mm", input, mat2, ["self", "mat2"]);
  return matmul(input, mat2);
}

function checkBmm(op: string, a: Tensor, b: Tensor): void {
  checkRank(op, a, 3, "batch1 must be a 3D tensor");
  checkRank(op, b, 3, "batch2 must be a 3D tensor");
  if (b.shape[0] !== a.shape[0] || b.shape[1] !== a.shape[2]) {
    throw new ShapeError(
      `${op}: expected size for first two dimensions of batch2 tensor to be: [${a.shape[0]}, ${a.shape[2]}] but got: [${b.shape[0]}, ${b.shape[1]}]`,
    );
  }
  sameDType(op, a, b);
}

/** Matrix products of two batches of matrices, [b, n, m] · [b, m, p] → [b, n, p] (no broadcasting). */
export function bmm(input: Tensor, mat2: Tensor): Tensor {
  requireTensor("bmm", "input", input);
  requireTensor("bmm", "mat2", mat2);
  checkBmm("bmm", input, mat2);
  return matmul(input, mat2);
}

export interface ScaleOptions {
  /** Multiplier of `input` (default 1; with 0, input's values, NaN included, are ignored). */
  beta?: number;
  /** Multiplier of the product (default 1). */
  alpha?: number;
}

type ScaleArgs = WithOptions<[], ScaleOptions>;

function readScale(op: string, args: readonly unknown[]): Required<ScaleOptions> {
  const { beta = 1, alpha = 1 } = readArgs<ScaleOptions>(op, args, [], [
    ["beta", NUMBER],
    ["alpha", NUMBER],
  ]);
  return { beta, alpha };
}

/** beta·input + alpha·product, input broadcast; with beta 0 input is not read. */
function addScaled(input: Tensor, product: Tensor, beta: number, alpha: number): Tensor {
  const p = scaled(product, alpha);
  return beta === 0 ? p : add(scaled(input, beta), p);
}

/** beta·input + alpha·(mat1 · mat2), input broadcast to the product's shape. */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, ...args: ScaleArgs): Tensor {
  [input, mat1, mat2].forEach((t, i) => requireTensor("addmm", ["input", "mat1", "mat2"][i]!, t));
  const { beta, alpha } = readScale("addmm", args);
  checkMm("addmm", mat1, mat2);
  sameDType("addmm", input, mat1, "input and the matrices");
  const shape = [mat1.shape[0]!, mat2.shape[1]!];
  checkBroadcastsTo("addmm", input, shape);
  // d/dinput = beta, d/dmat1 = alpha·g·mat2ᵀ, d/dmat2 = alpha·mat1ᵀ·g
  return oneNode("AddmmBackward0", [input, mat1, mat2], () => addScaled(input, matmul(mat1, mat2), beta, alpha), (g) => [
    input.requiresGrad ? sumToShape(scaled(g, beta), input.shape) : null,
    mat1.requiresGrad ? scaled(matmul(g, transpose(mat2, 0, 1)), alpha) : null,
    mat2.requiresGrad ? scaled(matmul(transpose(mat1, 0, 1), g), alpha) : null,
  ], [mat1, mat2]);
}

/** beta·input + alpha·(batch1 · batch2) per batch, input broadcast to [b, n, p]. */
export function baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, ...args: ScaleArgs): Tensor {
  [input, batch1, batch2].forEach((t, i) => requireTensor("baddbmm", ["input", "batch1", "batch2"][i]!, t));
  const { beta, alpha } = readScale("baddbmm", args);
  checkBmm("baddbmm", batch1, batch2);
  sameDType("baddbmm", input, batch1, "input and the batches");
  checkBroadcastsTo("baddbmm", input, [batch1.shape[0]!, batch1.shape[1]!, batch2.shape[2]!]);
  return oneNode("BaddbmmBackward0", [input, batch1, batch2], () => addScaled(input, matmul(batch1, batch2), beta, alpha), (g) => [
    input.requiresGrad ? sumToShape(scaled(g, beta), input.shape) : null,
    batch1.requiresGrad ? scaled(matmul(g, transpose(batch2, 1, 2)), alpha) : null,
    batch2.requiresGrad ? scaled(matmul(transpose(batch1, 1, 2), g), alpha) : null,
  ], [batch1, batch2]);
}

/** beta·input + alpha·Σ_b batch1[b] · batch2[b], input broadcast to [n, p]. */
export function addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, ...args: ScaleArgs): Tensor {
  [input, batch1, batch2].forEach((t, i) => requireTensor("addbmm", ["input", "batch1", "batch2"][i]!, t));
  const { beta, alpha } = readScale("addbmm", args);
  checkBmm("addbmm", batch1, batch2);
  sameDType("addbmm", input, batch1, "input and the batches");
  const [b, n, p] = [batch1.shape[0]!, batch1.shape[1]!, batch2.shape[2]!];
  checkBroadcastsTo("addbmm", input, [n, p]);
  // the batch sum as one matmul: [n, b·m] · [b·m, p]
  const flatProduct = () =>
    matmul(reshape(permute(batch1, [1, 0, 2]), [n, -1]), reshape(batch2, [-1, p]));
  return oneNode("AddbmmBackward0", [input, batch1, batch2], () => addScaled(input, flatProduct(), beta, alpha), (g) => {
    const gb = expand(unsqueeze(g, 0), [b, n, p]);
    return [
      input.requiresGrad ? sumToShape(scaled(g, beta), input.shape) : null,
      batch1.requiresGrad ? scaled(matmul(gb, transpose(batch2, 1, 2)), alpha) : null,
      batch2.requiresGrad ? scaled(matmul(transpose(batch1, 1, 2), gb), alpha) : null,
    ];
  }, [batch1, batch2]);
}

// ---- matrix · vector and vector · vector --------------------------------------------------------

function checkMv(op: string, mat: Tensor, vec: Tensor): void {
  if (mat.ndim !== 2 || vec.ndim !== 1) {
    throw new ShapeError(`${op}: expected a matrix and a vector, but got ${mat.ndim}-D and ${vec.ndim}-D tensors`);
  }
  if (mat.shape[1] !== vec.shape[0]) throw new ShapeError(`${op}: size mismatch, got matrix ${shapeByX(mat.shape)} and vector ${vec.shape[0]}`);
  sameDType(op, mat, vec);
}

/** The product of a matrix [n, m] and a vector [m]. */
export function mv(input: Tensor, vec: Tensor): Tensor {
  requireTensor("mv", "input", input);
  requireTensor("mv", "vec", vec);
  checkMv("mv", input, vec);
  // d/dmat = g ⊗ vec, d/dvec = matᵀ·g
  return oneNode("MvBackward0", [input, vec], () => matmul(input, vec), (g) => [
    input.requiresGrad ? outer(g, vec) : null,
    vec.requiresGrad ? matmul(transpose(input, 0, 1), g) : null,
  ], [input, vec]);
}

/** beta·input + alpha·(mat · vec). */
export function addmv(input: Tensor, mat: Tensor, vec: Tensor, ...args: ScaleArgs): Tensor {
  [input, mat, vec].forEach((t, i) => requireTensor("addmv", ["input", "mat", "vec"][i]!, t));
  const { beta, alpha } = readScale("addmv", args);
  checkMv("addmv", mat, vec);
  sameDType("addmv", input, mat, "input and the matrix");
  checkBroadcastsTo("addmv", input, [mat.shape[0]!]);
  return oneNode("AddmvBackward0", [input, mat, vec], () => addScaled(input, matmul(mat, vec), beta, alpha), (g) => [
    input.requiresGrad ? sumToShape(scaled(g, beta), input.shape) : null,
    mat.requiresGrad ? scaled(outer(g, vec), alpha) : null,
    vec.requiresGrad ? scaled(matmul(transpose(mat, 0, 1), g), alpha) : null,
  ], [mat, vec]);
}

function checkDot(op: string, a: Tensor, b: Tensor): void {
  if (a.ndim !== 1 || b.ndim !== 1) throw new ShapeError(`${op}: 1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  if (a.shape[0] !== b.shape[0]) {
    throw new ShapeError(
      `${op}: inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
    );
  }
  sameDType(op, a, b, "both vectors");
}

function dotNode(op: "dot" | "vdot", a: Tensor, b: Tensor): Tensor {
  requireTensor(op, "input", a);
  requireTensor(op, "other", b);
  checkDot(op, a, b);
  // d/da = g·b, d/db = g·a (real tensors: vdot is dot)
  return oneNode(op === "dot" ? "DotBackward0" : "VdotBackward0", [a, b], () => matmul(a, b), (g) => [
    a.requiresGrad ? mul(g, b) : null,
    b.requiresGrad ? mul(g, a) : null,
  ], [a, b]);
}

/** Σ aᵢbᵢ of two 1-D tensors of one length (a 0-d tensor). */
export function dot(input: Tensor, other: Tensor): Tensor {
  return dotNode("dot", input, other);
}

/** dot with the first vector conjugated: for real tensors, dot. */
export function vdot(input: Tensor, other: Tensor): Tensor {
  return dotNode("vdot", input, other);
}

/** The outer product of two 1-D tensors, [n] ⊗ [m] → [n, m]. */
export function outer(input: Tensor, vec2: Tensor): Tensor {
  requireTensor("outer", "input", input);
  requireTensor("outer", "vec2", vec2);
  if (input.ndim !== 1) throw new ShapeError(`outer: expected 1-D argument self, but got ${input.ndim}-D`);
  if (vec2.ndim !== 1) throw new ShapeError(`outer: expected 1-D argument vec2, but got ${vec2.ndim}-D`);
  return mul(unsqueeze(input, 1), vec2);
}

/** Products summed over the last dims of both: [..a, k] · [..b, k] → [..a, ..b]; a 0-d operand multiplies. */
export function inner(input: Tensor, other: Tensor): Tensor {
  requireTensor("inner", "input", input);
  requireTensor("inner", "other", other);
  if (input.ndim === 0 || other.ndim === 0) return mul(input, other);
  if (input.shape[input.ndim - 1] !== other.shape[other.ndim - 1]) {
    throw new ShapeError(
      `inner: the last dimension must match on both input tensors but got shapes ${formatShape(input.shape)} and ${formatShape(other.shape)}`,
    );
  }
  return tensordot(input, other, [[-1], [-1]]);
}

// ---- tensors ----------------------------------------------------------------------------------------

/**
 * Sums products over dims of a and b: `dims` n pairs the last n dims of a with the first n of b;
 * `[dimsA, dimsB]` names them. The free dims of a, then of b, make the result.
 */
export function tensordot(a: Tensor, b: Tensor, dims: number | readonly [readonly number[], readonly number[]] = 2): Tensor {
  requireTensor("tensordot", "a", a);
  requireTensor("tensordot", "b", b);
  let dimsA: number[];
  let dimsB: number[];
  if (typeof dims === "number") {
    if (!Number.isInteger(dims) || dims < 0 || dims > a.ndim || dims > b.ndim) {
      throw new ShapeError(`tensordot: dims (${dims}) must be a non-negative integer at most the number of dims of both operands (${a.ndim} and ${b.ndim})`);
    }
    dimsA = Array.from({ length: dims }, (_, i) => a.ndim - dims + i);
    dimsB = Array.from({ length: dims }, (_, i) => i);
  } else {
    if (!Array.isArray(dims) || dims.length !== 2 || !DIMS.test(dims[0]) || !DIMS.test(dims[1])) {
      throw new TypeError("tensordot: argument 'dims' must be an integer or two arrays of dims [dimsA, dimsB]");
    }
    if (dims[0].length !== dims[1].length) {
      throw new ShapeError(`tensordot: both dimension lists should have the same length, but got ${dims[0].length} and ${dims[1].length}`);
    }
    const norm = (t: Tensor, d: number) => {
      if (d < -t.ndim || d >= t.ndim) throw new ShapeError(`tensordot: dimension out of range (expected to be in range of [${-t.ndim}, ${t.ndim - 1}], but got ${d})`);
      return d < 0 ? d + t.ndim : d;
    };
    dimsA = dims[0].map((d) => norm(a, d));
    dimsB = dims[1].map((d) => norm(b, d));
  }
  dimsA.forEach((da, i) => {
    const db = dimsB[i]!;
    if (a.shape[da] !== b.shape[db]) {
      throw new ShapeError(
        `tensordot: contracted dimensions need to match, but first has size ${a.shape[da]} in dim ${da} and second has size ${b.shape[db]} in dim ${db}`,
      );
    }
  });
  sameDType("tensordot", a, b);
  const freeA = a.shape.map((_, i) => i).filter((i) => !dimsA.includes(i));
  const freeB = b.shape.map((_, i) => i).filter((i) => !dimsB.includes(i));
  const k = dimsA.reduce((p, d) => p * a.shape[d]!, 1);
  const a2 = reshape(permute(a, [...freeA, ...dimsA]), [freeA.reduce((p, d) => p * a.shape[d]!, 1), k]);
  const b2 = reshape(permute(b, [...dimsB, ...freeB]), [k, freeB.reduce((p, d) => p * b.shape[d]!, 1)]);
  return reshape(matmul(a2, b2), [...freeA.map((d) => a.shape[d]!), ...freeB.map((d) => b.shape[d]!)]);
}

/** The Kronecker product: blocks a[i, j, …]·b, shape a.shape·b.shape (shorter shapes padded with 1s in front). */
export function kron(input: Tensor, other: Tensor): Tensor {
  requireTensor("kron", "input", input);
  requireTensor("kron", "other", other);
  const nd = Math.max(input.ndim, other.ndim);
  const pad = (t: Tensor) => [...new Array<number>(nd - t.ndim).fill(1), ...t.shape];
  const sa = pad(input);
  const sb = pad(other);
  // a as [a0, 1, a1, 1, …] times b as [1, b0, 1, b1, …], then each pair of dims merged
  const a = reshape(input, sa.flatMap((s) => [s, 1]));
  const b = reshape(other, sb.flatMap((s) => [1, s]));
  return reshape(mul(a, b), sa.map((s, i) => s * sb[i]!));
}

/** The sum of the main diagonal of a 2-D tensor. */
export function trace(input: Tensor): Tensor {
  requireTensor("trace", "input", input);
  if (input.ndim !== 2) throw new ShapeError(`trace: expected a matrix, but got tensor with dim ${input.ndim}`);
  const [n, m] = input.shape as [number, number];
  // d/dx trace(x) = the identity (rectangular for rectangular x)
  return oneNode("TraceBackward0", [input], () => sum(diagonal(input)), (g) => [
    mul(eye(n, m, { dtype: g.dtype }), g),
  ], []);
}
