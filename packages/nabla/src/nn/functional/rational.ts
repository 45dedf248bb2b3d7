/**
 * The "safe" Padé activation unit (PAU, Molina, Schramowski & Kersting 2019, "Padé Activation
 * Units: End-to-end Learning of Flexible Activation Functions in Deep Networks"):
 *
 *   R(x) = P(x) / Q(x) = (a₀ + a₁x + … + a_m x^m) / (1 + |b₁x + b₂x² + … + b_n x^n|)
 *
 * Q ≥ 1, so R has no poles and its gradients stay finite. Both polynomials are evaluated by
 * Horner's rule from differentiable ops, so a, b and x all get gradients:
 *   ∂R/∂a_j = x^j / Q,  ∂R/∂b_k = −P·sign(S)·x^k / Q²,  ∂R/∂x = P′/Q − P·sign(S)·S′/Q²  (S = Σ b_k x^k).
 */
import { formatShape, ShapeError } from "../../errors.js";
import { abs, add, div, mul } from "../../ops/elementwise.js";
import { requireFloating } from "../../ops/helpers.js";
import { select } from "../../ops/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

/** R(x) with numerator coefficients [a₀ … a_m] and denominator coefficients [b₁ … b_n]. */
export function rational(x: Tensor, numerator: Tensor, denominator: Tensor): Tensor {
  requireFloating("rational", x);
  for (const [name, t] of [["numerator", numerator], ["denominator", denominator]] as const) {
    if (t.ndim !== 1 || t.numel() === 0) {
      throw new ShapeError(`rational: ${name} coefficients must be a non-empty 1-D tensor, got ${formatShape(t.shape)}`);
    }
  }
  const m = numerator.numel() - 1;
  let p: Tensor = select(numerator, 0, m);
  for (let j = m - 1; j >= 0; j--) p = add(mul(p, x), select(numerator, 0, j));
  const n = denominator.numel();
  let s: Tensor = select(denominator, 0, n - 1);
  for (let k = n - 2; k >= 0; k--) s = add(mul(s, x), select(denominator, 0, k));
  s = mul(s, x);
  return div(p, add(abs(s), 1));
}
