"""LeNet-5 training, the PyTorch twin of bench/programs/lenet.mjs: conv 1→6 5×5 (padding 2), ReLU,
max-pool 2, conv 6→16 5×5, ReLU, max-pool 2, linear 400→120→84→10 with ReLUs, cross-entropy, Adam
(lr 1e-3), batch 64, on 8 batches of seeded N(0, 1) images and labels cycled. Both sides seed 0 and
build the layers in the same order, so they start from the same weights and see the same data.
Prints `BENCH {json}`: samples/s over the timed steps (median step) and the last loss. LeNet and
Training (the model, data and Adam) serve scripts/bench/lenet_step.py too.

    /usr/bin/python3 scripts/bench/torch_run.py scripts/bench/lenet.py [--steps 60] [--warmup 200]
"""

import argparse
import json
import statistics
import time

import torch
from torch import nn
import torch.nn.functional as F


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class Training:
    """LeNet, Adam (lr 1e-3) and 8 batches of seeded N(0, 1) images and labels, made in this order
    after torch.manual_seed(0) as bench/programs/lenet.mjs makes them; step() trains on the next
    batch and returns the loss."""

    batches = 8

    def __init__(self, batch_size):
        torch.manual_seed(0)
        self.batch_size = batch_size
        self.model = LeNet()
        self.x = torch.randn(self.batches * batch_size, 1, 28, 28)
        self.y = torch.randint(0, 10, (self.batches * batch_size,))
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        self.steps = 0

    def step(self):
        start = (self.steps % self.batches) * self.batch_size
        rows = slice(start, start + self.batch_size)
        self.steps += 1
        self.optimizer.zero_grad()
        loss = F.cross_entropy(self.model(self.x[rows]), self.y[rows])
        loss.backward()
        self.optimizer.step()
        return loss.item()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    training = Training(args.batch_size)
    times = []
    for step in range(args.warmup + args.steps):
        started = time.perf_counter()
        last = training.step()
        if step >= args.warmup:
            times.append(time.perf_counter() - started)
    print("BENCH " + json.dumps({"samples_per_s": args.batch_size / statistics.median(times), "loss": last}))


if __name__ == "__main__":
    main()
