/**
 * Dropping a parameter's gradient (zeroGrad's default). A gradient that backward made belongs to
 * the library until the user takes it: dropping it frees its storage at once, so a training loop
 * does not leave one model's worth of dead gradients per step for the collector.
 */
import type { Tensor } from "../tensor/tensor.js";
import type { Storage } from "../tensor/storage.js";

const madeByBackward = new WeakSet<Storage>();

/** Backward gave `grad` to a `.grad`. */
export function noteBackwardGrad(grad: Tensor): void {
  madeByBackward.add(grad.storage);
}

/** Sets `p.grad` to null, freeing the old gradient if backward made it and nothing keeps it. */
export function clearGrad(p: Tensor): void {
  const g = p.grad;
  p.grad = null;
  if (g !== null && g.storage.heapBacked && madeByBackward.has(g.storage) && !g.storage.kept) {
    madeByBackward.delete(g.storage);
    g.storage.free("by zeroGrad: it dropped this gradient (keep one with g.clone() or memory.keep(g))");
  }
}
