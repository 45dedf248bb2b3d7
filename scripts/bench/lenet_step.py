"""LeNet-5 training step CPU time, the PyTorch twin of bench/programs/lenet-step.mjs (the model,
data and Adam of scripts/bench/lenet.py, imported from it): the process's CPU milliseconds per
step over blocks of steps, and the wall milliseconds, median block of each. --profile N prints
torch.autograd.profiler's table over N steps instead.

    /usr/bin/python3 scripts/bench/lenet_step.py [--threads 1] [--blocks 20] [--block 10] [--profile 0]
"""

import argparse
import json
import statistics
import time

import torch

from lenet import Training


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
    training = Training(args.batch_size)
    loss = None

    def train():
        nonlocal loss
        loss = training.step()

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
                                 "loss": loss, "steps": training.steps}))


if __name__ == "__main__":
    main()
