/**
 * An LSTM step after its two matmuls: from the input projection xw = x·W_ihᵀ + b_ih, the hidden
 * projection hw = h·W_hhᵀ, the bias b_hh and the cell state c,
 *
 *   i,f,g,o = σ,σ,tanh,σ(xw + (hw + b_hh));  c' = f⊙c + i⊙g;  h' = o⊙tanh(c').
 *
 * Written as ops this is about ten pointwise kernels per step forward and twice that backward, each
 * a dispatch, an allocation and a graph node on a few thousand values: most of a recurrent net's
 * time after the matmuls. Where the device offers fused kernels — the CPU backend's
 * `fused.lstmCell` and `fused.lstmCellBackward`, the webgpu device's WGSL ones
 * (rnn-cell-webgpu.ts) — the step is one kernel and one graph node (PyTorch's fused cell's,
 * ThnnFusedLstmCellBackward0) whose backward is one kernel too; `lstmCellReference` is the ops
 * version, which runs otherwise and which the tests hold the fused one to.
 *
 * The fused backward is not itself recorded; under createGraph (a second derivative) the backward
 * is written in differentiable ops from the saved inputs instead, as PyTorch's
 * _thnn_differentiable_lstm_cell_backward.
 */
import { backend } from "../../backend/backend.js";
import { fusedCellKernels } from "./fused-cell-kernels.js";
import { recordOp } from "../../autograd/node.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { add, mul, sigmoid, sub, tanh } from "../../ops/elementwise.js";
import { contiguousData, resultTensor } from "../../ops/helpers.js";
import { cat } from "../../ops/join.js";
import { sum } from "../../ops/reduce.js";
import { contiguous, narrow, select } from "../../ops/shape.js";
import { formatShape, ShapeError } from "../../errors.js";
import { webgpuLstmCell, webgpuLstmCellBackward } from "./rnn-cell-webgpu.js";
import type { Tensor } from "../../tensor/tensor.js";

/** The step in ops: returns [h', c']. */
export function lstmCellReference(xw: Tensor, hw: Tensor, bias: Tensor | null, c: Tensor): [Tensor, Tensor] {
  const H = c.shape[c.ndim - 1]!;
  const gates = add(xw, bias === null ? hw : add(hw, bias));
  const chunk = (k: number) => narrow(gates, -1, k * H, H);
  const i = sigmoid(chunk(0));
  const f = sigmoid(chunk(1));
  const g = tanh(chunk(2));
  const o = sigmoid(chunk(3));
  const c2 = add(mul(f, c), mul(i, g));
  return [mul(o, tanh(c2)), c2];
}

/** The step, fused where the device can: returns [h', c'] (views of one [2, N, H] result when fused). */
export function lstmCell(xw: Tensor, hw: Tensor, bias: Tensor | null, c: Tensor): [Tensor, Tensor] {
  // the shapes are checked whichever path runs (the reference would broadcast some wrong ones)
  checkShapes(xw, hw, bias, c);
  const kernels = fusedCellKernels([xw, hw, bias, c], { cpu: CPU_KERNELS, webgpu: WEBGPU_KERNELS }, (fused) => fused?.lstmCell !== undefined && fused.lstmCellBackward !== undefined);
  if (kernels === null) return lstmCellReference(xw, hw, bias, c);
  const [x, h, b, cc] = [contiguous(xw), contiguous(hw), bias === null ? null : contiguous(bias), contiguous(c)];
  const ran = kernels.forward(x, h, b, cc);
  if (ran === null) return lstmCellReference(xw, hw, bias, c);
  const { out, gates } = ran;
  const inputs = b === null ? [x, h, cc] : [x, h, b, cc];
  recordOp("ThnnFusedLstmCellBackward0", out, inputs, (grad) => {
    const [gradGates, gradC] = isGradEnabled() ? differentiableBackward(x, h, b, cc, grad) : (kernels.backward(gates, cc, contiguous(grad)) ?? differentiableBackward(null, null, null, cc, grad, gates));
    const gradBias = b !== null && b.requiresGrad ? sum(gradGates, 0) : null;
    return b === null ? [gradGates, gradGates, gradC] : [gradGates, gradGates, gradBias, gradC];
  }, [x, h, ...(b === null ? [] : [b]), cc]);
  return [select(out, 0, 0), select(out, 0, 1)];
}

