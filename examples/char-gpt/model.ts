/**
 * nanoGPT's `model.py` (Karpathy) in nabla: a GPT of pre-norm blocks (LayerNorm with an optional
 * bias, causal self-attention, a GELU MLP), learned positions, the token embedding tied to the
 * output layer, weights from N(0, 0.02) and the residual projections from N(0, 0.02/√(2·n_layer)).
 * Attention runs through F.scaledDotProductAttention (nanoGPT's "flash" path, which it takes on
 * PyTorch ≥ 2.0) or, with `flash: false`, through the explicit masked softmax it takes on older
 * PyTorch (1.13's twin runs that one).
 */
import { F, arange, cat, cumsum, nn, noGrad, ones, optim, rand, searchsorted, tril, zeros, type Tensor } from "nabla";

/** LayerNorm but with an optional bias. */
export class LayerNorm extends nn.Module {
  weight: nn.Parameter;
  bias: nn.Parameter | null;
  constructor(ndim: number, bias: boolean) {
    super();
    this.weight = new nn.Parameter(ones([ndim]));
    this.bias = bias ? new nn.Parameter(zeros([ndim])) : null;
  }
  forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.weight.shape, { weight: this.weight, bias: this.bias, eps: 1e-5 });
  }
}

export interface GPTConfig {
  blockSize: number;
  vocabSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  dropout: number;
  /** True: bias in Linears and LayerNorms, like GPT-2. False: a bit better and faster. */
  bias: boolean;
  /** Attention by F.scaledDotProductAttention (true) or the explicit masked softmax (false). */
  flash: boolean;
}

export const GPT_CONFIG_DEFAULTS: GPTConfig = { blockSize: 1024, vocabSize: 50304, nLayer: 12, nHead: 12, nEmbd: 768, dropout: 0.0, bias: true, flash: true };

export class CausalSelfAttention extends nn.Module {
  c_attn: nn.Linear;
  c_proj: nn.Linear;
  attn_dropout: nn.Dropout;
  resid_dropout: nn.Dropout;
  readonly nHead: number;
  readonly nEmbd: number;
  readonly dropout: number;
  readonly flash: boolean;
  declare bias: Tensor;

  constructor(config: GPTConfig) {
    super();
    if (config.nEmbd % config.nHead !== 0) throw new RangeError(`nEmbd (${config.nEmbd}) must be a multiple of nHead (${config.nHead})`);
    // key, query, value projections for all heads, but in a batch
    this.c_attn = new nn.Linear(config.nEmbd, 3 * config.nEmbd, { bias: config.bias });
    // output projection
    this.c_proj = new nn.Linear(config.nEmbd, config.nEmbd, { bias: config.bias });
    // regularization
    this.attn_dropout = new nn.Dropout({ p: config.dropout });
    this.resid_dropout = new nn.Dropout({ p: config.dropout });
    this.nHead = config.nHead;
    this.nEmbd = config.nEmbd;
    this.dropout = config.dropout;
    this.flash = config.flash;
    if (!this.flash) {
      // causal mask to ensure that attention is only applied to the left in the input sequence
      this.registerBuffer("bias", tril(ones([config.blockSize, config.blockSize])).view(1, 1, config.blockSize, config.blockSize));
    }
  }

  forward(x: Tensor): Tensor {
    const [B, T, C] = x.shape as [number, number, number]; // batch size, sequence length, embedding dimensionality (nEmbd)

    // calculate query, key, values for all heads in batch and move head forward to be the batch dim
    let [q, k, v] = this.c_attn.forward(x).split(this.nEmbd, 2) as [Tensor, Tensor, Tensor];
    k = k.view(B, T, this.nHead, C / this.nHead).transpose(1, 2); // (B, nh, T, hs)
    q = q.view(B, T, this.nHead, C / this.nHead).transpose(1, 2); // (B, nh, T, hs)
    v = v.view(B, T, this.nHead, C / this.nHead).transpose(1, 2); // (B, nh, T, hs)

    // causal self-attention; Self-attend: (B, nh, T, hs) x (B, nh, hs, T) -> (B, nh, T, T)
    let y: Tensor;
    if (this.flash) {
      y = F.scaledDotProductAttention(q, k, v, { attnMask: null, dropoutP: this.training ? this.dropout : 0, isCausal: true });
    } else {
      // manual implementation of attention
      let att = q.matmul(k.transpose(-2, -1)).mul(1.0 / Math.sqrt(k.shape[3]!));
      att = att.maskedFill(this.bias.narrow(2, 0, T).narrow(3, 0, T).eq(0), -Infinity);
      att = F.softmax(att, -1);
      att = this.attn_dropout.forward(att);
      y = att.matmul(v); // (B, nh, T, T) x (B, nh, T, hs) -> (B, nh, T, hs)
    }
    y = y.transpose(1, 2).contiguous().view(B, T, C); // re-assemble all head outputs side by side

    // output projection
    return this.resid_dropout.forward(this.c_proj.forward(y));
  }
}

