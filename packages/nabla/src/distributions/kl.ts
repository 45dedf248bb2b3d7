/**
 * KL(p ‖ q) for the pairs PyTorch registers among nabla's distributions (torch.distributions.kl),
 * with the same closed forms: the same-family pairs, and the mixed ones (Beta–Gamma, Beta–Normal,
 * Uniform–Beta …, and the ∞ ones where p's support is not inside q's). An unknown pair is refused
 * by name; `registerKl` adds one.
 */
import { add, div, eq, gt, log, logicalOr, lt, mul, neg, pow, sub, where } from "../ops/elementwise.js";
import { full } from "../ops/creation.js";
import { sum } from "../ops/reduce.js";
import { expand, reshape } from "../ops/shape.js";
import { softplus } from "../ops/activations.js";
import { digamma, lgamma } from "../ops/special.js";
import { solveTriangular } from "../ops/triangular-solve.js";
import { broadcastShapes } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { Bernoulli } from "./bernoulli.js";
import { Beta } from "./beta.js";
import { Categorical } from "./categorical.js";
import type { Distribution } from "./distribution.js";
import { Gamma } from "./gamma.js";
import { MultivariateNormal, batchDiagonal } from "./multivariate-normal.js";
import { Normal } from "./normal.js";
import { OneHotCategorical } from "./one-hot-categorical.js";
import { Uniform } from "./uniform.js";

type KlFn = (p: Distribution, q: Distribution) => Tensor;

/** The formulas by p's class, then q's class (the classes themselves are the keys). */
const registry = new Map<unknown, Map<unknown, KlFn>>();

/** Registers KL(p ‖ q) for p of class P and q of class Q (PyTorch's @register_kl(P, Q)). */
export function registerKl<P extends Distribution, Q extends Distribution>(
  P: abstract new (...args: never[]) => P,
  Q: abstract new (...args: never[]) => Q,
  fn: (p: P, q: Q) => Tensor,
): void {
  const inner = registry.get(P) ?? new Map<unknown, KlFn>();
  inner.set(Q, fn as KlFn);
  registry.set(P, inner);
}

/** KL(p ‖ q) = E_p[ln p − ln q], over the batch; throws for a pair with no registered formula. */
export function klDivergence(p: Distribution, q: Distribution): Tensor {
  const fn = registry.get(p.constructor)?.get(q.constructor);
  if (!fn) throw new TypeError(`klDivergence: no KL(${p.typeName} || ${q.typeName}) is implemented`);
  return fn(p, q);
}

const inf = Infinity;
const xLogX = (t: Tensor) => mul(t, log(t));
const infiniteLike = (t: Tensor) => full(t.shape, inf, { dtype: t.dtype });

function klCategorical(p: Categorical, q: Categorical): Tensor {
  let t = mul(p.probs, sub(p.logits, q.logits));
  t = where(expand(eq(q.probs, 0), t.shape), inf, t);
  t = where(expand(eq(p.probs, 0), t.shape), 0, t);
  return sum(t, -1);
}

registerKl(Bernoulli, Bernoulli, (p, q) => {
  let t1 = mul(p.probs, sub(softplus(neg(q.logits), 1, 20), softplus(neg(p.logits), 1, 20)));
  t1 = where(eq(q.probs, 0), inf, t1);
  t1 = where(eq(p.probs, 0), 0, t1);
  let t2 = mul(sub(1, p.probs), sub(softplus(q.logits, 1, 20), softplus(p.logits, 1, 20)));
  t2 = where(eq(q.probs, 1), inf, t2);
  t2 = where(eq(p.probs, 1), 0, t2);
  return add(t1, t2);
});

registerKl(Beta, Beta, (p, q) => {
  const sumP = add(p.concentration1, p.concentration0);
  const sumQ = add(q.concentration1, q.concentration0);
  const t1 = add(add(lgamma(q.concentration1), lgamma(q.concentration0)), lgamma(sumP));
  const t2 = add(add(lgamma(p.concentration1), lgamma(p.concentration0)), lgamma(sumQ));
  const t3 = mul(sub(p.concentration1, q.concentration1), digamma(p.concentration1));
  const t4 = mul(sub(p.concentration0, q.concentration0), digamma(p.concentration0));
  const t5 = mul(sub(sumQ, sumP), digamma(sumP));
  return add(add(add(sub(t1, t2), t3), t4), t5);
});

registerKl(Beta, Gamma, (p, q) => {
  const t1 = neg(p.entropy());
  const t2 = sub(lgamma(q.concentration), mul(q.concentration, log(q.rate)));
  const t3 = mul(sub(q.concentration, 1), sub(digamma(p.concentration1), digamma(add(p.concentration1, p.concentration0))));
  const t4 = div(mul(q.rate, p.concentration1), add(p.concentration1, p.concentration0));
  return add(sub(add(t1, t2), t3), t4);
});

registerKl(Beta, Normal, (p, q) => {
  const eBeta = div(p.concentration1, add(p.concentration1, p.concentration0));
  const varNormal = pow(q.scale, 2);
  const t1 = neg(p.entropy());
  const t2 = mul(log(mul(mul(varNormal, 2), Math.PI)), 0.5);
  const t3 = mul(add(div(mul(eBeta, sub(1, eBeta)), add(add(p.concentration1, p.concentration0), 1)), pow(eBeta, 2)), 0.5);
  const t4 = mul(q.loc, eBeta);
  const t5 = mul(pow(q.loc, 2), 0.5);
  return add(add(t1, t2), div(add(sub(t3, t4), t5), varNormal));
});

