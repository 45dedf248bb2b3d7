/** Tensor methods: new tensors shaped like this one (newZeros, newOnes, newFull, newTensor). */
import { Tensor } from "../tensor.js";

declare module "../tensor.js" {
  interface Tensor {}
}

void Tensor;
