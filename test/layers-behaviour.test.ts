/** Layer behaviour beyond the fixtures: bad input errors, dropout, default initialisation, nn.init, reprs. */
import { describe, expect, it } from "vitest";
import { F, manualSeed, nn, ones, randn, ShapeError, tensor, zeros, type Tensor } from "../packages/nabla/src/index.js";

const values = (t: Tensor) => Array.from(t.toTypedArray(), Number);

describe("bad input names the layer and both shapes", () => {
  it("Conv2d accepts [C, H, W] as unbatched and rejects 2-D and 5-D input", () => {
    const conv = new nn.Conv2d(3, 4, 3);
    expect(conv.forward(randn([3, 5, 5])).shape).toEqual([4, 3, 3]);
    expect(() => conv.forward(zeros([5, 5]))).toThrow(ShapeError);
    expect(() => conv.forward(zeros([5, 5]))).toThrow(/Conv2d: expected 3D \(unbatched\) or 4D \(batched\) input, but got input of size \[5, 5\] \(weight of size \[4, 3, 3, 3\]\)/);
    expect(() => conv.forward(zeros([1, 1, 3, 5, 5]))).toThrow(/Conv2d: .*\[1, 1, 3, 5, 5\].*\[4, 3, 3, 3\]/);
  });

  it("channel counts that do not match", () => {
    expect(() => new nn.Conv2d(3, 4, 3).forward(zeros([2, 5, 8, 8]))).toThrow(
      /Conv2d: given groups=1, weight of size \[4, 3, 3, 3\], expected input \[2, 5, 8, 8\] to have 3 channels, but got 5 channels instead/,
    );
    expect(() => new nn.Conv1d(2, 4, 3).forward(zeros([1, 3, 8]))).toThrow(/Conv1d: given groups=1, weight of size \[4, 2, 3\], expected input \[1, 3, 8\] to have 2 channels, but got 3/);
    expect(() => new nn.ConvTranspose2d(2, 4, 3).forward(zeros([1, 3, 4, 4]))).toThrow(/ConvTranspose2d: .*\[2, 4, 3, 3\].*\[1, 3, 4, 4\]/);
    expect(() => new nn.BatchNorm2d(3).forward(zeros([2, 4, 2, 2]))).toThrow(/BatchNorm2d: expected input with 3 channels .* \[2, 4, 2, 2\]/);
    expect(() => new nn.BatchNorm2d(3).forward(zeros([2, 3, 2]))).toThrow(/BatchNorm2d: expected 4D input/);
    expect(() => new nn.BatchNorm1d(3).forward(zeros([1, 3]))).toThrow(/more than 1 value per channel/);
    expect(() => new nn.LayerNorm([4]).forward(zeros([2, 3]))).toThrow(/LayerNorm: given normalized_shape=\[4\], expected input with shape \[\*, 4\], but got input of size \[2, 3\]/);
    expect(() => new nn.GroupNorm(2, 4).forward(zeros([2, 6, 3]))).toThrow(/GroupNorm: .*4 channels.*\[2, 6, 3\]/);
    expect(() => new nn.MaxPool2d(2).forward(zeros([4, 4]))).toThrow(/MaxPool2d: expected 3D or 4D .* \[4, 4\]/);
    expect(() => new nn.Linear(4, 2).forward(zeros([3, 5]))).toThrow(/\[3, 5\].*\[2, 4\]/);
  });

  it("a wrong hidden-state shape", () => {
    const lstm = new nn.LSTM(5, 4, { numLayers: 2, bidirectional: true, batchFirst: true });
    const x = zeros([3, 6, 5]);
    expect(() => lstm.forward(x, [zeros([2, 3, 4]), zeros([4, 3, 4])])).toThrow(
      /LSTM: expected hidden state h_0 of shape \[4, 3, 4\], got \[2, 3, 4\] \(input \[3, 6, 5\]\)/,
    );
    expect(() => lstm.forward(x, [zeros([4, 3, 4]), zeros([4, 2, 4])])).toThrow(/LSTM: expected cell state c_0 of shape \[4, 3, 4\], got \[4, 2, 4\]/);
    expect(() => new nn.GRU(5, 4).forward(zeros([6, 3, 5]), zeros([1, 3, 5]))).toThrow(/GRU: expected hidden state h_0 of shape \[1, 3, 4\], got \[1, 3, 5\]/);
    expect(() => new nn.RNN(5, 4).forward(zeros([6, 3, 7]))).toThrow(/RNN: input.size\(-1\) must be equal to input_size. Expected 5, got 7/);
    expect(() => new nn.GRUCell(3, 4).forward(zeros([2, 3]), zeros([2, 5]))).toThrow(/GRUCell: expected hidden state of shape \[2, 4\], got \[2, 5\]/);
    expect(() => new nn.MultiheadAttention(8, 2).forward(zeros([3, 2, 6]), zeros([3, 2, 8]), zeros([3, 2, 8]))).toThrow(/MultiheadAttention: expected query .*E = 8, got \[3, 2, 6\]/);
    expect(() => new nn.Embedding(4, 2).forward(tensor([1, 4], { dtype: "int32" }))).toThrow(/Embedding: index 4 is out of range for an embedding table of 4 rows/);
  });
});

