/**
 * The (values, indices) pair that max/min along a dim, sort, topk, kthvalue, median, mode, cummax
 * and max-pooling with indices return: PyTorch's `torch.return_types` namedtuple. Read it by name
 * (`r.values`, `r.indices`), by position (`x.max(1)[1]`, PyTorch's common `output.max(1)[1]`) or
 * unpack it (`const [values, indices] = x.max(1)`, as `values, indices = x.max(1)`).
 */
import { namedTuple } from "./named-tuple.js";

export class ValuesIndices extends namedTuple(["values", "indices"]) {}
