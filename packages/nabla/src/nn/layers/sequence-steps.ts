/**
 * The T steps x[0], …, x[T−1] of a sequence [T, …] as views whose gradients are gathered into one
 * [T, …] gradient: each step's backward writes its gradient into its slice of one buffer, and the
 * buffer reaches x once, after every step's (PyTorch's UnbindBackward0 stacks them so).
 *
 * Picking each step straight from x would give every step's gradient x's full size, zeros but
 * for its slice, summed T times (O(T²) work); halving recursively costs one x-sized gradient a
 * level (O(T log T), zeroed, copied and added: a tenth of a GRU layer's training step). Gathered,
 * it is one zeroed buffer and one copy of each step's gradient.
 *
 * Under createGraph the steps' gradients are graph values: each step then embeds its own, as
 * select's backward does, so that the sum stays differentiable.
 */
import { isGradEnabled, noGrad } from "../../autograd/grad-mode.js";
import { recordOp } from "../../autograd/node.js";
import { zeros } from "../../ops/creation.js";
import { assignInto, embedGrad, select } from "../../ops/shape.js";
import { Tensor } from "../../tensor/tensor.js";

export function sequenceSteps(x: Tensor): Tensor[] {
  const T = x.shape[0]!;
  if (!isGradEnabled() || !x.requiresGrad) return Array.from({ length: T }, (_, t) => select(x, 0, t));
  const shape = x.shape;
  const device = x.storage.device;
  // the buffer of the backward pass under way: made by the first step whose gradient arrives,
  // handed to x by `all` (which runs after every step: each lists it as its input)
  let buffer: Tensor | null = null;
  const all = new Tensor(x.storage, x.shape, x.strides, x.offset);
  recordOp("UnbindBackward0", all, [x], (g) => {
    if (g === buffer) buffer = null; // a later backward pass (retainGraph) starts a new one
    return [g];
  });
  return Array.from({ length: T }, (_, t) => {
    const view = noGrad(() => select(all, 0, t));
    return recordOp("UnbindBackward0", view, [all], (g) => {
      if (isGradEnabled()) return [embedGrad(g, shape, (full) => select(full, 0, t))];
      const first = buffer === null;
      if (first) buffer = zeros(shape, { dtype: g.dtype, device });
      assignInto(select(buffer!, 0, t), g);
      // the first step hands the buffer on (the others fill it in before `all` runs)
      return [first ? buffer : null];
    });
  });
}