describe("Dropout", () => {
  it("zeroes about p of the elements in training, scales the rest by 1/(1-p), and is the identity in eval", () => {
    manualSeed(1);
    const drop = new nn.Dropout({ p: 0.3 });
    const x = ones([100, 100]).requiresGrad_();
    const y = drop.forward(x);
    const v = values(y);
    const zeroed = v.filter((e) => e === 0).length / v.length;
    expect(zeroed).toBeGreaterThan(0.27);
    expect(zeroed).toBeLessThan(0.33);
    expect(v.filter((e) => e !== 0).every((e) => Math.abs(e - 1 / 0.7) < 1e-6)).toBe(true);
    y.sum().backward();
    expect(values(x.grad!)).toEqual(v.map((e) => (e === 0 ? 0 : Math.fround(1 / 0.7))));
    drop.eval();
    expect(drop.forward(x)).toBe(x);
    expect(() => new nn.Dropout({ p: 1.5 })).toThrow(/between 0 and 1/);
    const d2 = F.dropout2d(ones([2, 8, 3, 3]), { p: 0.5 });
    for (let n = 0; n < 2; n++) for (let c = 0; c < 8; c++) expect(new Set(values(d2.select(0, n).select(0, c))).size).toBe(1);
  });

  it("LSTM dropout between layers only acts in training", () => {
    const lstm = new nn.LSTM(3, 4, { numLayers: 2, dropout: 0.5 });
    const x = randn([5, 2, 3]);
    lstm.eval();
    const a = lstm.forward(x)[0];
    const b = lstm.forward(x)[0];
    expect(values(a)).toEqual(values(b));
    lstm.train();
    expect(values(lstm.forward(x)[0])).not.toEqual(values(a));
  });
});

describe("default initialisation is PyTorch's", () => {
  const within = (t: Tensor, bound: number) => {
    const v = values(t);
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.8 * bound);
  };
  it("Conv2d: U(±1/√fanIn) for weight and bias; LSTM/GRU: U(±1/√H); Embedding N(0, 1) with the padding row zero", () => {
    manualSeed(0);
    const conv = new nn.Conv2d(4, 8, 3, { groups: 2 });
    within(conv.weight, 1 / Math.sqrt(2 * 9));
    within(conv.bias!, 1 / Math.sqrt(2 * 9));
    const lstm = new nn.LSTM(10, 16, { bidirectional: true });
    for (const p of lstm.parameters()) within(p, 1 / 4);
    const emb = new nn.Embedding(50, 40, { paddingIdx: 3 });
    expect(values(emb.weight.select(0, 3))).toEqual(new Array(40).fill(0));
    const v = values(emb.weight);
    const mean = v.reduce((a, b) => a + b) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
    const bn = new nn.BatchNorm1d(3);
    expect(values(bn.weight!)).toEqual([1, 1, 1]);
    expect(values(bn.running_var!)).toEqual([1, 1, 1]);
    const mha = new nn.MultiheadAttention(8, 2);
    within(mha.in_proj_weight!, Math.sqrt(6 / (8 + 24)));
    expect(values(mha.in_proj_bias!).every((e) => e === 0)).toBe(true);
  });

  it("nn.init.orthogonal_ gives orthonormal rows or columns, times the gain", () => {
    for (const shape of [[4, 6], [6, 4], [3, 2, 2]]) {
      const w = zeros(shape, { dtype: "float64" });
      nn.init.orthogonal_(w, 2);
      const m = w.reshape([shape[0]!, -1]);
      const gram = shape[0]! <= m.shape[1]! ? m.matmul(m.t()) : m.t().matmul(m);
      const n = gram.shape[0]!;
      const g = values(gram);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(g[i * n + j]).toBeCloseTo(i === j ? 4 : 0, 10);
    }
    const t = zeros([1000]);
    nn.init.truncNormal_(t, 0, 1, -1, 1);
    expect(values(t).every((e) => e >= -1 && e <= 1)).toBe(true);
    expect(values(nn.init.eye_(zeros([2, 3])))).toEqual([1, 0, 0, 0, 1, 0]);
    nn.init.kaimingNormal_(zeros([4, 4]), { mode: "fan_out", nonlinearity: "relu" });
  });
});

