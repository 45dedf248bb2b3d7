/**
 * The recurrent weight's gradient over a whole sequence as one matmul.
 *
 * Recorded step by step, h·W_hhᵀ gives W_hh one small gradient product per step, gᵀ·h of
 * [4H, N]·[N, H] (800×20×200 in the LSTM language model): skinny, K = the batch, slow per flop,
 * and T of them. But where the step adds h·W_hhᵀ to the input projection before anything else
 * (LSTM, RNN), the gradient reaching h·W_hhᵀ at step t is the one reaching xw[t], and xw comes
 * from one [T, N, G] tensor whose gradient the backward pass assembles anyway. So the steps use
 * W_hh detached, and a node between the input projection and its per-step views adds
 *
 *   W_hh.grad = Σ_t g_tᵀ·h_{t−1} = G.reshape(T·N, G)ᵀ · Hprev.reshape(T·N, H),
 *
 * one [G, T·N]·[T·N, H] product (as PyTorch's cuDNN path computes it), with Hprev the state each
 * step started from, copied as the steps run. The result differs from the per-step sum only by
 * rounding. GRU puts r⊙(W_hn·h) in its gates, so its steps keep their own products.
 *
 * Under createGraph the product is taken over the recorded states instead of the copies, so that
 * second derivatives still see W_hh.grad's dependence on h.
 */
import { recordOp } from "../../autograd/node.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { emptyTensor } from "../../ops/helpers.js";
import { stack } from "../../ops/join.js";
import { matmul } from "../../ops/matmul.js";
import { assignInto, reshape, select, transpose } from "../../ops/shape.js";
import { Tensor } from "../../tensor/tensor.js";

export interface SequenceWeightGrad {
  /** The input projection, the same values, with W_hh's gradient attached to its backward. */
  readonly xw: Tensor;
  /** W_hh detached, for the per-step products h·W_hhᵀ. */
  readonly wHH: Tensor;
  /** Notes h, the state that step t starts from (call once for every t). */
  record(t: number, h: Tensor): void;
}

/**
 * For a layer's input projection xw [T, N, G] and recurrent weight wHH [G, H]: the xw and W_hh
 * its steps should use so that W_hh's gradient comes as one matmul, or null where recording the
 * steps' own products is what is wanted (no gradient recorded, or W_hh needs none).
 */
export function sequenceWeightGrad(xw: Tensor, wHH: Tensor): SequenceWeightGrad | null {
  if (!isGradEnabled() || !wHH.requiresGrad || xw.ndim !== 3) return null;
  const [T, N, G] = xw.shape as [number, number, number];
  const H = wHH.shape[1]!;
  const prev = emptyTensor([T, N, H], xw.dtype, "LSTM", xw.storage.device);
  const states = new Array<Tensor>(T);
  // the same storage and layout as xw: a view whose node adds W_hh's gradient (prev is an input
  // so that it is pinned until this node's backward has run)
  const out = new Tensor(xw.storage, xw.shape, xw.strides, xw.offset);
  recordOp("RecurrentWeightGradBackward0", out, [xw, wHH, prev], (g) => {
    const hs = isGradEnabled() ? stack(states, 0) : prev;
    const gradW = matmul(transpose(reshape(g, [T * N, G]), 0, 1), reshape(hs, [T * N, H]));
    return [g, gradW, null];
  });
  return {
    xw: out,
    wHH: wHH.detach(),
    record(t, h) {
      states[t] = h;
      assignInto(select(prev, 0, t), h);
    },
  };
}
