/**
 * Broadcasting as ops of their own (PyTorch's broadcast_to, broadcast_tensors, broadcast_shapes):
 * views that repeat size-1 dims (stride 0) and add leading ones, as arithmetic broadcasts its
 * operands. Their gradients sum over the repeated dims (expand's).
 */
import { formatShape, ShapeError } from "../errors.js";
import { broadcastShapes as broadcastPair } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { requireTensor } from "./arguments.js";
import { expand } from "./shape.js";

/** `x` viewed with `shape` (PyTorch's broadcast_to: expand's rules, −1 keeping a dim's size). */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  requireTensor("broadcastTo", "input", x);
  if (!Array.isArray(shape) || shape.some((s) => !Number.isInteger(s))) throw new TypeError(`broadcastTo: argument 'size' must be an array of integers, got ${String(shape)}`);
  return expand(x, shape, "broadcastTo");
}

/** The shape that shapes broadcast to (PyTorch's broadcast_shapes). */
export function broadcastShapes(...shapes: (readonly number[] | number)[]): number[] {
  return shapes.map((s) => (typeof s === "number" ? [s] : s)).reduce<number[]>((a, b) => broadcastPair("broadcastShapes", a, b), []);
}

/**
 * The tensors viewed with their common broadcast shape (PyTorch's broadcast_tensors); as separate
 * arguments or one array.
 */
export function broadcastTensors(...tensors: Tensor[] | [readonly Tensor[]]): Tensor[] {
  const list = (tensors.length === 1 && Array.isArray(tensors[0]) ? tensors[0] : tensors) as readonly Tensor[];
  list.forEach((t, i) => requireTensor("broadcastTensors", `tensors[${i}]`, t));
  let shape: number[] = [];
  list.forEach((t, i) => {
    try {
      shape = broadcastPair("broadcastTensors", shape, t.shape);
    } catch {
      throw new ShapeError(`broadcastTensors: tensor ${i} of shape ${formatShape(t.shape)} does not broadcast with the shape ${formatShape(shape)} of the tensors before it`);
    }
  });
  return list.map((t) => expand(t, shape, "broadcastTensors"));
}
