/**
 * pytorch/examples `reinforcement_learning/reinforce.py` in nabla, line for line: REINFORCE
 * (Williams 1992) on CartPole-v1 (cartpole.ts, gym's dynamics in TypeScript): a policy network
 * 4 → 128 → dropout 0.6 → ReLU → 2 → softmax, actions sampled from distributions.Categorical,
 * and after each episode the loss −Σ log π(aₜ|sₜ)·Rₜ with the discounted returns Rₜ standardised,
 * Adam with lr 0.01, until the running reward passes the environment's threshold (475).
 * `node dist/examples/reinforce.js`; its PyTorch twin is scripts/examples/reinforce.py.
 */
import { F, cat, distributions, manualSeed, nn, optim, tensor, type Tensor } from "nabla";
import { CartPoleEnv } from "./cartpole.js";
import { COMMON_FLAGS, isMain, parseFlags, report } from "./common/cli.js";

export class Policy extends nn.Module {
  affine1 = new nn.Linear(4, 128);
  dropout = new nn.Dropout({ p: 0.6 });
  affine2 = new nn.Linear(128, 2);

  savedLogProbs: Tensor[] = [];
  rewards: number[] = [];

  forward(x: Tensor): Tensor {
    x = this.affine1.forward(x);
    x = this.dropout.forward(x);
    x = F.relu(x);
    const actionScores = this.affine2.forward(x);
    return F.softmax(actionScores, 1);
  }
}

export interface ReinforceOptions {
  gamma: number;
  seed: number;
  logInterval: number;
  /** Stop after this many episodes (each is one optimisation step; 0: until solved). */
  steps: number;
  log: boolean;
  onModel?: (policy: Policy) => void;
}

export const REINFORCE_DEFAULTS: ReinforceOptions = { gamma: 0.99, seed: 543, logInterval: 10, steps: 0, log: false };

export interface ReinforceResult {
  /** The policy loss of every episode. */
  losses: number[];
  /** The reward of every episode (its length in steps). */
  episodeRewards: number[];
  solved: boolean;
}

export function runReinforce(options: Partial<ReinforceOptions> = {}): ReinforceResult {
  const args = { ...REINFORCE_DEFAULTS, ...options };
  const env = new CartPoleEnv();
  env.reset({ seed: args.seed });
  manualSeed(args.seed);

  const policy = new Policy();
  args.onModel?.(policy);
  const optimizer = new optim.Adam(policy.parameters(), { lr: 1e-2 });
  const eps = 1.1920928955078125e-7; // np.finfo(np.float32).eps

  const selectAction = (state: Float32Array): number => {
    const probs = policy.forward(tensor(state).unsqueeze(0));
    const m = new distributions.Categorical(probs);
    // The environment runs on the host, which needs the action as a number: on the webgpu device
    // the two probabilities come back (one read, as action.item() would be) and the action is drawn
    // there by the CPU's sampler, PyTorch's draws for the seed (the device's own draws are Philox's).
    const action = probs.device === "cpu" ? m.sample() : new distributions.Categorical(probs.detach().to("cpu")).sample().to(probs.device);
    policy.savedLogProbs.push(m.logProb(action));
    return action.item();
  };

  const finishEpisode = (): number => {
    let R = 0;
    const policyLoss: Tensor[] = [];
    const returnsList: number[] = [];
    for (const r of [...policy.rewards].reverse()) {
      R = r + args.gamma * R;
      returnsList.unshift(R);
    }
    let returns = tensor(returnsList);
    returns = returns.sub(returns.mean()).div(returns.std().add(eps));
    policy.savedLogProbs.forEach((logProb, i) => policyLoss.push(logProb.neg().mul(returns.select(0, i))));
    optimizer.zeroGrad();
    const loss = cat(policyLoss).sum();
    loss.backward();
    optimizer.step();
    policy.rewards.length = 0;
    policy.savedLogProbs.length = 0;
    return loss.item();
  };

  const result: ReinforceResult = { losses: [], episodeRewards: [], solved: false };
  let runningReward = 10;
  for (let iEpisode = 1; ; iEpisode++) {
    let [state] = env.reset();
    let epReward = 0;
    let t = 1;
    for (; t < 10000; t++) {
      // Don't infinite loop while learning
      const action = selectAction(state);
      const [next, reward, terminated, truncated] = env.step(action);
      state = next;
      policy.rewards.push(reward);
      epReward += reward;
      if (terminated || truncated) break;
    }

    runningReward = 0.05 * epReward + (1 - 0.05) * runningReward;
    result.losses.push(finishEpisode());
    result.episodeRewards.push(epReward);
    if (args.log && iEpisode % args.logInterval === 0) {
      console.log(`Episode ${iEpisode}\tLast reward: ${epReward.toFixed(2)}\tAverage reward: ${runningReward.toFixed(2)}`);
    }
    if (runningReward > env.spec.rewardThreshold) {
      if (args.log) console.log(`Solved! Running reward is now ${runningReward} and the last episode runs to ${t} time steps!`);
      result.solved = true;
      break;
    }
    if (result.losses.length === args.steps) break;
  }
  return result;
}

if (isMain(import.meta.url)) {
  const flags = parseFlags(process.argv.slice(2), "nabla REINFORCE example (pytorch/examples reinforcement_learning/reinforce.py) on CartPole-v1", {
    gamma: { default: 0.99, help: "discount factor" },
    seed: { default: 543, help: "random seed" },
    logInterval: { default: 10, help: "interval between training status logs" },
    ...COMMON_FLAGS,
  });
  if (flags) {
    const started = performance.now();
    const { losses } = runReinforce({ ...flags, log: true });
    report(losses, started, flags.json);
  }
}
