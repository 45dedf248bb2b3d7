/**
 * A character-level GPT in the style of nanoGPT (Karpathy): its `train.py` with
 * `config/train_shakespeare_char.py` (the "baby GPT": 6 layers, 6 heads, 384 dims, context 256,
 * dropout 0.2, AdamW with lr 1e-3, warmup then cosine decay, gradients clipped to norm 1) and
 * `data/shakespeare_char/prepare.py` (characters as tokens, the first 90% to train), on a text
 * every Debian system has instead of Shakespeare: GPL-3 (/usr/share/common-licenses, from the
 * essential base-files). The model is char-gpt/model.ts. At the end it prints a sample.
 * On a CPU, nanoGPT's README suggests a smaller run:
 * `node dist/examples/char-gpt.js --block_size=64 --batch_size=12 --n_layer=4 --n_head=4 --n_embd=128 --max_iters=2000 --lr_decay_iters=2000 --dropout=0.0`.
 * Its PyTorch twin is scripts/examples/char_gpt.py.
 */
import { readFileSync } from "node:fs";
import { manualSeed, nn, noGrad, randint, stack, tensor, type Tensor } from "nabla";
import { COMMON_FLAGS, isMain, parseFlags, report } from "./common/cli.js";
import { replayDropout, type Replay } from "./common/replay.js";
import { GPT, type GPTConfig } from "./char-gpt/model.js";

export const DEBIAN_TEXT = "/usr/share/common-licenses/GPL-3";

export interface CharGptOptions {
  data: string;
  evalInterval: number;
  evalIters: number;
  logInterval: number;
  evalOnly: boolean;
  gradientAccumulationSteps: number;
  batchSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  dropout: number;
  bias: boolean;
  /** Attention through F.scaledDotProductAttention (nanoGPT's path on PyTorch ≥ 2.0) or the explicit one. */
  flash: boolean;
  learningRate: number;
  maxIters: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  gradClip: number;
  decayLr: boolean;
  warmupIters: number;
  lrDecayIters: number;
  minLr: number;
  seed: number;
  /** Characters to sample at the end (0: none). */
  sample: number;
  steps: number;
  log: boolean;
  /** Replay mode: batch offsets (`sample`) and dropout masks (`dropout`) from these streams (see common/replay.ts). */
  replay?: Replay;
  /** Loaded into the model before training (to start from given weights). */
  initialState?: nn.StateDict;
  onModel?: (model: GPT) => void;
}

export const CHAR_GPT_DEFAULTS: CharGptOptions = {
  data: DEBIAN_TEXT,
  evalInterval: 250,
  evalIters: 200,
  logInterval: 10,
  evalOnly: false,
  gradientAccumulationSteps: 1,
  batchSize: 64,
  blockSize: 256,
  nLayer: 6,
  nHead: 6,
  nEmbd: 384,
  dropout: 0.2,
  bias: false,
  flash: true,
  learningRate: 1e-3,
  maxIters: 5000,
  weightDecay: 1e-1,
  beta1: 0.9,
  beta2: 0.99,
  gradClip: 1.0,
  decayLr: true,
  warmupIters: 100,
  lrDecayIters: 5000,
  minLr: 1e-4,
  seed: 1337,
  sample: 500,
  steps: 0,
  log: false,
};

export interface CharGptResult {
  /** The training loss of every iteration. */
  losses: number[];
  /** estimate_loss's means at every evaluation. */
  evals: { iter: number; train: number; val: number }[];
  sample: string;
}