export class MLP extends nn.Module {
  c_fc: nn.Linear;
  gelu = new nn.GELU();
  c_proj: nn.Linear;
  dropout: nn.Dropout;
  constructor(config: GPTConfig) {
    super();
    this.c_fc = new nn.Linear(config.nEmbd, 4 * config.nEmbd, { bias: config.bias });
    this.c_proj = new nn.Linear(4 * config.nEmbd, config.nEmbd, { bias: config.bias });
    this.dropout = new nn.Dropout({ p: config.dropout });
  }
  forward(x: Tensor): Tensor {
    x = this.c_fc.forward(x);
    x = this.gelu.forward(x);
    x = this.c_proj.forward(x);
    x = this.dropout.forward(x);
    return x;
  }
}

export class Block extends nn.Module {
  ln_1: LayerNorm;
  attn: CausalSelfAttention;
  ln_2: LayerNorm;
  mlp: MLP;
  constructor(config: GPTConfig) {
    super();
    this.ln_1 = new LayerNorm(config.nEmbd, config.bias);
    this.attn = new CausalSelfAttention(config);
    this.ln_2 = new LayerNorm(config.nEmbd, config.bias);
    this.mlp = new MLP(config);
  }
  forward(x: Tensor): Tensor {
    x = x.add(this.attn.forward(this.ln_1.forward(x)));
    x = x.add(this.mlp.forward(this.ln_2.forward(x)));
    return x;
  }
}

interface TransformerParts {
  wte: nn.Embedding;
  wpe: nn.Embedding;
  drop: nn.Dropout;
  h: nn.ModuleList;
  ln_f: LayerNorm;
}

export class GPT extends nn.Module<[idx: Tensor, targets?: Tensor | null], [Tensor, Tensor | null]> {
  transformer: nn.ModuleDict & TransformerParts;
  lm_head: nn.Linear;

  constructor(readonly config: GPTConfig) {
    super();
    this.transformer = new nn.ModuleDict({
      wte: new nn.Embedding(config.vocabSize, config.nEmbd),
      wpe: new nn.Embedding(config.blockSize, config.nEmbd),
      drop: new nn.Dropout({ p: config.dropout }),
      h: new nn.ModuleList(Array.from({ length: config.nLayer }, () => new Block(config))),
      ln_f: new LayerNorm(config.nEmbd, config.bias),
    }) as nn.ModuleDict & TransformerParts;
    this.lm_head = new nn.Linear(config.nEmbd, config.vocabSize, { bias: false });
    this.transformer.wte.weight = this.lm_head.weight; // https://paperswithcode.com/method/weight-tying

    // init all weights
    this.apply((m) => this.initWeights(m));
    // apply special scaled init to the residual projections, per GPT-2 paper
    for (const [pn, p] of this.namedParameters()) {
      if (pn.endsWith("c_proj.weight")) nn.init.normal_(p, 0.0, 0.02 / Math.sqrt(2 * config.nLayer));
    }
  }

  /** The number of parameters; the position embeddings are not counted by default (the token ones are: they are the output layer too). */
  getNumParams(nonEmbedding = true): number {
    let nParams = this.parameters().reduce((n, p) => n + p.numel(), 0);
    if (nonEmbedding) nParams -= this.transformer.wpe.weight.numel();
    return nParams;
  }

