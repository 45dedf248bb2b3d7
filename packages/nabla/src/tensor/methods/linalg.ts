/** Tensor methods: mm, bmm, addmm, dot, outer, einsum, norms, determinants and the inverse. */
import { Tensor } from "../tensor.js";
import type { WithOptions } from "../../ops/arguments.js";
import { norm, type TorchNormOptions } from "../../ops/norms.js";
import { det, logdet, slogdet, type SignLogAbsDet } from "../../ops/determinant.js";
import { inv } from "../../ops/solve.js";
import { addbmm, addmm, addmv, baddbmm, bmm, dot, inner, kron, mm, mv, outer, trace, vdot, type ScaleOptions } from "../../ops/products.js";

type ScaleArgs = WithOptions<[], ScaleOptions>;

declare module "../tensor.js" {
  interface Tensor {
    /** The matrix product with another 2-D tensor. */
    mm(mat2: Tensor): Tensor;
    /** Batched matrix products, [b, n, m] · [b, m, p]. */
    bmm(mat2: Tensor): Tensor;
    /** beta·this + alpha·(mat1 · mat2). */
    addmm(mat1: Tensor, mat2: Tensor, ...args: ScaleArgs): Tensor;
    /** beta·this + alpha·(mat · vec). */
    addmv(mat: Tensor, vec: Tensor, ...args: ScaleArgs): Tensor;
    /** beta·this + alpha·(batch1 · batch2) per batch. */
    baddbmm(batch1: Tensor, batch2: Tensor, ...args: ScaleArgs): Tensor;
    /** beta·this + alpha·Σ_b batch1[b] · batch2[b]. */
    addbmm(batch1: Tensor, batch2: Tensor, ...args: ScaleArgs): Tensor;
    /** The outer product of two 1-D tensors. */
    outer(vec2: Tensor): Tensor;
    /** The dot product of two 1-D tensors. */
    dot(other: Tensor): Tensor;
    /** dot with this conjugated (for real tensors, dot). */
    vdot(other: Tensor): Tensor;
    /** Products summed over the last dims of both. */
    inner(other: Tensor): Tensor;
    /** The product of this matrix and a vector. */
    mv(vec: Tensor): Tensor;
    /** The Kronecker product. */
    kron(other: Tensor): Tensor;
    /** The sum of the main diagonal of this 2-D tensor. */
    trace(): Tensor;
    /** The p-norm over dim (default every element; p default 'fro'): `x.norm(p?, dim?, keepdim?)`. */
    norm(...args: WithOptions<[p: number | "fro" | "nuc", dim: number | readonly number[] | null, keepdim: boolean], TorchNormOptions>): Tensor;
    /** The determinant of each [n, n] matrix of this tensor (linalg.det). */
    det(): Tensor;
    /** log det of each matrix: NaN where the determinant is negative (torch.logdet). */
    logdet(): Tensor;
    /** The sign and log|det| of each matrix (linalg.slogdet). */
    slogdet(): SignLogAbsDet;
    /** The inverse of each [n, n] matrix (linalg.inv). */
    inverse(): Tensor;
  }
}

const methods = {
  mm(this: Tensor, mat2: Tensor) {
    return mm(this, mat2);
  },
  bmm(this: Tensor, mat2: Tensor) {
    return bmm(this, mat2);
  },
  addmm(this: Tensor, mat1: Tensor, mat2: Tensor, ...args: ScaleArgs) {
    return addmm(this, mat1, mat2, ...args);
  },
  addmv(this: Tensor, mat: Tensor, vec: Tensor, ...args: ScaleArgs) {
    return addmv(this, mat, vec, ...args);
  },
  baddbmm(this: Tensor, batch1: Tensor, batch2: Tensor, ...args: ScaleArgs) {
    return baddbmm(this, batch1, batch2, ...args);
  },
  addbmm(this: Tensor, batch1: Tensor, batch2: Tensor, ...args: ScaleArgs) {
    return addbmm(this, batch1, batch2, ...args);
  },
  outer(this: Tensor, vec2: Tensor) {
    return outer(this, vec2);
  },
  dot(this: Tensor, other: Tensor) {
    return dot(this, other);
  },
  vdot(this: Tensor, other: Tensor) {
    return vdot(this, other);
  },
  inner(this: Tensor, other: Tensor) {
    return inner(this, other);
  },
  mv(this: Tensor, vec: Tensor) {
    return mv(this, vec);
  },
  kron(this: Tensor, other: Tensor) {
    return kron(this, other);
  },
  trace(this: Tensor) {
    return trace(this);
  },
  norm(this: Tensor, ...args: Parameters<typeof norm> extends [Tensor, ...infer R] ? R : never) {
    return norm(this, ...args);
  },
  det(this: Tensor) {
    return det(this);
  },
  logdet(this: Tensor) {
    return logdet(this);
  },
  slogdet(this: Tensor) {
    return slogdet(this);
  },
  inverse(this: Tensor) {
    return inv(this);
  },
};
Object.assign(Tensor.prototype, methods);
