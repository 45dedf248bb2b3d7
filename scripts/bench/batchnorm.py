"""Batch norm on its own, the PyTorch twin of bench/batchnorm.mjs (issue 10): the same cases
(BatchNorm1d/2d, small and large, float32 and float64; "train": a training forward and its
backward from a fixed gradient, "eval": an eval-mode forward without gradient), timed as the
process's CPU milliseconds per call (user + system, all threads), the mean over every timed call
and the least block's, and the wall mean.

    /usr/bin/python3 scripts/bench/batchnorm.py [--threads 1]
"""

import argparse
import json
import statistics
import time

import torch
from torch import nn

CASES = [
    ("bn1d 128×512", nn.BatchNorm1d, (128, 512), torch.float32, "train"),
    ("bn1d 128×512", nn.BatchNorm1d, (128, 512), torch.float32, "eval"),
    ("bn1d 128×512 f64", nn.BatchNorm1d, (128, 512), torch.float64, "train"),
    ("bn1d 64×100", nn.BatchNorm1d, (64, 100), torch.float32, "train"),
    ("bn1d 64×100", nn.BatchNorm1d, (64, 100), torch.float32, "eval"),
    ("bn2d 32×16×8×8", nn.BatchNorm2d, (32, 16, 8, 8), torch.float32, "train"),
    ("bn2d 32×16×8×8", nn.BatchNorm2d, (32, 16, 8, 8), torch.float32, "eval"),
    ("bn2d 128×32×32×32", nn.BatchNorm2d, (128, 32, 32, 32), torch.float32, "train"),
    ("bn2d 128×32×32×32", nn.BatchNorm2d, (128, 32, 32, 32), torch.float32, "eval"),
]


def calls_per_block(numel):
    """~20 ms of work at the shapes' size (as bench/batchnorm.mjs)."""
    return max(2, min(400, round(2e6 / numel)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    results = []
    for name, layer, shape, dtype, mode in CASES:
        bn = layer(shape[1]).to(dtype)
        x = torch.randn(*shape, dtype=dtype)
        g = torch.randn(*shape, dtype=dtype)
        if mode == "train":
            x.requires_grad_()
            bn.train()

            def step():
                bn.zero_grad(set_to_none=True)
                x.grad = None
                bn(x).backward(g)
        else:
            bn.eval()

            def step():
                with torch.no_grad():
                    bn(x)
        block = calls_per_block(x.numel())
        warm_until = time.perf_counter() + 1.0  # as the nabla side, which warms its JIT for a second
        i = 0
        while i < 3 * block or time.perf_counter() < warm_until:
            step()
            i += 1
        cpu, wall = [], []
        for _ in range(15):
            c, t = time.process_time(), time.perf_counter()
            for _ in range(block):
                step()
            wall.append((time.perf_counter() - t) * 1000 / block)
            cpu.append((time.process_time() - c) * 1000 / block)
        results.append({"name": name, "mode": mode, "cpu": statistics.mean(cpu), "cpuBest": min(cpu), "wall": statistics.mean(wall)})
    print("BENCH " + json.dumps(results))


if __name__ == "__main__":
    main()
