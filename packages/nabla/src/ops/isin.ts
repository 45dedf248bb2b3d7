/**
 * torch.isin: whether each element of `elements` occurs among `testElements` (bool, the shape of
 * elements; NaN matches nothing, as PyTorch's); `invert` gives the opposite. Small inputs compare
 * every pair at once; past PAIRWISE_LIMIT pairs the test elements are sorted and each element
 * looked up by binary search (PyTorch's own switch, at its own threshold), so memory stays linear.
 */
import { promoteTypes } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { any } from "./any-all.js";
import { clamp } from "./clamp.js";
import { eq, logicalNot } from "./elementwise.js";
import { filledTensor, scalarTensor } from "./helpers.js";
import { indexSelect } from "./index-select.js";
import { searchsorted } from "./searchsorted.js";
import { reshape } from "./shape.js";
import { sort } from "./sort.js";

export interface IsinOptions {
  /** Whether both inputs hold distinct values (a hint PyTorch takes; the answer is the same). */
  assumeUnique?: boolean;
  /** true: whether each element is NOT among testElements. */
  invert?: boolean;
}

/** Pairs compared at once at most (a bool each); past this, sort and search. */
const PAIRWISE_LIMIT = 2 ** 20;

export function isin(elements: Tensor | number, testElements: Tensor | number, { invert = false }: IsinOptions = {}): Tensor {
  if (!(elements instanceof Tensor) && !(testElements instanceof Tensor)) {
    throw new TypeError("isin: expected elements or testElements to be a Tensor, got two numbers");
  }
  const device = (elements instanceof Tensor ? elements : (testElements as Tensor)).storage.device;
  const asTensor = (v: Tensor | number): Tensor => (v instanceof Tensor ? v.detach() : scalarTensor(v, Number.isInteger(v) ? "int32" : "float32", device));
  const el = asTensor(elements);
  const test = asTensor(testElements);
  const found = el.numel() * test.numel() <= PAIRWISE_LIMIT || el.dtype === "bool" || test.dtype === "bool" ? pairwise(el, test) : searched(el, test);
  return invert ? logicalNot(found) : found;
}

/** Every element against every test element: elements × testElements booleans. */
function pairwise(el: Tensor, test: Tensor): Tensor {
  return any(eq(reshape(el, [...el.shape, 1]), reshape(test, [-1])), el.ndim);
}

/** Each element looked up among the sorted test elements: the first not below it is it, or it is absent. */
function searched(el: Tensor, test: Tensor): Tensor {
  const dtype = promoteTypes(el.dtype, test.dtype);
  const values = el.to(dtype);
  const seq = sort(reshape(test.to(dtype), [-1])).values;
  if (seq.numel() === 0) return filledTensor(el.shape, "bool", 0, el.storage.device);
  const at = clamp(reshape(searchsorted(seq, values), [-1]), null, seq.numel() - 1);
  return eq(reshape(indexSelect(seq, 0, at), el.shape), values);
}
