/** Sequence and recommender layers against PyTorch fixtures (layers_sequence.json). */
import { describe, it } from "vitest";
import { nn, tensor, type Tensor } from "../packages/nabla/src/index.js";
import { checkCase, loadCases, type Call } from "./layers-harness.js";

const cases = loadCases("layers_sequence.json");
const tensorOf = (rows: number[][]): Tensor => tensor(rows, { dtype: "float32" });

const lstmCall: Call = (m, [x, h0, c0]) => (m as nn.LSTM).forward(x!, [h0!, c0!]);
const cellCall: Call = (m, [x, h, c]) => (m as nn.LSTMCell).forward(x!, [h!, c!]);
const bagCall: Call = (m, [x, offsets, w]) => (m as nn.EmbeddingBag).forward(x!, offsets ?? null, w ?? null);
const mhaMasks: Call = (m, [q, k, v, attnMask, keyPaddingMask]) => (m as nn.MultiheadAttention).forward(q!, k!, v!, { attnMask, keyPaddingMask });
const mhaCausal: Call = (m, [x]) => {
  // torch.triu(torch.full((4, 4), -1e4), 1): a float mask, added to the scores
  const mask = Array.from({ length: 4 }, (_, i) => Array.from({ length: 4 }, (_, j) => (j > i ? -1e4 : 0)));
  return (m as nn.MultiheadAttention).forward(x!, x!, x!, { averageAttnWeights: false, attnMask: tensorOf(mask) });
};
const encoderCall: Call = (m, [x, kpm]) => (m as nn.TransformerEncoderLayer).forward(x!, { srcKeyPaddingMask: kpm });


const table: [string, () => nn.AnyModule, Call?][] = [
  ["embedding_padding", () => new nn.Embedding(10, 3, { paddingIdx: 0 })],
  ["embedding_repeat", () => new nn.Embedding(6, 2)],
  ["embeddingbag_sum", () => new nn.EmbeddingBag(10, 3, { mode: "sum" }), bagCall],
  ["embeddingbag_mean", () => new nn.EmbeddingBag(10, 3, { mode: "mean" }), bagCall],
  ["embeddingbag_max", () => new nn.EmbeddingBag(10, 3, { mode: "max" }), bagCall],
  ["embeddingbag_mean_padding", () => new nn.EmbeddingBag(10, 3, { mode: "mean", paddingIdx: 0 }), bagCall],
  ["embeddingbag_2d_weights", () => new nn.EmbeddingBag(10, 3, { mode: "sum" }), bagCall],
  ["lstm_2l_bi_bf", () => new nn.LSTM(5, 4, { numLayers: 2, bidirectional: true, batchFirst: true }), lstmCall],
  ["gru_2l_bi_bf", () => new nn.GRU(5, 4, { numLayers: 2, bidirectional: true, batchFirst: true })],
  ["rnn_tanh_2l_bi", () => new nn.RNN(3, 4, { numLayers: 2, bidirectional: true })],
  ["rnn_relu_nobias", () => new nn.RNN(3, 4, { nonlinearity: "relu", bias: false })],
  ["lstm_unbatched", () => new nn.LSTM(3, 2)],
  ["lstmcell", () => new nn.LSTMCell(3, 4), cellCall],
  ["grucell", () => new nn.GRUCell(3, 4)],
  ["rnncell", () => new nn.RNNCell(3, 4)],
  ["mha_masks_bf", () => new nn.MultiheadAttention(8, 2, { batchFirst: true }), mhaMasks],
  ["mha_self_per_head", () => new nn.MultiheadAttention(6, 3), mhaCausal],
  ["encoder_post_relu", () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }), encoderCall],
  ["encoder_pre_gelu", () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, activation: "gelu", batchFirst: true, normFirst: true }), encoderCall],
];

describe("sequence layers match PyTorch (outputs, input and parameter gradients)", () => {
  it.each(table)("%s", (name, make, call) => {
    checkCase(cases[name]!, make(), call);
  });
});
