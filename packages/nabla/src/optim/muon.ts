import { eye, zerosLike } from "../ops/creation.js";
import { BOOLEAN, NUMBER, type WithOptions } from "../ops/arguments.js";
import { optimizerArgs } from "./arguments.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroupSpec } from "./optimizer.js";
import { buffer, count, required, type StateSpec } from "./state-fields.js";
import { checkBetas, checkLr, checkNonNegative, checkPositiveInt, checkRange } from "./validate.js";

export interface MuonOptions {
  lr: number;
  momentum: number;
  nesterov: boolean;
  /** Newton–Schulz iterations. */
  nsSteps: number;
  weightDecay: number;
  /** AdamW options for the parameters that are not 2-D matrices (biases, gains). */
  auxLr: number;
  auxBetas: [number, number];
  auxEps: number;
  auxWeightDecay: number;
}

/** A 2-D weight keeps its momentum buffer b; any other parameter AdamW's step t and moments m, v. */
export type MuonState = { momentum_buffer: Tensor } | { step: number; exp_avg: Tensor; exp_avg_sq: Tensor };

/** The quintic Newton–Schulz coefficients of Jordan et al. 2024. */
const NS_A = 3.4445;
const NS_B = -4.775;
const NS_C = 2.0315;

/**
 * Muon, "MomentUm Orthogonalized by Newton–Schulz" (Jordan et al. 2024; Liu et al. 2025): for each
 * 2-D weight, SGD momentum whose update is replaced by the nearest semi-orthogonal matrix UVᵀ
 * (from its SVD UΣVᵀ), computed without an SVD by five Newton–Schulz iterations:
 *
 *   b ← μb + (1 − μ)g;   u = (1 − μ)g + μb  (nesterov)  or  u = b
 *   X ← u/‖u‖_F  (transposed if tall);  5×:  A = XXᵀ,  X ← aX + (bA + cA²)X   (see newtonSchulz5)
 *   θ ← θ(1 − γλ) − γ·√max(1, rows/cols)·X
 *
 * Parameters that are not 2-D (biases) take AdamW with the aux* options, as the authors'
 * MuonWithAuxAdam does. The iteration runs in the weights' dtype (the authors use bfloat16).
 *
 * When to choose it: for the hidden weight matrices of networks trained from scratch (MLPs,
 * transformers; the input embedding and the output layer are usually left to AdamW), where it has
 * trained faster than AdamW per step at the same quality. Costs a few matrix products per matrix
 * per step. Convolution filters (4-D) take the AdamW path here; not for fine-tuning AdamW-trained
 * weights.
 */
export class Muon extends Optimizer<MuonOptions, MuonState> {
  /** After params: the reference Muon's positional `(lr, momentum, nesterov, nsSteps)`, or options. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupSpec<MuonOptions>>, ...args: WithOptions<[lr: number, momentum: number, nesterov: boolean, nsSteps: number], Partial<MuonOptions>>) {
    const options = optimizerArgs<MuonOptions>("Muon", params, args, [["lr", NUMBER], ["momentum", NUMBER], ["nesterov", BOOLEAN], ["nsSteps", NUMBER]]);
    super(
      "Muon",
      params,
      { lr: 0.02, momentum: 0.95, nesterov: true, nsSteps: 5, weightDecay: 0, auxLr: 3e-4, auxBetas: [0.9, 0.95], auxEps: 1e-10, auxWeightDecay: 0 },
      options,
    );
  }

  protected validate({ lr, momentum, nsSteps, weightDecay, auxLr, auxBetas, auxEps, auxWeightDecay }: MuonOptions): void {
    checkLr("Muon", lr);
    checkRange("Muon", "momentum", momentum, 0, 1, true);
    checkPositiveInt("Muon", "nsSteps", nsSteps);
    checkNonNegative("Muon", "weightDecay", weightDecay);
    checkNonNegative("Muon", "auxLr", auxLr);
    checkBetas("Muon", auxBetas, "auxBetas");
    checkNonNegative("Muon", "auxEps", auxEps);
    checkNonNegative("Muon", "auxWeightDecay", auxWeightDecay);
  }

  /** 2-D weights keep a momentum buffer; the rest AdamW's step and moments. */
  protected stateSpec(_o: MuonOptions, p: Tensor): StateSpec {
    if (p.dim() === 2) return { momentum_buffer: buffer(p) };
    return { step: required(count), exp_avg: buffer(p), exp_avg_sq: buffer(p) };
  }

