/**
 * pytorch/examples `word_language_model/main.py` in nabla, line for line: a word-level language
 * model (LSTM, GRU, Elman RNN or Transformer; model and data in word-language-model/) trained by
 * truncated backpropagation through time with plain SGD on gradients clipped to norm 0.25, the
 * learning rate divided by 4 whenever the validation loss stops improving. The corpus is GPL-3's
 * text from /usr/share/common-licenses (on every Debian system) instead of WikiText-2.
 * `node dist/examples/word-language-model.js --epochs 6`, `--model Transformer`; its PyTorch twin
 * is scripts/examples/word_language_model.py.
 */
import { nn, manualSeed, noGrad, optim, type Tensor } from "nabla";
import { saveFile } from "nabla/node";
import { COMMON_FLAGS, DEVICE_FLAG, isMain, parseFlags, report, startDevice } from "./common/cli.js";
import { replayDropout, type Replay } from "./common/replay.js";
import { Corpus, DEBIAN_TEXT } from "./word-language-model/data.js";
import { RNNModel, TransformerModel, type Hidden, type RNNType } from "./word-language-model/model.js";

export interface WordLanguageModelOptions {
  data: string;
  model: RNNType | "Transformer";
  emsize: number;
  nhid: number;
  nlayers: number;
  lr: number;
  clip: number;
  epochs: number;
  batchSize: number;
  bptt: number;
  dropout: number;
  tied: boolean;
  seed: number;
  logInterval: number;
  /** Where the best model goes (safetensors; "" keeps it in memory only). */
  save: string;
  nhead: number;
  dryRun: boolean;
  useOptimizer: boolean;
  steps: number;
  log: boolean;
  /** Where the model and the data go: "cpu" or "webgpu" (the original's `device`). */
  device: string;
  /** Replay mode: dropout masks from the `dropout` stream (see common/replay.ts). */
  replay?: Replay;
  /** Loaded into the model before training (to start from given weights; a missing `pos_encoder.pe` is computed). */
  initialState?: nn.StateDict;
  onModel?: (model: RNNModel | TransformerModel) => void;
}

export const WORD_LANGUAGE_MODEL_DEFAULTS: WordLanguageModelOptions = {
  data: DEBIAN_TEXT,
  model: "LSTM",
  emsize: 200,
  nhid: 200,
  nlayers: 2,
  lr: 20,
  clip: 0.25,
  epochs: 40,
  batchSize: 20,
  bptt: 35,
  dropout: 0.2,
  tied: false,
  seed: 1111,
  logInterval: 200,
  save: "model.safetensors",
  nhead: 2,
  dryRun: false,
  useOptimizer: false,
  steps: 0,
  log: false,
  device: "cpu",
};

export interface WordLanguageModelResult {
  losses: number[];
  valLosses: number[];
  testLoss: number;
}

// Starting from sequential data, batchify arranges the dataset into columns. For instance, with
// the alphabet as the sequence and batch size 4, we'd get the columns a–f, g–l, m–r, s–x. These
// columns are treated as independent by the model, which means that the dependence of e. g. 'g'
// on 'f' can not be learned, but allows more efficient batch processing.
export function batchify(data: Tensor, bsz: number): Tensor {
  // Work out how cleanly we can divide the dataset into bsz parts.
  const nbatch = Math.floor(data.shape[0]! / bsz);
  // Trim off any extra elements that wouldn't cleanly fit (remainders).
  data = data.narrow(0, 0, nbatch * bsz);
  // Evenly divide the data across the bsz batches.
  return data.view(bsz, -1).t().contiguous();
}

/** Wraps hidden states in new Tensors, to detach them from their history. */
function repackageHidden(h: Hidden): Hidden {
  return Array.isArray(h) ? [h[0].detach(), h[1].detach()] : h.detach();
}

