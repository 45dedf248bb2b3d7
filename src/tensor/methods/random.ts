/** Tensor methods: in-place random fills and sampling: bernoulli_, normal_, multinomial. */
import { Tensor } from "../tensor.js";

declare module "../tensor.js" {
  interface Tensor {}
}

void Tensor;
