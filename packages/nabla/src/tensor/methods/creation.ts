/**
 * Tensor members that make tensors from this one: `data` (this tensor's values outside autograd,
 * and PyTorch's `p.data = t`), `newZeros`/`newOnes`/`newFull`/`newEmpty`/`newTensor` (this
 * tensor's dtype unless told otherwise) and `typeAs`.
 */
import { DTypeError } from "../../errors.js";
import { full, tensor, zeros, type CreateOptions, type ShapeArg } from "../../ops/creation.js";
import { CREATE_KEYS, checkOptions, sizeArgs, type SizeArgs } from "../../ops/creation-args.js";
import { isFloating, type TypedArray } from "../dtype.js";
import { Tensor, type NestedArray } from "../tensor.js";

declare module "../tensor.js" {
  interface Tensor {
    /**
     * The same storage, shape and strides, cut from autograd (PyTorch's Tensor.data): writes
     * through it change this tensor and are not recorded. `p.data = t` makes p hold t's values
     * (its storage, shape and strides) while keeping p itself: its identity, requiresGrad, grad.
     * Unlike PyTorch, a write through `data` counts as a change of the storage's version, so a
     * backward that needs the old values refuses to run instead of using the new ones.
     */
    data: Tensor;
    /** Zeros of `size`, with this tensor's dtype unless options say otherwise. */
    newZeros(...args: SizeArgs<CreateOptions>): Tensor;
    /** Ones of `size`, with this tensor's dtype unless options say otherwise. */
    newOnes(...args: SizeArgs<CreateOptions>): Tensor;
    /** `size` filled with value, with this tensor's dtype unless options say otherwise. */
    newFull(size: ShapeArg, value: number | boolean, options?: CreateOptions): Tensor;
    /** A tensor of `size` (zero-filled here; PyTorch leaves it uninitialised). */
    newEmpty(...args: SizeArgs<CreateOptions>): Tensor;
    /** A tensor of data, with this tensor's dtype unless options say otherwise (PyTorch's new_tensor). */
    newTensor(data: NestedArray | TypedArray | Tensor, options?: CreateOptions): Tensor;
    /** This tensor cast to other's dtype. */
    typeAs(other: Tensor): Tensor;
  }
}

Object.defineProperty(Tensor.prototype, "data", {
  configurable: true,
  get(this: Tensor): Tensor {
    return this.detach();
  },
  set(this: Tensor, value: Tensor) {
    if (!(value instanceof Tensor)) throw new TypeError(`data: expected a Tensor to assign, got ${typeof value}`);
    if (this.requiresGrad && !isFloating(value.dtype)) {
      throw new DTypeError(`data: cannot assign a ${value.dtype} tensor to the data of a tensor that requires grad (only floating point tensors can)`);
    }
    // the Tensor's fields are readonly to users; swapping them is what .data = does in PyTorch
    Object.assign(this, { storage: value.storage, shape: value.shape.slice(), strides: value.strides.slice(), offset: value.offset });
  },
});

const proto = Tensor.prototype;

// PyTorch's new_*: the tensor's dtype and device unless the options say otherwise
// sizes as numbers or a list, as zeros: x.newZeros(2, 3), x.newZeros([2, 3])
proto.newZeros = function (this: Tensor, ...args: SizeArgs<CreateOptions>) {
  const [size, options] = sizeArgs<CreateOptions>("newZeros", args, CREATE_KEYS);
  return zeros(size, { dtype: this.dtype, device: this.device, ...options });
};
proto.newOnes = function (this: Tensor, ...args: SizeArgs<CreateOptions>) {
  const [size, options] = sizeArgs<CreateOptions>("newOnes", args, CREATE_KEYS);
  return full(size, 1, { dtype: this.dtype, device: this.device, ...options });
};
proto.newFull = function (this: Tensor, size: ShapeArg, value: number | boolean, options: CreateOptions = {}) {
  checkOptions("newFull", options, CREATE_KEYS);
  return full(size, value, { dtype: this.dtype, device: this.device, ...options });
};
proto.newEmpty = function (this: Tensor, ...args: SizeArgs<CreateOptions>) {
  const [size, options] = sizeArgs<CreateOptions>("newEmpty", args, CREATE_KEYS);
  return zeros(size, { dtype: this.dtype, device: this.device, ...options });
};
proto.newTensor = function (this: Tensor, data: NestedArray | TypedArray | Tensor, options: CreateOptions = {}) {
  checkOptions("newTensor", options, CREATE_KEYS);
  const dtype = options.dtype ?? this.dtype;
  // a tensor's values are copied (detached), as PyTorch's new_tensor does
  const values = data instanceof Tensor ? data.detach().to(dtype).clone() : tensor(data, { dtype });
  if (options.requiresGrad) values.requiresGrad = true;
  return values;
};
proto.typeAs = function (this: Tensor, other: Tensor) {
  return this.to(other.dtype);
};
