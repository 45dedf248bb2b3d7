/**
 * The articles' recommender scenario ("recommender systems: sigmoid outputs, AdaGrad or RMSProp
 * updates") as the matrix factorisation PyTorch users write: a user vector and an item vector
 * (Embeddings) whose dot product, plus a bias for each, goes through a sigmoid scaled to the
 * 1–5 star range; mean squared error; AdaGrad. The ratings are generated, MovieLens-100k-shaped
 * (943 users, 1,682 items, 100,000 ratings), from hidden low-rank tastes with a deterministic
 * hash (common/replay.ts's stream), so this program and its PyTorch twin
 * (scripts/examples/recommender.py) see the very same data. `node dist/examples/recommender.js`.
 */
import { F, data, manualSeed, nn, noGrad, optim, tensor, type Tensor } from "nabla";
import { COMMON_FLAGS, isMain, parseFlags, report } from "./common/cli.js";
import { ReplayStream, type Replay } from "./common/replay.js";

export class MatrixFactorization extends nn.Module<[user: Tensor, item: Tensor], Tensor> {
  user_factors: nn.Embedding;
  item_factors: nn.Embedding;
  user_biases: nn.Embedding;
  item_biases: nn.Embedding;

  constructor(nUsers: number, nItems: number, nFactors = 20) {
    super();
    this.user_factors = new nn.Embedding(nUsers, nFactors);
    this.item_factors = new nn.Embedding(nItems, nFactors);
    this.user_biases = new nn.Embedding(nUsers, 1);
    this.item_biases = new nn.Embedding(nItems, 1);
  }

  forward(user: Tensor, item: Tensor): Tensor {
    const dot = this.user_factors.forward(user).mul(this.item_factors.forward(item)).sum(1);
    const pred = dot.add(this.user_biases.forward(user).squeeze(1)).add(this.item_biases.forward(item).squeeze(1));
    return F.sigmoid(pred).mul(4).add(1); // 1 + 4σ(·): a rating in (1, 5)
  }
}

export interface Ratings {
  users: Tensor;
  items: Tensor;
  ratings: Tensor;
}

/**
 * `count` ratings of `nItems` items by `nUsers` users: user u and item i have hidden tastes
 * p_u, q_i ~ U(−1, 1)^rank and biases b_u, b_i ~ U(−0.5, 0.5); each rating is of a uniformly drawn
 * item by a uniformly drawn user, r = clamp(round(3.5 + 1.5·p_u·q_i + b_u + b_i + 0.5·(v − 0.5)), 1, 5)
 * with v ~ U(0, 1) (round as floor(· + 0.5)). Every step is float64 arithmetic in a fixed order
 * on a hashed stream (common/replay.ts's), so Python computes the same numbers.
 */
export function generateRatings(nUsers: number, nItems: number, count: number, rank = 5, seed = 0): Ratings {
  const g = new ReplayStream(1000 + seed);
  const p = g.uniform(nUsers * rank).map((u) => 2 * u - 1);
  const q = g.uniform(nItems * rank).map((u) => 2 * u - 1);
  const bu = g.uniform(nUsers).map((u) => u - 0.5);
  const bi = g.uniform(nItems).map((u) => u - 0.5);
  const users = new Int32Array(count);
  const items = new Int32Array(count);
  const ratings = new Float32Array(count);
  const draws = g.uniform(3 * count);
  for (let k = 0; k < count; k++) {
    const u = Math.floor(draws[3 * k]! * nUsers);
    const i = Math.floor(draws[3 * k + 1]! * nItems);
    let dot = 0;
    for (let f = 0; f < rank; f++) dot += p[u * rank + f]! * q[i * rank + f]!;
    const r = Math.floor(3.5 + 1.5 * dot + bu[u]! + bi[i]! + 0.5 * (draws[3 * k + 2]! - 0.5) + 0.5);
    [users[k], items[k], ratings[k]] = [u, i, Math.min(5, Math.max(1, r))];
  }
  return { users: tensor(users), items: tensor(items), ratings: tensor(ratings) };
}