/** prepare.py: the text's characters, sorted, as the vocabulary; the first 90% to train, the rest to validate. */
export function prepareChars(text: string): { chars: string[]; train: Int32Array; val: Int32Array } {
  const chars = Array.from(new Set(Array.from(text))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const stoi = new Map(chars.map((ch, i) => [ch, i]));
  const ids = Int32Array.from(Array.from(text), (c) => stoi.get(c)!);
  const n = ids.length;
  return { chars, train: ids.slice(0, Math.floor(n * 0.9)), val: ids.slice(Math.floor(n * 0.9)) };
}

export function runCharGpt(options: Partial<CharGptOptions> = {}): CharGptResult {
  const args = { ...CHAR_GPT_DEFAULTS, ...options };
  const tokensPerIter = args.gradientAccumulationSteps * args.batchSize * args.blockSize;
  if (args.log) console.log(`tokens per iteration will be: ${tokensPerIter.toLocaleString("en-US")}`);
  manualSeed(args.seed);

  const { chars, train: trainData, val: valData } = prepareChars(readFileSync(args.data, "utf8"));
  const metaVocabSize = chars.length;
  if (args.log) console.log(`found vocab_size = ${metaVocabSize}`);
  const replay = args.replay;

  const getBatch = (split: "train" | "val"): [Tensor, Tensor] => {
    const data = split === "train" ? trainData : valData;
    const high = data.length - args.blockSize;
    const ix = replay?.sample ? replay.sample.randint(high, args.batchSize) : Array.from(randint(0, high, [args.batchSize]).toTypedArray());
    const x = stack(ix.map((i) => tensor(data.slice(i, i + args.blockSize))));
    const y = stack(ix.map((i) => tensor(data.slice(i + 1, i + 1 + args.blockSize))));
    return [x, y];
  };

  // model init
  const modelArgs: GPTConfig = {
    nLayer: args.nLayer,
    nHead: args.nHead,
    nEmbd: args.nEmbd,
    blockSize: args.blockSize,
    bias: args.bias,
    vocabSize: metaVocabSize,
    dropout: args.dropout,
    flash: args.flash,
  };
  const model = new GPT(modelArgs);
  if (args.log) console.log(`number of parameters: ${(model.getNumParams() / 1e6).toFixed(2)}M`);
  if (args.initialState) model.loadStateDict(args.initialState);
  replayDropout(model, replay);
  args.onModel?.(model);

  // optimizer
  const optimizer = model.configureOptimizers(args.weightDecay, args.learningRate, [args.beta1, args.beta2]);

  // helps estimate an arbitrarily accurate loss over either split using many batches
  const estimateLoss = () => {
    const out = { train: 0, val: 0 };
    model.eval();
    noGrad(() => {
      for (const split of ["train", "val"] as const) {
        let sum = 0;
        for (let k = 0; k < args.evalIters; k++) {
          const [X, Y] = getBatch(split);
          const [, loss] = model.forward(X, Y);
          sum += Math.fround(loss!.item()); // losses[k] = loss.item(), into a float32 tensor
        }
        out[split] = sum / args.evalIters;
      }
    });
    model.train();
    return out;
  };

  // learning rate decay scheduler (cosine with warmup)
  const getLr = (it: number) => {
    // 1) linear warmup for warmupIters steps
    if (it < args.warmupIters) return (args.learningRate * it) / args.warmupIters;
    // 2) if it > lrDecayIters, return min learning rate
    if (it > args.lrDecayIters) return args.minLr;
    // 3) in between, use cosine decay down to min learning rate
    const decayRatio = (it - args.warmupIters) / (args.lrDecayIters - args.warmupIters);
    const coeff = 0.5 * (1.0 + Math.cos(Math.PI * decayRatio)); // coeff ranges 0..1
    return args.minLr + coeff * (args.learningRate - args.minLr);
  };

  // training loop
  const result: CharGptResult = { losses: [], evals: [], sample: "" };
  let [X, Y] = getBatch("train"); // fetch the very first batch
  let t0 = performance.now();
  let iterNum = 0;
  let bestValLoss = 1e9;
  for (;;) {
    // determine and set the learning rate for this iteration
    const lr = args.decayLr ? getLr(iterNum) : args.learningRate;
    for (const paramGroup of optimizer.paramGroups) paramGroup.lr = lr;

    // evaluate the loss on train/val sets
    if (iterNum % args.evalInterval === 0) {
      const losses = estimateLoss();
      result.evals.push({ iter: iterNum, ...losses });
      if (args.log) console.log(`step ${iterNum}: train loss ${losses.train.toFixed(4)}, val loss ${losses.val.toFixed(4)}`);
      bestValLoss = Math.min(bestValLoss, losses.val);
    }
    if (iterNum === 0 && args.evalOnly) break;

    // forward backward update, with optional gradient accumulation to simulate larger batch size
    let loss: Tensor | null = null;
    for (let microStep = 0; microStep < args.gradientAccumulationSteps; microStep++) {
      const [, l] = model.forward(X, Y);
      loss = l!.div(args.gradientAccumulationSteps); // scale the loss to account for gradient accumulation
      // immediately async prefetch next batch while model is doing the forward pass
      [X, Y] = getBatch("train");
      // backward pass
      loss.backward();
    }
    // clip the gradient
    if (args.gradClip !== 0.0) nn.utils.clipGradNorm_(model.parameters(), args.gradClip);
    // step the optimizer
    optimizer.step();
    // flush the gradients as soon as we can, no need for this memory anymore
    optimizer.zeroGrad({ setToNone: true });

    // timing and logging
    const t1 = performance.now();
    const dt = t1 - t0;
    t0 = t1;
    const lossf = loss!.item() * args.gradientAccumulationSteps;
    result.losses.push(lossf);
    if (args.log && iterNum % args.logInterval === 0) console.log(`iter ${iterNum}: loss ${lossf.toFixed(4)}, time ${dt.toFixed(2)}ms`);
    iterNum += 1;

    // termination conditions
    if (iterNum > args.maxIters || result.losses.length === args.steps) break;
  }

  if (args.sample > 0) {
    model.eval();
    const start = tensor(Int32Array.from([chars.indexOf("\n") >= 0 ? chars.indexOf("\n") : 0])).view(1, 1);
    const ids = model.generate(start, args.sample, 0.8, 200);
    result.sample = Array.from(ids.toTypedArray(), (i) => chars[i]!).join("");
    if (args.log) console.log(`---------------\n${result.sample}\n---------------`);
  }
  return result;
}

if (isMain(import.meta.url)) {
  const flags = parseFlags(process.argv.slice(2), "nabla character-level GPT (nanoGPT's train.py with train_shakespeare_char) on a Debian text", {
    data: { default: DEBIAN_TEXT, help: "the text (characters are the tokens; the first 90% train)" },
    evalInterval: { default: 250, help: "iterations between evaluations", flag: "eval_interval" },
    evalIters: { default: 200, help: "batches per evaluation", flag: "eval_iters" },
    logInterval: { default: 10, help: "iterations between log lines", flag: "log_interval" },
    evalOnly: { default: false, help: "exit right after the first eval", flag: "eval_only" },
    gradientAccumulationSteps: { default: 1, help: "micro-batches per step", flag: "gradient_accumulation_steps" },
    batchSize: { default: 64, help: "sequences per micro-batch", flag: "batch_size" },
    blockSize: { default: 256, help: "context of up to this many previous characters", flag: "block_size" },
    nLayer: { default: 6, help: "layers", flag: "n_layer" },
    nHead: { default: 6, help: "attention heads", flag: "n_head" },
    nEmbd: { default: 384, help: "embedding size", flag: "n_embd" },
    dropout: { default: 0.2, help: "dropout" },
    bias: { default: false, help: "bias inside LayerNorm and Linear layers" },
    flash: { default: true, help: "attention through F.scaledDotProductAttention (--flash=false: the explicit masked softmax)" },
    learningRate: { default: 1e-3, help: "max learning rate", flag: "learning_rate" },
    maxIters: { default: 5000, help: "total number of training iterations", flag: "max_iters" },
    weightDecay: { default: 1e-1, help: "AdamW weight decay", flag: "weight_decay" },
    beta1: { default: 0.9, help: "AdamW beta1" },
    beta2: { default: 0.99, help: "AdamW beta2" },
    gradClip: { default: 1.0, help: "clip gradients at this value, or disable if == 0.0", flag: "grad_clip" },
    decayLr: { default: true, help: "whether to decay the learning rate", flag: "decay_lr" },
    warmupIters: { default: 100, help: "how many steps to warm up for", flag: "warmup_iters" },
    lrDecayIters: { default: 5000, help: "should be ~= max_iters per Chinchilla", flag: "lr_decay_iters" },
    minLr: { default: 1e-4, help: "minimum learning rate, should be ~= learning_rate/10 per Chinchilla", flag: "min_lr" },
    seed: { default: 1337, help: "random seed" },
    sample: { default: 500, help: "characters to sample at the end" },
    ...COMMON_FLAGS,
  });
  if (flags) {
    const started = performance.now();
    const { losses } = runCharGpt({ ...flags, log: true });
    report(losses, started, flags.json);
  }
}
