/**
 * The fused LSTM and GRU steps on the webgpu device (nn/functional/rnn-cell-webgpu.ts, the WGSL of
 * backend/webgpu/wgsl-rnn-cell.ts) against the CPU's fused steps on the same values: forward
 * values and every input's gradient in float32 (docs/PARITY.md's float32 tolerances), with and
 * without a bias, inputs that are views at offsets into larger buffers (a time step of the whole
 * sequence's projection, a layer of the initial state), more units than one workgroup, extreme
 * pre-activations, one of h' and c' unused, and second derivatives (the differentiable backward in
 * ops). Each forward is checked to be one kernel on the device (the fused one: the ops would be
 * ~10). nn.LSTM / nn.GRU / LSTMCell / GRUCell against PyTorch on the device are
 * test/layers-sequence.test.ts under the webgpu project; the kernels a training step costs per
 * time step are bounded in test/webgpu-backend.test.ts.
 */
import { describe, expect, it } from "vitest";
import { autograd, manualSeed, nn, randn, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { startedWebGpu, type Device } from "../packages/nabla/src/backend/device.js";
import { gruCell, gruCellReference } from "../packages/nabla/src/nn/functional/gru-cell.js";
import { lstmCell, lstmCellReference } from "../packages/nabla/src/nn/functional/lstm-cell.js";
import { expectClose } from "./helpers.js";
import { startWebGpuDevice } from "./webgpu-device.js";

const reason = await startWebGpuDevice();

type Kind = "LSTM" | "GRU";
const GATES: Record<Kind, number> = { LSTM: 4, GRU: 3 };

/**
 * The leaves a step's operands are views of, each larger than the operand so that the view starts
 * at an offset: xw is row 1 of [2, N, G·H], hw row 0 of [2, N, G·H], bias [G·H] from element 5 of
 * [G·H + 5], the state row 2 of [3, N, H].
 */
function leaves(kind: Kind, N: number, H: number, bias: boolean, scale = 1.5): Tensor[] {
  const G = GATES[kind] * H;
  const make = (shape: number[]) => randn(shape, { device: "cpu" }).mul(scale);
  return [make([2, N, G]), make([2, N, G]), ...(bias ? [make([G + 5])] : []), make([3, N, H])];
}

/**
 * The step on `device` from copies of the leaves (fused, or its reference in ops): its outputs
 * (h', and c' for LSTM), each leaf's gradient under Σ out·w, and the kernels its forward dispatched.
 */
function run(kind: Kind, device: Device, given: readonly Tensor[], weights: readonly (Tensor | null)[], { createGraph = false, reference = false } = {}) {
  const ls = given.map((t) => t.to(device).detach().requiresGrad_());
  const bias = ls.length === 4 ? ls[2]!.narrow(0, 5, ls[2]!.shape[0]! - 5) : null;
  const [xw, hw, state] = [ls[0]!.select(0, 1), ls[1]!.select(0, 0), ls[ls.length - 1]!.select(0, 2)];
  const before = startedWebGpu()!.dispatched.kernels;
  const outs = kind === "LSTM" ? (reference ? lstmCellReference : lstmCell)(xw, hw, bias, state) : [(reference ? gruCellReference : gruCell)(xw, hw, bias, state)];
  const kernels = startedWebGpu()!.dispatched.kernels - before;
  let loss: Tensor | null = null;
  outs.forEach((o, k) => {
    const w = weights[k];
    if (w !== null && w !== undefined) loss = loss === null ? o.mul(w.to(device)).sum() : loss.add(o.mul(w.to(device)).sum());
  });
  const grads = autograd.grad(loss!, ls, { createGraph }) as Tensor[];
  return { outs, grads, kernels, leaves: ls };
}

/**
 * The fused step on the device against the CPU's fused step and against the device's own ops.
 * Against the CPU the gradients carry the device's σ and tanh (a few float32 ulps from the CPU's,
 * as in every unfused op on the device) through the derivatives' cancellation near saturation,
 * σ(1 − σ) and (1 − g)(1 + g): docs/PARITY.md's absolute 4e-6 ("WebGPU device").
 */
function compare(kind: Kind, given: readonly Tensor[], weights: readonly (Tensor | null)[]) {
  const gpu = run(kind, "webgpu", given, weights);
  const cpu = run(kind, "cpu", given, weights);
  const ops = run(kind, "webgpu", given, weights, { reference: true });
  expect(gpu.kernels).toBe(1);
  gpu.outs.forEach((o, k) => {
    expect(o.device).toBe("webgpu");
    expectClose(o.detach().to("cpu"), cpu.outs[k]!, {}, `${kind} output ${k} against the CPU`);
    expectClose(o.detach().to("cpu"), ops.outs[k]!.detach().to("cpu"), {}, `${kind} output ${k} against the device's ops`);
  });
  gpu.grads.forEach((g, k) => {
    expectClose(g.to("cpu"), cpu.grads[k]!, { atol: 4e-6 }, `${kind} gradient of leaf ${k} against the CPU`);
    expectClose(g.to("cpu"), ops.grads[k]!.to("cpu"), {}, `${kind} gradient of leaf ${k} against the device's ops`);
  });
}

describe.skipIf(reason !== "")(`fused LSTM and GRU steps on the webgpu device${reason ? ` (skipped: ${reason})` : ""}`, () => {
  for (const kind of ["LSTM", "GRU"] as const) {
    // [N, H, bias]: odd sizes; 7·51 and 300·2 threads span two and three workgroups of 256
    for (const [N, H, bias] of [[3, 5, true], [4, 8, false], [1, 1, true], [7, 51, true], [300, 2, true]] as const) {
      it(`${kind}, N=${N}, H=${H}${bias ? "" : ", no bias"}: one kernel forward; values and gradients equal the CPU's fused step`, () => {
        manualSeed(N * 100 + H);
        const given = leaves(kind, N, H, bias);
        const weights = [randn([N, H], { device: "cpu" }), kind === "LSTM" ? randn([N, H], { device: "cpu" }) : null];
        compare(kind, given, weights);
      });
    }

    it(`${kind}: extreme and tiny pre-activations (the gate functions' ranges and branch points)`, () => {
      const values = [-800, -100, -20, -0.31, -0.29, -1e-10, 0, 1e-10, 0.29, 0.31, 20, 100, 800, 3];
      const H = values.length / 2;
      const G = GATES[kind];
      const row = Array.from({ length: G }, (_, k) => values.map((v) => (k % 2 === 0 ? v : -v) / (1 + (k >> 1)))).flat();
      const xw = tensor([row, row], { device: "cpu" }).reshape([2, 2, G * H]);
      const hw = randn([2, 2, G * H], { device: "cpu" }).mul(1e-3);
      const state = tensor(values.map((v) => v / 10), { device: "cpu" }).reshape([1, 2, H]).expand([3, 2, H]).contiguous();
      const w = randn([2, H], { device: "cpu" });
      compare(kind, [xw, hw, state], [w, kind === "LSTM" ? w : null]);
    });
  }

  it("LSTM: only h' or only c' used", () => {
    manualSeed(7);
    const given = leaves("LSTM", 3, 6, true);
    const w = randn([3, 6], { device: "cpu" });
    compare("LSTM", given, [w, null]);
    compare("LSTM", given, [null, w]);
  });

  for (const kind of ["LSTM", "GRU"] as const) {
    it(`${kind}: second derivatives (the gradients' own gradients, through the differentiable backward) equal the CPU's`, () => {
      manualSeed(11);
      const given = leaves(kind, 2, 3, true);
      const weights = [randn([2, 3], { device: "cpu" }), randn([2, 3], { device: "cpu" })];
      const second = (device: Device) => {
        const first = run(kind, device, given, weights, { createGraph: true });
        const total = first.grads.reduce<Tensor>((s, g) => s.add(g.pow(2).sum()), tensor(0, { device }));
        return autograd.grad(total, first.leaves) as Tensor[];
      };
      const [gpu, cpu] = [second("webgpu"), second("cpu")];
      gpu.forEach((g, k) => expectClose(g.to("cpu"), cpu[k]!, { atol: 4e-6 }, `${kind} second derivative ${k}`));
    });
  }

  for (const kind of ["LSTM", "GRU"] as const) {
    it(`nn.${kind} (2 layers, bidirectional, batchFirst) on the device equals the same module on the CPU: outputs and parameter gradients`, () => {
      manualSeed(3);
      const options = { numLayers: 2, bidirectional: true, batchFirst: true };
      const cpu = kind === "LSTM" ? new nn.LSTM(5, 4, options) : new nn.GRU(5, 4, options);
      const gpu = kind === "LSTM" ? new nn.LSTM(5, 4, options) : new nn.GRU(5, 4, options);
      gpu.loadStateDict(cpu.stateDict());
      gpu.to("webgpu");
      const x = randn([3, 6, 5], { device: "cpu" });
      const [outCpu] = cpu.call(x);
      const [outGpu] = gpu.call(x.to("webgpu"));
      outCpu.pow(2).sum().backward();
      outGpu.pow(2).sum().backward();
      expectClose(outGpu.detach().to("cpu"), outCpu, {}, `${kind} output`);
      const grads = [...cpu.namedParameters()];
      [...gpu.namedParameters()].forEach(([name, p], k) => expectClose(p.grad!.to("cpu"), grads[k]![1].grad!, { atol: 4e-6 }, `${kind} ${name}.grad`));
    });
  }
});
