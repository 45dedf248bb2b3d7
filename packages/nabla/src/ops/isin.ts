/**
 * torch.isin: whether each element of `elements` occurs among `testElements` (bool, the shape of
 * elements), comparing every pair (NaN matches nothing, as PyTorch's); `invert` gives the opposite.
 * The pairwise comparison holds elements × testElements booleans at once; PyTorch sorts instead
 * past a size, which gives the same answer.
 */
import { Tensor } from "../tensor/tensor.js";
import { any } from "./any-all.js";
import { eq, logicalNot } from "./elementwise.js";
import { scalarTensor } from "./helpers.js";
import { reshape } from "./shape.js";

export interface IsinOptions {
  /** Whether both inputs hold distinct values (a hint PyTorch takes; the answer is the same). */
  assumeUnique?: boolean;
  /** true: whether each element is NOT among testElements. */
  invert?: boolean;
}

export function isin(elements: Tensor | number, testElements: Tensor | number, { invert = false }: IsinOptions = {}): Tensor {
  if (!(elements instanceof Tensor) && !(testElements instanceof Tensor)) {
    throw new TypeError("isin: expected elements or testElements to be a Tensor, got two numbers");
  }
  const device = (elements instanceof Tensor ? elements : (testElements as Tensor)).storage.device;
  const el = elements instanceof Tensor ? elements : scalarTensor(elements, Number.isInteger(elements) ? "int32" : "float32", device);
  const test = testElements instanceof Tensor ? testElements : scalarTensor(testElements, Number.isInteger(testElements) ? "int32" : "float32", device);
  const pairs = eq(reshape(el.detach(), [...el.shape, 1]), reshape(test.detach(), [-1]));
  const found = any(pairs, el.ndim);
  return invert ? logicalNot(found) : found;
}
