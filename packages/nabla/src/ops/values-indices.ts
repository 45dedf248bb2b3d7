/**
 * The (values, indices) pair that max/min along a dim, sort, topk, kthvalue, median, mode, cummax
 * and max-pooling with indices return: PyTorch's `torch.return_types` namedtuple. Read it by name
 * (`r.values`, `r.indices`), by position (`x.max(1)[1]`, PyTorch's common `output.max(1)[1]`) or
 * unpack it (`const [values, indices] = x.max(1)`, as `values, indices = x.max(1)`).
 */
import type { Tensor } from "../tensor/tensor.js";

export class ValuesIndices {
  constructor(
    public values: Tensor,
    public indices: Tensor,
  ) {}

  /** The values (a namedtuple's first field). */
  get 0(): Tensor {
    return this.values;
  }

  /** The indices (a namedtuple's second field). */
  get 1(): Tensor {
    return this.indices;
  }

  get length(): 2 {
    return 2;
  }

  *[Symbol.iterator](): IterableIterator<Tensor> {
    yield this.values;
    yield this.indices;
  }
}