export async function runWordLanguageModel(options: Partial<WordLanguageModelOptions> = {}): Promise<WordLanguageModelResult> {
  const args = { ...WORD_LANGUAGE_MODEL_DEFAULTS, ...options };
  const device = await startDevice(args.device);
  // Set the random seed manually for reproducibility.
  manualSeed(args.seed);

  // Load data
  const corpus = new Corpus(args.data);
  const evalBatchSize = 10;
  // the original's batchify ends with `data.to(device)`
  const trainData = batchify(corpus.train, args.batchSize).to(device);
  const valData = batchify(corpus.valid, evalBatchSize).to(device);
  const testData = batchify(corpus.test, evalBatchSize).to(device);

  // Build the model
  const ntokens = corpus.dictionary.length;
  const model =
    args.model === "Transformer"
      ? new TransformerModel(ntokens, args.emsize, args.nhead, args.nhid, args.nlayers, args.dropout)
      : new RNNModel(args.model, ntokens, args.emsize, args.nhid, args.nlayers, args.dropout, args.tied);
  if (args.initialState) {
    const { missingKeys, unexpectedKeys } = model.loadStateDict(args.initialState, { strict: false });
    const missing = missingKeys.filter((k) => k !== "pos_encoder.pe");
    if (missing.length || unexpectedKeys.length) throw new Error(`initialState: missing ${missing.join(", ")}; unexpected ${unexpectedKeys.join(", ")}`);
  }
  model.to(device);
  replayDropout(model, args.replay);
  args.onModel?.(model);

  const criterion = new nn.NLLLoss();
  const optimizer = args.useOptimizer ? new optim.AdamW(model.parameters(), { lr: args.lr }) : null;
  const result: WordLanguageModelResult = { losses: [], valLosses: [], testLoss: NaN };
  let lr = args.lr;
  let epoch = 0;

  // getBatch subdivides the source data into chunks of length args.bptt, along dimension 0 (time).
  const getBatch = (source: Tensor, i: number): [Tensor, Tensor] => {
    const seqLen = Math.min(args.bptt, source.shape[0]! - 1 - i);
    const data = source.narrow(0, i, seqLen);
    const target = source.narrow(0, i + 1, seqLen).reshape(-1);
    return [data, target];
  };

  const evaluate = (dataSource: Tensor): number => {
    // Turn on evaluation mode which disables dropout.
    model.eval();
    let totalLoss = 0;
    let hidden = model instanceof RNNModel ? model.initHidden(evalBatchSize) : null;
    noGrad(() => {
      for (let i = 0; i < dataSource.shape[0]! - 1; i += args.bptt) {
        const [data, targets] = getBatch(dataSource, i);
        let output: Tensor;
        if (model instanceof TransformerModel) {
          output = model.forward(data).view(-1, ntokens);
        } else {
          [output, hidden] = model.forward(data, hidden!);
          hidden = repackageHidden(hidden);
        }
        totalLoss += data.shape[0]! * criterion.forward(output, targets).item();
      }
    });
    return totalLoss / (dataSource.shape[0]! - 1);
  };

  const train = () => {
    // Turn on training mode which enables dropout.
    model.train();
    let totalLoss = 0;
    let startTime = performance.now();
    let hidden = model instanceof RNNModel ? model.initHidden(args.batchSize) : null;
    for (let batch = 0, i = 0; i < trainData.shape[0]! - 1; batch++, i += args.bptt) {
      const [data, targets] = getBatch(trainData, i);
      // Starting each batch, we detach the hidden state from how it was previously produced.
      // If we didn't, the model would try backpropagating all the way to start of the dataset.
      if (optimizer) optimizer.zeroGrad();
      else model.zeroGrad();
      let output: Tensor;
      if (model instanceof TransformerModel) {
        output = model.forward(data).view(-1, ntokens);
      } else {
        hidden = repackageHidden(hidden!);
        [output, hidden] = model.forward(data, hidden);
      }
      const loss = criterion.forward(output, targets);
      loss.backward();

      // `clipGradNorm_` helps prevent the exploding gradient problem in RNNs / LSTMs.
      nn.utils.clipGradNorm_(model.parameters(), args.clip);
      if (optimizer) optimizer.step();
      else for (const p of model.parameters()) p.data.add_(p.grad!, { alpha: -lr });

      totalLoss += loss.item();
      result.losses.push(loss.item());

      if (args.log && batch % args.logInterval === 0 && batch > 0) {
        const curLoss = totalLoss / args.logInterval;
        const elapsed = performance.now() - startTime;
        console.log(
          `| epoch ${String(epoch).padStart(3)} | ${String(batch).padStart(5)}/${String(Math.floor(trainData.shape[0]! / args.bptt)).padStart(5)} batches | ` +
            `lr ${lr.toFixed(2)} | ms/batch ${(elapsed / args.logInterval).toFixed(2).padStart(5)} | loss ${curLoss.toFixed(2).padStart(5)} | ppl ${Math.exp(curLoss).toFixed(2).padStart(8)}`,
        );
        totalLoss = 0;
        startTime = performance.now();
      }
      if (args.dryRun || result.losses.length === args.steps) break;
    }
  };

  // Loop over epochs.
  let bestValLoss: number | null = null;
  let best = model.stateDict();
  for (epoch = 1; epoch <= args.epochs; epoch++) {
    const epochStartTime = performance.now();
    train();
    const valLoss = evaluate(valData);
    result.valLosses.push(valLoss);
    if (args.log) {
      console.log("-".repeat(89));
      console.log(
        `| end of epoch ${String(epoch).padStart(3)} | time: ${((performance.now() - epochStartTime) / 1000).toFixed(2).padStart(5)}s | valid loss ${valLoss.toFixed(2).padStart(5)} | valid ppl ${Math.exp(valLoss).toFixed(2).padStart(8)}`,
      );
      console.log("-".repeat(89));
    }
    // Save the model if the validation loss is the best we've seen so far.
    if (bestValLoss === null || valLoss < bestValLoss) {
      best = Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.clone()]));
      if (args.save) await saveFile(args.save, best);
      bestValLoss = valLoss;
    } else {
      // Anneal the learning rate if no improvement has been seen in the validation dataset.
      lr /= 4.0;
    }
    if (args.dryRun || result.losses.length === args.steps) break;
  }

  // Load the best saved model and run it on test data.
  model.loadStateDict(best);
  result.testLoss = evaluate(testData);
  if (args.log) {
    console.log("=".repeat(89));
    console.log(`| End of training | test loss ${result.testLoss.toFixed(2).padStart(5)} | test ppl ${Math.exp(result.testLoss).toFixed(2).padStart(8)}`);
    console.log("=".repeat(89));
  }
  return result;
}

