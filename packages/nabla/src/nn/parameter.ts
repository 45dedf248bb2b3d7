/** A tensor that is a module's learnable state: found by Module.parameters(), requires grad by default. */
import { Tensor } from "../tensor/tensor.js";

export class Parameter extends Tensor {
  /** Wraps `data`'s storage (no copy) as a leaf parameter. */
  constructor(data: Tensor, requiresGrad = true) {
    const leaf = data.detach();
    super(leaf.storage, leaf.shape, leaf.strides, leaf.offset);
    this.requiresGrad = requiresGrad;
  }
}