export interface RecommenderOptions {
  nUsers: number;
  nItems: number;
  nRatings: number;
  nFactors: number;
  batchSize: number;
  epochs: number;
  lr: number;
  seed: number;
  logInterval: number;
  steps: number;
  log: boolean;
  /** Replay mode: the training order from the `sample` stream (see common/replay.ts). */
  replay?: Replay;
  /** Loaded into the model before training (to start from given weights, e.g. the twin's). */
  initialState?: nn.StateDict;
  onModel?: (model: MatrixFactorization) => void;
}

export const RECOMMENDER_DEFAULTS: RecommenderOptions = {
  nUsers: 943,
  nItems: 1682,
  nRatings: 100_000,
  nFactors: 20,
  batchSize: 1024,
  epochs: 10,
  lr: 0.1,
  seed: 0,
  logInterval: 20,
  steps: 0,
  log: false,
};

export interface RecommenderResult {
  losses: number[];
  /** The held-out root mean squared error after each epoch. */
  testRmse: number[];
}

export function runRecommender(options: Partial<RecommenderOptions> = {}): RecommenderResult {
  const args = { ...RECOMMENDER_DEFAULTS, ...options };
  manualSeed(args.seed);
  const { users, items, ratings } = generateRatings(args.nUsers, args.nItems, args.nRatings);
  const dataset = new data.TensorDataset(users, items, ratings);
  // every tenth rating is held out
  const trainSet = new data.Subset(dataset, Array.from({ length: args.nRatings }, (_, k) => k).filter((k) => k % 10 !== 9));
  const testSet = new data.Subset(dataset, Array.from({ length: args.nRatings }, (_, k) => k).filter((k) => k % 10 === 9));
  const shuffled = new data.DataLoader(trainSet, { batchSize: args.batchSize, shuffle: true });
  const order = args.replay?.sample;
  const trainLoader = () => (order ? new data.DataLoader(new data.Subset(trainSet, order.permutation(trainSet.length)), { batchSize: args.batchSize }) : shuffled);
  const testLoader = new data.DataLoader(testSet, { batchSize: 10_000 });

  const model = new MatrixFactorization(args.nUsers, args.nItems, args.nFactors);
  if (args.initialState) model.loadStateDict(args.initialState);
  args.onModel?.(model);
  const lossFn = new nn.MSELoss();
  const optimizer = new optim.Adagrad(model.parameters(), { lr: args.lr });

  const result: RecommenderResult = { losses: [], testRmse: [] };
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    model.train();
    let batchIdx = 0;
    for (const [user, item, rating] of trainLoader()) {
      optimizer.zeroGrad();
      const prediction = model.forward(user, item);
      const loss = lossFn.forward(prediction, rating);
      loss.backward();
      optimizer.step();
      result.losses.push(loss.item());
      if (args.log && batchIdx % args.logInterval === 0) console.log(`epoch ${epoch} batch ${batchIdx}: loss ${loss.item().toFixed(4)}`);
      batchIdx++;
      if (result.losses.length === args.steps) break;
    }
    model.eval();
    let squared = 0;
    noGrad(() => {
      for (const [user, item, rating] of testLoader) squared += F.mseLoss(model.forward(user, item), rating, { reduction: "sum" }).item();
    });
    result.testRmse.push(Math.sqrt(squared / testSet.length));
    if (args.log) console.log(`epoch ${epoch}: test RMSE ${result.testRmse.at(-1)!.toFixed(4)}`);
    if (result.losses.length === args.steps) break;
  }
  return result;
}

if (isMain(import.meta.url)) {
  const flags = parseFlags(process.argv.slice(2), "nabla matrix-factorisation recommender on generated MovieLens-shaped ratings", {
    nUsers: { default: 943, help: "users" },
    nItems: { default: 1682, help: "items" },
    nRatings: { default: 100_000, help: "ratings (every tenth held out)" },
    nFactors: { default: 20, help: "size of the user and item vectors" },
    batchSize: { default: 1024, help: "ratings per batch" },
    epochs: { default: 10, help: "epochs" },
    lr: { default: 0.1, help: "AdaGrad's learning rate" },
    seed: { default: 0, help: "random seed" },
    logInterval: { default: 20, help: "batches between log lines" },
    ...COMMON_FLAGS,
  });
  if (flags) {
    const started = performance.now();
    const { losses } = runRecommender({ ...flags, log: true });
    report(losses, started, flags.json);
  }
}
