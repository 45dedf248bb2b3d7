/** Vision layers against PyTorch fixtures (scripts/make_layer_fixtures.py → layers_vision.json). */
import { describe, it } from "vitest";
import { nn } from "../packages/nabla/src/index.js";
import { checkCase, loadCases, type Call } from "./layers-harness.js";

const cases = loadCases("layers_vision.json");

const withIndices: Call = (m, [x]) => (m as nn.MaxPool2d).forwardWithIndices(x!);

const table: [string, () => nn.AnyModule, Call?][] = [
  ["conv2d_s2_p1_g2", () => new nn.Conv2d(4, 6, 3, { stride: 2, padding: 1, groups: 2 })],
  ["conv2d_dilated_nobias", () => new nn.Conv2d(3, 4, [3, 2], { stride: [1, 2], padding: [2, 1], dilation: [2, 1], bias: false })],
  ["conv2d_same_even", () => new nn.Conv2d(2, 3, 4, { padding: "same" })],
  ["conv2d_unbatched", () => new nn.Conv2d(2, 3, 3)],
  ["conv1d_s2_p1", () => new nn.Conv1d(3, 4, 3, { stride: 2, padding: 1 })],
  ["conv1d_same_depthwise", () => new nn.Conv1d(4, 4, 3, { padding: "same", dilation: 2, groups: 4 })],
  ["convtranspose2d_s2_op1_g2", () => new nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 })],
  ["convtranspose2d_dilated", () => new nn.ConvTranspose2d(3, 2, [2, 3], { stride: [2, 1], dilation: [1, 2] })],
  ["maxpool2d_k3_s2_p1", () => new nn.MaxPool2d(3, { stride: 2, padding: 1, returnIndices: true })],
  ["maxpool2d_ceil", () => new nn.MaxPool2d(2, { ceilMode: true }), withIndices],
  ["maxpool2d_dilated", () => new nn.MaxPool2d(2, { stride: 1, dilation: 2 }), withIndices],
  ["maxpool1d", () => new nn.MaxPool1d(3, { stride: 2, padding: 1, returnIndices: true })],
  ["avgpool2d_include_pad", () => new nn.AvgPool2d(3, { stride: 2, padding: 1 })],
  ["avgpool2d_exclude_pad_ceil", () => new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false, ceilMode: true })],
  ["avgpool1d", () => new nn.AvgPool1d(2)],
  ["adaptive_avg_uneven", () => new nn.AdaptiveAvgPool2d([3, 2])],
  ["adaptive_avg_even", () => new nn.AdaptiveAvgPool2d(2)],
  ["adaptive_max", () => new nn.AdaptiveMaxPool2d(3, { returnIndices: true })],
  ["layernorm", () => new nn.LayerNorm([3, 4])],
  ["groupnorm", () => new nn.GroupNorm(2, 4)],
  ["rmsnorm", () => new nn.RMSNorm(4, { eps: 1e-6 })],
  ["rmsnorm_default_eps", () => new nn.RMSNorm([3, 4])],
  ["bilinear", () => new nn.Bilinear(3, 4, 2)],
  ["batchnorm2d_no_stats", () => new nn.BatchNorm2d(2, { affine: false, trackRunningStats: false })],
];

describe("vision layers match PyTorch (outputs, input and parameter gradients)", () => {
  it.each(table)("%s", (name, make, call) => {
    checkCase(cases[name]!, make(), call);
  });
});

describe("BatchNorm in training and eval mode, with running statistics", () => {
  const bn: [string, () => nn.AnyModule][] = [
    ["batchnorm2d", () => new nn.BatchNorm2d(3)],
    ["batchnorm1d_2d", () => new nn.BatchNorm1d(5, { momentum: 0.3 })],
    ["batchnorm1d_3d_cma", () => new nn.BatchNorm1d(3, { momentum: null })],
  ];
  it.each(bn)("%s: train step updates running_mean, running_var, num_batches_tracked", (name, make) => {
    checkCase(cases[`${name}_train`]!, make().train());
  });
  it.each(bn)("%s: eval uses the running statistics and leaves them alone", (name, make) => {
    checkCase(cases[`${name}_eval`]!, make().eval());
  });
});