  protected initState(p: Tensor): MuonState {
    if (p.dim() === 2) return { momentum_buffer: zerosLike(p) };
    return { step: 0, exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
  }

  protected updateParameter(theta: Tensor, grad: Tensor, state: MuonState, o: MuonOptions): void {
    if ("momentum_buffer" in state) this.orthogonalizedStep(theta, grad, state.momentum_buffer, o);
    else this.adamWStep(theta, grad, state, o);
  }

  private orthogonalizedStep(theta: Tensor, g: Tensor, b: Tensor, o: MuonOptions): void {
    const { lr, momentum: mu, nesterov, nsSteps, weightDecay: lambda } = o;
    const [rows, cols] = theta.shape as [number, number];
    b.add_(g.sub(b).mul(1 - mu));
    const u = nesterov ? g.add(b.sub(g).mul(mu)) : b;
    const X = newtonSchulz5(u, nsSteps);
    if (lambda !== 0) theta.mul_(1 - lr * lambda);
    theta.sub_(X.mul(lr * Math.sqrt(Math.max(1, rows / cols))));
  }

  private adamWStep(theta: Tensor, g: Tensor, state: { step: number; exp_avg: Tensor; exp_avg_sq: Tensor }, o: MuonOptions): void {
    const { auxLr: lr, auxBetas: [beta1, beta2], auxEps: eps, auxWeightDecay: lambda } = o;
    const t = (state.step += 1);
    const { exp_avg: m, exp_avg_sq: v } = state;
    m.mul_(beta1).add_(g, { alpha: 1 - beta1 });
    v.mul_(beta2).add_(g.mul(g), { alpha: 1 - beta2 });
    const mHat = m.div(1 - beta1 ** t);
    const vHat = v.div(1 - beta2 ** t);
    if (lambda !== 0) theta.mul_(1 - lr * lambda);
    theta.sub_(mHat.mul(lr).div(vHat.sqrt().add(eps)));
  }
}

/**
 * The quintic Newton–Schulz iteration for the orthogonal factor UVᵀ of a 2-D matrix G (its SVD
 * being UΣVᵀ): X₀ = G/(‖G‖_F + 1e-7) in its wide orientation (n×k, n ≤ k), then
 *
 *   Xₜ₊₁ = MₜXₜ,   Mₜ = aI + bAₜ + cAₜ²,   Aₜ = XₜXₜᵀ.
 *
 * Every Mₜ is a polynomial in A₀, so the iteration runs on the small n×n side:
 * Aₜ₊₁ = MₜAₜMₜ, and X_steps = (M_{steps−1}⋯M₀)·X₀ — two n×n×k products instead of two per step.
 * In G's dtype, with the backend's matmul (float32 weights: float32, as the authors run it in
 * bfloat16; float64 weights: float64).
 */
export function newtonSchulz5(G: Tensor, steps: number): Tensor {
  const tall = G.shape[0]! > G.shape[1]!;
  let X = tall ? G.t().contiguous() : G;
  X = X.div(X.pow(2).sum().sqrt().add(1e-7));
  const aI = eye(X.shape[0]!, X.shape[0]!, { dtype: X.dtype }).mul(NS_A);
  let A = X.matmul(X.t());
  let product: Tensor | null = null;
  for (let step = 0; step < steps; step++) {
    const M = aI.add(A.mul(NS_B)).add(A.matmul(A).mul(NS_C));
    product = product === null ? M : M.matmul(product);
    if (step < steps - 1) A = M.matmul(A).matmul(M);
  }
  X = product === null ? X : product.matmul(X);
  return tall ? X.t().contiguous() : X;
}
