/**
 * LSTM, RNN and GRU take W_hh's gradient as one matmul over the sequence, and b_hh's as one sum
 * (packages/nabla/src/nn/layers/recurrent-weight-grad.ts), not one product per step. Held here to
 * the per-step graph (recurrentStep with W_hh in every step's product), in float64: first
 * derivatives in both directions, from a zero and a given initial state (GRU's step 0 keeps its
 * product's gradient apart from the others'), and second derivatives (createGraph), where W_hh's
 * gradient must stay differentiable in the states and gradients it was taken over.
 */
import { describe, expect, it } from "vitest";
import { add, autograd, manualSeed, matmul, nn, randn, stack, zeros, type Tensor } from "../packages/nabla/src/index.js";
import { recurrentStep, type RNNMode } from "../packages/nabla/src/nn/layers/rnn.js";

type Layer = nn.LSTM | nn.RNN | nn.GRU;

/** The layer's one-layer forward, step by step with W_hh in each step's product: the graph before the one-matmul gradient. */
function perStep(layer: Layer, mode: RNNMode, x: Tensor, d: 0 | 1, h0: Tensor | null = null): Tensor {
  const sfx = d === 0 ? "" : "_reverse";
  const p = layer as unknown as Record<string, Tensor>;
  const [wIH, wHH, bIH, bHH] = [p[`weight_ih_l0${sfx}`]!, p[`weight_hh_l0${sfx}`]!, p[`bias_ih_l0${sfx}`]!, p[`bias_hh_l0${sfx}`]!];
  const [T, N] = x.shape as [number, number];
  const H = wHH.shape[1]!;
  let h = h0 ?? zeros([N, H], { dtype: "float64" });
  let c: Tensor | null = mode === "LSTM" ? zeros([N, H], { dtype: "float64" }) : null;
  const outs: Tensor[] = new Array<Tensor>(T);
  for (let k = 0; k < T; k++) {
    const t = d === 0 ? k : T - 1 - k;
    const xw = add(matmul(x.select(0, t), wIH.t()), bIH);
    [h, c] = recurrentStep(mode, xw, matmul(h, wHH.t()), h, c, bHH);
    outs[t] = h;
  }
  return stack(outs, 0);
}

function layerOf(mode: RNNMode): Layer {
  manualSeed(3);
  const layer = mode === "LSTM" ? new nn.LSTM(3, 4, { bidirectional: true }) : mode === "GRU" ? new nn.GRU(3, 4, { bidirectional: true }) : new nn.RNN(3, 4, { bidirectional: true });
  return layer.double();
}

function expectClose(a: Tensor | null | undefined, b: Tensor | null | undefined, what: string): void {
  const [x, y] = [a!.toTypedArray(), b!.toTypedArray()];
  expect(x.length, what).toBe(y.length);
  for (let i = 0; i < x.length; i++) {
    if (!(Math.abs(x[i]! - y[i]!) <= 1e-12 * (1 + Math.abs(y[i]!)))) expect.fail(`${what}[${i}]: got ${x[i]}, expected ${y[i]}`);
  }
}

describe("the recurrent weight's gradient as one matmul over the sequence", () => {
  for (const mode of ["LSTM", "RNN_TANH", "GRU"] as const) {
    it(`${mode}: W_hh's and b_hh's gradients, both directions, equal the per-step products'`, () => {
      const layer = layerOf(mode);
      const x = randn([5, 2, 3], { dtype: "float64" });
      const w = randn([5, 2, 8], { dtype: "float64" });
      const out = (layer.forward(x) as [Tensor, unknown])[0];
      const p = layer as unknown as Record<string, Tensor>;
      const weights = [p.weight_hh_l0!, p.weight_hh_l0_reverse!, p.bias_hh_l0!, p.bias_hh_l0_reverse!];
      const grads = autograd.grad(out.mul(w).sum(), weights);
      const [fwd, bwd] = [perStep(layer, mode, x, 0), perStep(layer, mode, x, 1)];
      const loss = fwd.mul(w.narrow(2, 0, 4)).sum().add(bwd.mul(w.narrow(2, 4, 4)).sum());
      const reference = autograd.grad(loss, weights);
      ["weight_hh_l0", "weight_hh_l0_reverse", "bias_hh_l0", "bias_hh_l0_reverse"].forEach((name, i) => expectClose(grads[i], reference[i], `${mode} ${name}.grad`));
    });
  }

  it("GRU from a given initial state: W_hh's gradient equals the per-step products'", () => {
    const layer = layerOf("GRU") as nn.GRU;
    const x = randn([5, 2, 3], { dtype: "float64" });
    const h0 = randn([2, 2, 4], { dtype: "float64" });
    const w = randn([5, 2, 8], { dtype: "float64" });
    const p = layer as unknown as Record<string, Tensor>;
    const weights = [p.weight_hh_l0!, p.weight_hh_l0_reverse!];
    const [g0, g1] = autograd.grad(layer.forward(x, h0)[0].mul(w).sum(), weights);
    const [fwd, bwd] = [perStep(layer, "GRU", x, 0, h0.select(0, 0)), perStep(layer, "GRU", x, 1, h0.select(0, 1))];
    const [r0, r1] = autograd.grad(fwd.mul(w.narrow(2, 0, 4)).sum().add(bwd.mul(w.narrow(2, 4, 4)).sum()), weights);
    expectClose(g0, r0, "GRU weight_hh_l0.grad");
    expectClose(g1, r1, "GRU weight_hh_l0_reverse.grad");
  });

  for (const kind of ["GRU", "LSTM"] as const) {
    it(`${kind}: second derivatives through W_hh's gradient (createGraph) equal the per-step graph's`, () => {
      const layer = layerOf(kind);
      const p = layer as unknown as Record<string, Tensor>;
      const x = randn([4, 2, 3], { dtype: "float64" });
      // a gradient penalty on W_hh: its gradient in W_ih runs through the states W_hh's gradient was taken over
      const penaltyGrad = (out: Tensor): Tensor => {
        const [gw, gb] = autograd.grad(out.pow(2).sum(), [p.weight_hh_l0!, p.bias_hh_l0!], { createGraph: true });
        return autograd.grad(gw!.pow(2).sum().add(gb!.pow(2).sum()), [p.weight_ih_l0!])[0]!;
      };
      const fused = penaltyGrad((layer.forward(x) as [Tensor, unknown])[0].narrow(2, 0, 4));
      const reference = penaltyGrad(perStep(layer, kind, x, 0));
      expectClose(fused, reference, "d(|dL/dW_hh|² + |dL/db_hh|²)/dW_ih");
    });
  }
});
