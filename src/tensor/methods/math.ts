/** Tensor methods: pointwise mathematics: trigonometric, special functions, rounding. */
import { Tensor } from "../tensor.js";

declare module "../tensor.js" {
  interface Tensor {}
}

void Tensor;
