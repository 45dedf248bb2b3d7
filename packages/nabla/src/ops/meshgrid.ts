/**
 * torch.meshgrid: coordinate grids from 1-d tensors, each output the broadcast view of one input
 * along its own dim. indexing "ij" (matrix, PyTorch's default) or "xy" (Cartesian: the first two
 * dims swapped, as NumPy's).
 */
import { DTypeError, OptionError, ShapeError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { expand, reshape } from "./shape.js";

export interface MeshgridOptions {
  /** "ij" (default) or "xy". */
  indexing?: "ij" | "xy";
}

/** `meshgrid([x, y], { indexing })` or `meshgrid(x, y)`: one grid per input, all of the same shape. */
export function meshgrid(...args: (Tensor | readonly Tensor[] | MeshgridOptions)[]): Tensor[] {
  const options = args.length > 0 && !(args.at(-1) instanceof Tensor) && !Array.isArray(args.at(-1)) ? (args.pop() as MeshgridOptions) : {};
  const tensors = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as Tensor[];
  const indexing = options.indexing ?? "ij";
  if (indexing !== "ij" && indexing !== "xy") throw new OptionError(`meshgrid: indexing must be one of "xy" or "ij", but received: ${String(indexing)}`);
  if (tensors.length === 0) throw new ShapeError("meshgrid: expects a non-empty TensorList");
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`meshgrid: expected a Tensor at position ${i}, got ${typeof t}`);
    if (t.ndim > 1) throw new ShapeError(`meshgrid: Expected 0D or 1D tensor in the tensor list but got a ${t.ndim}D tensor at position ${i}`);
    if (t.dtype !== tensors[0]!.dtype) throw new DTypeError(`meshgrid: expects all tensors to have the same dtype, got ${tensors[0]!.dtype} and ${t.dtype} at position ${i}`);
  });
  // "xy": the grid of the first two inputs swapped (its first two dims the second and first
  // inputs' sizes), the outputs given back in the inputs' order, as PyTorch's
  const swap = indexing === "xy" && tensors.length >= 2;
  const order = swap ? [tensors[1]!, tensors[0]!, ...tensors.slice(2)] : tensors;
  const shape = order.map((t) => t.numel());
  const grids = order.map((t, i) => expand(reshape(t, shape.map((s, j) => (j === i ? s : 1))), shape));
  if (!swap) return grids;
  return [grids[1]!, grids[0]!, ...grids.slice(2)];
}
