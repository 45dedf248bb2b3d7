"""Per-op overhead, the PyTorch twin of bench/programs/small-ops.mjs: a loop of
`a = x + y; b = a * y; c = relu(b)` on float32 vectors of 4, 2,000 and 100,000 elements, without
autograd and with both inputs requiring grad (the graph recorded, no backward). After half a
second's warm-up, times batches of loop iterations, each batch about 20 ms, and prints
`BENCH {json}`: for each size and mode the median batch's microseconds per op (a third of an
iteration), `us{size}{mode}`, and the mean over all batches, `us{size}{mode}mean`.

    /usr/bin/python3 scripts/bench/torch_run.py scripts/bench/small_ops.py [--batches 15]
"""

import argparse
import json
import statistics
import time

import torch


def per_op_us(x, y, batches):
    def loop(n):
        for _ in range(n):
            a = x + y
            b = a * y
            torch.relu(b)

    n = 1  # grow the batch until it takes ~20 ms
    while True:
        started = time.perf_counter()
        loop(n)
        if time.perf_counter() - started > 0.02:
            break
        n *= 2
    warm_until = time.perf_counter() + 0.5  # then warm up for half a second more, as nabla's side does
    while time.perf_counter() < warm_until:
        loop(n)
    times = []
    for _ in range(batches):
        started = time.perf_counter()
        loop(n)
        times.append((time.perf_counter() - started) / (3 * n))
    return 1e6 * statistics.median(times), 1e6 * statistics.fmean(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=15)
    args = parser.parse_args()
    torch.manual_seed(0)
    out = {}

    def put(key, median_mean):
        out[key], out[f"{key}mean"] = median_mean

    for size in (4, 2000, 100_000):
        x, y = torch.randn(size), torch.randn(size)
        put(f"us{size}", per_op_us(x, y, args.batches))
        put(f"us{size}grad", per_op_us(x.requires_grad_(), y.requires_grad_(), args.batches))
    print("BENCH " + json.dumps(out))


if __name__ == "__main__":
    main()
