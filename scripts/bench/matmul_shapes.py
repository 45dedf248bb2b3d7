"""PyTorch twin of bench/matmul-shapes.mjs: times torch.matmul on each shape (argv: threads, dtype,
the shapes as JSON [name, m, k, n, form]) as the nabla side does (repeats until >= 20 ms of CPU, then
five samples, medians) and prints JSON {blas, results: {name: [GFLOP/s per CPU-second, per wall-second]}}."""
import json
import statistics
import sys
import time

import torch

threads, dtype, shapes = int(sys.argv[1]), getattr(torch, sys.argv[2]), json.loads(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)


def operands(m, k, n, form):
    a = torch.randn(k, m, dtype=dtype).t() if form[0] == "t" else torch.randn(m, k, dtype=dtype)
    b = torch.randn(n, k, dtype=dtype).t() if form[1] == "t" else torch.randn(k, n, dtype=dtype)
    return a, b


def time_shape(m, k, n, form):
    a, b = operands(m, k, n, form)
    flops = 2 * m * k * n
    for _ in range(3):
        torch.matmul(a, b)
    reps = 1
    while True:
        c = time.process_time()
        for _ in range(reps):
            torch.matmul(a, b)
        if time.process_time() - c > 0.02:
            break
        reps *= 2
    cpu, wall = [], []
    for _ in range(5):
        c = time.process_time()
        t = time.perf_counter()
        for _ in range(reps):
            torch.matmul(a, b)
        wall.append((time.perf_counter() - t) / reps)
        cpu.append((time.process_time() - c) / reps)
    return [flops / statistics.median(cpu) / 1e9, flops / statistics.median(wall) / 1e9]


def blas_name():
    """Debian's torch reports BLAS_INFO=generic: it calls the system libblas, which
    libopenblas0-pthread provides through the alternatives; name the library the process mapped."""
    with open("/proc/self/maps") as maps:
        libs = {line.split("/")[-1].strip() for line in maps if "blas" in line.lower()}
    return ", ".join(sorted(libs)) or "BLAS ?"


with torch.no_grad():
    results = {name: time_shape(m, k, n, form) for name, m, k, n, form in shapes}
print(json.dumps({"blas": f"{torch.__version__} on {blas_name()}", "results": results}))
