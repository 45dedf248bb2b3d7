"""PyTorch twin of bench/conv.mjs: prints the median wall and CPU ms of one case (argv: name, reps)."""
import statistics
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(0)
w1 = (torch.randn(32, 1, 3, 3) * 0.3).requires_grad_()
b1 = torch.zeros(32).requires_grad_()
w2 = (torch.randn(64, 32, 3, 3) * 0.06).requires_grad_()
b2 = torch.zeros(64).requires_grad_()
x64 = torch.randn(64, 1, 28, 28)
x1000 = torch.randn(1000, 1, 28, 28)
h = torch.randn(64, 32, 26, 26).requires_grad_()


def net(x):
    return F.conv2d(F.relu(F.conv2d(x, w1, b1)), w2, b2)


def nograd():
    with torch.no_grad():
        net(x1000).sum().item()


cases = {
    "conv1_fwd_bwd_64": lambda: F.conv2d(x64, w1, b1).sum().backward(),
    "conv2_fwd_bwd_64": lambda: F.conv2d(h, w2, b2).sum().backward(),
    "net_fwd_bwd_64": lambda: net(x64).sum().backward(),
    "net_fwd_nograd_1000": nograd,
}
name, reps = sys.argv[1], int(sys.argv[2])
fn = cases[name]
fn()
walls, cpus = [], []
for _ in range(reps):
    c = time.process_time()
    t = time.perf_counter()
    fn()
    walls.append((time.perf_counter() - t) * 1000)
    cpus.append((time.process_time() - c) * 1000)
print(statistics.median(walls), statistics.median(cpus))