describe("reprs like PyTorch's", () => {
  it.each([
    [new nn.Conv2d(4, 6, 3, { stride: 2, padding: 1, groups: 2, bias: false }), "Conv2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), groups=2, bias=False)"],
    [new nn.Conv1d(2, 3, 5, { padding: "same", dilation: 2 }), "Conv1d(2, 3, kernel_size=(5,), stride=(1,), padding=same, dilation=(2,))"],
    [new nn.ConvTranspose2d(4, 2, 3, { stride: 2, outputPadding: 1 }), "ConvTranspose2d(4, 2, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))"],
    [new nn.MaxPool2d(3, { stride: 2, padding: 1 }), "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)"],
    [new nn.AvgPool2d(2), "AvgPool2d(kernel_size=2, stride=2, padding=0)"],
    [new nn.AdaptiveAvgPool2d([1, 1]), "AdaptiveAvgPool2d(output_size=(1, 1))"],
    [new nn.BatchNorm1d(5, { momentum: null }), "BatchNorm1d(5, eps=1e-05, momentum=None, affine=True, track_running_stats=True)"],
    [new nn.LayerNorm(8), "LayerNorm((8,), eps=1e-05, elementwise_affine=True)"],
    [new nn.GroupNorm(2, 4), "GroupNorm(2, 4, eps=1e-05, affine=True)"],
    [new nn.Dropout({ p: 0.1 }), "Dropout(p=0.1, inplace=False)"],
    [new nn.Embedding(10, 3, { paddingIdx: 0 }), "Embedding(10, 3, padding_idx=0)"],
    [new nn.EmbeddingBag(10, 3, { mode: "sum" }), "EmbeddingBag(10, 3, mode='sum')"],
    [new nn.GRU(6, 5, { numLayers: 2, batchFirst: true, bidirectional: true }), "GRU(6, 5, num_layers=2, batch_first=True, bidirectional=True)"],
    [new nn.RNN(3, 4, { nonlinearity: "relu", dropout: 0.2, numLayers: 2 }), "RNN(3, 4, num_layers=2, nonlinearity=relu, dropout=0.2)"],
    [new nn.LSTMCell(3, 4), "LSTMCell(3, 4)"],
    [new nn.Flatten(), "Flatten(start_dim=1, end_dim=-1)"],
    [new nn.Bilinear(2, 3, 4), "Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True)"],
  ] as [nn.Module, string][])("%s", (m, expected) => {
    expect(String(m)).toBe(expected);
  });
});

