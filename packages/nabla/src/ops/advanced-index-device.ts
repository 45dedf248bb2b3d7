/**
 * Advanced indexing on the webgpu device: advanced-index.ts's gather and put when x lives there,
 * without reading the index tensors on the host. The index tensors are checked on the device
 * (each against [low, size), the CPU's error at the next read), wrapped (a negative index counts
 * from the end) and combined into one flat pick along the picked dims merged, all with int32
 * pointwise kernels; then
 *
 *   gather: the view with the picked dims moved first and merged, index-selected along them;
 *   put:    that layout of a copy, its rows written (the last write wins, as the CPU loop) or
 *           added (repeats add up) by the scatter / index-add kernels, then written back.
 *
 * An index tensor on the CPU is moved to the device first (one counted upload, as PyTorch copies
 * a CPU index to the GPU). Masks still take nonzero, whose result's shape the host must know.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { recordOp } from "../autograd/node.js";
import { webgpuContext } from "../backend/device.js";
import { ShapeError } from "../errors.js";
import { numelOf } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { add, lt, mul, toDType } from "./elementwise.js";
import { emptyTensor, filledTensor, resultTensor, scalarTensor } from "./helpers.js";
import type { IndexPlan } from "./index-spec.js";
import { checkIndexRange } from "./indexing.js";
import { sumToShape } from "./reduce.js";
import { assignInto, clone, contiguous, expand, permute, reshape } from "./shape.js";

/** The plan's layout around the picked dims: the order that moves them first, their sizes' product, and the other dims' sizes. */
function layoutOf(plan: IndexPlan): { order: number[]; picked: number; rest: number[] } {
  const others = plan.viewShape.map((_, d) => d).filter((d) => !plan.dims.includes(d));
  return {
    order: [...plan.dims, ...others],
    picked: plan.dims.reduce((p, d) => p * plan.viewShape[d]!, 1),
    rest: others.map((d) => plan.viewShape[d]!),
  };
}

/** The flat pick (int32, numel(indexShape) values in [0, picked)) along the picked dims merged, each index checked on the device. */
function flatPick(plan: IndexPlan): Tensor {
  const op = plan.op;
  let flat: Tensor | null = null;
  for (const { index, size, xdim, low } of plan.tensors) {
    const idx = index.storage.device === "cpu" ? index.to("webgpu") : index;
    checkIndexRange(op, idx, low, size, (v) => new ShapeError(`${op}: index ${v} is out of bounds for dimension ${xdim} with size ${size}`));
    const wrapped = expand(add(idx, mul(toDType(lt(idx, 0), "int32"), size)), plan.indexShape);
    flat = flat === null ? wrapped : add(mul(flat, size), wrapped);
  }
  // no index tensor (slices only, as `x[:, 1:3] = v`): the view itself is the one pick
  if (flat === null) return filledTensor([1], "int32", 0, "webgpu");
  return contiguous(reshape(flat, [numelOf(plan.indexShape)]));
}

/** The picked elements of x on the device, in the canonical layout [...indexShape, ...other dims]; the gradient puts the gradient back, adding. */
export function gatherOnDevice(name: string, x: Tensor, plan: IndexPlan): Tensor {
  const { order, picked, rest } = layoutOf(plan);
  const pick = flatPick(plan);
  const moved = noGrad(() => contiguous(permute(plan.view(x.detach()), order)));
  const inner = numelOf(rest);
  const count = pick.numel();
  const out = resultTensor([...plan.indexShape, ...rest], x.dtype, name, x.storage.device);
  webgpuContext(name).indexSelect(moved.storage.gpu, moved.offset, pick.storage.gpu, pick.offset, 1, picked, inner, count, out.storage.gpu);
  const shape = x.shape;
  return recordOp(name, out, [x], (g) => [putOnDevice("IndexPutBackward0", emptyTensor(shape, g.dtype, name, g.storage.device), plan, g, true)]);
}

/**
 * A copy of base with values (broadcast to the canonical layout) written at, or with accumulate
 * added to, the picked elements, on the device; the gradients as advanced-index.ts's putPlan.
 */
export function putOnDevice(name: string, base: Tensor, plan: IndexPlan, values: Tensor, accumulate: boolean): Tensor {
  const { order, picked, rest } = layoutOf(plan);
  const pick = flatPick(plan);
  const inner = numelOf(rest);
  const count = pick.numel();
  const src = contiguous(expand(values.detach(), [...plan.indexShape, ...rest]));
  const out = noGrad(() => clone(base.detach()));
  noGrad(() => {
    const target = permute(plan.view(out), order);
    // the kernels write [picked, inner] from the buffer's start
    const c = contiguous(target);
    const rows = c.offset === 0 ? c : clone(c);
    const gpu = webgpuContext(name);
    if (accumulate) {
      gpu.indexAdd(src.storage.gpu, src.offset, pick.storage.gpu, pick.offset, 1, picked, inner, count, rows.storage.gpu);
    } else {
      // rows [picked, inner] at pick[b] (read across a row through a 0 stride) from src [count, inner]
      const index = { data: pick.storage.gpu, shape: [count, inner], strides: [1, 0], offset: pick.offset };
      const from = { data: src.storage.gpu, shape: [count, inner], strides: [inner, 1], offset: src.offset };
      gpu.scatter("assign", rows.storage.gpu, [picked, inner], 0, index, from);
    }
    assignInto(target, reshape(rows, target.shape));
  });
  return recordOp(name, out, [base, values], (g) => [
    base.requiresGrad ? (accumulate ? g : putOnDevice("IndexPutBackward0", g, plan, scalarTensor(0, g.dtype, g.storage.device), false)) : null,
    values.requiresGrad ? sumToShape(gatherOnDevice("IndexBackward0", g, plan), values.shape) : null,
  ]);
}
