/** Small pieces every op file uses: fresh result tensors, views for kernels, scalar operands. */
import type { StridedView } from "../backend/backend.js";
import { webgpuContext, type Device } from "../backend/device.js";
import type { GpuStridedView } from "../backend/webgpu/context.js";
import { DTypeError } from "../errors.js";
import { isFloating, promoteTypes, promoteWithScalar, type DType, type TypedArray } from "../tensor/dtype.js";
import { contiguousStrides, numelOf } from "../tensor/shape.js";
import { Storage } from "../tensor/storage.js";
import { Tensor } from "../tensor/tensor.js";

/** A new contiguous tensor of the given shape and dtype, zero-filled; `op` names it if memory runs out; on `device` (the CPU unless said). */
export function emptyTensor(shape: readonly number[], dtype: DType, op?: string, device: Device = "cpu"): Tensor {
  return new Tensor(Storage.alloc(dtype, numelOf(shape), true, op, device), shape.slice(), contiguousStrides(shape), 0);
}

/**
 * A new contiguous tensor for a kernel that writes every one of its elements: where the backend
 * can (a reused wasm block), the storage is not zeroed first — a few percent of a training step.
 */
export function resultTensor(shape: readonly number[], dtype: DType, op?: string, device: Device = "cpu"): Tensor {
  return new Tensor(Storage.alloc(dtype, numelOf(shape), false, op, device), shape.slice(), contiguousStrides(shape), 0);
}

/**
 * The elements of a contiguous CPU tensor as a typed array over its storage (shared, not copied):
 * what a kernel reads or writes in place. The caller knows `t` is contiguous.
 */
export function contiguousData(t: Tensor): TypedArray {
  return t.storage.data.subarray(t.offset, t.offset + t.numel());
}

/**
 * resultTensor with `like`'s shape: where `like`'s strides are the contiguous ones, the result
 * shares its shape and strides arrays (no tensor changes those arrays; detach and views share
 * them too), two arrays fewer per op, which on small tensors is a measurable part of the op.
 */
export function resultTensorLike(like: Tensor, dtype: DType, op?: string, device: Device = "cpu"): Tensor {
  const shape = like.shape;
  const strides = like.strides;
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (strides[d] !== step) return resultTensor(shape, dtype, op, device);
    step *= shape[d]!;
  }
  return new Tensor(Storage.alloc(dtype, step, false, op, device), shape, strides, 0);
}

/** A contiguous tensor over the given values (copied into storage of `dtype`). */
export function fromTypedArray(values: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
  const t = emptyTensor(shape, dtype);
  const data = t.storage.data;
  if (dtype === "bool") for (let i = 0; i < data.length; i++) data[i] = values[i] ? 1 : 0;
  else data.set(values as ArrayLike<number>);
  return t;
}

/** A 0-d tensor holding one number. */
export function scalarTensor(value: number, dtype: DType, device: Device = "cpu"): Tensor {
  if (device !== "cpu") return filledTensor([], dtype, value, device);
  const t = emptyTensor([], dtype);
  t.storage.data[0] = dtype === "bool" ? (value ? 1 : 0) : value;
  return t;
}

/** A contiguous tensor of `shape` holding `value` everywhere (bool as 0/1), on `device`. */
export function filledTensor(shape: readonly number[], dtype: DType, value: number, device: Device = "cpu"): Tensor {
  const t = device === "cpu" ? emptyTensor(shape, dtype, "full") : resultTensor(shape, dtype, "full", device);
  const v = dtype === "bool" ? (value ? 1 : 0) : value;
  if (device === "cpu") {
    if (v !== 0) t.storage.data.fill(v);
  } else {
    webgpuContext("full").fill(t.storage.gpu, v, dtype !== "float32");
  }
  return t;
}

export function viewOf(t: Tensor): StridedView {
  return { data: t.storage.data, shape: t.shape, strides: t.strides, offset: t.offset };
}

/** A view of `t` read with the given (broadcast) shape and strides. */
export function viewWith(t: Tensor, shape: readonly number[], strides: readonly number[]): StridedView {
  return { data: t.storage.data, shape, strides, offset: t.offset };
}

/** A WebGPU tensor as a strided view of its buffer (the webgpu kernels' StridedView). */
export function gpuViewOf(t: Tensor): GpuStridedView {
  return { data: t.storage.gpu, shape: t.shape, strides: t.strides, offset: t.offset };
}

/** A WebGPU tensor read with the given (broadcast) shape and strides. */
export function gpuViewWith(t: Tensor, shape: readonly number[], strides: readonly number[]): GpuStridedView {
  return { data: t.storage.gpu, shape, strides, offset: t.offset };
}

export type TensorOrScalar = Tensor | number;

/** Turns two operands (at least one a tensor) into tensors of their common dtype, PyTorch's weak-scalar rule. */
export function asTensorPair(op: string, a: TensorOrScalar, b: TensorOrScalar): [Tensor, Tensor, DType] {
  if (a instanceof Tensor && b instanceof Tensor) return [a, b, promoteTypes(a.dtype, b.dtype)];
  if (a instanceof Tensor && typeof b === "number") {
    const dtype = promoteWithScalar(a.dtype, b);
    return [a, scalarTensor(b, dtype), dtype];
  }
  if (typeof a === "number" && b instanceof Tensor) {
    const dtype = promoteWithScalar(b.dtype, a);
    return [scalarTensor(a, dtype), b, dtype];
  }
  throw new TypeError(`${op}: expected at least one Tensor operand, got ${typeof a} and ${typeof b}`);
}

export function requireFloating(op: string, t: Tensor, arg = "input"): void {
  if (!isFloating(t.dtype)) {
    throw new DTypeError(`${op}: expected ${arg} to have a floating point dtype (float32 or float64), got ${t.dtype}`);
  }
}
