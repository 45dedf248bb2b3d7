/**
 * The recurrent weight's gradient over a whole sequence as one matmul.
 *
 * Recorded step by step, h·W_hhᵀ gives W_hh one small gradient product per step, gᵀ·h of
 * [G, N]·[N, H] (800×20×200 in the LSTM language model): skinny, K = the batch, slow per flop,
 * T of them, and T accumulations of a [G, H] gradient. Instead the steps use W_hh detached, and
 *
 *   W_hh.grad = Σ_t g_tᵀ·h_{t−1} = G.reshape(T·N, G)ᵀ · Hprev.reshape(T·N, H),
 *
 * one [G, T·N]·[T·N, H] product (as PyTorch's cuDNN path computes it), with Hprev the state each
 * step started from, copied as the steps run, and g_t the gradient reaching step t's h·W_hhᵀ.
 * Where the step adds h·W_hhᵀ to the input projection before anything else (LSTM, RNN), g_t is
 * the gradient reaching xw[t], and xw comes from one [T, N, G] tensor whose gradient the
 * backward pass assembles anyway: G is that gradient. GRU puts r⊙(W_hn·h) in its gates, so each
 * step's product passes through a node that copies the gradient reaching it into G's slice. Either way the product runs in a node between the input projection and its
 * per-step views, which the backward pass reaches only after every step's (each step's product
 * node lists that view as an input, so step 0's, whose state does not come from xw, too).
 * The result differs from the per-step sum only by rounding. b_hh, which every step adds to its
 * product, takes its gradient from the same G in one sum over the T·N rows (the steps use it
 * detached), not one sum of N rows a step and T accumulations.
 *
 * Under createGraph the product is taken over the recorded states instead of the copies, so that
 * second derivatives still see W_hh.grad's dependence on h.
 */
import { recordOp } from "../../autograd/node.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { zeros } from "../../ops/creation.js";
import { emptyTensor } from "../../ops/helpers.js";
import { stack } from "../../ops/join.js";
import { matmul } from "../../ops/matmul.js";
import { sum } from "../../ops/reduce.js";
import { assignInto, contiguous, reshape, select, transpose } from "../../ops/shape.js";
import { Tensor } from "../../tensor/tensor.js";

export interface SequenceWeightGrad {
  /** The input projection, the same values, with W_hh's gradient attached to its backward. */
  readonly xw: Tensor;
  /** h·W_hhᵀ for step t, h the state step t starts from (call once for every t). */
  product(t: number, h: Tensor): Tensor;
  /** The recurrent bias for the steps: detached where its gradient comes with W_hh's (one sum over the sequence). */
  readonly bias: Tensor | null;
}

/**
 * For a layer's input projection xw [T, N, G] and recurrent weight wHH [G, H]: the xw and the
 * per-step products its steps should use so that W_hh's gradient comes as one matmul, or null
 * where recording the steps' own products is what is wanted (no gradient recorded, or W_hh needs
 * none). `apart`: the step does not add h·W_hhᵀ to xw before anything else (GRU).
 */
export function sequenceWeightGrad(xw: Tensor, wHH: Tensor, bHH: Tensor | null, apart: boolean): SequenceWeightGrad | null {
  if (!isGradEnabled() || !wHH.requiresGrad || xw.ndim !== 3) return null;
  const [T, N, G] = xw.shape as [number, number, number];
  const H = wHH.shape[1]!;
  const device = xw.storage.device;
  const prev = emptyTensor([T, N, H], xw.dtype, "recurrent layer", device);
  const states = new Array<Tensor>(T);
  // apart: the gradient reaching each step's product, copied as the steps' backward runs (backward
  // frees a gradient once passed on), zero where none reaches it; under createGraph the gradients
  // themselves (graph values then, never freed), null where none reached
  const gradsBuffer = apart ? zeros([T, N, G], { dtype: xw.dtype, device }) : null;
  const grads = new Array<Tensor | null>(T).fill(null);
  // the same storage and layout as xw: a view whose node adds W_hh's gradient (prev and the
  // gradients' buffer are inputs so that they are pinned until this node's backward has run)
  const out = new Tensor(xw.storage, xw.shape, xw.strides, xw.offset);
  // b_hh's gradient is the column sums of the same G (the steps add b_hh to their product)
  const biasGrad = bHH !== null && bHH.requiresGrad;
  const inputs = [xw, wHH, prev, ...(gradsBuffer === null ? [] : [gradsBuffer]), ...(biasGrad ? [bHH] : [])];
  recordOp("RecurrentWeightGradBackward0", out, inputs, (g) => {
    const hs = isGradEnabled() ? stack(states, 0) : prev;
    const gs = gradsBuffer === null ? g : isGradEnabled() ? stack(grads.map((gt) => gt ?? zeros([N, G], { dtype: xw.dtype, device })), 0) : gradsBuffer;
    // (Hprevᵀ·G)ᵀ: the same products summed in the same order as Gᵀ·Hprev, but the GEMM reads
    // its transposed left operand along rows H long, not G long (a third faster at G = 768)
    const gradW = contiguous(transpose(matmul(transpose(reshape(hs, [T * N, H]), 0, 1), reshape(gs, [T * N, G])), 0, 1));
    const gradB = biasGrad ? sum(reshape(gs, [T * N, G]), 0) : null;
    return [g, gradW, null, ...(gradsBuffer === null ? [] : [null]), ...(biasGrad ? [gradB] : [])];
  });
  const w = transpose(wHH.detach(), 0, 1);
  return {
    xw: out,
    bias: biasGrad ? bHH.detach() : bHH,
    product(t, h) {
      states[t] = h;
      assignInto(select(prev, 0, t), h);
      const hw = matmul(h, w);
      if (!apart) return hw;
      // a view of the product whose node keeps the gradient reaching it; `out` is an input so
      // that W_hh's node runs after this one
      const view = new Tensor(hw.storage, hw.shape, hw.strides, hw.offset);
      return recordOp("RecurrentProductBackward0", view, [hw, out], (g) => {
        if (isGradEnabled()) grads[t] = g;
        else assignInto(select(gradsBuffer!, 0, t), g);
        return [g, null];
      });
    },
  };
}
