/** CosineSimilarity and PairwiseDistance: F.cosineSimilarity and F.pairwiseDistance as modules. No parameters. */
import type { Tensor } from "../../tensor/tensor.js";
import { cosineSimilarity, pairwiseDistance, type CosineSimilarityOptions, type PairwiseDistanceOptions } from "../functional/distance.js";
import { BOOLEAN, INTEGER, NUMBER, type WithOptions } from "../../ops/arguments.js";
import { readLayerArgs } from "../constructor-args.js";
import { Module } from "../module.js";

/** Cosine of the angle between x1 and x2 along dim (default 1). Also `new CosineSimilarity(dim, eps)`. */
export class CosineSimilarity extends Module<[x1: Tensor, x2: Tensor], Tensor> {
  readonly dim: number;
  readonly eps: number;
  constructor(...args: WithOptions<[dim: number, eps: number], CosineSimilarityOptions>) {
    super();
    const { dim = 1, eps = 1e-8 } = readLayerArgs<CosineSimilarityOptions>("CosineSimilarity", args, { positional: [["dim", INTEGER], ["eps", NUMBER]] });
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
  constructor(...args: WithOptions<[p: number, eps: number, keepdim: boolean], PairwiseDistanceOptions>) {
    super();
    const { p = 2, eps = 1e-6, keepdim = false } = readLayerArgs<PairwiseDistanceOptions>("PairwiseDistance", args, { positional: [["p", NUMBER], ["eps", NUMBER], ["keepdim", BOOLEAN]] });
    this.p = p;
    this.eps = eps;
    this.keepdim = keepdim;
  }
  forward(x1: Tensor, x2: Tensor): Tensor {
    return pairwiseDistance(x1, x2, { p: this.p, eps: this.eps, keepdim: this.keepdim });
  }
}