if (isMain(import.meta.url)) {
  const flags = parseFlags(process.argv.slice(2), "nabla word-level language model (pytorch/examples word_language_model) on a Debian text", {
    data: { default: DEBIAN_TEXT, help: "the text: first 80% of lines train, 10% valid, 10% test" },
    model: { default: "LSTM", help: "type of network (RNN_TANH, RNN_RELU, LSTM, GRU, Transformer)" },
    emsize: { default: 200, help: "size of word embeddings" },
    nhid: { default: 200, help: "number of hidden units per layer" },
    nlayers: { default: 2, help: "number of layers" },
    lr: { default: 20, help: "initial learning rate" },
    clip: { default: 0.25, help: "gradient clipping" },
    epochs: { default: 40, help: "upper epoch limit" },
    batchSize: { default: 20, help: "batch size", flag: "batch_size" },
    bptt: { default: 35, help: "sequence length" },
    dropout: { default: 0.2, help: "dropout applied to layers (0 = no dropout)" },
    tied: { default: false, help: "tie the word embedding and softmax weights" },
    seed: { default: 1111, help: "random seed" },
    logInterval: { default: 200, help: "report interval" },
    save: { default: "model.safetensors", help: "path to save the final model ('' for none)" },
    nhead: { default: 2, help: "the number of heads in the encoder of the transformer model" },
    dryRun: { default: false, help: "verify the code and the model" },
    useOptimizer: { default: false, help: "uses AdamW optimizer for gradient updating" },
    ...DEVICE_FLAG,
    ...COMMON_FLAGS,
  });
  if (flags) {
    const models = ["LSTM", "GRU", "RNN_TANH", "RNN_RELU", "Transformer"];
    if (!models.includes(flags.model)) throw new Error(`--model: expected one of ${models.join(", ")}, got ${flags.model}`);
    const started = performance.now();
    const { losses } = await runWordLanguageModel({ ...flags, model: flags.model as WordLanguageModelOptions["model"], log: true });
    report(losses, started, flags.json);
  }
}
