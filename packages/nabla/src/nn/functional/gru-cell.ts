/**
 * A GRU step after its two matmuls: from xw = x·W_ihᵀ + b_ih, hw = h·W_hhᵀ, the bias b_hh and h,
 *
 *   r,z = σ(xw + (hw + b_hh)) (first two gates);  n = tanh(xw_n + r⊙(hw_n + b_hn));  h' = n + z⊙(h − n),
 *
 * fused where the device offers kernels — the CPU backend's `fused.gruCell` and
 * `fused.gruCellBackward`, the webgpu device's WGSL ones (rnn-cell-webgpu.ts) — one kernel and one
 * graph node forward (PyTorch's fused cell's ThnnFusedGruCellBackward0), one kernel backward, as
 * nn/functional/lstm-cell.ts does for the LSTM; the reference in ops runs otherwise, and under
 * createGraph the backward is written in differentiable ops from the saved inputs.
 */
import { backend } from "../../backend/backend.js";
import { fusedCellKernels } from "./fused-cell-kernels.js";
import { recordOp } from "../../autograd/node.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { add, mul, sigmoid, sub, tanh } from "../../ops/elementwise.js";
import { contiguousData, resultTensor } from "../../ops/helpers.js";
import { cat } from "../../ops/join.js";
import { sum } from "../../ops/reduce.js";
import { contiguous, narrow } from "../../ops/shape.js";
import { formatShape, ShapeError } from "../../errors.js";
import { webgpuGruCell, webgpuGruCellBackward } from "./rnn-cell-webgpu.js";
import type { Tensor } from "../../tensor/tensor.js";

/** The step in ops: returns h'. */
export function gruCellReference(xw: Tensor, hw: Tensor, bias: Tensor | null, h: Tensor): Tensor {
  const H = h.shape[h.ndim - 1]!;
  const hb = bias === null ? hw : add(hw, bias);
  const chunk = (t: Tensor, k: number) => narrow(t, -1, k * H, H);
  const r = sigmoid(add(chunk(xw, 0), chunk(hb, 0)));
  const z = sigmoid(add(chunk(xw, 1), chunk(hb, 1)));
  const n = tanh(add(chunk(xw, 2), mul(r, chunk(hb, 2))));
  return add(n, mul(z, sub(h, n))); // (1 − z)·n + z·h
}

/** The step, fused where the device can: returns h'. */
export function gruCell(xw: Tensor, hw: Tensor, bias: Tensor | null, h: Tensor): Tensor {
  // the shapes are checked whichever path runs (the reference would broadcast some wrong ones)
  checkShapes(xw, hw, bias, h);
  const kernels = fusedCellKernels([xw, hw, bias, h], { cpu: CPU_KERNELS, webgpu: WEBGPU_KERNELS }, (fused) => fused?.gruCell !== undefined && fused.gruCellBackward !== undefined);
  if (kernels === null) return gruCellReference(xw, hw, bias, h);
  const [x, w, b, hh] = [contiguous(xw), contiguous(hw), bias === null ? null : contiguous(bias), contiguous(h)];
  const ran = kernels.forward(x, w, b, hh);
  if (ran === null) return gruCellReference(xw, hw, bias, h);
  const { out, gates } = ran;
  const inputs = b === null ? [x, w, hh] : [x, w, b, hh];
  return recordOp("ThnnFusedGruCellBackward0", out, inputs, (grad) => {
    const [gx, gw, gh] = isGradEnabled() ? differentiableBackward(x, w, b, hh, grad) : kernels.backward(gates, hh, contiguous(grad)) ?? differentiableBackward(x, w, b, hh, grad);
    const gb = b !== null && b.requiresGrad ? sum(gw, 0) : null;
    return b === null ? [gx, gw, gh] : [gx, gw, gb, gh];
  }, [x, w, ...(b === null ? [] : [b]), hh]);
}

