"""Layer-level training steps, the PyTorch twin of bench/layers.mjs (issue 10): one case per run,
timed as the process's CPU milliseconds per step (user + system, all threads) and the wall
milliseconds per step, the median block of each. Seed 0 and the same construction order as the
nabla side, so the weights and inputs agree and the printed loss can be compared.

Cases (see bench/layers.mjs for the table driver):
  cnn          CIFAR-style CNN, float32, batch 128 of 3×32×32: Conv 3→32 3×3 pad 1, BatchNorm2d, ReLU,
               MaxPool 2, Conv 32→64 3×3 pad 1, BatchNorm2d, ReLU, MaxPool 2, Linear 4096→10;
               cross-entropy, backward, SGD step (lr 0.01, momentum 0.9)
  conv_f64     float64 Conv2d 32→64 3×3 pad 1 on 32×32×16×16: forward, backward of sum(y·g)
               (gradients of the input, weight and bias)
  bn2d         BatchNorm2d(32) alone, training mode, float32, on the CNN's first activation
               128×32×32×32: forward, backward from a fixed gradient (input, weight and bias)
  gru, gru_f64 nn.GRU(128, 256), sequence 35, batch 20 (float32 / float64): forward, MSE against a
               random target, backward
  grucell, grucell_f64
               GRUCell 1→51, GRUCell 51→51, Linear 51→1 unrolled over 100 steps of sine waves,
               batch 97, as bench/programs/lstm-cell-f64.mjs with GRU cells: forward, MSE, backward

    /usr/bin/python3 scripts/bench/layers.py --case cnn [--threads 1] [--blocks 7] [--block 2] [--warmup 2]
"""

import argparse
import json
import statistics
import time

import torch
from torch import nn
import torch.nn.functional as F


class CifarNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(64)
        self.fc = nn.Linear(64 * 8 * 8, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.fc(x.flatten(1))


class GruSequence(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru1 = nn.GRUCell(1, 51)
        self.gru2 = nn.GRUCell(51, 51)
        self.linear = nn.Linear(51, 1)

    def forward(self, input):
        outputs = []
        h = torch.zeros(input.size(0), 51, dtype=input.dtype)
        h2 = torch.zeros(input.size(0), 51, dtype=input.dtype)
        for t in range(input.size(1)):
            h = self.gru1(input[:, t:t + 1], h)
            h2 = self.gru2(h, h2)
            outputs.append(self.linear(h2))
        return torch.cat(outputs, dim=1)


def cnn():
    model = CifarNet()
    x = torch.randn(128, 3, 32, 32)
    y = torch.randint(0, 10, (128,))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


def conv_f64():
    conv = nn.Conv2d(32, 64, 3, padding=1).double()
    x = torch.randn(32, 32, 16, 16, dtype=torch.double).requires_grad_()
    g = torch.randn(32, 64, 16, 16, dtype=torch.double)

    def step():
        conv.zero_grad()
        x.grad = None
        loss = (conv(x) * g).sum()
        loss.backward()
        return loss.item()
    return step


def bn2d():
    bn = nn.BatchNorm2d(32)
    x = torch.randn(128, 32, 32, 32).requires_grad_()
    g = torch.randn(128, 32, 32, 32)

    def step():
        bn.zero_grad()
        x.grad = None
        y = bn(x)
        y.backward(g)
        return y[0, 0, 0, 0].item()
    return step


def gru(dtype):
    def make():
        model = nn.GRU(128, 256).to(dtype)
        x = torch.randn(35, 20, 128, dtype=dtype)
        target = torch.randn(35, 20, 256, dtype=dtype)

        def step():
            model.zero_grad()
            loss = F.mse_loss(model(x)[0], target)
            loss.backward()
            return loss.item()
        return step
    return make


def grucell(dtype):
    def make():
        model = GruSequence().to(dtype)
        t = torch.arange(101, dtype=torch.double)
        i = torch.arange(97, dtype=torch.double).unsqueeze(1)
        waves = torch.sin((t + 4 * i) / 20).to(dtype)
        input, target = waves[:, :-1], waves[:, 1:]

        def step():
            model.zero_grad()
            loss = F.mse_loss(model(input), target)
            loss.backward()
            return loss.item()
        return step
    return make


CASES = {"cnn": cnn, "bn2d": bn2d, "conv_f64": conv_f64, "gru": gru(torch.float32), "gru_f64": gru(torch.double),
         "grucell": grucell(torch.float32), "grucell_f64": grucell(torch.double)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", required=True, choices=sorted(CASES))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--blocks", type=int, default=7)
    parser.add_argument("--block", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    step = CASES[args.case]()
    loss = None
    for _ in range(args.warmup):
        loss = step()
    ms, wall = [], []
    for _ in range(args.blocks):
        started, started_wall = time.process_time(), time.perf_counter()
        for _ in range(args.block):
            loss = step()
        wall.append((time.perf_counter() - started_wall) * 1000 / args.block)
        ms.append((time.process_time() - started) * 1000 / args.block)
    print("BENCH " + json.dumps({"cpu_ms_per_step": statistics.median(ms), "wall_ms_per_step": statistics.median(wall),
                                 "loss": loss}))


if __name__ == "__main__":
    main()