describe("functional forms equal the modules", () => {
  it("F.conv2d / F.conv1d / F.convTranspose2d / pools / norms / embedding / bilinear", () => {
    manualSeed(5);
    const close = (a: Tensor, b: Tensor) => expect(values(a)).toEqual(values(b));
    const conv = new nn.Conv2d(4, 6, 3, { stride: 2, padding: 1, groups: 2 });
    const x = randn([2, 4, 6, 6]);
    close(F.conv2d(x, conv.weight, conv.bias, { stride: 2, padding: 1, groups: 2 }), conv.forward(x));
    // the module runs F.conv2d itself, so also against a direct convolution written out here
    const [xv, wv, bv] = [values(x), values(conv.weight), values(conv.bias!)];
    const direct: number[] = [];
    for (let n = 0; n < 2; n++) {
      for (let o = 0; o < 6; o++) {
        const group = Math.floor(o / 3);
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < 3; j++) {
            let acc = bv[o]!;
            for (let c = 0; c < 2; c++) {
              for (let p = 0; p < 3; p++) {
                for (let q = 0; q < 3; q++) {
                  const [h, w] = [2 * i - 1 + p, 2 * j - 1 + q];
                  if (h < 0 || h >= 6 || w < 0 || w >= 6) continue;
                  acc += xv[((n * 4 + group * 2 + c) * 6 + h) * 6 + w]! * wv[((o * 2 + c) * 3 + p) * 3 + q]!;
                }
              }
            }
            direct.push(acc);
          }
        }
      }
    }
    values(F.conv2d(x, conv.weight, conv.bias, { stride: 2, padding: 1, groups: 2 })).forEach((v, i) => expect(v).toBeCloseTo(direct[i]!, 5));
    const c1 = new nn.Conv1d(3, 2, 3);
    const x1 = randn([2, 3, 7]);
    close(F.conv1d(x1, c1.weight, c1.bias), c1.forward(x1));
    const ct = new nn.ConvTranspose2d(4, 2, 2, { stride: 2 });
    close(F.convTranspose2d(x, ct.weight, ct.bias, { stride: 2 }), ct.forward(x));
    expect(ct.forward(x).shape).toEqual([2, 2, 12, 12]);
    close(F.maxPool2d(x, 2), new nn.MaxPool2d(2).forward(x));
    close(F.avgPool2d(x, 3, { stride: 1 }), new nn.AvgPool2d(3, { stride: 1 }).forward(x));
    close(F.adaptiveAvgPool2d(x, 1), x.mean([2, 3], { keepdim: true }));
    close(F.layerNorm(x, [6, 6]), new nn.LayerNorm([6, 6]).forward(x));
    close(F.groupNorm(x, 2), new nn.GroupNorm(2, 4).forward(x));
    const rm = zeros([4]);
    const rv = ones([4]);
    F.batchNorm(x, rm, rv, { training: true, momentum: 0.5 });
    const bn = new nn.BatchNorm2d(4, { momentum: 0.5 });
    bn.forward(x);
    close(rm, bn.running_mean!);
    close(rv, bn.running_var!);
    // and against PyTorch's rule written out: r ← (1 − m)·r + m·batch statistic (unbiased variance)
    const perChannel = x.permute(1, 0, 2, 3).reshape(4, -1);
    values(perChannel.mean(1)).forEach((mean, c) => expect(values(rm)[c]).toBeCloseTo(0.5 * mean, 6));
    values(perChannel.var(1)).forEach((v, c) => expect(values(rv)[c]).toBeCloseTo(0.5 + 0.5 * v, 6));
    const t = randn([4, 3]);
    close(F.embedding(tensor([[1, 3]], { dtype: "int32" }), t), t.indexSelect(0, tensor([1, 3], { dtype: "int32" })).unsqueeze(0));
    const bil = new nn.Bilinear(2, 3, 4);
    const [a, b] = [randn([5, 2]), randn([5, 3])];
    close(F.bilinear(a, b, bil.weight, bil.bias), bil.forward(a, b));
    expect(F.pad(ones([1, 2]), [1, 2], -1).toArray()).toEqual([[-1, 1, 1, -1, -1]]);
  });

  it("Embedding.fromPretrained, TransformerEncoder keys", () => {
    const table = tensor([[1, 2], [3, 4], [5, 6]], { dtype: "float32" });
    const e = nn.Embedding.fromPretrained(table);
    expect(e.weight.requiresGrad).toBe(false);
    expect(e.forward(tensor([2, 0], { dtype: "int32" })).toArray()).toEqual([[5, 6], [1, 2]]);
    const enc = new nn.TransformerEncoder(() => new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 }), 2, new nn.LayerNorm(4));
    const keys = Object.keys(enc.stateDict());
    expect(keys[0]).toBe("layers.0.self_attn.in_proj_weight");
    expect(keys).toContain("layers.1.norm2.bias");
    expect(keys.slice(-2)).toEqual(["norm.weight", "norm.bias"]);
    expect(enc.eval().forward(randn([5, 3, 4])).shape).toEqual([5, 3, 4]);
  });
});

describe("returnIndices is in the types", () => {
  it("MaxPool2d({ returnIndices: true }).forward gives { values, indices }; without it a Tensor", () => {
    const x = randn([1, 1, 4, 4]);
    const { values: v, indices } = new nn.MaxPool2d(2, { returnIndices: true }).forward(x);
    const plain: Tensor = new nn.MaxPool2d(2).forward(x);
    expect(values(v)).toEqual(values(plain));
    expect(indices.dtype).toBe("int32");
    const flat = values(x);
    expect(values(indices).map((i) => flat[i])).toEqual(values(v));
    const a = new nn.AdaptiveMaxPool2d(1, { returnIndices: true }).forward(x);
    expect(flat[values(a.indices)[0]!]).toBe(Math.max(...flat));
  });
});

describe("F.scaledDotProductAttention", () => {
  it("equals softmax(q·kᵀ/√d + mask)·v, with bool masks meaning 'may attend' and isCausal", () => {
    const q = randn([2, 3, 4], { dtype: "float64" });
    const k = randn([2, 3, 4], { dtype: "float64" });
    const v = randn([2, 3, 5], { dtype: "float64" });
    const manual = (mask: number[][]) => F.softmax(q.matmul(k.transpose(1, 2)).div(2).add(tensor(mask, { dtype: "float64" })), -1).matmul(v);
    const causal = [[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]];
    const close = (a: Tensor, b: Tensor) => values(a).forEach((x, i) => expect(x).toBeCloseTo(values(b)[i]!, 12));
    close(F.scaledDotProductAttention(q, k, v, { isCausal: true }), manual(causal));
    const allowed = tensor([[true, false, true], [true, true, true], [false, true, true]]);
    close(F.scaledDotProductAttention(q, k, v, { attnMask: allowed }), manual([[0, -Infinity, 0], [0, 0, 0], [-Infinity, 0, 0]]));
    expect(() => F.scaledDotProductAttention(q, randn([2, 3, 3]), v)).toThrow(/scaledDotProductAttention: expected key/);
  });
});