  private initWeights(module: nn.AnyModule): void {
    if (module instanceof nn.Linear) {
      nn.init.normal_(module.weight, 0.0, 0.02);
      if (module.bias !== null) nn.init.zeros_(module.bias);
    } else if (module instanceof nn.Embedding) {
      nn.init.normal_(module.weight, 0.0, 0.02);
    }
  }

  /** idx [b, t] → logits [b, t, vocab] and the loss against targets (or, without targets, the last position's logits [b, 1, vocab] and null). */
  forward(idx: Tensor, targets: Tensor | null = null): [Tensor, Tensor | null] {
    const [, t] = idx.shape as [number, number];
    if (t > this.config.blockSize) throw new RangeError(`Cannot forward sequence of length ${t}, block size is only ${this.config.blockSize}`);
    const pos = arange(0, t); // shape (t)

    // forward the GPT model itself
    const tokEmb = this.transformer.wte.forward(idx); // token embeddings of shape (b, t, nEmbd)
    const posEmb = this.transformer.wpe.forward(pos); // position embeddings of shape (t, nEmbd)
    let x = this.transformer.drop.forward(tokEmb.add(posEmb));
    for (const block of this.transformer.h) x = (block as Block).forward(x);
    x = this.transformer.ln_f.forward(x);

    if (targets !== null) {
      // if we are given some desired targets also calculate the loss
      const logits = this.lm_head.forward(x);
      const loss = F.crossEntropy(logits.view(-1, logits.shape[2]!), targets.view(-1), { ignoreIndex: -1 });
      return [logits, loss];
    }
    // inference-time mini-optimization: only forward the lmHead on the very last position
    return [this.lm_head.forward(x.narrow(1, t - 1, 1)), null];
  }

  /**
   * AdamW over two groups: every weight of 2 or more dims (matmuls, embeddings) with weight decay,
   * biases and LayerNorm gains without.
   */
  configureOptimizers(weightDecay: number, learningRate: number, betas: [number, number]): optim.AdamW {
    // start with all of the candidate parameters (that require grad)
    const params = Array.from(this.namedParameters(), ([, p]) => p).filter((p) => p.requiresGrad);
    // create optim groups. Any parameters that is 2D will be weight decayed, otherwise no.
    const decayParams = params.filter((p) => p.ndim >= 2);
    const nodecayParams = params.filter((p) => p.ndim < 2);
    const optimGroups = [
      { params: decayParams, weightDecay },
      { params: nodecayParams, weightDecay: 0.0 },
    ];
    return new optim.AdamW(optimGroups, { lr: learningRate, betas });
  }

  /**
   * Takes a conditioning sequence of indices idx [b, t] and completes it maxNewTokens times,
   * feeding the predictions back into the model each time; topK keeps only the k most likely
   * tokens. (Sampling by the inverse of the cumulative distribution, where nanoGPT calls
   * torch.multinomial.)
   */
  generate(idx: Tensor, maxNewTokens: number, temperature = 1.0, topK: number | null = null): Tensor {
    return noGrad(() => {
      for (let i = 0; i < maxNewTokens; i++) {
        // if the sequence context is growing too long we must crop it at blockSize
        const t = idx.shape[1]!;
        const idxCond = t <= this.config.blockSize ? idx : idx.narrow(1, t - this.config.blockSize, this.config.blockSize);
        // forward the model to get the logits for the index in the sequence
        const [out] = this.forward(idxCond);
        // pluck the logits at the final step and scale by desired temperature
        let logits = out.select(1, 0).div(temperature);
        // optionally crop the logits to only the top k options
        if (topK !== null) {
          const { values } = logits.topk(Math.min(topK, logits.shape[1]!));
          logits = logits.maskedFill(logits.lt(values.narrow(1, values.shape[1]! - 1, 1)), -Infinity);
        }
        // apply softmax to convert logits to (normalized) probabilities
        const probs = F.softmax(logits, -1);
        // sample from the distribution
        const cdf = cumsum(probs, -1);
        const idxNext = searchsorted(cdf, rand([idx.shape[0]!, 1]), { right: true }).clamp(0, probs.shape[1]! - 1);
        // append sampled index to the running sequence and continue
        idx = cat([idx, idxNext], 1);
      }
      return idx;
    });
  }
}
