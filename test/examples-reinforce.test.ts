/**
 * examples/reinforce.ts (pytorch/examples REINFORCE) and examples/cartpole.ts (gym's CartPole-v1)
 * against their PyTorch/gym twin, step by step.
 */
import { describe, expect, it } from "vitest";
import { runReinforce, type ReinforceOptions } from "../examples/reinforce.js";
import { CartPoleEnv } from "../examples/cartpole.js";
import { exampleFixture, exampleOptions, expectInitialState, expectLosses } from "./examples-harness.js";

const fixture = exampleFixture<Partial<ReinforceOptions>>("reinforce");
const trajectory = fixture.cartpole as {
  seed: number;
  steps: number;
  actions: number[];
  observations: number[][];
  totalReward: number;
  terminated: boolean;
  truncated: boolean;
  secondReset: number[];
};

describe("examples/cartpole.ts", () => {
  it("follows gym's CartPole-v1 from gym's start state for the seed to its 500-step time limit", () => {
    const env = new CartPoleEnv();
    let [obs] = env.reset({ seed: trajectory.seed });
    const seen = [Array.from(obs)];
    let total = 0;
    let ends: [boolean, boolean] = [false, false];
    trajectory.actions.forEach((action, k) => {
      expect(action).toBe(obs[2]! + 0.5 * obs[3]! > 0 ? 1 : 0); // the twin's controller, on the same observations
      const [next, reward, terminated, truncated] = env.step(action);
      obs = next;
      total += reward;
      ends = [terminated, truncated];
      if ((k + 1) % 10 === 0 || terminated || truncated) seen.push(Array.from(obs));
      expect(terminated || truncated).toBe(k === trajectory.steps - 1);
    });
    expect(ends).toEqual([trajectory.terminated, trajectory.truncated]);
    expect(total).toBe(trajectory.totalReward);
    seen.forEach((o, i) => o.forEach((v, j) => expect(Math.abs(v - trajectory.observations[i]![j]!), `observation ${i}, ${j}`).toBeLessThanOrEqual(1e-6)));
    expect(Array.from(env.reset()[0])).toEqual(trajectory.secondReset); // NumPy's generator, continued
  });

  it("refuses an invalid action and a step before reset", () => {
    expect(() => new CartPoleEnv().step(0)).toThrow("Call reset before using step method.");
    const env = new CartPoleEnv();
    env.reset({ seed: 0 });
    expect(() => env.step(2)).toThrow("2 (number) invalid");
  });
});

describe("examples/reinforce.ts", () => {
  it("plays and learns its first 20 episodes from the seed with PyTorch's episode lengths and losses (nothing replayed)", () => {
    const result = runReinforce({ ...exampleOptions(fixture), onModel: (policy) => expectInitialState(policy, fixture.init) });
    expect(result.episodeRewards).toEqual(fixture.episodeRewards);
    expectLosses(result.losses, fixture.losses);
  });
});
