/** CosineSimilarity and PairwiseDistance: F.cosineSimilarity and F.pairwiseDistance as modules. No parameters. */
import type { Tensor } from "../../tensor/tensor.js";
import { cosineSimilarity, pairwiseDistance, type CosineSimilarityOptions, type PairwiseDistanceOptions } from "../functional/distance.js";
import { positionalOrOptions } from "../functional/options.js";
import { Module } from "../module.js";

/** Cosine of the angle between x1 and x2 along dim (default 1). Also `new CosineSimilarity(dim, eps)`. */
export class CosineSimilarity extends Module<[x1: Tensor, x2: Tensor], Tensor> {
  readonly dim: number;
  readonly eps: number;
  constructor(options?: CosineSimilarityOptions);
  constructor(dim?: number, eps?: number);
  constructor(...args: unknown[]) {
    super();
    const { dim = 1, eps = 1e-8 } = positionalOrOptions<CosineSimilarityOptions>("CosineSimilarity", args, ["dim", "eps"]);
    this.dim = dim;
    this.eps = eps;
  }
  forward(x1: Tensor, x2: Tensor): Tensor {
    return cosineSimilarity(x1, x2, { dim: this.dim, eps: this.eps });
  }
}

/** ‖x1 − x2 + eps‖_p along the last dim. Also `new PairwiseDistance(p, eps, keepdim)`. */
export class PairwiseDistance extends Module<[x1: Tensor, x2: Tensor], Tensor> {
  readonly p: number;
  readonly eps: number;
  readonly keepdim: boolean;
  constructor(options?: PairwiseDistanceOptions);
  constructor(p?: number, eps?: number, keepdim?: boolean);
  constructor(...args: unknown[]) {
    super();
    const { p = 2, eps = 1e-6, keepdim = false } = positionalOrOptions<PairwiseDistanceOptions>("PairwiseDistance", args, ["p", "eps", "keepdim"]);
    this.p = p;
    this.eps = eps;
    this.keepdim = keepdim;
  }
  forward(x1: Tensor, x2: Tensor): Tensor {
    return pairwiseDistance(x1, x2, { p: this.p, eps: this.eps, keepdim: this.keepdim });
  }
}
