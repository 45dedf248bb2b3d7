/** Tensor methods: advanced indexing, masks, scatter/put, nonzero. */
import { Tensor } from "../tensor.js";

declare module "../tensor.js" {
  interface Tensor {}
}

void Tensor;
