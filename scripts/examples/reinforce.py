"""pytorch/examples reinforcement_learning/reinforce.py: the PyTorch twin of examples/reinforce.ts.

Debian has no gym(nasium) for Python, so CartPoleEnv below is gymnasium's CartPole-v1
(envs/classic_control/cartpole.py, without rendering) with gym.make's TimeLimit of 500 steps and
gymnasium's seeding: np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed))).
The rest is the original, with `--steps` to stop after a number of episodes. run(**options)
returns the per-episode losses and rewards and the initial state dict.
"""

import argparse
import math
import time
from collections import deque
from itertools import count

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.distributions import Categorical


class CartPoleEnv:
    """gymnasium's CartPoleEnv, and the TimeLimit (500 steps) gym.make('CartPole-v1') wraps it in."""

    reward_threshold = 475.0
    max_episode_steps = 500

    def __init__(self):
        self.gravity = 9.8
        self.masscart = 1.0
        self.masspole = 0.1
        self.total_mass = self.masspole + self.masscart
        self.length = 0.5  # actually half the pole's length
        self.polemass_length = self.masspole * self.length
        self.force_mag = 10.0
        self.tau = 0.02  # seconds between state updates
        self.kinematics_integrator = "euler"

        # Angle at which to fail the episode
        self.theta_threshold_radians = 12 * 2 * math.pi / 360
        self.x_threshold = 2.4

        self.state = None
        self.np_random = None
        self.steps_beyond_terminated = None
        self.elapsed_steps = 0

    def step(self, action):
        assert action in (0, 1), f"{action!r} ({type(action)}) invalid"
        assert self.state is not None, "Call reset before using step method."
        x, x_dot, theta, theta_dot = self.state
        force = self.force_mag if action == 1 else -self.force_mag
        costheta = math.cos(theta)
        sintheta = math.sin(theta)

        # For the interested reader:
        # https://coneural.org/florian/papers/05_cart_pole.pdf
        temp = (
            force + self.polemass_length * theta_dot**2 * sintheta
        ) / self.total_mass
        thetaacc = (self.gravity * sintheta - costheta * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * costheta**2 / self.total_mass)
        )
        xacc = temp - self.polemass_length * thetaacc * costheta / self.total_mass

        if self.kinematics_integrator == "euler":
            x = x + self.tau * x_dot
            x_dot = x_dot + self.tau * xacc
            theta = theta + self.tau * theta_dot
            theta_dot = theta_dot + self.tau * thetaacc
        else:  # semi-implicit euler
            x_dot = x_dot + self.tau * xacc
            x = x + self.tau * x_dot
            theta_dot = theta_dot + self.tau * thetaacc
            theta = theta + self.tau * theta_dot

        self.state = (x, x_dot, theta, theta_dot)

        terminated = bool(
            x < -self.x_threshold
            or x > self.x_threshold
            or theta < -self.theta_threshold_radians
            or theta > self.theta_threshold_radians
        )

        if not terminated:
            reward = 1.0
        elif self.steps_beyond_terminated is None:
            # Pole just fell!
            self.steps_beyond_terminated = 0
            reward = 1.0
        else:
            self.steps_beyond_terminated += 1
            reward = 0.0

        self.elapsed_steps += 1
        truncated = self.elapsed_steps >= self.max_episode_steps
        return np.array(self.state, dtype=np.float32), reward, terminated, truncated, {}

    def reset(self, *, seed=None):
        if seed is not None or self.np_random is None:  # gymnasium.utils.seeding.np_random
            self.np_random = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
        self.state = self.np_random.uniform(low=-0.05, high=0.05, size=(4,))
        self.steps_beyond_terminated = None
        self.elapsed_steps = 0
        return np.array(self.state, dtype=np.float32), {}


class Policy(nn.Module):
    def __init__(self):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(4, 128)
        self.dropout = nn.Dropout(p=0.6)
        self.affine2 = nn.Linear(128, 2)

        self.saved_log_probs = []
        self.rewards = []

    def forward(self, x):
        x = self.affine1(x)
        x = self.dropout(x)
        x = F.relu(x)
        action_scores = self.affine2(x)
        return F.softmax(action_scores, dim=1)


DEFAULTS = dict(gamma=0.99, seed=543, log_interval=10, steps=0, log=False, replay=None)


def run(**options):
    args = argparse.Namespace(**{**DEFAULTS, **options})
    env = CartPoleEnv()
    env.reset(seed=args.seed)
    torch.manual_seed(args.seed)

    policy = Policy()
    init = {k: v.clone() for k, v in policy.state_dict().items()}
    optimizer = optim.Adam(policy.parameters(), lr=1e-2)
    eps = np.finfo(np.float32).eps.item()

    def select_action(state):
        state = torch.from_numpy(state).float().unsqueeze(0)
        probs = policy(state)
        m = Categorical(probs)
        action = m.sample()
        policy.saved_log_probs.append(m.log_prob(action))
        return action.item()

    def finish_episode():
        R = 0
        policy_loss = []
        returns = deque()
        for r in policy.rewards[::-1]:
            R = r + args.gamma * R
            returns.appendleft(R)
        returns = torch.tensor(returns)
        returns = (returns - returns.mean()) / (returns.std() + eps)
        for log_prob, R in zip(policy.saved_log_probs, returns):
            policy_loss.append(-log_prob * R)
        optimizer.zero_grad()
        policy_loss = torch.cat(policy_loss).sum()
        policy_loss.backward()
        optimizer.step()
        del policy.rewards[:]
        del policy.saved_log_probs[:]
        return policy_loss.item()

    out = dict(losses=[], episode_rewards=[], solved=False, init=init)
    running_reward = 10
    for i_episode in count(1):
        state, _ = env.reset()
        ep_reward = 0
        for t in range(1, 10000):  # Don't infinite loop while learning
            action = select_action(state)
            state, reward, terminated, truncated, _ = env.step(action)
            policy.rewards.append(reward)
            ep_reward += reward
            if terminated or truncated:
                break

        running_reward = 0.05 * ep_reward + (1 - 0.05) * running_reward
        out["losses"].append(finish_episode())
        out["episode_rewards"].append(ep_reward)
        if args.log and i_episode % args.log_interval == 0:
            print(f'Episode {i_episode}\tLast reward: {ep_reward:.2f}\tAverage reward: {running_reward:.2f}')
        if running_reward > env.reward_threshold:
            if args.log:
                print(f"Solved! Running reward is now {running_reward} and the last episode runs to {t} time steps!")
            out["solved"] = True
            break
        if len(out["losses"]) == args.steps:
            break
    return out


def main():
    parser = argparse.ArgumentParser(description='PyTorch REINFORCE example')
    parser.add_argument('--gamma', type=float, default=0.99)
    parser.add_argument('--seed', type=int, default=543)
    parser.add_argument('--log-interval', type=int, default=10)
    parser.add_argument('--steps', type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    losses = run(**vars(args), log=True)["losses"]
    seconds = time.perf_counter() - started
    print(f"{len(losses)} steps in {seconds:.2f} s ({1000 * seconds / max(1, len(losses)):.1f} ms/step)")


if __name__ == '__main__':
    main()
