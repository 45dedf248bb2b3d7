/** Tensor methods: pointwise mathematics: trigonometric, special functions, rounding. */
import { Tensor } from "../tensor.js";
import { digamma, lgamma, polygamma } from "../../ops/special.js";

declare module "../tensor.js" {
  interface Tensor {
    /** ln|Γ(x)| elementwise (torch.Tensor.lgamma). */
    lgamma(): Tensor;
    /** ψ(x) = d/dx ln Γ(x) elementwise (torch.Tensor.digamma). */
    digamma(): Tensor;
    /** ψ⁽ⁿ⁾(x) elementwise (torch.Tensor.polygamma(n)). */
    polygamma(n: number): Tensor;
  }
}

Tensor.prototype.lgamma = function (this: Tensor) {
  return lgamma(this);
};
Tensor.prototype.digamma = function (this: Tensor) {
  return digamma(this);
};
Tensor.prototype.polygamma = function (this: Tensor, n: number) {
  return polygamma(n, this);
};