/** A device's fused step over contiguous inputs: null where it declines (then the ops run). */
interface LstmKernels {
  /** out [2, N, H] (h', c') and the activated gates [N, 4H] the backward reads. */
  forward(xw: Tensor, hw: Tensor, bias: Tensor | null, c: Tensor): { out: Tensor; gates: Tensor } | null;
  /** The gradients of the gate pre-activations [N, 4H] and of c, from grad [2, N, H]. */
  backward(gates: Tensor, c: Tensor, grad: Tensor): [Tensor, Tensor] | null;
}

const WEBGPU_KERNELS: LstmKernels = { forward: webgpuLstmCell, backward: webgpuLstmCellBackward };

/** The CPU backend's fused kernels (`fused.lstmCell`, `fused.lstmCellBackward`), over the tensors' typed arrays. */
const CPU_KERNELS: LstmKernels = {
  forward(xw, hw, bias, c) {
    const [N, H] = [c.shape[0]!, c.shape[1]!];
    const out = resultTensor([2, N, H], c.dtype, "lstmCell");
    const gates = resultTensor([N, 4 * H], c.dtype, "lstmCell");
    const ran = backend().fused?.lstmCell?.({ xw: contiguousData(xw), hw: contiguousData(hw), bias: bias === null ? null : contiguousData(bias), c: contiguousData(c), rows: N, hidden: H, out: out.storage.data, gates: gates.storage.data });
    return ran === true ? { out, gates } : null;
  },
  backward(gates, c, grad) {
    const [N, H] = [c.shape[0]!, c.shape[1]!];
    const gradGates = resultTensor([N, 4 * H], c.dtype, "lstmCell backward");
    const gradC = resultTensor([N, H], c.dtype, "lstmCell backward");
    const args = { gates: gates.storage.data, c: contiguousData(c), grad: contiguousData(grad), rows: N, hidden: H, gradGates: gradGates.storage.data, gradC: gradC.storage.data };
    return backend().fused?.lstmCellBackward?.(args) === true ? [gradGates, gradC] : null;
  },
};

/** The shapes the step takes: xw, hw [N, 4H], bias [4H], c [N, H]. */
function checkShapes(xw: Tensor, hw: Tensor, bias: Tensor | null, c: Tensor): void {
  const [N, H] = c.ndim === 2 ? [c.shape[0]!, c.shape[1]!] : [-1, -1];
  const ok = (t: Tensor, shape: number[]) => t.shape.length === shape.length && t.shape.every((s, k) => s === shape[k]);
  if (N < 0 || !ok(xw, [N, 4 * H]) || !ok(hw, [N, 4 * H]) || (bias !== null && !ok(bias, [4 * H]))) {
    const b = bias === null ? "none" : formatShape(bias.shape);
    throw new ShapeError(`lstmCell: expected xw and hw [N, 4H], bias [4H] and c [N, H], got xw ${formatShape(xw.shape)}, hw ${formatShape(hw.shape)}, bias ${b}, c ${formatShape(c.shape)}`);
  }
}


/**
 * The same gradients in ops: recomputed from the inputs (so that they are differentiable in them),
 * or from the saved gates when the inputs are not at hand.
 */
function differentiableBackward(xw: Tensor | null, hw: Tensor | null, bias: Tensor | null, c: Tensor, grad: Tensor, saved?: Tensor): [Tensor, Tensor] {
  const H = c.shape[1]!;
  const gates = saved ?? (() => {
    const pre = add(xw!, bias === null ? hw! : add(hw!, bias));
    const chunk = (k: number) => narrow(pre, -1, k * H, H);
    return cat([sigmoid(chunk(0)), sigmoid(chunk(1)), tanh(chunk(2)), sigmoid(chunk(3))], 1);
  })();
  const [i, f, g, o] = [0, 1, 2, 3].map((k) => narrow(gates, 1, k * H, H)) as [Tensor, Tensor, Tensor, Tensor];
  const [dh, dcNext] = [select(grad, 0, 0), select(grad, 0, 1)];
  const t = tanh(add(mul(f, c), mul(i, g)));
  const dc = add(dcNext, mul(mul(dh, o), mul(sub(1, t), add(1, t))));
  const gradGates = cat([
    mul(mul(dc, g), mul(i, sub(1, i))),
    mul(mul(dc, c), mul(f, sub(1, f))),
    mul(mul(dc, i), mul(sub(1, g), add(1, g))),
    mul(mul(dh, t), mul(o, sub(1, o))),
  ], 1);
  return [gradGates, mul(dc, f)];
}
