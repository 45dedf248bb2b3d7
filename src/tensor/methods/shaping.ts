/** Tensor methods: split, chunk, unbind, repeat, tile, flip, roll, diag, tril/triu. */
import { Tensor } from "../tensor.js";

declare module "../tensor.js" {
  interface Tensor {}
}

void Tensor;