/** A device's fused step over contiguous inputs: null where it declines (then the ops run). */
interface GruKernels {
  /** h' [N, H] and the r, z, n, hn [N, 4H] the backward reads. */
  forward(xw: Tensor, hw: Tensor, bias: Tensor | null, h: Tensor): { out: Tensor; gates: Tensor } | null;
  /** The gradients of xw, of hw and of h (through the pointwise part), from grad [N, H]. */
  backward(gates: Tensor, h: Tensor, grad: Tensor): [Tensor, Tensor, Tensor] | null;
}

const WEBGPU_KERNELS: GruKernels = { forward: webgpuGruCell, backward: webgpuGruCellBackward };

/** The CPU backend's fused kernels (`fused.gruCell`, `fused.gruCellBackward`), over the tensors' typed arrays. */
const CPU_KERNELS: GruKernels = {
  forward(xw, hw, bias, h) {
    const [N, H] = [h.shape[0]!, h.shape[1]!];
    const out = resultTensor([N, H], h.dtype, "gruCell");
    const gates = resultTensor([N, 4 * H], h.dtype, "gruCell");
    const ran = backend().fused?.gruCell?.({ xw: contiguousData(xw), hw: contiguousData(hw), bias: bias === null ? null : contiguousData(bias), h: contiguousData(h), rows: N, hidden: H, out: out.storage.data, gates: gates.storage.data });
    return ran === true ? { out, gates } : null;
  },
  backward(gates, h, grad) {
    const [N, H] = [h.shape[0]!, h.shape[1]!];
    const [gx, gw] = [resultTensor([N, 3 * H], h.dtype, "gruCell backward"), resultTensor([N, 3 * H], h.dtype, "gruCell backward")];
    const gh = resultTensor([N, H], h.dtype, "gruCell backward");
    const args = { gates: gates.storage.data, h: contiguousData(h), grad: contiguousData(grad), rows: N, hidden: H, gradXw: gx.storage.data, gradHw: gw.storage.data, gradH: gh.storage.data };
    return backend().fused?.gruCellBackward?.(args) === true ? [gx, gw, gh] : null;
  },
};

function checkShapes(xw: Tensor, hw: Tensor, bias: Tensor | null, h: Tensor): void {
  const [N, H] = h.ndim === 2 ? [h.shape[0]!, h.shape[1]!] : [-1, -1];
  const ok = (t: Tensor, shape: number[]) => t.shape.length === shape.length && t.shape.every((s, k) => s === shape[k]);
  if (N < 0 || !ok(xw, [N, 3 * H]) || !ok(hw, [N, 3 * H]) || (bias !== null && !ok(bias, [3 * H]))) {
    const b = bias === null ? "none" : formatShape(bias.shape);
    throw new ShapeError(`gruCell: expected xw and hw [N, 3H], bias [3H] and h [N, H], got xw ${formatShape(xw.shape)}, hw ${formatShape(hw.shape)}, bias ${b}, h ${formatShape(h.shape)}`);
  }
}


/** The same gradients in ops, recomputed from the inputs (so that they are differentiable in them). */
function differentiableBackward(xw: Tensor, hw: Tensor, bias: Tensor | null, h: Tensor, d: Tensor): [Tensor, Tensor, Tensor] {
  const H = h.shape[1]!;
  const hb = bias === null ? hw : add(hw, bias);
  const chunk = (t: Tensor, k: number) => narrow(t, -1, k * H, H);
  const r = sigmoid(add(chunk(xw, 0), chunk(hb, 0)));
  const z = sigmoid(add(chunk(xw, 1), chunk(hb, 1)));
  const hn = chunk(hb, 2);
  const n = tanh(add(chunk(xw, 2), mul(r, hn)));
  const dz = mul(d, z);
  const dn = mul(sub(d, dz), mul(sub(1, n), add(1, n)));
  const dr = mul(mul(dn, hn), mul(r, sub(1, r)));
  const dzPre = mul(mul(d, sub(h, n)), mul(z, sub(1, z)));
  return [cat([dr, dzPre, dn], 1), cat([dr, dzPre, mul(dn, r)], 1), dz];
}