registerKl(Beta, Uniform, (p, q) => {
  const result = add(neg(p.entropy()), log(sub(q.high, q.low)));
  return where(logicalOr(gt(q.low, 0), lt(q.high, 1)), inf, result);
});

registerKl(Categorical, Categorical, klCategorical);

registerKl(Gamma, Beta, (p) => infiniteLike(p.concentration));
registerKl(Gamma, Uniform, (p) => infiniteLike(p.concentration));

registerKl(Gamma, Gamma, (p, q) => {
  const t1 = mul(q.concentration, log(div(p.rate, q.rate)));
  const t2 = sub(lgamma(q.concentration), lgamma(p.concentration));
  const t3 = mul(sub(p.concentration, q.concentration), digamma(p.concentration));
  const t4 = mul(sub(q.rate, p.rate), div(p.concentration, p.rate));
  return add(add(add(t1, t2), t3), t4);
});

registerKl(Gamma, Normal, (p, q) => {
  const varNormal = pow(q.scale, 2);
  const betaSqr = pow(p.rate, 2);
  const t1 = sub(sub(mul(log(mul(mul(betaSqr, varNormal), 2 * Math.PI)), 0.5), p.concentration), lgamma(p.concentration));
  const t2 = div(mul(add(pow(p.concentration, 2), p.concentration), 0.5), betaSqr);
  const t3 = div(mul(q.loc, p.concentration), p.rate);
  const t4 = mul(pow(q.loc, 2), 0.5);
  return add(add(t1, mul(sub(p.concentration, 1), digamma(p.concentration))), div(add(sub(t2, t3), t4), varNormal));
});

registerKl(MultivariateNormal, MultivariateNormal, (p, q) => {
  if (p.eventShape[0] !== q.eventShape[0]) {
    throw new RangeError("klDivergence: KL-divergence between two Multivariate Normals with different event shapes cannot be computed");
  }
  const logDiagSum = (d: MultivariateNormal) => sum(log(batchDiagonal(d.unbroadcastedScaleTril)), -1);
  const halfTerm1 = sub(logDiagSum(q), logDiagSum(p));
  const n = p.eventShape[0]!;
  const qL = q.unbroadcastedScaleTril;
  const pL = p.unbroadcastedScaleTril;
  const batch = broadcastShapes("klDivergence", qL.shape.slice(0, -2), pL.shape.slice(0, -2));
  const x = solveTriangular(expand(qL, [...batch, n, n]), expand(pL, [...batch, n, n]), { upper: false });
  const term2 = reshape(sum(pow(reshape(x, [-1, n * n]), 2), -1), batch);
  const diff = sub(q.loc, p.loc);
  const y = solveTriangular(qL, reshape(diff, [...diff.shape, 1]), { upper: false });
  const term3 = sum(pow(reshape(y, diff.shape), 2), -1);
  return add(halfTerm1, mul(sub(add(term2, term3), n), 0.5));
});

registerKl(Normal, Beta, (p) => infiniteLike(p.loc));
registerKl(Normal, Gamma, (p) => infiniteLike(p.loc));
registerKl(Normal, Uniform, (p) => infiniteLike(p.loc));

registerKl(Normal, Normal, (p, q) => {
  const varRatio = pow(div(p.scale, q.scale), 2);
  const t1 = pow(div(sub(p.loc, q.loc), q.scale), 2);
  return mul(sub(sub(add(varRatio, t1), 1), log(varRatio)), 0.5);
});

registerKl(OneHotCategorical, OneHotCategorical, (p, q) => klCategorical(p.categorical, q.categorical));

registerKl(Uniform, Beta, (p, q) => {
  const common = sub(p.high, p.low);
  const t1 = log(common);
  const t2 = div(mul(sub(q.concentration1, 1), sub(sub(xLogX(p.high), xLogX(p.low)), common)), common);
  const t3 = div(mul(sub(q.concentration0, 1), add(sub(xLogX(sub(1, p.high)), xLogX(sub(1, p.low))), common)), common);
  const t4 = sub(add(lgamma(q.concentration1), lgamma(q.concentration0)), lgamma(add(q.concentration1, q.concentration0)));
  const result = sub(sub(add(t3, t4), t1), t2);
  return where(logicalOr(gt(p.high, 1), lt(p.low, 0)), inf, result);
});

registerKl(Uniform, Gamma, (p, q) => {
  const common = sub(p.high, p.low);
  const t1 = log(common);
  const t2 = sub(lgamma(q.concentration), mul(q.concentration, log(q.rate)));
  const t3 = div(mul(sub(1, q.concentration), sub(sub(xLogX(p.high), xLogX(p.low)), common)), common);
  const t4 = div(mul(q.rate, add(p.high, p.low)), 2);
  const result = add(add(add(neg(t1), t2), t3), t4);
  return where(lt(p.low, 0), inf, result);
});

registerKl(Uniform, Normal, (p, q) => {
  const common = sub(p.high, p.low);
  const t1 = log(div(mul(q.scale, Math.sqrt(Math.PI * 2)), common));
  const t2 = div(pow(common, 2), 12);
  const t3 = pow(div(sub(add(p.high, p.low), mul(q.loc, 2)), 2), 2);
  return add(t1, div(mul(add(t2, t3), 0.5), pow(q.scale, 2)));
});

registerKl(Uniform, Uniform, (p, q) => {
  const result = log(div(sub(q.high, q.low), sub(p.high, p.low)));
  return where(logicalOr(gt(q.low, p.low), lt(q.high, p.high)), inf, result);
});

