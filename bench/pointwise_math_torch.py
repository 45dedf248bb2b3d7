"""PyTorch's side of bench/pointwise-math.mjs: the same functions' out= kernels at one thread, on
the same inputs (the script's randn·3, rebuilt here bit for bit), µs per call (CPU time, median of
batches). Run with the interpreter that has torch:
  /usr/bin/python3 bench/pointwise_math_torch.py [--sizes=100000,2000] [--only=exp,tanh] [--dtype=float64]
"""
import json
import math
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
args = dict(a[2:].split("=", 1) for a in sys.argv[1:])
sizes = [int(s) for s in args.get("sizes", "100000,2000").split(",")]
only = args["only"].split(",") if "only" in args else None
dtype = {"float32": torch.float32, "float64": torch.float64}[args.get("dtype", "float32")]
aten = torch.ops.aten


def randn3(n, seed):
    """The LCG and Box-Muller of bench/pointwise-math.mjs, in float64, then rounded to float32 (as
    the .mjs script's inputs are, in either dtype: it fills its float64 arrays with the same values)."""
    out = np.empty(n)
    s = seed & 0xFFFFFFFF

    def u():
        nonlocal s
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        return (s + 1) / 4294967297

    for i in range(n):
        a = u()
        b = u()
        out[i] = 3 * math.sqrt(-2 * math.log(a)) * math.cos(2 * math.pi * b)
    return torch.from_numpy(out.astype(np.float32)).to(dtype)


CASES = {
    "exp": lambda x, g, y, o: torch.exp(x, out=o),
    "log": lambda x, g, y, o: torch.log(x, out=o),
    "log1p": lambda x, g, y, o: torch.log1p(x, out=o),
    "expm1": lambda x, g, y, o: torch.expm1(x, out=o),
    "sigmoid": lambda x, g, y, o: torch.sigmoid(x, out=o),
    "tanh": lambda x, g, y, o: torch.tanh(x, out=o),
    "erf": lambda x, g, y, o: torch.erf(x, out=o),
    "erfc": lambda x, g, y, o: torch.erfc(x, out=o),
    "gelu": lambda x, g, y, o: aten.gelu.out(x, out=o),
    "gelu_tanh": lambda x, g, y, o: aten.gelu.out(x, approximate="tanh", out=o),
    "silu": lambda x, g, y, o: aten.silu.out(x, out=o),
    "softplus": lambda x, g, y, o: aten.softplus.out(x, 1, 20, out=o),
    "mish": lambda x, g, y, o: aten.mish.out(x, out=o),
    "elu": lambda x, g, y, o: aten.elu.out(x, 1, 1, 1, out=o),
    "exp_backward": lambda x, g, y, o: torch.mul(g, y, out=o),
    "sigmoid_backward": lambda x, g, y, o: aten.sigmoid_backward.grad_input(g, y, grad_input=o),
    "tanh_backward": lambda x, g, y, o: aten.tanh_backward.grad_input(g, y, grad_input=o),
    "gelu_backward": lambda x, g, y, o: aten.gelu_backward.grad_input(g, x, grad_input=o),
    "gelu_tanh_backward": lambda x, g, y, o: aten.gelu_backward.grad_input(g, x, approximate="tanh", grad_input=o),
    "silu_backward": lambda x, g, y, o: aten.silu_backward.grad_input(g, x, grad_input=o),
    "softplus_backward": lambda x, g, y, o: aten.softplus_backward.grad_input(g, x, 1, 20, grad_input=o),
}
FORWARD = {"exp_backward": torch.exp, "sigmoid_backward": torch.sigmoid, "tanh_backward": torch.tanh}

for n in sizes:
    x = randn3(n, 1)
    g = randn3(n, 2)
    for name, fn in CASES.items():
        if only and name not in only:
            continue
        o = torch.empty(n, dtype=dtype)
        y = FORWARD.get(name, torch.sigmoid)(x)
        run = lambda: fn(x, g, y, o)
        batch = max(5, round(2e6 / n))
        warm = time.perf_counter() + 0.3
        while time.perf_counter() < warm:
            run()
        per = []
        for _ in range(15):
            t = time.process_time()
            for _ in range(batch):
                run()
            per.append((time.process_time() - t) * 1e6 / batch)
        print(json.dumps({"fn": name, "n": n, "dtype": str(dtype)[6:], "us": round(float(np.median(per)), 2)}))
