/** Tensor methods: mm, bmm, addmm, dot, outer, einsum, norms. */
import { Tensor } from "../tensor.js";

declare module "../tensor.js" {
  interface Tensor {}
}

void Tensor;
