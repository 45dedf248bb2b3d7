/** Tensor methods: sort, topk, order statistics, cumulative scans, unique, histograms. */
import { Tensor } from "../tensor.js";

declare module "../tensor.js" {
  interface Tensor {}
}

void Tensor;
