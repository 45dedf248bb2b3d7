"""LeNet-5 training step CPU time, the PyTorch twin of bench/programs/lenet-step.mjs (same model,
data and Adam as scripts/bench/lenet.py): the process's CPU milliseconds per step over blocks of
steps, and the wall milliseconds, median block of each. --profile N prints torch.autograd.profiler's table over N steps instead.

    /usr/bin/python3 scripts/bench/lenet_step.py [--threads 1] [--blocks 20] [--block 10] [--profile 0]
"""

import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

from lenet import LeNet


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--blocks", type=int, default=20)
    parser.add_argument("--block", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--profile", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = LeNet()
    batches = 8
    x = torch.randn(batches * args.batch_size, 1, 28, 28)
    y = torch.randint(0, 10, (batches * args.batch_size,))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    state = {"step": 0, "loss": None}

    def train():
        b = state["step"] % batches
        state["step"] += 1
        xb, yb = x[b * args.batch_size:(b + 1) * args.batch_size], y[b * args.batch_size:(b + 1) * args.batch_size]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        state["loss"] = loss.item()

    for _ in range(args.warmup):
        train()
    if args.profile:
        with torch.autograd.profiler.profile() as prof:
            for _ in range(args.profile):
                train()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=40))
        return
    ms, wall = [], []
    for _ in range(args.blocks):
        started, started_wall = time.process_time(), time.perf_counter()
        for _ in range(args.block):
            train()
        wall.append((time.perf_counter() - started_wall) * 1000 / args.block)
        ms.append((time.process_time() - started) * 1000 / args.block)
    print("BENCH " + json.dumps({"cpu_ms_per_step": statistics.median(ms), "wall_ms_per_step": statistics.median(wall),
                                 "loss": state["loss"], "steps": state["step"]}))


if __name__ == "__main__":
    main()
