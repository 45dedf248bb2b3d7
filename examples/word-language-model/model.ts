/**
 * pytorch/examples `word_language_model/model.py`: RNNModel (an Embedding, an LSTM, GRU or Elman
 * RNN, a Linear decoder, dropout between them, optionally tied weights) and TransformerModel (an
 * nn.Transformer's encoder with a causal mask, sinusoidal positions, a Linear decoder).
 */
import { F, nn, ones, tensor, tril, type Tensor } from "nabla";

export type RNNType = "LSTM" | "GRU" | "RNN_TANH" | "RNN_RELU";
export type Hidden = Tensor | nn.LSTMState;

/** Container module with an encoder, a recurrent module, and a decoder. */
export class RNNModel extends nn.Module<[input: Tensor, hidden: Hidden], [Tensor, Hidden]> {
  drop: nn.Dropout;
  encoder: nn.Embedding;
  rnn: nn.LSTM | nn.GRU | nn.RNN;
  decoder: nn.Linear;
  readonly rnnType: RNNType;

  constructor(
    rnnType: RNNType,
    readonly ntoken: number,
    ninp: number,
    readonly nhid: number,
    readonly nlayers: number,
    dropout = 0.5,
    tieWeights = false,
  ) {
    super();
    this.drop = new nn.Dropout({ p: dropout });
    this.encoder = new nn.Embedding(ntoken, ninp);
    if (rnnType === "LSTM") this.rnn = new nn.LSTM(ninp, nhid, { numLayers: nlayers, dropout });
    else if (rnnType === "GRU") this.rnn = new nn.GRU(ninp, nhid, { numLayers: nlayers, dropout });
    else {
      const nonlinearity = ({ RNN_TANH: "tanh", RNN_RELU: "relu" } as const)[rnnType];
      if (nonlinearity === undefined) throw new RangeError(`An invalid option for --model was supplied, options are ['LSTM', 'GRU', 'RNN_TANH' or 'RNN_RELU']`);
      this.rnn = new nn.RNN(ninp, nhid, { numLayers: nlayers, nonlinearity, dropout });
    }
    this.decoder = new nn.Linear(nhid, ntoken);

    // Optionally tie weights as in "Using the Output Embedding to Improve Language Models"
    // (Press & Wolf 2016) and "Tying Word Vectors and Word Classifiers" (Inan et al. 2016)
    if (tieWeights) {
      if (nhid !== ninp) throw new RangeError("When using the tied flag, nhid must be equal to emsize");
      this.decoder.weight = this.encoder.weight;
    }
    this.initWeights();
    this.rnnType = rnnType;
  }

  initWeights(): void {
    const initrange = 0.1;
    nn.init.uniform_(this.encoder.weight, -initrange, initrange);
    nn.init.zeros_(this.decoder.bias!);
    nn.init.uniform_(this.decoder.weight, -initrange, initrange);
  }

  forward(input: Tensor, hidden: Hidden): [Tensor, Hidden] {
    const emb = this.drop.forward(this.encoder.forward(input));
    const [rnnOutput, h]: [Tensor, Hidden] = this.rnn instanceof nn.LSTM ? this.rnn.forward(emb, hidden as nn.LSTMState) : this.rnn.forward(emb, hidden as Tensor);
    const output = this.drop.forward(rnnOutput);
    let decoded = this.decoder.forward(output);
    decoded = decoded.view(-1, this.ntoken);
    return [F.logSoftmax(decoded, 1), h];
  }

  initHidden(bsz: number): Hidden {
    const weight = this.parameters()[0]!;
    if (this.rnnType === "LSTM") return [weight.newZeros([this.nlayers, bsz, this.nhid]), weight.newZeros([this.nlayers, bsz, this.nhid])];
    return weight.newZeros([this.nlayers, bsz, this.nhid]);
  }
}

/**
 * Inject some information about the relative or absolute position of the tokens in the sequence:
 * PosEncoder(pos, 2i) = sin(pos/10000^(2i/d_model)), PosEncoder(pos, 2i+1) = cos(pos/10000^(2i/d_model)).
 * The table is computed as PyTorch computes it in float32 (each step rounded to float32).
 */
export class PositionalEncoding extends nn.Module {
  dropout: nn.Dropout;
  declare pe: Tensor;

  constructor(dModel: number, dropout = 0.1, maxLen = 5000) {
    super();
    this.dropout = new nn.Dropout({ p: dropout });
    const f = Math.fround;
    const scale = f(-Math.log(10000.0) / dModel);
    const divTerm = Array.from({ length: Math.ceil(dModel / 2) }, (_, i) => f(Math.exp(f(2 * i * scale))));
    const pe = new Float32Array(maxLen * dModel);
    for (let pos = 0; pos < maxLen; pos++) {
      divTerm.forEach((d, i) => {
        const angle = f(pos * d);
        pe[pos * dModel + 2 * i] = Math.sin(angle);
        if (2 * i + 1 < dModel) pe[pos * dModel + 2 * i + 1] = Math.cos(angle);
      });
    }
    this.registerBuffer("pe", tensor(pe).view(maxLen, 1, dModel)); // pe.unsqueeze(0).transpose(0, 1)
  }

  /** x: [sequence length, batch size, embed dim]. */
  forward(x: Tensor): Tensor {
    x = x.add(this.pe.narrow(0, 0, x.shape[0]!));
    return this.dropout.forward(x);
  }
}

/** Container module with an encoder, a recurrent or transformer module, and a decoder. */
export class TransformerModel extends nn.Transformer {
  modelType = "Transformer";
  srcMask: Tensor | null = null;
  pos_encoder: PositionalEncoding;
  input_emb: nn.Embedding;
  ninp: number;
  // nn.Transformer's decoder (the TransformerDecoder) replaced by the output layer, as in the original
  declare decoder: nn.Linear & nn.Transformer["decoder"];

  constructor(ntoken: number, ninp: number, nhead: number, nhid: number, nlayers: number, dropout = 0.5) {
    super({ dModel: ninp, nhead, dimFeedforward: nhid, numEncoderLayers: nlayers });
    this.pos_encoder = new PositionalEncoding(ninp, dropout);
    this.input_emb = new nn.Embedding(ntoken, ninp);
    this.ninp = ninp;
    this.decoder = new nn.Linear(ninp, ntoken) as TransformerModel["decoder"];
    this.initWeights();
  }

  generateSquareSubsequentMask(sz: number): Tensor {
    return tril(ones([sz, sz])).log();
  }

  initWeights(): void {
    const initrange = 0.1;
    nn.init.uniform_(this.input_emb.weight, -initrange, initrange);
    nn.init.zeros_(this.decoder.bias!);
    nn.init.uniform_(this.decoder.weight, -initrange, initrange);
  }

  /** src [S, N] token ids → log-probabilities [S, N, ntoken]. (`hasMask` is typed loosely so that this overrides nn.Transformer's forward(src, tgt).) */
  override forward(src: Tensor, hasMask: unknown = true): Tensor {
    if (hasMask !== false) {
      if (this.srcMask === null || this.srcMask.shape[0] !== src.shape[0]) this.srcMask = this.generateSquareSubsequentMask(src.shape[0]!).to(src.device);
    } else {
      this.srcMask = null;
    }
    let x = this.input_emb.forward(src).mul(Math.sqrt(this.ninp));
    x = this.pos_encoder.forward(x);
    let output = this.encoder.forward(x, { mask: this.srcMask });
    output = (this.decoder as nn.Linear).forward(output);
    return F.logSoftmax(output, -1);
  }
}
