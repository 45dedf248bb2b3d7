"""PyTorch twin of bench/conv-layers.mjs: prints `case@threads cpu_ms` (median of reps calls) for the named cases."""
import statistics
import sys
import time

import torch
import torch.nn.functional as F

LAYERS = {"mnist1": (1, 32, 3, 0, 28), "mnist2": (32, 64, 3, 0, 26), "lenet1": (1, 6, 5, 2, 28), "lenet2": (6, 16, 5, 0, 14)}
N = 64


def layer_cases(name, c, o, k, p, h):
    torch.manual_seed(0)
    oh = h + 2 * p - k + 1
    x = torch.randn(N, c, h, h)
    w = torch.randn(o, c, k, k) / (c * k * k) ** 0.5
    b = torch.randn(o)
    gy = torch.randn(N, o, oh, oh)
    back = torch.ops.aten.convolution_backward

    def fwd():
        with torch.no_grad():
            F.conv2d(x, w, b, padding=p)

    def inp():
        back(gy, x, w, None, [1, 1], [p, p], [1, 1], False, [0, 0], 1, [True, False, False])

    def wgt():
        back(gy, x, w, None, [1, 1], [p, p], [1, 1], False, [0, 0], 1, [False, True, False])

    return {f"{name}_fwd": fwd, f"{name}_input": inp, f"{name}_weight": wgt}


cases = {}
for name, layer in LAYERS.items():
    cases.update(layer_cases(name, *layer))
reps = int(sys.argv[1])
for threads in (1, 2):
    torch.set_num_threads(threads)
    for name in sys.argv[2:]:
        fn = cases[name]
        fn()
        cpus = []
        for _ in range(reps):
            c = time.process_time()
            fn()
            cpus.append((time.process_time() - c) * 1000)
        print(f"{name}@{threads} {statistics.median(cpus)}")
