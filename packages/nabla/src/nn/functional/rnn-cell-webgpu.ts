/**
 * The fused LSTM and GRU steps on the webgpu device: the CPU backends' fused kernels' contract
 * (LstmCellArgs, GruCellArgs in backend/backend.ts) over float32 tensors whose buffers live on the
 * device, run by the WGSL kernels of backend/webgpu/wgsl-rnn-cell.ts, one dispatch each way.
 * nn/functional/lstm-cell.ts and gru-cell.ts record the graph around them as they do around the
 * CPU kernels.
 *
 * The inputs must be contiguous (a kernel reads them from their offsets); the results are fresh
 * contiguous tensors on the device.
 */
import { webgpuContext } from "../../backend/device.js";
import { GRU_CELL_BACKWARD_SHADER, LSTM_CELL_BACKWARD_SHADER, gruCellShader, lstmCellShader } from "../../backend/webgpu/wgsl-rnn-cell.js";
import { resultTensor } from "../../ops/helpers.js";
import type { Tensor } from "../../tensor/tensor.js";

/** An LSTM step: out [2, N, H] (h', c') and the activated gates [N, 4H], from xw, hw [N, 4H], bias [4H] or null, c [N, H]. */
export function webgpuLstmCell(xw: Tensor, hw: Tensor, bias: Tensor | null, c: Tensor): { out: Tensor; gates: Tensor } {
  const [N, H] = [c.shape[0]!, c.shape[1]!];
  const out = resultTensor([2, N, H], "float32", "lstmCell", "webgpu");
  const gates = resultTensor([N, 4 * H], "float32", "lstmCell", "webgpu");
  const buffers = [xw, out, hw, ...(bias === null ? [] : [bias]), c, gates].map((t) => t.storage.gpu);
  const info = [N, H, xw.offset, hw.offset, bias?.offset ?? 0, c.offset];
  webgpuContext("lstmCell").threads(`lstmCell${bias === null ? "" : ":bias"}`, () => lstmCellShader(bias !== null), buffers, info, N * H);
  return { out, gates };
}

/** The LSTM step's backward: the gradients of the gate pre-activations [N, 4H] and of c [N, H], from the saved gates, c and grad [2, N, H]. */
export function webgpuLstmCellBackward(gates: Tensor, c: Tensor, grad: Tensor): [Tensor, Tensor] {
  const [N, H] = [c.shape[0]!, c.shape[1]!];
  const gradGates = resultTensor([N, 4 * H], "float32", "lstmCell backward", "webgpu");
  const gradC = resultTensor([N, H], "float32", "lstmCell backward", "webgpu");
  const buffers = [gates, gradGates, c, grad, gradC].map((t) => t.storage.gpu);
  webgpuContext("lstmCell backward").threads("lstmCellBackward", () => LSTM_CELL_BACKWARD_SHADER, buffers, [N, H, c.offset, grad.offset], N * H);
  return [gradGates, gradC];
}

/** A GRU step: h' [N, H] and the saved r, z, n, hn [N, 4H], from xw, hw [N, 3H], bias [3H] or null, h [N, H]. */
export function webgpuGruCell(xw: Tensor, hw: Tensor, bias: Tensor | null, h: Tensor): { out: Tensor; gates: Tensor } {
  const [N, H] = [h.shape[0]!, h.shape[1]!];
  const out = resultTensor([N, H], "float32", "gruCell", "webgpu");
  const gates = resultTensor([N, 4 * H], "float32", "gruCell", "webgpu");
  const buffers = [xw, out, hw, ...(bias === null ? [] : [bias]), h, gates].map((t) => t.storage.gpu);
  const info = [N, H, xw.offset, hw.offset, bias?.offset ?? 0, h.offset];
  webgpuContext("gruCell").threads(`gruCell${bias === null ? "" : ":bias"}`, () => gruCellShader(bias !== null), buffers, info, N * H);
  return { out, gates };
}

/** The GRU step's backward: the gradients of xw, of hw [N, 3H] and of h through the step's pointwise part [N, H]. */
export function webgpuGruCellBackward(gates: Tensor, h: Tensor, grad: Tensor): [Tensor, Tensor, Tensor] {
  const [N, H] = [h.shape[0]!, h.shape[1]!];
  const gradXw = resultTensor([N, 3 * H], "float32", "gruCell backward", "webgpu");
  const gradHw = resultTensor([N, 3 * H], "float32", "gruCell backward", "webgpu");
  const gradH = resultTensor([N, H], "float32", "gruCell backward", "webgpu");
  const buffers = [gates, gradXw, h, grad, gradHw, gradH].map((t) => t.storage.gpu);
  webgpuContext("gruCell backward").threads("gruCellBackward", () => GRU_CELL_BACKWARD_SHADER, buffers, [N, H, h.offset, grad.offset], N * H);
  return [gradXw, gradHw, gradH];
}
