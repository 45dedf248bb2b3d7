/**
 * gradcheck in float64 for every layer: the analytical gradients (for the input and every
 * parameter) against central finite differences. Modules are cast with `.double()`; their
 * parameters are passed to gradcheck as inputs so that it perturbs them too. Shapes are tiny.
 */
import { describe, expect, it } from "vitest";
import { F, Generator, gradcheck, manualSeed, nn, randn, tensor, type Tensor } from "../packages/nabla/src/index.js";

const f64 = (shape: number[]) => randn(shape, { dtype: "float64" }).requiresGrad_();

/** gradcheck of module.forward(...inputs) (tensor outputs flattened) w.r.t. the inputs and every parameter. */
function checkModule(module: nn.AnyModule, inputs: Tensor[], call?: (m: nn.AnyModule, xs: Tensor[]) => Tensor | Tensor[]): void {
  module.double();
  const params = module.parameters();
  const run = call ?? ((m: nn.AnyModule, xs: Tensor[]) => m.forward(...xs) as Tensor | Tensor[]);
  const fn = (...all: Tensor[]) => run(module, all.slice(0, inputs.length));
  expect(gradcheck(fn, [...inputs, ...params], { atol: 1e-6, rtol: 1e-4 })).toBe(true);
}

describe("gradcheck (float64) for every layer", () => {
  manualSeed(7);
  const cases: [string, () => void][] = [
    ["Linear", () => checkModule(new nn.Linear(3, 2), [f64([2, 3])])],
    ["Bilinear", () => checkModule(new nn.Bilinear(2, 3, 2), [f64([2, 2]), f64([2, 3])])],
    ["Flatten / Unflatten / Identity", () => checkModule(new nn.Sequential(new nn.Flatten(), new nn.Unflatten(1, [2, -1]), new nn.Identity()), [f64([2, 2, 3])])],
    ["Conv2d stride 2, padding 1, groups 2", () => checkModule(new nn.Conv2d(4, 4, 3, { stride: 2, padding: 1, groups: 2 }), [f64([1, 4, 5, 5])])],
    ["Conv2d dilation, same padding", () => checkModule(new nn.Conv2d(2, 2, 2, { padding: "same", dilation: 2 }), [f64([1, 2, 4, 4])])],
    ["Conv1d", () => checkModule(new nn.Conv1d(2, 3, 3, { stride: 2, padding: 1 }), [f64([2, 2, 6])])],
    ["ConvTranspose2d", () => checkModule(new nn.ConvTranspose2d(2, 4, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }), [f64([1, 2, 3, 3])])],
    ["MaxPool2d", () => checkModule(new nn.MaxPool2d(3, { stride: 2, padding: 1 }), [f64([1, 2, 5, 5])])],
    ["MaxPool1d", () => checkModule(new nn.MaxPool1d(2, { ceilMode: true }), [f64([2, 2, 5])])],
    ["AvgPool2d", () => checkModule(new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false, ceilMode: true }), [f64([1, 2, 6, 6])])],
    ["AvgPool1d", () => checkModule(new nn.AvgPool1d(3, { stride: 2, padding: 1 }), [f64([2, 2, 6])])],
    ["AdaptiveAvgPool2d", () => checkModule(new nn.AdaptiveAvgPool2d([2, 3]), [f64([1, 2, 5, 4])])],
    ["AdaptiveMaxPool2d", () => checkModule(new nn.AdaptiveMaxPool2d(2), [f64([1, 2, 5, 3])])],
    ["BatchNorm2d (train)", () => checkModule(new nn.BatchNorm2d(2).train(), [f64([3, 2, 2, 2])])],
    ["BatchNorm1d (eval)", () => {
      const bn = new nn.BatchNorm1d(3);
      bn.running_mean!.copy_(tensor([0.5, -1, 2]));
      bn.running_var!.copy_(tensor([2, 0.5, 1]));
      checkModule(bn.eval(), [f64([4, 3])]);
    }],
    ["LayerNorm", () => checkModule(new nn.LayerNorm([2, 3]), [f64([2, 2, 3])])],
    ["GroupNorm", () => checkModule(new nn.GroupNorm(2, 4), [f64([2, 4, 3])])],
    ["RMSNorm", () => checkModule(new nn.RMSNorm(3), [f64([2, 3])])],
    ["Dropout (a fixed mask)", () => checkModule(new nn.Linear(3, 3), [f64([2, 3])], (m, [x]) => F.dropout((m as nn.Linear).forward(x!), { p: 0.4, generator: new Generator(3) }))],
    // (paddingIdx rows get no gradient on purpose, as in PyTorch, so gradcheck runs without one)
    ["Embedding", () => checkModule(new nn.Embedding(5, 3), [], (m) => (m as nn.Embedding).forward(tensor([[0, 1], [4, 0]], { dtype: "int32" })))],
    ...(["sum", "mean", "max"] as const).map((mode): [string, () => void] => [
      `EmbeddingBag ${mode}`,
      () => checkModule(new nn.EmbeddingBag(6, 2, { mode }), [], (m) => (m as nn.EmbeddingBag).forward(tensor([1, 2, 5, 5, 0, 3], { dtype: "int32" }), tensor([0, 2, 2], { dtype: "int32" }))),
    ]),
    ["EmbeddingBag per-sample weights", () => checkModule(new nn.EmbeddingBag(6, 2, { mode: "sum" }), [f64([2, 3])], (m, [w]) => (m as nn.EmbeddingBag).forward(tensor([[1, 2, 5], [0, 0, 4]], { dtype: "int32" }), null, w!))],
    ["RNN tanh, 2 layers, bidirectional", () => checkModule(new nn.RNN(2, 2, { numLayers: 2, bidirectional: true }), [f64([3, 1, 2]), f64([4, 1, 2])], (m, [x, h]) => (m as nn.RNN).forward(x!, h!))],
    ["LSTM 2 layers, bidirectional, batchFirst", () => checkModule(new nn.LSTM(2, 2, { numLayers: 2, bidirectional: true, batchFirst: true }), [f64([1, 3, 2]), f64([4, 1, 2]), f64([4, 1, 2])], (m, [x, h, c]) => {
      const [out, [hN, cN]] = (m as nn.LSTM).forward(x!, [h!, c!]);
      return [out, hN, cN];
    })],
    ["GRU 2 layers, bidirectional, batchFirst", () => checkModule(new nn.GRU(2, 2, { numLayers: 2, bidirectional: true, batchFirst: true }), [f64([1, 3, 2]), f64([4, 1, 2])], (m, [x, h]) => (m as nn.GRU).forward(x!, h!))],
    ["LSTMCell / GRUCell / RNNCell", () => {
      checkModule(new nn.LSTMCell(2, 3), [f64([2, 2]), f64([2, 3]), f64([2, 3])], (m, [x, h, c]) => (m as nn.LSTMCell).forward(x!, [h!, c!]));
      checkModule(new nn.GRUCell(2, 3), [f64([2, 2]), f64([2, 3])]);
      checkModule(new nn.RNNCell(2, 3, { nonlinearity: "tanh" }), [f64([2, 2]), f64([2, 3])]);
    }],
    ["MultiheadAttention with masks", () => {
      const mask = tensor([[false, true, false], [false, false, false]]);
      const kpm = tensor([[false, false, true]]);
      checkModule(new nn.MultiheadAttention(4, 2, { batchFirst: true }), [f64([1, 2, 4]), f64([1, 3, 4])], (m, [q, kv]) => {
        const [out, w] = (m as nn.MultiheadAttention).forward(q!, kv!, kv!, { attnMask: mask, keyPaddingMask: kpm });
        return [out, w!];
      });
    }],
    ["F.scaledDotProductAttention (causal)", () => {
      expect(gradcheck((q, k, v) => F.scaledDotProductAttention(q!, k!, v!, { isCausal: true }), [f64([2, 3, 2]), f64([2, 3, 2]), f64([2, 3, 2])])).toBe(true);
    }],
    ["F.pad", () => {
      expect(gradcheck((x) => F.pad(x!, [1, 2, 0, 1], 0.5), [f64([2, 2, 3])])).toBe(true);
    }],
    ["TransformerEncoderLayer (post-norm and pre-norm)", () => {
      for (const normFirst of [false, true]) {
        checkModule(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, normFirst, activation: "gelu" }), [f64([3, 1, 4])]);
      }
    }],
  ];
  it.each(cases)("%s", (_, run) => run());
});
